//! The chapter's network as a classifier, fused: the decision boundary's fast path (book §1.4.3).

use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::{cpu, cuda};

/// The predicted class of each row of `x` for the chapter's network
/// `argmax(sigmoid(x · w1 + b1) · w2 + b2)`, fused and with a vectorized `exp` (see
/// [`crate::cpu::classify`]).
///
/// Shapes: `x` is `N x I`, `w1` `I x H`, `b1` `1 x H`, `w2` `H x C`, `b2` `1 x C`.
pub fn classify_two_layer<T: Element>(
    x: &Tensor<T>,
    w1: &Tensor<T>,
    b1: &Tensor<T>,
    w2: &Tensor<T>,
    b2: &Tensor<T>,
    out: &mut Vec<usize>,
) -> Result<()> {
    let op = "classify_two_layer";
    for t in [w1, b1, w2, b2] {
        super::same_device(op, x, t)?;
    }
    if x.cols() != w1.rows()
        || b1.shape() != (1, w1.cols())
        || w2.rows() != w1.cols()
        || b2.shape() != (1, w2.cols())
    {
        return Err(TensorError::ShapeMismatch {
            op,
            lhs: x.shape(),
            rhs: w1.shape(),
        });
    }
    let cols = x.cols();
    match (
        &x.storage,
        &w1.storage,
        &b1.storage,
        &w2.storage,
        &b2.storage,
    ) {
        (
            Storage::Cpu(sx),
            Storage::Cpu(s1),
            Storage::Cpu(sb1),
            Storage::Cpu(s2),
            Storage::Cpu(sb2),
        ) => {
            let net = cpu::classify::TwoLayer {
                w1: cpu::data(s1),
                b1: cpu::data(sb1),
                w2: cpu::data(s2),
                b2: cpu::data(sb2),
            };
            cpu::classify::classify(net, cpu::data(sx), cols, out);
            Ok(())
        }
        (
            Storage::Cuda(sx),
            Storage::Cuda(s1),
            Storage::Cuda(sb1),
            Storage::Cuda(s2),
            Storage::Cuda(sb2),
        ) => cuda::classify::classify_two_layer(sx, [s1, sb1, s2, sb2], out),
        (sx, s1, ..) => Err(TensorError::mixed(op, sx.device(), s1.device())),
    }
}

/// [`classify_two_layer`] on host slices (row-major, shapes as there, `inputs` columns in `x`):
/// the same CPU kernel without a tensor per call, for code that classifies many small batches of
/// points on the CPU (the certified decision boundary's leaf blocks).
pub fn classify_two_layer_host<T: Element>(
    x: &[T],
    inputs: usize,
    [w1, b1, w2, b2]: [&[T]; 4],
    out: &mut Vec<usize>,
) -> Result<()> {
    let (hidden, classes) = (b1.len(), b2.len());
    let rows = x.len().checked_div(inputs).unwrap_or(0);
    if inputs == 0
        || rows * inputs != x.len()
        || Some(w1.len()) != inputs.checked_mul(hidden)
        || Some(w2.len()) != hidden.checked_mul(classes)
    {
        return Err(TensorError::ShapeMismatch {
            op: "classify_two_layer_host",
            lhs: (rows, inputs),
            rhs: (w1.len().checked_div(hidden).unwrap_or(0), hidden),
        });
    }
    let net = cpu::classify::TwoLayer { w1, b1, w2, b2 };
    cpu::classify::classify(net, x, inputs, out);
    Ok(())
}

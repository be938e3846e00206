//! Sigmoid and softmax, with their backward passes (book §1.2.1, §1.3.1).

use super::{same_device, same_shape};
use crate::cpu;
use crate::error::{Result, TensorError};
use crate::float::Float;
use crate::labels::Labels;
use crate::tensor::Tensor;

/// `out = 1 / (1 + exp(-x))`, elementwise.
pub fn sigmoid<T: Float>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    out.ensure_shape(x.rows(), x.cols(), x.device())?;
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::sigmoid(x, out);
    }
    cpu::sigmoid::sigmoid(x.cpu(), out.cpu_mut());
    Ok(())
}

/// `out = sigmoid(x + b)` with `b` (`1 x cols`) added to every row: an `Affine`'s bias add fused
/// into the `Sigmoid` after it. `x + b` is rounded to `T` first, so the result is bit for bit that
/// of [`super::add_row`] then [`sigmoid`], in one pass (one kernel launch on a GPU).
pub fn add_row_sigmoid<T: Float>(x: &Tensor<T>, b: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    same_device("add_row_sigmoid", x, b)?;
    if b.shape() != (1, x.cols()) {
        return Err(TensorError::ShapeMismatch {
            op: "add_row_sigmoid",
            lhs: x.shape(),
            rhs: b.shape(),
        });
    }
    out.ensure_shape(x.rows(), x.cols(), x.device())?;
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::add_row_sigmoid(x, b, out);
    }
    cpu::sigmoid::add_row_sigmoid(x.cpu(), b.cpu(), out.cpu_mut());
    Ok(())
}

/// `dx = dout * (1 - y) * y`, with `y` the sigmoid's output.
pub fn sigmoid_backward<T: Float>(
    dout: &Tensor<T>,
    y: &Tensor<T>,
    dx: &mut Tensor<T>,
) -> Result<()> {
    same_shape("sigmoid_backward", dout, y)?;
    dx.ensure_shape(y.rows(), y.cols(), y.device())?;
    #[cfg(feature = "cuda")]
    if y.device() != crate::Device::Cpu {
        return crate::cuda::ops::sigmoid_backward(dout, y, dx);
    }
    cpu::sigmoid::sigmoid_backward(dout.cpu(), y.cpu(), dx.cpu_mut());
    Ok(())
}

/// Row-wise softmax (`common/functions.py: softmax`).
pub fn softmax<T: Float>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    out.ensure_shape(x.rows(), x.cols(), x.device())?;
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::softmax(x, out);
    }
    cpu::softmax::softmax(x.cpu(), x.cols(), out.cpu_mut());
    Ok(())
}

/// Backward of a plain softmax: `dx = y * dout - y * sum(y * dout, axis=1)`.
pub fn softmax_backward<T: Float>(
    y: &Tensor<T>,
    dout: &Tensor<T>,
    dx: &mut Tensor<T>,
) -> Result<()> {
    same_shape("softmax_backward", y, dout)?;
    dx.ensure_shape(y.rows(), y.cols(), y.device())?;
    #[cfg(feature = "cuda")]
    if y.device() != crate::Device::Cpu {
        return crate::cuda::ops::softmax_backward(y, dout, dx);
    }
    cpu::softmax::softmax_backward(y.cpu(), dout.cpu(), y.cols(), dx.cpu_mut());
    Ok(())
}

fn check_labels<T: Float>(op: &'static str, x: &Tensor<T>, t: &Labels) -> Result<()> {
    if x.rows() != t.len() || x.cols() != t.classes() {
        return Err(TensorError::ShapeMismatch {
            op,
            lhs: x.shape(),
            rhs: (t.len(), t.classes()),
        });
    }
    if x.is_empty() {
        return Err(TensorError::Empty {
            op,
            shape: x.shape(),
        });
    }
    Ok(())
}

/// Softmax of the scores `x` into `y`, and the book's loss `-sum(log(y[n, t_n] + 1e-7)) / N`.
///
/// Shapes: `x` is `N x C`; `t` holds `N` labels of `C` classes.
pub fn softmax_cross_entropy<T: Float>(x: &Tensor<T>, t: &Labels, y: &mut Tensor<T>) -> Result<T> {
    check_labels("softmax_cross_entropy", x, t)?;
    y.ensure_shape(x.rows(), x.cols(), x.device())?;
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::softmax_cross_entropy(x, t, y, None);
    }
    softmax(x, y)?;
    Ok(cpu::softmax::cross_entropy(y.cpu(), y.cols(), t.indices()))
}

/// [`softmax_cross_entropy`] and, in the same pass, its gradient for `dout = 1` into `dx`: what
/// [`softmax_cross_entropy_backward`] with `dout = 1` gives, bit for bit (`v * 1` is exact). The
/// loss layer's forward and backward in one kernel launch on a GPU.
pub fn softmax_cross_entropy_with_grad<T: Float>(
    x: &Tensor<T>,
    t: &Labels,
    y: &mut Tensor<T>,
    dx: &mut Tensor<T>,
) -> Result<T> {
    check_labels("softmax_cross_entropy_with_grad", x, t)?;
    y.ensure_shape(x.rows(), x.cols(), x.device())?;
    dx.ensure_shape(x.rows(), x.cols(), x.device())?;
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::softmax_cross_entropy(x, t, y, Some(dx));
    }
    softmax(x, y)?;
    let loss = cpu::softmax::cross_entropy(y.cpu(), y.cols(), t.indices());
    cpu::softmax::softmax_cross_entropy_backward(
        y.cpu(),
        y.cols(),
        t.indices(),
        T::ONE,
        dx.cpu_mut(),
    );
    Ok(loss)
}

/// Gradient of that loss w.r.t. the scores: `dx = (y - onehot(t)) * dout / N`.
pub fn softmax_cross_entropy_backward<T: Float>(
    y: &Tensor<T>,
    t: &Labels,
    dout: T,
    dx: &mut Tensor<T>,
) -> Result<()> {
    check_labels("softmax_cross_entropy_backward", y, t)?;
    same_device("softmax_cross_entropy_backward", y, dx)?;
    dx.ensure_shape(y.rows(), y.cols(), y.device())?;
    #[cfg(feature = "cuda")]
    if y.device() != crate::Device::Cpu {
        return crate::cuda::ops::softmax_cross_entropy_backward(y, t, dout, dx);
    }
    cpu::softmax::softmax_cross_entropy_backward(
        y.cpu(),
        y.cols(),
        t.indices(),
        dout,
        dx.cpu_mut(),
    );
    Ok(())
}

/// The predicted class of each row of `x` for the chapter's network
/// `argmax(sigmoid(x · w1 + b1) · w2 + b2)`, fused and with a vectorized `exp` (see
/// [`crate::cpu::classify`]): the decision-boundary fast path.
///
/// Shapes: `x` is `N x I`, `w1` `I x H`, `b1` `1 x H`, `w2` `H x C`, `b2` `1 x C`.
pub fn classify_two_layer<T: Float>(
    x: &Tensor<T>,
    w1: &Tensor<T>,
    b1: &Tensor<T>,
    w2: &Tensor<T>,
    b2: &Tensor<T>,
    out: &mut Vec<usize>,
) -> Result<()> {
    let op = "classify_two_layer";
    for t in [w1, b1, w2, b2] {
        same_device(op, x, t)?;
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
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::classify_two_layer(x, [w1, b1, w2, b2], out);
    }
    let net = cpu::classify::TwoLayer {
        w1: w1.cpu(),
        b1: b1.cpu(),
        w2: w2.cpu(),
        b2: b2.cpu(),
    };
    cpu::classify::classify(net, x.cpu(), x.cols(), out);
    Ok(())
}

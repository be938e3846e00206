//! Softmax and the softmax-with-cross-entropy loss (book §1.3.1, the `Softmax` layer and the
//! `Softmax with Loss` layer §1.3.5.3).

use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::labels::Labels;
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::{cpu, cuda};

/// Row-wise softmax (`common/functions.py: softmax`).
pub fn softmax<T: Element>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    out.ensure_shape(x.rows(), x.cols(), x.device())?;
    match (&x.storage, &mut out.storage) {
        (Storage::Cpu(sx), Storage::Cpu(so)) => {
            cpu::softmax::softmax(cpu::data(sx), x.cols(), cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(sx), Storage::Cuda(so)) => cuda::softmax::softmax(sx, so),
        (sx, so) => Err(TensorError::mixed("softmax", sx.device(), so.device())),
    }
}

/// Backward of a plain softmax: `dx = y * dout - y * sum(y * dout, axis=1)`.
pub fn softmax_backward<T: Element>(
    y: &Tensor<T>,
    dout: &Tensor<T>,
    dx: &mut Tensor<T>,
) -> Result<()> {
    super::same_shape("softmax_backward", y, dout)?;
    dx.ensure_shape(y.rows(), y.cols(), y.device())?;
    match (&y.storage, &dout.storage, &mut dx.storage) {
        (Storage::Cpu(sy), Storage::Cpu(sd), Storage::Cpu(so)) => {
            let cols = y.cols();
            cpu::softmax::softmax_backward(cpu::data(sy), cpu::data(sd), cols, cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(sy), Storage::Cuda(sd), Storage::Cuda(so)) => {
            cuda::softmax::softmax_backward(sy, sd, so)
        }
        (sy, _, so) => Err(TensorError::mixed(
            "softmax_backward",
            sy.device(),
            so.device(),
        )),
    }
}

fn check_labels<T: Element>(op: &'static str, x: &Tensor<T>, t: &Labels) -> Result<()> {
    if x.rows() != t.len() || x.cols() != t.classes() {
        return Err(TensorError::LabelMismatch {
            op,
            scores: x.shape(),
            labels: t.len(),
            classes: t.classes(),
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
pub fn softmax_cross_entropy<T: Element>(
    x: &Tensor<T>,
    t: &Labels,
    y: &mut Tensor<T>,
) -> Result<T> {
    loss(x, t, y, None, "softmax_cross_entropy")
}

/// [`softmax_cross_entropy`] and, in the same pass, its gradient for `dout = 1` into `dx`: what
/// [`softmax_cross_entropy_backward`] with `dout = 1` gives, bit for bit (`v * 1` is exact). The
/// loss layer's forward and backward in one kernel launch on a GPU.
pub fn softmax_cross_entropy_with_grad<T: Element>(
    x: &Tensor<T>,
    t: &Labels,
    y: &mut Tensor<T>,
    dx: &mut Tensor<T>,
) -> Result<T> {
    let op = "softmax_cross_entropy_with_grad";
    dx.ensure_shape(x.rows(), x.cols(), x.device())?;
    loss(x, t, y, Some(dx), op)
}

fn loss<T: Element>(
    x: &Tensor<T>,
    t: &Labels,
    y: &mut Tensor<T>,
    dx: Option<&mut Tensor<T>>,
    op: &'static str,
) -> Result<T> {
    check_labels(op, x, t)?;
    y.ensure_shape(x.rows(), x.cols(), x.device())?;
    let cols = x.cols();
    match (&x.storage, &mut y.storage, dx.map(|d| &mut d.storage)) {
        (Storage::Cpu(sx), Storage::Cpu(sy), dx @ (None | Some(Storage::Cpu(_)))) => {
            let y = cpu::data_mut(sy);
            cpu::softmax::softmax(cpu::data(sx), cols, y);
            let loss = cpu::softmax::cross_entropy(y, cols, t.indices());
            if let Some(Storage::Cpu(sd)) = dx {
                let dx = cpu::data_mut(sd);
                cpu::softmax::softmax_cross_entropy_backward(y, cols, t.indices(), T::ONE, dx);
            }
            Ok(loss)
        }
        (Storage::Cuda(sx), Storage::Cuda(sy), None) => {
            cuda::softmax::softmax_cross_entropy(sx, t, sy, None)
        }
        (Storage::Cuda(sx), Storage::Cuda(sy), Some(Storage::Cuda(sd))) => {
            cuda::softmax::softmax_cross_entropy(sx, t, sy, Some(sd))
        }
        (sx, _, Some(sd)) => Err(TensorError::mixed(op, sx.device(), sd.device())),
        (sx, sy, None) => Err(TensorError::mixed(op, sx.device(), sy.device())),
    }
}

/// Gradient of that loss w.r.t. the scores: `dx = (y - onehot(t)) * dout / N`.
pub fn softmax_cross_entropy_backward<T: Element>(
    y: &Tensor<T>,
    t: &Labels,
    dout: T,
    dx: &mut Tensor<T>,
) -> Result<()> {
    let op = "softmax_cross_entropy_backward";
    check_labels(op, y, t)?;
    dx.ensure_shape(y.rows(), y.cols(), y.device())?;
    let cols = y.cols();
    match (&y.storage, &mut dx.storage) {
        (Storage::Cpu(sy), Storage::Cpu(so)) => {
            let (y, dx) = (cpu::data(sy), cpu::data_mut(so));
            cpu::softmax::softmax_cross_entropy_backward(y, cols, t.indices(), dout, dx);
            Ok(())
        }
        (Storage::Cuda(sy), Storage::Cuda(so)) => {
            cuda::softmax::softmax_cross_entropy_backward(sy, t, dout, so)
        }
        (sy, so) => Err(TensorError::mixed(op, sy.device(), so.device())),
    }
}

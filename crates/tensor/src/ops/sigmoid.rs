//! The sigmoid (book §1.2.1) and its backward pass (the `Sigmoid` layer, §1.3.5.1).

use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::{cpu, cuda};

/// `out = 1 / (1 + exp(-x))`, elementwise.
pub fn sigmoid<T: Element>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    out.ensure_shape(x.rows(), x.cols(), x.device())?;
    match (&x.storage, &mut out.storage) {
        (Storage::Cpu(sx), Storage::Cpu(so)) => {
            cpu::sigmoid::sigmoid(cpu::data(sx), cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(sx), Storage::Cuda(so)) => cuda::sigmoid::sigmoid(sx, so),
        (sx, so) => Err(TensorError::mixed("sigmoid", sx.device(), so.device())),
    }
}

/// `out = sigmoid(x + b)` with `b` (`1 x cols`) added to every row: an `Affine`'s bias add fused
/// into the `Sigmoid` after it. `x + b` is rounded to `T` first, so the result is bit for bit that
/// of [`super::add_row`] then [`sigmoid`], in one pass (one kernel launch on a GPU).
pub fn add_row_sigmoid<T: Element>(
    x: &Tensor<T>,
    b: &Tensor<T>,
    out: &mut Tensor<T>,
) -> Result<()> {
    super::same_device("add_row_sigmoid", x, b)?;
    if b.shape() != (1, x.cols()) {
        return Err(TensorError::ShapeMismatch {
            op: "add_row_sigmoid",
            lhs: x.shape(),
            rhs: b.shape(),
        });
    }
    out.ensure_shape(x.rows(), x.cols(), x.device())?;
    match (&x.storage, &b.storage, &mut out.storage) {
        (Storage::Cpu(sx), Storage::Cpu(sb), Storage::Cpu(so)) => {
            cpu::sigmoid::add_row_sigmoid(cpu::data(sx), cpu::data(sb), cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(sx), Storage::Cuda(sb), Storage::Cuda(so)) => {
            cuda::sigmoid::add_row_sigmoid(sx, sb, so)
        }
        (sx, _, so) => Err(TensorError::mixed(
            "add_row_sigmoid",
            sx.device(),
            so.device(),
        )),
    }
}

/// `dx = dout * (1 - y) * y`, with `y` the sigmoid's output.
pub fn sigmoid_backward<T: Element>(
    dout: &Tensor<T>,
    y: &Tensor<T>,
    dx: &mut Tensor<T>,
) -> Result<()> {
    super::same_shape("sigmoid_backward", dout, y)?;
    dx.ensure_shape(y.rows(), y.cols(), y.device())?;
    match (&dout.storage, &y.storage, &mut dx.storage) {
        (Storage::Cpu(sd), Storage::Cpu(sy), Storage::Cpu(so)) => {
            cpu::sigmoid::sigmoid_backward(cpu::data(sd), cpu::data(sy), cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(sd), Storage::Cuda(sy), Storage::Cuda(so)) => {
            cuda::sigmoid::sigmoid_backward(sd, sy, so)
        }
        (sd, _, so) => Err(TensorError::mixed(
            "sigmoid_backward",
            sd.device(),
            so.device(),
        )),
    }
}

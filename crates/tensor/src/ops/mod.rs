//! The op set: everything chapter 1 computes, and nothing more. This module is the only dispatcher
//! between the tensors and the backends.
//!
//! # Contract
//! - Every op takes its inputs by reference and writes its result into an `out` tensor that the
//!   caller owns. `out` is reshaped (and moved to the inputs' device) when needed — one allocation
//!   the first time — and reused as is afterwards: a training loop that keeps its buffers
//!   allocates nothing per step.
//! - Inputs and outputs never alias (the borrow checker enforces it), except for the in-place ops
//!   (`add_row`, `scale`) and the optimizer updates, which say which argument they update.
//! - Shapes are checked before any work; a mismatch is [`TensorError::ShapeMismatch`] naming the op.
//! - All operands must live on one device: each op matches its operands' storages exhaustively and
//!   hands the backend of that device its storages (`cpu::<group>` on slices, `cuda::<group>` on
//!   device memory); any other combination is [`TensorError::DeviceMismatch`] naming both devices.
//! - Results follow the book's order of floating-point operations (see each op), so that f64 runs on
//!   the CPU reproduce numpy's numbers bit for bit.
//!
//! The files are the op groups, named as in `cpu/` and `cuda/`: `matmul`, `bias` (the broadcast
//! add and column sums), `gather`, `sigmoid`, `softmax`, `classify`, `reduce`, `update` (optimizers)
//! and `grads` (ops over all of a model's gradients).

mod bias;
mod classify;
mod gather;
pub mod grads;
mod matmul;
mod reduce;
mod sigmoid;
mod softmax;
pub mod update;

pub use bias::{add_row, sum_rows};
pub use classify::{classify_two_layer, classify_two_layer_host};
pub use gather::{gather_rows, repeat_rows};
pub use matmul::matmul;
pub use reduce::{all_finite, argmax_rows, scale, sum_squares};
pub use sigmoid::{add_row_sigmoid, sigmoid, sigmoid_backward};
pub use softmax::{
    softmax, softmax_backward, softmax_cross_entropy, softmax_cross_entropy_backward,
    softmax_cross_entropy_with_grad,
};

use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::tensor::Tensor;

/// Fails unless `a` and `b` live on the same device.
pub(crate) fn same_device<T: Element>(
    op: &'static str,
    a: &Tensor<T>,
    b: &Tensor<T>,
) -> Result<()> {
    if a.device() != b.device() {
        return Err(TensorError::mixed(op, a.device(), b.device()));
    }
    Ok(())
}

/// Fails unless `a` and `b` live on the same device and have the same shape.
pub(crate) fn same_shape<T: Element>(op: &'static str, a: &Tensor<T>, b: &Tensor<T>) -> Result<()> {
    same_device(op, a, b)?;
    if a.shape() != b.shape() {
        return Err(TensorError::ShapeMismatch {
            op,
            lhs: a.shape(),
            rhs: b.shape(),
        });
    }
    Ok(())
}

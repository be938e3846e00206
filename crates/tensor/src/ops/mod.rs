//! The op set of the backend: everything chapter 1 computes, and nothing more.
//!
//! # Contract
//! - Every op takes its inputs by reference and writes its result into an `out` tensor that the
//!   caller owns. `out` is reshaped to the result's shape when needed (one allocation the first
//!   time), and reused as is afterwards: a training loop that keeps its buffers allocates nothing
//!   per step.
//! - Inputs and outputs never alias (the borrow checker enforces it), except for the `*_inplace`
//!   and optimizer-update ops, which say which argument they update.
//! - All operands must live on the same device; otherwise [`TensorError::DeviceMismatch`].
//! - Shapes are checked before any work; a mismatch is [`TensorError::ShapeMismatch`] naming the op.
//! - Results follow the book's order of floating-point operations (see each op), so that f64 runs on
//!   the CPU reproduce numpy's numbers bit for bit.

mod gather;
pub mod grads;
mod matmul;
mod nonlinear;
mod reduce;
pub mod update;

pub use gather::{gather_rows, repeat_rows};
pub use matmul::{add_row, matmul};
pub use nonlinear::{
    add_row_sigmoid, classify_two_layer, sigmoid, sigmoid_backward, softmax, softmax_backward,
    softmax_cross_entropy, softmax_cross_entropy_backward, softmax_cross_entropy_with_grad,
};
pub use reduce::{all_finite, argmax_rows, scale, sum_rows, sum_squares};

use crate::error::{Result, TensorError};
use crate::float::Float;
use crate::tensor::Tensor;

/// Fails unless `a` and `b` live on the same device.
pub(crate) fn same_device<T: Float, U: Float>(
    op: &'static str,
    a: &Tensor<T>,
    b: &Tensor<U>,
) -> Result<()> {
    if a.device() != b.device() {
        return Err(TensorError::DeviceMismatch {
            op,
            lhs: a.device(),
            rhs: b.device(),
        });
    }
    Ok(())
}

/// Fails unless `a` and `b` have the same shape.
pub(crate) fn same_shape<T: Float>(op: &'static str, a: &Tensor<T>, b: &Tensor<T>) -> Result<()> {
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

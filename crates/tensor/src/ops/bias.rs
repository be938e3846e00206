//! The bias of `Affine` (book §1.3.5.2): the broadcast add of the forward pass and the column sums
//! of its backward (also the `Sum` node's forward and the `Repeat` node's backward, §1.3.4.3–4).

use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::{cpu, cuda};

/// `x += b` with the `1 x cols` row `b` broadcast over the rows of `x`.
pub fn add_row<T: Element>(x: &mut Tensor<T>, b: &Tensor<T>) -> Result<()> {
    super::same_device("add_row", x, b)?;
    if b.rows() != 1 || b.cols() != x.cols() {
        return Err(TensorError::ShapeMismatch {
            op: "add_row",
            lhs: x.shape(),
            rhs: b.shape(),
        });
    }
    match (&mut x.storage, &b.storage) {
        (Storage::Cpu(sx), Storage::Cpu(sb)) => {
            cpu::bias::add_row(cpu::data_mut(sx), cpu::data(sb));
            Ok(())
        }
        (Storage::Cuda(sx), Storage::Cuda(sb)) => cuda::bias::add_row(sx, sb),
        (sx, sb) => Err(TensorError::mixed("add_row", sx.device(), sb.device())),
    }
}

/// Column sums, `np.sum(x, axis=0)`, into a `1 x cols` tensor (`Affine`'s `db`, the `Sum` node).
pub fn sum_rows<T: Element>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    out.ensure_shape(1, x.cols(), x.device())?;
    match (&x.storage, &mut out.storage) {
        (Storage::Cpu(sx), Storage::Cpu(so)) => {
            cpu::bias::sum_rows(cpu::data(sx), x.cols(), cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(sx), Storage::Cuda(so)) => cuda::bias::sum_rows(sx, so),
        (sx, so) => Err(TensorError::mixed("sum_rows", sx.device(), so.device())),
    }
}

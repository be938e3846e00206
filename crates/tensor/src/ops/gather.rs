//! Row gathers: mini-batches by index, and the `Repeat` node (book §1.3.4.3).

use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::{cpu, cuda};

/// `out = src[idx]`: the rows of `src` named by `idx`, in that order (a mini-batch).
pub fn gather_rows<T: Element>(src: &Tensor<T>, idx: &[usize], out: &mut Tensor<T>) -> Result<()> {
    let (rows, cols) = src.shape();
    if let Some(&bad) = idx.iter().find(|&&i| i >= rows) {
        return Err(TensorError::IndexOutOfRange { index: bad, rows });
    }
    out.ensure_shape(idx.len(), cols, src.device())?;
    match (&src.storage, &mut out.storage) {
        (Storage::Cpu(ss), Storage::Cpu(so)) => {
            cpu::gather::gather_rows(cpu::data(ss), cols, idx, cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(ss), Storage::Cuda(so)) => cuda::gather::gather_rows(ss, idx, so),
        (ss, so) => Err(TensorError::mixed("gather_rows", ss.device(), so.device())),
    }
}

/// `out = np.repeat(x, n, axis=0)` for a `1 x D` row `x`: an `n x D` copy (the `Repeat` node).
pub fn repeat_rows<T: Element>(x: &Tensor<T>, n: usize, out: &mut Tensor<T>) -> Result<()> {
    if x.rows() != 1 {
        return Err(TensorError::ShapeMismatch {
            op: "repeat_rows",
            lhs: x.shape(),
            rhs: (1, x.cols()),
        });
    }
    out.ensure_shape(n, x.cols(), x.device())?;
    match (&x.storage, &mut out.storage) {
        (Storage::Cpu(sx), Storage::Cpu(so)) => {
            cpu::gather::repeat_rows(cpu::data(sx), cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(sx), Storage::Cuda(so)) => cuda::gather::repeat_rows(sx, so),
        (sx, so) => Err(TensorError::mixed("repeat_rows", sx.device(), so.device())),
    }
}

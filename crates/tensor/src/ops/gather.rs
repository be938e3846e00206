//! Row gathers: mini-batches by index, and the `Repeat` node (book §1.3.4).

use crate::error::{Result, TensorError};
use crate::float::Float;
use crate::tensor::Tensor;

/// `out = src[idx]`: the rows of `src` named by `idx`, in that order (a mini-batch).
pub fn gather_rows<T: Float>(src: &Tensor<T>, idx: &[usize], out: &mut Tensor<T>) -> Result<()> {
    let (rows, cols) = src.shape();
    if let Some(&bad) = idx.iter().find(|&&i| i >= rows) {
        return Err(TensorError::IndexOutOfRange { index: bad, rows });
    }
    out.ensure_shape(idx.len(), cols, src.device())?;
    #[cfg(feature = "cuda")]
    if src.device() != crate::Device::Cpu {
        return crate::cuda::ops::gather_rows(src, idx, out);
    }
    let s = src.cpu();
    for (orow, &i) in out.cpu_mut().chunks_exact_mut(cols.max(1)).zip(idx) {
        orow.copy_from_slice(&s[i * cols..(i + 1) * cols]);
    }
    Ok(())
}

/// `out = np.repeat(x, n, axis=0)` for a `1 x D` row `x`: an `n x D` copy (the `Repeat` node).
pub fn repeat_rows<T: Float>(x: &Tensor<T>, n: usize, out: &mut Tensor<T>) -> Result<()> {
    if x.rows() != 1 {
        return Err(TensorError::ShapeMismatch {
            op: "repeat_rows",
            lhs: x.shape(),
            rhs: (1, x.cols()),
        });
    }
    out.ensure_shape(n, x.cols(), x.device())?;
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::repeat_rows(x, out);
    }
    let row = x.cpu();
    for orow in out.cpu_mut().chunks_exact_mut(x.cols().max(1)) {
        orow.copy_from_slice(row);
    }
    Ok(())
}

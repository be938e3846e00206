//! Row copies on a GPU (see `cpu/gather.rs`): mini-batches by index and the `Repeat` node.

use super::launch::{launch, with_u32};
use super::{Backend, CudaFloat, CudaStorage};
use crate::error::Result;

/// `out[r] = src[idx[r]]`; the indices go up through the backend's reusable index buffer.
pub(crate) fn gather_rows<T: CudaFloat>(
    src: &CudaStorage<T>,
    idx: &[usize],
    out: &mut CudaStorage<T>,
) -> Result<()> {
    let be = src.backend.clone();
    let (rows, cols) = (idx.len() as i32, src.cols as i32);
    let idx32: Vec<u32> = idx.iter().map(|&i| i as u32).collect();
    with_u32(&be, false, &idx32, |dev_idx| {
        let cfg = Backend::cfg(idx.len() * src.cols);
        launch!(
            be,
            "gather_rows",
            T,
            cfg,
            &src.data,
            dev_idx,
            &mut out.data,
            &rows,
            &cols
        );
        Ok(())
    })
}

/// Every row of `out` becomes a copy of the one row of `x`.
pub(crate) fn repeat_rows<T: CudaFloat>(
    x: &CudaStorage<T>,
    out: &mut CudaStorage<T>,
) -> Result<()> {
    let (rows, cols) = (out.rows as i32, out.cols as i32);
    let be = x.backend.clone();
    let cfg = Backend::cfg(out.len());
    launch!(
        be,
        "repeat_rows",
        T,
        cfg,
        &x.data,
        &mut out.data,
        &rows,
        &cols
    );
    Ok(())
}

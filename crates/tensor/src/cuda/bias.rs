//! The bias of `Affine` on a GPU (see `cpu/bias.rs`): `add_row` and `sum_rows` kernels.

use super::launch::launch;
use super::{Backend, CudaFloat, CudaStorage};
use crate::error::Result;

/// `x += b` broadcast over the rows.
pub(crate) fn add_row<T: CudaFloat>(x: &mut CudaStorage<T>, b: &CudaStorage<T>) -> Result<()> {
    let (rows, cols) = (x.rows as i32, x.cols as i32);
    let be = x.backend.clone();
    let cfg = Backend::cfg(x.len());
    launch!(be, "add_row", T, cfg, &mut x.data, &b.data, &rows, &cols);
    Ok(())
}

/// Column sums into a `1 x cols` storage.
pub(crate) fn sum_rows<T: CudaFloat>(x: &CudaStorage<T>, out: &mut CudaStorage<T>) -> Result<()> {
    let (rows, cols) = (x.rows as i32, x.cols as i32);
    let be = x.backend.clone();
    launch!(
        be,
        "sum_rows",
        T,
        Backend::cfg(x.cols),
        &x.data,
        &mut out.data,
        &rows,
        &cols
    );
    Ok(())
}

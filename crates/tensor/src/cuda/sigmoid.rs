//! The sigmoid on a GPU (see `cpu/sigmoid.rs`).

use super::launch::launch;
use super::{Backend, CudaFloat, CudaStorage};
use crate::error::Result;

/// `out = 1 / (1 + exp(-x))`.
pub(crate) fn sigmoid<T: CudaFloat>(x: &CudaStorage<T>, out: &mut CudaStorage<T>) -> Result<()> {
    let n = x.len() as i64;
    let be = x.backend.clone();
    launch!(
        be,
        "sigmoid",
        T,
        Backend::cfg(x.len()),
        &x.data,
        &mut out.data,
        &n
    );
    Ok(())
}

/// `out = sigmoid(x + b)`, the bias broadcast over the rows.
pub(crate) fn add_row_sigmoid<T: CudaFloat>(
    x: &CudaStorage<T>,
    b: &CudaStorage<T>,
    out: &mut CudaStorage<T>,
) -> Result<()> {
    let (rows, cols) = (x.rows as i32, x.cols as i32);
    let be = x.backend.clone();
    let cfg = Backend::cfg(x.len());
    launch!(
        be,
        "add_row_sigmoid",
        T,
        cfg,
        &x.data,
        &b.data,
        &mut out.data,
        &rows,
        &cols
    );
    Ok(())
}

/// `dx = dout * (1 - y) * y`.
pub(crate) fn sigmoid_backward<T: CudaFloat>(
    dout: &CudaStorage<T>,
    y: &CudaStorage<T>,
    dx: &mut CudaStorage<T>,
) -> Result<()> {
    let n = y.len() as i64;
    let be = y.backend.clone();
    let cfg = Backend::cfg(y.len());
    launch!(
        be,
        "sigmoid_backward",
        T,
        cfg,
        &dout.data,
        &y.data,
        &mut dx.data,
        &n
    );
    Ok(())
}

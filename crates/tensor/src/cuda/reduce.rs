//! Reductions and scaling of one tensor on a GPU (see `cpu/reduce.rs`).

use cudarc::driver::LaunchConfig;

use super::launch::{class_buffer, launch, read_as, read_classes};
use super::{Backend, CudaFloat, CudaStorage, THREADS, backend_err};
use crate::error::Result;

/// `sum(x * x)`, one block; the one value comes back.
pub(crate) fn sum_squares<T: CudaFloat>(x: &CudaStorage<T>) -> Result<T> {
    let be = x.backend.clone();
    let n = x.len() as i64;
    let cfg = LaunchConfig {
        grid_dim: (1, 1, 1),
        block_dim: (THREADS, 1, 1),
        shared_mem_bytes: THREADS * std::mem::size_of::<T>() as u32,
    };
    let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
    launch!(
        be,
        "sum_squares",
        T,
        cfg,
        &x.data,
        &mut scratch.loss_bytes,
        &n
    );
    let mut out = [T::ZERO];
    read_as(&be, &scratch.loss_bytes, &mut out)?;
    Ok(out[0])
}

/// `x *= s`.
pub(crate) fn scale<T: CudaFloat>(x: &mut CudaStorage<T>, s: T) -> Result<()> {
    let n = x.len() as i64;
    let be = x.backend.clone();
    let cfg = Backend::cfg(x.len());
    launch!(be, "scale", T, cfg, &mut x.data, &s, &n);
    Ok(())
}

/// Whether every element is finite; one flag comes back.
pub(crate) fn all_finite<T: CudaFloat>(x: &CudaStorage<T>) -> Result<bool> {
    let be = x.backend.clone();
    let n = x.len() as i64;
    let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
    be.stream
        .memset_zeros(&mut scratch.flag)
        .map_err(backend_err(be.ordinal, "memset"))?;
    launch!(
        be,
        "all_finite",
        T,
        Backend::cfg(x.len()),
        &x.data,
        &mut scratch.flag,
        &n
    );
    let mut flag = [0i32];
    be.stream
        .memcpy_dtoh(&scratch.flag.slice(0..1), &mut flag)
        .map_err(backend_err(be.ordinal, "memcpy_dtoh"))?;
    Ok(flag[0] == 0)
}

/// The first largest value's index per row, into `out`.
pub(crate) fn argmax_rows<T: CudaFloat>(x: &CudaStorage<T>, out: &mut Vec<usize>) -> Result<()> {
    let be = x.backend.clone();
    let (rows, cols) = (x.rows as i32, x.cols as i32);
    let mut dev = class_buffer(&be, x.rows)?;
    launch!(
        be,
        "argmax_rows",
        T,
        Backend::cfg(x.rows),
        &x.data,
        &mut dev,
        &rows,
        &cols
    );
    read_classes(&be, &dev, x.rows, out)
}

//! What every op group of the CUDA backend shares: the kernel name for an element type, the launch
//! macro, and the reusable device buffers (scratch results, uploaded indices).

use cudarc::driver::CudaSlice;

use super::{Backend, CudaFloat, backend_err};
use crate::device::Device;
use crate::error::{Result, TensorError};

/// `kernel_f32` or `kernel_f64`: the entry point of `kernels.cu` for `T`.
pub(crate) fn name<T: CudaFloat>(kernel: &str) -> String {
    format!("{kernel}_{}", T::DTYPE)
}

/// Runs `kernel` for element type `T` with launch config `cfg` and the given arguments.
macro_rules! launch {
    ($b:expr, $kernel:expr, $T:ty, $cfg:expr, $($arg:expr),+ $(,)?) => {{
        use cudarc::driver::PushKernelArg;
        let f = $b.func(&$crate::cuda::launch::name::<$T>($kernel))?;
        let mut l = $b.stream.launch_builder(&f);
        $( l.arg($arg); )+
        // SAFETY: the arguments match the kernel's signature in kernels.cu (pointer, pointer, ...,
        // i32/i64 sizes; `tests/kernels.rs` checks the counts), and every buffer holds at least the
        // elements the sizes announce (the op layer checked the shapes).
        unsafe { l.launch($cfg) }.map_err($crate::cuda::backend_err($b.ordinal, $kernel))?;
    }};
}
pub(crate) use launch;

/// Uploads `values` into the backend's reusable index (or label) buffer and runs `f` with it.
pub(crate) fn with_u32<R>(
    be: &Backend,
    labels: bool,
    values: &[u32],
    f: impl FnOnce(&CudaSlice<u32>) -> Result<R>,
) -> Result<R> {
    let mut ids = be.ids.lock().unwrap_or_else(|p| p.into_inner());
    let buf = if labels {
        &mut ids.labels
    } else {
        &mut ids.indices
    };
    if buf.len() < values.len().max(1) {
        *buf = be
            .stream
            .alloc_zeros(values.len().max(1))
            .map_err(backend_err(be.ordinal, "alloc"))?;
    }
    if !values.is_empty() {
        be.stream
            .memcpy_htod(values, buf)
            .map_err(backend_err(be.ordinal, "memcpy_htod"))?;
    }
    f(buf)
}

/// Grows a byte scratch buffer to at least `len` bytes.
pub(crate) fn grow(be: &Backend, buf: &mut CudaSlice<u8>, len: usize) -> Result<()> {
    if buf.len() < len {
        *buf = be
            .stream
            .alloc_zeros(len.next_power_of_two())
            .map_err(backend_err(be.ordinal, "alloc"))?;
    }
    Ok(())
}

/// Copies `out.len()` values of `T` from the start of a byte buffer a kernel wrote them into.
pub(crate) fn read_as<T: CudaFloat>(
    be: &Backend,
    bytes: &CudaSlice<u8>,
    out: &mut [T],
) -> Result<()> {
    // SAFETY: callers size `bytes` for at least `out.len()` values of `T` (checked by `transmute`,
    // which returns None otherwise); device allocations are 256-byte aligned, and the values
    // were written as `T` by the kernel just launched on this stream.
    let view = unsafe { bytes.transmute::<T>(out.len()) }.ok_or(TensorError::Backend {
        device: Device::Cuda(be.ordinal),
        op: "read_as",
        message: "scratch buffer too small".to_string(),
    })?;
    be.stream
        .memcpy_dtoh(&view, out)
        .map_err(backend_err(be.ordinal, "memcpy_dtoh"))
}

/// A device buffer for `n` class indices (at least one element: CUDA allocates no empty buffer).
pub(crate) fn class_buffer(be: &Backend, n: usize) -> Result<CudaSlice<u32>> {
    be.stream
        .alloc_zeros::<u32>(n.max(1))
        .map_err(backend_err(be.ordinal, "alloc"))
}

/// Copies the first `n` class indices a kernel wrote into `dev` to `out`.
pub(crate) fn read_classes(
    be: &Backend,
    dev: &CudaSlice<u32>,
    n: usize,
    out: &mut Vec<usize>,
) -> Result<()> {
    let host = be
        .stream
        .clone_dtoh(dev)
        .map_err(backend_err(be.ordinal, "clone_dtoh"))?;
    out.clear();
    out.extend(host[..n].iter().map(|&c| c as usize));
    Ok(())
}

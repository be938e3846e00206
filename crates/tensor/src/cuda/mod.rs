//! The CUDA backend (feature `cuda`): cudarc with the driver, cuBLAS and NVRTC loaded at run time,
//! so building needs no CUDA installation.
//!
//! Matrix products go to cuBLAS (default math mode: no TF32); every other op is a kernel of
//! `kernels.cu`, compiled by NVRTC the first time a device is used and cached for the process.
//! Tensors stay on the device; only scalars the caller asks for (the loss, a norm) come back.
//!
//! cudarc panics when a CUDA library is missing, so every entry point first checks that the
//! driver, NVRTC and cuBLAS libraries can be loaded, and reports a typed
//! [`TensorError::DeviceUnavailable`] otherwise.

mod backend;
pub(crate) mod bias;
pub(crate) mod classify;
mod float;
pub(crate) mod gather;
pub(crate) mod grads;
mod launch;
pub(crate) mod matmul;
mod params;
pub(crate) mod reduce;
pub(crate) mod sigmoid;
pub(crate) mod softmax;
mod storage;
mod table;
pub(crate) mod update;

pub use backend::check_kernels_compile;
pub(crate) use backend::{
    Backend, THREADS, backend, backend_err, count_launch, describe, ensure_available,
    kernel_launches,
};
pub use float::CudaFloat;
pub(crate) use params::{Row, Walk};
pub(crate) use storage::CudaStorage;

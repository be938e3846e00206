//! The CPU backend: plain kernels on row-major slices. This is the reference every other backend
//! is tested against; [`crate::ops`] checks shapes and devices, then hands these the slices of
//! CPU storages. Files are named by op group, as in `ops/` and `cuda/`.

pub mod bias;
pub mod blas_order;
pub mod classify;
pub mod copy;
pub mod exact_exp;
pub mod fast_exp;
mod float;
pub mod gather;
pub mod gemm;
pub mod mat_ref;
pub mod matmul;
mod pack;
pub mod parallel;
pub mod pool;
pub mod reduce;
pub mod sigmoid;
pub mod softmax;

pub use float::CpuFloat;

use ndarray::Array2;

/// A tensor's memory on the CPU: an array in standard (row-major, contiguous) layout, which every
/// constructor of [`crate::Tensor`] ensures.
pub(crate) type CpuStorage<T> = Array2<T>;

/// The row-major data of a CPU storage.
pub(crate) fn data<T>(s: &CpuStorage<T>) -> &[T] {
    s.as_slice()
        .expect("invariant: CPU storages are kept in standard layout")
}

/// The mutable row-major data of a CPU storage.
pub(crate) fn data_mut<T>(s: &mut CpuStorage<T>) -> &mut [T] {
    s.as_slice_mut()
        .expect("invariant: CPU storages are kept in standard layout")
}

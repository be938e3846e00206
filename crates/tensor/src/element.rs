//! [`Element`]: what a [`crate::Tensor`] needs of its element type — the plain arithmetic of
//! [`Float`] plus each backend's own per-type trait. Implemented for `f32` and `f64`.

use crate::cpu::CpuFloat;
use crate::cuda::CudaFloat;
use crate::float::Float;

/// An element type every backend of this build can hold and compute with.
///
/// Generic code over tensors bounds on `Element`; code that only does arithmetic can bound on
/// [`Float`]. There is nothing to implement: every type that all backends support is an `Element`.
pub trait Element: Float + CpuFloat + CudaFloat {}

impl<T: Float + CpuFloat + CudaFloat> Element for T {}

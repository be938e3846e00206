//! What the CUDA backend needs of an element type beyond [`Float`]'s arithmetic: device memory and
//! cuBLAS's `gemm`.

use crate::float::Float;

/// An element type the CUDA backend computes with (`f32`, `f64`).
pub trait CudaFloat:
    Float + cudarc::driver::DeviceRepr + cudarc::driver::ValidAsZeroBits + Unpin
{
    /// cuBLAS `gemm` for this type.
    fn gemm(
        blas: &cudarc::cublas::CudaBlas,
        cfg: cudarc::cublas::GemmConfig<Self>,
        a: &cudarc::driver::CudaSlice<Self>,
        b: &cudarc::driver::CudaSlice<Self>,
        c: &mut cudarc::driver::CudaSlice<Self>,
    ) -> Result<(), cudarc::cublas::result::CublasError>;
}

macro_rules! impl_cuda_float {
    ($t:ty) => {
        impl CudaFloat for $t {
            fn gemm(
                blas: &cudarc::cublas::CudaBlas,
                cfg: cudarc::cublas::GemmConfig<Self>,
                a: &cudarc::driver::CudaSlice<Self>,
                b: &cudarc::driver::CudaSlice<Self>,
                c: &mut cudarc::driver::CudaSlice<Self>,
            ) -> Result<(), cudarc::cublas::result::CublasError> {
                use cudarc::cublas::Gemm;
                // SAFETY: the caller (cuda::matmul) sizes `cfg` from the storages' shapes, so
                // every access stays inside `a`, `b` and `c`.
                unsafe { blas.gemm(cfg, a, b, c) }
            }
        }
    };
}

impl_cuda_float!(f32);
impl_cuda_float!(f64);

//! The element types a tensor can hold: `f32` and `f64` through one trait, so every op is written once.

use std::fmt::{Debug, Display};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A floating-point element type (`f32` or `f64`).
///
/// Every kernel in this workspace is generic over `Float`; the book's "bit precision" section (§1.5.1)
/// is then a matter of choosing the type parameter.
pub trait Float:
    Copy
    + Send
    + Sync
    + Debug
    + Display
    + Default
    + PartialOrd
    + PartialEq
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + ndarray::LinalgScalar
    + ndarray::ScalarOperand
    + crate::cpu::gemm::Tile
    + DeviceScalar
{
    /// `"f32"` or `"f64"`, as printed in reports.
    const NAME: &'static str;
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;
    /// Converts from `f64`, rounding to nearest (as numpy's `astype`).
    fn from_f64(v: f64) -> Self;
    /// Widens to `f64` (exact).
    fn to_f64(self) -> f64;
    /// `e^self`, from the platform's libm (glibc's, as numpy uses).
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Square root (correctly rounded).
    fn sqrt(self) -> Self;
    /// `self * a + b` with one rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// Whether the value is neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// Whether the value is NaN.
    fn is_nan(self) -> bool;
    /// `e^self` to a few ulp, branch-free so loops of it vectorize (see [`crate::cpu::fast_exp`]).
    fn exp_fast(self) -> Self;
    /// The `exp` of the training kernels (sigmoid, softmax): libm's for `f64`, so that results
    /// equal numpy's bit for bit; the vectorized [`Float::exp_fast`] for `f32`, where numpy itself
    /// uses a SIMD approximation and no bit-exactness is promised.
    fn exp_train(self) -> Self;
}

macro_rules! impl_float {
    ($t:ty, $name:literal, $fast_exp:path, $train_exp:path) => {
        impl Float for $t {
            const NAME: &'static str = $name;
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn exp_fast(self) -> Self {
                $fast_exp(self)
            }
            #[inline(always)]
            fn exp_train(self) -> Self {
                $train_exp(self)
            }
        }
    };
}

impl_float!(
    f32,
    "f32",
    crate::cpu::fast_exp::exp_f32,
    crate::cpu::fast_exp::exp_f32
);
impl_float!(f64, "f64", crate::cpu::fast_exp::exp_f64, f64::exp);

/// What a GPU backend needs of an element type (nothing in a build without `cuda`).
#[cfg(not(feature = "cuda"))]
pub trait DeviceScalar {}
#[cfg(not(feature = "cuda"))]
impl DeviceScalar for f32 {}
#[cfg(not(feature = "cuda"))]
impl DeviceScalar for f64 {}

/// What the CUDA backend needs of an element type: device memory and cuBLAS's `gemm`.
#[cfg(feature = "cuda")]
pub trait DeviceScalar:
    cudarc::driver::DeviceRepr + cudarc::driver::ValidAsZeroBits + Unpin
{
    /// cuBLAS `gemm` for this type.
    fn gemm(
        blas: &cudarc::cublas::CudaBlas,
        cfg: cudarc::cublas::GemmConfig<Self>,
        a: &cudarc::driver::CudaSlice<Self>,
        b: &cudarc::driver::CudaSlice<Self>,
        c: &mut cudarc::driver::CudaSlice<Self>,
    ) -> Result<(), cudarc::cublas::result::CublasError>
    where
        Self: Sized;
}

#[cfg(feature = "cuda")]
macro_rules! impl_device_scalar {
    ($t:ty) => {
        impl DeviceScalar for $t {
            fn gemm(
                blas: &cudarc::cublas::CudaBlas,
                cfg: cudarc::cublas::GemmConfig<Self>,
                a: &cudarc::driver::CudaSlice<Self>,
                b: &cudarc::driver::CudaSlice<Self>,
                c: &mut cudarc::driver::CudaSlice<Self>,
            ) -> Result<(), cudarc::cublas::result::CublasError> {
                use cudarc::cublas::Gemm;
                // SAFETY: the caller (cuda::ops::matmul) sizes `cfg` from the tensors' shapes, so
                // every access stays inside `a`, `b` and `c`.
                unsafe { blas.gemm(cfg, a, b, c) }
            }
        }
    };
}
#[cfg(feature = "cuda")]
impl_device_scalar!(f32);
#[cfg(feature = "cuda")]
impl_device_scalar!(f64);

//! What the CPU backend needs of an element type beyond [`Float`]'s arithmetic: the GEMM's register
//! tile and the two `exp`s of the kernels.

use super::fast_exp;
use super::gemm::Tile;
use crate::float::Float;

/// An element type the CPU kernels compute with (`f32`, `f64`).
pub trait CpuFloat: Float + Tile {
    /// `e^self` to a few ulp, branch-free so loops of it vectorize (see [`fast_exp`]).
    fn exp_fast(self) -> Self;
    /// The `exp` of the training kernels (sigmoid, softmax): libm's for `f64`, so that results
    /// equal numpy's bit for bit; the vectorized [`CpuFloat::exp_fast`] for `f32`, where numpy
    /// itself uses a SIMD approximation and no bit-exactness is promised.
    fn exp_train(self) -> Self;
}

impl CpuFloat for f32 {
    #[inline(always)]
    fn exp_fast(self) -> Self {
        fast_exp::exp_f32(self)
    }
    #[inline(always)]
    fn exp_train(self) -> Self {
        fast_exp::exp_f32(self)
    }
}

impl CpuFloat for f64 {
    #[inline(always)]
    fn exp_fast(self) -> Self {
        fast_exp::exp_f64(self)
    }
    #[inline(always)]
    fn exp_train(self) -> Self {
        f64::exp(self)
    }
}

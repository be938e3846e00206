//! What the CPU backend needs of an element type beyond [`Float`]'s arithmetic: the GEMM's register
//! tile, the two `exp`s of the kernels and the loss's `log`.

use super::gemm::Tile;
use super::{exact_exp, fast_exp};
use crate::float::Float;
use crate::glibc_math;

/// An element type the CPU kernels compute with (`f32`, `f64`).
pub trait CpuFloat: Float + Tile {
    /// `e^self` to a few ulp, branch-free so loops of it vectorize (see [`fast_exp`]).
    fn exp_fast(self) -> Self;
    /// `xs[i] = e^xs[i]` for the training kernels (sigmoid, softmax): for `f64`, bit-identical to
    /// libm's `exp` (so results equal the book's bit for bit), four lanes at a time where that is
    /// proven ([`exact_exp`]); for `f32`, the vectorized [`CpuFloat::exp_fast`], as numpy itself
    /// uses a SIMD approximation there and no bit-exactness is promised.
    fn exp_train_in_place(xs: &mut [Self]);
    /// `ln(self)` for the loss: for `f64`, glibc's algorithm on every platform (`tensor::math`),
    /// so the browser's loss is the book's too; for `f32`, the platform's `ln`.
    fn ln_train(self) -> Self;
}

impl CpuFloat for f32 {
    #[inline(always)]
    fn exp_fast(self) -> Self {
        fast_exp::exp_f32(self)
    }
    #[inline(always)]
    fn exp_train_in_place(xs: &mut [Self]) {
        for x in xs {
            *x = fast_exp::exp_f32(*x);
        }
    }
    #[inline(always)]
    fn ln_train(self) -> Self {
        self.ln()
    }
}

impl CpuFloat for f64 {
    #[inline(always)]
    fn exp_fast(self) -> Self {
        fast_exp::exp_f64(self)
    }
    #[inline(always)]
    fn exp_train_in_place(xs: &mut [Self]) {
        exact_exp::exp_in_place(xs);
    }
    #[inline(always)]
    fn ln_train(self) -> Self {
        glibc_math::log(self)
    }
}

//! What the CPU backend needs of an element type beyond [`Float`]'s arithmetic: the GEMM's register
//! tile, the two `exp`s of the kernels and the loss's `log`.

use super::gemm::Tile;
use super::{exact_exp, fast_exp};
use crate::float::Float;
use crate::{glibc_math, numpy_math};

/// An element type the CPU kernels compute with (`f32`, `f64`).
pub trait CpuFloat: Float + Tile {
    /// `e^self` to a few ulp, branch-free so loops of it vectorize (see [`fast_exp`]).
    fn exp_fast(self) -> Self;
    /// `xs[i] = e^xs[i]` for the training kernels (sigmoid, softmax), as numpy computes it, so
    /// that results equal the book's bit for bit: for `f64`, glibc's `exp` (which numpy calls),
    /// four lanes at a time where that is proven ([`exact_exp`]); for `f32`, numpy's own float32
    /// algorithm ([`numpy_math::exp_f32`]).
    fn exp_train_in_place(xs: &mut [Self]);
    /// `ln(self)` for the loss, as numpy computes it, on every platform (`tensor::math`): glibc's
    /// `log` for `f64`, numpy's own float32 algorithm for `f32`.
    fn ln_train(self) -> Self;
    /// `xs[i] = ln(xs[i])` with [`CpuFloat::ln_train`]'s function, in vector lanes where the
    /// type's function allows it.
    fn ln_train_in_place(xs: &mut [Self]);
}

impl CpuFloat for f32 {
    #[inline(always)]
    fn exp_fast(self) -> Self {
        fast_exp::exp_f32(self)
    }
    #[inline(always)]
    fn exp_train_in_place(xs: &mut [Self]) {
        for x in xs {
            *x = numpy_math::exp_f32(*x);
        }
    }
    #[inline(always)]
    fn ln_train(self) -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has FMA, checked just above.
            return unsafe { log_f32_fma(self) };
        }
        numpy_math::log_f32(self)
    }
    fn ln_train_in_place(xs: &mut [Self]) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA, checked just above.
            unsafe { log_f32_avx2(xs) };
            return;
        }
        for x in xs {
            *x = numpy_math::log_f32(*x);
        }
    }
}

/// numpy's float32 `log` over a slice, compiled for AVX2 + FMA so that it runs 8 lanes at a time
/// (its special cases are selects).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn log_f32_avx2(xs: &mut [f32]) {
    for x in xs {
        *x = numpy_math::log_f32(*x);
    }
}

/// numpy's float32 `log` compiled with FMA: the loss calls it once per sample from code built
/// for the baseline x86-64, where each of its ten `mul_add`s would be a call to libm's `fmaf`
/// (W1 f32 spent a fifth of a step there).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
unsafe fn log_f32_fma(x: f32) -> f32 {
    numpy_math::log_f32(x)
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
    fn ln_train_in_place(xs: &mut [Self]) {
        for x in xs {
            *x = glibc_math::log(*x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CpuFloat;
    use crate::numpy_math;

    /// The f32 slice passes (8 lanes at a time where the CPU has AVX2 + FMA, through the
    /// target-feature functions above) give each element numpy's scalar result, remainders and
    /// special values included; few enough values for miri.
    #[test]
    fn the_f32_slice_passes_are_the_scalar_functions() {
        let xs: Vec<f32> = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            88.7,
            88.8,
            -103.9,
            -104.0,
            -95.0,
            1e-40,
            3.0e38,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            std::f32::consts::FRAC_1_SQRT_2,
            2.5,
            -7.25,
            12.0,
        ]
        .to_vec();
        let mut e = xs.clone();
        f32::exp_train_in_place(&mut e);
        let mut l = xs.clone();
        f32::ln_train_in_place(&mut l);
        for ((&x, e), l) in xs.iter().zip(&e).zip(&l) {
            assert_eq!(e.to_bits(), numpy_math::exp_f32(x).to_bits(), "exp({x})");
            assert_eq!(l.to_bits(), numpy_math::log_f32(x).to_bits(), "log({x})");
            assert_eq!(x.ln_train().to_bits(), l.to_bits(), "ln_train({x})");
        }
    }
}

//! `exp` for f64, four lanes at a time, **bit-identical to glibc's `exp`** in its FMA build (what
//! glibc's ifunc picks on a CPU with AVX2 and FMA, where the book's golden numbers were made), on
//! every platform: the vector path on x86-64 with AVX2 and FMA, [`exp_scalar`] one value at a time
//! everywhere else (other CPUs, other libms, the browser).
//!
//! The algorithm (glibc ≥ 2.28, from Szabolcs Nagy's exp in ARM's optimized-routines), written here
//! from its description, in the same operations and the same order, each rounded the same way:
//!
//! - `k = round(x · 128/ln2)` by adding `1.5 · 2^52` (one FMA), `r = x - k·ln2hi/128 - k·ln2lo/128`
//!   (two FMAs), so `x = k·ln2/128 + r` with `|r| <= ln2/256`;
//! - `2^(k/128) = 2^(k >> 7) · H · (1 + T)` with `H, T` from a 128-entry table (glibc_math's
//!   `exp_table.rs`, derived from the mathematics by `gen_exp_table.py`) and the exponent added to
//!   `H`'s bits;
//! - `tmp = T + r + r²(C2 + r·C3) + r⁴(C4 + r·C5)`, then `exp(x) = scale + scale · tmp` (one FMA).
//!
//! The vector path covers `2^-54 <= |x| < 512`, where that arithmetic is the whole function. The
//! rest (tiny, huge, infinite, NaN) is a handful of special cases: those lanes are recomputed by
//! [`exp_scalar`]. [`available`] checks AVX2 + FMA and then compares the vector path with
//! [`exp_scalar`] on a probe set once, a guard against a miscompiled vector path; that both equal
//! the system's `exp` where it is glibc's is `tests/exact_exp.rs`'s job.

use std::sync::OnceLock;

pub use crate::glibc_math::exp::exp as exp_scalar;
#[cfg(target_arch = "x86_64")]
use crate::glibc_math::exp::{
    C, INV_LN2_N, NEG_LN2_HI_N, NEG_LN2_LO_N, SHIFT, TAB, TOP_END, TOP_MIN,
};

/// Whether `x` is outside the vector path (the special cases).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn is_special(x: f64) -> bool {
    ((x.to_bits() >> 52) & 0x7ff).wrapping_sub(TOP_MIN) >= TOP_END - TOP_MIN
}

/// Whether the vector `exp` runs here and equals [`exp_scalar`] on the probe set (checked once).
pub fn available() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            let mut probe = probe_inputs();
            let want: Vec<u64> = probe.iter().map(|&x| exp_scalar(x).to_bits()).collect();
            // SAFETY: AVX2 and FMA checked just above.
            unsafe { exp_in_place_avx2(&mut probe) };
            return probe.iter().zip(&want).all(|(g, w)| g.to_bits() == *w);
        }
        false
    })
}

/// Inputs that touch every table entry and both ends of the vector range, for [`available`].
#[cfg(target_arch = "x86_64")]
fn probe_inputs() -> Vec<f64> {
    let mut xs: Vec<f64> = (0..4096)
        .map(|i| (i as f64 - 2048.0) * (std::f64::consts::LN_2 / 128.0) * 1.618_033_988_749_895)
        .collect();
    xs.extend([
        1e-16, -1e-16, 0.5, -0.5, 700.0, -700.0, 511.999, -511.999, 37.5,
    ]);
    xs
}

/// `xs[i] = exp(xs[i])`, each bit-identical to glibc's `exp` in its FMA build (see the module
/// notes): the vector path where proven, else [`exp_scalar`], one value at a time — on every
/// platform, as the platform's own `exp` (another libm, glibc's build without FMA, the browser's)
/// may round differently.
pub fn exp_in_place(xs: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: `available` checked AVX2 and FMA.
        unsafe { exp_in_place_avx2(xs) };
        return;
    }
    for x in xs {
        *x = exp_scalar(*x);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn exp_in_place_avx2(xs: &mut [f64]) {
    use std::arch::x86_64::*;
    let mut chunks = xs.chunks_exact_mut(4);
    for c in &mut chunks {
        let special = c.iter().any(|&x| is_special(x));
        let saved: [f64; 4] = [c[0], c[1], c[2], c[3]];
        // SAFETY: `c` has exactly 4 elements; AVX2 and FMA are enabled on this function.
        unsafe { _mm256_storeu_pd(c.as_mut_ptr(), exp4(_mm256_loadu_pd(c.as_ptr()))) };
        if special {
            for (o, x) in c.iter_mut().zip(saved) {
                if is_special(x) {
                    *o = exp_scalar(x);
                }
            }
        }
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let mut lanes = [1.0; 4];
        lanes[..rest.len()].copy_from_slice(rest);
        // SAFETY: recursion on a full chunk of 4 (1.0 is not special).
        unsafe { exp_in_place_avx2(&mut lanes) };
        rest.copy_from_slice(&lanes[..rest.len()]);
    }
}

/// The vector path on four lanes (meaningful where `2^-54 <= |x| < 512`; other lanes get values
/// that the caller replaces).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn exp4(x: std::arch::x86_64::__m256d) -> std::arch::x86_64::__m256d {
    use std::arch::x86_64::*;
    let set = _mm256_set1_pd;
    let kd = _mm256_fmadd_pd(x, set(INV_LN2_N), set(SHIFT));
    let ki = _mm256_castpd_si256(kd);
    let kd = _mm256_sub_pd(kd, set(SHIFT));
    let r = _mm256_fmadd_pd(kd, set(NEG_LN2_HI_N), x);
    let r = _mm256_fmadd_pd(kd, set(NEG_LN2_LO_N), r);
    // Entry 2·(k mod 128) is the tail T, the next one H's bits, to which k's top bits add the
    // exponent (k << 45 moves k/128 into the exponent field).
    let idx = _mm256_slli_epi64::<1>(_mm256_and_si256(ki, _mm256_set1_epi64x(0x7f)));
    let base = TAB.as_ptr().cast::<i64>();
    // SAFETY: idx <= 254, so both gathers read inside the 256-entry table.
    let (tail, hbits) = unsafe {
        (
            _mm256_castsi256_pd(_mm256_i64gather_epi64::<8>(base, idx)),
            _mm256_i64gather_epi64::<8>(base.add(1), idx),
        )
    };
    let scale = _mm256_castsi256_pd(_mm256_add_epi64(hbits, _mm256_slli_epi64::<45>(ki)));
    let r2 = _mm256_mul_pd(r, r);
    let p23 = _mm256_fmadd_pd(r, set(C[1]), set(C[0]));
    let p45 = _mm256_fmadd_pd(r, set(C[3]), set(C[2]));
    let t = _mm256_fmadd_pd(p23, r2, _mm256_add_pd(tail, r));
    let tmp = _mm256_fmadd_pd(_mm256_mul_pd(r2, r2), p45, t);
    _mm256_fmadd_pd(scale, tmp, scale)
}

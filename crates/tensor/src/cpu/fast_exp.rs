//! A branch-free `exp` that compilers vectorize (4 f64 or 8 f32 per AVX2 instruction), for the
//! decision boundary, where only the predicted class matters.
//!
//! `exp(x) = 2^n · exp(r)` with `n = round(x · log2 e)` and `r = x - n · ln 2` (Cody–Waite split,
//! `|r| <= ln2 / 2`); `exp(r)` is a Taylor polynomial (degree 13 for f64, 7 for f32), and `2^n` is
//! built in the exponent bits. Relative error: a few ulp. Inputs are clamped to the finite range
//! (a NaN stays NaN).

const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// `e^x` for f64, to a few ulp.
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52: adding it rounds to an integer
    let x = x.clamp(-708.0, 709.0);
    let t = x.mul_add(std::f64::consts::LOG2_E, SHIFT);
    let n = t - SHIFT;
    let r = (-n).mul_add(LN2_HI, x);
    let r = (-n).mul_add(LN2_LO, r);
    let mut p: f64 = INV_FACT[13];
    for &c in INV_FACT[..13].iter().rev() {
        p = p.mul_add(r, c);
    }
    // The low mantissa bits of `t` hold n (mod 2^12): move n + 1023 into the exponent field.
    p * f64::from_bits(t.to_bits().wrapping_add(1023) << 52)
}

/// `1 / k!` for k = 0..=13, the Taylor coefficients of `exp`.
const INV_FACT: [f64; 14] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362880.0,
    1.0 / 3628800.0,
    1.0 / 39916800.0,
    1.0 / 479001600.0,
    1.0 / 6227020800.0,
];

/// `e^x` for f32, to a few ulp.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const SHIFT: f32 = 12_582_912.0; // 1.5 · 2^23
    let x = x.clamp(-87.0, 88.0);
    let t = x.mul_add(std::f32::consts::LOG2_E, SHIFT);
    let n = t - SHIFT;
    // Cephes' split of ln 2: the high part has few bits, so n · hi is exact.
    let r = (-n).mul_add(0.693_359_4, x);
    let r = (-n).mul_add(-2.121_944_4e-4, r);
    let mut p: f32 = 1.0 / 5040.0;
    for c in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p.mul_add(r, c);
    }
    p * f32::from_bits(t.to_bits().wrapping_add(127) << 23)
}

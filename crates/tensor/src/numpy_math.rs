//! numpy's `float32` `exp` and `log`, as its AVX2 + FMA3 and AVX-512F loops compute them
//! (`numpy/_core/src/umath/loops_exponent_log.dispatch.c.src`, `simd_exp_FLOAT` and
//! `simd_log_FLOAT`; constants from `npy_simd_data.h`): the book's float32 runs call these in the
//! sigmoid, the softmax and the loss, where glibc's `expf` and `logf` differ from them now and
//! then.
//!
//! Each function is numpy's lane-wise arithmetic written for one value: the same IEEE operations
//! in the same order (a fused multiply-add where numpy calls `_mm*_fmadd_ps`), so the bits are
//! numpy's on any CPU (`mul_add` is one correctly rounded operation everywhere). numpy's two
//! instruction sets give the same bits: its AVX-512 loop scales by `2^k` with `vscalefps`, the
//! AVX2 loop by adding `k` to the exponent field (and, for a subnormal result, by a division by a
//! power of two), both exact for every result but a subnormal one, which both round once.
//! `tests/numpy_math.rs` holds the ports to numpy's outputs on a table of inputs it made.
//!
//! Branch-free (the special cases are selects), so that loops of them vectorize where the caller
//! compiles them for AVX2 + FMA.

/// `e^x` as numpy computes it for `float32`.
// numpy's constants are written as its source writes them, and rounded to f32 as C does.
#[allow(clippy::excessive_precision)]
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const XMAX: f32 = 88.722_839_355_468_75;
    const XMIN: f32 = -103.972_084_045_410_156_25;
    const MAGIC: f32 = 12_582_912.0; // 0x1.8p+23: adding and subtracting it rounds to an integer
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = -6.93145752e-1;
    const LN2_LO: f32 = -1.42860677e-6;
    const P: [f32; 6] = [
        9.999999999980870924916e-01,
        7.257664613233124478488e-01,
        2.473615434895520810817e-01,
        5.114512081637298353406e-02,
        6.757896990527504603057e-03,
        5.082762527590693718096e-04,
    ];
    const Q: [f32; 3] = [
        1.000000000000000000000e+00,
        -2.742335390411667452936e-01,
        2.159509375685829852307e-02,
    ];
    // numpy zeroes the lanes it overrides before computing, so they cannot raise or poison.
    let nan = x.is_nan();
    let over = x >= XMAX;
    let under = x <= XMIN;
    let v = if nan || over || under { 0.0 } else { x };
    let quadrant = (v * LOG2E + MAGIC) - MAGIC;
    let r = quadrant.mul_add(LN2_HI, v);
    let r = quadrant.mul_add(LN2_LO, r);
    // numpy's third Cody-Waite step, with a zero constant: it keeps only a zero's sign rule.
    let r = quadrant.mul_add(0.0, r);
    let mut num = P[5].mul_add(r, P[4]);
    for p in [P[3], P[2], P[1], P[0]] {
        num = num.mul_add(r, p);
    }
    let den = Q[2].mul_add(r, Q[1]).mul_add(r, Q[0]);
    let poly = scale(num / den, quadrant);
    if nan {
        f32::NAN
    } else if over {
        f32::INFINITY
    } else if under {
        0.0
    } else {
        poly
    }
}

/// `poly · 2^quadrant` as numpy's AVX2 loop does it (`fma_scalef_ps`): the exponent field plus
/// `quadrant`; for a quadrant at or below -125 (a subnormal result), plus -125 and then divided
/// by `2^(-125 - quadrant)`, the one rounding. Multiplying by `2^-(…)` instead rounds the same
/// exact product once, and a normal result is multiplied by 1: no branch, so loops vectorize.
#[inline(always)]
fn scale(poly: f32, quadrant: f32) -> f32 {
    // `quadrant` is an integer in [-150, 128] here, `poly` in [0.7, 1.5]: no field overflows.
    // An integral float below 2^22 in magnitude is read off the low bits of itself plus 1.5 · 2^23
    // (exact), where `as i32` would check for NaN and overflow lane by lane, unvectorized.
    let int = |f: f32| (f + 12_582_912.0).to_bits() as i32 - 0x4B40_0000;
    let q = int(quadrant.max(-125.0));
    let scaled = f32::from_bits(poly.to_bits().wrapping_add((q << 23) as u32));
    let diff = int((-125.0 - quadrant).max(0.0));
    scaled * f32::from_bits(((127 - diff) << 23) as u32)
}

/// `ln x` as numpy computes it for `float32`.
#[allow(clippy::excessive_precision)]
#[inline(always)]
pub fn log_f32(x: f32) -> f32 {
    const P: [f32; 6] = [
        0.000000000000000000000e+00,
        9.999999999999998702752e-01,
        2.112677543073053063722e+00,
        1.480000633576506585156e+00,
        3.808837741388407920751e-01,
        2.589979117907922693523e-02,
    ];
    const Q: [f32; 6] = [
        1.000000000000000000000e+00,
        2.612677543073109236779e+00,
        2.453006071784736363091e+00,
        9.864942958519418960339e-01,
        1.546476374983906719538e-01,
        5.875095403124574342950e-03,
    ];
    let negative = x < 0.0;
    let v = if negative { 0.0 } else { x };
    let (mut exponent, mut m) = exponent_mantissa(v);
    // numpy's "x < sqrt(2)" test compares the mantissa in [0.5, 1) with sqrt(1/2).
    if m <= std::f32::consts::FRAC_1_SQRT_2 {
        m += m;
        exponent -= 1.0;
    }
    let m = m - 1.0;
    let mut num = P[5].mul_add(m, P[4]);
    for p in [P[3], P[2], P[1], P[0]] {
        num = num.mul_add(m, p);
    }
    let mut den = Q[5].mul_add(m, Q[4]);
    for q in [Q[3], Q[2], Q[1], Q[0]] {
        den = den.mul_add(m, q);
    }
    let poly = exponent.mul_add(std::f32::consts::LN_2, num / den);
    // numpy's overrides, in its order (the last that applies wins).
    if x == f32::INFINITY {
        f32::INFINITY
    } else if x == 0.0 {
        f32::NEG_INFINITY
    } else if negative {
        -f32::NAN
    } else if x.is_nan() {
        f32::NAN
    } else {
        poly
    }
}

/// numpy's `fma_get_exponent` and `fma_get_mantissa`: `x = m · 2^e` with `m` in [0.5, 1), a
/// subnormal scaled by `2^100` first.
#[inline(always)]
fn exponent_mantissa(x: f32) -> (f32, f32) {
    let subnormal = x < f32::MIN_POSITIVE;
    let (x, bias) = if subnormal {
        (x * f32::from_bits(0x7180_0000), 100.0)
    } else {
        (x, 0.0)
    };
    let bits = x.to_bits();
    let exponent = ((bits >> 23) as i32 - 0x7E) as f32 - bias;
    let mantissa = f32::from_bits((bits & 0x007F_FFFF) | (126 << 23));
    (exponent, mantissa)
}

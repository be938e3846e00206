//! glibc's `pow` (≥ 2.28, Szabolcs Nagy's algorithm from ARM's optimized-routines; errors below
//! 0.54 ulp): `x^y = exp(y · log(x))`, with `log(x)` carried as `hi + lo` to about 68 bits and
//! `exp` taking the product's tail as a correction.
//!
//! - `log`: `x = 2^k · z`, `z` in `[0x1.69555p-1, 0x1.69555p0)` split into 128 subintervals, each
//!   with a point `c` whose `1/c`, `log(c)` and its tail are in [`POW_TAB`]; `log(z/c)` is a
//!   degree-8 polynomial whose first term is kept exact by a fused multiply-add.
//! - `exp`: the algorithm and table of `exp` ([`super::exp`]), the sign of a negative
//!   base folded into the scale's exponent.
//!
//! The Adam optimizer needs it for its bias correction, `β^t` (the book's `beta2**self.iter`,
//! Python's float power, which is C's `pow`).

use super::exp::{C, INV_LN2_N, NEG_LN2_HI_N, NEG_LN2_LO_N, SHIFT, TAB as EXP_TAB, scaled};
use super::pow_table::POW_TAB;

/// `ln 2`, high part (its low bits are zero, so `k · LN2_HI + log(c)` is exact).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fefa_3800);
/// `ln 2`, low part.
const LN2_LO: f64 = f64::from_bits(0x3d2e_f357_93c7_6730);
/// The polynomial of `log(1 + r) - r`, its coefficients pre-scaled for the evaluation below
/// (`A[0] = -1/2`).
const A: [f64; 7] = [
    f64::from_bits(0xbfe0_0000_0000_0000), // -0x1p-1
    f64::from_bits(0xbfe5_5555_5555_5560), // 0x1.555555555556p-2 · -2
    f64::from_bits(0x3fe0_0000_0000_0006), // -0x1.0000000000006p-2 · -2
    f64::from_bits(0x3fe9_9999_9959_554e), // 0x1.999999959554ep-3 · 4
    f64::from_bits(0xbfe5_5555_5529_a47a), // -0x1.555555529a47ap-3 · 4
    f64::from_bits(0xbff2_495b_9b48_45e9), // 0x1.2495b9b4845e9p-3 · -8
    f64::from_bits(0x3ff0_002b_8b26_3fc3), // -0x1.0002b8b263fc3p-3 · -8
];
/// The bits of `0x1.69555p-1`, where the table's range of `z` starts.
const OFF: u64 = 0x3fe6_9555_0000_0000;
/// Added to the exponent index `k` so that the scale comes out negative (a negative base to an
/// odd power).
const SIGN_BIAS: u64 = 0x800 << 7;
const ONE: u64 = 0x3ff0_0000_0000_0000;
const INF: u64 = 0x7ff0_0000_0000_0000;

/// The sign and exponent bits.
fn top12(x: f64) -> u32 {
    (x.to_bits() >> 52) as u32
}

/// Whether `i` is the bits of ±0, ±∞ or a NaN.
fn zero_inf_nan(i: u64) -> bool {
    (i << 1).wrapping_sub(1) >= 2 * INF - 1
}

fn is_signaling(x: f64) -> bool {
    (x.to_bits() ^ 0x0008_0000_0000_0000) << 1 > 2 * 0x7ff8_0000_0000_0000
}

/// 0 if the non-zero finite `iy` is not an integer, 1 if it is odd, 2 if even.
fn check_int(iy: u64) -> u32 {
    let e = (iy >> 52 & 0x7ff) as u32;
    if e < 0x3ff {
        0
    } else if e > 0x3ff + 52 {
        2
    } else if iy & ((1 << (0x3ff + 52 - e)) - 1) != 0 {
        0
    } else if iy & (1 << (0x3ff + 52 - e)) != 0 {
        1
    } else {
        2
    }
}

/// `±∞`, negative when `sign` is set.
fn overflow(sign: u64) -> f64 {
    if sign != 0 {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    }
}

/// `±0`, negative when `sign` is set.
fn underflow(sign: u64) -> f64 {
    if sign != 0 { -0.0 } else { 0.0 }
}

/// `x^y` as glibc computes it (see the module notes), every special case of C's `pow` included.
pub fn pow(x: f64, y: f64) -> f64 {
    let mut sign_bias = 0;
    let mut ix = x.to_bits();
    let iy = y.to_bits();
    let mut topx = top12(x);
    let topy = top12(y);
    if topx.wrapping_sub(0x001) >= 0x7ff - 0x001
        || (topy & 0x7ff).wrapping_sub(0x3be) >= 0x43e - 0x3be
    {
        // x subnormal, zero, negative, infinite or NaN; or |y| < 2^-65, |y| >= 2^63 or NaN.
        if zero_inf_nan(iy) {
            if (iy << 1) == 0 {
                return if is_signaling(x) { x + y } else { 1.0 };
            }
            if ix == ONE {
                return if is_signaling(y) { x + y } else { 1.0 };
            }
            if (ix << 1) > 2 * INF || (iy << 1) > 2 * INF {
                return x + y;
            }
            if (ix << 1) == 2 * ONE {
                return 1.0;
            }
            if ((ix << 1) < 2 * ONE) == (iy >> 63 == 0) {
                return 0.0;
            }
            return y * y;
        }
        if zero_inf_nan(ix) {
            let mut x2 = x * x;
            if ix >> 63 != 0 && check_int(iy) == 1 {
                x2 = -x2;
            }
            return if iy >> 63 != 0 { 1.0 / x2 } else { x2 };
        }
        if ix >> 63 != 0 {
            match check_int(iy) {
                0 => return f64::NAN,
                1 => sign_bias = SIGN_BIAS,
                _ => {}
            }
            ix &= 0x7fff_ffff_ffff_ffff;
            topx &= 0x7ff;
        }
        if (topy & 0x7ff).wrapping_sub(0x3be) >= 0x43e - 0x3be {
            if ix == ONE {
                return 1.0;
            }
            if topy & 0x7ff < 0x3be {
                // |y| < 2^-65: x^y rounds to 1 ± |y|.
                return if ix > ONE { 1.0 + y } else { 1.0 - y };
            }
            return if (ix > ONE) == (topy < 0x800) {
                overflow(0)
            } else {
                underflow(0)
            };
        }
        if topx == 0 {
            // Subnormal: scale it into the normal range and take 52 off the exponent.
            ix = (x * f64::from_bits(0x4330_0000_0000_0000)).to_bits() & 0x7fff_ffff_ffff_ffff;
            ix = ix.wrapping_sub(52 << 52);
        }
    }
    let (hi, lo) = log_inline(ix);
    let ehi = y * hi;
    let elo = y.mul_add(lo, y.mul_add(hi, -ehi));
    exp_inline(ehi, elo, sign_bias)
}

/// `log(x)` for the bits `ix` of a positive normal `x`, as `hi + lo` (`lo` about 15 bits beyond).
fn log_inline(ix: u64) -> (f64, f64) {
    let tmp = ix.wrapping_sub(OFF);
    let i = ((tmp >> (52 - 7)) % 128) as usize;
    let k = (tmp as i64) >> 52;
    let z = f64::from_bits(ix.wrapping_sub(tmp & (0xfff << 52)));
    let kd = k as f64;
    let (invc, logc, logctail) = POW_TAB[i];
    let (invc, logc, logctail) = (
        f64::from_bits(invc),
        f64::from_bits(logc),
        f64::from_bits(logctail),
    );
    // z/c - 1 is exact: 1/c has few bits and |z/c - 1| < 1/128.
    let r = z.mul_add(invc, -1.0);
    // k·ln2 + log(c) + r.
    let t1 = kd.mul_add(LN2_HI, logc);
    let t2 = t1 + r;
    let lo1 = kd.mul_add(LN2_LO, logctail);
    let lo2 = t1 - t2 + r;
    // ... + A[0]·r², its rounding error kept by the fused multiply-add.
    let ar = A[0] * r;
    let ar2 = r * ar;
    let ar3 = r * ar2;
    let hi = t2 + ar2;
    let lo3 = ar.mul_add(r, -ar2);
    let lo4 = t2 - hi + ar2;
    // The rest of the polynomial, fused as GCC fuses `ar3 * (…)` into the sum after it.
    let q = ar2.mul_add(r.mul_add(A[6], A[5]), r.mul_add(A[4], A[3]));
    let q = ar2.mul_add(q, r.mul_add(A[2], A[1]));
    let lo = ar3.mul_add(q, lo1 + lo2 + lo3 + lo4);
    let y = hi + lo;
    (y, hi - y + lo)
}

/// `±exp(x + xtail)`, negative when `sign_bias` is [`SIGN_BIAS`], `|xtail|` far below `|x|`'s
/// last bit.
fn exp_inline(x: f64, xtail: f64, sign_bias: u64) -> f64 {
    let tiny = top12(f64::from_bits(0x3c90_0000_0000_0000)); // 2^-54
    let mut abstop = top12(x) & 0x7ff;
    if abstop.wrapping_sub(tiny) >= top12(512.0) - tiny {
        if abstop.wrapping_sub(tiny) >= 0x8000_0000 {
            // |x| < 2^-54: exp(x) rounds to 1 + x.
            let one = 1.0 + x;
            return if sign_bias != 0 { -one } else { one };
        }
        if abstop >= top12(1024.0) {
            return if x.is_sign_negative() {
                underflow(sign_bias)
            } else {
                overflow(sign_bias)
            };
        }
        // 512 <= |x| < 1024: see `scaled`.
        abstop = 0;
    }
    let kd = x.mul_add(INV_LN2_N, SHIFT);
    let ki = kd.to_bits();
    let kd = kd - SHIFT;
    let r = kd.mul_add(NEG_LN2_LO_N, kd.mul_add(NEG_LN2_HI_N, x)) + xtail;
    let idx = 2 * (ki % 128) as usize;
    let tail = f64::from_bits(EXP_TAB[idx]);
    let sbits = EXP_TAB[idx + 1].wrapping_add(ki.wrapping_add(sign_bias) << 45);
    let r2 = r * r;
    let t = r.mul_add(C[1], C[0]).mul_add(r2, tail + r);
    let tmp = (r2 * r2).mul_add(r.mul_add(C[3], C[2]), t);
    if abstop == 0 {
        return scaled(tmp, sbits, ki);
    }
    let scale = f64::from_bits(sbits);
    scale.mul_add(tmp, scale)
}

//! glibc's `log` (≥ 2.28, Szabolcs Nagy's algorithm from ARM's optimized-routines, in glibc's
//! configuration: a 128-entry table, a degree-6 polynomial, and a degree-12 one near 1).
//!
//! - Near 1 (`1 - 2^-4 < x < 1 + 0x1.09p-4`), `log(1 + r)` is a polynomial in `r = x - 1`, its
//!   `r - r²/2` head carried in two parts so that the result stays within 0.52 ulp.
//! - Elsewhere `x = 2^k · z` with `z` in `[0x1.6p-1, 0x1.6p0)`, split into 128 subintervals; each
//!   has a point `c` with `1/c` and `log(c)` in [`TAB`], and
//!   `log(x) = k·ln2 + log(c) + log1p(z/c - 1)`, `z/c - 1` being one fused multiply-add.

use super::log_table::TAB;

/// `ln 2`, high part (its low bits are zero, so `k · LN2_HI + log(c)` is exact).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fefa_3800);
/// `ln 2`, low part.
const LN2_LO: f64 = f64::from_bits(0x3d2e_f357_93c7_6730);
/// The bits of `0x1.6p-1`, where the table's range of `z` starts.
const OFF: u64 = 0x3fe6_0000_0000_0000;
/// `log1p(r) - r` on `|r| <= 0x1.fp-9` is `r²·(A0 + r·A1 + r²·A2 + r³·A3 + r⁴·A4)`.
const A: [f64; 5] = [
    f64::from_bits(0xbfe0_0000_0000_0001), // -0x1.0000000000001p-1
    f64::from_bits(0x3fd5_5555_5551_305b), // 0x1.555555551305bp-2
    f64::from_bits(0xbfcf_ffff_ffeb_4590), // -0x1.fffffffeb459p-3
    f64::from_bits(0x3fc9_99b3_24f1_0111), // 0x1.999b324f10111p-3
    f64::from_bits(0xbfc5_5575_e506_c89f), // -0x1.55575e506c89fp-3
];
/// `log(1 + r)` near 1 is `r + B0·r² + r³·(B1 + r·B2 + … + r⁹·B10)`, `B0 = -1/2`.
const B: [f64; 11] = [
    f64::from_bits(0xbfe0_0000_0000_0000), // -0x1p-1
    f64::from_bits(0x3fd5_5555_5555_5577), // 0x1.5555555555577p-2
    f64::from_bits(0xbfcf_ffff_ffff_fdcb), // -0x1.ffffffffffdcbp-3
    f64::from_bits(0x3fc9_9999_9995_dd0c), // 0x1.999999995dd0cp-3
    f64::from_bits(0xbfc5_5555_5567_45a7), // -0x1.55555556745a7p-3
    f64::from_bits(0x3fc2_4924_a344_de30), // 0x1.24924a344de3p-3
    f64::from_bits(0xbfbf_ffff_a442_3d65), // -0x1.fffffa4423d65p-4
    f64::from_bits(0x3fbc_7184_282a_d6ca), // 0x1.c7184282ad6cap-4
    f64::from_bits(0xbfb9_99eb_43b0_68ff), // -0x1.999eb43b068ffp-4
    f64::from_bits(0x3fb7_8182_f7af_d085), // 0x1.78182f7afd085p-4
    f64::from_bits(0xbfb5_5213_75d1_45cd), // -0x1.5521375d145cdp-4
];

/// The natural logarithm as glibc computes it (see the module notes), special cases included:
/// `log(±0) = -∞`, `log(+∞) = +∞`, NaN for negative numbers and NaN.
pub fn log(x: f64) -> f64 {
    const NEAR_LO: u64 = 0x3fee_0000_0000_0000; // 1 - 2^-4
    const NEAR_HI: u64 = 0x3ff1_0900_0000_0000; // 1 + 0x1.09p-4
    let mut ix = x.to_bits();
    if ix.wrapping_sub(NEAR_LO) < NEAR_HI - NEAR_LO {
        return near_one(x);
    }
    let top = (ix >> 48) as u32;
    if top.wrapping_sub(0x0010) >= 0x7ff0 - 0x0010 {
        // Subnormal, zero, negative, infinite or NaN.
        if ix << 1 == 0 {
            return f64::NEG_INFINITY;
        }
        if ix == f64::INFINITY.to_bits() {
            return x;
        }
        if top & 0x8000 != 0 || top & 0x7ff0 == 0x7ff0 {
            // A NaN stays itself (quieted); a negative number gives the invalid operation's NaN.
            return if x.is_nan() { x + x } else { f64::NAN };
        }
        // Subnormal: scale it into the normal range and take 52 off the exponent.
        ix = (x * f64::from_bits(0x4330_0000_0000_0000))
            .to_bits()
            .wrapping_sub(52 << 52);
    }
    let tmp = ix.wrapping_sub(OFF);
    let i = ((tmp >> (52 - 7)) % 128) as usize;
    let k = (tmp as i64) >> 52;
    let z = f64::from_bits(ix.wrapping_sub(tmp & (0xfff << 52)));
    let (invc, logc) = (f64::from_bits(TAB[i].0), f64::from_bits(TAB[i].1));
    let r = z.mul_add(invc, -1.0);
    let kd = k as f64;
    // hi + lo = r + log(c) + k·ln2.
    let w = kd.mul_add(LN2_HI, logc);
    let hi = w + r;
    let lo = kd.mul_add(LN2_LO, w - hi + r);
    let r2 = r * r;
    let p = r2.mul_add(r.mul_add(A[4], A[3]), r.mul_add(A[2], A[1]));
    let y = (r * r2).mul_add(p, r2.mul_add(A[0], lo));
    y + hi
}

/// `log(x)` for `x` near 1.
fn near_one(x: f64) -> f64 {
    if x == 1.0 {
        return 0.0;
    }
    let r = x - 1.0;
    let r2 = r * r;
    let r3 = r * r2;
    let p = r3.mul_add(B[10], r2.mul_add(B[9], r.mul_add(B[8], B[7])));
    let p = r3.mul_add(p, r2.mul_add(B[6], r.mul_add(B[5], B[4])));
    let p = r3.mul_add(p, r2.mul_add(B[3], r.mul_add(B[2], B[1])));
    // r - r²/2 as hi + lo: r split so that rhi² is exact.
    let w = r * f64::from_bits(0x41a0_0000_0000_0000); // 2^27
    let rhi = r + w - w;
    let rlo = r - rhi;
    let w = rhi * rhi * B[0];
    let hi = r + w;
    let lo = r - hi + w;
    let lo = (B[0] * rlo).mul_add(rhi + r, lo);
    r3.mul_add(p, lo) + hi
}

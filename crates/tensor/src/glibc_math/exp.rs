//! glibc's `exp` (≥ 2.28, Szabolcs Nagy's algorithm from ARM's optimized-routines), its constants
//! and table, in the FMA build's operations: `x = k·ln2/128 + r`, `2^(k/128)` from the table,
//! `exp(r)` a degree-5 polynomial. Also the data of `pow`'s `exp` and of the CPU backend's vector
//! `exp` (`cpu::exact_exp`), which computes this function four lanes at a time.

pub use super::exp_table::TAB;

/// `128 / ln 2`.
pub const INV_LN2_N: f64 = f64::from_bits(0x4067_1547_652b_82fe);
/// `-ln 2 / 128`, high part (its low 16 bits are zero, so `k · NEG_LN2_HI_N` is exact).
pub const NEG_LN2_HI_N: f64 = f64::from_bits(0xbf76_2e42_fefa_0000);
/// `-ln 2 / 128`, low part.
pub const NEG_LN2_LO_N: f64 = f64::from_bits(0xbd0c_f79a_bc9e_3b3a);
/// `1.5 · 2^52`: adding it rounds to an integer held in the low mantissa bits.
pub const SHIFT: f64 = f64::from_bits(0x4338_0000_0000_0000);
/// The polynomial's coefficients `C2..C5` (the algorithm's minimax fit of `exp(r) - 1 - r` on
/// `|r| <= ln2/256`).
pub const C: [f64; 4] = [
    f64::from_bits(0x3fdf_ffff_ffff_fdbd),
    f64::from_bits(0x3fc5_5555_5555_543c),
    f64::from_bits(0x3fa5_5555_cf17_2b91),
    f64::from_bits(0x3f81_1111_67a4_d017),
];
/// Biased exponent fields bounding the main path: `2^-54 <= |x| < 2^9`.
pub const TOP_MIN: u64 = 0x3c9;
pub const TOP_END: u64 = 0x408;

/// glibc's `exp` (its FMA build) for one value, in the same operations, special cases included:
/// the same bits on every target, as `mul_add` is one correctly rounded operation everywhere (an
/// instruction, or the `libm` crate's exact software fma, as in the browser).
pub fn exp(x: f64) -> f64 {
    let top = (x.to_bits() >> 52) & 0x7ff;
    let mut large = false;
    if top.wrapping_sub(TOP_MIN) >= TOP_END - TOP_MIN {
        if top < TOP_MIN {
            // |x| < 2^-54: exp(x) rounds to 1 + x.
            return 1.0 + x;
        }
        if top >= 0x409 {
            // |x| >= 1024, infinities and NaN.
            if x == f64::NEG_INFINITY {
                return 0.0;
            }
            if top >= 0x7ff {
                return 1.0 + x;
            }
            return if x.is_sign_negative() {
                0.0
            } else {
                f64::INFINITY
            };
        }
        // 512 <= |x| < 1024: the result may leave the normal range; see `scaled`.
        large = true;
    }
    let kd = x.mul_add(INV_LN2_N, SHIFT);
    let ki = kd.to_bits();
    let kd = kd - SHIFT;
    let r = kd.mul_add(NEG_LN2_LO_N, kd.mul_add(NEG_LN2_HI_N, x));
    let idx = 2 * (ki & 0x7f) as usize;
    let tail = f64::from_bits(TAB[idx]);
    let sbits = TAB[idx + 1].wrapping_add(ki << 45);
    let r2 = r * r;
    let p23 = r.mul_add(C[1], C[0]);
    let p45 = r.mul_add(C[3], C[2]);
    let t = p23.mul_add(r2, tail + r);
    let tmp = (r2 * r2).mul_add(p45, t);
    if large {
        return scaled(tmp, sbits, ki);
    }
    let scale = f64::from_bits(sbits);
    scale.mul_add(tmp, scale)
}

/// `scale · (1 + tmp)` where the scale's exponent over- or underflowed (glibc's `specialcase`):
/// computed with a shifted exponent and, for a subnormal result, rounded once. `pow`'s form, which
/// also takes a negative scale (a negative base to an odd power); for `exp`'s positive one it is
/// `exp`'s own.
pub(super) fn scaled(tmp: f64, sbits: u64, ki: u64) -> f64 {
    if ki & 0x8000_0000 == 0 {
        let scale = f64::from_bits(sbits.wrapping_sub(1009 << 52));
        return f64::from_bits(0x7f00_0000_0000_0000) * scale.mul_add(tmp, scale);
    }
    // As in `exp`'s compiled code, `scale · tmp` is computed once for both sums.
    let sbits = sbits.wrapping_add(1022 << 52);
    let scale = f64::from_bits(sbits);
    let product = scale * tmp;
    let mut y = scale + product;
    if y.abs() < 1.0 {
        let one = if y < 0.0 { -1.0 } else { 1.0 };
        let lo = scale - y + product;
        let hi = one + y;
        let lo = one - hi + y + lo;
        y = (hi + lo) - one;
        if y == 0.0 {
            y = f64::from_bits(sbits & 0x8000_0000_0000_0000);
        }
    }
    f64::from_bits(0x0010_0000_0000_0000) * y
}

//! glibc's `sin` and `cos` (IBM's Accurate Mathematical Library as glibc has had it since 2.28,
//! its slow paths removed; errors below 0.55 ulp).
//!
//! - Below 0.855469 the argument is split as `x = x_k + d` with `x_k = k/128` from [`SIN_COS`]
//!   (`sin` and `cos` of `x_k` each held as two doubles), and `sin(x_k + d)` is assembled from
//!   short Taylor series in `d` (a longer series alone for `|x| < 0.126`).
//! - Up to 2.426265 the same is done on `π/2 - |x|` (`π/2` as two doubles).
//! - Up to 105414350, `x` is reduced by a multiple `n` of `π/2` carried in four parts, leaving a
//!   remainder `a + da` and a quadrant `n mod 4`.
//! - Beyond that glibc reduces with a multi-word `2/π` (`__branred`), which is not ported: such
//!   arguments get the platform's own `sin` and `cos`. Nothing in this workspace draws them.
//!
//! Three of the fusions (`db` in [`reduce`], `c` in `do_sin`, `s` in `do_cos`) only touch
//! correction terms far below the last bit: 3·10^7 inputs could not tell them from the unfused
//! forms, so they follow GCC's contraction rule (`a*b + c` fused, left operand first) rather than
//! a measurement.

use super::sin_cos_table::SIN_COS;

const fn f(bits: u64) -> f64 {
    f64::from_bits(bits)
}

// The Taylor coefficients of `sin` for `|x| < 0.126` (`s1 = -1/3!`, `s2 ~= 1/5!`, ...).
const S1: f64 = f(0xbfc5_5555_5555_5555);
const S2: f64 = f(0x3f81_1111_1111_0ece);
const S3: f64 = f(0xbf2a_01a0_19db_08b8);
const S4: f64 = f(0x3ec7_1de2_7b9a_7ed9);
const S5: f64 = f(0xbe5a_ddff_c2fc_df59);
// The short series in `d = x - x_k`, `|d| <= 1/256`.
const SN3: f64 = f(0xbfc5_5555_5555_5515);
const SN5: f64 = f(0x3f81_1110_e829_872f);
const CS2: f64 = f(0x3fe0_0000_0000_0000);
const CS4: f64 = f(0xbfa5_5555_5555_5535);
const CS6: f64 = f(0x3f56_c16b_edd9_e239);
/// `1.5 · 2^45`: adding it rounds a number below 1 to a multiple of 1/128, the multiple's index
/// landing in the low bits.
const BIG: f64 = f(0x42c8_0000_0000_0000);
/// `π/2 = HP0 + HP1`.
const HP0: f64 = f(0x3ff9_21fb_5444_2d18);
const HP1: f64 = f(0x3c91_a626_3314_5c07);
/// `π/2 = MP1 + MP2 + PP3 + PP4`, the first three short enough that `n` times them is exact.
const MP1: f64 = f(0x3ff9_21fb_5800_0000);
const MP2: f64 = f(0xbe4d_de97_3c00_0000);
const PP3: f64 = f(0xbc8c_b3b3_9800_0000);
const PP4: f64 = f(0xbacd_747f_23e3_2ed7);
/// `2/π`.
const HPINV: f64 = f(0x3fe4_5f30_6dc9_c883);
/// `1.5 · 2^52`: adding it rounds to an integer held in the low bits.
const TOINT: f64 = f(0x4338_0000_0000_0000);

/// The high word of `x`'s bits without the sign, which glibc's range tests compare.
fn high_word(x: f64) -> u32 {
    ((x.to_bits() >> 32) as u32) & 0x7fff_ffff
}

/// The table row of `x_k`, `k` in the low bits of `u = BIG + |x|`: `(SN, SSN, CS, CCS)`.
fn row(u: f64) -> (f64, f64, f64, f64) {
    let [sn, ssn, cs, ccs] = SIN_COS[(u.to_bits() & 0xffff_ffff) as usize];
    (f(sn), f(ssn), f(cs), f(ccs))
}

/// `x + dx` for `|x| < 0.126`: `x - x³/3! + x⁵/5! - x⁷/7! + x⁹/9! - dx·x²/2 + dx`.
fn taylor_sin(xx: f64, x: f64, dx: f64) -> f64 {
    let p = xx.mul_add(xx.mul_add(xx.mul_add(S5.mul_add(xx, S4), S3), S2), S1);
    let t = p.mul_add(x, -(0.5 * dx)).mul_add(xx, dx);
    x + t
}

/// `cos(x + dx)`, `|x| < 0.855469`.
fn do_cos(x: f64, dx: f64) -> f64 {
    let dx = if x < 0.0 { -dx } else { dx };
    let u = BIG + x.abs();
    let x = x.abs() - (u - BIG) + dx;
    let xx = x * x;
    let s = (x * xx).mul_add(xx.mul_add(SN5, SN3), x);
    let c = xx * xx.mul_add(xx.mul_add(CS6, CS4), CS2);
    let (sn, ssn, cs, ccs) = row(u);
    let cor = (-sn).mul_add(s, (-cs).mul_add(c, (-s).mul_add(ssn, ccs)));
    cs + cor
}

/// `sin(x + dx)`, `|x| < 0.855469`.
fn do_sin(x: f64, dx: f64) -> f64 {
    let xold = x;
    if x.abs() < 0.126 {
        return taylor_sin(x * x, x, dx);
    }
    let dx = if x <= 0.0 { -dx } else { dx };
    let u = BIG + x.abs();
    let x = x.abs() - (u - BIG);
    let xx = x * x;
    let s = x + (x * xx).mul_add(xx.mul_add(SN5, SN3), dx);
    let c = x.mul_add(dx, xx * xx.mul_add(xx.mul_add(CS6, CS4), CS2));
    let (sn, ssn, cs, ccs) = row(u);
    let cor = cs.mul_add(s, (-sn).mul_add(c, s.mul_add(ccs, ssn)));
    (sn + cor).copysign(xold)
}

/// `x = n·π/2 + a + da` for `|x| < 105414350`, returning `n mod 4`.
fn reduce(x: f64) -> (f64, f64, u32) {
    let t = x.mul_add(HPINV, TOINT);
    let xn = t - TOINT;
    let n = (t.to_bits() as u32) & 3;
    let y = (-xn).mul_add(MP2, (-xn).mul_add(MP1, x));
    let t2 = (-xn).mul_add(PP3, y);
    let db = (-xn).mul_add(PP3, y - t2);
    let b = (-xn).mul_add(PP4, t2);
    let db = db + (-xn).mul_add(PP4, t2 - b);
    (b, db, n)
}

/// `sin(a + da)` turned by `n` quarter turns.
fn in_quadrant(a: f64, da: f64, n: u32) -> f64 {
    let v = if n & 1 != 0 {
        do_cos(a, da)
    } else {
        do_sin(a, da)
    };
    if n & 2 != 0 { -v } else { v }
}

/// The sine as glibc computes it (see the module notes).
pub fn sin(x: f64) -> f64 {
    let k = high_word(x);
    if k < 0x3e50_0000 {
        x
    } else if k < 0x3feb_6000 {
        do_sin(x, 0.0)
    } else if k < 0x4003_68fd {
        do_cos(HP0 - x.abs(), HP1).copysign(x)
    } else if k < 0x4199_21fb {
        let (a, da, n) = reduce(x);
        in_quadrant(a, da, n)
    } else if k < 0x7ff0_0000 {
        x.sin()
    } else {
        // ±∞ gives the invalid operation's NaN, a NaN stays itself (quieted).
        if x.is_nan() { x + x } else { f64::NAN }
    }
}

/// The cosine as glibc computes it (see the module notes).
pub fn cos(x: f64) -> f64 {
    let k = high_word(x);
    if k < 0x3e40_0000 {
        1.0
    } else if k < 0x3feb_6000 {
        do_cos(x, 0.0)
    } else if k < 0x4003_68fd {
        let y = HP0 - x.abs();
        let a = y + HP1;
        let da = (y - a) + HP1;
        do_sin(a, da)
    } else if k < 0x4199_21fb {
        let (a, da, n) = reduce(x);
        in_quadrant(a, da, n + 1)
    } else if k < 0x7ff0_0000 {
        x.cos()
    } else {
        // ±∞ gives the invalid operation's NaN, a NaN stays itself (quieted).
        if x.is_nan() { x + x } else { f64::NAN }
    }
}

//! The constants and table of glibc's `exp`, shared by `pow` here and by the CPU backend's vector
//! `exp` (`cpu::exact_exp`), which computes the same function four lanes at a time.

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

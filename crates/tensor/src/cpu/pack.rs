//! Packing: copying a block of A or B into the register tile's panels (`W` columns wide, `k`-major,
//! zero-padded), so that the kernel reads one sequential stream per operand.
//!
//! A row-major A and a transposed B are the hard cases: a panel's columns are the source's rows, so
//! packing them is a transpose. [`Transpose::pack_columns`] transposes 8 × 8 blocks (f32; 4 × 4 for
//! f64) in vector registers: packing a 192 × 320 f32 block of a row-major A (W3's `h · W`) took
//! 0.37 ns an element copied one at a time and takes 0.14 ns. With two threads each thread packs
//! all of A (see `gemm`), so W3's nine f32 products got 2.7 % faster on two threads, 5 % for
//! `dx = dout · Wᵀ`, where both operands are transposed.

use crate::float::Float;

/// Element types whose transposed panels the packers copy in vector registers (sealed with
/// [`super::gemm::Tile`]).
pub trait Transpose: Float {
    /// `dst[k * w + x] = src[x * x_stride + k]` for `k < kc`, `x < valid`: `valid` columns of a
    /// source contiguous along `k` into a panel `w` wide (its columns `valid..w` left as they are).
    ///
    /// # Panics
    /// If `valid > w` or either slice is too short.
    ///
    /// # Safety
    /// The CPU must have AVX.
    unsafe fn pack_columns(
        dst: &mut [Self],
        w: usize,
        src: &[Self],
        x_stride: usize,
        kc: usize,
        valid: usize,
    );
}

/// The bounds [`Transpose::pack_columns`] reads and writes within, checked with overflow-checked
/// arithmetic: every pointer it forms lies inside `dst` and `src`.
fn check_columns<T>(dst: &[T], w: usize, src: &[T], x_stride: usize, kc: usize, valid: usize) {
    assert!(valid <= w, "pack: more columns than the panel holds");
    assert!(
        kc.checked_mul(w).is_some_and(|n| n <= dst.len()),
        "pack: panel out of bounds"
    );
    let last = valid
        .checked_sub(1)
        .map(|x| x.checked_mul(x_stride).and_then(|o| o.checked_add(kc)));
    assert!(
        kc == 0 || last.is_none_or(|end| end.is_some_and(|end| end <= src.len())),
        "pack: source out of bounds"
    );
}

/// The `k` rows past the last full vector block, one element at a time.
fn pack_columns_tail<T: Float>(
    dst: &mut [T],
    w: usize,
    src: &[T],
    x_stride: usize,
    (k0, kc): (usize, usize),
    (x0, x1): (usize, usize),
) {
    for kk in k0..kc {
        for x in x0..x1 {
            dst[kk * w + x] = src[x * x_stride + kk];
        }
    }
}

/// Writes lanes `0..n` of `v` to `at`.
///
/// # Safety
/// The CPU must have AVX, `n <= 8`, and `at` must be valid for `n` writes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn store_f32(at: *mut f32, v: std::arch::x86_64::__m256, n: usize) {
    use std::arch::x86_64::*;
    // SAFETY: every write below is to `at..at + n`, valid by the caller's guarantee.
    unsafe {
        match n {
            8 => _mm256_storeu_ps(at, v),
            // The A panels' six rows: four lanes, then two as one 8-byte write.
            6 => {
                _mm_storeu_ps(at, _mm256_castps256_ps128(v));
                let hi = _mm_castps_si128(_mm256_extractf128_ps::<1>(v));
                at.add(4)
                    .cast::<i64>()
                    .write_unaligned(_mm_cvtsi128_si64(hi));
            }
            _ => {
                let mut row = [0.0f32; 8];
                _mm256_storeu_ps(row.as_mut_ptr(), v);
                std::ptr::copy_nonoverlapping(row.as_ptr(), at, n);
            }
        }
    }
}

/// Writes lanes `0..n` of `v` to `at`.
///
/// # Safety
/// The CPU must have AVX, `n <= 4`, and `at` must be valid for `n` writes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn store_f64(at: *mut f64, v: std::arch::x86_64::__m256d, n: usize) {
    use std::arch::x86_64::*;
    // SAFETY: every write below is to `at..at + n`, valid by the caller's guarantee.
    unsafe {
        match n {
            4 => _mm256_storeu_pd(at, v),
            2 => _mm_storeu_pd(at, _mm256_castpd256_pd128(v)),
            _ => {
                let mut row = [0.0f64; 4];
                _mm256_storeu_pd(row.as_mut_ptr(), v);
                std::ptr::copy_nonoverlapping(row.as_ptr(), at, n);
            }
        }
    }
}

/// The loop both types' [`Transpose::pack_columns`] share: checks the bounds, then hands
/// `block(from, n, to)` every `B × B` block of the panel: rows `n <= B` of the source (columns
/// `x0..x0 + n`, `x_stride` apart) from `from`, to be written transposed as `B` rows of `n`
/// elements (`w` apart) from `to`. The `k` rows past the last full block are copied one element at
/// a time after the loop.
///
/// # Safety
/// `block` may read `B` elements from `from + i * x_stride` for each `i < n`, and write `n`
/// elements at `to + kk * w` for each `kk < B`, and nothing else.
#[inline(always)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
unsafe fn pack_blocks<T: Float, const B: usize>(
    (dst, w): (&mut [T], usize),
    (src, x_stride): (&[T], usize),
    (kc, valid): (usize, usize),
    mut block: impl FnMut(*const T, usize, *mut T),
) {
    check_columns(dst, w, src, x_stride, kc, valid);
    let full = kc - kc % B;
    let (s, d) = (src.as_ptr(), dst.as_mut_ptr());
    for x0 in (0..valid).step_by(B) {
        let n = (valid - x0).min(B);
        for k0 in (0..full).step_by(B) {
            // SAFETY: columns x0..x0 + n <= valid and k0..k0 + B <= kc: every element `block`
            // reads lies inside `src` and every one it writes inside `dst` (checked above).
            unsafe { block(s.add(x0 * x_stride + k0), n, d.add(k0 * w + x0)) };
        }
    }
    // After the loop: `dst` borrowed again here ends `d`'s permission to write.
    pack_columns_tail(dst, w, src, x_stride, (full, kc), (0, valid));
}

#[cfg(target_arch = "x86_64")]
impl Transpose for f32 {
    /// Eight columns by eight `k` at a time: eight loads, an 8 × 8 transpose in registers, eight
    /// stores.
    #[target_feature(enable = "avx")]
    unsafe fn pack_columns(
        dst: &mut [f32],
        w: usize,
        src: &[f32],
        x_stride: usize,
        kc: usize,
        valid: usize,
    ) {
        use std::arch::x86_64::*;
        let block = |from: *const f32, n: usize, to: *mut f32| {
            let mut r = [_mm256_setzero_ps(); 8];
            for (i, v) in r.iter_mut().enumerate().take(n) {
                // SAFETY: `pack_blocks`'s contract: 8 elements from each of the n rows.
                *v = unsafe { _mm256_loadu_ps(from.add(i * x_stride)) };
            }
            // Rows a..h: interleave pairs (a0 b0 a1 b1 | a4 b4 a5 b5), then quads
            // (a0 b0 c0 d0 | a4 b4 c4 d4), then halves (a0 .. h0).
            let t = [
                _mm256_unpacklo_ps(r[0], r[1]),
                _mm256_unpackhi_ps(r[0], r[1]),
                _mm256_unpacklo_ps(r[2], r[3]),
                _mm256_unpackhi_ps(r[2], r[3]),
                _mm256_unpacklo_ps(r[4], r[5]),
                _mm256_unpackhi_ps(r[4], r[5]),
                _mm256_unpacklo_ps(r[6], r[7]),
                _mm256_unpackhi_ps(r[6], r[7]),
            ];
            let q = [
                _mm256_shuffle_ps::<0x44>(t[0], t[2]),
                _mm256_shuffle_ps::<0xEE>(t[0], t[2]),
                _mm256_shuffle_ps::<0x44>(t[1], t[3]),
                _mm256_shuffle_ps::<0xEE>(t[1], t[3]),
                _mm256_shuffle_ps::<0x44>(t[4], t[6]),
                _mm256_shuffle_ps::<0xEE>(t[4], t[6]),
                _mm256_shuffle_ps::<0x44>(t[5], t[7]),
                _mm256_shuffle_ps::<0xEE>(t[5], t[7]),
            ];
            for kk in 0..8 {
                let v = if kk < 4 {
                    _mm256_permute2f128_ps::<0x20>(q[kk], q[kk + 4])
                } else {
                    _mm256_permute2f128_ps::<0x31>(q[kk - 4], q[kk])
                };
                // SAFETY: `pack_blocks`'s contract: n elements at each of the 8 output rows.
                unsafe { store_f32(to.add(kk * w), v, n) };
            }
        };
        // SAFETY: `block` reads and writes only what `pack_blocks` allows (see its comments).
        unsafe { pack_blocks::<f32, 8>((dst, w), (src, x_stride), (kc, valid), block) };
    }
}

#[cfg(target_arch = "x86_64")]
impl Transpose for f64 {
    /// Four columns by four `k` at a time, as for `f32`.
    #[target_feature(enable = "avx")]
    unsafe fn pack_columns(
        dst: &mut [f64],
        w: usize,
        src: &[f64],
        x_stride: usize,
        kc: usize,
        valid: usize,
    ) {
        use std::arch::x86_64::*;
        let block = |from: *const f64, n: usize, to: *mut f64| {
            let mut r = [_mm256_setzero_pd(); 4];
            for (i, v) in r.iter_mut().enumerate().take(n) {
                // SAFETY: `pack_blocks`'s contract: 4 elements from each of the n rows.
                *v = unsafe { _mm256_loadu_pd(from.add(i * x_stride)) };
            }
            // (a0 b0 | a2 b2), (a1 b1 | a3 b3), (c0 d0 | c2 d2), (c1 d1 | c3 d3).
            let t = [
                _mm256_unpacklo_pd(r[0], r[1]),
                _mm256_unpackhi_pd(r[0], r[1]),
                _mm256_unpacklo_pd(r[2], r[3]),
                _mm256_unpackhi_pd(r[2], r[3]),
            ];
            for kk in 0..4 {
                let v = if kk < 2 {
                    _mm256_permute2f128_pd::<0x20>(t[kk], t[kk + 2])
                } else {
                    _mm256_permute2f128_pd::<0x31>(t[kk - 2], t[kk])
                };
                // SAFETY: `pack_blocks`'s contract: n elements at each of the 4 output rows.
                unsafe { store_f64(to.add(kk * w), v, n) };
            }
        };
        // SAFETY: `block` reads and writes only what `pack_blocks` allows (see its comments).
        unsafe { pack_blocks::<f64, 4>((dst, w), (src, x_stride), (kc, valid), block) };
    }
}

/// Off x86-64 no kernel runs (see `Kernel::available`), so nothing packs; this keeps the types
/// whole there.
#[cfg(not(target_arch = "x86_64"))]
macro_rules! scalar_pack_columns {
    ($($t:ty),*) => {$(
        impl Transpose for $t {
            unsafe fn pack_columns(
                dst: &mut [$t],
                w: usize,
                src: &[$t],
                x_stride: usize,
                kc: usize,
                valid: usize,
            ) {
                check_columns(dst, w, src, x_stride, kc, valid);
                pack_columns_tail(dst, w, src, x_stride, (0, kc), (0, valid));
            }
        }
    )*};
}
#[cfg(not(target_arch = "x86_64"))]
scalar_pack_columns!(f32, f64);

/// The shape of a block to pack: `valid` columns `x` (split into panels of `W`) by `kc` rows `k`,
/// element `(k, x)` at `src[k * k_stride + x * x_stride]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Block {
    /// Distance between the starts of consecutive panels in `dst`.
    pub panel_len: usize,
    /// Source stride along `k`.
    pub k_stride: usize,
    /// Source stride along `x`.
    pub x_stride: usize,
    /// Rows `k` to pack.
    pub kc: usize,
    /// Columns `x` to pack (the last panel is zero-padded to `W`).
    pub valid: usize,
    /// Leave full panels out (the kernel reads those in place); only the ragged last one is packed.
    pub skip_full: bool,
}

/// Packs `block` into panels `dst[p * panel_len..]`, each `dst[.. + k * W + x]`. A source that is
/// contiguous along `x` is read a whole row of the block at a time (sequential reads), not a panel
/// at a time (a short read every `k_stride`, which defeats the hardware prefetcher).
///
/// # Safety
/// The CPU must have AVX (the packers run inside the kernels' `target_feature` functions, into
/// which this is inlined).
#[inline(always)]
pub(crate) unsafe fn pack_block<T: Transpose, const W: usize>(
    dst: &mut [T],
    src: &[T],
    block: Block,
) {
    let Block {
        panel_len,
        k_stride,
        x_stride,
        kc,
        valid,
        skip_full,
    } = block;
    let panels = valid.div_ceil(W);
    if panels == 0 || kc == 0 {
        return;
    }
    let last = valid - (panels - 1) * W;
    if x_stride == 1 && !skip_full {
        if last < W {
            dst[(panels - 1) * panel_len..][..kc * W].fill(T::ZERO);
        }
        for kk in 0..kc {
            let row = &src[kk * k_stride..][..valid];
            // Full panels and the ragged one in separate loops: one loop with both lets the
            // compiler merge them into a `memcpy` call of variable length per chunk.
            let mut chunks = row.chunks_exact(W);
            for (p, full) in (&mut chunks).enumerate() {
                dst[p * panel_len + kk * W..][..W].copy_from_slice(full);
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                dst[(panels - 1) * panel_len + kk * W..][..rest.len()].copy_from_slice(rest);
            }
        }
        return;
    }
    for p in 0..panels {
        let v = if p + 1 == panels { last } else { W };
        if skip_full && v == W {
            continue;
        }
        // SAFETY: the caller guarantees AVX.
        unsafe {
            pack_panel::<T, W>(
                &mut dst[p * panel_len..],
                &src[p * W * x_stride..],
                k_stride,
                x_stride,
                kc,
                v,
            )
        };
    }
}

/// `dst[kk * W + x] = src[kk * k_stride + x * x_stride]` for `kk < kc`, `x < valid`, and 0 for
/// `valid <= x < W`: one packed panel, read along whichever direction is contiguous in memory.
///
/// # Safety
/// The CPU must have AVX.
#[inline(always)]
unsafe fn pack_panel<T: Transpose, const W: usize>(
    dst: &mut [T],
    src: &[T],
    k_stride: usize,
    x_stride: usize,
    kc: usize,
    valid: usize,
) {
    let dst = &mut dst[..kc * W];
    if valid == W && x_stride == 1 {
        for (kk, row) in dst.chunks_exact_mut(W).enumerate() {
            let row: &mut [T; W] = row.try_into().expect("chunks of W");
            *row = src[kk * k_stride..][..W].try_into().expect("W elements");
        }
        return;
    }
    if valid < W {
        dst.fill(T::ZERO);
    }
    if valid == 0 {
        return;
    }
    if x_stride == 1 {
        for (kk, row) in dst.chunks_exact_mut(W).enumerate() {
            row[..valid].copy_from_slice(&src[kk * k_stride..][..valid]);
        }
    } else if k_stride == 1 {
        // Transposed source: each column is contiguous along k, and columns lie x_stride apart.
        // SAFETY: the caller guarantees AVX.
        unsafe { T::pack_columns(dst, W, src, x_stride, kc, valid) };
    } else {
        for (kk, row) in dst.chunks_exact_mut(W).enumerate() {
            for (x, d) in row[..valid].iter_mut().enumerate() {
                *d = src[kk * k_stride + x * x_stride];
            }
        }
    }
}

/// The register transposes against the plain loop, for every width the tiles use, every count of
/// columns and `k` on both sides of a vector block: sized so that `cargo miri test` runs them.
#[cfg(test)]
mod tests {
    use super::*;

    fn avx() -> bool {
        #[cfg(target_arch = "x86_64")]
        return std::is_x86_feature_detected!("avx");
        #[cfg(not(target_arch = "x86_64"))]
        true
    }

    fn check<T: Transpose + std::fmt::Debug>() {
        const SENTINEL: f64 = -1.5;
        for w in [6, 8, 16] {
            for valid in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16]
                .into_iter()
                .filter(|&v| v <= w)
            {
                for kc in [0, 1, 3, 4, 8, 9, 17] {
                    let x_stride = kc + 3;
                    let src: Vec<T> = (0..w * x_stride).map(|i| T::from_f64(i as f64)).collect();
                    let mut dst = vec![T::from_f64(SENTINEL); kc * w];
                    // SAFETY: the caller checked AVX.
                    unsafe { T::pack_columns(&mut dst, w, &src, x_stride, kc, valid) };
                    for k in 0..kc {
                        for x in 0..w {
                            let want = if x < valid {
                                src[x * x_stride + k]
                            } else {
                                T::from_f64(SENTINEL)
                            };
                            assert_eq!(
                                dst[k * w + x],
                                want,
                                "w {w} valid {valid} kc {kc}: k {k} x {x}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    #[cfg_attr(
        not(dlfs2_avx2_fma),
        ignore = "the CPU that built tensor has no AVX2 + FMA: no kernel packs here"
    )]
    fn register_transposes_equal_the_plain_loop() {
        assert!(avx());
        check::<f32>();
        check::<f64>();
    }

    #[test]
    #[cfg_attr(
        not(dlfs2_avx2_fma),
        ignore = "the CPU that built tensor has no AVX2 + FMA: no kernel packs here"
    )]
    fn a_source_too_short_is_refused_before_any_read() {
        assert!(avx());
        let src = vec![0.0f32; 20];
        let mut dst = vec![0.0f32; 8 * 6];
        // Column 2 of 3 would end at 2 * 8 + 8 = 24 > 20.
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // SAFETY: AVX was checked above.
            unsafe { f32::pack_columns(&mut dst, 6, &src, 8, 8, 3) }
        }));
        assert!(r.is_err());
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // SAFETY: AVX was checked above.
            unsafe { f32::pack_columns(&mut dst, 6, &src, 8, 2, 7) }
        }));
        assert!(r.is_err(), "more columns than the panel is wide");
    }
}

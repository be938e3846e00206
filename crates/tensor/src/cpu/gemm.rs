//! A cache-blocked matrix product for the large shapes (the wide MLP), with **numpy's rounding**:
//! the `k` panels of OpenBLAS's driver ([`super::blas_order::k_panels`]), each panel's sum one
//! chain of fused multiply-adds over ascending `k` starting from 0 in registers, then added into
//! the output (the first panel stored).
//!
//! That is also the usual blocked algorithm (pack a `kc x NR` panel of B and an `MR x kc` panel of
//! A, multiply them in registers, add the tile into C): the `k` blocks are OpenBLAS's panels, so
//! this kernel is bit-identical to the reference loop ([`super::matmul::matmul_reference`]) and to
//! numpy, while large products run near the machine's peak. Work is split by column blocks across
//! the CPU's threads.
//!
//! Two register tiles, chosen at run time ([`Kernel`]): 6 rows by two 256-bit vectors on AVX2, and
//! 8 rows by three 512-bit vectors on AVX-512 (24 of the 32 vector registers hold sums, 3 hold the B
//! row, 1 the broadcast A value) — the tile size that lets two FMA units run every cycle while the
//! loads stay under two per cycle. Outputs only a few columns wide (W3's 10 classes) take a
//! one-vector tile instead, so that they pad to fewer columns (on AVX2 only where A is packed
//! anyway, see `narrow`).

use std::marker::PhantomData;
use std::sync::Mutex;

use super::mat_ref::MatRef;
use super::pack::{Block, pack_block};
use crate::float::Float;

/// A register tile: `MR` rows by `NR` columns of the output held in registers, fed by packed panels
/// (an implementation detail of the CPU backend).
pub(crate) trait MicroKernel<T> {
    /// Rows of the register tile.
    const MR: usize;
    /// Columns of the register tile.
    const NR: usize;
    /// Rows of A per packed block (a multiple of `MR`): the `MC x KC` block sits in L2.
    const MC: usize;
    /// `c[MR x NR] (+)= A[MR x kc] · b_panel[kc x NR]`: each element's sum of the `kc` terms is
    /// one chain of fused multiply-adds in ascending `k` from 0, then stored (`first`, the first
    /// `k` panel, so the output needs no zeroing pass) or added to `c` (later panels), where
    /// `A[r, k] = a.data[r * a.rs + k * a.cs]`: a packed panel (`rs = 1, cs = MR`) or the operand
    /// itself where its layout allows; `c` is the output from the tile's top-left element on
    /// (rows `c.ldc` apart). Every bound is checked (with
    /// overflow-checked arithmetic) before any pointer is read or written: a tile that does not
    /// fit panics.
    ///
    /// # Safety
    /// The CPU must have the kernel's instruction set (see [`Kernel::available`]), and no other
    /// thread may access the tile's `MR x NR` elements of `c` during the call.
    unsafe fn kernel(kc: usize, a: MatRef<'_, T>, b: &[T], c: OutView<'_, T>, first: bool);
    /// Packs a block of A into `MR`-wide panels (see [`pack_block`]).
    ///
    /// # Safety
    /// As for [`MicroKernel::kernel`].
    unsafe fn pack_a(dst: &mut [T], src: &[T], block: Block);
    /// Packs a block of B into `NR`-wide panels (see [`pack_block`]).
    ///
    /// # Safety
    /// As for [`MicroKernel::kernel`].
    unsafe fn pack_b(dst: &mut [T], src: &[T], block: Block);
}

/// The packing functions of a tile `$mr x $nr`, with the widths as constants and the kernel's
/// instruction set enabled, so that a row of a panel is copied in vector registers rather than by
/// a `memcpy` call.
macro_rules! packers {
    ($t:ty, $mr:expr, $nr:expr, $features:literal) => {
        #[cfg_attr(target_arch = "x86_64", target_feature(enable = $features))]
        unsafe fn pack_a(dst: &mut [$t], src: &[$t], block: Block) {
            // SAFETY: this function's features include AVX (both tiles' do).
            unsafe { pack_block::<$t, { $mr }>(dst, src, block) };
        }
        #[cfg_attr(target_arch = "x86_64", target_feature(enable = $features))]
        unsafe fn pack_b(dst: &mut [$t], src: &[$t], block: Block) {
            // SAFETY: as for `pack_a`.
            unsafe { pack_block::<$t, { $nr }>(dst, src, block) };
        }
    };
}

/// An element type the blocked kernel multiplies (`f32` and `f64`; sealed: its register tiles are
/// crate-private).
pub trait Tile: Copy + Send + Sync + 'static + Sized + sealed::Sealed {
    /// The `k` panel of OpenBLAS's Haswell kernel for this type (`GEMM_Q`): numpy's products
    /// are summed a panel at a time ([`super::blas_order::k_panels`]).
    const K_PANEL: usize;
    /// The kernel's row unroll (`GEMM_UNROLL_M`), to which a split last panel is rounded.
    const K_UNROLL: usize;
    /// `out = a · b` with the register tile of `kernel` for this type, on `threads` threads.
    /// The caller has checked the shapes and that the CPU has the kernel's instruction set.
    #[doc(hidden)]
    fn gemm_checked(
        kernel: Kernel,
        a: MatRef<'_, Self>,
        b: MatRef<'_, Self>,
        out: &mut [Self],
        threads: usize,
    );
}

mod sealed {
    use std::sync::Mutex;

    /// Packing buffers of an element type. Public in a private module, so nothing outside the
    /// crate can implement [`super::Tile`].
    pub trait Sealed: Sized + crate::cpu::pack::Transpose {
        /// Packing buffers kept between products: a fresh multi-megabyte buffer per product would
        /// cost a page fault every 4 KiB.
        fn pool() -> &'static Mutex<Vec<Vec<Self>>>;
    }
}

/// Which register tile [`gemm`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// 6 rows × two 256-bit vectors (AVX2 + FMA).
    Avx2,
    /// 8 rows × three 512-bit vectors (AVX-512F).
    Avx512,
}

impl Kernel {
    /// Whether this CPU can run the kernel.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 =
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
            match self {
                Kernel::Avx2 => avx2,
                Kernel::Avx512 => avx2 && std::is_x86_feature_detected!("avx512f"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = self;
            false
        }
    }

    /// The widest kernel this CPU runs, if any (`DLFS2_GEMM=avx2` holds it to AVX2, to compare).
    pub fn best() -> Option<Kernel> {
        let narrow = std::env::var("DLFS2_GEMM").is_ok_and(|v| v == "avx2");
        [Kernel::Avx512, Kernel::Avx2]
            .into_iter()
            .filter(|k| !(narrow && *k == Kernel::Avx512))
            .find(|k| k.available())
    }
}

/// The AVX2 tile: 6 rows × 2 vectors of sums (12 of the 16 registers, with the 2 of B's row and
/// the broadcast A value): 12 independent chains hide the FMA latency where 4 × 2's 8 did not
/// (W3's nine products, forced AVX2 on a Zen 4: f64 59.5 → 47.9 ms, f32 28.9 → 21.0 ms, best of
/// three runs each).
pub(crate) struct Avx2Tile;

/// The AVX2 tile for narrow outputs (W3's 10 classes in f64): 12 rows × 1 vector, so a 10-column
/// product pads to 12 columns rather than to the wide tile's 16.
pub(crate) struct Avx2NarrowTile;

/// The AVX-512 tile for wide outputs: 8 rows × 3 vectors of sums (24 of the 32 registers).
pub(crate) struct Avx512Tile;

/// The AVX-512 tile for narrow outputs (W3's 10 classes): 16 rows × 1 vector, so a 10-column
/// product pads to 16 columns rather than to the wide tile's 24 or 48.
pub(crate) struct Avx512NarrowTile;

/// Vector operations of one instruction set and element type, appended to the arguments of
/// `tile!(@impl …)`: lanes per vector, and the load, store, broadcast and fused multiply-add
/// intrinsics.
macro_rules! with_isa {
    (avx2, f64, $($args:tt)*) => {
        tile!(@impl $($args)*, (4, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_add_pd));
    };
    (avx2, f32, $($args:tt)*) => {
        tile!(@impl $($args)*, (8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps));
    };
    (avx512, f64, $($args:tt)*) => {
        tile!(@impl $($args)*, (8, _mm512_loadu_pd, _mm512_storeu_pd, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_add_pd));
    };
    (avx512, f32, $($args:tt)*) => {
        tile!(@impl $($args)*, (16, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps));
    };
}

/// A register tile of `$mr` rows × `$v` vectors, written with intrinsics so that every sum stays
/// in a register for the whole `k` panel; `$mc` its blocking (see [`MicroKernel`]).
macro_rules! tile {
    ($tile:ty, $t:tt, $isa:ident, $features:literal, $mr:literal, $v:literal, $mc:literal) => {
        with_isa!($isa, $t, $tile, $t, $features, $mr, $v, $mc);
    };
    (@impl $tile:ty, $t:ty, $features:literal, $mr:literal, $v:literal, $mc:literal,
     ($lanes:literal, $load:ident, $store:ident, $set1:ident, $fmadd:ident, $add:ident)) => {
        impl MicroKernel<$t> for $tile {
            const MR: usize = $mr;
            const NR: usize = $v * $lanes;
            const MC: usize = $mc;
            packers!($t, $mr, $v * $lanes, $features);
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = $features)]
            unsafe fn kernel(
                kc: usize,
                a: MatRef<'_, $t>,
                b: &[$t],
                c: OutView<'_, $t>,
                first: bool,
            ) {
                use std::arch::x86_64::*;
                const NR: usize = $v * $lanes;
                // Overflow-checked: a wrapped bound would let the reads below leave the slice.
                let a_last = (kc.checked_sub(1), ($mr - 1usize).checked_mul(a.rs));
                let a_fits = match a_last {
                    (Some(k1), Some(r)) => k1
                        .checked_mul(a.cs)
                        .and_then(|kk| kk.checked_add(r))
                        .is_some_and(|last| last < a.data.len()),
                    _ => false,
                };
                assert!(a_fits, "gemm kernel: A tile out of bounds");
                assert!(
                    kc.checked_mul(NR).is_some_and(|n| n <= b.len()),
                    "gemm kernel: B panel out of bounds"
                );
                assert!(c.fits($mr, NR), "gemm kernel: C tile out of bounds");
                let (rs, cs, ldc) = (a.rs, a.cs, c.ldc);
                let (a, b, c) = (a.data.as_ptr(), b.as_ptr(), c.ptr);
                // SAFETY: every read of `a` and `b` stays in bounds by the asserts above; `c` is
                // valid for the tile's elements (`fits`), which the caller guarantees no other
                // thread touches during the call. The prefetches point at each row's first and
                // last element of the tile (in bounds by `fits`) and access no memory.
                unsafe {
                    // The output tile is only touched after the whole chain; ask for its lines
                    // now, so that their trip from L3 or memory overlaps the arithmetic.
                    for r in 0..$mr {
                        let row = c.add(r * ldc);
                        _mm_prefetch::<_MM_HINT_T0>(row.cast::<i8>());
                        _mm_prefetch::<_MM_HINT_T0>(row.add(NR - 1).cast::<i8>());
                    }
                    // The k chain, written once and expanded twice: for a packed panel with its
                    // strides as constants, so that every A element is a fixed offset from one
                    // pointer (with the strides in registers, the compiler walks the rows with a
                    // serial chain of six adds per k that competes with the FMAs for ports:
                    // W3's f32 products were 8 % slower than OpenBLAS's on one thread of the
                    // benchmark Xeon, and 5-8 % faster once the strides were constants),
                    // and for the general layout.
                    macro_rules! chain {
                        ($rs:expr, $cs:expr) => {{
                            let mut acc = [[$set1(0.0); $v]; $mr];
                            let step = |acc: &mut [[_; $v]; $mr], k: usize| {
                                let bp = b.add(k * NR);
                                let bv: [_; $v] =
                                    std::array::from_fn(|v| $load(bp.add(v * $lanes)));
                                let ap = a.add(k * $cs);
                                for (r, row) in acc.iter_mut().enumerate() {
                                    let av = $set1(*ap.add(r * $rs));
                                    for (s, &bw) in row.iter_mut().zip(&bv) {
                                        *s = $fmadd(av, bw, *s);
                                    }
                                }
                            };
                            let mut k = 0;
                            while k + 4 <= kc {
                                step(&mut acc, k);
                                step(&mut acc, k + 1);
                                step(&mut acc, k + 2);
                                step(&mut acc, k + 3);
                                k += 4;
                            }
                            while k < kc {
                                step(&mut acc, k);
                                k += 1;
                            }
                            acc
                        }};
                    }
                    let acc = if (rs, cs) == (1, $mr) {
                        chain!(1, $mr)
                    } else {
                        chain!(rs, cs)
                    };
                    for (r, row) in acc.iter().enumerate() {
                        for (v, &s) in row.iter().enumerate() {
                            let at = c.add(r * ldc + v * $lanes);
                            let sum = if first { s } else { $add($load(at), s) };
                            $store(at, sum);
                        }
                    }
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            unsafe fn kernel(_: usize, _: MatRef<'_, $t>, _: &[$t], _: OutView<'_, $t>, _: bool) {
                unreachable!("no x86 kernel is ever available off x86-64")
            }
        }
    };
}

// The k block is not ours to choose: it is OpenBLAS's panel (`Tile::K_PANEL`), which decides the
// rounding. MC measured on the benchmark machines, W3's products: for AVX2, 192 rows beat 48, 96
// and 144 (2-core Zen 4, forced AVX2; 384 no better for f32).
tile!(Avx2Tile, f64, avx2, "avx2,fma", 6, 2, 192);
tile!(Avx2Tile, f32, avx2, "avx2,fma", 6, 2, 192);
tile!(Avx2NarrowTile, f64, avx2, "avx2,fma", 12, 1, 192);
tile!(Avx2NarrowTile, f32, avx2, "avx2,fma", 12, 1, 192);
tile!(Avx512Tile, f64, avx512, "avx512f", 8, 3, 192);
tile!(Avx512Tile, f32, avx512, "avx512f", 8, 3, 192);
tile!(Avx512NarrowTile, f64, avx512, "avx512f", 16, 1, 192);
tile!(Avx512NarrowTile, f32, avx512, "avx512f", 16, 1, 192);

macro_rules! tiles {
    ($t:ty, $panel:literal, $unroll:literal) => {
        impl Tile for $t {
            const K_PANEL: usize = $panel;
            const K_UNROLL: usize = $unroll;
            fn gemm_checked(
                kernel: Kernel,
                a: MatRef<'_, $t>,
                b: MatRef<'_, $t>,
                out: &mut [$t],
                threads: usize,
            ) {
                // Checked again: a wrong length would let the bands' views leave `out`.
                assert_eq!(a.cols, b.rows, "gemm inner dimensions");
                assert_eq!(
                    Some(out.len()),
                    a.rows.checked_mul(b.cols),
                    "gemm output length"
                );
                assert!(
                    kernel.available(),
                    "gemm: {kernel:?} is not available on this CPU"
                );
                match kernel {
                    Kernel::Avx2 if a.cs != 1 && narrow::<$t, Avx2Tile, Avx2NarrowTile>(b.cols) => {
                        gemm_threads::<$t, Avx2NarrowTile>(a, b, out, threads)
                    }
                    Kernel::Avx2 => gemm_threads::<$t, Avx2Tile>(a, b, out, threads),
                    Kernel::Avx512 if 2 * b.cols < <Avx512Tile as MicroKernel<$t>>::NR => {
                        gemm_threads::<$t, Avx512NarrowTile>(a, b, out, threads)
                    }
                    Kernel::Avx512 => gemm_threads::<$t, Avx512Tile>(a, b, out, threads),
                }
            }
        }
        impl sealed::Sealed for $t {
            fn pool() -> &'static Mutex<Vec<Vec<$t>>> {
                static POOL: Mutex<Vec<Vec<$t>>> = Mutex::new(Vec::new());
                &POOL
            }
        }
    };
}

/// Whether an output `n` columns wide pads to fewer columns in the one-vector tile `N` than in
/// the wide tile `W` (and is narrow enough that the one-vector tile's extra loads do not matter:
/// it broadcasts twice as many A values per `k`). On AVX2 only for an A that is packed anyway:
/// a narrow band reads a row-major A in place, and twelve rows a power of two apart share L1
/// sets (W3's `h · W3` in f64, 512 × 1024 × 10: 0.18 ms on the wide tile, 0.24 on this one;
/// `dW3 = hᵀ · dout`, 1024 × 512 × 10: 0.45 → 0.30 ms, on two threads, forced AVX2).
fn narrow<T, W: MicroKernel<T>, N: MicroKernel<T>>(n: usize) -> bool {
    n < 2 * W::NR && n.div_ceil(N::NR) * N::NR < n.div_ceil(W::NR) * W::NR
}

// OpenBLAS's Haswell dgemm and sgemm blocking (measured on numpy, see `blas_order`).
tiles!(f64, 256, 4);
tiles!(f32, 320, 8);

/// A buffer of at least `len` elements from `T`'s pool, returned to it by [`give_back`].
fn take<T: Float + Tile>(len: usize) -> Vec<T> {
    let mut v = T::pool()
        .lock()
        .map(|mut p| p.pop())
        .ok()
        .flatten()
        .unwrap_or_default();
    // Stale contents are fine: packing writes every element a kernel reads.
    if v.len() < len {
        v.resize(len, T::ZERO);
    }
    v
}

fn give_back<T: Float + Tile>(v: Vec<T>) {
    if let Ok(mut p) = T::pool().lock() {
        // A few per thread is all a product uses; more would only hold memory.
        if p.len() < 8 {
            p.push(v);
        }
    }
}

/// Bands narrower than this many panels read a row-major A in place (see [`gemm_band`]).
const DIRECT_BAND_PANELS: usize = 4;

/// Elements of slack in a packing buffer, so that its packed panels can start on a cache line.
const LINE: usize = 64;

/// `buf` from its first element on a 64-byte boundary. A panel row of a tile (16 f32 or 8 f64, 64
/// bytes) that straddles two cache lines costs the kernel a split load on every `k`.
fn line_aligned<T>(buf: &mut [T]) -> &mut [T] {
    let skip = buf.as_ptr().align_offset(64).min(buf.len());
    &mut buf[skip..]
}

/// `out = a · b` (row-major `out`) with the widest kernel this CPU has; same bits as the simple
/// kernel. The caller has checked that AVX2 and FMA are present.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) fn gemm<T: Float + Tile>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    out: &mut [T],
    threads: usize,
) {
    let kernel = Kernel::best().unwrap_or(Kernel::Avx2);
    // The caller checked AVX2 + FMA, and `best` only picks what the CPU has.
    gemm_with(kernel, a, b, out, threads).expect("the caller checked the instruction set");
}

/// The CPU lacks the instruction set of the [`Kernel`] asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub Kernel);

/// `out = a · b` with the given kernel, on `threads` threads (so tests can compare every kernel
/// this CPU has against the reference loop).
///
/// # Panics
/// If the inner dimensions differ or `out` has the wrong length.
pub fn gemm_with<T: Float + Tile>(
    kernel: Kernel,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    out: &mut [T],
    threads: usize,
) -> Result<(), Unsupported> {
    assert_eq!(a.cols, b.rows, "gemm inner dimensions");
    assert_eq!(
        Some(out.len()),
        a.rows.checked_mul(b.cols),
        "gemm output length"
    );
    if !kernel.available() {
        return Err(Unsupported(kernel));
    }
    T::gemm_checked(kernel, a, b, out, threads);
    Ok(())
}

fn gemm_threads<T: Float + Tile, K: MicroKernel<T>>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    out: &mut [T],
    threads: usize,
) {
    let (m, n) = (a.rows, b.cols);
    if m == 0 || n == 0 || a.cols == 0 {
        // No k block writes the output: it is all zeros (the empty sum).
        out.fill(T::ZERO);
        return;
    }
    let panels = n.div_ceil(K::NR);
    if threads > 1 && m >= threads * K::MR && (panels < threads || m > n) {
        // Every thread packs all of A for its column band, and all of B for its row band; so
        // split the rows when A is the larger (or the output too narrow for column bands, as
        // W3's 10 classes): one band per thread, each a multiple of MR tall.
        let per = m.div_ceil(K::MR).div_ceil(threads) * K::MR;
        let parts: Vec<(usize, &mut [T])> = out.chunks_mut(per * n).enumerate().collect();
        super::pool::run_each(parts, |(t, band)| {
            let rows = MatRef {
                data: &a.data[t * per * a.rs..],
                rows: band.len() / n,
                ..a
            };
            // SAFETY: the kernel's instruction set was checked by `gemm_with`; the band is this
            // part's own `&mut` slice, so nothing else touches it.
            unsafe { gemm_band::<T, K>(rows, b, OutView::new(band, n), 0, n) };
        });
        return;
    }
    // Split the columns into one contiguous band per thread, each a multiple of NR wide. The
    // bands interleave in memory (every row holds a piece of each), so no thread gets a `&mut`
    // slice: all of them write through one raw view of the whole output, each only inside its
    // own columns.
    let threads = threads.clamp(1, panels);
    let per = panels.div_ceil(threads) * K::NR;
    let view = OutView::new(out, n);
    if threads == 1 {
        // SAFETY: the kernel's instruction set was checked by `gemm_with`; this thread is the
        // only one using the view.
        unsafe { gemm_band::<T, K>(a, b, view, 0, n) };
        return;
    }
    let bands: Vec<(usize, usize)> = (0..threads)
        .map(|t| (t * per, ((t + 1) * per).min(n)))
        .filter(|(j0, j1)| j0 < j1)
        .collect();
    super::pool::run_each(bands, |(j0, j1)| {
        // SAFETY: the kernel's instruction set was checked by `gemm_with`; the bands' column
        // ranges are disjoint, so no element is touched by two parts, and `run_each` returns only
        // when every part is done, while `out`'s borrow (held by `view`) is still live.
        unsafe { gemm_band::<T, K>(a, b, view, j0, j1) };
    });
}

/// A raw view of a row-major output: `len` elements from `ptr`, rows `ldc` apart, borrowed
/// mutably from one slice for `'a`. Parts of a product on several threads share one view and
/// write through raw pointers only inside their own column bands, where rebuilding a `&mut`
/// slice of the whole output per thread would make live `&mut` borrows overlap (undefined
/// behaviour even when the writes are disjoint). Every access checks its bounds.
#[derive(Debug)]
pub(crate) struct OutView<'a, T> {
    ptr: *mut T,
    len: usize,
    ldc: usize,
    _out: PhantomData<&'a mut [T]>,
}

impl<T> Clone for OutView<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for OutView<'_, T> {}

// SAFETY: a view is a shared handle to `&mut [T]` memory; moving it to another thread is like
// moving a `&mut [T]` piece there, which needs `T: Send`. Every access through it is an `unsafe`
// call whose contract requires that no two threads touch the same element.
unsafe impl<T: Send> Send for OutView<'_, T> {}
// SAFETY: as for `Send`: sharing the view only shares the pointer; accesses stay disjoint by the
// contract of the `unsafe` functions that use it.
unsafe impl<T: Send> Sync for OutView<'_, T> {}

impl<'a, T> OutView<'a, T> {
    /// The whole of `out`, rows `ldc` apart.
    pub(crate) fn new(out: &'a mut [T], ldc: usize) -> Self {
        OutView {
            ptr: out.as_mut_ptr(),
            len: out.len(),
            ldc,
            _out: PhantomData,
        }
    }

    /// The view from element `(i, j)` on.
    ///
    /// # Panics
    /// If `(i, j)` lies past the end (overflow included).
    fn at(self, i: usize, j: usize) -> Self {
        let off = i
            .checked_mul(self.ldc)
            .and_then(|o| o.checked_add(j))
            .filter(|&o| o <= self.len)
            .expect("gemm: output offset out of bounds");
        OutView {
            // SAFETY: `off <= len`: the result points into the slice or one past its end.
            ptr: unsafe { self.ptr.add(off) },
            len: self.len - off,
            ..self
        }
    }

    /// Whether `rows x cols` elements from the origin lie inside the view.
    fn fits(self, rows: usize, cols: usize) -> bool {
        rows == 0
            || cols == 0
            || (rows - 1)
                .checked_mul(self.ldc)
                .and_then(|o| o.checked_add(cols))
                .is_some_and(|end| end <= self.len)
    }

    /// Copies `dst.len()` elements of row `r` into `dst`.
    ///
    /// # Safety
    /// No other thread may write those elements during the call.
    unsafe fn read_row(self, r: usize, dst: &mut [T]) {
        let row = self.at(r, 0);
        assert!(row.fits(1, dst.len()), "gemm: output row out of bounds");
        // SAFETY: in bounds (checked above); `dst` is a separate borrow; no concurrent writer
        // (the caller's contract).
        unsafe { std::ptr::copy_nonoverlapping(row.ptr, dst.as_mut_ptr(), dst.len()) };
    }

    /// Copies `src` into row `r` from its first element.
    ///
    /// # Safety
    /// No other thread may access those elements during the call.
    unsafe fn write_row(self, r: usize, src: &[T]) {
        let row = self.at(r, 0);
        assert!(row.fits(1, src.len()), "gemm: output row out of bounds");
        // SAFETY: in bounds (checked above); `src` is a separate borrow; no concurrent access
        // (the caller's contract).
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), row.ptr, src.len()) };
    }
}

/// Columns `j0..j1` of `out = a · b`.
///
/// # Safety
/// The CPU must have `K`'s instruction set, and no other thread may access columns `j0..j1` of
/// `out` during the call.
unsafe fn gemm_band<T: Float + Tile, K: MicroKernel<T>>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    out: OutView<'_, T>,
    j0: usize,
    j1: usize,
) {
    let (m, k) = (a.rows, a.cols);
    let (mr, nr, kc_max, mc_max) = (K::MR, K::NR, T::K_PANEL, K::MC);
    let mut bbuf = take::<T>(kc_max * (j1 - j0).div_ceil(nr) * nr + LINE);
    let mut abuf = take::<T>(kc_max * mc_max + LINE);
    let mut tile = take::<T>(mr * nr);
    let (bpack, apack) = (line_aligned(&mut bbuf), line_aligned(&mut abuf));
    // A row-major A is read in place for a narrow band (an output a few panels wide), where
    // packing it would cost as much as the product: each of a tile's MR rows is contiguous along
    // k. Only the ragged last rows get packed then (zero-padded). A wider band packs A: rows a
    // power-of-two apart (W3's 1024 columns) share cache sets, and a packed panel is one stream
    // (W3's square products, one thread, alternating in one process with a busy sibling core:
    // 5-10 % faster).
    let direct = a.cs == 1 && j1 - j0 < DIRECT_BAND_PANELS * nr;
    for panel in super::blas_order::k_panels(k, T::K_PANEL, T::K_UNROLL) {
        let (pc, kc) = (panel.start, panel.len());
        let first = pc == 0;
        // Pack B[pc..pc+kc, j0..j1] into NR-wide panels, k-major, zero-padded on the right.
        let panels = (j1 - j0).div_ceil(nr);
        let block = Block {
            panel_len: kc_max * nr,
            k_stride: b.rs,
            x_stride: b.cs,
            kc,
            valid: j1 - j0,
            skip_full: false,
        };
        // SAFETY: the caller guarantees the instruction set.
        unsafe { K::pack_b(bpack, &b.data[pc * b.rs + j0 * b.cs..], block) };
        for ic in (0..m).step_by(mc_max) {
            let mc = mc_max.min(m - ic);
            // Pack A[ic..ic+mc, pc..pc+kc] into MR-tall panels, k-major, zero-padded below (in
            // the direct case only the ragged last panel).
            let block = Block {
                panel_len: kc_max * mr,
                k_stride: a.cs,
                x_stride: a.rs,
                kc,
                valid: mc,
                skip_full: direct,
            };
            // SAFETY: the caller guarantees the instruction set.
            unsafe { K::pack_a(apack, &a.data[ic * a.rs + pc * a.cs..], block) };
            for (p, bp) in bpack.chunks_exact(kc_max * nr).take(panels).enumerate() {
                let jb = j0 + p * nr;
                let cols = nr.min(j1 - jb);
                for (q, ap) in apack
                    .chunks_exact(kc_max * mr)
                    .enumerate()
                    .take(mc.div_ceil(mr))
                {
                    let ib = ic + q * mr;
                    let rows = mr.min(ic + mc - ib);
                    let a_tile = if direct && rows == mr {
                        MatRef {
                            data: &a.data[ib * a.rs + pc..],
                            rows: mr,
                            cols: kc,
                            ..a
                        }
                    } else {
                        MatRef {
                            data: ap,
                            rows: mr,
                            cols: kc,
                            rs: 1,
                            cs: mr,
                        }
                    };
                    let c = out.at(ib, jb);
                    if rows == mr && cols == nr {
                        // SAFETY: the caller guarantees the instruction set, and that columns
                        // jb..jb+nr (inside j0..j1) are this call's alone.
                        unsafe { K::kernel(kc, a_tile, bp, c, first) };
                    } else {
                        // Edge tile: add into a scratch copy of the output's part.
                        if !first {
                            for r in 0..rows {
                                // SAFETY: columns jb..jb+cols lie in j0..j1 (the caller's).
                                unsafe { c.read_row(r, &mut tile[r * nr..r * nr + cols]) };
                            }
                        }
                        // SAFETY: the instruction set as above; the scratch tile is ours.
                        unsafe { K::kernel(kc, a_tile, bp, OutView::new(&mut tile, nr), first) };
                        for r in 0..rows {
                            // SAFETY: as for the reads above.
                            unsafe { c.write_row(r, &tile[r * nr..r * nr + cols]) };
                        }
                    }
                }
            }
        }
    }
    give_back(bbuf);
    give_back(abuf);
    give_back(tile);
}

/// Small products through every split (one thread, row bands, column bands), every tile this CPU
/// (or miri's emulated CPU) has, ragged edges and more than one `k` block: the unsafe paths, sized
/// so that `cargo miri test` runs them (`.ci/run` does, with AVX2 and FMA enabled).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::matmul::matmul_reference;

    fn values<T: Float>(n: usize, seed: u64) -> Vec<T> {
        // Small integers and halves: exact in both types, so any reordering that rounds shows.
        (0..n as u64)
            .map(|i| T::from_f64((((i * 7 + seed * 13) % 17) as f64 - 8.0) * 0.37))
            .collect()
    }

    fn check<T: crate::cpu::CpuFloat + Tile + std::fmt::Debug>(
        kernel: Kernel,
        m: usize,
        k: usize,
        n: usize,
    ) {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = values::<T>(m * k, 1);
            let b = values::<T>(k * n, 2);
            let (ar, ac) = if ta { (k, m) } else { (m, k) };
            let (br, bc) = if tb { (n, k) } else { (k, n) };
            let am = MatRef::new(&a, ar, ac, ta);
            let bm = MatRef::new(&b, br, bc, tb);
            let mut want = vec![T::ZERO; m * n];
            matmul_reference(am, bm, &mut want);
            for threads in [1, 2] {
                let mut got = vec![T::from_f64(f64::NAN); m * n];
                gemm_with(kernel, am, bm, &mut got, threads).unwrap();
                let same = got
                    .iter()
                    .zip(&want)
                    .all(|(g, w)| g.to_f64().to_bits() == w.to_f64().to_bits());
                assert!(
                    same,
                    "{kernel:?} {m}x{k}x{n} {ta} {tb} on {threads} threads"
                );
            }
        }
    }

    /// Shapes for a tile of `mr x nr` with `k` panels of `kc`: column bands (few rows), row bands
    /// (a narrow output), a single edge tile, a `k` one past a panel (two halves, the second
    /// added into the first's output), and a band wide enough that a row-major A is packed.
    fn shapes(mr: usize, nr: usize, kc: usize) -> [(usize, usize, usize); 5] {
        [
            (mr - 1, 3, 2 * nr + 3),
            (3 * mr + 1, 5, nr - 1),
            (2, 1, 3),
            (mr - 1, kc + 1, 2),
            (mr + 1, 11, 2 * DIRECT_BAND_PANELS * nr + 1),
        ]
    }

    fn every_kernel<T: crate::cpu::CpuFloat + Tile + std::fmt::Debug>()
    where
        Avx2Tile: MicroKernel<T>,
        Avx2NarrowTile: MicroKernel<T>,
        Avx512Tile: MicroKernel<T>,
    {
        let mut ran = 0;
        if Kernel::Avx2.available() {
            let (mr, nr, kc) = (
                <Avx2Tile as MicroKernel<T>>::MR,
                <Avx2Tile as MicroKernel<T>>::NR,
                T::K_PANEL,
            );
            let narrow = <Avx2NarrowTile as MicroKernel<T>>::NR;
            for (m, k, n) in shapes(mr, nr, kc).into_iter().chain(shapes(12, narrow, kc)) {
                check::<T>(Kernel::Avx2, m, k, n);
            }
            ran += 1;
        }
        // Miri interprets AVX2 but not every AVX-512 intrinsic the wide tiles use.
        if Kernel::Avx512.available() && !cfg!(miri) {
            let nr = <Avx512Tile as MicroKernel<T>>::NR;
            let kc = T::K_PANEL;
            for (m, k, n) in shapes(8, nr, kc).into_iter().chain(shapes(16, 4, kc)) {
                check::<T>(Kernel::Avx512, m, k, n);
            }
            ran += 1;
        }
        assert!(ran > 0, "this CPU has no GEMM kernel (no AVX2 + FMA)");
    }

    #[test]
    #[cfg_attr(
        not(dlfs2_avx2_fma),
        ignore = "the CPU that built tensor has no AVX2 + FMA: no GEMM kernel to check"
    )]
    fn every_split_and_tile_equals_the_reference_f64() {
        every_kernel::<f64>();
    }

    #[test]
    #[cfg_attr(
        not(dlfs2_avx2_fma),
        ignore = "the CPU that built tensor has no AVX2 + FMA: no GEMM kernel to check"
    )]
    fn every_split_and_tile_equals_the_reference_f32() {
        every_kernel::<f32>();
    }

    #[test]
    fn a_view_refuses_offsets_and_tiles_past_its_end() {
        let mut buf = vec![0.0f64; 12];
        let v = OutView::new(&mut buf, 4);
        assert!(v.fits(3, 4) && !v.fits(4, 1) && !v.fits(3, 5));
        assert!(v.at(2, 0).fits(1, 4) && !v.at(2, 1).fits(1, 4));
        assert!(
            !OutView::new(&mut [0.0f64; 3], usize::MAX).fits(2, 1),
            "overflow is no fit"
        );
        let past = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| v.at(3, 1)));
        assert!(past.is_err());
        let wrapped =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| v.at(usize::MAX, 2)));
        assert!(wrapped.is_err());
    }
}

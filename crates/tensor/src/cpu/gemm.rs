//! A cache-blocked matrix product for the large shapes (the wide MLP), with the **same rounding as
//! the simple kernel**: every output element is one chain of fused multiply-adds over ascending `k`,
//! starting from 0.
//!
//! The usual blocked algorithm (pack a `KC x NR` panel of B and an `MR x KC` panel of A, multiply
//! them in registers) keeps that order as long as the `k` blocks are visited in ascending order and
//! each block *continues* the partial sums held in the output (load, fused multiply-add, store),
//! rather than adding a separately computed block sum. So this kernel is bit-identical to the
//! simple i-k-j loop used for small shapes, and the golden tests stay exact, while large products run
//! near the machine's peak. Work is split by column blocks across the CPU's threads.

use super::matmul::MatRef;
use crate::float::Float;

/// Rows of B packed per `k` block.
const KC: usize = 256;
/// Rows of A packed per block (a multiple of every `MR`).
const MC: usize = 96;

/// The register tile of one element type: `MR` rows by `NR` columns (an implementation detail of
/// the CPU backend, implemented for `f32` and `f64`).
pub trait Tile: Copy + Send + Sync + 'static {
    /// Rows of the register tile.
    const MR: usize;
    /// Columns of the register tile (two 256-bit vectors).
    const NR: usize;
    /// `c[MR x NR] (row stride ldc) += a_panel[kc x MR]^T · b_panel[kc x NR]`, in ascending `k`.
    fn kernel(kc: usize, a: &[Self], b: &[Self], c: &mut [Self], ldc: usize);
}

macro_rules! tile {
    ($t:ty, $mr:literal, $nr:literal) => {
        impl Tile for $t {
            const MR: usize = $mr;
            const NR: usize = $nr;
            #[inline(always)]
            fn kernel(kc: usize, a: &[$t], b: &[$t], c: &mut [$t], ldc: usize) {
                let mut acc = [[0.0 as $t; $nr]; $mr];
                for (r, row) in acc.iter_mut().enumerate() {
                    row.copy_from_slice(&c[r * ldc..r * ldc + $nr]);
                }
                for (ap, bp) in a.chunks_exact($mr).zip(b.chunks_exact($nr)).take(kc) {
                    let bp: &[$t; $nr] = bp.try_into().expect("panel width");
                    for (row, &av) in acc.iter_mut().zip(ap) {
                        for (o, &bv) in row.iter_mut().zip(bp) {
                            *o = av.mul_add(bv, *o);
                        }
                    }
                }
                for (r, row) in acc.iter().enumerate() {
                    c[r * ldc..r * ldc + $nr].copy_from_slice(row);
                }
            }
        }
    };
}

tile!(f64, 4, 8);
tile!(f32, 4, 16);

/// `out = a · b` (row-major `out`), blocked and threaded; same bits as the simple kernel.
pub(crate) fn gemm<T: Float + Tile>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    out: &mut [T],
    threads: usize,
) {
    let (m, n) = (a.rows, b.cols);
    out.fill(T::ZERO);
    if m == 0 || n == 0 {
        return;
    }
    // Split the columns into one contiguous band per thread, each a multiple of NR wide.
    let panels = n.div_ceil(T::NR);
    let threads = threads.clamp(1, panels);
    let per = panels.div_ceil(threads) * T::NR;
    if threads == 1 {
        // SAFETY: `gemm` is only called where the CPU has AVX2 and FMA (checked by the caller).
        unsafe { gemm_band(a, b, out, n, 0, n) };
        return;
    }
    let out_ptr = SendPtr(out.as_mut_ptr());
    let len = out.len();
    std::thread::scope(|s| {
        for t in 0..threads {
            let (j0, j1) = (t * per, ((t + 1) * per).min(n));
            if j0 >= j1 {
                continue;
            }
            let ptr = out_ptr;
            s.spawn(move || {
                // SAFETY: every thread writes only columns j0..j1 of each row, disjoint from the
                // others; the slice outlives the scope.
                let out = unsafe { std::slice::from_raw_parts_mut(ptr.get(), len) };
                // SAFETY: AVX2 and FMA were checked by the caller.
                unsafe { gemm_band(a, b, out, n, j0, j1) };
            });
        }
    });
}

#[derive(Clone, Copy)]
struct SendPtr<T>(*mut T);
// SAFETY: the pointer is only used for disjoint writes inside a thread scope (see `gemm`).
unsafe impl<T> Send for SendPtr<T> {}
impl<T> SendPtr<T> {
    fn get(self) -> *mut T {
        self.0
    }
}

/// Columns `j0..j1` of `out = a · b`.
#[cfg_attr(target_arch = "x86_64", target_feature(enable = "avx2,fma"))]
unsafe fn gemm_band<T: Float + Tile>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    out: &mut [T],
    ldc: usize,
    j0: usize,
    j1: usize,
) {
    let (m, k) = (a.rows, a.cols);
    let (mr, nr) = (T::MR, T::NR);
    let mut bpack = vec![T::ZERO; KC * (j1 - j0).div_ceil(nr) * nr];
    // On the heap: 24k elements are too many for the stack of a worker thread.
    #[allow(clippy::useless_vec)]
    let mut apack = vec![T::ZERO; KC * MC];
    let mut tile = vec![T::ZERO; mr * nr];
    for pc in (0..k).step_by(KC) {
        let kc = KC.min(k - pc);
        // Pack B[pc..pc+kc, j0..j1] into NR-wide panels, k-major, zero-padded on the right.
        for (p, panel) in bpack.chunks_exact_mut(KC * nr).enumerate() {
            let jb = j0 + p * nr;
            for kk in 0..kc {
                for jj in 0..nr {
                    let j = jb + jj;
                    panel[kk * nr + jj] = if j < j1 {
                        b.data[(pc + kk) * b.rs + j * b.cs]
                    } else {
                        T::ZERO
                    };
                }
            }
        }
        for ic in (0..m).step_by(MC) {
            let mc = MC.min(m - ic);
            // Pack A[ic..ic+mc, pc..pc+kc] into MR-tall panels, k-major, zero-padded below.
            for (p, panel) in apack
                .chunks_exact_mut(KC * mr)
                .enumerate()
                .take(mc.div_ceil(mr))
            {
                let ib = ic + p * mr;
                for kk in 0..kc {
                    for ii in 0..mr {
                        let i = ib + ii;
                        panel[kk * mr + ii] = if i < ic + mc {
                            a.data[i * a.rs + (pc + kk) * a.cs]
                        } else {
                            T::ZERO
                        };
                    }
                }
            }
            for (p, bp) in bpack.chunks_exact(KC * nr).enumerate() {
                let jb = j0 + p * nr;
                let cols = nr.min(j1 - jb);
                for (q, ap) in apack
                    .chunks_exact(KC * mr)
                    .enumerate()
                    .take(mc.div_ceil(mr))
                {
                    let ib = ic + q * mr;
                    let rows = mr.min(ic + mc - ib);
                    if rows == mr && cols == nr {
                        T::kernel(kc, ap, bp, &mut out[ib * ldc + jb..], ldc);
                    } else {
                        // Edge tile: continue the partial sums in a scratch tile.
                        for r in 0..rows {
                            tile[r * nr..r * nr + cols]
                                .copy_from_slice(&out[(ib + r) * ldc + jb..][..cols]);
                        }
                        T::kernel(kc, ap, bp, &mut tile, nr);
                        for r in 0..rows {
                            out[(ib + r) * ldc + jb..][..cols]
                                .copy_from_slice(&tile[r * nr..r * nr + cols]);
                        }
                    }
                }
            }
        }
    }
}

//! The order in which numpy adds up each product and sum, so that every setting, not only the
//! book's defaults, gets the book's bits. Found by running numpy 2.4.6 (OpenBLAS 0.3.31, its
//! Haswell kernels, the build the golden files come from) on probe matrices and matching its
//! results bit for bit against candidate orders; the shapes of the probes and the orders are
//! listed in `testdata/golden/README.md`.
//!
//! - **Matrix products** (`gemm`): each output is an ascending chain of fused multiply-adds over
//!   `k`, cut into panels ([`k_panels`]): OpenBLAS multiplies a `k` panel at a time, each panel's
//!   chain starting from zero in registers and then added into the output. Up to one panel
//!   (256 for f64, 320 for f32) this is the plain chain.
//! - **Matrix times vector** (`gemv`): numpy sends a product with a dimension of 1 to BLAS's
//!   matrix-vector kernels ([`route`]), whose sums run in other orders ([`gemv_n`], [`gemv_t`]).
//! - **Column sums** (`np.sum(x, axis=0)`): row after row for a matrix, but numpy's pairwise sum
//!   for a single column (`super::bias::sum_rows`).

use std::ops::Range;

use super::mat_ref::MatRef;
use crate::float::Float;

/// The `k` ranges OpenBLAS's level-3 driver multiplies one after another for an inner dimension
/// of `k`, with the kernel's panel length `q` and row unroll `u`: whole panels of `q` while at
/// least two are left, then the rest in one piece, or, when it is longer than `q`, in two halves
/// (the first rounded up to a multiple of `u`).
pub fn k_panels(k: usize, q: usize, u: usize) -> impl Iterator<Item = Range<usize>> {
    let (q, u) = (q.max(1), u.max(1));
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= k {
            return None;
        }
        let left = k - start;
        let len = if left >= 2 * q {
            q
        } else if left > q {
            (left / 2).div_ceil(u) * u
        } else {
            left
        };
        let r = start..start + len;
        start += len;
        Some(r)
    })
}

/// Which BLAS call numpy's `dot` makes for an `m x k` by `k x n` product whose operands are
/// row-major (`false`) or transposed views (`true`, F-ordered in numpy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `gemm` (also an outer product, `k = 1`, and a scalar factor: single products).
    Gemm,
    /// `gemv` in OpenBLAS's column-major no-transpose kernel: `m` outputs, each a sum over `k`
    /// of the columns of a column-major `m x k` matrix (see [`gemv_n`]).
    GemvN,
    /// `gemv` in the transpose kernel: each output a dot product along a contiguous row of
    /// `k` (see [`gemv_t`]).
    GemvT,
    /// A row times a column: BLAS's `dot`, whose order is not modelled (the plain chain is used).
    Dot,
}

/// numpy's choice for `(m x k) · (k x n)` (`cblas_matrixproduct`): a vector (one dimension 1,
/// the other not) times a matrix goes to `gemv`, oriented by which operand is contiguous.
pub fn route(m: usize, k: usize, n: usize, a_transposed: bool, b_transposed: bool) -> Route {
    // numpy's shape classes: (1, 1) scalar, (1, >1) row, (>1, 1) column, else matrix.
    let matrix = |r: usize, c: usize| r > 1 && c > 1;
    let (a_matrix, b_matrix) = (matrix(m, k), matrix(k, n));
    let a_scalar = m == 1 && k == 1;
    let b_scalar = k == 1 && n == 1;
    if a_scalar || b_scalar || k == 1 {
        return Route::Gemm;
    }
    match (a_matrix, b_matrix) {
        // A matrix times a column: `gemv(NoTrans)` on the matrix, row-major unless transposed.
        (true, false) if n == 1 => {
            if a_transposed {
                Route::GemvN
            } else {
                Route::GemvT
            }
        }
        // A row times a matrix: `gemv(Trans)` on the matrix.
        (false, true) if m == 1 => {
            if b_transposed {
                Route::GemvT
            } else {
                Route::GemvN
            }
        }
        (false, false) if m == 1 && n == 1 => Route::Dot,
        _ => Route::Gemm,
    }
}

/// `out[i] = Σ_k a[i, k] · x[k]` as OpenBLAS's Haswell `dgemv_n` sums it, `a` being read as the
/// column-major `m x k` matrix of the call. Outputs in whole groups of four (all but the last
/// `m mod 4`) take the columns four at a time: `(fma(a2, x2, a0·x0) + fma(a3, x3, a1·x1))` added
/// to the output, then a pair `(a0·x0 + a1·x1)` and a single `a0·x0` for the rest. The last
/// `m mod 4` outputs are plain sums (multiply, then add), two terms at a time when the matrix is
/// exactly that tall (`contiguous_tail`), else one at a time.
pub fn gemv_n<T: Float>(a: MatRef<'_, T>, x: &impl Fn(usize) -> T, out: &mut [T]) {
    let (m, k) = (a.rows, a.cols);
    let tail = m & 3;
    let tall = m - tail;
    for (i, o) in out.iter_mut().enumerate().take(m) {
        let at = |kk: usize| a.at(i, kk) * x(kk);
        let mut acc = T::ZERO;
        if i < tall {
            let mut kk = 0;
            while kk + 4 <= k {
                let t4 = a.at(i, kk + 2).mul_add(x(kk + 2), at(kk));
                let t5 = a.at(i, kk + 3).mul_add(x(kk + 3), at(kk + 1));
                acc += t4 + t5;
                kk += 4;
            }
            if k - kk >= 2 {
                acc += at(kk) + at(kk + 1);
                kk += 2;
            }
            if kk < k {
                acc += at(kk);
            }
        } else {
            let mut kk = 0;
            if m == tail {
                while kk + 4 <= k {
                    acc += at(kk) + at(kk + 1);
                    acc += at(kk + 2) + at(kk + 3);
                    kk += 4;
                }
            }
            while kk < k {
                acc += at(kk);
                kk += 1;
            }
        }
        *o = acc;
    }
}

/// Terms `dgemv_t`'s kernel takes at a time (OpenBLAS's `NBMAX`).
const GEMV_T_BLOCK: usize = 2048;

/// `out[j] = Σ_k a[j, k] · x[k]` as OpenBLAS's Haswell `dgemv_t` sums it, `a` being the matrix
/// whose rows run along `k`. The first `k - k mod 4` terms go to a vector kernel: outputs in
/// groups of four keep four lanes of fused multiply-adds (term `k` in lane `k mod 4`) and add
/// them as `(l0 + l2) + (l1 + l3)`; a following pair of outputs keeps two lanes of plain
/// multiply-adds, a last single output lanes `{0, 1}` and `{2, 3}` added lane-wise, then across.
/// The last `k mod 4` terms are added after, fused as the compiler contracted them.
pub fn gemv_t<T: Float>(a: MatRef<'_, T>, x: &impl Fn(usize) -> T, out: &mut [T]) {
    let (n, k) = (a.rows, a.cols);
    let rest = k & 3;
    let body = k - rest;
    let n4 = n & !3;
    for (j, o) in out.iter_mut().enumerate().take(n) {
        let at = |kk: usize| a.at(j, kk);
        let mut y = T::ZERO;
        // The kernel takes `k` in blocks of at most 2048 terms, each block's sum added to `y`.
        for block in (0..body).step_by(GEMV_T_BLOCK) {
            let terms = block..(block + GEMV_T_BLOCK).min(body);
            let t = if j < n4 {
                let mut l = [T::ZERO; 4];
                for kk in terms {
                    l[kk % 4] = at(kk).mul_add(x(kk), l[kk % 4]);
                }
                (l[0] + l[2]) + (l[1] + l[3])
            } else if n & 2 != 0 && j < n4 + 2 {
                let mut l = [T::ZERO; 2];
                for kk in terms {
                    l[kk % 2] += at(kk) * x(kk);
                }
                l[0] + l[1]
            } else {
                let (mut lo, mut hi) = ([T::ZERO; 2], [T::ZERO; 2]);
                for kk in terms {
                    let half = if kk % 4 < 2 { &mut lo } else { &mut hi };
                    half[kk % 2] += at(kk) * x(kk);
                }
                (hi[0] + lo[0]) + (hi[1] + lo[1])
            };
            y += t;
        }
        let b = body;
        y = match rest {
            1 => at(b).mul_add(x(b), y),
            2 => y + at(b).mul_add(x(b), at(b + 1) * x(b + 1)),
            3 => y + at(b + 2).mul_add(x(b + 2), at(b).mul_add(x(b), at(b + 1) * x(b + 1))),
            _ => y,
        };
        *o = y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_follow_openblas_level3_blocking() {
        let p = |k: usize| k_panels(k, 256, 4).collect::<Vec<_>>();
        assert_eq!(p(256), vec![(0..256)]);
        assert_eq!(p(257), [0..128, 128..257]);
        assert_eq!(p(300), [0..152, 152..300]);
        assert_eq!(p(512), [0..256, 256..512]);
        assert_eq!(p(513), [0..256, 256..384, 384..513]);
        assert_eq!(p(1000), [0..256, 256..512, 512..756, 756..1000]);
        assert_eq!(p(0), []);
        // f32's kernel: 320 long, halves rounded to 8.
        let f = |k: usize| k_panels(k, 320, 8).collect::<Vec<_>>();
        assert_eq!(f(321), [0..160, 160..321]);
        assert_eq!(f(700), [0..320, 320..512, 512..700]);
    }

    #[test]
    fn numpy_sends_vectors_to_gemv() {
        // The book's layers with hidden size 1 (batch 30): x·W1, h·W2, hᵀ·dout, dout·W2ᵀ, xᵀ·dh.
        assert_eq!(route(30, 2, 1, false, false), Route::GemvT);
        assert_eq!(route(30, 1, 3, false, false), Route::Gemm);
        assert_eq!(route(1, 30, 3, true, false), Route::GemvN);
        assert_eq!(route(30, 3, 1, false, true), Route::GemvT);
        assert_eq!(route(2, 30, 1, true, false), Route::GemvN);
        // Batch 1: x·W1, h·W2, hᵀ·dout (outer), dout·W2ᵀ.
        assert_eq!(route(1, 2, 10, false, false), Route::GemvN);
        assert_eq!(route(1, 10, 3, false, false), Route::GemvN);
        assert_eq!(route(10, 1, 3, true, false), Route::Gemm);
        assert_eq!(route(1, 3, 10, false, true), Route::GemvT);
        assert_eq!(route(1, 5, 1, false, false), Route::Dot);
        assert_eq!(route(30, 10, 3, false, false), Route::Gemm);
    }
}

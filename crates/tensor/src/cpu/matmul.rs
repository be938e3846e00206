//! Matrix product with the book's rounding: numpy's, for every shape ([`super::blas_order`]). A
//! product is summed in OpenBLAS's `k` panels, each element of a panel one chain
//! `acc = fma(a[i,k], b[k,j], acc)` over ascending `k` from `acc = 0`, the panels added up; up to
//! one panel (256 for f64) that is the single chain, which reproduces the book's golden numbers.
//! A product with a dimension of 1 goes, as in numpy, to the matrix-vector kernels' orders (for
//! f64, the book's precision). The fused multiply-add is used on every machine: with hardware FMA
//! (detected at run time) it is one instruction, without it libm's correctly rounded `fma` gives
//! the same bits, only slower.

use super::CpuFloat;
use super::blas_order::k_panels;
pub use super::mat_ref::MatRef;

/// `out = a · b`, with `out` a row-major `a.rows x b.cols` slice.
///
/// # Panics
/// If the inner dimensions differ or `out` has the wrong length (callers in [`crate::ops`] check
/// shapes first and return errors).
pub fn matmul<T: CpuFloat>(a: MatRef<'_, T>, b: MatRef<'_, T>, out: &mut [T]) {
    assert_eq!(a.cols, b.rows, "matmul inner dimensions");
    assert_eq!(out.len(), a.rows * b.cols, "matmul output length");
    if gemv(a, b, out) {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("avx2") {
        let work = a.rows * a.cols * b.cols;
        if work >= BLOCKED_MIN_WORK {
            let threads = if work >= THREADED_MIN_WORK {
                super::parallel::threads()
            } else {
                1
            };
            super::gemm::gemm(a, b, out, threads);
        } else {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            unsafe { matmul_fma(a, b, out) };
        }
        return;
    }
    // Without the instruction sets (the browser's wasm32 too): the same register tiles, with
    // `mul_add` as libm's correctly rounded fma.
    matmul_small(a, b, out);
}

/// The products numpy sends to `gemv` (a vector times a matrix, in f64), summed in its kernels'
/// orders; `false` for every other product, which is left to the caller.
fn gemv<T: CpuFloat>(a: MatRef<'_, T>, b: MatRef<'_, T>, out: &mut [T]) -> bool {
    use super::blas_order::{Route, gemv_n, gemv_t, route};
    if T::DTYPE != crate::float::DType::F64 {
        return false;
    }
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let r = route(m, k, n, a.is_transposed(), b.is_transposed());
    if !matches!(r, Route::GemvN | Route::GemvT) {
        return false;
    }
    // A matrix times a column, or a row times a matrix (then the matrix is bᵀ's rows).
    let (matrix, x): (MatRef<'_, T>, &dyn Fn(usize) -> T) = if n == 1 {
        (a, &|kk| b.at(kk, 0))
    } else {
        (b.t(), &|kk| a.at(0, kk))
    };
    match r {
        Route::GemvN => gemv_n(matrix, &x, out),
        _ => gemv_t(matrix, &x, out),
    }
    true
}

/// Products of at least this many multiply-adds go to the blocked kernel (below it, packing costs
/// more than it saves; the chapter's own shapes stay on the simple loop).
pub const BLOCKED_MIN_WORK: usize = 1 << 16;

/// Products of at least this many multiply-adds are split across threads (a thread start costs
/// tens of microseconds).
pub const THREADED_MIN_WORK: usize = 1 << 22;

/// The same loop compiled with FMA enabled, so `mul_add` is one instruction.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma,avx2")]
unsafe fn matmul_fma<T: CpuFloat>(a: MatRef<'_, T>, b: MatRef<'_, T>, out: &mut [T]) {
    matmul_small(a, b, out);
}

/// The small-shape kernel: the output in register tiles of up to 4 x 4, each tile's sums kept in
/// registers for the whole `k` loop. Tiny products (the chapter's 30 x 10 x 3) are latency-bound: a
/// loop that loads, fuses and stores one output element per `k` waits on memory every step, while up
/// to sixteen independent register chains keep the FMA units busy. Each element is still its
/// ascending-`k` FMA chain starting from 0.
#[inline(always)]
fn matmul_small<T: CpuFloat>(a: MatRef<'_, T>, b: MatRef<'_, T>, out: &mut [T]) {
    let (m, n) = (a.rows, b.cols);
    let mut i = 0;
    while i < m {
        let rows = (m - i).min(4);
        let mut j = 0;
        while j < n {
            let cols = (n - j).min(4);
            match (rows, cols) {
                (4, 4) => tile::<T, 4, 4>(a, b, out, i, j),
                (4, 3) => tile::<T, 4, 3>(a, b, out, i, j),
                (4, 2) => tile::<T, 4, 2>(a, b, out, i, j),
                (4, _) => tile::<T, 4, 1>(a, b, out, i, j),
                (3, 4) => tile::<T, 3, 4>(a, b, out, i, j),
                (3, 3) => tile::<T, 3, 3>(a, b, out, i, j),
                (3, 2) => tile::<T, 3, 2>(a, b, out, i, j),
                (3, _) => tile::<T, 3, 1>(a, b, out, i, j),
                (2, 4) => tile::<T, 2, 4>(a, b, out, i, j),
                (2, 3) => tile::<T, 2, 3>(a, b, out, i, j),
                (2, 2) => tile::<T, 2, 2>(a, b, out, i, j),
                (2, _) => tile::<T, 2, 1>(a, b, out, i, j),
                (_, 4) => tile::<T, 1, 4>(a, b, out, i, j),
                (_, 3) => tile::<T, 1, 3>(a, b, out, i, j),
                (_, 2) => tile::<T, 1, 2>(a, b, out, i, j),
                _ => tile::<T, 1, 1>(a, b, out, i, j),
            }
            j += cols;
        }
        i += rows;
    }
}

/// `out[i..i+R, j..j+C] = a[i..i+R, :] · b[:, j..j+C]`, sums in registers, panel by panel.
#[inline(always)]
fn tile<T: CpuFloat, const R: usize, const C: usize>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    out: &mut [T],
    i: usize,
    j: usize,
) {
    let n = b.cols;
    let mut acc = [[T::ZERO; C]; R];
    for (pi, panel) in k_panels(a.cols, T::K_PANEL, T::K_UNROLL).enumerate() {
        let mut part = [[T::ZERO; C]; R];
        for p in panel {
            let bv: [T; C] = std::array::from_fn(|c| b.at(p, j + c));
            for (r, row) in part.iter_mut().enumerate() {
                let av = a.at(i + r, p);
                for (o, &bc) in row.iter_mut().zip(&bv) {
                    *o = av.mul_add(bc, *o);
                }
            }
        }
        if pi == 0 {
            acc = part;
        } else {
            for (row, prow) in acc.iter_mut().zip(&part) {
                for (o, &pv) in row.iter_mut().zip(prow) {
                    *o += pv;
                }
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        out[(i + r) * n + j..(i + r) * n + j + C].copy_from_slice(row);
    }
}

/// Each element summed panel by panel: within a panel one ascending-`k` chain of fused
/// multiply-adds from 0, the panels' sums added in order (the first one stored).
#[inline(always)]
fn matmul_body<T: CpuFloat>(a: MatRef<'_, T>, b: MatRef<'_, T>, out: &mut [T]) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    out.fill(T::ZERO);
    if n == 0 {
        return;
    }
    for (pi, panel) in k_panels(k, T::K_PANEL, T::K_UNROLL).enumerate() {
        for (i, orow) in out.chunks_exact_mut(n).enumerate().take(m) {
            for (j, o) in orow.iter_mut().enumerate() {
                let mut acc = T::ZERO;
                for p in panel.clone() {
                    acc = a.at(i, p).mul_add(b.at(p, j), acc);
                }
                *o = if pi == 0 { acc } else { *o + acc };
            }
        }
    }
}

/// The reference for the book's rounding of a matrix product (`gemm`): the panels' chains with
/// `mul_add` and no dispatch (libm's `fma` where the build has no FMA instructions: slow, exact).
/// Every fast `gemm` path must equal it bit for bit.
pub fn matmul_reference<T: CpuFloat>(a: MatRef<'_, T>, b: MatRef<'_, T>, out: &mut [T]) {
    matmul_body(a, b, out);
}

/// The textbook triple loop with separate multiply and add: the oracle the fast kernel is tested
/// against (equal within rounding, not bit for bit).
pub fn matmul_naive<T: CpuFloat>(a: MatRef<'_, T>, b: MatRef<'_, T>, out: &mut [T]) {
    let n = b.cols;
    for i in 0..a.rows {
        for j in 0..n {
            let mut acc = T::ZERO;
            for p in 0..a.cols {
                acc += a.at(i, p) * b.at(p, j);
            }
            out[i * n + j] = acc;
        }
    }
}

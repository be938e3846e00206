//! The bias of `Affine` on the CPU (book §1.3.5.2): the forward broadcast add and, as its
//! backward, the column sums (also the `Repeat` node's backward, §1.3.4.3).

use super::CpuFloat;

/// Column sums of a row-major `rows x cols` matrix (`np.sum(x, axis=0)`): numpy adds the rows one
/// after another, starting from zero; a single column is one contiguous line, which numpy sums
/// pairwise ([`super::reduce::pairwise_sum`]).
pub fn sum_rows<T: CpuFloat>(x: &[T], cols: usize, out: &mut [T]) {
    out.fill(T::ZERO);
    if cols == 0 {
        return;
    }
    if cols == 1 {
        if let Some(o) = out.first_mut() {
            *o = super::reduce::pairwise_sum(x.len(), &|i| x[i]);
        }
        return;
    }
    for row in x.chunks_exact(cols) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

/// `x + b` with `b` broadcast over the rows, written into `x` (the book's `np.dot(x, W) + b`).
pub fn add_row<T: CpuFloat>(x: &mut [T], b: &[T]) {
    if b.is_empty() {
        return;
    }
    for row in x.chunks_exact_mut(b.len()) {
        for (o, &bv) in row.iter_mut().zip(b) {
            *o += bv;
        }
    }
}

//! Row copies on the CPU: mini-batches by index and the `Repeat` node (book §1.3.4.3).

use super::CpuFloat;

/// `out[r] = src[idx[r]]` for row-major rows of `cols` values; every index is below the row count
/// of `src` (the dispatcher checked).
pub fn gather_rows<T: CpuFloat>(src: &[T], cols: usize, idx: &[usize], out: &mut [T]) {
    for (orow, &i) in out.chunks_exact_mut(cols.max(1)).zip(idx) {
        orow.copy_from_slice(&src[i * cols..(i + 1) * cols]);
    }
}

/// Every row of `out` (rows of `row.len()` values) becomes a copy of `row`.
pub fn repeat_rows<T: CpuFloat>(row: &[T], out: &mut [T]) {
    for orow in out.chunks_exact_mut(row.len().max(1)) {
        orow.copy_from_slice(row);
    }
}

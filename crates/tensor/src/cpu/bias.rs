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
    if x.is_empty() {
        return;
    }
    // Large inputs (W3's 512 x 1024 gradients): a band of columns per thread. Each column's sum
    // keeps its order, so the bits are the same on any number of threads.
    let band = super::parallel::chunk_len(x.len(), 1)
        .div_ceil(x.len() / cols)
        .max(1);
    let band = band.div_ceil(COLUMN_ALIGN) * COLUMN_ALIGN;
    if band < cols {
        let parts: Vec<_> = out.chunks_mut(band).enumerate().collect();
        super::pool::run_each(parts, |(i, o)| sum_columns(x, cols, i * band, o));
        return;
    }
    sum_columns(x, cols, 0, out);
}

/// Columns per thread are a multiple of this: 64 bytes of f32, so the bands do not share the
/// output's cache lines.
const COLUMN_ALIGN: usize = 16;

/// Adds columns `j0..j0 + out.len()` of `x`, row after row, into `out`.
fn sum_columns<T: CpuFloat>(x: &[T], cols: usize, j0: usize, out: &mut [T]) {
    for row in x.chunks_exact(cols) {
        for (o, &v) in out.iter_mut().zip(&row[j0..]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Split across threads or not, every column is summed row after row from zero.
    #[test]
    fn column_bands_sum_in_the_rows_order() {
        // Under miri only the shapes that reach the split (66 x 1000 is past the threshold).
        let shapes: &[(usize, usize)] = if cfg!(miri) {
            &[(66, 1000), (3, 5), (0, 4)]
        } else {
            &[(300, 1000), (3, 5), (0, 4), (70_000, 1), (9000, 10)]
        };
        for &(rows, cols) in shapes {
            let x: Vec<f32> = (0..rows * cols)
                .map(|i| ((i * 7919 % 1013) as f32 - 500.0) * 1.37e-3)
                .collect();
            let mut want = vec![0.0f32; cols];
            if cols == 1 {
                want[0] = super::super::reduce::pairwise_sum(x.len(), &|i| x[i]);
            } else {
                for row in x.chunks_exact(cols) {
                    for (w, &v) in want.iter_mut().zip(row) {
                        *w += v;
                    }
                }
            }
            let mut got = vec![f32::NAN; cols];
            sum_rows(&x, cols, &mut got);
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(g, w)| g.to_bits() == w.to_bits()),
                "{rows} x {cols}"
            );
        }
    }
}

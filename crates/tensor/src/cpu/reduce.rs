//! Sums and row-wise reductions, in numpy's order of additions.

use super::CpuFloat;

/// numpy's `pairwise_sum` of `n` values `get(0..n)`: what `np.sum` does along a contiguous axis.
///
/// Below 8 values it adds in order; up to 128 it keeps 8 running sums (element `i` goes to sum
/// `i % 8`) and combines them as `((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7))`, then adds the leftovers;
/// above that it splits in two halves (the first a multiple of 8 long) and recurses. Matching this
/// keeps losses bit-identical to the book's.
#[inline]
pub fn pairwise_sum<T: CpuFloat>(n: usize, get: &impl Fn(usize) -> T) -> T {
    pairwise_from(0, n, get)
}

fn pairwise_from<T: CpuFloat>(start: usize, n: usize, get: &impl Fn(usize) -> T) -> T {
    if n < 8 {
        let mut res = T::ZERO;
        for i in 0..n {
            res += get(start + i);
        }
        res
    } else if n <= 128 {
        let mut r = [T::ZERO; 8];
        for (j, rj) in r.iter_mut().enumerate() {
            *rj = get(start + j);
        }
        let mut i = 8;
        while i < n - n % 8 {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += get(start + i + j);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += get(start + i);
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_from(start, n2, get) + pairwise_from(start + n2, n - n2, get)
    }
}

/// `np.sum(x ** 2)` over all elements (pairwise).
pub fn sum_squares<T: CpuFloat>(x: &[T]) -> T {
    pairwise_sum(x.len(), &|i| x[i] * x[i])
}

/// Index of the first largest value of each row (`np.argmax(x, axis=1)`); a NaN counts as the
/// largest, as in numpy.
pub fn argmax_rows<T: CpuFloat>(x: &[T], cols: usize, out: &mut Vec<usize>) {
    out.clear();
    if cols == 0 {
        return;
    }
    for row in x.chunks_exact(cols) {
        let mut best = 0;
        if !row[0].is_nan() {
            for (j, &v) in row.iter().enumerate().skip(1) {
                if v.is_nan() {
                    best = j;
                    break;
                }
                if v > row[best] {
                    best = j;
                }
            }
        }
        out.push(best);
    }
}

/// `x *= s` (gradient clipping).
pub fn scale<T: CpuFloat>(x: &mut [T], s: T) {
    for v in x.iter_mut() {
        *v *= s;
    }
}

/// Whether every value is finite. Checked in blocks without early exit inside a block, so the
/// check runs in vector lanes (a short-circuiting `all` cannot); a bad block still stops the scan.
pub fn all_finite<T: CpuFloat>(x: &[T]) -> bool {
    let chunk = super::parallel::chunk_len(x.len(), 256);
    if chunk < x.len() {
        let ok = std::sync::atomic::AtomicBool::new(true);
        super::pool::run_each(x.chunks(chunk).collect(), |part| {
            if !all_finite_one_thread(part) {
                ok.store(false, std::sync::atomic::Ordering::Relaxed);
            }
        });
        return ok.into_inner();
    }
    all_finite_one_thread(x)
}

fn all_finite_one_thread<T: CpuFloat>(x: &[T]) -> bool {
    x.chunks(256)
        .all(|block| block.iter().fold(true, |ok, v| ok & v.is_finite()))
}

#[cfg(test)]
mod tests {
    use super::all_finite;

    #[test]
    fn one_bad_value_anywhere_in_a_threaded_check_is_found() {
        // Large enough to be split across threads; the bad value in each position class.
        let n = 3 << 16;
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for at in [0, 255, 256, n / 2, n - 1] {
                let mut x = vec![1.0f64; n];
                assert!(all_finite(&x));
                x[at] = bad;
                assert!(!all_finite(&x), "{bad} at {at} of {n}");
            }
        }
        assert!(all_finite::<f32>(&[]));
    }
}

//! Softmax and the softmax-with-cross-entropy loss (book §1.3.1, `common/functions.py`,
//! `common/layers.py: Softmax, SoftmaxWithLoss`).

use super::CpuFloat;
use super::reduce::pairwise_sum;

/// Row-wise softmax: `e = exp(x - max(x))`, `out = e / sum(e)` (numpy's pairwise row sum), with
/// [`CpuFloat::exp_train_in_place`].
pub fn softmax<T: CpuFloat>(x: &[T], cols: usize, out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { softmax_avx2(x, cols, out) };
        return;
    }
    softmax_body(x, cols, out);
}

/// The same loop compiled with FMA, which the f32 `exp` is built on.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_avx2<T: CpuFloat>(x: &[T], cols: usize, out: &mut [T]) {
    softmax_body(x, cols, out);
}

#[inline(always)]
fn softmax_body<T: CpuFloat>(x: &[T], cols: usize, out: &mut [T]) {
    if cols == 0 {
        return;
    }
    let n = x.len().min(out.len());
    let out = &mut out[..n];
    for (row, orow) in x.chunks_exact(cols).zip(out.chunks_exact_mut(cols)) {
        let mut max = row[0];
        for &v in &row[1..] {
            if v > max {
                max = v;
            }
        }
        for (o, &v) in orow.iter_mut().zip(row) {
            *o = v - max;
        }
    }
    // One `exp` pass over every row: rows of the chapter's 3 classes are too short for vector
    // lanes on their own.
    T::exp_train_in_place(out);
    for orow in out.chunks_exact_mut(cols) {
        let sum = pairwise_sum(cols, &|j| orow[j]);
        for o in orow.iter_mut() {
            *o /= sum;
        }
    }
}

/// The book's cross-entropy of softmax outputs `y` for class indices `t`:
/// `-sum(log(y[n, t_n] + 1e-7)) / N`.
pub fn cross_entropy<T: CpuFloat>(y: &[T], cols: usize, t: &[u32]) -> T {
    let n = t.len();
    let eps = T::from_f64(1e-7);
    let sum = if n <= LOGS_ON_STACK {
        // The logs in one pass first, so that they run in vector lanes; then summed in numpy's
        // order, as below.
        let mut logs = [T::ZERO; LOGS_ON_STACK];
        for ((l, &ti), i) in logs.iter_mut().zip(t).zip(0..) {
            *l = y[i * cols + ti as usize] + eps;
        }
        T::ln_train_in_place(&mut logs[..n]);
        pairwise_sum(n, &|i| logs[i])
    } else {
        pairwise_sum(n, &|i| (y[i * cols + t[i] as usize] + eps).ln_train())
    };
    -sum / T::from_f64(n as f64)
}

/// Batches up to this size take their logs in one pass from a buffer on the stack (2 KiB in f64).
const LOGS_ON_STACK: usize = 256;

/// Gradient of the loss w.r.t. the scores: `dx = (y - onehot(t)) * dout / N`.
pub fn softmax_cross_entropy_backward<T: CpuFloat>(
    y: &[T],
    cols: usize,
    t: &[u32],
    dout: T,
    dx: &mut [T],
) {
    let n = T::from_f64(t.len() as f64);
    dx.copy_from_slice(y);
    for (row, &c) in dx.chunks_exact_mut(cols).zip(t) {
        row[c as usize] -= T::ONE;
    }
    for d in dx.iter_mut() {
        *d = *d * dout / n;
    }
}

/// Backward of a plain softmax layer: `dx = y * dout - y * sum(y * dout, axis=1)`.
pub fn softmax_backward<T: CpuFloat>(y: &[T], dout: &[T], cols: usize, dx: &mut [T]) {
    if cols == 0 {
        return;
    }
    for ((yrow, grow), drow) in y
        .chunks_exact(cols)
        .zip(dout.chunks_exact(cols))
        .zip(dx.chunks_exact_mut(cols))
    {
        for ((d, &yv), &g) in drow.iter_mut().zip(yrow).zip(grow) {
            *d = yv * g;
        }
        let s = pairwise_sum(cols, &|j| drow[j]);
        for (d, &yv) in drow.iter_mut().zip(yrow) {
            *d -= yv * s;
        }
    }
}

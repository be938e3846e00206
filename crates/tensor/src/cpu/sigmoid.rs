//! The sigmoid (book §1.2.1, `common/layers.py: Sigmoid`).

use super::CpuFloat;

/// `out = 1 / (1 + exp(-x))`, with [`CpuFloat::exp_train_in_place`].
pub fn sigmoid<T: CpuFloat>(x: &[T], out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { sigmoid_avx2(x, out) };
        return;
    }
    sigmoid_body(x, out);
}

/// The same loop compiled for AVX2, so the f32 path (vectorized `exp`) runs 8 lanes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sigmoid_avx2<T: CpuFloat>(x: &[T], out: &mut [T]) {
    sigmoid_body(x, out);
}

#[inline(always)]
fn sigmoid_body<T: CpuFloat>(x: &[T], out: &mut [T]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = -v;
    }
    reciprocal_one_plus_exp(out);
}

/// `out = 1 / (1 + exp(-(x + b)))` with `b` one row of `x`'s width added to every row; `x + b` is
/// rounded to `T` first, as a separate bias add would.
pub fn add_row_sigmoid<T: CpuFloat>(x: &[T], b: &[T], out: &mut [T]) {
    let chunk = super::parallel::chunk_len(out.len(), b.len());
    if chunk < out.len() {
        // Large layers (W3's 512 x 1024): whole rows per thread.
        let parts: Vec<_> = x.chunks(chunk).zip(out.chunks_mut(chunk)).collect();
        super::pool::run_each(parts, |(xc, oc)| add_row_sigmoid_one_thread(xc, b, oc));
        return;
    }
    add_row_sigmoid_one_thread(x, b, out);
}

fn add_row_sigmoid_one_thread<T: CpuFloat>(x: &[T], b: &[T], out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { add_row_sigmoid_avx2(x, b, out) };
        return;
    }
    add_row_sigmoid_body(x, b, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn add_row_sigmoid_avx2<T: CpuFloat>(x: &[T], b: &[T], out: &mut [T]) {
    add_row_sigmoid_body(x, b, out);
}

#[inline(always)]
fn add_row_sigmoid_body<T: CpuFloat>(x: &[T], b: &[T], out: &mut [T]) {
    if b.is_empty() {
        return;
    }
    for (orow, xrow) in out.chunks_exact_mut(b.len()).zip(x.chunks_exact(b.len())) {
        for ((o, &v), &bias) in orow.iter_mut().zip(xrow).zip(b) {
            *o = v + bias;
        }
    }
    // A second, flat pass: rows as narrow as the chapter's 10 units would leave a fifth of the
    // vectorized `exp` to scalar remainders.
    for o in out.iter_mut() {
        *o = -*o;
    }
    reciprocal_one_plus_exp(out);
}

/// `v = 1 / (1 + exp(v))` in place, the `exp` over the whole slice at once so that it runs in
/// vector lanes.
#[inline(always)]
fn reciprocal_one_plus_exp<T: CpuFloat>(v: &mut [T]) {
    T::exp_train_in_place(v);
    for o in v.iter_mut() {
        *o = T::ONE / (T::ONE + *o);
    }
}

/// `dx = dout * (1 - y) * y`, with `y` the forward output (the book's order of operations).
pub fn sigmoid_backward<T: CpuFloat>(dout: &[T], y: &[T], dx: &mut [T]) {
    let chunk = super::parallel::chunk_len(dx.len(), 1);
    if chunk < dx.len() {
        let parts: Vec<_> = dout
            .chunks(chunk)
            .zip(y.chunks(chunk))
            .zip(dx.chunks_mut(chunk))
            .collect();
        super::pool::run_each(parts, |((dc, yc), xc)| {
            sigmoid_backward_one_thread(dc, yc, xc)
        });
        return;
    }
    sigmoid_backward_one_thread(dout, y, dx);
}

fn sigmoid_backward_one_thread<T: CpuFloat>(dout: &[T], y: &[T], dx: &mut [T]) {
    for ((d, &g), &yv) in dx.iter_mut().zip(dout).zip(y) {
        *d = g * (T::ONE - yv) * yv;
    }
}

//! The sigmoid (book §1.2.1, `common/layers.py: Sigmoid`).

use crate::float::Float;

/// `out = 1 / (1 + exp(-x))`.
pub fn sigmoid<T: Float>(x: &[T], out: &mut [T]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = T::ONE / (T::ONE + (-v).exp());
    }
}

/// `dx = dout * (1 - y) * y`, with `y` the forward output (the book's order of operations).
pub fn sigmoid_backward<T: Float>(dout: &[T], y: &[T], dx: &mut [T]) {
    for ((d, &g), &yv) in dx.iter_mut().zip(dout).zip(y) {
        *d = g * (T::ONE - yv) * yv;
    }
}

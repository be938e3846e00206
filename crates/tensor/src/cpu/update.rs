//! Elementwise optimizer updates (book `common/optimizer.py`), in the book's order of operations
//! so that results match numpy bit for bit. Scalars such as `(1 + momentum) * lr` are computed by
//! the caller in `f64` (Python floats) and rounded to `T` once, as numpy does with a Python scalar.

use crate::float::Float;

/// SGD: `p -= lr * g`.
pub fn sgd<T: Float>(p: &mut [T], g: &[T], lr: T) {
    for (p, &g) in p.iter_mut().zip(g) {
        *p -= lr * g;
    }
}

/// Momentum: `v = momentum * v - lr * g; p += v`.
pub fn momentum<T: Float>(p: &mut [T], v: &mut [T], g: &[T], lr: T, momentum: T) {
    for ((p, v), &g) in p.iter_mut().zip(v.iter_mut()).zip(g) {
        *v = momentum * *v - lr * g;
        *p += *v;
    }
}

/// Nesterov: `v *= m; v -= lr * g; p += (m * m) * v; p -= ((1 + m) * lr) * g`.
/// `mm = m * m` and `one_plus_m_lr = (1 + m) * lr` come precomputed.
pub fn nesterov<T: Float>(p: &mut [T], v: &mut [T], g: &[T], lr: T, m: T, mm: T, one_plus_m_lr: T) {
    for ((p, v), &g) in p.iter_mut().zip(v.iter_mut()).zip(g) {
        *v *= m;
        *v -= lr * g;
        *p += mm * *v;
        *p -= one_plus_m_lr * g;
    }
}

/// AdaGrad: `h += g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
pub fn adagrad<T: Float>(p: &mut [T], h: &mut [T], g: &[T], lr: T) {
    let eps = T::from_f64(1e-7);
    for ((p, h), &g) in p.iter_mut().zip(h.iter_mut()).zip(g) {
        *h += g * g;
        *p -= lr * g / (h.sqrt() + eps);
    }
}

/// RMSprop: `h *= d; h += (1 - d) * g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
pub fn rmsprop<T: Float>(p: &mut [T], h: &mut [T], g: &[T], lr: T, decay: T, one_minus_decay: T) {
    let eps = T::from_f64(1e-7);
    for ((p, h), &g) in p.iter_mut().zip(h.iter_mut()).zip(g) {
        *h *= decay;
        *h += one_minus_decay * g * g;
        *p -= lr * g / (h.sqrt() + eps);
    }
}

/// Adam: `m += (1 - b1) * (g - m); v += (1 - b2) * (g * g - v); p -= lr_t * m / (sqrt(v) + 1e-7)`.
pub fn adam<T: Float>(
    p: &mut [T],
    m: &mut [T],
    v: &mut [T],
    g: &[T],
    lr_t: T,
    one_minus_b1: T,
    one_minus_b2: T,
) {
    let eps = T::from_f64(1e-7);
    for (((p, m), v), &g) in p.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g) {
        *m += one_minus_b1 * (g - *m);
        *v += one_minus_b2 * (g * g - *v);
        *p -= lr_t * *m / (v.sqrt() + eps);
    }
}

/// `x *= s` (gradient clipping).
pub fn scale<T: Float>(x: &mut [T], s: T) {
    for v in x.iter_mut() {
        *v *= s;
    }
}

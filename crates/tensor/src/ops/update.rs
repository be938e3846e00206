//! Optimizer updates as fused elementwise ops over one parameter (book `common/optimizer.py`).
//! Hyper-parameter scalars are combined in `f64` and rounded to `T` once, as numpy does.

use super::same_shape;
use crate::cpu;
use crate::error::Result;
use crate::float::Float;
use crate::tensor::Tensor;

/// `p -= lr * g`.
pub fn sgd<T: Float>(p: &mut Tensor<T>, g: &Tensor<T>, lr: f64) -> Result<()> {
    same_shape("sgd", p, g)?;
    #[cfg(feature = "cuda")]
    if p.device() != crate::Device::Cpu {
        return crate::cuda::ops::update("sgd", p, &mut [], g, &[T::from_f64(lr)]);
    }
    cpu::update::sgd(p.cpu_mut(), g.cpu(), T::from_f64(lr));
    Ok(())
}

/// `v = momentum * v - lr * g; p += v`.
pub fn momentum<T: Float>(
    p: &mut Tensor<T>,
    v: &mut Tensor<T>,
    g: &Tensor<T>,
    lr: f64,
    momentum: f64,
) -> Result<()> {
    same_shape("momentum", p, g)?;
    same_shape("momentum", v, g)?;
    #[cfg(feature = "cuda")]
    if p.device() != crate::Device::Cpu {
        return crate::cuda::ops::update(
            "momentum",
            p,
            &mut [v],
            g,
            &[T::from_f64(lr), T::from_f64(momentum)],
        );
    }
    cpu::update::momentum(
        p.cpu_mut(),
        v.cpu_mut(),
        g.cpu(),
        T::from_f64(lr),
        T::from_f64(momentum),
    );
    Ok(())
}

/// `v *= m; v -= lr * g; p += m * m * v; p -= (1 + m) * lr * g`.
pub fn nesterov<T: Float>(
    p: &mut Tensor<T>,
    v: &mut Tensor<T>,
    g: &Tensor<T>,
    lr: f64,
    momentum: f64,
) -> Result<()> {
    same_shape("nesterov", p, g)?;
    same_shape("nesterov", v, g)?;
    #[cfg(feature = "cuda")]
    if p.device() != crate::Device::Cpu {
        return crate::cuda::ops::update(
            "nesterov",
            p,
            &mut [v],
            g,
            &[
                T::from_f64(lr),
                T::from_f64(momentum),
                T::from_f64(momentum * momentum),
                T::from_f64((1.0 + momentum) * lr),
            ],
        );
    }
    cpu::update::nesterov(
        p.cpu_mut(),
        v.cpu_mut(),
        g.cpu(),
        T::from_f64(lr),
        T::from_f64(momentum),
        T::from_f64(momentum * momentum),
        T::from_f64((1.0 + momentum) * lr),
    );
    Ok(())
}

/// `h += g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
pub fn adagrad<T: Float>(
    p: &mut Tensor<T>,
    h: &mut Tensor<T>,
    g: &Tensor<T>,
    lr: f64,
) -> Result<()> {
    same_shape("adagrad", p, g)?;
    same_shape("adagrad", h, g)?;
    #[cfg(feature = "cuda")]
    if p.device() != crate::Device::Cpu {
        return crate::cuda::ops::update("adagrad", p, &mut [h], g, &[T::from_f64(lr)]);
    }
    cpu::update::adagrad(p.cpu_mut(), h.cpu_mut(), g.cpu(), T::from_f64(lr));
    Ok(())
}

/// `h *= d; h += (1 - d) * g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
pub fn rmsprop<T: Float>(
    p: &mut Tensor<T>,
    h: &mut Tensor<T>,
    g: &Tensor<T>,
    lr: f64,
    decay: f64,
) -> Result<()> {
    same_shape("rmsprop", p, g)?;
    same_shape("rmsprop", h, g)?;
    #[cfg(feature = "cuda")]
    if p.device() != crate::Device::Cpu {
        return crate::cuda::ops::update(
            "rmsprop",
            p,
            &mut [h],
            g,
            &[
                T::from_f64(lr),
                T::from_f64(decay),
                T::from_f64(1.0 - decay),
            ],
        );
    }
    cpu::update::rmsprop(
        p.cpu_mut(),
        h.cpu_mut(),
        g.cpu(),
        T::from_f64(lr),
        T::from_f64(decay),
        T::from_f64(1.0 - decay),
    );
    Ok(())
}

/// `m += (1 - b1) * (g - m); v += (1 - b2) * (g * g - v); p -= lr_t * m / (sqrt(v) + 1e-7)`,
/// with `lr_t` the bias-corrected rate the caller computes for this step.
#[allow(clippy::too_many_arguments)]
pub fn adam<T: Float>(
    p: &mut Tensor<T>,
    m: &mut Tensor<T>,
    v: &mut Tensor<T>,
    g: &Tensor<T>,
    lr_t: f64,
    beta1: f64,
    beta2: f64,
) -> Result<()> {
    same_shape("adam", p, g)?;
    same_shape("adam", m, g)?;
    same_shape("adam", v, g)?;
    #[cfg(feature = "cuda")]
    if p.device() != crate::Device::Cpu {
        return crate::cuda::ops::update(
            "adam",
            p,
            &mut [m, v],
            g,
            &[
                T::from_f64(lr_t),
                T::from_f64(1.0 - beta1),
                T::from_f64(1.0 - beta2),
            ],
        );
    }
    cpu::update::adam(
        p.cpu_mut(),
        m.cpu_mut(),
        v.cpu_mut(),
        g.cpu(),
        T::from_f64(lr_t),
        T::from_f64(1.0 - beta1),
        T::from_f64(1.0 - beta2),
    );
    Ok(())
}

//! Optimizer updates as fused elementwise ops (book `common/optimizer.py`): over one param
//! ([`update`] and the per-rule functions), or over all of a model's params at once
//! ([`update_params`]: one kernel launch on a GPU).
//!
//! Hyper-parameter scalars are combined in `f64` and rounded to `T` once, as numpy does.

use super::same_shape;
use crate::cpu;
use crate::error::{Result, TensorError};
use crate::float::Float;
use crate::params::Params;
use crate::tensor::Tensor;

/// One optimizer rule with its hyper-parameters for this step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// `p -= lr * g`.
    Sgd {
        /// Learning rate.
        lr: f64,
    },
    /// `v = momentum * v - lr * g; p += v` (state: `v`).
    Momentum {
        /// Learning rate.
        lr: f64,
        /// Momentum factor.
        momentum: f64,
    },
    /// `v *= m; v -= lr * g; p += m * m * v; p -= (1 + m) * lr * g` (state: `v`).
    Nesterov {
        /// Learning rate.
        lr: f64,
        /// Momentum factor `m`.
        momentum: f64,
    },
    /// `h += g * g; p -= lr * g / (sqrt(h) + 1e-7)` (state: `h`).
    AdaGrad {
        /// Learning rate.
        lr: f64,
    },
    /// `h *= d; h += (1 - d) * g * g; p -= lr * g / (sqrt(h) + 1e-7)` (state: `h`).
    RmsProp {
        /// Learning rate.
        lr: f64,
        /// Decay rate `d`.
        decay: f64,
    },
    /// `m += (1 - b1) * (g - m); v += (1 - b2) * (g * g - v); p -= lr_t * m / (sqrt(v) + 1e-7)`
    /// (state: `m`, `v`), with `lr_t` the bias-corrected rate the caller computes for this step.
    Adam {
        /// This step's bias-corrected learning rate.
        lr_t: f64,
        /// `beta1`.
        beta1: f64,
        /// `beta2`.
        beta2: f64,
    },
}

impl Rule {
    /// The kernel's name (`"sgd"`, ...): `<name>_f32`, `<name>_multi_f64`, ... in `kernels.cu`.
    pub fn kernel(&self) -> &'static str {
        match self {
            Rule::Sgd { .. } => "sgd",
            Rule::Momentum { .. } => "momentum",
            Rule::Nesterov { .. } => "nesterov",
            Rule::AdaGrad { .. } => "adagrad",
            Rule::RmsProp { .. } => "rmsprop",
            Rule::Adam { .. } => "adam",
        }
    }

    /// How many state tensors per param the rule keeps (0, 1 or 2).
    pub fn state_slots(&self) -> usize {
        match self {
            Rule::Sgd { .. } => 0,
            Rule::Adam { .. } => 2,
            _ => 1,
        }
    }

    /// The update's scalars rounded to `T` once (from `f64`, as numpy rounds a Python float), in
    /// the order the kernels take them, and how many there are; the rest are zero.
    pub fn scalars<T: Float>(&self) -> ([T; 4], usize) {
        let t = T::from_f64;
        match *self {
            Rule::Sgd { lr } | Rule::AdaGrad { lr } => ([t(lr), T::ZERO, T::ZERO, T::ZERO], 1),
            Rule::Momentum { lr, momentum } => ([t(lr), t(momentum), T::ZERO, T::ZERO], 2),
            Rule::Nesterov { lr, momentum: m } => ([t(lr), t(m), t(m * m), t((1.0 + m) * lr)], 4),
            Rule::RmsProp { lr, decay } => ([t(lr), t(decay), t(1.0 - decay), T::ZERO], 3),
            Rule::Adam {
                lr_t, beta1, beta2, ..
            } => ([t(lr_t), t(1.0 - beta1), t(1.0 - beta2), T::ZERO], 3),
        }
    }

    /// The update on the CPU.
    fn apply_cpu<T: Float>(&self, p: &mut [T], s1: &mut [T], s2: &mut [T], g: &[T]) {
        let ([a, b, c, d], _) = self.scalars::<T>();
        match self {
            Rule::Sgd { .. } => cpu::update::sgd(p, g, a),
            Rule::Momentum { .. } => cpu::update::momentum(p, s1, g, a, b),
            Rule::Nesterov { .. } => cpu::update::nesterov(p, s1, g, a, b, c, d),
            Rule::AdaGrad { .. } => cpu::update::adagrad(p, s1, g, a),
            Rule::RmsProp { .. } => cpu::update::rmsprop(p, s1, g, a, b, c),
            Rule::Adam { .. } => cpu::update::adam(p, s1, s2, g, a, b, c),
        }
    }
}

/// Checks one param's update operands: the grad and every state tensor have the param's shape and
/// device, and there are as many state tensors as the rule keeps.
pub(crate) fn check_operands<T: Float>(
    rule: &Rule,
    p: &Tensor<T>,
    state: &[&mut Tensor<T>],
    g: &Tensor<T>,
) -> Result<()> {
    let op = rule.kernel();
    same_shape(op, p, g)?;
    if state.len() != rule.state_slots() {
        return Err(TensorError::ShapeMismatch {
            op,
            lhs: (rule.state_slots(), 0),
            rhs: (state.len(), 0),
        });
    }
    for s in state {
        same_shape(op, s, g)?;
    }
    Ok(())
}

/// One update of param `p` from its grad `g` with the rule's `state` tensors (in the order the
/// rule names them).
pub fn update<T: Float>(
    rule: Rule,
    p: &mut Tensor<T>,
    state: &mut [&mut Tensor<T>],
    g: &Tensor<T>,
) -> Result<()> {
    check_operands(&rule, p, state, g)?;
    #[cfg(feature = "cuda")]
    if p.device() != crate::Device::Cpu {
        return crate::cuda::ops::update(&rule, p, state, g);
    }
    let (mut e1, mut e2) = ([T::ZERO; 0], [T::ZERO; 0]);
    let (s1, s2) = match state {
        [] => (&mut e1[..], &mut e2[..]),
        [a] => (a.cpu_mut(), &mut e2[..]),
        [a, b, ..] => (a.cpu_mut(), b.cpu_mut()),
    };
    rule.apply_cpu(p.cpu_mut(), s1, s2, g.cpu());
    Ok(())
}

/// One update of every param of `params` from its grad; `state[k][i]` is the rule's `k`-th state
/// tensor for the `i`-th param (in visiting order).
///
/// The same numbers as [`update`] per param. On a GPU all params go to one kernel launch.
pub fn update_params<T: Float>(
    rule: Rule,
    params: &mut dyn Params<T>,
    state: &mut [&mut [Tensor<T>]],
) -> Result<()> {
    let count = params.param_count();
    if state.len() != rule.state_slots() || state.iter().any(|s| s.len() != count) {
        return Err(TensorError::ShapeMismatch {
            op: rule.kernel(),
            lhs: (count, rule.state_slots()),
            rhs: (state.first().map_or(0, |s| s.len()), state.len()),
        });
    }
    #[cfg(feature = "cuda")]
    if super::update::params_device(params)? != crate::Device::Cpu {
        return crate::cuda::multi::update_params(&rule, params, state);
    }
    let mut i = 0;
    params.visit_params(&mut |p| {
        let (first, rest) = state.split_at_mut(state.len().min(1));
        let slots = [
            first.first_mut().and_then(|s| s.get_mut(i)),
            rest.first_mut().and_then(|s| s.get_mut(i)),
        ];
        i += 1;
        // A missing slot leaves `update` with too few state tensors: a typed error, not a panic.
        match slots {
            [Some(a), Some(b)] => update(rule, p.value, &mut [a, b], p.grad),
            [Some(a), None] => update(rule, p.value, &mut [a], p.grad),
            _ => update(rule, p.value, &mut [], p.grad),
        }
    })
}

#[cfg(feature = "cuda")]
/// The device of a model's params: the first param's, after checking that all share it
/// ([`crate::Device::Cpu`] for a model without params).
pub(crate) fn params_device<T: Float>(params: &mut dyn Params<T>) -> Result<crate::Device> {
    let mut device = None;
    params.visit_params(&mut |p| {
        let d = *device.get_or_insert(p.value.device());
        for t in [&*p.value, &*p.grad] {
            if t.device() != d {
                return Err(TensorError::DeviceMismatch {
                    op: "params",
                    lhs: d,
                    rhs: t.device(),
                });
            }
        }
        Ok(())
    })?;
    Ok(device.unwrap_or(crate::Device::Cpu))
}

/// `p -= lr * g`.
pub fn sgd<T: Float>(p: &mut Tensor<T>, g: &Tensor<T>, lr: f64) -> Result<()> {
    update(Rule::Sgd { lr }, p, &mut [], g)
}

/// `v = momentum * v - lr * g; p += v`.
pub fn momentum<T: Float>(
    p: &mut Tensor<T>,
    v: &mut Tensor<T>,
    g: &Tensor<T>,
    lr: f64,
    momentum: f64,
) -> Result<()> {
    update(Rule::Momentum { lr, momentum }, p, &mut [v], g)
}

/// `v *= m; v -= lr * g; p += m * m * v; p -= (1 + m) * lr * g`.
pub fn nesterov<T: Float>(
    p: &mut Tensor<T>,
    v: &mut Tensor<T>,
    g: &Tensor<T>,
    lr: f64,
    momentum: f64,
) -> Result<()> {
    update(Rule::Nesterov { lr, momentum }, p, &mut [v], g)
}

/// `h += g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
pub fn adagrad<T: Float>(
    p: &mut Tensor<T>,
    h: &mut Tensor<T>,
    g: &Tensor<T>,
    lr: f64,
) -> Result<()> {
    update(Rule::AdaGrad { lr }, p, &mut [h], g)
}

/// `h *= d; h += (1 - d) * g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
pub fn rmsprop<T: Float>(
    p: &mut Tensor<T>,
    h: &mut Tensor<T>,
    g: &Tensor<T>,
    lr: f64,
    decay: f64,
) -> Result<()> {
    update(Rule::RmsProp { lr, decay }, p, &mut [h], g)
}

/// `m += (1 - b1) * (g - m); v += (1 - b2) * (g * g - v); p -= lr_t * m / (sqrt(v) + 1e-7)`,
/// with `lr_t` the bias-corrected rate the caller computes for this step.
pub fn adam<T: Float>(
    p: &mut Tensor<T>,
    m: &mut Tensor<T>,
    v: &mut Tensor<T>,
    g: &Tensor<T>,
    lr_t: f64,
    beta1: f64,
    beta2: f64,
) -> Result<()> {
    update(Rule::Adam { lr_t, beta1, beta2 }, p, &mut [m, v], g)
}

//! The book's optimizer update rules (`common/optimizer.py`), each written once: the [`Rule`] with
//! its hyper-parameters, the book's defaults, and one element function per rule (`sgd_at`, ...)
//! in the book's order of operations. The CPU backend loops over these functions; `kernels.cu`
//! mirrors each under the same name (`momentum_at`, ...) for the GPU.
//!
//! Scalars such as `(1 + momentum) * lr` are combined in `f64` (Python floats) and rounded to `T`
//! once, as numpy does with a Python scalar, so f64 updates equal the book's bit for bit.
//!
//! Adding an optimizer touches two files and a test: here a [`OptimizerKind`] and a [`Rule`] variant
//! (each `match` of this file names it) and its `_at` function; in `kernels.cu` the same `_at`
//! function and one `UPDATE_KERNELS` line; and its entry in `testkit::RULES`, which puts it
//! through the kernel, parity and fused-update tests. `optim` then builds it by name
//! (`optim::build`), and `--optimizer` accepts it.

use std::fmt;
use std::str::FromStr;

use crate::float::Float;
use crate::glibc_math::pow;

/// One optimizer rule with its hyper-parameters (book §1.3.6 and `common/optimizer.py`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// SGD, [`sgd_at`]: `W -= lr * dW`.
    Sgd {
        /// Learning rate.
        lr: f64,
    },
    /// Momentum, [`momentum_at`]: `v = momentum * v - lr * dW; W += v` (state `v`).
    Momentum {
        /// Learning rate.
        lr: f64,
        /// Momentum factor.
        momentum: f64,
    },
    /// Nesterov's accelerated gradient, [`nesterov_at`] (state `v`).
    Nesterov {
        /// Learning rate.
        lr: f64,
        /// Momentum factor.
        momentum: f64,
    },
    /// AdaGrad, [`adagrad_at`] (state `h`).
    AdaGrad {
        /// Learning rate.
        lr: f64,
    },
    /// RMSprop, [`rmsprop_at`] (state `h`).
    RmsProp {
        /// Learning rate.
        lr: f64,
        /// Decay rate of the squared-gradient average.
        decay_rate: f64,
    },
    /// Adam, [`adam_at`] (states `m`, `v`), at update number `t` (1 for the first update), which
    /// sets the bias-corrected rate `lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`.
    Adam {
        /// Learning rate.
        lr: f64,
        /// Decay of the first moment.
        beta1: f64,
        /// Decay of the second moment.
        beta2: f64,
        /// This update's number, from 1.
        t: u64,
    },
}

/// What a hyper-parameter must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// A learning rate: finite and `> 0`.
    Rate,
    /// A decay or momentum factor: in `[0, 1)`.
    Fraction,
}

impl Range {
    /// Whether `v` is in this range.
    pub fn contains(self, v: f64) -> bool {
        match self {
            Range::Rate => v.is_finite() && v > 0.0,
            Range::Fraction => (0.0..1.0).contains(&v),
        }
    }

    /// The range in words, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Range::Rate => "a finite number > 0",
            Range::Fraction => "a number in [0, 1)",
        }
    }
}

/// An optimizer by name, without hyper-parameters: the `--optimizer` values, in the book's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptimizerKind {
    /// [`Rule::Sgd`].
    Sgd,
    /// [`Rule::Momentum`].
    Momentum,
    /// [`Rule::Nesterov`].
    Nesterov,
    /// [`Rule::AdaGrad`].
    AdaGrad,
    /// [`Rule::RmsProp`].
    RmsProp,
    /// [`Rule::Adam`].
    Adam,
}

impl OptimizerKind {
    /// Every kind, in the book's order.
    pub const ALL: [OptimizerKind; 6] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::AdaGrad,
        OptimizerKind::RmsProp,
        OptimizerKind::Adam,
    ];

    /// The rule with the book's default hyper-parameters: the one place they are written.
    pub fn book_default(self) -> Rule {
        match self {
            OptimizerKind::Sgd => Rule::Sgd { lr: 0.01 },
            OptimizerKind::Momentum => Rule::Momentum {
                lr: 0.01,
                momentum: 0.9,
            },
            OptimizerKind::Nesterov => Rule::Nesterov {
                lr: 0.01,
                momentum: 0.9,
            },
            OptimizerKind::AdaGrad => Rule::AdaGrad { lr: 0.01 },
            OptimizerKind::RmsProp => Rule::RmsProp {
                lr: 0.01,
                decay_rate: 0.99,
            },
            OptimizerKind::Adam => Rule::Adam {
                lr: 0.001,
                beta1: 0.9,
                beta2: 0.999,
                t: 1,
            },
        }
    }

    /// The book's default learning rate.
    pub fn default_lr(self) -> f64 {
        self.book_default().lr()
    }

    /// The lowercase name (`sgd`, ..., `adam`); also the kernels' name in `kernels.cu`
    /// (`<name>_f32`, `<name>_multi_f64`).
    pub fn as_str(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Nesterov => "nesterov",
            OptimizerKind::AdaGrad => "adagrad",
            OptimizerKind::RmsProp => "rmsprop",
            OptimizerKind::Adam => "adam",
        }
    }

    /// The book's class name (`SGD`, `Momentum`, ..., `RMSprop`, `Adam`).
    pub fn class_name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "SGD",
            OptimizerKind::Momentum => "Momentum",
            OptimizerKind::Nesterov => "Nesterov",
            OptimizerKind::AdaGrad => "AdaGrad",
            OptimizerKind::RmsProp => "RMSprop",
            OptimizerKind::Adam => "Adam",
        }
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is none of [`OptimizerKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown optimizer '{name}' (expected {})", expected())]
pub struct UnknownRule {
    /// The name given.
    pub name: String,
}

fn expected() -> String {
    let names: Vec<&str> = OptimizerKind::ALL.iter().map(|k| k.as_str()).collect();
    let (last, rest) = names.split_last().expect("there are rules");
    format!("{} or {last}", rest.join(", "))
}

impl FromStr for OptimizerKind {
    type Err = UnknownRule;

    /// Parses a lowercase name, in any case.
    fn from_str(s: &str) -> Result<Self, UnknownRule> {
        OptimizerKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownRule {
                name: s.to_string(),
            })
    }
}

impl Rule {
    /// Which optimizer this is.
    pub fn kind(&self) -> OptimizerKind {
        match self {
            Rule::Sgd { .. } => OptimizerKind::Sgd,
            Rule::Momentum { .. } => OptimizerKind::Momentum,
            Rule::Nesterov { .. } => OptimizerKind::Nesterov,
            Rule::AdaGrad { .. } => OptimizerKind::AdaGrad,
            Rule::RmsProp { .. } => OptimizerKind::RmsProp,
            Rule::Adam { .. } => OptimizerKind::Adam,
        }
    }

    /// The book's class name ([`OptimizerKind::class_name`]).
    pub fn class_name(&self) -> &'static str {
        self.kind().class_name()
    }

    /// The names of the per-param state tensors the rule keeps, in the order the update takes them.
    pub fn state_names(&self) -> &'static [&'static str] {
        match self {
            Rule::Sgd { .. } => &[],
            Rule::Momentum { .. } | Rule::Nesterov { .. } => &["v"],
            Rule::AdaGrad { .. } | Rule::RmsProp { .. } => &["h"],
            Rule::Adam { .. } => &["m", "v"],
        }
    }

    /// How many state tensors per param the rule keeps (0, 1 or 2).
    pub fn state_slots(&self) -> usize {
        self.state_names().len()
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        match *self {
            Rule::Sgd { lr }
            | Rule::Momentum { lr, .. }
            | Rule::Nesterov { lr, .. }
            | Rule::AdaGrad { lr }
            | Rule::RmsProp { lr, .. }
            | Rule::Adam { lr, .. } => lr,
        }
    }

    /// The same rule with learning rate `lr`.
    pub fn with_lr(mut self, new: f64) -> Rule {
        match &mut self {
            Rule::Sgd { lr }
            | Rule::Momentum { lr, .. }
            | Rule::Nesterov { lr, .. }
            | Rule::AdaGrad { lr }
            | Rule::RmsProp { lr, .. }
            | Rule::Adam { lr, .. } => *lr = new,
        }
        self
    }

    /// The same rule at update number `t` (only Adam depends on it).
    pub fn at_step(mut self, step: u64) -> Rule {
        if let Rule::Adam { t, .. } = &mut self {
            *t = step;
        }
        self
    }

    /// The hyper-parameters with their names (as the book's constructor arguments) and ranges.
    pub fn hyper_parameters(&self) -> Vec<(&'static str, f64, Range)> {
        let lr = ("lr", self.lr(), Range::Rate);
        match *self {
            Rule::Sgd { .. } | Rule::AdaGrad { .. } => vec![lr],
            Rule::Momentum { momentum, .. } | Rule::Nesterov { momentum, .. } => {
                vec![lr, ("momentum", momentum, Range::Fraction)]
            }
            Rule::RmsProp { decay_rate, .. } => {
                vec![lr, ("decay_rate", decay_rate, Range::Fraction)]
            }
            Rule::Adam { beta1, beta2, .. } => vec![
                lr,
                ("beta1", beta1, Range::Fraction),
                ("beta2", beta2, Range::Fraction),
            ],
        }
    }

    /// The first hyper-parameter outside its range, as `(name, value, range)`.
    pub fn first_invalid(&self) -> Option<(&'static str, f64, Range)> {
        self.hyper_parameters()
            .into_iter()
            .find(|&(_, v, range)| !range.contains(v))
    }

    /// The update's scalars rounded to `T` once, in the order the `_at` functions and the kernels
    /// take them, and how many there are; the rest are zero.
    pub fn scalars<T: Float>(&self) -> ([T; 4], usize) {
        let f = T::from_f64;
        let z = T::ZERO;
        match *self {
            Rule::Sgd { lr } | Rule::AdaGrad { lr } => ([f(lr), z, z, z], 1),
            Rule::Momentum { lr, momentum } => ([f(lr), f(momentum), z, z], 2),
            Rule::Nesterov { lr, momentum: m } => ([f(lr), f(m), f(m * m), f((1.0 + m) * lr)], 4),
            Rule::RmsProp { lr, decay_rate: d } => ([f(lr), f(d), f(1.0 - d), z], 3),
            Rule::Adam { beta1, beta2, .. } => {
                ([f(self.adam_lr_t()), f(1.0 - beta1), f(1.0 - beta2), z], 3)
            }
        }
    }

    /// Adam's step size at its update number, `lr · sqrt(1 - beta2^t) / (1 - beta1^t)`, in f64 as
    /// the book computes it (0 for the other rules).
    fn adam_lr_t(&self) -> f64 {
        match *self {
            Rule::Adam {
                lr,
                beta1,
                beta2,
                t,
            } => {
                // glibc's `pow` (Python's float power) on every platform, the browser's too.
                let t = t as f64;
                lr * (1.0 - pow(beta2, t)).sqrt() / (1.0 - pow(beta1, t))
            }
            _ => 0.0,
        }
    }

    /// The update of one param `p` from its grad `g`, with the rule's state `s1`, `s2` (empty
    /// when the rule keeps fewer), element by element: the CPU backend's loop.
    pub fn apply<T: Float>(&self, p: &mut [T], s1: &mut [T], s2: &mut [T], g: &[T]) {
        let (k, _) = self.scalars::<T>();
        match self {
            Rule::Sgd { .. } => each(p, s1, s2, g, |p, _, _, g| sgd_at(p, g, k)),
            Rule::Momentum { .. } => each(p, s1, s2, g, |p, v, _, g| momentum_at(p, v, g, k)),
            Rule::Nesterov { .. } => each(p, s1, s2, g, |p, v, _, g| nesterov_at(p, v, g, k)),
            Rule::AdaGrad { .. } => each(p, s1, s2, g, |p, h, _, g| adagrad_at(p, h, g, k)),
            Rule::RmsProp { .. } => each(p, s1, s2, g, |p, h, _, g| rmsprop_at(p, h, g, k)),
            Rule::Adam { .. } => {
                let lr_t = self.adam_lr_t();
                each(p, s1, s2, g, |p, m, v, g| adam_at(p, m, v, g, k, lr_t))
            }
        }
    }
}

/// Runs `f` over every element, with a throwaway zero for a state the rule does not keep; one
/// monomorphized loop per rule, so the element function inlines and the loop vectorizes.
#[inline(always)]
fn each<T: Float>(
    p: &mut [T],
    s1: &mut [T],
    s2: &mut [T],
    g: &[T],
    f: impl Fn(&mut T, &mut T, &mut T, T),
) {
    match (s1.is_empty(), s2.is_empty()) {
        (true, _) => p.iter_mut().zip(g).for_each(|(p, &g)| {
            let (mut a, mut b) = (T::ZERO, T::ZERO);
            f(p, &mut a, &mut b, g)
        }),
        (false, true) => p.iter_mut().zip(s1).zip(g).for_each(|((p, a), &g)| {
            let mut b = T::ZERO;
            f(p, a, &mut b, g)
        }),
        (false, false) => p
            .iter_mut()
            .zip(s1)
            .zip(s2)
            .zip(g)
            .for_each(|(((p, a), b), &g)| f(p, a, b, g)),
    }
}

/// SGD: `p -= lr * g` (`k = [lr]`).
#[inline(always)]
pub fn sgd_at<T: Float>(p: &mut T, g: T, k: [T; 4]) {
    *p -= k[0] * g;
}

/// Momentum: `v = momentum * v - lr * g; p += v` (`k = [lr, momentum]`).
#[inline(always)]
pub fn momentum_at<T: Float>(p: &mut T, v: &mut T, g: T, k: [T; 4]) {
    *v = k[1] * *v - k[0] * g;
    *p += *v;
}

/// Nesterov: `v *= m; v -= lr * g; p += m * m * v; p -= (1 + m) * lr * g`
/// (`k = [lr, m, m * m, (1 + m) * lr]`).
#[inline(always)]
pub fn nesterov_at<T: Float>(p: &mut T, v: &mut T, g: T, k: [T; 4]) {
    *v *= k[1];
    *v -= k[0] * g;
    *p += k[2] * *v;
    *p -= k[3] * g;
}

/// AdaGrad: `h += g * g; p -= lr * g / (sqrt(h) + 1e-7)` (`k = [lr]`).
#[inline(always)]
pub fn adagrad_at<T: Float>(p: &mut T, h: &mut T, g: T, k: [T; 4]) {
    *h += g * g;
    *p -= k[0] * g / (h.sqrt() + T::from_f64(1e-7));
}

/// RMSprop: `h *= d; h += (1 - d) * g * g; p -= lr * g / (sqrt(h) + 1e-7)`
/// (`k = [lr, d, 1 - d]`).
#[inline(always)]
pub fn rmsprop_at<T: Float>(p: &mut T, h: &mut T, g: T, k: [T; 4]) {
    *h *= k[1];
    *h += k[2] * g * g;
    *p -= k[0] * g / (h.sqrt() + T::from_f64(1e-7));
}

/// Adam: `m += (1 - b1) * (g - m); v += (1 - b2) * (g * g - v); p -= lr_t * m / (sqrt(v) + 1e-7)`
/// (`k = [_, 1 - b1, 1 - b2]`, `lr_t` unrounded).
///
/// The book's `lr_t` is a numpy `float64` scalar (`np.sqrt` of a Python float), which NumPy 2's
/// promotion rules do not demote to a float32 param's type: the step `lr_t * m / (sqrt(v) + 1e-7)`
/// is computed in f64 from the float32 `m` and `sqrt(v) + 1e-7`, and the param is updated in f64
/// and rounded once. For an f64 param these are the plain f64 operations.
#[inline(always)]
pub fn adam_at<T: Float>(p: &mut T, m: &mut T, v: &mut T, g: T, k: [T; 4], lr_t: f64) {
    *m += k[1] * (g - *m);
    *v += k[2] * (g * g - *v);
    let step = lr_t * m.to_f64() / (v.sqrt() + T::from_f64(1e-7)).to_f64();
    *p = T::from_f64(p.to_f64() - step);
}

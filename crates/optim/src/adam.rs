//! Adam (`common/optimizer.py: Adam`, after arXiv:1412.6980v8).

use tensor::ops::update::Rule;
use tensor::{Float, Params, Tensor, ops};

use crate::error::{Result, check_lr, check_rate};
use crate::optimizer::Optimizer;
use crate::state::Slots;

/// `lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`; `m += (1 - beta1) * (dW - m)`;
/// `v += (1 - beta2) * (dW^2 - v)`; `W -= lr_t * m / (sqrt(v) + 1e-7)`.
/// Book defaults: `lr = 0.001`, `beta1 = 0.9`, `beta2 = 0.999`.
#[derive(Debug, Clone)]
pub struct Adam<T: Float> {
    lr: f64,
    beta1: f64,
    beta2: f64,
    iter: u64,
    m: Slots<T>,
    v: Slots<T>,
}

impl<T: Float> Adam<T> {
    /// Adam with `lr` (finite, > 0) and betas in `[0, 1)`.
    pub fn new(lr: f64, beta1: f64, beta2: f64) -> Result<Self> {
        check_lr("Adam", lr)?;
        check_rate("Adam", "beta1", beta1)?;
        check_rate("Adam", "beta2", beta2)?;
        Ok(Adam {
            lr,
            beta1,
            beta2,
            iter: 0,
            m: Slots::new("m"),
            v: Slots::new("v"),
        })
    }
}

impl<T: Float> Default for Adam<T> {
    fn default() -> Self {
        Self::new(0.001, 0.9, 0.999).expect("the book's defaults are valid")
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn name(&self) -> &'static str {
        "Adam"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn update(&mut self, params: &mut dyn Params<T>) -> Result<()> {
        self.iter += 1;
        // Python's `beta ** iter` is C `pow`, which `powf` calls; `powi` would round differently.
        let t = self.iter as f64;
        let lr_t = self.lr * (1.0 - self.beta2.powf(t)).sqrt() / (1.0 - self.beta1.powf(t));
        let m = self.m.prepare("Adam", params)?;
        let v = self.v.prepare("Adam", params)?;
        let rule = Rule::Adam {
            lr_t,
            beta1: self.beta1,
            beta2: self.beta2,
        };
        ops::update::update_params(rule, params, &mut [m, v])?;
        Ok(())
    }

    fn state(&self) -> Vec<(String, &Tensor<T>)> {
        let mut s = self.m.named();
        s.extend(self.v.named());
        s
    }

    fn iterations(&self) -> u64 {
        self.iter
    }

    fn load_state(&mut self, mut state: Vec<(String, Tensor<T>)>, iterations: u64) -> Result<()> {
        self.m.restore(&mut state);
        self.v.restore(&mut state);
        self.iter = iterations;
        Ok(())
    }
}

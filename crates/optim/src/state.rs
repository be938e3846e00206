//! Per-param state (`v`, `h`, `m`): one tensor per param, made on the first update.

use tensor::ops::update::Rule;
use tensor::{Float, Param, Params, Result, Tensor, TensorError, ops};

/// One slot of state per param, named after the params.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slots<T: Float> {
    prefix: &'static str,
    tensors: Vec<Tensor<T>>,
    names: Vec<&'static str>,
}

impl<T: Float> Slots<T> {
    pub(crate) fn new(prefix: &'static str) -> Self {
        Slots {
            prefix,
            tensors: Vec::new(),
            names: Vec::new(),
        }
    }

    /// The slot for param `index`, created as zeros on first sight and checked afterwards: a param
    /// whose shape changed since is a shape mismatch naming the optimizer.
    pub(crate) fn get(
        &mut self,
        optimizer: &'static str,
        index: usize,
        p: &Param<'_, T>,
    ) -> Result<&mut Tensor<T>> {
        if index == self.tensors.len() {
            let (r, c) = p.value.shape();
            self.tensors.push(Tensor::zeros(r, c, p.value.device())?);
            self.names.push(p.name);
        }
        let t = &mut self.tensors[index];
        if self.names[index] != p.name
            || t.shape() != p.value.shape()
            || t.device() != p.value.device()
        {
            return Err(TensorError::ShapeMismatch {
                op: optimizer,
                lhs: t.shape(),
                rhs: p.value.shape(),
            });
        }
        Ok(t)
    }

    /// This slot's tensor for every param of `params` (in visiting order), created or checked by
    /// [`Slots::get`]: what [`tensor::ops::update::update_params`] takes as one state slot.
    pub(crate) fn prepare(
        &mut self,
        optimizer: &'static str,
        params: &mut dyn Params<T>,
    ) -> Result<&mut [Tensor<T>]> {
        let mut i = 0;
        params.visit_params(&mut |p| {
            self.get(optimizer, i, &p)?;
            i += 1;
            Ok(())
        })?;
        Ok(&mut self.tensors[..])
    }

    /// One update of every param by `rule`, whose one state slot this is (Momentum, Nesterov,
    /// AdaGrad, RMSprop): one launch over all params on a GPU.
    pub(crate) fn update(
        &mut self,
        optimizer: &'static str,
        params: &mut dyn Params<T>,
        rule: Rule,
    ) -> Result<()> {
        let slot = self.prepare(optimizer, params)?;
        ops::update::update_params(rule, params, &mut [slot])
    }

    pub(crate) fn named(&self) -> Vec<(String, &Tensor<T>)> {
        self.names
            .iter()
            .zip(&self.tensors)
            .map(|(n, t)| (format!("{}.{n}", self.prefix), t))
            .collect()
    }

    /// Takes this slot's entries out of a saved state list.
    pub(crate) fn restore(&mut self, state: &mut Vec<(String, Tensor<T>)>) {
        self.tensors.clear();
        self.names.clear();
        let prefix = format!("{}.", self.prefix);
        let mut rest = Vec::new();
        for (name, t) in state.drain(..) {
            match name.strip_prefix(&prefix) {
                Some(param) => {
                    self.names.push(leak(param));
                    self.tensors.push(t);
                }
                None => rest.push((name, t)),
            }
        }
        *state = rest;
    }
}

/// Param names are `'static` in models; restored names come from a file, once per load.
fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

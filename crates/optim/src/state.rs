//! Per-param state (`v`, `h`, `m`): one tensor per param, made on the first update.

use tensor::{Element, Param, Params, Tensor};

use crate::error::{OptimError, Result};

/// One slot of state per param, named after the params.
#[derive(Debug)]
pub(crate) struct Slots<T: Element> {
    prefix: &'static str,
    tensors: Vec<Tensor<T>>,
    names: Vec<String>,
}

impl<T: Element> Slots<T> {
    pub(crate) fn new(prefix: &'static str) -> Self {
        Slots {
            prefix,
            tensors: Vec::new(),
            names: Vec::new(),
        }
    }

    /// The slot for param `index`, created as zeros on first sight and checked afterwards: a
    /// param whose name, shape or device changed since is [`OptimError::StateMismatch`].
    fn get(&mut self, optimizer: &'static str, index: usize, p: &Param<'_, T>) -> Result<()> {
        if index == self.tensors.len() {
            let (r, c) = p.value.shape();
            self.tensors.push(Tensor::zeros(r, c, p.value.device())?);
            self.names.push(p.name.to_string());
        }
        let t = &self.tensors[index];
        if self.names[index] != p.name
            || t.shape() != p.value.shape()
            || t.device() != p.value.device()
        {
            return Err(OptimError::StateMismatch {
                optimizer,
                state: format!(
                    "{}.{} ({:?} on {})",
                    self.prefix,
                    self.names[index],
                    t.shape(),
                    t.device()
                ),
                param: format!("{} ({:?} on {})", p.name, p.value.shape(), p.value.device()),
            });
        }
        Ok(())
    }

    /// This slot's tensor for every param of `params` (in visiting order), created or checked by
    /// [`Slots::get`]: what [`tensor::ops::update::update_params`] takes as one state slot.
    pub(crate) fn prepare(
        &mut self,
        optimizer: &'static str,
        params: &mut dyn Params<T>,
    ) -> Result<&mut [Tensor<T>]> {
        let mut i = 0;
        let mut failed = None;
        params.visit_params(&mut |p| {
            if failed.is_none() {
                match self.get(optimizer, i, &p) {
                    Ok(()) => i += 1,
                    Err(e) => failed = Some(e),
                }
            }
            Ok(())
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        Ok(&mut self.tensors[..])
    }

    /// `("<prefix>.<param>", tensor)` for every param.
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
                    self.names.push(param.to_string());
                    self.tensors.push(t);
                }
                None => rest.push((name, t)),
            }
        }
        *state = rest;
    }
}

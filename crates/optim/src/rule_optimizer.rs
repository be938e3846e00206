//! [`RuleOptimizer`]: the one body behind every optimizer — a [`Rule`], its per-param state slots
//! and the update count.

use tensor::{Element, Params, Rule, Tensor, ops};

use crate::error::{OptimError, Result};
use crate::optimizer::Optimizer;
use crate::state::Slots;

/// An optimizer running one update [`Rule`]: the rule's state slots (`v`, `h`, `m`, ... one tensor
/// per param each), created on the first update, and the number of updates so far (Adam's `t`).
#[derive(Debug)]
pub struct RuleOptimizer<T: Element> {
    rule: Rule,
    iterations: u64,
    /// Slot `k` holds the rule's `k`-th state; slots past the rule's count stay empty. A fixed
    /// array, so an update borrows both slots without allocating.
    slots: [Slots<T>; 2],
}

impl<T: Element> RuleOptimizer<T> {
    /// An optimizer for `rule`, after checking its hyper-parameters (the learning rate finite and
    /// `> 0`, decay and momentum factors in `[0, 1)`).
    pub fn new(rule: Rule) -> Result<Self> {
        if let Some((name, value, range)) = rule.first_invalid() {
            return Err(OptimError::InvalidHyperParameter {
                optimizer: rule.class_name(),
                name,
                value,
                expected: range.describe(),
            });
        }
        let names = rule.state_names();
        let slot = |k: usize| Slots::new(names.get(k).copied().unwrap_or(""));
        Ok(RuleOptimizer {
            rule,
            iterations: 0,
            slots: [slot(0), slot(1)],
        })
    }

    /// The rule with its hyper-parameters.
    pub fn rule(&self) -> Rule {
        self.rule
    }
}

impl<T: Element> Optimizer<T> for RuleOptimizer<T> {
    fn name(&self) -> &'static str {
        self.rule.class_name()
    }

    fn lr(&self) -> f64 {
        self.rule.lr()
    }

    fn update(&mut self, params: &mut dyn Params<T>) -> Result<()> {
        let name = self.rule.class_name();
        let n = self.rule.state_slots();
        let [a, b] = &mut self.slots;
        let a = if n > 0 {
            a.prepare(name, params)?
        } else {
            &mut []
        };
        let b = if n > 1 {
            b.prepare(name, params)?
        } else {
            &mut []
        };
        let mut state: [&mut [Tensor<T>]; 2] = [a, b];
        let rule = self.rule.at_step(self.iterations + 1);
        ops::update::update_params(rule, params, &mut state[..n])?;
        self.iterations += 1;
        Ok(())
    }

    fn state(&self) -> Vec<(String, &Tensor<T>)> {
        let n = self.rule.state_slots();
        self.slots[..n].iter().flat_map(Slots::named).collect()
    }

    fn iterations(&self) -> u64 {
        self.iterations
    }

    fn load_state(&mut self, mut state: Vec<(String, Tensor<T>)>, iterations: u64) -> Result<()> {
        let n = self.rule.state_slots();
        for slot in &mut self.slots[..n] {
            slot.restore(&mut state);
        }
        if let Some((name, _)) = state.first() {
            return Err(OptimError::UnknownState {
                optimizer: self.rule.class_name(),
                name: name.clone(),
            });
        }
        self.iterations = iterations;
        Ok(())
    }
}

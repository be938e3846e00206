//! A stand-in for the chapter's network in optimizer and gradient tests: params named like the
//! book's, and one of each optimizer rule.

/// The names of the chapter network's params, in the book's order.
pub const BOOK_PARAMS: [&str; 4] = ["W1", "b1", "W2", "b2"];

/// Params named like the book's (`W1`, `b1`, `W2`, `b2`) with their grads: a model stand-in for
/// optimizer and gradient tests.
#[derive(Debug)]
pub struct BookParams<T: tensor::Element> {
    /// The param values, in the book's order.
    pub values: Vec<tensor::Tensor<T>>,
    /// Their gradients.
    pub grads: Vec<tensor::Tensor<T>>,
}

impl<T: tensor::Element> BookParams<T> {
    /// Adds a param and its gradient (named after the next of [`BOOK_PARAMS`]).
    pub fn push(&mut self, value: tensor::Tensor<T>, grad: tensor::Tensor<T>) {
        self.values.push(value);
        self.grads.push(grad);
    }

    /// A copy of every param and grad (panics if a device cannot copy: test code).
    pub fn try_clone(&self) -> Self {
        let copy = |v: &[tensor::Tensor<T>]| -> Vec<_> {
            v.iter()
                .map(|t| t.try_clone().expect("copy a tensor"))
                .collect()
        };
        BookParams {
            values: copy(&self.values),
            grads: copy(&self.grads),
        }
    }
}

impl<T: tensor::Element> tensor::Params<T> for BookParams<T> {
    fn visit_params<'a>(
        &'a mut self,
        f: &mut dyn FnMut(tensor::Param<'a, T>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        let pairs = self.values.iter_mut().zip(&mut self.grads);
        for (name, (value, grad)) in BOOK_PARAMS.iter().zip(pairs) {
            f(tensor::Param { name, value, grad })?;
        }
        Ok(())
    }
}

/// One of each optimizer rule, with hyper-parameters that move params visibly in a few steps
/// (take each to later steps with [`tensor::Rule::at_step`]).
pub const RULES: [tensor::Rule; 6] = {
    use tensor::Rule;
    [
        Rule::Sgd { lr: 0.3 },
        Rule::Momentum {
            lr: 0.1,
            momentum: 0.9,
        },
        Rule::Nesterov {
            lr: 0.1,
            momentum: 0.9,
        },
        Rule::AdaGrad { lr: 0.1 },
        Rule::RmsProp {
            lr: 0.01,
            decay_rate: 0.99,
        },
        Rule::Adam {
            lr: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            t: 1,
        },
    ]
};

impl<T: tensor::Element> Default for BookParams<T> {
    fn default() -> Self {
        BookParams {
            values: Vec::new(),
            grads: Vec::new(),
        }
    }
}

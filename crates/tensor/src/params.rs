//! How a model hands its parameters to an optimizer: `(&mut param, &mut grad)` pairs, visited in
//! a stable order, never cloned (book `model.params` / `model.grads`).

use crate::element::Element;
use crate::error::Result;
use crate::tensor::Tensor;

/// One trainable parameter and its gradient.
#[derive(Debug)]
pub struct Param<'a, T: Element> {
    /// A stable name ("W1", "b1", ...), used in checkpoints and error messages.
    pub name: &'static str,
    /// The parameter's value, updated in place by optimizers.
    pub value: &'a mut Tensor<T>,
    /// The gradient from the last `backward` (clipping scales it in place).
    pub grad: &'a mut Tensor<T>,
}

/// Anything that owns parameters: a layer or a model.
pub trait Params<T: Element> {
    /// Calls `f` on every parameter, always in the same order (the book's `params` list order).
    ///
    /// Each param is lent for the whole borrow `'a` of `self`, so an implementation hands out each
    /// tensor once and cannot replace it afterwards. That lets a GPU backend record every param
    /// first and update them all in one kernel launch after the visit.
    fn visit_params<'a>(&'a mut self, f: &mut dyn FnMut(Param<'a, T>) -> Result<()>) -> Result<()>;

    /// Number of parameter tensors.
    fn param_count(&mut self) -> usize {
        let mut n = 0;
        let _ = self.visit_params(&mut |_| {
            n += 1;
            Ok(())
        });
        n
    }
}

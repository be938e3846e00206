//! The optimizer interface.

use tensor::{Element, Params, Tensor};

use crate::error::Result;

/// `optimizer.update(params, grads)` from the book, over a model's `(param, grad)` pairs.
pub trait Optimizer<T: Element> {
    /// The book's class name (`"SGD"`, `"Adam"`, ...).
    fn name(&self) -> &'static str;

    /// The learning rate.
    fn lr(&self) -> f64;

    /// One update of every param from its grad.
    fn update(&mut self, params: &mut dyn Params<T>) -> Result<()>;

    /// The optimizer's state tensors with stable names (`"v.W1"`, ...), for checkpoints.
    fn state(&self) -> Vec<(String, &Tensor<T>)>;

    /// The update count (Adam's `iter`; 0 for optimizers that keep none).
    fn iterations(&self) -> u64 {
        0
    }

    /// Restores state saved by [`Optimizer::state`] and [`Optimizer::iterations`].
    fn load_state(&mut self, state: Vec<(String, Tensor<T>)>, iterations: u64) -> Result<()>;
}

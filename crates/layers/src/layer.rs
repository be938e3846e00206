//! The two interfaces: a `Layer` maps a tensor to a tensor; a `Model` maps a batch and its labels to
//! a loss and can predict.

use tensor::{Element, Labels, Params, Tensor, ops};

use crate::error::Result;

/// A layer of the book: `forward(x) -> out`, `backward(dout) -> dx`, with its own params and grads.
///
/// Both return references to buffers the layer owns; they stay valid until the next call.
pub trait Layer<T: Element>: Params<T> {
    /// The layer's name as in the book (`"Affine"`, ...).
    fn name(&self) -> &'static str;
    /// Forward pass; remembers what `backward` needs.
    fn forward(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>>;
    /// Backward pass: stores the param grads, returns the gradient w.r.t. the input.
    fn backward(&mut self, dout: &Tensor<T>) -> Result<&Tensor<T>>;
}

/// A model the `Trainer` can fit: a loss for a batch, gradients, and predictions.
pub trait Model<T: Element>: Params<T> {
    /// Class scores for `x` (`N x C`).
    fn predict(&mut self, x: &Tensor<T>) -> Result<&Tensor<T>>;
    /// The loss of the batch `x` with labels `t`.
    fn forward(&mut self, x: &Tensor<T>, t: &Labels) -> Result<T>;
    /// Gradients of the last `forward`'s loss, stored in the params' grads.
    fn backward(&mut self) -> Result<()>;

    /// The predicted class of each row of `x` (the argmax of the scores), into `out`.
    ///
    /// Models may override this with a faster path whose scores are approximate but whose argmax is
    /// the same except at near-ties (the decision-boundary picture uses it).
    fn classify(&mut self, x: &Tensor<T>, out: &mut Vec<usize>) -> Result<()> {
        let scores = self.predict(x)?;
        ops::argmax_rows(scores, out)?;
        Ok(())
    }
}

/// A model that can be copied, for running copies side by side (one per thread). Copying device
/// memory can fail, so this returns a `Result` where `Clone` could not.
pub trait TryClone: Sized {
    /// A copy of the params; working buffers start empty.
    fn try_clone(&self) -> Result<Self>;
}

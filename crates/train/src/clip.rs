//! Gradient clipping by global norm (book §6.1.4, used by the Trainer of §1.4.4; `common/util.py: clip_grads`).

use tensor::{Element, Params, ops};

use crate::error::Result;

/// Scales all grads by `max_norm / (total_norm + 1e-6)` when that rate is below 1, where
/// `total_norm` is the L2 norm of all grads together. Returns `total_norm`.
///
/// The sums run in `T` and in the book's order (each grad's `np.sum(g ** 2)`, then added in param
/// order), so f64 results match the book bit for bit.
pub fn clip_grads<T: Element>(params: &mut dyn Params<T>, max_norm: f64) -> Result<f64> {
    Ok(clip(params, max_norm)?.norm)
}

/// What one clipping did: the global norm before it, and whether the grads were scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clipped {
    /// The global L2 norm of the grads before clipping.
    pub norm: f64,
    /// Whether the grads were scaled down (the norm was above `max_norm`).
    pub scaled: bool,
}

/// [`clip_grads`], also saying whether it scaled.
pub fn clip<T: Element>(params: &mut dyn Params<T>, max_norm: f64) -> Result<Clipped> {
    let total_norm = ops::grads::norm_squared(params)?.sqrt();
    let rate = T::from_f64(max_norm) / (total_norm + T::from_f64(1e-6));
    let scaled = rate < T::ONE;
    if scaled {
        ops::grads::scale_all(params, rate)?;
    }
    Ok(Clipped {
        norm: total_norm.to_f64(),
        scaled,
    })
}

/// The global L2 norm of the grads, summed as [`clip_grads`] sums it.
pub fn grad_norm<T: Element>(params: &mut dyn Params<T>) -> Result<f64> {
    Ok(ops::grads::norm_squared(params)?.sqrt().to_f64())
}

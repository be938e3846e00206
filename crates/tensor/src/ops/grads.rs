//! Ops over all of a model's gradients at once (the trainer's finiteness check and gradient
//! clipping, book `common/util.py: clip_grads`): one kernel launch and at most one copy back on a
//! GPU, instead of one per gradient.

use crate::error::Result;
use crate::float::Float;
use crate::params::Params;

/// The name of the first param (in visiting order) whose gradient holds a NaN or an infinity.
pub fn first_non_finite<T: Float>(params: &mut dyn Params<T>) -> Result<Option<&'static str>> {
    #[cfg(feature = "cuda")]
    if super::update::params_device(params)? != crate::Device::Cpu {
        return crate::cuda::multi::first_non_finite(params);
    }
    let mut bad = None;
    params.visit_params(&mut |p| {
        if bad.is_none() && !super::all_finite(p.grad)? {
            bad = Some(p.name);
        }
        Ok(())
    })?;
    Ok(bad)
}

/// `sum(np.sum(g ** 2) for g in grads)`: each gradient's sum of squares (numpy's order on the
/// CPU), added in param order in `T`, as the book's `clip_grads` does.
pub fn sum_squares<T: Float>(params: &mut dyn Params<T>) -> Result<T> {
    #[cfg(feature = "cuda")]
    if super::update::params_device(params)? != crate::Device::Cpu {
        return crate::cuda::multi::sum_squares(params);
    }
    let mut total = T::ZERO;
    params.visit_params(&mut |p| {
        total += super::sum_squares(p.grad)?;
        Ok(())
    })?;
    Ok(total)
}

/// `g *= s` for every gradient.
pub fn scale<T: Float>(params: &mut dyn Params<T>, s: T) -> Result<()> {
    #[cfg(feature = "cuda")]
    if super::update::params_device(params)? != crate::Device::Cpu {
        return crate::cuda::multi::scale(params, s);
    }
    params.visit_params(&mut |p| super::scale(p.grad, s))
}

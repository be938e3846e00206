//! Ops over all of a model's gradients at once (the trainer's finiteness check and gradient
//! clipping, book §6.1.4 and `common/util.py: clip_grads`): one kernel launch and at most one copy
//! back on a GPU, instead of one per gradient.

use super::update::{census, visit_on_cpu};
use crate::cuda;
use crate::device::Device;
use crate::element::Element;
use crate::error::Result;
use crate::params::Params;

/// The name of the first param (in visiting order) whose gradient holds a NaN or an infinity.
pub fn first_non_finite<T: Element>(params: &mut dyn Params<T>) -> Result<Option<&'static str>> {
    let mut bad = None;
    let device = visit_on_cpu(params, &mut |p| {
        if bad.is_none() && !super::all_finite(p.grad)? {
            bad = Some(p.name);
        }
        Ok(())
    })?;
    match device {
        Device::Cpu => Ok(bad),
        Device::Cuda(ordinal) => cuda::grads::first_non_finite(ordinal, &mut walk(params, ordinal)),
    }
}

/// The squared global norm, `sum(np.sum(g ** 2) for g in grads)`: each gradient's sum of squares
/// (numpy's order on the CPU), added in param order in `T`, as the book's `clip_grads` does.
pub fn norm_squared<T: Element>(params: &mut dyn Params<T>) -> Result<T> {
    let mut total = T::ZERO;
    let device = visit_on_cpu(params, &mut |p| {
        total += super::sum_squares(p.grad)?;
        Ok(())
    })?;
    match device {
        Device::Cpu => Ok(total),
        Device::Cuda(ordinal) => cuda::grads::norm_squared(ordinal, &mut walk(params, ordinal)),
    }
}

/// `g *= s` for every gradient.
pub fn scale_all<T: Element>(params: &mut dyn Params<T>, s: T) -> Result<()> {
    match census(params)?.1 {
        Device::Cpu => params.visit_params(&mut |p| super::scale(p.grad, s)),
        Device::Cuda(ordinal) => cuda::grads::scale_all(ordinal, &mut walk(params, ordinal), s),
    }
}

/// What a walk calls for each param.
type RowFn<'r, T> = dyn FnMut(&'static str, cuda::Row<'_, T>) -> Result<()> + 'r;

/// The walk over every param's gradient storage (`[g, -, -, -]`) that the CUDA backend's
/// whole-model kernels take.
fn walk<'p, T: Element>(
    params: &'p mut dyn Params<T>,
    ordinal: usize,
) -> impl FnMut(&mut RowFn<'_, T>) -> Result<()> + 'p {
    move |row| {
        params.visit_params(&mut |p| {
            let g = p.grad.storage.cuda("grads", ordinal)?;
            row(p.name, [Some(g), None, None, None])
        })
    }
}

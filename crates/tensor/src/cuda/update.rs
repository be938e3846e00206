//! Optimizer updates on a GPU: one kernel per rule over one param, and one `*_multi` kernel over
//! all of a model's params. The element functions (`momentum_at`, ...) in `kernels.cu` mirror
//! those of [`crate::rule`] name for name.

use cudarc::driver::PushKernelArg;

use super::launch::name;
use super::table::{Kind, Table, ptr, with_backend};
use super::{Backend, CudaFloat, CudaStorage, backend_err};
use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::params::Params;
use crate::rule::Rule;
use crate::tensor::Tensor;

/// One update kernel over one param: `(p, state 1, state 2, g, scalars..., n)`, with 0 for the
/// state pointers the rule does not use.
pub(crate) fn update<T: CudaFloat>(
    p: &mut CudaStorage<T>,
    rule: &Rule,
    state: [Option<&mut CudaStorage<T>>; 2],
    g: &CudaStorage<T>,
) -> Result<()> {
    let kernel = rule.kernel();
    let be = g.backend.clone();
    let n = g.len() as i64;
    let (scalars, count) = rule.scalars::<T>();
    let f = be.func(&name::<T>(kernel))?;
    let mut l = be.stream.launch_builder(&f);
    l.arg(&mut p.data);
    let null = 0u64;
    let [s1, s2] = state;
    for s in [s1, s2] {
        match s {
            Some(s) => l.arg(&mut s.data),
            None => l.arg(&null),
        };
    }
    l.arg(&g.data);
    for s in &scalars[..count] {
        l.arg(s);
    }
    l.arg(&n);
    // SAFETY: the kernels' signatures are (p, s1, s2, g, scalars..., n) in kernels.cu, with the
    // rule's scalar count; every buffer has the param's `n` elements (the op layer checked the
    // shapes), and the rule's `_at` function never touches a state pointer it does not use.
    unsafe { l.launch(Backend::cfg(n as usize)) }.map_err(backend_err(be.ordinal, kernel))?;
    Ok(())
}

/// Records one param, its state and its grad as a table row `(p, s1, s2, g, n)`, after checking
/// that they all have the param's length and device.
fn record<T: Element>(
    be: &Backend,
    table: &mut Table,
    kernel: &'static str,
    name: &'static str,
    tensors: [Option<&Tensor<T>>; 4],
) -> Result<()> {
    let mut ptrs = [0u64; 4];
    let mut len = None;
    for (slot, t) in ptrs.iter_mut().zip(tensors) {
        let Some(t) = t else { continue };
        let s = t.storage.cuda(kernel, be.ordinal)?;
        let n = *len.get_or_insert(s.len());
        if s.len() != n || s.ordinal() != be.ordinal {
            return Err(TensorError::ShapeMismatch {
                op: kernel,
                lhs: (n, 1),
                rhs: (s.len(), 1),
            });
        }
        *slot = ptr(be, &s.data);
    }
    table.push(ptrs, len.unwrap_or(0), name);
    Ok(())
}

/// See [`crate::ops::update::update_params`].
pub(crate) fn update_params<T: Element>(
    rule: &Rule,
    params: &mut dyn Params<T>,
    state: &mut [&mut [Tensor<T>]],
) -> Result<()> {
    let kernel = rule.kernel();
    with_backend(params, |params, be| {
        let mut tables = be.tables.lock().unwrap_or_else(|p| p.into_inner());
        let table = &mut tables.0[Kind::Update as usize];
        table.clear();
        let mut i = 0;
        params.visit_params(&mut |p| {
            let s1 = state.first().map(|s| &s[i]);
            let s2 = state.get(1).map(|s| &s[i]);
            i += 1;
            record(
                be,
                table,
                kernel,
                p.name,
                [Some(&*p.value), s1, s2, Some(&*p.grad)],
            )
        })?;
        if table.count() == 0 {
            return Ok(());
        }
        table.upload(be)?;
        let (scalars, n_scalars) = rule.scalars::<T>();
        let count = table.count() as i32;
        let f = be.func(&name::<T>(&format!("{kernel}_multi")))?;
        let mut l = be.stream.launch_builder(&f);
        l.arg(&table.device).arg(&count);
        for s in &scalars[..n_scalars] {
            l.arg(s);
        }
        // SAFETY: the kernel's signature is (table, count, scalars...) with the rule's scalar
        // count. Each row points at the buffers of one param, its state and its grad, all of the
        // row's length (checked by `record`). The params were lent to the visit for the whole
        // borrow of `params` (see `Params::visit_params`), which this function holds until the
        // launch is queued, and the stream runs the launch before any later free of those buffers.
        unsafe { l.launch(Backend::cfg(table.largest)) }
            .map_err(backend_err(be.ordinal, kernel))?;
        Ok(())
    })
}

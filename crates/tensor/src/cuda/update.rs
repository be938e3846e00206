//! Optimizer updates on a GPU: one kernel per rule over one param, and one `*_multi` kernel over
//! all of a model's params. The element functions (`momentum_at`, ...) in `kernels.cu` mirror
//! those of [`crate::rule`] name for name.

use cudarc::driver::PushKernelArg;

use super::launch::name;
use super::params::{Walk, with_table};
use super::table::Kind;
use super::{Backend, CudaFloat, CudaStorage, backend_err};
use crate::error::Result;
use crate::rule::Rule;

/// One update kernel over one param: `(p, state 1, state 2, g, scalars..., n)`, with 0 for the
/// state pointers the rule does not use.
pub(crate) fn update<T: CudaFloat>(
    p: &mut CudaStorage<T>,
    rule: &Rule,
    state: [Option<&mut CudaStorage<T>>; 2],
    g: &CudaStorage<T>,
) -> Result<()> {
    let kernel = rule.kind().as_str();
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

/// See [`crate::ops::update::update_params`]: `params` yields `[p, s1, s2, g]` per param.
pub(crate) fn update_params<T: CudaFloat>(
    rule: &Rule,
    ordinal: usize,
    params: &mut Walk<'_, T>,
) -> Result<()> {
    let kernel = rule.kind().as_str();
    with_table(ordinal, Kind::Update, params, (), |be, table, _| {
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
        // row's length (checked by `with_table`), lent for this call (see `Walk`): the stream
        // runs the launch before any later free of those buffers.
        unsafe { l.launch(Backend::cfg(table.largest)) }
            .map_err(backend_err(be.ordinal, kernel))?;
        Ok(())
    })
}

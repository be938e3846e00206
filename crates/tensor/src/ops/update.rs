//! Optimizer updates as fused elementwise ops (book §1.3.6, `common/optimizer.py`): over one param
//! ([`update`]) or over all of a model's params at once ([`update_params`]: one kernel launch on a
//! GPU). The rules and their formulas are in [`crate::rule`].

use super::same_shape;
pub use crate::rule::Rule;

use crate::cpu;
use crate::cuda;
use crate::device::Device;
use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::params::Params;
use crate::storage::Storage;
use crate::tensor::Tensor;

/// Checks one param's update operands: the grad and every state tensor have the param's shape and
/// device, and there are as many state tensors as the rule keeps.
fn check_operands<T: Element>(
    rule: &Rule,
    p: &Tensor<T>,
    state: [Option<&Tensor<T>>; 2],
    g: &Tensor<T>,
) -> Result<()> {
    let op = rule.kind().as_str();
    same_shape(op, p, g)?;
    let given = state.iter().flatten().count();
    if given != rule.state_slots() {
        return Err(TensorError::StateMismatch {
            op,
            expected: rule.state_slots(),
            got: given,
        });
    }
    for s in state.into_iter().flatten() {
        same_shape(op, s, g)?;
    }
    Ok(())
}

/// One update of param `p` from its grad `g` with the rule's `state` tensors (in the order of
/// [`Rule::state_names`]).
pub fn update<T: Element>(
    rule: Rule,
    p: &mut Tensor<T>,
    state: &mut [&mut Tensor<T>],
    g: &Tensor<T>,
) -> Result<()> {
    let op = rule.kind().as_str();
    match state {
        [] => check_operands(&rule, p, [None, None], g)?,
        [a] => check_operands(&rule, p, [Some(a), None], g)?,
        [a, b] => check_operands(&rule, p, [Some(a), Some(b)], g)?,
        more => {
            return Err(TensorError::StateMismatch {
                op,
                expected: rule.state_slots(),
                got: more.len(),
            });
        }
    }
    match (&mut p.storage, &g.storage) {
        (Storage::Cpu(sp), Storage::Cpu(sg)) => {
            let mut slots: [&mut [T]; 2] = [&mut [], &mut []];
            for (slot, s) in slots.iter_mut().zip(state.iter_mut()) {
                match &mut s.storage {
                    Storage::Cpu(a) => *slot = cpu::data_mut(a),
                    other => return Err(TensorError::mixed(op, Device::Cpu, other.device())),
                }
            }
            let [s1, s2] = slots;
            apply_on_threads(&rule, cpu::data_mut(sp), s1, s2, cpu::data(sg));
            Ok(())
        }
        (Storage::Cuda(sp), Storage::Cuda(sg)) => {
            let mut slots = [None, None];
            for (slot, s) in slots.iter_mut().zip(state.iter_mut()) {
                match &mut s.storage {
                    Storage::Cuda(a) => *slot = Some(a),
                    other => {
                        return Err(TensorError::mixed(
                            op,
                            Device::Cuda(sg.ordinal()),
                            other.device(),
                        ));
                    }
                }
            }
            cuda::update::update(sp, &rule, slots, sg)
        }
        (sp, sg) => Err(TensorError::mixed(op, sp.device(), sg.device())),
    }
}

/// One update of every param of `params` from its grad; `state[k][i]` is the rule's `k`-th state
/// tensor for the `i`-th param (in visiting order).
///
/// The same numbers as [`update`] per param. On a GPU all params go to one kernel launch.
pub fn update_params<T: Element>(
    rule: Rule,
    params: &mut dyn Params<T>,
    state: &mut [&mut [Tensor<T>]],
) -> Result<()> {
    let (count, device) = census(params)?;
    if state.len() != rule.state_slots() {
        return Err(TensorError::StateMismatch {
            op: rule.kind().as_str(),
            expected: rule.state_slots(),
            got: state.len(),
        });
    }
    if let Some(s) = state.iter().find(|s| s.len() != count) {
        return Err(TensorError::StateMismatch {
            op: rule.kind().as_str(),
            expected: count,
            got: s.len(),
        });
    }
    match device {
        Device::Cpu => {
            let mut i = 0;
            params.visit_params(&mut |p| {
                let (first, rest) = state.split_at_mut(state.len().min(1));
                let slots = [
                    first.first_mut().map(|s| &mut s[i]),
                    rest.first_mut().map(|s| &mut s[i]),
                ];
                i += 1;
                match slots {
                    [Some(a), Some(b)] => update(rule, p.value, &mut [a, b], p.grad),
                    [Some(a), None] => update(rule, p.value, &mut [a], p.grad),
                    _ => update(rule, p.value, &mut [], p.grad),
                }
            })
        }
        Device::Cuda(ordinal) => {
            let op = rule.kind().as_str();
            let mut walk = |row: &mut dyn FnMut(&'static str, cuda::Row<'_, T>) -> Result<()>| {
                let mut i = 0;
                params.visit_params(&mut |p| {
                    let s1 = state.first().map(|s| &s[i]);
                    let s2 = state.get(1).map(|s| &s[i]);
                    i += 1;
                    check_operands(&rule, p.value, [s1, s2], p.grad)?;
                    let storages = [
                        Some(p.value.storage.cuda(op, ordinal)?),
                        s1.map(|t| t.storage.cuda(op, ordinal)).transpose()?,
                        s2.map(|t| t.storage.cuda(op, ordinal)).transpose()?,
                        Some(p.grad.storage.cuda(op, ordinal)?),
                    ];
                    row(p.name, storages)
                })
            };
            cuda::update::update_params(&rule, ordinal, &mut walk)
        }
    }
}

/// How many params a model has and the device they live on, in one visit, after checking that
/// every param and grad shares the first param's device ([`Device::Cpu`] for a model without
/// params).
pub(crate) fn census<T: Element>(params: &mut dyn Params<T>) -> Result<(usize, Device)> {
    let mut count = 0;
    let mut device = None;
    params.visit_params(&mut |p| {
        count += 1;
        let d = *device.get_or_insert(p.value.device());
        for t in [&*p.value, &*p.grad] {
            if t.device() != d {
                return Err(TensorError::mixed("params", d, t.device()));
            }
        }
        Ok(())
    })?;
    Ok((count, device.unwrap_or(Device::Cpu)))
}

/// Visits every param once: `on_cpu` runs for each while they live on the CPU. Returns the
/// params' device; for a GPU model `on_cpu` never runs and the caller takes the GPU path. Params
/// on two devices are a [`TensorError::DeviceMismatch`].
pub(crate) fn visit_on_cpu<T: Element>(
    params: &mut dyn Params<T>,
    on_cpu: &mut dyn FnMut(crate::params::Param<'_, T>) -> Result<()>,
) -> Result<Device> {
    let mut device = None;
    params.visit_params(&mut |p| {
        let d = *device.get_or_insert(p.value.device());
        for t in [&*p.value, &*p.grad] {
            if t.device() != d {
                return Err(TensorError::mixed("params", d, t.device()));
            }
        }
        if d == Device::Cpu { on_cpu(p) } else { Ok(()) }
    })?;
    Ok(device.unwrap_or(Device::Cpu))
}

/// `p -= lr * g` ([`Rule::Sgd`]).
pub fn sgd<T: Element>(p: &mut Tensor<T>, g: &Tensor<T>, lr: f64) -> Result<()> {
    update(Rule::Sgd { lr }, p, &mut [], g)
}

/// [`Rule::apply`] (the rule's element loop on the CPU) on param `p` with grad `g` and the rule's
/// state `s1`, `s2` (empty when the rule keeps fewer), split across threads for large params:
/// every rule is element-wise, so the split changes no result.
fn apply_on_threads<T: Element>(rule: &Rule, p: &mut [T], s1: &mut [T], s2: &mut [T], g: &[T]) {
    let chunk = cpu::parallel::chunk_len(p.len(), 1);
    if chunk >= p.len() {
        rule.apply(p, s1, s2, g);
        return;
    }
    let (mut a, mut b) = (parts(s1, chunk).into_iter(), parts(s2, chunk).into_iter());
    let parts: Vec<_> = p
        .chunks_mut(chunk)
        .zip(g.chunks(chunk))
        .map(|(pc, gc)| {
            (
                pc,
                a.next().unwrap_or_default(),
                b.next().unwrap_or_default(),
                gc,
            )
        })
        .collect();
    cpu::pool::run_each(parts, |(pc, ac, bc, gc)| rule.apply(pc, ac, bc, gc));
}

/// `s` in parts of `chunk`; an empty state slot stays empty in every part.
fn parts<T>(s: &mut [T], chunk: usize) -> Vec<&mut [T]> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.chunks_mut(chunk).collect()
    }
}

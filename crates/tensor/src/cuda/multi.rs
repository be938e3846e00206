//! One kernel launch over all of a model's params (the optimizer update, the gradients'
//! finiteness check, sum of squares and scaling): the chapter's network has four small params, so
//! launches, not arithmetic, are what a step costs on a GPU.
//!
//! A visit of the params records each tensor's device pointers and length in a host table
//! ([`TABLE_COLS`] words a row, the layout `kernels.cu`'s `table_row` reads); the table goes to
//! the device only when it differs from the last one sent, which after the first step it does not
//! (params and grads keep their buffers). Then one `*_multi` kernel walks the table.

use std::sync::Arc;

use cudarc::driver::{CudaSlice, CudaStream, DevicePtr, LaunchConfig, PushKernelArg};

use super::ops::{grow, name, st, st_mut};
use super::{Backend, Scratch, THREADS, backend_err};
use crate::error::{Result, TensorError};
use crate::float::Float;
use crate::ops::update::{Rule, check_operands};
use crate::params::Params;
use crate::tensor::Tensor;

/// Words per table row: four device pointers (0 when unused) and the element count.
const TABLE_COLS: usize = 5;

/// Which table: the optimizer's rows are `(p, s1, s2, g, n)`, the gradients' `(g, 0, 0, 0, n)`.
#[derive(Clone, Copy)]
enum Kind {
    Update = 0,
    Grads = 1,
}

/// One table: what is being built, what the device holds, and the names of its params.
struct Table {
    host: Vec<u64>,
    sent: Vec<u64>,
    device: CudaSlice<u64>,
    names: Vec<&'static str>,
    largest: usize,
}

/// The two tables of a backend.
pub(crate) struct Tables([Table; 2]);

impl Tables {
    pub(crate) fn new(stream: &Arc<CudaStream>, ordinal: usize) -> Result<Self> {
        let table = || -> Result<Table> {
            Ok(Table {
                host: Vec::new(),
                sent: Vec::new(),
                device: stream
                    .alloc_zeros(TABLE_COLS)
                    .map_err(backend_err(ordinal, "alloc"))?,
                names: Vec::new(),
                largest: 0,
            })
        };
        Ok(Tables([table()?, table()?]))
    }
}

impl Table {
    fn clear(&mut self) {
        self.host.clear();
        self.names.clear();
        self.largest = 0;
    }

    fn push(&mut self, ptrs: [u64; 4], n: usize, name: &'static str) {
        self.host.extend_from_slice(&ptrs);
        self.host.push(n as u64);
        self.names.push(name);
        self.largest = self.largest.max(n);
    }

    fn count(&self) -> usize {
        self.names.len()
    }

    /// Sends the table to the device unless it holds it already.
    fn upload(&mut self, be: &Backend) -> Result<()> {
        if self.host == self.sent {
            return Ok(());
        }
        if self.device.len() < self.host.len() {
            self.device = be
                .stream
                .alloc_zeros(self.host.len().next_power_of_two())
                .map_err(backend_err(be.ordinal, "alloc"))?;
        }
        be.stream
            .memcpy_htod(&self.host, &mut self.device)
            .map_err(backend_err(be.ordinal, "memcpy_htod"))?;
        self.sent.clone_from(&self.host);
        Ok(())
    }
}

fn ptr<T: Float>(be: &Backend, data: &CudaSlice<T>) -> u64 {
    // Event tracking is off (see `Backend::new`), so the guard records nothing.
    let (p, _guard) = data.device_ptr(&be.stream);
    p
}

/// Records every param's grad (as `(g, 0, 0, 0, n)`) in the gradients' table, sends it, and runs
/// `f` with it and the scratch buffers; `empty` when there are no params.
fn with_grads<T: Float, R>(
    params: &mut dyn Params<T>,
    empty: R,
    f: impl FnOnce(&Arc<Backend>, &Table, &mut Scratch) -> Result<R>,
) -> Result<R> {
    with_backend(params, |params, be| {
        let mut tables = be.tables.lock().unwrap_or_else(|p| p.into_inner());
        let table = &mut tables.0[Kind::Grads as usize];
        table.clear();
        params.visit_params(&mut |p| {
            let g = st("grads", p.grad)?;
            table.push([ptr(be, &g.data), 0, 0, 0], g.rows * g.cols, p.name);
            Ok(())
        })?;
        if table.count() == 0 {
            return Ok(empty);
        }
        table.upload(be)?;
        let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
        f(be, table, &mut scratch)
    })
}

/// Records one param, its state and its grad as `(p, s1, s2, g, n)`.
fn record<T: Float>(
    be: &Backend,
    table: &mut Table,
    rule: &Rule,
    name: &'static str,
    p: &mut Tensor<T>,
    state: &mut [&mut Tensor<T>],
    g: &Tensor<T>,
) -> Result<()> {
    check_operands(rule, p, state, g)?;
    let kernel = rule.kernel();
    let mut ptrs = [0u64; 4];
    ptrs[0] = ptr(be, &st_mut(kernel, p)?.data);
    for (k, s) in state.iter_mut().enumerate() {
        ptrs[1 + k] = ptr(be, &st_mut(kernel, s)?.data);
    }
    ptrs[3] = ptr(be, &st(kernel, g)?.data);
    table.push(ptrs, p.rows() * p.cols(), name);
    Ok(())
}

/// Runs `f` with the backend of the params (the first param's) and its scratch buffers.
fn with_backend<T: Float, R>(
    params: &mut dyn Params<T>,
    f: impl FnOnce(&mut dyn Params<T>, &Arc<Backend>) -> Result<R>,
) -> Result<R> {
    let mut be = None;
    params.visit_params(&mut |p| {
        if be.is_none() {
            be = Some(st("params", p.value)?.backend.clone());
        }
        Ok(())
    })?;
    match be {
        Some(be) => f(params, &be),
        None => Err(TensorError::Empty {
            op: "params",
            shape: (0, 0),
        }),
    }
}

/// See [`crate::ops::update::update_params`].
pub(crate) fn update_params<T: Float>(
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
            let (first, rest) = state.split_at_mut(state.len().min(1));
            let s1 = first.first_mut().and_then(|s| s.get_mut(i));
            let s2 = rest.first_mut().and_then(|s| s.get_mut(i));
            i += 1;
            let (name, value, grad) = (p.name, p.value, &*p.grad);
            match (s1, s2) {
                (Some(a), Some(b)) => record(be, table, rule, name, value, &mut [a, b], grad),
                (Some(a), None) => record(be, table, rule, name, value, &mut [a], grad),
                _ => record(be, table, rule, name, value, &mut [], grad),
            }
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
        // row's length (checked above). The params were lent to the visit for the whole borrow of
        // `params` (see `Params::visit_params`), which this function holds until the launch is
        // queued, and the stream runs the launch before any later free of those buffers.
        unsafe { l.launch(Backend::cfg(table.largest)) }
            .map_err(backend_err(be.ordinal, kernel))?;
        Ok(())
    })
}

/// See [`crate::ops::grads::first_non_finite`].
pub(crate) fn first_non_finite<T: Float>(
    params: &mut dyn Params<T>,
) -> Result<Option<&'static str>> {
    with_grads(params, None, |be, table, scratch| {
        let count = table.count();
        if scratch.flag.len() < count {
            scratch.flag = be
                .stream
                .alloc_zeros(count.next_power_of_two())
                .map_err(backend_err(be.ordinal, "alloc"))?;
        }
        be.stream
            .memset_zeros(&mut scratch.flag)
            .map_err(backend_err(be.ordinal, "memset"))?;
        let f = be.func(&name::<T>("all_finite_multi"))?;
        let count_i32 = count as i32;
        let mut l = be.stream.launch_builder(&f);
        l.arg(&table.device).arg(&count_i32).arg(&mut scratch.flag);
        // SAFETY: (table, count, flags) is the kernel's signature; each row points at one grad of
        // the row's length, lent for the borrow of `params` held here; flags holds `count` ints.
        unsafe { l.launch(Backend::cfg(table.largest)) }
            .map_err(backend_err(be.ordinal, "all_finite_multi"))?;
        let mut flags = [0i32; 32];
        for start in (0..count).step_by(flags.len()) {
            let end = (start + flags.len()).min(count);
            let chunk = &mut flags[..end - start];
            be.stream
                .memcpy_dtoh(&scratch.flag.slice(start..end), chunk)
                .map_err(backend_err(be.ordinal, "memcpy_dtoh"))?;
            if let Some(k) = chunk.iter().position(|&f| f != 0) {
                return Ok(Some(table.names[start + k]));
            }
        }
        Ok(None)
    })
}

/// See [`crate::ops::grads::sum_squares`]: one block per grad, then the per-grad sums added on the
/// host in param order.
pub(crate) fn sum_squares<T: Float>(params: &mut dyn Params<T>) -> Result<T> {
    with_grads(params, T::ZERO, |be, table, scratch| {
        let count = table.count();
        grow(be, &mut scratch.row_bytes, count * std::mem::size_of::<T>())?;
        let f = be.func(&name::<T>("sum_squares_multi"))?;
        let count_i32 = count as i32;
        let mut l = be.stream.launch_builder(&f);
        l.arg(&table.device)
            .arg(&count_i32)
            .arg(&mut scratch.row_bytes);
        let cfg = LaunchConfig {
            grid_dim: (count.min(65_535) as u32, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: THREADS * std::mem::size_of::<T>() as u32,
        };
        // SAFETY: (table, count, out) is the kernel's signature; rows point at the grads (lent for
        // the borrow of `params` held here); out holds `count` values of T; THREADS is a power of
        // two and the shared memory holds one T per thread, as `sum_squares_block` requires.
        unsafe { l.launch(cfg) }.map_err(backend_err(be.ordinal, "sum_squares_multi"))?;
        let mut total = T::ZERO;
        let mut sums = [T::ZERO; 32];
        for start in (0..count).step_by(sums.len()) {
            let end = (start + sums.len()).min(count);
            let chunk = &mut sums[..end - start];
            // SAFETY: row_bytes was grown to `count` values of T above; the kernel wrote them.
            let view =
                unsafe { scratch.row_bytes.transmute::<T>(count) }.ok_or(TensorError::Backend {
                    device: crate::Device::Cuda(be.ordinal),
                    op: "sum_squares_multi",
                    message: "scratch buffer too small".to_string(),
                })?;
            be.stream
                .memcpy_dtoh(&view.slice(start..end), chunk)
                .map_err(backend_err(be.ordinal, "memcpy_dtoh"))?;
            for &s in chunk.iter() {
                total += s;
            }
        }
        Ok(total)
    })
}

/// See [`crate::ops::grads::scale`].
pub(crate) fn scale<T: Float>(params: &mut dyn Params<T>, s: T) -> Result<()> {
    with_grads(params, (), |be, table, _| {
        let f = be.func(&name::<T>("scale_multi"))?;
        let count = table.count() as i32;
        let mut l = be.stream.launch_builder(&f);
        l.arg(&table.device).arg(&count).arg(&s);
        // SAFETY: (table, count, s) is the kernel's signature; rows point at the grads, lent for
        // the borrow of `params` held here.
        unsafe { l.launch(Backend::cfg(table.largest)) }
            .map_err(backend_err(be.ordinal, "scale_multi"))?;
        Ok(())
    })
}

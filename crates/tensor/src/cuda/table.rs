//! The pointer tables behind one kernel launch over all of a model's params (the optimizer update, the gradients'
//! finiteness check, sum of squares and scaling): the chapter's network has four small params, so
//! launches, not arithmetic, are what a step costs on a GPU.
//!
//! A visit of the params records each tensor's device pointers and length in a host table
//! ([`TABLE_COLS`] words a row, the layout `kernels.cu`'s `table_row` reads); the table goes to
//! the device only when it differs from the last one sent, which after the first step it does not
//! (params and grads keep their buffers). Then one `*_multi` kernel walks the table.

use std::sync::Arc;

use cudarc::driver::{CudaSlice, CudaStream, DevicePtr};

use super::{Backend, CudaFloat, Scratch, backend_err};
use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::params::Params;

/// Words per table row: four device pointers (0 when unused) and the element count.
const TABLE_COLS: usize = 5;

/// Which table: the optimizer's rows are `(p, s1, s2, g, n)`, the gradients' `(g, 0, 0, 0, n)`.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Update = 0,
    Grads = 1,
}

/// One table: what is being built, what the device holds, and the names of its params.
pub(crate) struct Table {
    host: Vec<u64>,
    sent: Vec<u64>,
    pub(crate) device: CudaSlice<u64>,
    pub(crate) names: Vec<&'static str>,
    pub(crate) largest: usize,
}

/// The two tables of a backend.
pub(crate) struct Tables(pub(crate) [Table; 2]);

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
    pub(crate) fn clear(&mut self) {
        self.host.clear();
        self.names.clear();
        self.largest = 0;
    }

    pub(crate) fn push(&mut self, ptrs: [u64; 4], n: usize, name: &'static str) {
        self.host.extend_from_slice(&ptrs);
        self.host.push(n as u64);
        self.names.push(name);
        self.largest = self.largest.max(n);
    }

    pub(crate) fn count(&self) -> usize {
        self.names.len()
    }

    /// Sends the table to the device unless it holds it already.
    pub(crate) fn upload(&mut self, be: &Backend) -> Result<()> {
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

pub(crate) fn ptr<T: CudaFloat>(be: &Backend, data: &CudaSlice<T>) -> u64 {
    // Event tracking is off (see `Backend::new`), so the guard records nothing.
    let (p, _guard) = data.device_ptr(&be.stream);
    p
}

/// Records every param's grad (as `(g, 0, 0, 0, n)`) in the gradients' table, sends it, and runs
/// `f` with it and the scratch buffers; `empty` when there are no params.
pub(crate) fn with_grads<T: Element, R>(
    params: &mut dyn Params<T>,
    empty: R,
    f: impl FnOnce(&Arc<Backend>, &Table, &mut Scratch) -> Result<R>,
) -> Result<R> {
    with_backend(params, |params, be| {
        let mut tables = be.tables.lock().unwrap_or_else(|p| p.into_inner());
        let table = &mut tables.0[Kind::Grads as usize];
        table.clear();
        params.visit_params(&mut |p| {
            let g = p.grad.storage.cuda("grads", be.ordinal)?;
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

/// Runs `f` with the backend of the params (the first param's) and its scratch buffers.
pub(crate) fn with_backend<T: Element, R>(
    params: &mut dyn Params<T>,
    f: impl FnOnce(&mut dyn Params<T>, &Arc<Backend>) -> Result<R>,
) -> Result<R> {
    let mut be = None;
    params.visit_params(&mut |p| {
        if be.is_none() {
            be = Some(p.value.storage.cuda("params", 0)?.backend.clone());
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

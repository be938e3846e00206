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

use super::{Backend, CudaFloat, CudaStorage, Scratch, backend_err};
use crate::error::{Result, TensorError};

/// Words per table row: four device pointers (0 when unused) and the element count.
const TABLE_COLS: usize = 5;

/// Which table: the optimizer's rows are `(p, s1, s2, g, n)`, the gradients' `(g, 0, 0, 0, n)`.
/// Which table.
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

/// One param's storages in table order (`[p, s1, s2, g]` for an update, `[g, -, -, -]` for the
/// gradients' ops), `None` where unused.
pub(crate) type Row<'a, T> = [Option<&'a CudaStorage<T>>; 4];

/// A walk over a model's params in their visiting order: calls `row(name, storages)` for each.
/// The op layer builds it from the model (checking shapes and devices on the way), so this backend
/// sees storages, never tensors. The storages are lent for the call that receives the walk; their
/// pointers go into a table that one launch reads before the call returns.
pub(crate) type Walk<'w, T> =
    dyn FnMut(&mut dyn FnMut(&'static str, Row<'_, T>) -> Result<()>) -> Result<()> + 'w;

/// Fills table `kind` of device `ordinal` from `walk`, checking that each row's storages share
/// one length and this device, and sends it; then runs `f` with the backend, the table and the
/// scratch buffers. `empty` when the walk yields no params.
pub(crate) fn with_table<T: CudaFloat, R>(
    ordinal: usize,
    kind: Kind,
    walk: &mut Walk<'_, T>,
    empty: R,
    f: impl FnOnce(&Arc<Backend>, &Table, &mut Scratch) -> Result<R>,
) -> Result<R> {
    let be = super::backend(ordinal)?;
    let mut tables = be.tables.lock().unwrap_or_else(|p| p.into_inner());
    let table = &mut tables.0[kind as usize];
    table.clear();
    walk(&mut |name, row| {
        let mut ptrs = [0u64; 4];
        let mut len = None;
        for (slot, s) in ptrs.iter_mut().zip(row) {
            let Some(s) = s else { continue };
            let n = *len.get_or_insert(s.len());
            if s.len() != n || s.ordinal() != ordinal {
                return Err(TensorError::ShapeMismatch {
                    op: "params table",
                    lhs: (n, 1),
                    rhs: (s.len(), 1),
                });
            }
            *slot = ptr(&be, &s.data);
        }
        table.push(ptrs, len.unwrap_or(0), name);
        Ok(())
    })?;
    if table.count() == 0 {
        return Ok(empty);
    }
    table.upload(&be)?;
    let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
    f(&be, table, &mut scratch)
}

//! One kernel launch over all of a model's params: a visit of the params fills the device's
//! pointer table (see `table`), which the `*_multi` kernels walk.

use std::sync::Arc;

use cudarc::driver::{CudaSlice, DevicePtr};

use super::backend::{Backend, Scratch, backend, backend_err};
use super::float::CudaFloat;
use super::storage::CudaStorage;
use super::table::{Kind, Table};
use crate::error::{Result, TensorError};

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
    let be = backend(ordinal)?;
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
    table
        .upload(&be.stream)
        .map_err(backend_err(ordinal, "table upload"))?;
    let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
    f(&be, table, &mut scratch)
}

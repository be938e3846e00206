//! The pointer tables behind one kernel launch over all of a model's params (the optimizer update, the gradients'
//! finiteness check, sum of squares and scaling): the chapter's network has four small params, so
//! launches, not arithmetic, are what a step costs on a GPU.
//!
//! A visit of the params records each tensor's device pointers and length in a host table
//! ([`TABLE_COLS`] words a row, the layout `kernels.cu`'s `table_row` reads); the table goes to
//! the device only when it differs from the last one sent, which after the first step it does not
//! (params and grads keep their buffers). Then one `*_multi` kernel walks the table.

use std::sync::Arc;

use cudarc::driver::{CudaSlice, CudaStream, DriverError};

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
    pub(crate) fn new(stream: &Arc<CudaStream>) -> Result<Self, DriverError> {
        let table = || -> Result<Table, DriverError> {
            Ok(Table {
                host: Vec::new(),
                sent: Vec::new(),
                device: stream.alloc_zeros(TABLE_COLS)?,
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
    pub(crate) fn upload(&mut self, stream: &Arc<CudaStream>) -> Result<(), DriverError> {
        if self.host == self.sent {
            return Ok(());
        }
        if self.device.len() < self.host.len() {
            self.device = stream.alloc_zeros(self.host.len().next_power_of_two())?;
        }
        stream.memcpy_htod(&self.host, &mut self.device)?;
        self.sent.clone_from(&self.host);
        Ok(())
    }
}

//! Tensor memory on a GPU.

use std::sync::Arc;

use cudarc::driver::CudaSlice;

use super::{Backend, CudaFloat, backend, backend_err};
use crate::error::Result;

/// A `rows x cols` row-major matrix in device memory.
pub(crate) struct CudaStorage<T> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    /// At least one element long (CUDA cannot allocate zero bytes); the first `rows * cols` count.
    pub(crate) data: CudaSlice<T>,
    pub(crate) backend: Arc<Backend>,
}

impl<T: CudaFloat> CudaStorage<T> {
    /// Zeros on device `ordinal`.
    pub(crate) fn zeros(ordinal: usize, rows: usize, cols: usize) -> Result<Self> {
        let backend = backend(ordinal)?;
        let data = backend
            .stream
            .alloc_zeros((rows * cols).max(1))
            .map_err(backend_err(ordinal, "alloc"))?;
        Ok(CudaStorage {
            rows,
            cols,
            data,
            backend,
        })
    }

    /// A copy of host values on device `ordinal`.
    pub(crate) fn from_host(
        ordinal: usize,
        rows: usize,
        cols: usize,
        values: &[T],
    ) -> Result<Self> {
        let mut s = Self::zeros(ordinal, rows, cols)?;
        s.write(values)?;
        Ok(s)
    }

    /// `(rows, cols)`.
    pub(crate) fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// The device's ordinal.
    pub(crate) fn ordinal(&self) -> usize {
        self.backend.ordinal
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// Overwrites the first `values.len()` elements from the host.
    pub(crate) fn write(&mut self, values: &[T]) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        let b = &self.backend;
        b.stream
            .memcpy_htod(values, &mut self.data)
            .map_err(backend_err(b.ordinal, "memcpy_htod"))
    }

    /// The values, copied to the host.
    pub(crate) fn read(&self) -> Result<Vec<T>> {
        let b = &self.backend;
        let mut v = b
            .stream
            .clone_dtoh(&self.data)
            .map_err(backend_err(b.ordinal, "clone_dtoh"))?;
        v.truncate(self.len());
        Ok(v)
    }

    /// A device-side copy.
    pub(crate) fn try_clone(&self) -> Result<Self> {
        let mut copy = Self::zeros(self.ordinal(), self.rows, self.cols)?;
        copy.copy_from(self)?;
        Ok(copy)
    }

    /// Overwrites this storage (of the same shape) with `src`.
    pub(crate) fn copy_from(&mut self, src: &Self) -> Result<()> {
        let b = &src.backend;
        b.stream
            .memcpy_dtod(&src.data, &mut self.data)
            .map_err(backend_err(b.ordinal, "memcpy_dtod"))
    }
}

impl<T> std::fmt::Debug for CudaStorage<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CudaStorage(cuda:{}, {}x{})",
            self.backend.ordinal, self.rows, self.cols
        )
    }
}

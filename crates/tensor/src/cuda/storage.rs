//! Tensor memory on a GPU.

use std::sync::Arc;

use cudarc::driver::CudaSlice;

use super::{Backend, backend_err};
use crate::error::Result;
use crate::float::Float;

/// A `rows x cols` row-major matrix in device memory.
pub(crate) struct CudaStorage<T: Float> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    /// At least one element long (CUDA cannot allocate zero bytes); the first `rows * cols` count.
    pub(crate) data: CudaSlice<T>,
    pub(crate) backend: Arc<Backend>,
}

impl<T: Float> CudaStorage<T> {
    /// Zeros on `backend`'s device.
    pub(crate) fn zeros(backend: Arc<Backend>, rows: usize, cols: usize) -> Result<Self> {
        let data = backend
            .stream
            .alloc_zeros((rows * cols).max(1))
            .map_err(backend_err(backend.ordinal, "alloc"))?;
        Ok(CudaStorage {
            rows,
            cols,
            data,
            backend,
        })
    }

    /// A copy of host values.
    pub(crate) fn from_host(
        backend: Arc<Backend>,
        rows: usize,
        cols: usize,
        values: &[T],
    ) -> Result<Self> {
        let mut s = Self::zeros(backend, rows, cols)?;
        s.write(values)?;
        Ok(s)
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
        let n = self.rows * self.cols;
        let b = &self.backend;
        let mut v = b
            .stream
            .clone_dtoh(&self.data)
            .map_err(backend_err(b.ordinal, "clone_dtoh"))?;
        v.truncate(n);
        Ok(v)
    }

    /// A device-side copy.
    pub(crate) fn try_clone(&self) -> Result<Self> {
        let b = &self.backend;
        let mut data = b
            .stream
            .alloc_zeros(self.data.len())
            .map_err(backend_err(b.ordinal, "alloc"))?;
        b.stream
            .memcpy_dtod(&self.data, &mut data)
            .map_err(backend_err(b.ordinal, "memcpy_dtod"))?;
        Ok(CudaStorage {
            rows: self.rows,
            cols: self.cols,
            data,
            backend: b.clone(),
        })
    }
}

impl<T: Float> Clone for CudaStorage<T> {
    /// # Panics
    /// If the device cannot allocate or copy (out of memory, lost device): `Clone` has no way to
    /// report it. The library itself never clones device tensors; use `Tensor::to_device` to copy
    /// with an error instead.
    fn clone(&self) -> Self {
        self.try_clone().expect("device-to-device copy of a tensor")
    }
}

impl<T: Float> PartialEq for CudaStorage<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
            && self.cols == other.cols
            && self.backend.ordinal == other.backend.ordinal
            && matches!((self.read(), other.read()), (Ok(a), Ok(b)) if a == b)
    }
}

impl<T: Float> std::fmt::Debug for CudaStorage<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CudaStorage(cuda:{}, {}x{})",
            self.backend.ordinal, self.rows, self.cols
        )
    }
}

//! `Tensor<T>`: a 2-D, row-major matrix on a device. Chapter 1 needs nothing of higher rank.

use ndarray::{Array2, ArrayView2};

use crate::cpu::CpuStorage;
use crate::cuda::CudaStorage;
use crate::device::Device;
use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::storage::Storage;

/// A row-major `rows x cols` matrix of `T` on a [`Device`].
///
/// Rows are samples (the book's `N`), columns features. A bias vector is a `1 x cols` tensor.
/// A tensor is not `Clone`: copying device memory can fail, so [`Tensor::try_clone`] returns a
/// `Result`; compare tensors through [`Tensor::to_array`].
#[derive(Debug)]
pub struct Tensor<T: Element> {
    pub(crate) storage: Storage<T>,
}

impl<T: Element> Tensor<T> {
    /// A `rows x cols` tensor of zeros on `device`.
    pub fn zeros(rows: usize, cols: usize, device: Device) -> Result<Self> {
        check_size(rows, cols)?;
        let storage = match device {
            Device::Cpu => Storage::Cpu(cpu_zeros(rows, cols)?),
            Device::Cuda(ordinal) => Storage::Cuda(CudaStorage::zeros(ordinal, rows, cols)?),
        };
        Ok(Tensor { storage })
    }

    /// An empty (0 x 0) tensor on the CPU: a buffer that ops will shape on first use.
    pub fn empty() -> Self {
        Tensor {
            storage: Storage::Cpu(CpuStorage::zeros((0, 0))),
        }
    }

    /// Takes ownership of a host array and puts it on `device`.
    pub fn from_array(array: Array2<T>, device: Device) -> Result<Self> {
        let array = if array.is_standard_layout() {
            array
        } else {
            array.as_standard_layout().into_owned()
        };
        let storage = match device {
            Device::Cpu => Storage::Cpu(array),
            Device::Cuda(ordinal) => {
                let (rows, cols) = array.dim();
                Storage::Cuda(CudaStorage::from_host(
                    ordinal,
                    rows,
                    cols,
                    crate::cpu::data(&array),
                )?)
            }
        };
        Ok(Tensor { storage })
    }

    /// Copies a host view of `f64` values, converting each to `T` (rounding to nearest).
    pub fn from_f64(view: ArrayView2<'_, f64>, device: Device) -> Result<Self> {
        Self::from_array(view.mapv(T::from_f64), device)
    }

    /// Builds a tensor from row-major values.
    pub fn from_vec(rows: usize, cols: usize, values: Vec<T>, device: Device) -> Result<Self> {
        let len = values.len();
        let array = Array2::from_shape_vec((rows, cols), values)
            .map_err(|_| TensorError::BadLength { len, rows, cols })?;
        Self::from_array(array, device)
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        self.storage.shape()
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.shape().0
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.shape().1
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        let (r, c) = self.shape();
        r * c
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The device holding the data.
    pub fn device(&self) -> Device {
        self.storage.device()
    }

    /// Copies the data to a host array.
    pub fn to_array(&self) -> Result<Array2<T>> {
        match &self.storage {
            Storage::Cpu(a) => Ok(a.clone()),
            Storage::Cuda(c) => {
                let (rows, cols) = c.shape();
                let values = c.read()?;
                let len = values.len();
                Array2::from_shape_vec((rows, cols), values).map_err(|_| TensorError::BadLength {
                    len,
                    rows,
                    cols,
                })
            }
        }
    }

    /// Copies the data to a host array of `f64`.
    pub fn to_f64_array(&self) -> Result<Array2<f64>> {
        Ok(self.to_array()?.mapv(T::to_f64))
    }

    /// The host array, when the tensor lives on the CPU (`None` on a GPU: use
    /// [`Tensor::to_array`] to copy it to the host).
    pub fn as_array(&self) -> Option<&Array2<T>> {
        match &self.storage {
            Storage::Cpu(a) => Some(a),
            Storage::Cuda(_) => None,
        }
    }

    /// A copy on the same device; fails when the device cannot allocate or copy.
    pub fn try_clone(&self) -> Result<Self> {
        let storage = match &self.storage {
            Storage::Cpu(a) => Storage::Cpu(a.clone()),
            Storage::Cuda(c) => Storage::Cuda(c.try_clone()?),
        };
        Ok(Tensor { storage })
    }

    /// Copies this tensor to another device (a plain copy when it is already there).
    pub fn to_device(&self, device: Device) -> Result<Self> {
        if device == self.device() {
            return self.try_clone();
        }
        Self::from_array(self.to_array()?, device)
    }

    /// Gives the tensor the shape `rows x cols` on `device`, reusing its memory when the shape and
    /// device already match (the common case in a training loop: no allocation).
    ///
    /// The contents are unspecified after a reshape that reallocates; ops that call this write
    /// every element.
    pub fn ensure_shape(&mut self, rows: usize, cols: usize, device: Device) -> Result<()> {
        if self.shape() != (rows, cols) || self.device() != device {
            *self = Self::zeros(rows, cols, device)?;
        }
        Ok(())
    }

    /// Overwrites this tensor with `rows x cols` row-major host values, keeping its device and
    /// reusing its memory when the shape matches.
    pub fn copy_from_host(&mut self, rows: usize, cols: usize, values: &[T]) -> Result<()> {
        if values.len() != rows * cols {
            return Err(TensorError::BadLength {
                len: values.len(),
                rows,
                cols,
            });
        }
        self.ensure_shape(rows, cols, self.device())?;
        match &mut self.storage {
            Storage::Cpu(a) => crate::cpu::data_mut(a).copy_from_slice(values),
            Storage::Cuda(c) => c.write(values)?,
        }
        Ok(())
    }

    /// Overwrites this tensor with a copy of `src`, moving it to `src`'s device (reusing memory
    /// when shapes and devices match).
    pub fn copy_from(&mut self, src: &Tensor<T>) -> Result<()> {
        let (r, c) = src.shape();
        self.ensure_shape(r, c, src.device())?;
        match (&mut self.storage, &src.storage) {
            // A flat copy: both are in standard layout, and ndarray's `assign` walks elements.
            (Storage::Cpu(dst), Storage::Cpu(s)) => {
                crate::cpu::copy::copy(crate::cpu::data_mut(dst), crate::cpu::data(s))
            }
            (Storage::Cuda(dst), Storage::Cuda(s)) => dst.copy_from(s)?,
            (dst, s) => return Err(TensorError::mixed("copy_from", s.device(), dst.device())),
        }
        Ok(())
    }
}

/// Most elements one tensor may hold (2^33: 64 GiB of f64; on a 32-bit target such as the
/// browser's wasm32, a quarter of the address space), so that an absurd shape is an error rather
/// than an allocation that aborts the process.
pub const MAX_ELEMENTS: usize = if usize::BITS >= 64 {
    1 << 33
} else {
    1 << (usize::BITS - 5)
};

/// Zeros on the CPU, or [`TensorError::OutOfMemory`] when the allocator cannot give the memory
/// (instead of the process aborting).
fn cpu_zeros<T: Element>(rows: usize, cols: usize) -> Result<CpuStorage<T>> {
    let n = rows * cols;
    let mut values = Vec::new();
    values
        .try_reserve_exact(n)
        .map_err(|_| TensorError::OutOfMemory {
            rows,
            cols,
            bytes: n.saturating_mul(std::mem::size_of::<T>()),
        })?;
    values.resize(n, T::ZERO);
    Ok(CpuStorage::from_shape_vec((rows, cols), values).expect("rows * cols values"))
}

fn check_size(rows: usize, cols: usize) -> Result<()> {
    match rows.checked_mul(cols) {
        Some(n) if n <= MAX_ELEMENTS => Ok(()),
        _ => Err(TensorError::TooLarge {
            rows,
            cols,
            max: MAX_ELEMENTS,
        }),
    }
}

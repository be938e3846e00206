//! `Tensor<T>`: a 2-D, row-major matrix on a device. Chapter 1 needs nothing of higher rank.

use ndarray::{Array2, ArrayView2};

use crate::device::Device;
use crate::error::{Result, TensorError};
use crate::float::Float;

/// A row-major `rows x cols` matrix of `T` on a [`Device`].
///
/// Rows are samples (the book's `N`), columns features. A bias vector is a `1 x cols` tensor.
/// On the CPU the data is an `ndarray::Array2` in standard layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor<T: Float> {
    pub(crate) storage: Storage<T>,
}

/// The backing memory of a tensor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Storage<T: Float> {
    Cpu(Array2<T>),
    #[cfg(feature = "cuda")]
    Cuda(crate::cuda::CudaStorage<T>),
}

impl<T: Float> Tensor<T> {
    /// A `rows x cols` tensor of zeros on `device`.
    pub fn zeros(rows: usize, cols: usize, device: Device) -> Result<Self> {
        check_size(rows, cols)?;
        Self::from_array(Array2::zeros((rows, cols)), device)
    }

    /// An empty (0 x 0) tensor on the CPU: a buffer that ops will shape on first use.
    pub fn empty() -> Self {
        Tensor {
            storage: Storage::Cpu(Array2::zeros((0, 0))),
        }
    }

    /// Takes ownership of a host array and puts it on `device`.
    pub fn from_array(array: Array2<T>, device: Device) -> Result<Self> {
        let array = if array.is_standard_layout() {
            array
        } else {
            array.as_standard_layout().into_owned()
        };
        match device {
            Device::Cpu => Ok(Tensor {
                storage: Storage::Cpu(array),
            }),
            #[cfg(feature = "cuda")]
            Device::Cuda(ordinal) => {
                let backend = crate::cuda::backend(ordinal)?;
                let (rows, cols) = array.dim();
                let values = array.as_slice().unwrap_or(&[]);
                let storage = crate::cuda::CudaStorage::from_host(backend, rows, cols, values)?;
                Ok(Tensor {
                    storage: Storage::Cuda(storage),
                })
            }
            #[cfg(not(feature = "cuda"))]
            other => {
                other.ensure_available()?;
                unreachable_device(other)
            }
        }
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
        match &self.storage {
            Storage::Cpu(a) => a.dim(),
            #[cfg(feature = "cuda")]
            Storage::Cuda(c) => (c.rows, c.cols),
        }
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
        match &self.storage {
            Storage::Cpu(_) => Device::Cpu,
            #[cfg(feature = "cuda")]
            Storage::Cuda(c) => Device::Cuda(c.backend.ordinal),
        }
    }

    /// Copies the data to a host array.
    pub fn to_array(&self) -> Result<Array2<T>> {
        match &self.storage {
            Storage::Cpu(a) => Ok(a.clone()),
            #[cfg(feature = "cuda")]
            Storage::Cuda(c) => Array2::from_shape_vec((c.rows, c.cols), c.read()?).map_err(|_| {
                TensorError::BadLength {
                    len: c.rows * c.cols,
                    rows: c.rows,
                    cols: c.cols,
                }
            }),
        }
    }

    /// Copies the data to a host array of `f64`.
    pub fn to_f64_array(&self) -> Result<Array2<f64>> {
        Ok(self.to_array()?.mapv(T::to_f64))
    }

    /// The host array, when the tensor lives on the CPU.
    pub fn as_array(&self) -> Option<&Array2<T>> {
        match &self.storage {
            Storage::Cpu(a) => Some(a),
            #[cfg(feature = "cuda")]
            Storage::Cuda(_) => None,
        }
    }

    /// Copies this tensor to another device (a plain clone when it is already there).
    pub fn to_device(&self, device: Device) -> Result<Self> {
        if device == self.device() {
            return Ok(self.clone());
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
            check_size(rows, cols)?;
            *self = match device {
                Device::Cpu => Tensor {
                    storage: Storage::Cpu(Array2::zeros((rows, cols))),
                },
                #[cfg(feature = "cuda")]
                Device::Cuda(ordinal) => Tensor {
                    storage: Storage::Cuda(crate::cuda::CudaStorage::zeros(
                        crate::cuda::backend(ordinal)?,
                        rows,
                        cols,
                    )?),
                },
                #[cfg(not(feature = "cuda"))]
                other => {
                    other.ensure_available()?;
                    return unreachable_device(other);
                }
            };
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
            Storage::Cpu(a) => a
                .as_slice_mut()
                .expect("CPU tensors are kept in standard layout")
                .copy_from_slice(values),
            #[cfg(feature = "cuda")]
            Storage::Cuda(c) => c.write(values)?,
        }
        Ok(())
    }

    /// Overwrites this tensor with a copy of `src` (reusing memory when shapes match).
    pub fn copy_from(&mut self, src: &Tensor<T>) -> Result<()> {
        let (r, c) = src.shape();
        self.ensure_shape(r, c, src.device())?;
        match (&mut self.storage, &src.storage) {
            (Storage::Cpu(dst), Storage::Cpu(s)) => dst.assign(s),
            #[cfg(feature = "cuda")]
            (Storage::Cuda(dst), Storage::Cuda(s)) => {
                let b = &s.backend;
                b.stream
                    .memcpy_dtod(&s.data, &mut dst.data)
                    .map_err(crate::cuda::backend_err(b.ordinal, "memcpy_dtod"))?;
            }
            #[cfg(feature = "cuda")]
            _ => {
                return Err(TensorError::DeviceMismatch {
                    op: "copy_from",
                    lhs: self.device(),
                    rhs: src.device(),
                });
            }
        }
        Ok(())
    }

    /// The row-major data of a CPU tensor.
    ///
    /// Ops call this only after dispatching device tensors to their backend; a device tensor
    /// reads as empty here.
    pub(crate) fn cpu(&self) -> &[T] {
        match &self.storage {
            Storage::Cpu(a) => a
                .as_slice()
                .expect("CPU tensors are kept in standard layout"),
            #[cfg(feature = "cuda")]
            Storage::Cuda(_) => {
                debug_assert!(false, "cpu() on a device tensor");
                &[]
            }
        }
    }

    /// Mutable row-major data of a CPU tensor (empty for a device tensor, as [`Tensor::cpu`]).
    pub(crate) fn cpu_mut(&mut self) -> &mut [T] {
        match &mut self.storage {
            Storage::Cpu(a) => a
                .as_slice_mut()
                .expect("CPU tensors are kept in standard layout"),
            #[cfg(feature = "cuda")]
            Storage::Cuda(_) => {
                debug_assert!(false, "cpu_mut() on a device tensor");
                &mut []
            }
        }
    }
}

/// Most elements one tensor may hold (2^33: 64 GiB of f64), so that an absurd shape is an error
/// rather than an allocation that aborts the process.
pub const MAX_ELEMENTS: usize = 1 << 33;

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

/// The devices this build cannot hold data on never get past `ensure_available`.
#[cfg(not(feature = "cuda"))]
fn unreachable_device<R>(device: Device) -> Result<R> {
    Err(TensorError::DeviceUnavailable {
        device,
        reason: "no backend for this device in this build".to_string(),
    })
}

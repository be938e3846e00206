//! The backing memory of a tensor: one variant per backend. Both variants exist in every build;
//! without the `cuda` feature the CUDA storage is an uninhabited stand-in, so every `match` over a
//! storage is exhaustive in both builds and no op can fall through to the wrong backend.

use crate::cpu::CpuStorage;
use crate::cuda::CudaStorage;
use crate::device::Device;
use crate::element::Element;
use crate::error::TensorError;

/// A tensor's memory on its device.
pub(crate) enum Storage<T: Element> {
    /// Host memory (see [`CpuStorage`]).
    Cpu(CpuStorage<T>),
    /// GPU memory.
    Cuda(CudaStorage<T>),
}

impl<T: Element> Storage<T> {
    /// Where the memory lives.
    pub(crate) fn device(&self) -> Device {
        match self {
            Storage::Cpu(_) => Device::Cpu,
            Storage::Cuda(c) => Device::Cuda(c.ordinal()),
        }
    }

    /// `(rows, cols)`.
    pub(crate) fn shape(&self) -> (usize, usize) {
        match self {
            Storage::Cpu(a) => a.dim(),
            Storage::Cuda(c) => c.shape(),
        }
    }
}

impl<T: Element> Storage<T> {
    /// The GPU memory, for the ops over all of a model's params, which the CUDA backend walks
    /// itself (one table of pointers for one launch); a CPU storage there is a device mix-up.
    pub(crate) fn cuda(&self, op: &'static str, on: usize) -> crate::Result<&CudaStorage<T>> {
        match self {
            Storage::Cuda(c) => Ok(c),
            Storage::Cpu(_) => Err(TensorError::mixed(op, Device::Cuda(on), Device::Cpu)),
        }
    }
}

impl<T: Element> std::fmt::Debug for Storage<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Storage::Cpu(a) => a.fmt(f),
            Storage::Cuda(c) => c.fmt(f),
        }
    }
}

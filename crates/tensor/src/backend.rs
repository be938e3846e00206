//! What this build and this machine can run on: the run-time side of [`Device`], answered by the
//! backends.

use crate::device::Device;
use crate::error::Result;
use crate::{cpu, cuda};

impl Device {
    /// Checks that the device can be used here and now.
    ///
    /// For `Cuda` this loads the driver and creates a context on first use (so the first call
    /// can take a moment).
    pub fn ensure_available(self) -> Result<()> {
        match self {
            Device::Cpu => Ok(()),
            Device::Cuda(ordinal) => cuda::ensure_available(ordinal),
        }
    }

    /// Whether this build was compiled with the CUDA backend (`--features cuda`).
    pub const fn cuda_compiled() -> bool {
        cfg!(feature = "cuda")
    }

    /// How many kernels (cuBLAS calls included) this process has launched on GPUs so far: the
    /// difference over some steps gives the launches per step. Always 0 without a GPU.
    pub fn kernel_launches() -> u64 {
        cuda::kernel_launches()
    }

    /// A one-line description of the device ("cpu", or the GPU's name).
    pub fn describe(self) -> String {
        match self {
            Device::Cpu => format!("cpu ({} threads available)", cpu::parallel::threads()),
            Device::Cuda(ordinal) => cuda::describe(ordinal),
        }
    }
}

//! Where a tensor lives, chosen at run time.

use std::fmt;
use std::str::FromStr;

use crate::error::{Result, TensorError};

/// A compute device.
///
/// The crates above `tensor` never use `#[cfg]` for devices: they hold a `Device` value and the
/// tensor ops dispatch on it. Asking for a device this build or this machine cannot provide is a
/// [`TensorError::DeviceUnavailable`], never a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Device {
    /// The host CPU (always available).
    #[default]
    Cpu,
    /// An NVIDIA GPU, by ordinal.
    Cuda(usize),
}

impl Device {
    /// Checks that the device can be used here and now.
    ///
    /// For `Cuda` this loads the driver and creates a context on first use (so the first call
    /// can take a moment).
    pub fn ensure_available(self) -> Result<()> {
        match self {
            Device::Cpu => Ok(()),
            Device::Cuda(ordinal) => crate::cuda::ensure_available(ordinal),
        }
    }

    /// Whether this build was compiled with the CUDA backend (`--features cuda`).
    pub const fn cuda_compiled() -> bool {
        cfg!(feature = "cuda")
    }

    /// How many kernels (cuBLAS calls included) this process has launched on GPUs so far: the
    /// difference over some steps gives the launches per step. Always 0 without a GPU.
    pub fn kernel_launches() -> u64 {
        crate::cuda::kernel_launches()
    }

    /// A one-line description of the device ("cpu", or the GPU's name).
    pub fn describe(self) -> String {
        match self {
            Device::Cpu => format!(
                "cpu ({} threads available)",
                crate::cpu::parallel::threads()
            ),
            Device::Cuda(ordinal) => crate::cuda::describe(ordinal),
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            Device::Cuda(i) => write!(f, "cuda:{i}"),
        }
    }
}

impl FromStr for Device {
    type Err = TensorError;

    /// Parses `cpu`, `cuda` (ordinal 0) or `cuda:N`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "cpu" => Ok(Device::Cpu),
            "cuda" | "gpu" => Ok(Device::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(Device::Cuda)
                .ok_or(TensorError::UnknownDevice {
                    name: s.to_string(),
                }),
        }
    }
}

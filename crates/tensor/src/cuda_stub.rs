//! The CUDA backend's stand-in for builds without `--features cuda`: every entry point is a typed
//! "not compiled in" error, so the code above the tensor crate needs no `#[cfg]`.

use crate::device::Device;
use crate::error::{Result, TensorError};

/// Always fails: this build has no CUDA backend.
pub(crate) fn ensure_available(ordinal: usize) -> Result<()> {
    Err(TensorError::DeviceUnavailable {
        device: Device::Cuda(ordinal),
        reason: "this build has no CUDA support; rebuild with `--features cuda`".to_string(),
    })
}

/// Describes a device that cannot be used in this build.
pub(crate) fn describe(ordinal: usize) -> String {
    format!("cuda:{ordinal} (not compiled in)")
}

/// No GPU kernels in this build.
pub(crate) fn kernel_launches() -> u64 {
    0
}

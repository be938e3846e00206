//! Where a tensor lives, chosen at run time: plain data (the backends' run-time checks on it are in
//! `backend.rs`).

use std::fmt;
use std::str::FromStr;

/// A compute device.
///
/// The crates above `tensor` never use `#[cfg]` for devices: they hold a `Device` value and the
/// tensor ops dispatch on it. Asking for a device this build or this machine cannot provide is a
/// [`crate::TensorError::DeviceUnavailable`], never a panic (see [`Device::ensure_available`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Device {
    /// The host CPU (always available).
    #[default]
    Cpu,
    /// An NVIDIA GPU, by ordinal.
    Cuda(usize),
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            Device::Cuda(i) => write!(f, "cuda:{i}"),
        }
    }
}

/// A device name that is neither `cpu`, `cuda` nor `cuda:N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown device '{name}' (expected cpu, cuda or cuda:N)")]
pub struct ParseDeviceError {
    /// The name given.
    pub name: String,
}

impl FromStr for Device {
    type Err = ParseDeviceError;

    /// Parses `cpu`, `cuda` (ordinal 0) or `cuda:N`.
    fn from_str(s: &str) -> Result<Self, ParseDeviceError> {
        match s {
            "cpu" => Ok(Device::Cpu),
            "cuda" | "gpu" => Ok(Device::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(Device::Cuda)
                .ok_or(ParseDeviceError {
                    name: s.to_string(),
                }),
        }
    }
}

//! The numeric core of dlfs2: a 2-D [`Tensor`] generic over [`Float`] (`f32`/`f64`), the small op
//! set chapter 1 needs ([`ops`]), class [`Labels`], the run-time [`Device`] choice, and the book's
//! random stream ([`random::BookRng`]).
//!
//! The CPU backend ([`cpu`]) is the reference: it follows numpy's order of floating-point
//! operations so that `f64` results equal the book's to the last bit. A CUDA backend slots in
//! under the same API with the `cuda` feature; without it, asking for a GPU is a typed error.

pub mod cpu;
#[cfg(feature = "cuda")]
pub mod cuda;
#[cfg(not(feature = "cuda"))]
#[path = "cuda_stub.rs"]
mod cuda;
pub mod device;
pub mod error;
pub mod float;
pub mod labels;
pub mod ops;
pub mod params;
pub mod parity;
pub mod random;
pub mod tensor;

pub use device::Device;
pub use error::{Result, TensorError};
pub use float::{DeviceScalar, Float};
pub use labels::Labels;
pub use params::{Param, Params};
pub use tensor::Tensor;

//! The numeric core of dlfs2: a 2-D [`Tensor`] generic over its [`Element`] type (`f32`/`f64`),
//! the small op set chapter 1 needs ([`ops`]), class [`Labels`], the run-time [`Device`] choice,
//! the optimizer update rules ([`rule`]), the book's random stream ([`random::BookRng`]) and the C
//! library's functions as glibc computes them ([`math`]), so that the book's numbers do not depend
//! on the platform's libm.
//!
//! [`ops`] is the only dispatcher: it checks shapes and devices, then hands each backend its own
//! storages. The CPU backend ([`cpu`]) is the reference: it follows numpy's order of floating-point
//! operations so that `f64` results equal the book's to the last bit. The CUDA backend (`cuda`)
//! mirrors it op group by op group with the `cuda` feature; without it a stand-in keeps every
//! `match` the same and asking for a GPU is a typed error. See ARCHITECTURE.md at the top of the
//! repository.

mod backend;
mod backend_contract;
mod cpu;
#[cfg(feature = "cuda")]
pub mod cuda;
#[cfg(not(feature = "cuda"))]
#[path = "cuda_stub.rs"]
pub mod cuda;
pub mod device;
pub mod element;
pub mod error;
pub mod float;
mod glibc_math;
pub mod labels;
mod numpy_math;
pub mod ops;
pub mod params;
/// Scoped work split across the CPU's threads, the way the kernels split theirs: how many threads
/// ([`parallel::threads`], `DLFS2_THREADS`) and a spawn that runs the work here when no thread can
/// be started ([`parallel::spawn_or_here`]).
pub mod parallel {
    pub use crate::cpu::parallel::{Part, spawn_or_here, threads};
}
/// glibc's `exp`, `log`, `sin`, `cos` and `pow` for `f64`, the same bits on every platform (the
/// browser's included), for the book's data sets, random stream, layers, loss and Adam; and
/// numpy's own `float32` `exp` and `log`, for the float32 runs' sigmoid, softmax and loss.
pub mod math {
    pub use crate::glibc_math::{cos, exp, log, pow, sin};
    pub use crate::numpy_math::{exp_f32 as numpy_exp_f32, log_f32 as numpy_log_f32};
}
pub mod random;
pub mod rule;
mod storage;
pub mod tensor;

pub use device::{Device, ParseDeviceError};
pub use element::Element;
pub use error::{Result, TensorError};
pub use float::{DType, Float};
pub use labels::Labels;
pub use params::{Param, Params};
pub use rule::Rule;
pub use tensor::Tensor;

/// The CPU backend's kernels, for this workspace's tests, benchmarks and the decision-boundary
/// code: not part of the documented API. Everything here is safe to call with any arguments:
/// views are built by checked constructors and the kernels check every bound before they read or
/// write through a pointer; the register tiles and raw views stay private to the crate.
#[doc(hidden)]
pub mod kernels {
    pub use crate::cpu::{
        CpuFloat, bias, blas_order, classify, exact_exp, fast_exp, gemm, matmul, parallel, pool,
        reduce,
    };
}

//! The CPU backend: plain kernels on row-major slices. This is the reference every other backend
//! is tested against; the functions in [`crate::ops`] check shapes and then call these.

pub mod classify;
pub mod fast_exp;
pub mod gemm;
pub mod matmul;
pub mod parallel;
pub mod reduce;
pub mod sigmoid;
pub mod softmax;
pub mod update;

//! Matrix products on a GPU, with cuBLAS (TF32 off; see `cpu/matmul.rs` for the reference).

use cudarc::cublas::{GemmConfig, sys::cublasOperation_t};

use super::{CudaFloat, CudaStorage, backend_err};
use crate::device::Device;
use crate::error::{Result, TensorError};

/// `out = op(a) · op(b)` (`m x k` times `k x n`). Row-major `C = A·B` is column-major
/// `Cᵀ = Bᵀ·Aᵀ`, so the operands go in swapped, each transposed when its flag is *not* set
/// relative to that view.
pub(crate) fn matmul<T: CudaFloat>(
    a: &CudaStorage<T>,
    transpose_a: bool,
    b: &CudaStorage<T>,
    transpose_b: bool,
    out: &mut CudaStorage<T>,
    (m, k, n): (usize, usize, usize),
) -> Result<()> {
    let be = out.backend.clone();
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 {
        return be
            .stream
            .memset_zeros(&mut out.data)
            .map_err(backend_err(be.ordinal, "memset"));
    }
    let op = |t: bool| {
        if t {
            cublasOperation_t::CUBLAS_OP_T
        } else {
            cublasOperation_t::CUBLAS_OP_N
        }
    };
    let cfg = GemmConfig {
        transa: op(transpose_b),
        transb: op(transpose_a),
        m: n as i32,
        n: m as i32,
        k: k as i32,
        alpha: T::ONE,
        lda: b.cols as i32,
        ldb: a.cols as i32,
        beta: T::ZERO,
        ldc: n as i32,
    };
    super::count_launch();
    T::gemm(&be.blas, cfg, &b.data, &a.data, &mut out.data).map_err(|e| TensorError::Backend {
        device: Device::Cuda(be.ordinal),
        op: "matmul (cuBLAS)",
        message: format!("{e:?}"),
    })
}

//! Matrix products and the bias add of `Affine`/`MatMul` (book §1.2, §1.3.4).

use super::same_device;
use crate::cpu;
use crate::cpu::matmul::MatRef;
use crate::error::{Result, TensorError};
use crate::float::Float;
use crate::tensor::Tensor;

/// `out = op(a) · op(b)`, where `op` transposes when its flag is set.
///
/// Shapes: `op(a)` is `m x k`, `op(b)` is `k x n`, `out` becomes `m x n`. The forward pass is
/// `matmul(x, false, w, false)`, `dx = matmul(dout, false, w, true)`, `dW = matmul(x, true, dout, false)`.
/// Rounding: each element is an ascending-`k` chain of fused multiply-adds, as numpy's OpenBLAS.
pub fn matmul<T: Float>(
    a: &Tensor<T>,
    transpose_a: bool,
    b: &Tensor<T>,
    transpose_b: bool,
    out: &mut Tensor<T>,
) -> Result<()> {
    same_device("matmul", a, b)?;
    let (ar, ac) = a.shape();
    let (br, bc) = b.shape();
    let (m, k) = if transpose_a { (ac, ar) } else { (ar, ac) };
    let (k2, n) = if transpose_b { (bc, br) } else { (br, bc) };
    if k != k2 {
        return Err(TensorError::ShapeMismatch {
            op: "matmul",
            lhs: (m, k),
            rhs: (k2, n),
        });
    }
    out.ensure_shape(m, n, a.device())?;
    #[cfg(feature = "cuda")]
    if a.device() != crate::Device::Cpu {
        return crate::cuda::ops::matmul(a, transpose_a, b, transpose_b, out, (m, k, n));
    }
    let am = MatRef::new(a.cpu(), ar, ac, transpose_a);
    let bm = MatRef::new(b.cpu(), br, bc, transpose_b);
    cpu::matmul::matmul(am, bm, out.cpu_mut());
    Ok(())
}

/// `x += b` with the `1 x cols` row `b` broadcast over the rows of `x`.
pub fn add_row<T: Float>(x: &mut Tensor<T>, b: &Tensor<T>) -> Result<()> {
    same_device("add_row", x, b)?;
    if b.rows() != 1 || b.cols() != x.cols() {
        return Err(TensorError::ShapeMismatch {
            op: "add_row",
            lhs: x.shape(),
            rhs: b.shape(),
        });
    }
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::add_row(x, b);
    }
    cpu::reduce::add_row(x.cpu_mut(), b.cpu());
    Ok(())
}

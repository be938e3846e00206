//! Matrix products (book §1.2, the `MatMul` node §1.3.4.5).

use crate::cpu::mat_ref::MatRef;
use crate::element::Element;
use crate::error::{Result, TensorError};
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::{cpu, cuda};

/// `out = op(a) · op(b)`, where `op` transposes when its flag is set.
///
/// Shapes: `op(a)` is `m x k`, `op(b)` is `k x n`, `out` becomes `m x n`. The forward pass is
/// `matmul(x, false, w, false)`, `dx = matmul(dout, false, w, true)`, `dW = matmul(x, true, dout, false)`.
/// Rounding: each element is an ascending-`k` chain of fused multiply-adds, as numpy's OpenBLAS.
pub fn matmul<T: Element>(
    a: &Tensor<T>,
    transpose_a: bool,
    b: &Tensor<T>,
    transpose_b: bool,
    out: &mut Tensor<T>,
) -> Result<()> {
    super::same_device("matmul", a, b)?;
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
    match (&a.storage, &b.storage, &mut out.storage) {
        (Storage::Cpu(sa), Storage::Cpu(sb), Storage::Cpu(so)) => {
            let am = MatRef::new(cpu::data(sa), ar, ac, transpose_a);
            let bm = MatRef::new(cpu::data(sb), br, bc, transpose_b);
            cpu::matmul::matmul(am, bm, cpu::data_mut(so));
            Ok(())
        }
        (Storage::Cuda(sa), Storage::Cuda(sb), Storage::Cuda(so)) => {
            cuda::matmul::matmul(sa, transpose_a, sb, transpose_b, so, (m, k, n))
        }
        (sa, _, so) => Err(TensorError::mixed("matmul", sa.device(), so.device())),
    }
}

//! Reductions: column sums, squared norm, argmax, finiteness.

use crate::cpu;
use crate::error::Result;
use crate::float::Float;
use crate::tensor::Tensor;

/// Column sums, `np.sum(x, axis=0)`, into a `1 x cols` tensor (`Affine`'s `db`, the `Sum` node).
pub fn sum_rows<T: Float>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    out.ensure_shape(1, x.cols(), x.device())?;
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::sum_rows(x, out);
    }
    cpu::reduce::sum_rows(x.cpu(), x.cols(), out.cpu_mut());
    Ok(())
}

/// `np.sum(x ** 2)`, the squared L2 norm (numpy's pairwise order).
pub fn sum_squares<T: Float>(x: &Tensor<T>) -> Result<T> {
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::sum_squares(x);
    }
    Ok(cpu::reduce::sum_squares(x.cpu()))
}

/// `x *= s`.
pub fn scale<T: Float>(x: &mut Tensor<T>, s: T) -> Result<()> {
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::scale(x, s);
    }
    cpu::update::scale(x.cpu_mut(), s);
    Ok(())
}

/// The index of the largest value in each row (the predicted class), into `out`.
pub fn argmax_rows<T: Float>(x: &Tensor<T>, out: &mut Vec<usize>) -> Result<()> {
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::argmax_rows(x, out);
    }
    cpu::reduce::argmax_rows(x.cpu(), x.cols(), out);
    Ok(())
}

/// Whether every element is finite (no NaN, no infinity).
pub fn all_finite<T: Float>(x: &Tensor<T>) -> Result<bool> {
    #[cfg(feature = "cuda")]
    if x.device() != crate::Device::Cpu {
        return crate::cuda::ops::all_finite(x);
    }
    Ok(x.cpu().iter().all(|v| v.is_finite()))
}

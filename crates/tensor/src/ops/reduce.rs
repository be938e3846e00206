//! Reductions and scaling of one tensor: squared norm, argmax, finiteness, `x *= s`.

use crate::element::Element;
use crate::error::Result;
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::{cpu, cuda};

/// `np.sum(x ** 2)` (numpy's pairwise order on the CPU).
pub fn sum_squares<T: Element>(x: &Tensor<T>) -> Result<T> {
    match &x.storage {
        Storage::Cpu(sx) => Ok(cpu::reduce::sum_squares(cpu::data(sx))),
        Storage::Cuda(sx) => cuda::reduce::sum_squares(sx),
    }
}

/// `x *= s`, elementwise, in place.
pub fn scale<T: Element>(x: &mut Tensor<T>, s: T) -> Result<()> {
    match &mut x.storage {
        Storage::Cpu(sx) => {
            cpu::reduce::scale(cpu::data_mut(sx), s);
            Ok(())
        }
        Storage::Cuda(sx) => cuda::reduce::scale(sx, s),
    }
}

/// Index of the first largest value of each row (`np.argmax(x, axis=1)`), into `out`.
pub fn argmax_rows<T: Element>(x: &Tensor<T>, out: &mut Vec<usize>) -> Result<()> {
    match &x.storage {
        Storage::Cpu(sx) => {
            cpu::reduce::argmax_rows(cpu::data(sx), x.cols(), out);
            Ok(())
        }
        Storage::Cuda(sx) => cuda::reduce::argmax_rows(sx, out),
    }
}

/// Whether every element is finite (no NaN, no infinity).
pub fn all_finite<T: Element>(x: &Tensor<T>) -> Result<bool> {
    match &x.storage {
        Storage::Cpu(sx) => Ok(cpu::reduce::all_finite(cpu::data(sx))),
        Storage::Cuda(sx) => cuda::reduce::all_finite(sx),
    }
}

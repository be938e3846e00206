//! The fused class prediction of the chapter's network on a GPU (see `cpu/classify.rs`), one
//! thread per point.

use super::launch::{class_buffer, launch, read_classes};
use super::{Backend, CudaFloat, CudaStorage};
use crate::error::Result;

/// `argmax(sigmoid(x · w1 + b1) · w2 + b2)` per row of `x`, into `out`.
pub(crate) fn classify_two_layer<T: CudaFloat>(
    x: &CudaStorage<T>,
    [w1, b1, w2, b2]: [&CudaStorage<T>; 4],
    out: &mut Vec<usize>,
) -> Result<()> {
    let be = x.backend.clone();
    let (n, inputs, hidden, classes) =
        (x.rows as i32, x.cols as i32, w1.cols as i32, w2.cols as i32);
    let mut dev = class_buffer(&be, x.rows)?;
    launch!(
        be,
        "classify_two_layer",
        T,
        Backend::cfg(x.rows),
        &x.data,
        &w1.data,
        &b1.data,
        &w2.data,
        &b2.data,
        &mut dev,
        &n,
        &inputs,
        &hidden,
        &classes
    );
    read_classes(&be, &dev, x.rows, out)
}

//! Softmax and the softmax-with-cross-entropy loss on a GPU (see `cpu/softmax.rs`).

use cudarc::driver::{LaunchConfig, PushKernelArg};

use super::launch::{grow, launch, name, read_as, with_u32};
use super::{Backend, CudaFloat, CudaStorage, THREADS, backend_err};
use crate::error::Result;
use crate::labels::Labels;

/// Row-wise softmax, one thread per row.
pub(crate) fn softmax<T: CudaFloat>(x: &CudaStorage<T>, out: &mut CudaStorage<T>) -> Result<()> {
    let (rows, cols) = (x.rows as i32, x.cols as i32);
    let be = x.backend.clone();
    launch!(
        be,
        "softmax",
        T,
        Backend::cfg(x.rows),
        &x.data,
        &mut out.data,
        &rows,
        &cols
    );
    Ok(())
}

/// Backward of a plain softmax.
pub(crate) fn softmax_backward<T: CudaFloat>(
    y: &CudaStorage<T>,
    dout: &CudaStorage<T>,
    dx: &mut CudaStorage<T>,
) -> Result<()> {
    let (rows, cols) = (y.rows as i32, y.cols as i32);
    let be = y.backend.clone();
    let cfg = Backend::cfg(y.rows);
    launch!(
        be,
        "softmax_backward",
        T,
        cfg,
        &y.data,
        &dout.data,
        &mut dx.data,
        &rows,
        &cols
    );
    Ok(())
}

/// Softmax into `y`, the gradient for `dout = 1` into `dx` when given, and the loss, which is the
/// one value copied back. The per-row terms and the loss live in reusable scratch buffers.
pub(crate) fn softmax_cross_entropy<T: CudaFloat>(
    x: &CudaStorage<T>,
    t: &Labels,
    y: &mut CudaStorage<T>,
    mut dx: Option<&mut CudaStorage<T>>,
) -> Result<T> {
    let op = "softmax_cross_entropy";
    let be = x.backend.clone();
    let (rows, cols) = (x.rows as i32, x.cols as i32);
    let null = 0u64;
    let mut loss = [T::ZERO];
    with_u32(&be, true, t.indices(), |labels| {
        let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
        let scratch = &mut *scratch;
        grow(&be, &mut scratch.row_bytes, x.rows * 8)?;
        let f = be.func(&name::<T>(op))?;
        let mut l = be.stream.launch_builder(&f);
        l.arg(&x.data).arg(labels).arg(&mut y.data);
        match dx.as_mut() {
            Some(d) => l.arg(&mut d.data),
            None => l.arg(&null),
        };
        l.arg(&mut scratch.row_bytes)
            .arg(&mut scratch.loss_bytes)
            .arg(&rows)
            .arg(&cols);
        let cfg = LaunchConfig {
            grid_dim: (1, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        // SAFETY: (x, t, y, dx or null, row_loss, loss, rows, cols) is the kernel's signature; x,
        // y and dx hold rows x cols values, t holds rows labels below cols (checked by `Labels`
        // and the op layer), row_bytes holds rows values of T (8 bytes each at most), loss_bytes one.
        unsafe { l.launch(cfg) }.map_err(backend_err(be.ordinal, op))?;
        read_as(&be, &scratch.loss_bytes, &mut loss)
    })?;
    Ok(loss[0])
}

/// `dx = (y - onehot(t)) * dout / N`.
pub(crate) fn softmax_cross_entropy_backward<T: CudaFloat>(
    y: &CudaStorage<T>,
    t: &Labels,
    dout: T,
    dx: &mut CudaStorage<T>,
) -> Result<()> {
    let be = y.backend.clone();
    let (rows, cols) = (y.rows as i32, y.cols as i32);
    with_u32(&be, true, t.indices(), |labels| {
        launch!(
            be,
            "softmax_cross_entropy_backward",
            T,
            Backend::cfg(y.len()),
            &y.data,
            labels,
            &dout,
            &mut dx.data,
            &rows,
            &cols
        );
        Ok(())
    })
}

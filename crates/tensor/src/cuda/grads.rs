//! Ops over all of a model's gradients on a GPU, each one `*_multi` kernel over the gradients'
//! pointer table (see `table.rs`): the finiteness check, the squared norm and the scaling of
//! gradient clipping.

use cudarc::driver::{LaunchConfig, PushKernelArg};

use super::launch::{grow, name};
use super::params::{Walk, with_table};
use super::table::Kind;
use super::{Backend, CudaFloat, THREADS, backend_err};
use crate::error::{Result, TensorError};

/// See [`crate::ops::grads::first_non_finite`].
pub(crate) fn first_non_finite<T: CudaFloat>(
    ordinal: usize,
    grads: &mut Walk<'_, T>,
) -> Result<Option<&'static str>> {
    with_table(ordinal, Kind::Grads, grads, None, |be, table, scratch| {
        let count = table.count();
        if scratch.flag.len() < count {
            scratch.flag = be
                .stream
                .alloc_zeros(count.next_power_of_two())
                .map_err(backend_err(be.ordinal, "alloc"))?;
        }
        be.stream
            .memset_zeros(&mut scratch.flag)
            .map_err(backend_err(be.ordinal, "memset"))?;
        let f = be.func(&name::<T>("all_finite_multi"))?;
        let count_i32 = count as i32;
        let mut l = be.stream.launch_builder(&f);
        l.arg(&table.device).arg(&count_i32).arg(&mut scratch.flag);
        // SAFETY: (table, count, flags) is the kernel's signature; each row points at one grad of
        // the row's length, lent for this call (see `Walk`); flags holds `count` ints.
        unsafe { l.launch(Backend::cfg(table.largest)) }
            .map_err(backend_err(be.ordinal, "all_finite_multi"))?;
        let mut flags = [0i32; 32];
        for start in (0..count).step_by(flags.len()) {
            let end = (start + flags.len()).min(count);
            let chunk = &mut flags[..end - start];
            be.stream
                .memcpy_dtoh(&scratch.flag.slice(start..end), chunk)
                .map_err(backend_err(be.ordinal, "memcpy_dtoh"))?;
            if let Some(k) = chunk.iter().position(|&f| f != 0) {
                return Ok(Some(table.names[start + k]));
            }
        }
        Ok(None)
    })
}

/// See [`crate::ops::grads::norm_squared`]: one block per grad, then the per-grad sums added on the
/// host in param order.
pub(crate) fn norm_squared<T: CudaFloat>(ordinal: usize, grads: &mut Walk<'_, T>) -> Result<T> {
    with_table(
        ordinal,
        Kind::Grads,
        grads,
        T::ZERO,
        |be, table, scratch| {
            let count = table.count();
            grow(be, &mut scratch.row_bytes, count * std::mem::size_of::<T>())?;
            let f = be.func(&name::<T>("sum_squares_multi"))?;
            let count_i32 = count as i32;
            let mut l = be.stream.launch_builder(&f);
            l.arg(&table.device)
                .arg(&count_i32)
                .arg(&mut scratch.row_bytes);
            let cfg = LaunchConfig {
                grid_dim: (count.min(65_535) as u32, 1, 1),
                block_dim: (THREADS, 1, 1),
                shared_mem_bytes: THREADS * std::mem::size_of::<T>() as u32,
            };
            // SAFETY: (table, count, out) is the kernel's signature; rows point at the grads (lent for
            // this call, see `Walk`); out holds `count` values of T; THREADS is a power of
            // two and the shared memory holds one T per thread, as `sum_squares_block` requires.
            unsafe { l.launch(cfg) }.map_err(backend_err(be.ordinal, "sum_squares_multi"))?;
            let mut total = T::ZERO;
            let mut sums = [T::ZERO; 32];
            for start in (0..count).step_by(sums.len()) {
                let end = (start + sums.len()).min(count);
                let chunk = &mut sums[..end - start];
                // SAFETY: row_bytes was grown to `count` values of T above; the kernel wrote them.
                let view = unsafe { scratch.row_bytes.transmute::<T>(count) }.ok_or(
                    TensorError::Backend {
                        device: crate::Device::Cuda(be.ordinal),
                        op: "sum_squares_multi",
                        message: "scratch buffer too small".to_string(),
                    },
                )?;
                be.stream
                    .memcpy_dtoh(&view.slice(start..end), chunk)
                    .map_err(backend_err(be.ordinal, "memcpy_dtoh"))?;
                for &s in chunk.iter() {
                    total += s;
                }
            }
            Ok(total)
        },
    )
}

/// See [`crate::ops::grads::scale_all`].
pub(crate) fn scale_all<T: CudaFloat>(ordinal: usize, grads: &mut Walk<'_, T>, s: T) -> Result<()> {
    with_table(ordinal, Kind::Grads, grads, (), |be, table, _| {
        let f = be.func(&name::<T>("scale_multi"))?;
        let count = table.count() as i32;
        let mut l = be.stream.launch_builder(&f);
        l.arg(&table.device).arg(&count).arg(&s);
        // SAFETY: (table, count, s) is the kernel's signature; rows point at the grads, lent for
        // this call (see `Walk`).
        unsafe { l.launch(Backend::cfg(table.largest)) }
            .map_err(backend_err(be.ordinal, "scale_multi"))?;
        Ok(())
    })
}

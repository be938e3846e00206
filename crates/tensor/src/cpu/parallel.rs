//! How many CPU threads the kernels may use.

use std::sync::OnceLock;

/// Threads the CPU kernels split large work across: `DLFS2_THREADS` if set, else the cores the
/// OS grants this process.
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        std::env::var("DLFS2_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// Element-wise work below this many elements stays on one thread (a thread start costs tens of
/// microseconds; 2^16 elements of sigmoid cost about a hundred).
pub const ELEMENTWISE_PARALLEL_MIN: usize = 1 << 16;

/// The length of each thread's part of `len` elements of element-wise work, a multiple of
/// `align` (a row width): `len` itself when the work is too small to split.
pub fn chunk_len(len: usize, align: usize) -> usize {
    let (threads, align) = (threads(), align.max(1));
    if len < ELEMENTWISE_PARALLEL_MIN || threads == 1 {
        return len.max(1);
    }
    len.div_ceil(threads).div_ceil(align) * align
}

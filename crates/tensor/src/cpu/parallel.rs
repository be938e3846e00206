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

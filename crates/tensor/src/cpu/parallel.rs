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

/// A part of scoped parallel work: on its own thread, or already done on the caller's thread
/// when no thread could be started (a process limit such as `ulimit -u`).
pub enum Part<'scope, T> {
    /// Running on a scoped thread (which always finds the work in its slot: it takes it first).
    Thread(std::thread::ScopedJoinHandle<'scope, Option<T>>),
    /// Done on the caller's thread.
    Done(T),
}

impl<T> Part<'_, T> {
    /// The part's result (`Err` if its thread panicked).
    pub fn join(self) -> std::thread::Result<T> {
        match self {
            Part::Thread(h) => h
                .join()
                .and_then(|v| v.ok_or_else(|| Box::new("the part's work was missing") as _)),
            Part::Done(v) => Ok(v),
        }
    }
}

/// Runs `f` on a new scoped thread of `s`, or here, at once, if no thread can be started: work
/// that is split across threads finishes either way, never panicking on a thread limit.
pub fn spawn_or_here<'scope, T: Send + 'scope, F: FnOnce() -> T + Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, '_>,
    f: F,
) -> Part<'scope, T> {
    use std::sync::{Arc, Mutex, PoisonError};
    // A failed `spawn_scoped` drops the closure it was given, so the work goes through a slot
    // that this thread can take back.
    let slot = Arc::new(Mutex::new(Some(f)));
    let theirs = Arc::clone(&slot);
    let spawned = std::thread::Builder::new().spawn_scoped(s, move || {
        let f = theirs.lock().unwrap_or_else(PoisonError::into_inner).take();
        f.map(|f| f())
    });
    match spawned {
        Ok(h) => Part::Thread(h),
        Err(_) => {
            let f = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            match f {
                Some(f) => Part::Done(f()),
                None => unreachable!("a thread that never started took the work"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_run_and_join_in_order() {
        let got: Vec<usize> = std::thread::scope(|s| {
            let parts: Vec<_> = (0..4)
                .map(|i| super::spawn_or_here(s, move || i * i))
                .collect();
            parts.into_iter().map(|p| p.join().unwrap()).collect()
        });
        assert_eq!(got, [0, 1, 4, 9]);
    }
}

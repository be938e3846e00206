//! Persistent worker threads for the CPU kernels' parallel parts.
//!
//! A `std::thread::scope` spawn and join costs about 37 µs on the benchmark machine, and a W3
//! training step splits some thirty operations across threads: a millisecond a step went to
//! starting threads. Here the workers start once and wait for work, spinning for a moment before
//! they sleep on a condition variable; the calling thread runs part 0 itself. One caller at a time uses the workers; a second caller at the same
//! moment (two trainings in parallel, as `xtask compare` runs them) gets scoped threads instead, so
//! nothing ever waits on another caller's work.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// Runs `f(part)` once for every item of `parts`, in parallel: the first on this thread, the rest
/// on the workers (or on scoped threads when the workers are busy). Returns when all are done; a
/// panic in any part is raised here after all parts finished.
pub fn run_each<P: Send>(parts: Vec<P>, f: impl Fn(P) + Sync) {
    let n = parts.len();
    if n <= 1 {
        parts.into_iter().for_each(f);
        return;
    }
    let cells: Vec<Mutex<Option<P>>> = parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
    let run = |i: usize| {
        let part = cells[i]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(p) = part {
            f(p);
        }
    };
    let guard = match POOL_IN_USE.try_lock() {
        Ok(guard) => Some(guard),
        // A part that panicked while this lock was held poisoned it; the lock guards no data
        // (the pool's own state is consistent after a panic, see `Pool::run`), so poisoning means
        // nothing here, and ignoring it keeps the pool in use for the rest of the process.
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    };
    match guard {
        Some(_guard) => pool(n - 1).run(n, &run),
        None => std::thread::scope(|s| {
            let mut here = Vec::new();
            for i in 1..n {
                let run = &run;
                // A thread that cannot be started (a process limit) leaves its part to this one.
                if std::thread::Builder::new()
                    .spawn_scoped(s, move || run(i))
                    .is_err()
                {
                    here.push(i);
                }
            }
            run(0);
            here.into_iter().for_each(run);
        }),
    }
}

/// Held by the caller whose parts are on the workers.
static POOL_IN_USE: Mutex<()> = Mutex::new(());

/// A job as the workers see it: the caller's closure with its lifetime erased. Sound because
/// [`Pool::run`] does not return before every worker reported its part done.
struct Job {
    f: *const (dyn Fn(usize) + Sync),
    part: usize,
}

// SAFETY: the closure is `Sync` and outlives the job (see `Job`).
unsafe impl Send for Job {}

enum Slot {
    Idle,
    Ready(Job),
    Done(Result<(), Box<dyn Any + Send>>),
}

struct Worker {
    slot: Mutex<Slot>,
    wake: Condvar,
    /// Set (under `slot`'s lock) while `slot` holds a job not yet taken: what a spinning worker
    /// watches. A hint only; the slot decides.
    posted: AtomicBool,
    /// Set (under `slot`'s lock) while `slot` holds a finished job's result: what a spinning
    /// caller watches.
    finished: AtomicBool,
}

/// How long a worker, or a caller waiting for its parts, spins before sleeping on the condition
/// variable. A training step's operations come microseconds apart, and each wake-up of a sleeping
/// thread costs a system call on both sides and the scheduler's delay. On the 2-core benchmark VM
/// (forced AVX2, three alternating rounds of 15 W3 steps), the fastest step went from 43.5, 42.3
/// and 47.2 ms to 41.6, 41.9 and 41.5 ms (f64) and from 21.2, 20.9 and 21.0 ms to 20.1, 21.2 and
/// 20.1 ms (f32). A spinning thread holds its core for at most this long after its part.
const SPIN: Duration = Duration::from_micros(100);

/// Spins until `flag` is set or the spin limit passes.
fn spin_on(flag: &AtomicBool) {
    let start = Instant::now();
    loop {
        for _ in 0..64 {
            if flag.load(Ordering::Acquire) {
                return;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            return;
        }
    }
}

struct Pool {
    workers: Mutex<Vec<&'static Worker>>,
}

/// The pool, with at least `n` workers started.
fn pool(n: usize) -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    let pool = POOL.get_or_init(|| Pool {
        workers: Mutex::new(Vec::new()),
    });
    let mut workers = pool.workers.lock().unwrap_or_else(PoisonError::into_inner);
    while workers.len() < n {
        let worker: &'static Worker = Box::leak(Box::new(Worker {
            slot: Mutex::new(Slot::Idle),
            wake: Condvar::new(),
            posted: AtomicBool::new(false),
            finished: AtomicBool::new(false),
        }));
        let spawned = std::thread::Builder::new()
            .name(format!("dlfs2-cpu-{}", workers.len() + 1))
            .spawn(move || worker.serve());
        if spawned.is_err() {
            // No more threads: the parts past the workers run on the caller (see `run`).
            break;
        }
        workers.push(worker);
    }
    pool
}

impl Worker {
    fn serve(&self) {
        loop {
            spin_on(&self.posted);
            let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
            let job = loop {
                match std::mem::replace(&mut *slot, Slot::Idle) {
                    Slot::Ready(job) => {
                        self.posted.store(false, Ordering::Relaxed);
                        break job;
                    }
                    other => {
                        *slot = other;
                        slot = self.wake.wait(slot).unwrap_or_else(PoisonError::into_inner);
                    }
                }
            };
            drop(slot);
            // SAFETY: the caller keeps the closure alive until it has seen `Done` (see `Job`).
            let f = unsafe { &*job.f };
            let result = catch_unwind(AssertUnwindSafe(|| f(job.part)));
            let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
            *slot = Slot::Done(result);
            self.finished.store(true, Ordering::Release);
            drop(slot);
            self.wake.notify_all();
        }
    }
}

impl Pool {
    /// `f(0..n)`: part 0 here, parts 1.. on the workers (any part without a worker runs here too).
    fn run(&self, n: usize, f: &(dyn Fn(usize) + Sync)) {
        let workers = self
            .workers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        // SAFETY: only the lifetime is erased; every job is waited for below before `f` can end.
        let erased: *const (dyn Fn(usize) + Sync) = unsafe { std::mem::transmute(f) };
        let used: Vec<&Worker> = workers.iter().copied().take(n - 1).collect();
        for (i, w) in used.iter().enumerate() {
            let mut slot = w.slot.lock().unwrap_or_else(PoisonError::into_inner);
            *slot = Slot::Ready(Job {
                f: erased,
                part: i + 1,
            });
            w.posted.store(true, Ordering::Release);
            drop(slot);
            w.wake.notify_all();
        }
        let mut panic = catch_unwind(AssertUnwindSafe(|| {
            f(0);
            for part in used.len() + 1..n {
                f(part);
            }
        }))
        .err();
        for w in &used {
            spin_on(&w.finished);
            let mut slot = w.slot.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                match std::mem::replace(&mut *slot, Slot::Idle) {
                    Slot::Done(result) => {
                        w.finished.store(false, Ordering::Relaxed);
                        if let Err(p) = result {
                            panic.get_or_insert(p);
                        }
                        break;
                    }
                    other => {
                        *slot = other;
                        slot = w.wake.wait(slot).unwrap_or_else(PoisonError::into_inner);
                    }
                }
            }
        }
        if let Some(p) = panic {
            resume_unwind(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::run_each;

    #[test]
    fn every_part_runs_once_and_results_land_in_place() {
        for n in [0, 1, 2, 3, 7] {
            let mut out = vec![0usize; n * 5];
            let parts: Vec<(usize, &mut [usize])> = out.chunks_mut(5).enumerate().collect();
            run_each(parts, |(i, chunk)| {
                chunk.iter_mut().for_each(|v| *v += i + 1)
            });
            let want: Vec<usize> = (0..n).flat_map(|i| [i + 1; 5]).collect();
            assert_eq!(out, want, "{n} parts");
        }
    }

    #[test]
    fn a_panicking_part_is_raised_to_the_caller_after_the_others_finish() {
        let done = std::sync::atomic::AtomicUsize::new(0);
        let r = std::panic::catch_unwind(|| {
            run_each(vec![0, 1, 2], |i| {
                if i == 1 {
                    panic!("part 1 fails");
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            })
        });
        assert!(r.is_err());
        assert_eq!(done.load(std::sync::atomic::Ordering::SeqCst), 2);
        // The pool's workers, not a fallback's fresh threads, run the parts afterwards: a
        // poisoned lock must not turn the pool off for the rest of the process.
        assert!(
            ran_on_a_worker(),
            "no part ran on a pool worker after the panic"
        );
        let mut v = vec![0; 4];
        run_each(v.chunks_mut(2).collect(), |c| c.fill(1));
        assert_eq!(v, [1; 4]);
    }

    /// The names of the threads that ran parts 1.. of a two-part job.
    fn part_thread_names() -> Vec<String> {
        let names = Mutex::new(Vec::new());
        run_each(vec![0, 1], |i| {
            if i > 0 {
                let name = std::thread::current().name().unwrap_or("").to_string();
                names.lock().unwrap().push(name);
            }
        });
        names.into_inner().unwrap()
    }

    /// Whether a two-part job's second part runs on the pool's first worker. Tests running at
    /// the same moment may hold the workers for an instant (then parts go to scoped threads), so
    /// a few tries are allowed; a pool turned off fails them all.
    fn ran_on_a_worker() -> bool {
        (0..50).any(|_| {
            let named = part_thread_names() == ["dlfs2-cpu-1"];
            if !named {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            named
        })
    }

    #[test]
    fn jobs_posted_while_a_worker_spins_or_sleeps_all_run() {
        // Gaps on both sides of the spin limit, so that jobs meet workers (and callers meet
        // finished parts) both spinning and asleep, and at the moment one turns into the other.
        let gaps = [0, 20, 95, 100, 105, 300];
        for round in 0..if cfg!(miri) { 12 } else { 120 } {
            let gap = gaps[round % gaps.len()];
            std::thread::sleep(std::time::Duration::from_micros(gap));
            let mut v = [0u64; 6];
            run_each(v.chunks_mut(2).collect(), |c| c.fill(round as u64 + 1));
            assert!(v.iter().all(|&x| x == round as u64 + 1), "round {round}");
        }
    }

    #[test]
    fn parts_run_on_the_named_workers() {
        assert!(ran_on_a_worker());
    }

    #[test]
    fn callers_on_many_threads_at_once_all_finish() {
        std::thread::scope(|s| {
            for t in 0..4 {
                s.spawn(move || {
                    // Fewer rounds under miri, which interprets every step.
                    for _ in 0..if cfg!(miri) { 10 } else { 200 } {
                        let mut v = vec![0u64; 64];
                        run_each(v.chunks_mut(16).collect(), |c| c.fill(t));
                        assert!(v.iter().all(|&x| x == t));
                    }
                });
            }
        });
    }
}

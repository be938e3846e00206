//! Out of memory as one line and exit status 1, not an abort with a cascade of messages.
//!
//! The sizes a run needs are checked before it starts (`chapter1::budget`). What is left is a
//! machine, or a `ulimit -v`, with less than even that: then an allocation fails, and Rust's own
//! handling prints several lines (from several threads at once, interleaved) and aborts. Here an
//! emergency reserve of address space is given back at the first failure and the allocation
//! retried; if it fails again, the process prints one line and exits with status 1. A new
//! thread whose signal stack cannot be mapped (std panics there) ends the same way. (The
//! library crates' fallible allocations, which would report the failure themselves, end the
//! same way in this program: one line, status 1; what the run wrote so far stays in its staging
//! folder, which the next run keeps as `interrupted`.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicPtr, Ordering};

/// Address space held back for the failure path.
const RESERVE: usize = 8 << 20;

static RESERVED: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());

fn reserve_layout() -> Layout {
    Layout::from_size_align(RESERVE, 4096).expect("a valid layout")
}

/// The system allocator, with the reserve given back at the first failure.
pub struct WithReserve;

impl WithReserve {
    /// Gives the reserve back; whether there was one.
    fn release() -> bool {
        let p = RESERVED.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if p.is_null() {
            return false;
        }
        // SAFETY: `p` came from `System.alloc(reserve_layout())` in `install` and is freed once
        // (the swap above took it out).
        unsafe { System.dealloc(p, reserve_layout()) };
        true
    }
}

// SAFETY: every call is forwarded to `System` with the same arguments; the only addition is a
// retry after freeing the reserve, which `System` allocated with its own layout.
unsafe impl GlobalAlloc for WithReserve {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout (its contract is the caller's).
        let mut p = unsafe { System.alloc(layout) };
        if p.is_null() && Self::release() {
            // SAFETY: as above.
            p = unsafe { System.alloc(layout) };
        }
        checked(p, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let mut p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() && Self::release() {
            // SAFETY: as above.
            p = unsafe { System.alloc_zeroed(layout) };
        }
        checked(p, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded; `ptr` and `layout` are the caller's, valid by its contract.
        let mut p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() && Self::release() {
            // SAFETY: a failed realloc leaves `ptr` valid, so it may be tried again.
            p = unsafe { System.realloc(ptr, layout, new_size) };
        }
        checked(p, new_size)
    }
}

/// `p`, or the end of the process when it is null: one line on stderr, status 1.
fn checked(p: *mut u8, size: usize) -> *mut u8 {
    if !p.is_null() {
        return p;
    }
    let mut digits = [0u8; 20];
    let mut d = digits.len();
    let mut v = size;
    loop {
        d -= 1;
        digits[d] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    end(&[b"an allocation of ", &digits[d..], b" bytes failed"])
}

/// Prints `error: out of memory: {what}; free memory or raise the limit (ulimit -v)` and ends
/// the process with status 1. Writes with `write(2)` from a fixed buffer (nothing may be
/// allocated now); a second thread failing at the same moment waits for the first one's exit
/// instead of printing too.
fn end(what: &[&[u8]]) -> ! {
    use std::sync::atomic::AtomicBool;
    static ENDING: AtomicBool = AtomicBool::new(false);
    if ENDING.swap(true, Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    let mut line = [0u8; 200];
    let mut n = 0;
    let parts = [b"error: out of memory: ".as_slice()]
        .into_iter()
        .chain(what.iter().copied())
        .chain([b"; free memory or raise the limit (ulimit -v)\n".as_slice()]);
    for b in parts.flatten() {
        if n < line.len() {
            line[n] = *b;
            n += 1;
        }
    }
    // SAFETY: writes `n` initialized bytes of `line` to stderr, then ends the process; both are
    // async-signal-safe and allocate nothing.
    unsafe {
        libc::write(2, line.as_ptr().cast(), n);
        libc::_exit(1)
    }
}

/// What std panics with in a new thread whose signal stack cannot be mapped: the thread was
/// created (so `Builder::spawn` returned `Ok` and cannot report it), and the address space ran
/// out a moment later, outside the allocator and its reserve.
const NO_SIGNAL_STACK: &str = "failed to allocate an alternative stack";

/// Ends that one panic as the allocator's failures end (one line, status 1); every other panic
/// is a bug and keeps Rust's own report.
fn end_signal_stack_panics() {
    let rust_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        if message.is_some_and(|m| m.starts_with(NO_SIGNAL_STACK)) {
            end(&[b"a new thread's signal stack could not be mapped"]);
        }
        rust_report(info);
    }));
}

/// Takes the reserve; call first thing in `main`.
pub fn install() {
    // SAFETY: a non-zero-sized layout.
    let p = unsafe { System.alloc(reserve_layout()) };
    RESERVED.store(p, Ordering::SeqCst);
    end_signal_stack_panics();
}

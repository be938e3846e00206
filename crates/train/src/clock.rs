//! The time of the book's log line (`time 0[s]`). wasm32 in a browser has no clock that
//! `std::time::Instant` can read (it panics there), so the browser build counts no time: its log
//! lines say 0 seconds, and nothing else depends on the clock.

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use std::time::Instant;

/// A clock that reads 0 (wasm32).
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Instant;

#[cfg(target_arch = "wasm32")]
impl Instant {
    pub(crate) fn now() -> Self {
        Instant
    }

    pub(crate) fn elapsed(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

//! The playground: the book's network trained live in the browser, from this project's own crates
//! compiled to WebAssembly (`wasm32-unknown-unknown`) — the same `Trainer`, layers, optimizers and
//! data as `cargo xtask chapter1`, on the CPU backend's portable paths, one thread. `cargo xtask
//! playground` builds the module and writes `playground.html`, one page with it embedded.
//!
//! - [`settings`]: the run's settings as the page's address holds them, checked;
//! - [`dataset`]: the points, made as the CLI makes them (so the exported command matches);
//! - [`session`]: the run, stepped an iteration at a time;
//! - [`picture`]: the decision boundary and the hidden units as pixels;
//! - [`export`]: the command, the data, a Python script with the book's classes;
//! - [`ffi`]: the functions the page calls;
//! - [`page`]: the page itself, assembled around the module (native builds).

pub mod dataset;
pub mod error;
pub mod export;
pub mod ffi;
#[cfg(not(target_arch = "wasm32"))]
pub mod page;
pub mod picture;
pub mod session;
pub mod settings;

pub use error::{Error, Result};
pub use session::Session;
pub use settings::Settings;

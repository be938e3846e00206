//! Chapter 1 of *Deep Learning from Scratch 2* as a library: the whole chapter run ([`run`]) and
//! the optimizer comparison ([`compare()`]), with their pictures, `loss.csv`, `summary.json`, the
//! report (`REPORT.md`, `report.html`) and the output folder that holds them. `cargo xtask
//! chapter1` and `cargo xtask compare` are thin drivers over these two calls; a program of yours
//! can make the same calls with a [`Config`] and any [`Reporter`].
//!
//! ```no_run
//! let config = chapter1::Config {
//!     out: "out/my-run".into(),
//!     max_epoch: 30,
//!     ..chapter1::Config::default()
//! };
//! let mut lines = chapter1::Lines::default();
//! let done = chapter1::run(&config, &mut lines)?;
//! println!("accuracy {:.3}, final loss {:.4}", done.accuracy, done.final_loss);
//! # Ok::<(), chapter1::Error>(())
//! ```
//!
//! A run never replaces or removes what it did not make: the rules are in [`output_dir`].

mod budget;
mod chapter;
mod compare;
mod config;
mod dataset;
mod error;
pub mod files;
mod frames;
pub mod output_dir;
mod outputs;
mod report;
mod report_html;
mod reporter;
mod runs;
pub mod text;

pub use chapter::{Finished, run};
pub use compare::{CompareConfig, Compared, compare};
pub use config::{
    Boundary, Config, MAX_EPOCH, MAX_EVAL_INTERVAL, MAX_FRAMES, Precision, UnknownName,
};
pub use error::{Error, Result};
pub use frames::DEFAULT_FRAMES;
pub use reporter::{Lines, Quiet, Reporter, RunsDone, Training};

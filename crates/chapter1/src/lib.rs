//! Chapter 1 of *Deep Learning from Scratch 2* as a library: the whole chapter run ([`run`]) and
//! the optimizer comparison ([`compare()`]), with their pictures, `loss.csv`, `summary.json`, the
//! report (`REPORT.md`, `report.html`) and the output folder that holds them. `cargo xtask
//! chapter1` and `cargo xtask compare` are thin drivers over these two calls; a program of yours
//! can make the same calls with a [`Config`] and any [`Reporter`].
//!
//! ```
//! let out = std::env::temp_dir().join(format!("dlfs2-doc-{}", std::process::id()));
//! let config = chapter1::Config {
//!     out: out.clone(),
//!     max_epoch: 30,
//!     grid_step: 0.05,
//!     ..chapter1::Config::default()
//! };
//! let mut lines = chapter1::Lines::default();
//! let done = chapter1::run(&config, &mut lines)?;
//! // 300 points in batches of 30: 10 iterations an epoch, a loss record every 10.
//! assert_eq!(done.loss.len(), 30);
//! assert!(done.final_loss < 1.1 && out.join(chapter1::files::REPORT_MD).exists());
//! assert!(lines.lines.iter().any(|l| l.starts_with("| epoch 1 |")));
//! # std::fs::remove_dir_all(&out).ok();
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
pub use compare::{
    CompareConfig, Compared, DEFAULT_VAL_SPLIT, Lr, RunResult, book_lr, compare, working_lr,
};
pub use config::{
    Boundary, Config, MAX_EPOCH, MAX_EVAL_INTERVAL, MAX_FRAMES, Precision, UnknownName,
};
pub use error::{Error, Result};
pub use frames::DEFAULT_FRAMES;
pub use reporter::{Lines, Quiet, Reporter, RunsDone, Training};

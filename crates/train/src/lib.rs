//! Training (book §1.4.3–1.4.4): the [`Trainer`] with `fit`, gradient clipping ([`clip_grads`]),
//! the loss history and the book's log line, plus [`accuracy()`].

pub mod accuracy;
pub mod book_run;
pub mod checkpoint;
pub mod clip;
mod clock;
pub mod config;
pub mod custom_loop;
pub mod error;
pub mod metrics;
pub mod observer;
pub mod trainer;

pub use accuracy::accuracy;
pub use book_run::{BookRun, TRAIN_PY, book_run};
pub use clip::{Clipped, clip, clip_grads, grad_norm};
pub use config::FitConfig;
pub use custom_loop::train_custom_loop;
pub use error::{Result, TrainError};
pub use metrics::{RecordMetrics, Scores, Validation};
pub use observer::{EvalRecord, FitObserver, PrintLines, Silent, Snapshot, Tee};
pub use trainer::{FitState, Trainer, record_iterations};

//! The one error type of the train crate.

use layers::LayerError;
use optim::OptimError;
use tensor::TensorError;

/// Everything training can report. An I/O failure keeps the system's error as its `source()`
/// (`{:#}` through anyhow prints it after the path).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// A fit setting is invalid.
    #[error("invalid {name} = {value}: {expected}")]
    InvalidConfig {
        /// The setting.
        name: &'static str,
        /// Its value, as given.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// The training data is unusable.
    #[error("bad training data: {0}")]
    BadData(String),
    /// The loss or a gradient stopped being finite: training diverged. The params are those of the
    /// last finite step.
    #[error(
        "training diverged at epoch {epoch}, iter {iter}: {what} is not finite (try a smaller learning rate or --max-grad)"
    )]
    Diverged {
        /// Epoch (1-based, as printed).
        epoch: usize,
        /// Iteration within the epoch (1-based, as printed).
        iter: usize,
        /// `"loss"` or the name of the first non-finite gradient.
        what: String,
    },
    /// A checkpoint or parameter file cannot be read or written.
    #[error("{path}")]
    CheckpointIo {
        /// The file.
        path: std::path::PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// A checkpoint or parameter file is not a valid dlfs2 file (truncated, corrupted, foreign).
    #[error("{path} is not a valid checkpoint: {reason}")]
    CheckpointFormat {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A valid checkpoint that does not fit the model or run it is loaded into.
    #[error("{path} does not match this run: {what} is {found} in the file, {expected} here")]
    CheckpointMismatch {
        /// The file.
        path: std::path::PathBuf,
        /// What differs (a param's shape, the dtype, the optimizer, a setting).
        what: String,
        /// The value this run has.
        expected: String,
        /// The value in the file.
        found: String,
    },
    /// A checkpoint saved with other settings than this run's: every differing setting, as
    /// `name is <in the file> in the file, <here> here`.
    #[error("{path} does not match this run: {}", .differences.join("; "))]
    SettingsDiffer {
        /// The file.
        path: std::path::PathBuf,
        /// One entry per differing setting.
        differences: Vec<String>,
    },
    /// A checkpoint further on than the run resuming it is to go.
    #[error(
        "{path} is at epoch {epoch}, past this run's last epoch {max_epoch}: ask for at least {epoch} epochs to resume it"
    )]
    ResumePastEnd {
        /// The file.
        path: std::path::PathBuf,
        /// The checkpoint's epoch.
        epoch: usize,
        /// The run's last epoch.
        max_epoch: usize,
    },
    /// The data could not be made or loaded.
    #[error(transparent)]
    Data(#[from] data::DataError),
    /// A layer failed.
    #[error(transparent)]
    Layer(#[from] LayerError),
    /// An optimizer failed.
    #[error(transparent)]
    Optim(#[from] OptimError),
    /// A tensor op failed.
    #[error(transparent)]
    Tensor(#[from] TensorError),
}

/// Shorthand for results of this crate.
pub type Result<T, E = TrainError> = std::result::Result<T, E>;

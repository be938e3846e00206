//! Saving and loading: a model's params, and whole training checkpoints that resume bit for bit.
//! One file a job: `format.rs` (the safetensors encoding), `atomic.rs` (writing and reading files
//! safely), `params_file.rs` (a model's params) and `resume.rs` (training checkpoints).
//!
//! # Format
//! Both are [safetensors](https://github.com/huggingface/safetensors) files (readable with Python's
//! `safetensors.numpy.load_file`), little-endian, `F64` or `F32` by the run's precision:
//!
//! | tensor | shape | what |
//! |---|---|---|
//! | `param.W1`, `param.b1`, ... | as the param (`b` is `1 x n`) | the model's params |
//! | `optim.v.W1`, `optim.h.W1`, `optim.m.W1`, ... | as the param | optimizer state (checkpoints) |
//! | `train.loss_list` | `[n]`, `F64` | the Trainer's loss history (checkpoints) |
//! | `train.order` | `[N]`, `I64` | the data order after the last epoch (checkpoints) |
//!
//! The header's metadata holds `format` (`dlfs2-params-2` or `dlfs2-checkpoint-2`), `dtype`, and for
//! checkpoints `epoch`, `optimizer`, `optimizer_iterations`, the random stream (`rng_seed`,
//! `rng_draws`, `rng_gauss_cache`), the pending loss sum (`pending_loss` as f64 bits in hex,
//! `pending_count`), and the caller's settings as `config.*` entries, which a resume must match.
//! Every file carries `checksum`: `blake3:<hex>` of all other metadata and every tensor's name,
//! dtype, shape and bytes. Loading recomputes it and refuses any difference, so a flipped bit
//! anywhere is an error naming the file, never a silently different model. Files of the `-1`
//! formats (no checksum) are refused with that reason.
//!
//! Loading a checkpoint also checks it against the run resuming it (`resume.rs`): the epoch is not
//! past the run's last, the loss history and pending losses have the lengths the epochs imply, and
//! the random stream and the data order are what replaying the epochs' shuffles gives.
//!
//! Files are written atomically: to a temporary file in the same folder, flushed to disk, then
//! renamed over the old one, so a crash mid-save leaves the previous file intact. Reads are
//! bounded ([`MAX_FILE_BYTES`]) whatever the file system reports.

mod atomic;
mod format;
mod params_file;
mod resume;

use std::path::Path;

use crate::error::TrainError;

pub use atomic::write_atomic;
pub use format::{Parsed, parse};
pub use params_file::{load_params, params_bytes, save_params};
pub use resume::{Resume, load_checkpoint, read_checkpoint, read_checkpoint_in, save_checkpoint};

/// `format` of a params file.
pub const PARAMS_FORMAT: &str = "dlfs2-params-2";
/// `format` of a training checkpoint.
pub const CHECKPOINT_FORMAT: &str = "dlfs2-checkpoint-2";
/// The params format before checksums, refused with that reason.
pub(crate) const OLD_PARAMS_FORMAT: &str = "dlfs2-params-1";
/// The checkpoint format before checksums, refused with that reason.
pub(crate) const OLD_CHECKPOINT_FORMAT: &str = "dlfs2-checkpoint-1";
/// Largest file accepted: far above any chapter-1 model, small enough to refuse garbage early.
pub const MAX_FILE_BYTES: u64 = 1 << 32;

pub(crate) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> TrainError + '_ {
    move |e| TrainError::CheckpointIo {
        path: path.to_path_buf(),
        source: e,
    }
}

pub(crate) fn format_err(path: &Path, reason: impl Into<String>) -> TrainError {
    TrainError::CheckpointFormat {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

pub(crate) fn mismatch(
    path: &Path,
    what: impl Into<String>,
    expected: impl ToString,
    found: impl ToString,
) -> TrainError {
    TrainError::CheckpointMismatch {
        path: path.to_path_buf(),
        what: what.into(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

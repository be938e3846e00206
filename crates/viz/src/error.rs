//! The one error type of the viz crate.

use std::path::PathBuf;

/// Everything plotting can report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VizError {
    /// The output path has no `.png` / `.svg` extension (or SVG was asked for a bitmap-only plot).
    #[error("cannot write {path}: {reason}")]
    Format {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Drawing or writing the file failed.
    #[error("drawing {path} failed: {message}")]
    Draw {
        /// The path.
        path: PathBuf,
        /// plotters' message.
        message: String,
    },
    /// Writing the picture's file failed (the folder is missing or unwritable, the disk is full).
    #[error("cannot write {path}: {message}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The system's message.
        message: String,
    },
    /// The data to plot is unusable.
    #[error("cannot plot: {0}")]
    BadInput(String),
    /// The embedded font could not be registered.
    #[error("the embedded font could not be loaded")]
    Font,
}

/// Shorthand for results of this crate.
pub type Result<T, E = VizError> = std::result::Result<T, E>;

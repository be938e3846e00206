//! The one error type of the tensor crate.

use crate::device::{Device, ParseDeviceError};

/// Everything that can go wrong in a tensor operation.
///
/// Variants carry the shapes, names and values involved so that a message alone tells the user
/// what to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TensorError {
    /// Two operands of an op do not fit together.
    #[error("shape mismatch in {op}: {lhs:?} vs {rhs:?}")]
    ShapeMismatch {
        /// The op that refused its operands.
        op: &'static str,
        /// Shape of the first operand (rows, cols).
        lhs: (usize, usize),
        /// Shape of the second operand (rows, cols).
        rhs: (usize, usize),
    },
    /// Scores and labels of the loss do not fit together.
    #[error("{op}: scores of shape {scores:?} do not fit {labels} labels of {classes} classes")]
    LabelMismatch {
        /// The op.
        op: &'static str,
        /// Shape of the scores (rows, cols).
        scores: (usize, usize),
        /// Number of labels.
        labels: usize,
        /// Number of classes the labels are of.
        classes: usize,
    },
    /// An optimizer update got another number of state tensors than its rule keeps, or state
    /// slots for another number of params than the model has.
    #[error("{op}: expected {expected} state tensors, got {got}")]
    StateMismatch {
        /// The update rule.
        op: &'static str,
        /// How many the rule or the model needs.
        expected: usize,
        /// How many were given.
        got: usize,
    },
    /// An op was given a tensor with no elements where it needs at least one.
    #[error("empty input to {op}: shape {shape:?}")]
    Empty {
        /// The op that refused the input.
        op: &'static str,
        /// The offending shape.
        shape: (usize, usize),
    },
    /// A buffer's length does not match the shape it is meant to fill.
    #[error("{len} values cannot fill a {rows}x{cols} tensor")]
    BadLength {
        /// Number of values supplied.
        len: usize,
        /// Requested rows.
        rows: usize,
        /// Requested columns.
        cols: usize,
    },
    /// A tensor would be too large to allocate.
    #[error("a {rows}x{cols} tensor is too large (at most {max} elements)")]
    TooLarge {
        /// Requested rows.
        rows: usize,
        /// Requested columns.
        cols: usize,
        /// The limit.
        max: usize,
    },
    /// The memory for a tensor could not be had.
    #[error("not enough memory for a {rows}x{cols} tensor ({bytes} bytes)")]
    OutOfMemory {
        /// Requested rows.
        rows: usize,
        /// Requested columns.
        cols: usize,
        /// Bytes asked for.
        bytes: usize,
    },
    /// A class label is not below the number of classes.
    #[error("label {label} at row {row} is out of range for {classes} classes")]
    LabelOutOfRange {
        /// Row of the label.
        row: usize,
        /// The label value.
        label: i64,
        /// Number of classes.
        classes: usize,
    },
    /// A row of a one-hot label matrix is not one-hot.
    #[error("row {row} of the label matrix is not one-hot")]
    NotOneHot {
        /// The offending row.
        row: usize,
    },
    /// A row index is out of range.
    #[error("row index {index} is out of range for {rows} rows")]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// Number of rows available.
        rows: usize,
    },
    /// Operands live on different devices.
    #[error("operands of {op} live on different devices: {lhs} and {rhs}")]
    DeviceMismatch {
        /// The op.
        op: &'static str,
        /// Device of the first operand.
        lhs: Device,
        /// Device of the second operand.
        rhs: Device,
    },
    /// The requested device cannot be used: not compiled in, no driver, or no such device.
    #[error("device {device} is not available: {reason}")]
    DeviceUnavailable {
        /// The device asked for.
        device: Device,
        /// Why it cannot be used.
        reason: String,
    },
    /// A device name that is neither `cpu`, `cuda` nor `cuda:N`.
    #[error(transparent)]
    UnknownDevice(#[from] ParseDeviceError),
    /// A device driver or kernel call failed.
    #[error("{device} backend error in {op}: {message}")]
    Backend {
        /// The device.
        device: Device,
        /// The op.
        op: &'static str,
        /// The driver's message.
        message: String,
    },
    /// A scalar argument is outside its valid range (non-finite, non-positive, ...).
    #[error("invalid value for {name}: {value} ({expected})")]
    InvalidArgument {
        /// Name of the argument.
        name: &'static str,
        /// The value given.
        value: f64,
        /// What was expected instead.
        expected: &'static str,
    },
}

impl TensorError {
    /// Operands of `op` found on two devices.
    pub fn mixed(op: &'static str, lhs: Device, rhs: Device) -> Self {
        TensorError::DeviceMismatch { op, lhs, rhs }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = TensorError> = std::result::Result<T, E>;

//! What can go wrong in a playground run, each a message the page shows as it is.

/// A playground error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting of the address with a value out of its range.
    #[error("{key}={value} in the address: expected {expected}")]
    Setting {
        /// The setting.
        key: String,
        /// Its value, as given.
        value: String,
        /// What it may be.
        expected: String,
    },
    /// A setting the playground does not have.
    #[error("unknown setting {0:?} in the address")]
    UnknownSetting(String),
    /// The data could not be made or read.
    #[error("data: {0}")]
    Data(#[from] data::DataError),
    /// The settings do not fit the data (a batch larger than the points, ...).
    #[error("{0}")]
    Mismatch(String),
    /// Training failed (diverged, ...).
    #[error("training: {0}")]
    Train(#[from] train::TrainError),
    /// The network could not be built.
    #[error("network: {0}")]
    Layers(#[from] layers::LayerError),
    /// A tensor operation failed.
    #[error("{0}")]
    Tensor(#[from] tensor::TensorError),
    /// The optimizer could not be built.
    #[error("optimizer: {0}")]
    Optim(#[from] optim::OptimError),
}

/// The playground's result.
pub type Result<T> = std::result::Result<T, Error>;

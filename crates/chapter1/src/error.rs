//! The error of a chapter run: one line for a person (`{:#}` gives every cause, outermost first),
//! and the typed cause underneath for a program ([`Error::cause`], `source()`).

use std::fmt;

/// Why a run or a comparison failed. Its causes keep their types: a training divergence is a
/// `train::TrainError`, a full disk a `std::io::Error`, found with [`Error::cause`].
pub struct Error(anyhow::Error);

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The first cause of type `E` in the chain, outermost first.
    pub fn cause<E: std::error::Error + Send + Sync + 'static>(&self) -> Option<&E> {
        self.0.chain().find_map(|e| e.downcast_ref::<E>())
    }

    /// The causes, outermost first, as one line each.
    pub fn chain(&self) -> impl Iterator<Item = String> + '_ {
        self.0.chain().map(|e| e.to_string())
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error(e)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_cause_and_every_message_survive() {
        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left");
        let e: Error = anyhow::Error::new(io)
            .context("cannot write loss.csv")
            .into();
        assert_eq!(
            e.cause::<std::io::Error>().map(|e| e.kind()),
            Some(std::io::ErrorKind::StorageFull)
        );
        assert_eq!(format!("{e:#}"), "cannot write loss.csv: no space left");
        assert!(std::error::Error::source(&e).is_some());
    }
}

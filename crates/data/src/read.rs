//! Reading a user's file with a bound on its size, whatever the file system reports (a pipe,
//! `/dev/zero` and a growing file report a length that says nothing).

use std::io::Read;
use std::path::Path;

/// The whole file at `path`, or `Ok(None)` when it holds more than `max` bytes (only `max + 1`
/// bytes are ever read).
pub fn read_bounded(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

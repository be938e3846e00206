//! Files that are whole or absent: atomic writes, and reads bounded in size.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{MAX_FILE_BYTES, format_err, io_err};
use crate::error::Result;

/// Writes `bytes` to `path` atomically: temporary file, `fsync`, rename, `fsync` of the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| format_err(path, "the path names no file"))?;
    let tmp: PathBuf = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut file = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io_err(path))?;
    // The rename itself must reach the disk too; a folder that cannot be opened for that is no error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path).map_err(io_err(path))?.len();
    if len > MAX_FILE_BYTES {
        return Err(format_err(
            path,
            format!("{len} bytes is more than any checkpoint this program writes"),
        ));
    }
    std::fs::read(path).map_err(io_err(path))
}

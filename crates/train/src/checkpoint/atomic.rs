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
    remove_stale_temporaries(dir, &name.to_string_lossy());
    {
        // Closed at the end of this block, before the rename (Windows cannot rename an open file).
        let mut file = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
        file.write_all(bytes).map_err(io_err(&tmp))?;
        file.sync_all().map_err(io_err(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io_err(path))?;
    // The rename itself must reach the disk too; a folder that cannot be opened for that is no error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    data::read_bounded(path, MAX_FILE_BYTES)
        .map_err(io_err(path))?
        .ok_or_else(|| {
            format_err(
                path,
                format!("more than {MAX_FILE_BYTES} bytes, more than any file this program writes"),
            )
        })
}

/// Removes the temporary files that writers of `name` killed mid-save left in `dir` (those of
/// processes that no longer run); a file that cannot be removed is left for a later save.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|p| p == std::process::id() || Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

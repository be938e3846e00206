//! The output folder as a transaction: a run's files appear together or not at all.
//!
//! A run holds an exclusive lock (`.<name>.lock` beside `--out`) so that a second run on the same
//! folder is refused, writes everything into a staging folder beside it (`.<name>.staging`), and
//! at the end swaps the staging folder and `--out` in one atomic `renameat2(RENAME_EXCHANGE)`:
//! readers see the old run's folder or the new one's, never a mix, and no file of the old run is
//! left beside the new one's. A run that fails moves what it produced to `--out/failed/` with a
//! REPORT saying what failed, and leaves the previous outputs as they were. A staging folder found
//! at the start belongs to a run that was killed: it is kept as `--out/interrupted/` (its
//! checkpoint can be resumed from there).

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A run's claim on its output folder.
pub struct OutputDir {
    out: PathBuf,
    staging: PathBuf,
    /// Held for the run; the lock ends when the file is closed.
    _lock: File,
}

impl OutputDir {
    /// Locks `out` for this run and makes an empty staging folder for its files.
    pub fn begin(out: &Path) -> Result<Self> {
        let name = out
            .file_name()
            .with_context(|| format!("--out {} names no folder", out.display()))?
            .to_string_lossy()
            .into_owned();
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let cannot = || format!("cannot create the output folder {}", out.display());
        std::fs::create_dir_all(&parent).with_context(cannot)?;
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = File::create(&lock_path).with_context(cannot)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another run is writing to {} (it holds {}); wait for it to end or choose another --out",
                out.display(),
                lock_path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()));
            }
        }
        let staging = parent.join(format!(".{name}.staging"));
        let dir = OutputDir {
            out: out.to_path_buf(),
            staging,
            _lock: lock,
        };
        if dir.staging.exists() {
            let kept = dir.keep_in_out(&dir.staging, "interrupted")?;
            crate::console::outln!(
                "note: a run on {} was killed before it finished; what it wrote is now in {}",
                out.display(),
                kept.display()
            );
        }
        std::fs::create_dir(&dir.staging).with_context(|| {
            format!("cannot create the staging folder {}", dir.staging.display())
        })?;
        Ok(dir)
    }

    /// Where this run writes its files until [`OutputDir::commit`].
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Makes the staged files the output folder, in one step.
    pub fn commit(self) -> Result<()> {
        sync_dir(&self.staging);
        if self.out.exists() {
            exchange(&self.staging, &self.out).with_context(|| {
                format!(
                    "cannot replace {} with this run's outputs",
                    self.out.display()
                )
            })?;
            // The staging path now holds the previous run's folder.
            std::fs::remove_dir_all(&self.staging).with_context(|| {
                format!(
                    "cannot remove the previous outputs (moved to {})",
                    self.staging.display()
                )
            })?;
        } else {
            std::fs::rename(&self.staging, &self.out).with_context(|| {
                format!("cannot move this run's outputs to {}", self.out.display())
            })?;
        }
        if let Some(parent) = self.out.parent() {
            sync_dir(parent);
        }
        Ok(())
    }

    /// Gives the folder back untouched: for a run refused before it wrote anything.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }

    /// Keeps what a failed run produced in `--out/failed/`, with a REPORT saying what failed;
    /// returns that folder.
    pub fn fail(self, error: &anyhow::Error) -> Result<PathBuf> {
        let report = format!(
            "# This run failed\n\n{}\n\nThese are the files it wrote before it failed. The outputs of the \
             last complete run, if any, are unchanged in the folder above.\n",
            format!("{error:#}").replace('\n', " ")
        );
        std::fs::write(self.staging.join("REPORT.md"), report).with_context(|| {
            format!("cannot write {}", self.staging.join("REPORT.md").display())
        })?;
        self.keep_in_out(&self.staging, "failed")
    }

    /// Moves `folder` to `--out/<name>/` (replacing an older one), creating `--out` if needed.
    fn keep_in_out(&self, folder: &Path, name: &str) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.out)
            .with_context(|| format!("cannot create the output folder {}", self.out.display()))?;
        let target = self.out.join(name);
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .with_context(|| format!("cannot remove the older {}", target.display()))?;
        }
        std::fs::rename(folder, &target)
            .with_context(|| format!("cannot move {} to {}", folder.display(), target.display()))?;
        Ok(target)
    }
}

/// Swaps two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`); where the file system
/// cannot, moves `b` aside, `a` into place, and the old `b` to `a`'s path.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let (ca, cb) = (
            std::ffi::CString::new(a.as_os_str().as_bytes())?,
            std::ffi::CString::new(b.as_os_str().as_bytes())?,
        );
        // SAFETY: both paths are NUL-terminated C strings that outlive the call; AT_FDCWD makes
        // them relative to the working directory, as `std::fs::rename` does.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if !matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
            return Err(e);
        }
    }
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

/// Flushes a folder's entries to disk; a folder that cannot be opened for that is no error.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

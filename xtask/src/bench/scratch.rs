//! A folder a bench run makes for what it writes (the CPUID mask, the pipeline's outputs): new,
//! under the temporary folder, readable by this user only, and removed with its contents when
//! done. Only this run could have put anything in it, so removing it destroys nothing of anyone
//! else's.

use std::fs::DirBuilder;
use std::io::ErrorKind;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The folder; removed on drop.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Creates `<temp>/<prefix>-<pid>-<n>` for the first `n` whose name is free: an existing
    /// entry of that name (anyone's, a link included) is never reused.
    pub fn new(prefix: &str) -> Result<Scratch> {
        let base = std::env::temp_dir();
        for n in 0..1000 {
            let path = base.join(format!("{prefix}-{}-{n}", std::process::id()));
            match DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(Scratch { path }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", path.display()));
                }
            }
        }
        anyhow::bail!(
            "cannot create a folder {prefix}-… in {}: every name is taken",
            base.display()
        )
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

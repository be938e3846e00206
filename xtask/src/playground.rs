//! `cargo xtask playground`: builds the playground's WebAssembly module (`crates/playground`, the
//! project's crates for `wasm32-unknown-unknown`) and writes one self-contained page with it.
//! Where the target is missing it is added with rustup; where that fails, one line says so.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The wasm target.
const TARGET: &str = "wasm32-unknown-unknown";

/// What marks a page as this command's (so that it may replace it).
const MARK: &str = "<meta name=\"generator\" content=\"dlfs2 playground\">";

/// The workspace's root (the xtask's parent folder).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the xtask lies in the workspace")
        .to_path_buf()
}

/// Builds the module and writes the page to `out`; returns the module's size.
pub fn build(out: &Path) -> Result<usize> {
    check_destination(out)?;
    ensure_target()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // A target folder of its own: the nested build never waits on the caller's (a test's).
    let target_dir = root().join("target").join("playground");
    let status = Command::new(&cargo)
        .current_dir(root())
        .args([
            "build",
            "--quiet",
            "--profile",
            "wasm",
            "--target",
            TARGET,
            "-p",
            "playground",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .status()
        .context("cannot run cargo to build the playground's module")?;
    if !status.success() {
        bail!("building the playground's module failed (cargo's messages above)");
    }
    let wasm_path = target_dir.join(TARGET).join("wasm").join("playground.wasm");
    let wasm = std::fs::read(&wasm_path)
        .with_context(|| format!("cannot read {}", crate::console::shown(&wasm_path)))?;
    write_page(out, &playground::page::assemble(&wasm))?;
    Ok(wasm.len())
}

/// Whether rustup's standard library for the wasm target is here; adds it when not.
fn ensure_target() -> Result<()> {
    let installed = || {
        Command::new("rustc")
            .args(["--print", "target-libdir", "--target", TARGET])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .is_some_and(|dir| dir.is_dir())
    };
    if installed() {
        return Ok(());
    }
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !added || !installed() {
        bail!(
            "the {TARGET} target is not installed and rustup could not add it \
             (`rustup target add {TARGET}`); every other command works without it"
        );
    }
    Ok(())
}

/// Refuses a destination that is not ours to replace: a symbolic link, a folder, or a file
/// without this command's mark.
fn check_destination(out: &Path) -> Result<()> {
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot inspect {}", crate::console::shown(out))),
        Ok(m) if m.file_type().is_symlink() => bail!(
            "{} is a symbolic link: refusing to write through it",
            crate::console::shown(out)
        ),
        Ok(m) if !m.is_file() => bail!(
            "{} exists and is not a file: refusing to replace it",
            crate::console::shown(out)
        ),
        Ok(_) => {
            let head = std::fs::read(out)
                .with_context(|| format!("cannot read {}", crate::console::shown(out)))?;
            let ours = String::from_utf8_lossy(&head[..head.len().min(4096)]).contains(MARK);
            if !ours {
                bail!(
                    "{} exists and is not a page this command wrote: refusing to replace it",
                    crate::console::shown(out)
                );
            }
            Ok(())
        }
    }
}

/// Writes `page` to `out` through a new file beside it, renamed over it at the end.
fn write_page(out: &Path, page: &str) -> Result<()> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {}", crate::console::shown(dir)))?;
    let name = out
        .file_name()
        .context("--out names no file")?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(page.as_bytes())?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", crate::console::shown(out)));
    }
    // Checked again just before: a link or a file of the user's may have appeared meanwhile.
    if let Err(e) = check_destination(out) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::anyhow!("cannot write {}: {e}", crate::console::shown(out))
    })
}

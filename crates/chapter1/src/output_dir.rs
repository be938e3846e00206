//! The output folder as a transaction: a run's files appear together or not at all, and a run
//! replaces or removes only what it can prove dlfs2 made.
//!
//! A run holds an exclusive lock (`.<name>.lock` beside `--out`, opened without following
//! symbolic links) so that a second run on the same folder is refused, writes everything into a
//! staging folder beside it (`.<name>.staging`, created fresh, never reused), and at the end
//! swaps the staging folder and `--out` in one atomic `renameat2(RENAME_EXCHANGE)`: readers see
//! the old run's folder or the new one's, never a mix.
//!
//! **Ownership.** Every folder dlfs2 makes carries a marker file ([`MARKER`]) naming its kind, the
//! run that made it and, for a finished run, every entry it wrote. `--out` may be replaced only
//! when it is absent, empty, or a finished run's folder holding nothing but what its marker
//! lists (and the `failed/` and `interrupted*/` folders dlfs2 keeps there, each with its own
//! marker). Anything else is refused before any work, naming the first entry that is not
//! dlfs2's. So are an `--out` inside another run's folder, a staging or lock name, a symbolic
//! link, a file, and input files inside `--out`.
//!
//! A run that fails moves what it produced to `--out/failed/` with a REPORT saying what failed,
//! and leaves the previous outputs as they were. A staging folder found at the start with a
//! staging marker belongs to a run that was killed (this run holds the lock, so its owner is
//! gone): it is kept as `--out/interrupted/` (or `interrupted.N/` when that is taken, never
//! replacing one) and carried into every later run's folder until it is resumed to the end or
//! the user removes it. A staging-named folder without a marker is the user's: refused, never
//! touched.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::reporter::Reporter;
use crate::text::shown;

/// The marker file in every folder dlfs2 makes.
pub const MARKER: &str = ".dlfs2-run";

/// The first line of a marker.
const MAGIC: &str = "dlfs2 run folder 1";

/// Markers are small; a larger file at that name is not one of ours.
const MARKER_MAX: u64 = 64 << 10;

/// What a marked folder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run's files while it runs (or a killed run's, found later).
    Staging,
    /// A finished run's folder.
    Output,
    /// A failed run's files, in `--out/failed`.
    Failed,
    /// A killed run's files, in `--out/interrupted*`.
    Interrupted,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Staging => "staging",
            Kind::Output => "output",
            Kind::Failed => "failed",
            Kind::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        [Kind::Staging, Kind::Output, Kind::Failed, Kind::Interrupted]
            .into_iter()
            .find(|k| k.name() == s)
    }
}

/// A folder's marker, read back.
#[derive(Debug)]
struct Marker {
    kind: Kind,
    /// The entries a finished run wrote (empty for other kinds).
    files: BTreeSet<String>,
}

/// Writes `dir`'s marker (flushed to disk before it is relied on).
fn write_marker(dir: &Path, kind: Kind, id: &str, files: &[String]) -> Result<()> {
    let mut text = format!("{MAGIC}\nkind {}\nid {id}\n", kind.name());
    for f in files {
        text.push_str("file ");
        text.push_str(f);
        text.push('\n');
    }
    let path = dir.join(MARKER);
    let mut f = File::create(&path).with_context(|| format!("cannot write {}", shown(&path)))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", shown(&path)))
}

/// `dir`'s marker, if it has a well-formed one that is a regular file (not a link).
fn read_marker(dir: &Path) -> Option<Marker> {
    let path = dir.join(MARKER);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.file_type().is_file() || meta.len() > MARKER_MAX {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let mut lines = text.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let kind = Kind::parse(lines.next()?.strip_prefix("kind ")?)?;
    lines.next()?.strip_prefix("id ")?;
    let files = lines
        .map(|l| l.strip_prefix("file ").map(str::to_string))
        .collect::<Option<BTreeSet<String>>>()?;
    Some(Marker { kind, files })
}

/// Whether `name` is one of the subfolders dlfs2 keeps inside an output folder.
fn kept_subfolder(name: &str) -> bool {
    name == "failed"
        || name == "interrupted"
        || name
            .strip_prefix("interrupted.")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Why `dir` (an existing folder) may not be replaced, if it may not: `None` when it is empty or
/// a finished run's folder holding only what dlfs2 made.
fn foreign_entry(dir: &Path) -> Result<Option<String>> {
    let marker = read_marker(dir);
    let listed = match &marker {
        Some(m) if m.kind == Kind::Output => Some(&m.files),
        _ => None,
    };
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot list {}", shown(dir)))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", shown(dir)))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Ok(Some(name.to_string_lossy().into_owned()));
        };
        let ty = entry
            .file_type()
            .with_context(|| format!("cannot list {}", shown(dir)))?;
        let ours = match listed {
            None => false,
            Some(_) if name == MARKER => ty.is_file(),
            Some(_) if kept_subfolder(name) && ty.is_dir() => {
                read_marker(&entry.path()).is_some_and(|m| m.kind != Kind::Output)
            }
            Some(files) => files.contains(name) && ty.is_file(),
        };
        if !ours {
            return Ok(Some(name.to_string()));
        }
    }
    Ok(None)
}

/// `path` with `.` removed and made absolute from the working directory, its last component a
/// plain name; its parent created and resolved through any links. Returns `(parent, name)`.
fn resolve_out(out: &Path) -> Result<(PathBuf, String)> {
    let mut parts: Vec<Component<'_>> = out
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let name = match parts.pop() {
        Some(Component::Normal(n)) => n
            .to_str()
            .with_context(|| format!("--out {}: the folder's name is not UTF-8", shown(out)))?
            .to_string(),
        _ => bail!(
            "--out {} names no folder of its own (it ends in `..` or is a root); give a folder name",
            shown(out)
        ),
    };
    let parent: PathBuf = parts.iter().collect();
    let parent = if parent.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parent
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create the output folder {}", shown(out)))?;
    let parent = parent
        .canonicalize()
        .with_context(|| format!("cannot resolve the output folder {}", shown(out)))?;
    Ok((parent, name))
}

/// A process-unique identity for this run's marker and lock.
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// A run's claim on its output folder.
pub struct OutputDir {
    /// `--out` as resolved (parent through links, then the name).
    out: PathBuf,
    /// `--out` as the user gave it, for messages.
    shown_out: PathBuf,
    staging: PathBuf,
    id: String,
    /// The `interrupted*` folder this run resumed from, dropped when the run completes.
    resumed_from: Option<PathBuf>,
    /// Held for the run; the lock ends when the file is closed.
    _lock: File,
}

impl OutputDir {
    /// Locks `out` for this run and makes an empty staging folder for its files, after checking
    /// that the folder is dlfs2's to replace and that no input (`inputs`: the data file, a
    /// checkpoint to resume) would be lost with it.
    pub fn begin(out: &Path, inputs: &[&Path], reporter: &mut dyn Reporter) -> Result<Self> {
        let (parent, name) = resolve_out(out)?;
        if name.starts_with('.') && (name.ends_with(".staging") || name.ends_with(".lock")) {
            bail!(
                "--out {} is a dlfs2 staging or lock name (another run's working files); choose another folder",
                shown(out)
            );
        }
        let target = parent.join(&name);
        if let Some(owner) = parent
            .ancestors()
            .find(|a| read_marker(a).is_some() || is_staging_name(a))
        {
            bail!(
                "--out {} is inside {}, a dlfs2 run's folder that its next run replaces; choose a folder outside it",
                shown(out),
                shown(owner)
            );
        }
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = open_lock(&lock_path)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another run is writing to {} (it holds {}); wait for it to end or choose another --out",
                shown(out),
                shown(&lock_path)
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", shown(&lock_path)));
            }
        }
        let id = run_id();
        // The lock file names its holder, for a person looking at a busy folder.
        let _ = lock.set_len(0);
        let _ = (&lock).write_all(format!("dlfs2 run {id}\n").as_bytes());
        check_replaceable(&target, out)?;
        for input in inputs {
            check_input_outside(input, &target, out)?;
        }
        let staging = parent.join(format!(".{name}.staging"));
        let mut dir = OutputDir {
            out: target,
            shown_out: out.to_path_buf(),
            staging,
            id,
            resumed_from: None,
            _lock: lock,
        };
        dir.recover_killed(reporter)?;
        std::fs::create_dir(&dir.staging)
            .with_context(|| format!("cannot create the staging folder {}", shown(&dir.staging)))?;
        write_marker(&dir.staging, Kind::Staging, &dir.id, &[])?;
        dir.resumed_from = inputs.iter().find_map(|p| dir.interrupted_holding(p));
        Ok(dir)
    }

    /// Where this run writes its files until [`OutputDir::commit`].
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// A stale staging folder: a killed run's (kept as `interrupted`), or the user's (refused).
    fn recover_killed(&self, reporter: &mut dyn Reporter) -> Result<()> {
        let Ok(meta) = std::fs::symlink_metadata(&self.staging) else {
            return Ok(());
        };
        let marked =
            meta.is_dir() && read_marker(&self.staging).is_some_and(|m| m.kind == Kind::Staging);
        if !marked {
            bail!(
                "{} exists but was not made by dlfs2 (dlfs2 uses that name for a run's working folder); rename or remove it",
                shown(&self.staging)
            );
        }
        let only_marker = std::fs::read_dir(&self.staging)
            .with_context(|| format!("cannot list {}", shown(&self.staging)))?
            .all(|e| e.is_ok_and(|e| e.file_name() == MARKER));
        if only_marker {
            // Killed before it wrote anything: nothing to keep.
            return std::fs::remove_dir_all(&self.staging)
                .with_context(|| format!("cannot remove {}", shown(&self.staging)));
        }
        let kept = self.keep_in_out(&self.staging, "interrupted", Kind::Interrupted)?;
        reporter.note(&format!(
            "note: a run on {} was killed before it finished; what it wrote is now in {}",
            shown(&self.shown_out),
            shown(&kept)
        ));
        Ok(())
    }

    /// The `--out/interrupted*` folder `input` lies in, if any.
    fn interrupted_holding(&self, input: &Path) -> Option<PathBuf> {
        let input = input.canonicalize().ok()?;
        let rel = input.strip_prefix(&self.out).ok()?;
        let first = rel.components().next()?.as_os_str().to_str()?;
        (first != "failed" && kept_subfolder(first)).then(|| self.out.join(first))
    }

    /// Makes the staged files the output folder, in one step. The kept `interrupted*` folders of
    /// the previous outputs come along (but the one this run resumed to the end); the rest of
    /// the previous folder is removed only if it still holds nothing but dlfs2's files.
    pub fn commit(self) -> Result<()> {
        if self.out.is_dir() {
            self.carry_interrupted()?;
        }
        let mut files: Vec<String> = std::fs::read_dir(&self.staging)
            .with_context(|| format!("cannot list {}", shown(&self.staging)))?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n != MARKER)
            .collect();
        files.sort();
        write_marker(&self.staging, Kind::Output, &self.id, &files)?;
        sync_dir(&self.staging);
        if self.out.exists() {
            // Checked again at the last moment: something may have been put there meanwhile.
            check_replaceable(&self.out, &self.shown_out)?;
            exchange(&self.staging, &self.out).with_context(|| {
                format!(
                    "cannot replace {} with this run's outputs",
                    shown(&self.shown_out)
                )
            })?;
            // The staging path now holds the previous run's folder.
            if foreign_entry(&self.staging)?.is_none() {
                std::fs::remove_dir_all(&self.staging).with_context(|| {
                    format!(
                        "cannot remove the previous outputs (moved to {})",
                        shown(&self.staging)
                    )
                })?;
            } else {
                bail!(
                    "the previous outputs gained files that are not dlfs2's while this run ran; they are kept in {}",
                    shown(&self.staging)
                );
            }
        } else {
            std::fs::rename(&self.staging, &self.out).with_context(|| {
                format!(
                    "cannot move this run's outputs to {}",
                    shown(&self.shown_out)
                )
            })?;
        }
        if let Some(parent) = self.out.parent() {
            sync_dir(parent);
        }
        Ok(())
    }

    /// Moves the previous outputs' `interrupted*` folders into the staging folder.
    fn carry_interrupted(&self) -> Result<()> {
        let entries = std::fs::read_dir(&self.out)
            .with_context(|| format!("cannot list {}", shown(&self.out)))?;
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name == "failed" || !kept_subfolder(name) {
                continue;
            }
            let path = entry.path();
            if self.resumed_from.as_deref() == Some(path.as_path()) {
                // Resumed to the end: its checkpoint's run is this one, complete.
                continue;
            }
            let to = self.staging.join(name);
            std::fs::rename(&path, &to)
                .with_context(|| format!("cannot keep {} in the new outputs", shown(&path)))?;
        }
        Ok(())
    }

    /// Gives the folder back untouched: for a run refused before it wrote anything.
    pub fn abandon(self) {
        // The staging folder is this run's own: created fresh by `begin`.
        let _ = std::fs::remove_dir_all(&self.staging);
    }

    /// Keeps what a failed run produced in `--out/failed/`, with a REPORT saying what failed;
    /// returns that folder. Where even that fails, the error says so beside the run's own
    /// error, and the files stay in the staging folder (the next run keeps them as interrupted).
    pub fn fail(self, error: &anyhow::Error) -> Result<PathBuf, (PathBuf, anyhow::Error)> {
        let staging = self.staging.clone();
        self.try_fail(error).map_err(|e| (staging, e))
    }

    fn try_fail(self, error: &anyhow::Error) -> Result<PathBuf> {
        let report = format!(
            "# This run failed\n\n{}\n\nThese are the files it wrote before it failed. The outputs of the \
             last complete run, if any, are unchanged in the folder above.\n",
            crate::text::markdown_text(&format!("{error:#}"))
        );
        let path = self.staging.join(crate::files::REPORT_MD);
        std::fs::write(&path, report).with_context(|| format!("cannot write {}", shown(&path)))?;
        write_marker(&self.staging, Kind::Failed, &self.id, &[])?;
        self.keep_in_out(&self.staging, "failed", Kind::Failed)
    }

    /// Moves `folder` to `--out/<name>/`, creating `--out` if needed. An older `failed` (dlfs2's,
    /// by its marker) is replaced; an `interrupted` is never replaced: the next free
    /// `interrupted.N` is used.
    fn keep_in_out(&self, folder: &Path, name: &str, kind: Kind) -> Result<PathBuf> {
        if !self.out.exists() {
            std::fs::create_dir(&self.out).with_context(|| {
                format!("cannot create the output folder {}", shown(&self.shown_out))
            })?;
            write_marker(&self.out, Kind::Output, &self.id, &[])?;
        }
        write_marker(folder, kind, &self.id, &[])?;
        let mut target = self.out.join(name);
        if kind == Kind::Interrupted {
            let mut n = 2;
            while std::fs::symlink_metadata(&target).is_ok() {
                target = self.out.join(format!("{name}.{n}"));
                n += 1;
            }
        } else if std::fs::symlink_metadata(&target).is_ok() {
            let ours = target.is_dir() && read_marker(&target).is_some_and(|m| m.kind == kind);
            if !ours {
                bail!(
                    "{} exists and was not made by dlfs2; rename or remove it",
                    shown(&target)
                );
            }
            std::fs::remove_dir_all(&target)
                .with_context(|| format!("cannot remove the older {}", shown(&target)))?;
        }
        std::fs::rename(folder, &target)
            .with_context(|| format!("cannot move {} to {}", shown(folder), shown(&target)))?;
        Ok(target)
    }
}

/// Whether `path`'s name is a staging folder's.
fn is_staging_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.ends_with(".staging"))
}

/// Opens (creating) the lock file without following a symbolic link, refusing anything but a
/// regular file; never truncates what it has not checked.
fn open_lock(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path);
    let file = match file {
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => bail!(
            "{} is a symbolic link, not dlfs2's lock file; remove it",
            shown(path)
        ),
        other => other.with_context(|| {
            format!(
                "cannot create the output folder's lock file {}",
                shown(path)
            )
        })?,
    };
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {}", shown(path)))?;
    if !meta.is_file() {
        bail!(
            "{} is not a regular file, so not dlfs2's lock file; remove it",
            shown(path)
        );
    }
    Ok(file)
}

/// Refuses an `--out` that exists and is not dlfs2's to replace.
fn check_replaceable(target: &Path, out: &Path) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        bail!(
            "--out {} is a symbolic link; give the folder itself",
            shown(out)
        );
    }
    if !meta.is_dir() {
        bail!(
            "--out {} exists and is not a folder; choose a new or empty folder",
            shown(out)
        );
    }
    if let Some(entry) = foreign_entry(target)? {
        if read_marker(target).is_none() && target.join(crate::files::SUMMARY_JSON).is_file() {
            bail!(
                "--out {} looks like the folder of a dlfs2 from before run markers, but without its marker ({MARKER}) nothing proves it is one, so it is not replaced; remove it yourself or choose another --out",
                shown(out)
            );
        }
        bail!(
            "--out {} holds {}, which dlfs2 did not write there; a run replaces its whole --out, so give a new or empty folder (or a previous run's)",
            shown(out),
            shown(Path::new(&entry))
        );
    }
    Ok(())
}

/// Refuses an input file that lies inside the folder the run replaces (a resume from a kept
/// `interrupted*` folder is fine: it is carried into the new outputs).
fn check_input_outside(input: &Path, target: &Path, out: &Path) -> Result<()> {
    let Ok(real) = input.canonicalize() else {
        // A missing input is reported by its reader.
        return Ok(());
    };
    if let Ok(rel) = real.strip_prefix(target) {
        let first = rel.components().next().and_then(|c| c.as_os_str().to_str());
        if first.is_some_and(|f| f != "failed" && kept_subfolder(f)) {
            return Ok(());
        }
        if first.is_some_and(|f| f == crate::files::CHECKPOINT) {
            // The run's own checkpoint: replaced only once the run has finished.
            return Ok(());
        }
        bail!(
            "{} lies inside --out {}, which this run replaces; move it elsewhere or choose another --out",
            shown(input),
            shown(out)
        );
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dlfs2-outdir-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn the_runs_own_error_comes_first_when_keeping_its_files_fails_too() {
        let out = temp("fail").join("out");
        let dir = OutputDir::begin(&out, &[], &mut crate::Quiet).unwrap();
        // The failure report cannot be written: its folder is gone.
        std::fs::remove_dir_all(dir.path()).unwrap();
        let e = crate::chapter::failed_with(anyhow::anyhow!("the original failure"), dir);
        let line = format!("{e:#}");
        assert!(line.starts_with("the original failure"), "{line}");
        assert!(line.contains("also failed"), "{line}");
    }

    #[test]
    fn an_unmarked_folder_is_never_replaced_even_if_it_looks_like_a_run() {
        let out = temp("unmarked").join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(crate::files::SUMMARY_JSON), "{}").unwrap();
        let e = OutputDir::begin(&out, &[], &mut crate::Quiet)
            .err()
            .expect("refused")
            .to_string();
        assert!(e.contains("before run markers"), "{e}");
        assert!(out.join(crate::files::SUMMARY_JSON).exists());
    }

    #[test]
    fn a_marker_lists_what_a_finished_run_wrote_and_nothing_else_passes() {
        let out = temp("marker").join("out");
        let dir = OutputDir::begin(&out, &[], &mut crate::Quiet).unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        dir.commit().unwrap();
        assert_eq!(foreign_entry(&out).unwrap(), None);
        std::fs::write(out.join("b.txt"), "b").unwrap();
        assert_eq!(foreign_entry(&out).unwrap().as_deref(), Some("b.txt"));
        std::fs::remove_file(out.join("b.txt")).unwrap();
        // A marker that is a link is not one.
        std::fs::rename(out.join(MARKER), out.join("m")).unwrap();
        std::os::unix::fs::symlink(out.join("m"), out.join(MARKER)).unwrap();
        assert!(foreign_entry(&out).unwrap().is_some());
    }
}

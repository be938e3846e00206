//! Helpers shared by the tests that drive the `xtask` binary: where it is, quick runs, limits,
//! waiting, and what a failed run must look like.
#![allow(dead_code)] // each test file uses its own subset

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn exe() -> String {
    std::env::var("DLFS2_XTASK").unwrap_or_else(|_| env!("CARGO_BIN_EXE_xtask").to_string())
}

pub fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("dlfs2-faults-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.parent().unwrap()).unwrap();
    d
}

/// A quick chapter run into `out` (a coarse grid: the grid is not what these tests test).
pub fn chapter(out: &Path, extra: &[&str]) -> Command {
    chapter_with(Path::new(&exe()), out, extra)
}

/// As [`chapter`], with the program at `program` (a copy of the binary, say).
pub fn chapter_with(program: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args([
        "chapter1",
        "--out",
        out.to_str().unwrap(),
        "--grid-step",
        "0.05",
    ])
    .args(extra);
    c
}

/// Waits for `child` at most `limit`; a run that hangs is killed and fails the test.
pub fn wait_within(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

pub fn run(mut c: Command) -> Output {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    wait_within(c.spawn().unwrap(), Duration::from_secs(120))
}

/// Sets the child's limit on `resource` (a file size, the address space) to `value`.
pub fn limit(c: &mut Command, resource: libc::__rlimit_resource_t, value: u64) {
    // SAFETY: only setrlimit, async-signal-safe, between fork and exec.
    unsafe {
        c.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: value,
                rlim_max: value,
            };
            if libc::setrlimit(resource, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Waits until `path` exists, at most `seconds`.
pub fn wait_for(path: &Path, seconds: u64, never: &str) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < Duration::from_secs(seconds), "{never}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The one line a failed run prints on stderr.
pub fn failure(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "should fail: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(o.status.code(), Some(1), "a failure status, not a crash");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked") && !err.contains("Os {"), "{err}");
    err
}

/// Every file of a folder with its bytes, by name (sub-folders left out).
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// The files `summary.json` lists, which must be exactly the files of the folder.
pub fn listed_files(dir: &Path) -> Vec<String> {
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let listed: Vec<String> = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let present: Vec<String> = snapshot(dir).into_iter().map(|f| f.0).collect();
    assert_eq!(listed, present, "summary.json lists the folder's files");
    listed
}

/// Runs under an address-space limit, so an allocation of gigabytes would abort the process.
pub fn under_memory_limit(mut c: Command, bytes: u64) -> Output {
    limit(&mut c, libc::RLIMIT_AS, bytes);
    run(c)
}

/// A run refused before any work: one error line naming every one of `words`, and `out` never
/// created. Returns the line.
pub fn refused_before_work(o: &Output, out: &Path, words: &[&str]) -> String {
    let err = failure(o);
    for w in words {
        assert!(err.contains(w), "names {w}: {err}");
    }
    assert!(!out.exists(), "{} was created", out.display());
    err
}

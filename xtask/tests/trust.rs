//! The trust promises under attack: a run replaces only what dlfs2 made, keeps what a killed run
//! left, never copies local files into its pages, prints user text escaped, and ends with one
//! line on hostile resources. Each test states the attack and checks the files afterwards.
//!
//! Runs here are short (a few epochs, two frames, a coarse grid): what is tested is the folder,
//! the pages and the messages, not the training. `DLFS2_XTASK=<binary>` runs them against another
//! build (how they were checked to fail on the binary before these guarantees).

mod common;

use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

/// A short chapter run.
/// A quick run's settings: three epochs, two frames, no progress output.
const QUICK: [&str; 5] = ["--quiet", "--max-epoch", "3", "--frames", "2"];

fn quick(out: &Path, extra: &[&str]) -> Command {
    let mut c = chapter(out, &QUICK);
    c.args(extra);
    c
}

fn ok(c: Command) -> std::process::Output {
    let o = run(c);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A small CSV of three classes.
fn points_csv(path: &Path) {
    let mut text = String::from("x1,x2,label\n");
    for i in 0..60 {
        let t = i as f64 * 0.1;
        text.push_str(&format!("{},{},{}\n", t.sin() * t, t.cos() * t, i % 3));
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_folder_of_the_users_is_refused_and_left_exactly_as_it_was() {
    let v = out_dir("users");
    std::fs::create_dir_all(v.join("sub")).unwrap();
    std::fs::write(v.join("thesis.txt"), "my thesis").unwrap();
    std::fs::write(v.join("sub/notes"), "notes").unwrap();
    let err = failure(&run(quick(&v, &[])));
    assert!(
        err.contains("dlfs2 did not write there") && err.contains("--out"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(v.join("thesis.txt")).unwrap(),
        "my thesis"
    );
    assert_eq!(
        std::fs::read_to_string(v.join("sub/notes")).unwrap(),
        "notes"
    );
    // A file added by the user to a run's folder makes it the user's too.
    let run_dir = out_dir("users-run");
    ok(quick(&run_dir, &[]));
    std::fs::write(run_dir.join("mine.txt"), "mine").unwrap();
    let err = failure(&run(quick(&run_dir, &[])));
    assert!(err.contains("mine.txt"), "{err}");
    assert!(run_dir.join("mine.txt").exists());
}

#[test]
fn the_folder_holding_the_data_is_refused_and_the_data_kept() {
    let dir = out_dir("with-data");
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("points.csv");
    points_csv(&csv);
    let before = std::fs::read(&csv).unwrap();
    let mut c = quick(&dir, &[]);
    c.arg("--data").arg(&csv);
    failure(&run(c));
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    // Data inside a previous run's folder: refused as an input the run would replace.
    let prev = out_dir("with-data-run");
    ok(quick(&prev, &[]));
    let inside = prev.join("loss.csv");
    let mut c = quick(&prev, &[]);
    c.arg("--data").arg(&inside);
    let err = failure(&run(c));
    assert!(err.contains("lies inside --out"), "{err}");
    assert!(inside.exists());
}

#[test]
fn nested_outputs_files_and_staging_names_are_refused() {
    let nest = out_dir("nest");
    ok(quick(&nest.join("inner"), &[]));
    let err = failure(&run(quick(&nest, &[])));
    assert!(err.contains("did not write there"), "{err}");
    assert!(
        nest.join("inner/summary.json").exists(),
        "the inner run is kept"
    );
    // The other way round: a folder inside a run's folder.
    let outer = out_dir("outer");
    ok(quick(&outer, &[]));
    let err = failure(&run(quick(&outer.join("inner"), &[])));
    assert!(err.contains("is inside"), "{err}");
    // A regular file as --out.
    let file = out_dir("a-file");
    std::fs::write(&file, "keep me").unwrap();
    let err = failure(&run(quick(&file, &[])));
    assert!(err.contains("not a folder"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    // Another run's staging name.
    let staging = outer.with_file_name(".outer.staging");
    let err = failure(&run(quick(&staging, &[])));
    assert!(err.contains("staging or lock name"), "{err}");
}

#[test]
fn out_ending_in_a_dot_writes_into_that_folder_and_leaves_no_staging() {
    let dir = out_dir("dot");
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = quick(Path::new("unused"), &[]);
    // Replace the --out value with `dir/.`.
    let args: Vec<String> = c
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    c = Command::new(exe());
    for (i, a) in args.iter().enumerate() {
        if i > 0 && args[i - 1] == "--out" {
            c.arg(format!("{}/.", dir.display()));
        } else {
            c.arg(a);
        }
    }
    ok(c);
    assert!(dir.join("summary.json").exists());
    let stray: Vec<_> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("dot") && n.ends_with(".staging"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn a_symlink_at_the_lock_name_is_not_followed() {
    let out = out_dir("locklink");
    let target = out.with_file_name("precious.txt");
    std::fs::write(&target, "precious").unwrap();
    std::os::unix::fs::symlink(&target, out.with_file_name(".locklink.lock")).unwrap();
    let err = failure(&run(quick(&out, &[])));
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
}

#[test]
fn a_users_folder_at_the_staging_name_is_never_called_killed_or_removed() {
    let out = out_dir("mine");
    let staging = out.with_file_name(".mine.staging");
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join("work.txt"), "mine").unwrap();
    let err = failure(&run(quick(&out, &[])));
    assert!(err.contains("was not made by dlfs2"), "{err}");
    assert_eq!(
        std::fs::read_to_string(staging.join("work.txt")).unwrap(),
        "mine"
    );
}

/// Starts a long run with checkpoints into `out`, waits for its first checkpoint in the staging
/// folder, and kills it.
fn kill_after_a_checkpoint(out: &Path, resume: Option<&Path>) {
    let mut c = chapter(
        out,
        &["--quiet", "--max-epoch", "600", "--checkpoint-every", "2"],
    );
    if let Some(r) = resume {
        c.arg("--resume").arg(r);
    }
    c.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let name = out.file_name().unwrap().to_string_lossy();
    let ckpt = out.with_file_name(format!(".{name}.staging/checkpoint.safetensors"));
    wait_for(&ckpt, 120, "no checkpoint was written");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_killed_runs_files_survive_later_runs_and_are_never_overwritten() {
    let out = out_dir("survive");
    ok(quick(&out, &[]));
    kill_after_a_checkpoint(&out, None);
    // The next run keeps them as interrupted/, and so does every run after it.
    let o = ok(quick(&out, &[]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("was killed"));
    let kept = out.join("interrupted/checkpoint.safetensors");
    let bytes = std::fs::read(&kept).expect("interrupted/ kept");
    ok(quick(&out, &[]));
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        bytes,
        "still there, unchanged"
    );
    // A second killed run goes to interrupted.2, not over the first.
    kill_after_a_checkpoint(&out, None);
    ok(quick(&out, &[]));
    assert_eq!(std::fs::read(&kept).unwrap(), bytes);
    assert!(out.join("interrupted.2/checkpoint.safetensors").exists());
}

#[test]
fn a_resume_killed_early_never_destroys_the_checkpoint_it_started_from() {
    let out = out_dir("resume-killed");
    kill_after_a_checkpoint(&out, None);
    ok(quick(&out, &[]));
    let kept = out.join("interrupted/checkpoint.safetensors");
    let bytes = std::fs::read(&kept).unwrap();
    // Killed right away, before its first save.
    let mut c = chapter(
        &out,
        &["--quiet", "--max-epoch", "600", "--checkpoint-every", "2"],
    );
    c.arg("--resume").arg(out.join("interrupted"));
    c.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    wait_for(
        &out.with_file_name(".resume-killed.staging"),
        60,
        "never started",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    ok(quick(&out, &[]));
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        bytes,
        "the checkpoint is intact"
    );
}

/// A data file at a path crafted to inject Markdown and HTML: a newline, a picture of a local
/// file, a tag.
fn hostile_data(dir: &Path) -> std::path::PathBuf {
    let evil = dir
        .join("evil\n![x](")
        .join("proc/self/environ)\n<img src=/etc/passwd>\u{1b}]0;owned\u{7}.csv");
    std::fs::create_dir_all(evil.parent().unwrap()).unwrap();
    points_csv(&evil);
    evil
}

#[test]
fn a_hostile_data_path_reaches_no_page_as_markup_and_embeds_no_local_file() {
    let dir = out_dir("inject");
    std::fs::create_dir_all(&dir).unwrap();
    let evil = hostile_data(&dir);
    let out = dir.join("out");
    let mut c = quick(&out, &[]);
    c.arg("--data").arg(&evil);
    let o = ok(c);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout}"
    );
    let md = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(!md.contains("![x]("), "{md}");
    assert!(
        md.match_indices('<').all(|(i, _)| md[..i].ends_with('\\')),
        "every < escaped: {md}"
    );
    assert!(!md.contains('\u{1b}'));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<img src=/etc"), "the tag is escaped");
    // Every embedded picture is one of the run's own: the page of the same data under a plain
    // name embeds exactly as many (before, the path's `![x](/proc/self/environ)` line embedded
    // the process environment as one more).
    let plain = dir.join("plain.csv");
    points_csv(&plain);
    let plain_out = dir.join("plain-out");
    let mut c = quick(&plain_out, &[]);
    c.arg("--data").arg(&plain);
    ok(c);
    let plain_html = std::fs::read_to_string(plain_out.join("report.html")).unwrap();
    let count = |h: &str| h.matches("data:image/").count();
    assert!(count(&plain_html) >= 5);
    assert_eq!(count(&html), count(&plain_html));
    // The same data through compare.
    let cmp = dir.join("cmp");
    let mut c = Command::new(exe());
    c.args([
        "compare",
        "--quiet",
        "--max-epoch",
        "2",
        "--frames",
        "2",
        "--optimizers",
        "sgd",
    ])
    .arg("--out")
    .arg(&cmp)
    .arg("--data")
    .arg(&evil);
    ok(c);
    let html = std::fs::read_to_string(cmp.join("compare.html")).unwrap();
    assert!(!html.contains("<img src=/etc"));
}

#[test]
fn terminal_control_characters_are_escaped_and_long_values_cut() {
    let dir = out_dir("terminal");
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = quick(&dir.join("out"), &[]);
    c.arg("--data")
        .arg(dir.join("no\u{1b}[2Jsuch\u{1b}]0;title\u{7}.csv"));
    let err = failure(&run(c));
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("\\u{1b}"), "{err}");
    // A 1 MB header line is quoted, not echoed whole.
    let csv = dir.join("wide.csv");
    std::fs::write(&csv, format!("{}\n1,2,0\n", "h\u{1b}".repeat(500_000))).unwrap();
    let mut c = quick(&dir.join("out2"), &[]);
    c.arg("--data").arg(&csv);
    let err = failure(&run(c));
    assert!(
        err.len() < 600 && !err.contains('\u{1b}'),
        "{} bytes",
        err.len()
    );
}

#[test]
fn a_non_utf8_argument_is_one_clear_line() {
    let out = out_dir("utf8");
    let mut c = Command::new(exe());
    c.arg("chapter1")
        .arg("--out")
        .arg(std::ffi::OsStr::from_bytes(b"bad\xff\xfename"))
        .arg(&out);
    let err = failure(&run(c));
    assert!(err.contains("not valid UTF-8"), "{err}");
}

#[test]
fn frames_past_the_memory_budget_are_refused_before_training() {
    let out = out_dir("frames-budget");
    let words = ["--frames 1000", "GiB"];
    let c = chapter(
        &out,
        &["--quiet", "--frames", "1000", "--hidden-size", "65536"],
    );
    refused_before_work(&run(c), &out, &words);
    let mut c = Command::new(exe());
    c.args([
        "compare",
        "--quiet",
        "--frames",
        "1000",
        "--hidden-sizes",
        "10,65536",
    ])
    .arg("--out")
    .arg(&out);
    refused_before_work(&run(c), &out, &words);
}

#[test]
fn too_little_memory_for_a_default_run_is_one_line_not_an_abort() {
    // Address-space limits from too little to start up to about what a run needs: every run that
    // does not finish ends with one error line and status 1 (before: an abort, status 134).
    let mut ran_out = 0;
    for mb in [24u64, 32, 48] {
        let out = out_dir(&format!("oom-{mb}"));
        let o = under_memory_limit(chapter(&out, &["--quiet", "--max-epoch", "20"]), mb << 20);
        if o.status.success() {
            continue;
        }
        let err = failure(&o);
        assert!(err.starts_with("error: "), "{mb} MB: {err}");
        ran_out += usize::from(err.contains("out of memory"));
    }
    assert!(ran_out > 0, "no limit was tight enough to test");
}

#[test]
#[cfg_attr(
    not(dlfs2_root),
    ignore = "needs root (when the xtask is built and run) to run as another user with a process limit"
)]
fn no_threads_to_spare_still_finishes_the_run() {
    // As user `nobody` with a process limit of 1, no thread can be started: every parallel part
    // runs on the threads there are (before, thread creation panicked).
    // A folder of its own right in the temporary folder, writable by `nobody`, who runs the
    // program below, with a copy of the program in it: the build's own folders (a checkout in a
    // private folder, say) need not be open to other users.
    let dir = std::env::temp_dir().join(format!("dlfs2-nproc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::from_mode(0o777);
    std::fs::set_permissions(&dir, mode).unwrap();
    let program = dir.join("xtask");
    std::fs::copy(exe(), &program).unwrap();
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    assert_eq!(
        uid, 0,
        "needs root to run as another user with a process limit"
    );
    let mut c = chapter_with(&program, &dir.join("out"), &QUICK);
    c.current_dir(&dir);
    // SAFETY: only setgid, setuid and setrlimit (async-signal-safe) between fork and exec.
    unsafe {
        c.pre_exec(|| {
            let one = libc::rlimit {
                rlim_cur: 1,
                rlim_max: 1,
            };
            if libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
                || libc::setrlimit(libc::RLIMIT_NPROC, &one) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let o = run(c);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.join("out/summary.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_resume_in_the_other_precision_is_refused_before_any_training() {
    let out = out_dir("precision");
    ok(quick(&out, &["--checkpoint-every", "1"]));
    let resumed = out_dir("precision-2");
    let mut c = chapter(
        &resumed,
        &["--max-epoch", "3", "--frames", "2", "--precision", "f32"],
    );
    c.arg("--resume").arg(&out);
    let o = run(c);
    let err = failure(&o);
    assert!(err.contains("precision") && err.contains("f32"), "{err}");
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("§1.4.3"),
        "refused before the custom loop ran"
    );
}

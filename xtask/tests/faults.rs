//! `cargo xtask chapter1` under faults: closed and full output streams, a file-size limit while
//! writing, two runs on one folder, a failed run over good outputs, a killed run, hostile data and
//! sizes. Each test asserts the exit status, the message, and the state of the output folder.
//!
//! `DLFS2_XTASK=<binary>` runs the suite against another build (how it was checked that every
//! test here fails on the binary before these guarantees existed).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

#[test]
fn a_closed_stdout_pipe_ends_quietly_and_every_output_is_still_written() {
    let out = out_dir("pipe");
    let mut child = chapter(&out, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone (as `| head -1` leaves it): every later write is a broken pipe.
    assert!(first.starts_with("dlfs2 chapter 1"), "{first}");
    let o = wait_within(child, Duration::from_secs(120));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(listed_files(&out).len() >= 10);
}

#[test]
fn stdout_on_a_full_device_is_one_line_and_the_outputs_are_written() {
    let out = out_dir("full");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut c = chapter(&out, &[]);
    c.stdout(full).stderr(Stdio::piped());
    let o = wait_within(c.spawn().unwrap(), Duration::from_secs(120));
    let err = failure(&o);
    assert!(
        err.contains("cannot write to standard output: No space left on device"),
        "{err}"
    );
    assert!(listed_files(&out).len() >= 10);
}

#[test]
fn a_file_size_limit_while_writing_fails_with_one_line_and_keeps_the_good_outputs() {
    let out = out_dir("fsize");
    assert!(run(chapter(&out, &["--quiet"])).status.success());
    let before = snapshot(&out);
    let mut c = chapter(&out, &["--quiet"]);
    limit(&mut c, libc::RLIMIT_FSIZE, 20_000);
    let err = failure(&run(c));
    assert!(
        err.contains("File too large") && err.contains("cannot write"),
        "{err}"
    );
    assert!(
        err.contains(&out.join("failed").display().to_string()),
        "names where: {err}"
    );
    assert_eq!(
        snapshot(&out),
        before,
        "the last good outputs are untouched"
    );
    assert!(out.join("failed/REPORT.md").exists());
}

#[test]
fn a_second_run_on_a_folder_in_use_is_refused_and_the_first_completes() {
    let out = out_dir("busy");
    // A long first run: the default grid and more epochs.
    let mut first = Command::new(exe());
    first
        .args([
            "chapter1",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--max-epoch",
            "600",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let first = first.spawn().unwrap();
    let staging = out.with_file_name(".busy.staging");
    wait_for(&staging, 60, "the first run never started");
    let err = failure(&run(chapter(&out, &["--quiet"])));
    assert!(err.contains("another run is writing to"), "{err}");
    let o = wait_within(first, Duration::from_secs(300));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    listed_files(&out);
    assert!(!staging.exists(), "no staging folder is left behind");
}

#[test]
fn a_failed_run_leaves_the_previous_outputs_exactly_as_they_were() {
    let out = out_dir("failed");
    assert!(run(chapter(&out, &["--quiet"])).status.success());
    let before = snapshot(&out);
    let err = failure(&run(chapter(&out, &["--quiet", "--lr", "1e38"])));
    assert!(err.contains("diverged"), "{err}");
    assert_eq!(snapshot(&out), before);
    let report = std::fs::read_to_string(out.join("failed/REPORT.md")).unwrap();
    assert!(
        report.contains("This run failed") && report.contains("diverged"),
        "{report}"
    );
    // A later good run replaces the folder whole: no failed/ and no file of the old run.
    assert!(run(chapter(&out, &["--quiet"])).status.success());
    assert!(!out.join("failed").exists());
}

#[test]
fn a_second_run_with_other_settings_leaves_no_stale_file() {
    let out = out_dir("stale");
    let o = run(chapter(&out, &["--quiet", "--checkpoint-every", "100"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(listed_files(&out).contains(&"checkpoint.safetensors".to_string()));
    let o = run(chapter(&out, &["--quiet", "--eval-interval", "20"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = listed_files(&out);
    assert!(
        !files.contains(&"checkpoint.safetensors".to_string()),
        "{files:?}"
    );
    assert!(
        !files.contains(&"loss.png".to_string()),
        "no curve was recorded: {files:?}"
    );
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(
        !report.contains("](loss.png)"),
        "the report links only files of this run"
    );
    assert!(!report.contains("NaN"), "{report}");
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stale") && (n.contains("staging") || n.contains("tmp")))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_killed_run_is_kept_as_interrupted_and_resumes_from_there() {
    let out = out_dir("killed");
    let settings = ["--quiet", "--max-epoch", "600", "--checkpoint-every", "5"];
    let mut c = chapter(&out, &settings);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let ckpt = out.with_file_name(".killed.staging/checkpoint.safetensors");
    wait_for(&ckpt, 120, "no checkpoint was written");
    std::thread::sleep(Duration::from_millis(50));
    child.kill().unwrap();
    child.wait().unwrap();
    let mut resume = chapter(&out, &settings);
    resume.arg("--resume").arg(out.join("interrupted"));
    // The next run first keeps the killed run's files as OUT/interrupted, then resumes from them.
    let o = run(resume);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{}{}",
        stdout,
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("was killed before it finished"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert!(
        summary["resumed_from_epoch"].as_u64().unwrap() >= 5,
        "{summary}"
    );
}

#[test]
fn coordinates_near_the_limits_of_f64_never_hang_and_are_refused_or_run() {
    let dir = out_dir("huge");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, v, ok) in [
        ("max", "1.7976931348623157e308", false),
        ("e300", "1e300", false),
        ("e30", "1e30", true),
    ] {
        let csv = dir.join(format!("{name}.csv"));
        std::fs::write(
            &csv,
            format!("x1,x2,label\n{v},-{v},0\n-{v},{v},1\n0,0,0\n1,1,1\n"),
        )
        .unwrap();
        let out = dir.join(format!("out-{name}"));
        let step = if ok { "1e29" } else { "0.05" };
        let mut c = Command::new(exe());
        c.args([
            "chapter1",
            "--quiet",
            "--batch-size",
            "2",
            "--grid-step",
            step,
            "--out",
        ])
        .arg(&out)
        .arg("--data")
        .arg(&csv)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let o = wait_within(c.spawn().unwrap(), Duration::from_secs(60));
        if ok {
            assert!(
                o.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        } else {
            let err = failure(&o);
            assert!(
                err.contains("span") || err.contains("f32's range"),
                "{name}: {err}"
            );
            assert!(!err.contains("00000000000"), "numbers in short form: {err}");
            assert!(!out.exists(), "refused before the output folder is touched");
        }
    }
}

#[test]
fn data_without_an_end_is_refused_without_reading_it_all() {
    let out = out_dir("zero");
    let err = failure(&run(chapter(&out, &["--quiet", "--data", "/dev/zero"])));
    assert!(
        err.contains("/dev/zero") && err.contains("more than"),
        "{err}"
    );
}

#[test]
fn sizes_too_large_for_memory_are_refused_before_allocating() {
    let out = out_dir("memory");
    let mut c = Command::new(exe());
    c.args(["chapter1", "--quiet", "--grid-step", "1e-8", "--out"])
        .arg(&out);
    let err = failure(&under_memory_limit(c, 1 << 30));
    assert!(err.contains("--grid-step") && err.contains("1e-8"), "{err}");
    // Batch and hidden sizes that each pass their own check but not together.
    let csv = out.with_file_name("many.csv");
    let mut text = String::from("x1,x2,label\n");
    for i in 0..200_000 {
        text.push_str(&format!("{},{},{}\n", i % 1000, i / 1000, i % 3));
    }
    std::fs::write(&csv, text).unwrap();
    let mut c = chapter(
        &out,
        &[
            "--quiet",
            "--batch-size",
            "200000",
            "--hidden-size",
            "65536",
        ],
    );
    c.arg("--data").arg(&csv);
    refused_before_work(
        &under_memory_limit(c, 2 << 30),
        &out,
        &["GiB", "--hidden-size 65536"],
    );
}

#[test]
fn resume_follows_the_datas_content_not_its_path() {
    let dir = out_dir("resume-data");
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("d.csv");
    let mut text = String::from("x1,x2,label\n");
    for i in 0..60 {
        text.push_str(&format!(
            "{},{},{}\n",
            (i % 7) as f64 * 0.3,
            (i / 7) as f64 * 0.2,
            i % 3
        ));
    }
    std::fs::write(&csv, &text).unwrap();
    let first = dir.join("first");
    let mut c = chapter(
        &first,
        &[
            "--quiet",
            "--max-epoch",
            "10",
            "--checkpoint-every",
            "5",
            "--batch-size",
            "20",
        ],
    );
    c.arg("--data").arg(&csv);
    assert!(run(c).status.success());
    // The same file named another way resumes.
    let same = dir.join("sub/../d.csv");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let mut c = chapter(
        &dir.join("again"),
        &["--quiet", "--max-epoch", "20", "--batch-size", "20"],
    );
    c.arg("--data").arg(&same).arg("--resume").arg(&first);
    let o = run(c);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The file changed in place does not.
    std::fs::write(&csv, text.replacen("0,0,0", "0,0,1", 1)).unwrap();
    let mut c = chapter(
        &dir.join("changed"),
        &["--quiet", "--max-epoch", "20", "--batch-size", "20"],
    );
    c.arg("--data").arg(&csv).arg("--resume").arg(&first);
    let err = failure(&run(c));
    assert!(err.contains("setting data is"), "{err}");
    // Resuming to fewer epochs than the checkpoint's is refused, saying why.
    std::fs::write(&csv, &text).unwrap();
    let mut c = chapter(
        &dir.join("short"),
        &["--quiet", "--max-epoch", "3", "--batch-size", "20"],
    );
    c.arg("--data").arg(&csv).arg("--resume").arg(&first);
    let err = failure(&run(c));
    assert!(err.contains("past this run's last epoch 3"), "{err}");
}

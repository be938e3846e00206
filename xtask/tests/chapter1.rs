//! `cargo xtask chapter1` end to end, as a user runs it: outputs, the book's numbers, and one-line
//! errors for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use testkit::golden_json;

fn xtask(args: &[&str]) -> Output {
    // Without cargo's variable, `bench` and `gpu-check` go to the `xtask-bench` built beside this
    // binary (as on a machine the binaries were copied to), not through a nested cargo build.
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .env_remove("CARGO")
        .args(args)
        .output()
        .expect("xtask runs")
}

/// `chapter1 --out OUT` followed by `extra`.
fn chapter_args<'a>(out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["chapter1", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    args
}

fn temp_out(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dlfs2-xtask-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn png_size(path: &Path) -> (u32, u32) {
    testkit::picture::read_png(path)
        .unwrap_or_else(|e| panic!("{e}"))
        .dimensions()
}

fn read_csv(path: &Path) -> Vec<(usize, f64)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("iteration,loss"));
    lines
        .map(|l| {
            let (i, v) = l.split_once(',').unwrap();
            (i.parse().unwrap(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn a_small_run_writes_every_output() {
    let out = temp_out("small");
    let o = xtask(&chapter_args(
        &out,
        &["--max-epoch", "12", "--grid-step", "0.01", "--quiet"],
    ));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.starts_with("chapter 1 done"),
        "quiet prints only the summary: {stdout}"
    );

    for png in ["spiral.png", "loss.png", "trainer_loss.png"] {
        assert_eq!(png_size(&out.join(png)), (640, 480), "{png}");
    }
    assert_eq!(png_size(&out.join("decision_boundary.png")), (800, 640));
    for svg in ["spiral.svg", "loss.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).unwrap();
        assert!(
            text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
            "{svg}"
        );
    }
    let csv = read_csv(&out.join("loss.csv"));
    assert_eq!(csv.len(), 12, "one record per epoch");
    assert_eq!(csv[0].0, 1);
    assert_eq!(csv[1].0, 11);

    // training.gif: the default 60 frames, or as many distinct steps as 12 epochs of 10 have,
    // every one of the stated size, looping.
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut gif = options
        .read_info(std::fs::File::open(out.join("training.gif")).unwrap())
        .unwrap();
    // Each frame: the boundary (480 x 380) over the loss strip (64 high).
    assert_eq!((gif.width(), gif.height()), (480, 444));
    let mut frames = 0;
    while let Some(f) = gif.read_next_frame().unwrap() {
        assert_eq!((f.width, f.height), (480, 444));
        frames += 1;
    }
    assert_eq!(gif.repeat(), gif::Repeat::Infinite);
    let planned: std::collections::BTreeSet<u64> = (0..60u64)
        .map(|k| ((k as f64 / 59.0).powi(2) * 120.0).round() as u64)
        .collect();
    assert_eq!(frames, planned.len(), "one frame per planned step");
    assert_eq!(png_size(&out.join("hidden_units.png")), (600, 480));

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["config"]["max_epoch"], 12);
    assert_eq!(summary["config"]["device"], "cpu");
    assert!(summary["device"].as_str().unwrap().starts_with("cpu"));
    let grid = &summary["grid"];
    let (cols, rows) = (
        grid["cols"].as_u64().unwrap(),
        grid["rows"].as_u64().unwrap(),
    );
    assert_eq!((cols, rows), (212, 205), "np.arange grid at step 0.01");
    let counts: u64 = grid["class_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(counts, cols * rows);
    for p in ["f64", "f32"] {
        let acc = summary["precisions"][p]["accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc));
    }
    assert_eq!(summary["gpu"]["ran"], false);

    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    for needle in [
        "(spiral.png)",
        "(loss.png)",
        "(decision_boundary.png)",
        "(trainer_loss.png)",
        "§1.5.1",
        "§1.5.2",
    ] {
        assert!(report.contains(needle), "REPORT.md lacks {needle}");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_default_run_reproduces_the_books_losses_and_accuracy() {
    let out = temp_out("default");
    let o = xtask(&chapter_args(&out, &[]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.contains("| epoch 1 |  iter 1 / 10 | time 0[s] | loss 1.10"),
        "the book's log line"
    );

    let g = golden_json("train_py_start.json");
    let csv = read_csv(&out.join("loss.csv"));
    assert_eq!(csv.len(), 300);
    for (i, want) in g["loss_list_first_10"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let want = want.as_f64().unwrap();
        assert!(
            (csv[i].1 - want).abs() <= 1e-12 * want,
            "loss {i}: {} vs {want}",
            csv[i].1
        );
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["trainer"]["accuracy"].as_f64().unwrap(), 0.97);
    assert_eq!(
        summary["trainer"]["final_loss"].as_f64().unwrap(),
        csv[299].1,
        "loss.csv round-trips exactly"
    );
    // The accuracy on the training points at every record, beside the loss: the initial
    // weights' one class at first, the trained network's at the end. No point is held out.
    assert_eq!(summary["validation_points"], 0);
    assert!(summary["trainer"]["validation_accuracy"].is_null());
    let metrics = summary["trainer_metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 300);
    let acc = |m: &serde_json::Value| m["train_accuracy"].as_f64().unwrap();
    assert!(
        (acc(&metrics[0]) - 1.0 / 3.0).abs() < 0.02,
        "{}",
        metrics[0]
    );
    assert!(acc(&metrics[299]) > 0.95, "{}", metrics[299]);
    // The page at the book's settings: 60 frames of two pictures, under 1.5 MB.
    let page = std::fs::metadata(out.join("report.html")).unwrap().len();
    assert!(page < 1_500_000, "report.html is {page} bytes");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_validation_split_holds_points_out_and_scores_them_at_every_record() {
    let run = |name: &str, split: &[&str]| {
        let out = temp_out(name);
        let mut args = vec![
            "--max-epoch",
            "40",
            "--grid-step",
            "0.05",
            "--frames",
            "4",
            "--quiet",
        ];
        args.extend_from_slice(split);
        let o = xtask(&chapter_args(&out, &args));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        (out, summary)
    };
    let (out, split) = run("split", &["--val-split", "0.2"]);
    assert_eq!(split["training_points"], 240);
    assert_eq!(split["validation_points"], 60);
    let v = split["trainer"]["validation_accuracy"].as_f64().unwrap();
    assert!(v > 0.5 && v <= 1.0, "{v}");
    // 240 points in batches of 30: 8 iterations an epoch, one record each (eval_interval 10).
    let metrics = split["trainer_metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 40);
    assert_eq!(metrics[1]["iteration"], 9);
    assert!(
        metrics
            .iter()
            .all(|m| m["validation_loss"].as_f64().is_some())
    );
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("60 points (0.2 of each class"), "{report}");
    // The same split again gives the same numbers; no split trains on every point.
    let (_, again) = run("split-again", &["--val-split", "0.2"]);
    for key in [
        "final_loss",
        "accuracy",
        "validation_loss",
        "validation_accuracy",
    ] {
        assert_eq!(split["trainer"][key], again["trainer"][key], "{key}");
    }
    let (_, whole) = run("whole", &[]);
    assert_eq!(whole["training_points"], 300);
    assert_ne!(
        split["trainer"]["final_loss"],
        whole["trainer"]["final_loss"]
    );
    for bad in ["1", "-0.5", "x"] {
        let err = one_line_error(&chapter_args(&out, &["--val-split", bad]));
        assert!(err.contains("--val-split"), "{err}");
    }
}

fn one_line_error(args: &[&str]) -> String {
    let o = xtask(args);
    assert!(!o.status.success(), "{args:?} should fail");
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn bad_input_is_one_clear_line_and_a_failure_status() {
    let out = temp_out("bad");
    let o = out.to_str().unwrap();
    assert!(one_line_error(&chapter_args(Path::new(o), &["--precision", "f16"])).contains("f16"));
    // Counts out of range, negative ones too, say what is expected (not "unexpected argument").
    for bad in ["-1", "0", "1000001", "2.5"] {
        let err = one_line_error(&chapter_args(Path::new(o), &["--max-epoch", bad]));
        assert!(
            err.contains("--max-epoch")
                && err.contains("expected a whole number from 1 to 1000000"),
            "{bad}: {err}"
        );
    }
    let err = one_line_error(&chapter_args(Path::new(o), &["--lr", "1e300"]));
    assert!(err.contains("--lr 1e300"), "numbers in short form: {err}");
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--optimizer", "adamw"]))
            .contains("unknown optimizer 'adamw'")
    );
    assert!(one_line_error(&chapter_args(Path::new(o), &["--lr", "nan"])).contains("--lr"));
    assert!(one_line_error(&chapter_args(Path::new(o), &["--lr=-1"])).contains("--lr"));
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--grid-step", "0"])).contains("--grid-step")
    );
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--eval-interval", "0"]))
            .contains("--eval-interval")
    );
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--batch-size", "0"]))
            .contains("--batch-size")
    );
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--batch-size", "301"]))
            .contains("--batch-size")
    );
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--max-grad", "0"])).contains("--max-grad")
    );
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--hidden-size", "100000000"]))
            .contains("--hidden-size")
    );
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--grid-step", "1e-7"])).contains("at most")
    );
    assert!(
        one_line_error(&chapter_args(Path::new(o), &["--device", "tpu"]))
            .contains("unknown device")
    );
    assert!(
        one_line_error(&["chapter1", "--out", "/proc/dlfs2-cannot-write", "--quiet"])
            .contains("cannot create the output folder")
    );
    if !tensor::Device::cuda_compiled() {
        assert!(
            one_line_error(&chapter_args(Path::new(o), &["--device", "cuda"]))
                .contains("--features cuda")
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn help_lists_every_flag() {
    let o = xtask(&["chapter1", "--help"]);
    assert!(o.status.success());
    let help = String::from_utf8(o.stdout).unwrap();
    for flag in [
        "--out",
        "--precision",
        "--device",
        "--max-epoch",
        "--batch-size",
        "--hidden-size",
        "--lr",
        "--max-grad",
        "--eval-interval",
        "--optimizer",
        "--seed",
        "--grid-step",
        "--quiet",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}

fn write_blobs(path: &Path, classes: usize, per_class: usize) {
    let mut text = String::from("x1,x2,label\n");
    for c in 0..classes {
        let angle = c as f64 * std::f64::consts::TAU / classes as f64;
        let (cx, cy) = (angle.cos() * 0.7, angle.sin() * 0.7);
        for i in 0..per_class {
            let a = i as f64 * 2.399;
            let r = 0.15 * ((i % 7) as f64 / 7.0);
            text.push_str(&format!("{},{},{c}\n", cx + r * a.cos(), cy + r * a.sin()));
        }
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn user_csv_data_runs_the_whole_chapter_with_its_class_count() {
    let out = temp_out("csv");
    // Beside the output folder, not inside it: a run replaces its whole --out.
    let csv = out.with_file_name(format!(
        "{}-blobs.csv",
        out.file_name().unwrap().to_string_lossy()
    ));
    write_blobs(&csv, 4, 40);
    let o = xtask(&chapter_args(
        &out,
        &[
            "--data",
            csv.to_str().unwrap(),
            "--max-epoch",
            "100",
            "--batch-size",
            "16",
            "--grid-step",
            "0.01",
            "--quiet",
        ],
    ));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["grid"]["class_counts"].as_array().unwrap().len(),
        4,
        "four classes predicted"
    );
    assert!(
        summary["trainer"]["accuracy"].as_f64().unwrap() > 0.9,
        "{}",
        summary["trainer"]
    );
    assert!(summary["data"].as_str().unwrap().ends_with("blobs.csv"));
    // Your own points are not the spiral: their plot is data.png, and the report shows it.
    assert!(!out.join("spiral.png").exists());
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("(data.png)"), "{report}");
    for f in [
        "data.png",
        "data.svg",
        "decision_boundary.png",
        "loss.csv",
        "REPORT.md",
        "model.safetensors",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    std::fs::write(&csv, "x1,x2,label\n0,0,0\n1,1\n").unwrap();
    let err = one_line_error(&chapter_args(&out, &["--data", csv.to_str().unwrap()]));
    assert!(err.contains("line 3: expected 3 fields"), "{err}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_run_stopped_at_a_checkpoint_and_resumed_ends_like_the_uninterrupted_run() {
    let (full, part, resumed) = (temp_out("full"), temp_out("part"), temp_out("resumed"));
    let common = [
        "--grid-step",
        "0.02",
        "--quiet",
        "--optimizer",
        "adam",
        "--max-grad",
        "1.0",
    ];
    let run = |out: &PathBuf, extra: &[&str]| {
        let mut args = chapter_args(out, &common);
        args.extend_from_slice(extra);
        let o = xtask(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&full, &["--max-epoch", "40"]);
    // The same run stopped after epoch 16 (its last checkpoint), then resumed to 40.
    run(&part, &["--max-epoch", "16", "--checkpoint-every", "8"]);
    run(
        &resumed,
        &["--max-epoch", "40", "--resume", part.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::read(full.join("loss.csv")).unwrap(),
        std::fs::read(resumed.join("loss.csv")).unwrap()
    );
    let parse = |p: PathBuf| {
        train::checkpoint::parse(&p, &std::fs::read(&p).unwrap())
            .unwrap()
            .tensors
    };
    assert_eq!(
        parse(full.join("model.safetensors")),
        parse(resumed.join("model.safetensors")),
        "bit-identical params"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(resumed.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["resumed_from_epoch"], 16);
    // Different settings refuse the checkpoint.
    let err = one_line_error(&chapter_args(
        &resumed,
        &[
            "--resume",
            part.to_str().unwrap(),
            "--hidden-size",
            "7",
            "--optimizer",
            "adam",
            "--max-grad",
            "1.0",
        ],
    ));
    assert!(
        err.contains("setting hidden_size is 10 in the file, 7 here"),
        "{err}"
    );
    // Every differing setting is named, the optimizer too (not only the first in name order).
    let err = one_line_error(&chapter_args(
        &resumed,
        &["--resume", part.to_str().unwrap(), "--max-grad", "1.0"],
    ));
    assert!(
        err.contains("setting optimizer is adam in the file, sgd here")
            && err.contains("setting lr is 0.001 in the file, 1.0 here"),
        "{err}"
    );
    let err = one_line_error(&chapter_args(&resumed, &["--resume", "/nonexistent/ckpt"]));
    assert!(err.contains("--resume"), "{err}");
    assert!(
        one_line_error(&chapter_args(&resumed, &["--checkpoint-every", "0"]))
            .contains("--checkpoint-every")
    );
    for d in [full, part, resumed] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn divergence_stops_with_its_place_keeps_what_exists_and_fails() {
    // lr 1e38 is valid for f32 but grows the weights past f32's range within 3 epochs (numpy's
    // float32 exp overflows to infinity above 88.72, as the book's run would).
    let out = temp_out("diverge");
    let o = out.to_str().unwrap();
    let err = one_line_error(&chapter_args(
        Path::new(o),
        &[
            "--lr",
            "1e38",
            "--precision",
            "f32",
            "--quiet",
            "--grid-step",
            "0.05",
        ],
    ));
    assert!(err.contains("custom loop"), "{err}");
    assert!(
        err.contains("training diverged at epoch 3, iter 4: loss is not finite"),
        "{err}"
    );
    assert_eq!(
        png_size(&out.join("failed/loss.png")),
        (640, 480),
        "the loss so far is still plotted, in OUT/failed"
    );
    assert!(err.contains("what this run wrote is in"), "{err}");
    let report = std::fs::read_to_string(out.join("failed/REPORT.md")).unwrap();
    assert!(
        report.contains("training diverged at epoch 3, iter 4"),
        "{report}"
    );
    assert!(
        !out.join("loss.png").exists(),
        "a failed run puts nothing in OUT itself"
    );
    // With f64 as the main precision, the f32 comparison run is the one that diverges.
    let err = one_line_error(&chapter_args(
        Path::new(o),
        &["--lr", "1e38", "--quiet", "--grid-step", "0.05"],
    ));
    assert!(
        err.contains("Trainer run (f32 on cpu)") && err.contains("diverged"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[cfg(feature = "cuda")]
#[test]
fn gpu_check_runs_its_checks_and_refuses_a_missing_gpu() {
    // On the CPU the command compares the CPU with itself: every check must pass.
    let o = xtask(&["gpu-check", "--device", "cpu", "--no-timings"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = String::from_utf8(o.stdout).unwrap();
    assert!(report.contains("all checks passed"), "{report}");
    assert!(
        report.contains("| matmul 97x130x67 ta=true tb=false | f32 |"),
        "{report}"
    );
    assert!(
        report.contains("| f64 | 0.000e0 | 1e-9 | 0.970 | 0.970 | ok |"),
        "{report}"
    );
    if tensor::Device::Cuda(0).ensure_available().is_err() {
        let err = one_line_error(&["gpu-check"]);
        assert!(
            err.contains("gpu-check needs a usable CUDA device"),
            "{err}"
        );
    }
}

#[cfg(not(feature = "cuda"))]
#[test]
fn gpu_check_without_the_cuda_backend_says_how_to_get_it() {
    let err = one_line_error(&["gpu-check", "--device", "cpu"]);
    assert!(
        err.contains("gpu-check needs the CUDA backend")
            && err.contains("cargo xtask gpu-check --features cuda"),
        "{err}"
    );
}

#[test]
fn summary_counts_the_steps_max_grad_clipped_and_keeps_every_norm() {
    let run = |name: &str, extra: &[&str]| {
        let out = temp_out(name);
        let mut args = vec![
            "--max-epoch",
            "5",
            "--frames",
            "0",
            "--grid-step",
            "0.05",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let o = xtask(&chapter_args(&out, &args));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
        (json["gradients"].clone(), report)
    };
    let (free, report) = run("grad-free", &[]);
    let norms: Vec<f64> = free["norms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(norms.len(), 50, "5 epochs of 10 steps");
    assert_eq!(free["clipped_steps"], 0);
    assert!(
        report.contains("no clipping (max\\_grad not set)"),
        "{report}"
    );
    // A limit at the median norm clips about half the steps, and the report says how many.
    let mut sorted = norms.clone();
    sorted.sort_by(f64::total_cmp);
    let limit = format!("{}", sorted[25]);
    let (clipped, report) = run("grad-clipped", &["--max-grad", &limit]);
    let n = clipped["clipped_steps"].as_u64().unwrap();
    assert!(n > 0 && n < 50, "{n}");
    assert!(
        report.contains(&format!("clipped {n} of 50 steps")),
        "{report}"
    );
}

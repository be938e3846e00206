//! `cargo xtask compare`: every run starts from the same weights and sees the same shuffles, the
//! SGD run is the chapter's Trainer run number for number, and every output is there.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dlfs2-compare-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Runs the xtask; returns its stdout.
fn xtask(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// `compare --quiet --frames 2 --out OUT` followed by `extra`; returns its stdout.
fn compare_in(out: &std::path::Path, extra: &[&str]) -> String {
    let mut args = vec![
        "compare",
        "--quiet",
        "--frames",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    xtask(&args)
}

fn runs_of(out: &std::path::Path) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    json["runs"].as_array().unwrap().clone()
}

#[test]
fn by_default_every_optimizer_trains_the_spiral_and_the_table_says_so() {
    let out = temp("fair");
    let stdout = compare_in(&out, &[]);
    let runs = runs_of(&out);
    assert_eq!(runs.len(), 6);
    for r in &runs {
        let acc = r["accuracy"].as_f64().unwrap();
        assert!(acc >= 0.9, "{} reaches only {acc}", r["name"]);
    }
    // The terminal table: a header and one row per run with its lr, its losses and accuracies
    // on the training points and on the held-out ones (a fifth of each class by default).
    assert!(
        stdout.contains(
            "| run | lr | final mean batch loss | training accuracy | validation loss | \
             validation accuracy | time [s] |"
        ),
        "{stdout}"
    );
    for r in &runs {
        let row = format!(
            "| {} | {} | {:.4} | {:.3} | {:.4} | {:.3} |",
            r["name"].as_str().unwrap(),
            r["lr"].as_f64().unwrap(),
            r["final_loss"].as_f64().unwrap(),
            r["accuracy"].as_f64().unwrap(),
            r["validation_loss"].as_f64().unwrap(),
            r["validation_accuracy"].as_f64().unwrap()
        );
        assert!(stdout.contains(&row), "{row} not in {stdout}");
        let val = r["validation_accuracy"].as_f64().unwrap();
        assert!(val >= 0.9, "{} generalises to only {val}", r["name"]);
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(json["settings"]["training_points"], 240);
    assert_eq!(json["settings"]["validation_points"], 60);
    // The page says what was held equal and where the learning rates came from.
    let page = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(
        page.contains("Held equal: the data, the initial weights"),
        "page"
    );
    assert!(page.contains("--book-lrs gives the book"), "page");
    let bytes = page.len();
    assert!(bytes < 2_500_000, "compare.html is {bytes} bytes");
}

#[test]
fn the_books_learning_rates_are_one_flag_away() {
    let out = temp("book");
    compare_in(&out, &["--book-lrs", "--max-epoch", "5"]);
    let lrs: Vec<f64> = runs_of(&out)
        .iter()
        .map(|r| r["lr"].as_f64().unwrap())
        .collect();
    assert_eq!(lrs, [1.0, 0.01, 0.01, 0.01, 0.01, 0.001]);
}

#[test]
fn learning_rates_per_optimizer_and_repeated_runs_have_their_own_names() {
    let out = temp("per");
    compare_in(
        &out,
        &[
            "--optimizers",
            "sgd,sgd,adam",
            "--lrs",
            "adam=0.1,adam=0.01",
            "--max-epoch",
            "5",
        ],
    );
    let runs = runs_of(&out);
    let got: Vec<(&str, f64)> = runs
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["lr"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("sgd lr 1 #1", 1.0),
            ("sgd lr 1 #2", 1.0),
            ("adam lr 0.1", 0.1),
            ("adam lr 0.01", 0.01)
        ]
    );
    let csv = csv_runs(&std::fs::read_to_string(out.join("compare.csv")).unwrap());
    assert_eq!(csv.len(), 4, "one series per run in compare.csv");
    assert_eq!(
        csv["sgd lr 1 #1"], csv["sgd lr 1 #2"],
        "the same settings, the same numbers"
    );
    // An lr for an optimizer not compared is a mistake, said in one line.
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "compare",
            "--optimizers",
            "sgd",
            "--lrs",
            "adam=0.1",
            "--out",
            "/tmp/dlfs2-compare-never",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("--lrs names adam"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// `run -> [(iteration, loss bits)]` from compare.csv.
fn csv_runs(text: &str) -> BTreeMap<String, Vec<(usize, u64)>> {
    let mut runs: BTreeMap<String, Vec<(usize, u64)>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let loss: f64 = f[2].parse().unwrap();
        runs.entry(f[0].to_string())
            .or_default()
            .push((f[1].parse().unwrap(), loss.to_bits()));
    }
    runs
}

#[test]
fn six_optimizers_start_alike_and_sgd_is_the_chapters_run() {
    let out = temp("default");
    xtask(&[
        "compare",
        "--quiet",
        "--max-epoch",
        "60",
        "--frames",
        "6",
        "--out",
        out.to_str().unwrap(),
    ]);
    for f in [
        "compare_loss.png",
        "compare_loss.svg",
        "compare_boundaries.png",
        "compare.gif",
        "compare.csv",
        "compare.json",
        "compare.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    let runs = json["runs"].as_array().unwrap();
    let names: Vec<&str> = runs
        .iter()
        .map(|r| r["optimizer"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    );
    // The same initial weights (hash) and the same loss before the first update, in every run.
    for r in runs {
        assert_eq!(
            r["initial_params_blake3"], runs[0]["initial_params_blake3"],
            "{r}"
        );
        assert_eq!(r["initial_loss"], runs[0]["initial_loss"], "{r}");
    }
    assert_eq!(runs[0]["lr"], 1.0, "SGD at the chapter's lr");
    assert_eq!(
        runs[5]["lr"], 0.03,
        "Adam at a learning rate that trains the spiral"
    );
    // Different optimizers end differently.
    assert_ne!(runs[0]["final_loss"], runs[5]["final_loss"]);

    // The SGD run is the chapter's Trainer run with the same validation split (compare's
    // default, 0.2), loss for loss, bit for bit.
    let chapter = temp("chapter");
    xtask(&[
        "chapter1",
        "--quiet",
        "--max-epoch",
        "60",
        "--frames",
        "0",
        "--grid-step",
        "0.05",
        "--val-split",
        "0.2",
        "--out",
        chapter.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(chapter.join("loss.csv")).unwrap();
    let want: Vec<(usize, u64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let (i, v) = l.split_once(',').unwrap();
            (i.parse().unwrap(), v.parse::<f64>().unwrap().to_bits())
        })
        .collect();
    let got = csv_runs(&std::fs::read_to_string(out.join("compare.csv")).unwrap());
    assert_eq!(got.len(), 6);
    assert_eq!(got["sgd lr 1"], want);

    // The GIF has one picture of all six per frame.
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(out.join("compare.gif")).unwrap())
        .unwrap();
    let (w, h) = (decoder.width(), decoder.height());
    let mut frames = 0;
    while decoder.read_next_frame().unwrap().is_some() {
        frames += 1;
    }
    assert_eq!(frames, 6);
    assert_eq!((w, h), (1080, 580), "3 x 2 pictures of 360 x 290");
}

#[test]
fn lists_of_settings_make_every_combination_and_bad_ones_are_refused() {
    let out = temp("grid");
    xtask(&[
        "compare",
        "--quiet",
        "--optimizers",
        "sgd,adam",
        "--hidden-sizes",
        "5,20",
        "--lrs",
        "0.5",
        "--max-epoch",
        "5",
        "--frames",
        "2",
        "--log",
        "--val-split",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    // --val-split 0: every point trains, nothing is scored as validation.
    assert_eq!(json["settings"]["training_points"], 300);
    assert!(json["runs"][0]["validation_accuracy"].is_null());
    let runs = json["runs"].as_array().unwrap();
    let specs: Vec<(String, u64)> = runs
        .iter()
        .map(|r| {
            (
                r["optimizer"].as_str().unwrap().to_string(),
                r["hidden_size"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        specs,
        [
            ("sgd".into(), 5),
            ("sgd".into(), 20),
            ("adam".into(), 5),
            ("adam".into(), 20)
        ]
    );
    assert!(runs.iter().all(|r| r["lr"] == 0.5));
    // The same hidden size starts alike; another does not.
    assert_eq!(
        runs[0]["initial_params_blake3"],
        runs[2]["initial_params_blake3"]
    );
    assert_ne!(
        runs[0]["initial_params_blake3"],
        runs[1]["initial_params_blake3"]
    );
    for bad in [
        vec!["--optimizers", "adamw"],
        vec!["--lrs", "-1"],
        vec!["--lrs", "adam=x"],
        vec!["--lrs", "adamw=0.1"],
        vec!["--hidden-sizes", "0"],
        vec!["--frames", "1"],
        vec!["--val-split", "1"],
        vec!["--val-split", "-0.1"],
        vec!["--val-split", "nan"],
    ] {
        let mut args = vec!["compare", "--quiet", "--out", "/tmp/dlfs2-compare-never"];
        args.extend(bad.iter().copied());
        let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{bad:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{bad:?}: {err}");
    }
}

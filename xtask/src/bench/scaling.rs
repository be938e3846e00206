//! `cargo xtask bench --scaling`: how cost grows. W1 µs per step against the hidden size
//! (10, 100, 1000) and the batch size (30, 300, 3000); W2 time and peak memory against the number
//! of grid points (h = 0.01 … 0.0001), certified and full scan; numpy alongside where present.
//! Every point runs in its own process (so peak RSS is its own), f64, dlfs2 then numpy. Prints a
//! table with each curve's log-log slope, and draws `scaling.png`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use boundary::{Grid, MAX_POINTS};
use layers::TwoLayerNet;
use optim::Sgd;
use serde_json::{Value, json};
use tensor::random::BookRng;
use tensor::{Device, Labels, Tensor};
use train::{FitConfig, Silent, Trainer};
use viz::{LogPanel, LogSeries, loglog_slope};

use super::isa::Held;
use super::workloads::peak_rss_mb;

/// Hidden sizes of the W1 sweep (batch 30).
const HIDDEN: [usize; 3] = [10, 100, 1000];
/// Batch sizes of the W1 sweep (hidden 10); the data has 10 batches.
const BATCH: [usize; 3] = [30, 300, 3000];
/// Grid steps of the W2 sweep.
const STEPS: [f64; 5] = [0.01, 0.003, 0.001, 0.0003, 0.0001];
/// numpy's full grid above this many points needs more memory than a benchmark should take
/// (its predict holds every point's hidden layer at once).
const NUMPY_MAX_POINTS: usize = 5_000_000;

/// One W1 configuration in this process: µs per step of TwoLayerNet(2, hidden, 3), SGD lr 1.0,
/// on a spiral of 10 · batch points, 30 epochs (300 steps).
pub fn w1x(runs: usize, hidden: usize, batch: usize) -> Result<Value> {
    if hidden == 0 || batch == 0 || !batch.is_multiple_of(3) {
        bail!("--hidden must be positive and --batch a positive multiple of 3");
    }
    let config = FitConfig {
        max_epoch: 30,
        batch_size: batch,
        max_grad: None,
        eval_interval: Some(10),
    };
    let mut samples = Vec::new();
    for _ in 0..runs {
        let mut rng = BookRng::new(1984);
        let spiral = data::load_data_with(&mut rng, 10 * batch / 3, 3)?;
        let x = Tensor::<f64>::from_f64(spiral.x.view(), Device::Cpu)?;
        let t = Labels::from_one_hot(spiral.t.view())?;
        let model = TwoLayerNet::new(2, hidden, 3, &mut rng, Device::Cpu)?;
        let mut trainer = Trainer::new(model, Sgd::new(1.0)?);
        let start = Instant::now();
        trainer.fit(&x, &t, &config, &mut rng, &mut Silent)?;
        samples.push(start.elapsed().as_secs_f64() * 1e6 / 300.0);
    }
    Ok(json!({ "unit": "µs/step", "samples": samples, "peak_rss_mb": peak_rss_mb() }))
}

/// One W2 configuration in this process: ms to classify the book's grid at `step` for the
/// trained book network, `certified` (class counts, nothing stored per point) or the full scan
/// (every point's class stored, as the plot uses it; counted in a stream where that would not fit).
pub fn w2at(runs: usize, step: f64, certified: bool) -> Result<Value> {
    let (mut trainer, spiral) = super::workloads::trained_book::<f64>(Device::Cpu)?;
    let grid = Grid::around_for_counting(spiral.x.view(), step)?;
    let points = grid.cols() * grid.rows();
    let mut samples = Vec::new();
    let mut counts = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        counts = if certified {
            boundary::count_classes_certified(&mut trainer.model, &grid)?
        } else if points <= MAX_POINTS {
            boundary::classify_grid(&mut trainer.model, &grid, Device::Cpu)?.class_counts
        } else {
            boundary::count_classes_scan(&mut trainer.model, &grid)?
        };
        samples.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(json!({
        "unit": "ms", "samples": samples, "points": points, "class_counts": counts,
        "stored": !certified && points <= MAX_POINTS, "peak_rss_mb": peak_rss_mb(),
    }))
}

/// One measured point of a curve.
struct Point {
    curve: &'static str,
    x: f64,
    value: Value,
}

/// Runs the sweep, prints the table, writes `plot` (and `json` when given).
pub fn run(
    exe: &Path,
    held: &Held,
    runs: u16,
    json_path: Option<&Path>,
    plot: &Path,
) -> Result<()> {
    // Refuse a destination that cannot be written before half a minute of measuring.
    for path in std::iter::once(plot).chain(json_path) {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            bail!(
                "cannot write {}: {} is not a folder",
                path.display(),
                dir.display()
            );
        }
    }
    let numpy = super::peers::numpy_available();
    if let Err(why) = &numpy {
        crate::console::errln!("skipped: numpy alongside ({why})");
    }
    let runs = runs.to_string();
    let mut points = Vec::new();
    let strings = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let xtask = |args: Vec<String>| {
        let mut c = held.command(exe);
        c.arg("bench-run").args(args);
        c
    };
    let python = |args: Vec<String>| {
        let mut c = held.command("python3");
        c.arg(super::peers::NUMPY_SCRIPT).args(args);
        c
    };
    for h in HIDDEN {
        let h_s = h.to_string();
        let args = [
            "w1x", "f64", "--runs", &runs, "--hidden", &h_s, "--batch", "30",
        ];
        measure(
            &mut points,
            "W1 dlfs2 vs hidden",
            h as f64,
            xtask(strings(&args)),
        )?;
        if numpy.is_ok() {
            let args = python(strings(&["w1x", "f64", &runs, &h_s, "30"]));
            measure(&mut points, "W1 numpy vs hidden", h as f64, args)?;
        }
    }
    for b in BATCH {
        let b_s = b.to_string();
        let args = [
            "w1x", "f64", "--runs", &runs, "--hidden", "10", "--batch", &b_s,
        ];
        measure(
            &mut points,
            "W1 dlfs2 vs batch",
            b as f64,
            xtask(strings(&args)),
        )?;
        if numpy.is_ok() {
            let args = python(strings(&["w1x", "f64", &runs, "10", &b_s]));
            measure(&mut points, "W1 numpy vs batch", b as f64, args)?;
        }
    }
    for step in STEPS {
        let s = step.to_string();
        for (curve, mode) in [
            ("W2 dlfs2 certified", "certified"),
            ("W2 dlfs2 full scan", "scan"),
        ] {
            let args = ["w2at", "f64", "--runs", &runs, "--step", &s, "--mode", mode];
            measure(&mut points, curve, step, xtask(strings(&args)))?;
        }
        if numpy.is_ok() && grid_points(step) <= NUMPY_MAX_POINTS as f64 {
            let args = python(strings(&["w2at", "f64", &runs, &s]));
            measure(&mut points, "W2 numpy full scan", step, args)?;
        }
    }
    let table = table(&points);
    crate::console::outln!("{table}");
    draw(&points, plot)?;
    crate::console::outln!("scaling plot written to {}", plot.display());
    if let Some(path) = json_path {
        let rows: Vec<Value> = points
            .iter()
            .map(|p| json!({ "curve": p.curve, "x": p.x, "result": p.value }))
            .collect();
        let doc = json!({ "machine": super::workloads::machine(), "scaling": rows });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        crate::console::outln!("results written to {}", path.display());
    }
    Ok(())
}

/// Runs one measuring process and keeps its result.
fn measure(points: &mut Vec<Point>, curve: &'static str, x: f64, mut cmd: Command) -> Result<()> {
    crate::console::errln!("scaling: {curve} at {x} ...");
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    points.push(Point {
        curve,
        x,
        value: super::results::last_json(&out, curve)?,
    });
    Ok(())
}

/// The curve's x against the median sample (for W2 the x is the number of points).
fn curve(points: &[Point], name: &str) -> Vec<(f64, f64)> {
    points
        .iter()
        .filter(|p| p.curve == name)
        .map(|p| {
            let x = if name.starts_with("W2") {
                p.value["points"]
                    .as_f64()
                    .unwrap_or_else(|| grid_points(p.x))
            } else {
                p.x
            };
            let samples: Vec<f64> = p.value["samples"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            (x, super::results::stats(&samples).0)
        })
        .collect()
}

/// The book's grid's point count at `step` (numpy's results carry none).
fn grid_points(step: f64) -> f64 {
    let spiral = data::load_data(1984);
    Grid::around_for_counting(spiral.x.view(), step)
        .map_or(f64::NAN, |g| (g.cols() * g.rows()) as f64)
}

const CURVES: [&str; 8] = [
    "W1 dlfs2 vs hidden",
    "W1 numpy vs hidden",
    "W1 dlfs2 vs batch",
    "W1 numpy vs batch",
    "W2 dlfs2 certified",
    "W2 dlfs2 full scan",
    "W2 numpy full scan",
    "",
];

fn table(points: &[Point]) -> String {
    let mut t = String::from(
        "| curve | x | median | unit | peak RSS | log-log slope |\n|---|---|---|---|---|---|\n",
    );
    for name in CURVES.iter().filter(|c| !c.is_empty()) {
        let c = curve(points, name);
        let slope = loglog_slope(&c).map_or("—".to_string(), |s| format!("{s:.2}"));
        for (p, (x, y)) in points.iter().filter(|p| p.curve == *name).zip(&c) {
            let rss = p.value["peak_rss_mb"]
                .as_f64()
                .map_or("—".to_string(), |m| format!("{m:.1} MB"));
            let unit = p.value["unit"].as_str().unwrap_or("");
            let xs = if name.starts_with("W2") {
                format!("h={} ({:.3e} points)", p.x, x)
            } else {
                format!("{x}")
            };
            t.push_str(&format!(
                "| {name} | {xs} | {y:.3} | {unit} | {rss} | {slope} |\n"
            ));
        }
    }
    t
}

fn draw(points: &[Point], path: &Path) -> Result<()> {
    let series = |names: &[&str]| -> Vec<LogSeries> {
        names
            .iter()
            .map(|n| LogSeries {
                label: n.to_string(),
                points: curve(points, n),
            })
            .filter(|s| !s.points.is_empty())
            .collect()
    };
    let panels = [
        LogPanel {
            title: "W1: step time vs hidden size (batch 30)".into(),
            x_desc: "hidden units".into(),
            y_desc: "µs per step".into(),
            series: series(&["W1 dlfs2 vs hidden", "W1 numpy vs hidden"]),
        },
        LogPanel {
            title: "W1: step time vs batch size (hidden 10)".into(),
            x_desc: "batch size".into(),
            y_desc: "µs per step".into(),
            series: series(&["W1 dlfs2 vs batch", "W1 numpy vs batch"]),
        },
        LogPanel {
            title: "W2: decision boundary vs grid points".into(),
            x_desc: "grid points".into(),
            y_desc: "ms".into(),
            series: series(&[
                "W2 dlfs2 certified",
                "W2 dlfs2 full scan",
                "W2 numpy full scan",
            ]),
        },
    ];
    viz::plot_loglog(&panels, path, (1500, 500))?;
    Ok(())
}

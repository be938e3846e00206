//! What the chapter run leaves behind: `loss.csv`, `summary.json` and `REPORT.md`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::Chapter1Args;
use super::runs::{CustomLoopRun, TrainerRun};

/// Writes `iteration,loss` rows; each loss in Rust's shortest round-trip form, so the file reads
/// back to the same bits.
pub fn write_loss_csv(path: &Path, iterations: &[usize], loss: &[f64]) -> Result<()> {
    let mut text = String::from("iteration,loss\n");
    for (i, l) in iterations.iter().zip(loss) {
        let _ = writeln!(text, "{i},{l:?}");
    }
    write(path, &text)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// §1.5.1: the same Trainer run in f64 and f32.
#[derive(Debug)]
pub struct PrecisionTable<'a> {
    r64: &'a TrainerRun,
    r32: &'a TrainerRun,
    /// Largest |f64 loss - f32 loss| over the two curves.
    pub max_loss_diff: f64,
}

impl<'a> PrecisionTable<'a> {
    /// Compares the two runs.
    pub fn new(r64: &'a TrainerRun, r32: &'a TrainerRun) -> Self {
        let max_loss_diff = max_abs_diff(&r64.loss_list, &r32.loss_list);
        PrecisionTable {
            r64,
            r32,
            max_loss_diff,
        }
    }

    /// A Markdown table.
    pub fn text(&self) -> String {
        let mut s =
            String::from("| precision | time [s] | final loss | accuracy |\n|---|---|---|---|\n");
        for r in [self.r64, self.r32] {
            let _ = writeln!(
                s,
                "| {} | {:.3} | {:.6} | {:.3} |",
                r.precision,
                r.seconds,
                r.final_loss(),
                r.accuracy
            );
        }
        let _ = write!(
            s,
            "\nLargest gap between the two loss curves (f64 − f32): {:.3e}",
            self.max_loss_diff
        );
        s
    }

    fn json(&self) -> Value {
        json!({
            "f64": run_json(self.r64),
            "f32": run_json(self.r32),
            "max_loss_diff": self.max_loss_diff,
        })
    }
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn run_json(r: &TrainerRun) -> Value {
    json!({
        "precision": r.precision,
        "device": r.device.to_string(),
        "final_loss": r.final_loss(),
        "accuracy": r.accuracy,
        "seconds": r.seconds,
    })
}

/// §1.5.2's outcome.
#[derive(Debug)]
pub enum GpuResult {
    /// Not run, and why.
    Skipped(String),
    /// The Trainer ran on the GPU and on the CPU.
    Ran {
        /// The GPU's description.
        device: String,
        /// The GPU run.
        gpu: Box<TrainerRun>,
        /// The CPU run it is compared with.
        cpu: Box<TrainerRun>,
    },
}

impl GpuResult {
    /// One paragraph for the console and the report.
    pub fn text(&self) -> String {
        match self {
            GpuResult::Skipped(why) => format!("GPU: skipped ({why})"),
            GpuResult::Ran { device, gpu, cpu } => format!(
                "GPU {device}: {:.3} s, final loss {:.6}, accuracy {:.3} | CPU: {:.3} s, final loss {:.6}, accuracy {:.3} | max |loss gpu - loss cpu| {:.3e}",
                gpu.seconds,
                gpu.final_loss(),
                gpu.accuracy,
                cpu.seconds,
                cpu.final_loss(),
                cpu.accuracy,
                max_abs_diff(&gpu.loss_list, &cpu.loss_list)
            ),
        }
    }

    fn json(&self) -> Value {
        match self {
            GpuResult::Skipped(why) => json!({ "ran": false, "reason": why }),
            GpuResult::Ran { device, gpu, cpu } => json!({
                "ran": true,
                "device": device,
                "gpu": run_json(gpu),
                "cpu": run_json(cpu),
                "max_loss_diff": max_abs_diff(&gpu.loss_list, &cpu.loss_list),
            }),
        }
    }
}

/// Everything the run measured.
pub struct Summary<'a> {
    /// The settings.
    pub args: &'a Chapter1Args,
    /// §1.4.3.
    pub custom: &'a CustomLoopRun,
    /// §1.4.4 in the chosen precision.
    pub main: &'a TrainerRun,
    /// §1.5.1.
    pub precision: &'a PrecisionTable<'a>,
    /// §1.5.2.
    pub gpu: &'a GpuResult,
    /// Wall time of the whole pipeline.
    pub seconds: f64,
    /// The data trained on.
    pub data: &'a super::dataset::Dataset,
    /// The frames of the main run, when it took them.
    pub watched: Option<&'a super::frames::Watched>,
}

impl Summary<'_> {
    /// Writes `summary.json` and `REPORT.md` into `out`.
    pub fn write(&self, out: &Path) -> Result<()> {
        let report = self.report();
        write(&out.join("REPORT.md"), &report)?;
        let watch = self
            .watched
            .map(|w| super::report_html::Watch::of_run(w, &self.main.loss_list));
        super::report_html::write(
            &out.join("report.html"),
            &super::report_html::Page {
                title: "dlfs2 — chapter 1",
                markdown: &report,
                dir: out,
                watch: watch.as_ref(),
            },
        )?;
        let mut json = self.json();
        // Every file of this run's folder: the ones written so far, and these two.
        let mut files: Vec<String> = std::fs::read_dir(out)
            .with_context(|| format!("cannot list {}", out.display()))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .chain(["summary.json".to_string()])
            .collect();
        files.sort();
        files.dedup();
        json["files"] = json!(files);
        let text = serde_json::to_string_pretty(&json)?;
        write(&out.join("summary.json"), &(text + "\n"))
    }

    fn json(&self) -> Value {
        let a = self.args;
        json!({
            "config": {
                "precision": a.precision.name(),
                "device": a.device.to_string(),
                "max_epoch": a.max_epoch,
                "batch_size": a.batch_size,
                "hidden_size": a.hidden_size,
                "optimizer": a.optimizer.as_str(),
                "lr": a.lr(),
                "max_grad": a.max_grad,
                "eval_interval": a.eval_interval,
                "seed": a.seed,
                "grid_step": a.grid_step,
            },
            "device": a.device.describe(),
            "custom_loop": {
                "final_loss": self.custom.final_loss(),
                "accuracy": self.custom.accuracy,
                "seconds": self.custom.seconds,
            },
            "data": a.data.as_ref().map_or("spiral".to_string(), |p| p.display().to_string()),
            "trainer": run_json(self.main),
            "resumed_from_epoch": self.main.resumed_from,
            "precisions": self.precision.json(),
            "gpu": self.gpu.json(),
            "grid": {
                "cols": self.custom.grid.cols,
                "rows": self.custom.grid.rows,
                "class_counts": self.custom.grid.class_counts,
                "seconds": self.custom.grid_seconds,
            },
            "pipeline_seconds": self.seconds,
        })
    }

    fn report(&self) -> String {
        let a = self.args;
        let c = self.custom;
        let m = self.main;
        let mut r = String::new();
        let _ = writeln!(r, "# Chapter 1 — neural networks, reviewed\n");
        let _ = writeln!(
            r,
            "Made by `cargo xtask chapter1` on {} in {:.2} s. Settings: {} on {}, `TwoLayerNet(2, {}, {})`, \
             {} lr {}, {} epochs of batch {}, seed {}{}.\n",
            a.device.describe(),
            self.seconds,
            a.precision.name(),
            a.device,
            a.hidden_size,
            self.data.classes,
            a.optimizer,
            a.lr(),
            a.max_epoch,
            a.batch_size,
            a.seed,
            a.max_grad
                .map_or(String::new(), |g| format!(", gradients clipped to {g}"))
        );
        let d = self.data;
        let _ = writeln!(
            r,
            "## §1.4.1 The data\n\n{}: {} points, {} classes (`x` {}×2, `t` {}×{}).\n\n![the data](spiral.png)\n",
            d.name,
            d.len(),
            d.classes,
            d.len(),
            d.len(),
            d.classes
        );
        // The book's loop records the loss every `eval_interval` iterations within an epoch: with
        // fewer iterations than that per epoch it records nothing, and there is no curve to show.
        let loss = if c.loss_list.is_empty() {
            format!(
                "No loss was recorded: the loop records every {} iterations within an epoch, and an \
                 epoch has {} (so there is no loss curve).",
                a.eval_interval,
                self.data.len() / a.batch_size
            )
        } else {
            format!(
                "Final loss {:.4}.\n\n![loss of the custom loop](loss.png)",
                c.final_loss()
            )
        };
        let _ = writeln!(
            r,
            "## §1.4.2–1.4.3 Training with the hand-written loop\n\n\
             Training accuracy **{:.3}**, {:.3} s. {loss}\n\n\
             The decision boundary: every point of the book's grid (step {}, {}×{} = {} points) classified by the \
             trained network, {:.3} s; class counts {:?}.\n\n![decision boundary](decision_boundary.png)\n",
            c.accuracy,
            c.seconds,
            a.grid_step,
            c.grid.cols,
            c.grid.rows,
            c.grid.cols * c.grid.rows,
            c.grid_seconds,
            c.grid.class_counts
        );
        let _ = writeln!(
            r,
            "## §1.4.4 The Trainer\n\n`trainer.fit(x, t, {}, {}, eval_interval={})`: final loss {:.4}, training accuracy **{:.3}**, {:.3} s. \
             The loss history is in `loss.csv`.\n\n![Trainer loss](trainer_loss.png)\n",
            a.max_epoch,
            a.batch_size,
            a.eval_interval,
            m.final_loss(),
            m.accuracy,
            m.seconds
        );
        if let Some(w) = self.watched {
            let _ = writeln!(
                r,
                "## Watch it learn\n\nThe Trainer run in {} frames, from the initial weights to the trained \
                 network (`report.html` has them with a slider):\n\n![the boundary over the epochs](training.gif)\n\n\
                 What each of the {} hidden units computes at the end, `σ(x·W1[:, j] + b1[j])`, marked with the \
                 class its output weight pushes hardest:\n\n![hidden units](hidden_units.png)\n",
                w.frames.len(),
                a.hidden_size
            );
        }
        let _ = writeln!(r, "## §1.5.1 Bit precision\n\n{}\n", self.precision.text());
        let _ = writeln!(r, "## §1.5.2 GPU\n\n{}\n", self.gpu.text());
        r
    }
}

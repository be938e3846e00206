//! What the chapter run leaves behind: `loss.csv`, `summary.json` and `REPORT.md`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::Config;
use crate::report::{Block, Picture, Report, bold, code, text};
use crate::runs::{CustomLoopRun, TrainerRun};

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

    /// The table as a report block.
    pub fn table(&self) -> Block {
        let head = ["precision", "time [s]", "final loss", "accuracy"]
            .map(String::from)
            .to_vec();
        let rows = [self.r64, self.r32]
            .iter()
            .map(|r| {
                vec![
                    r.precision.to_string(),
                    format!("{:.3}", r.seconds),
                    format!("{:.6}", r.final_loss()),
                    format!("{:.3}", r.accuracy),
                ]
            })
            .collect();
        Block::Table(head, rows)
    }

    /// The sentence under the table.
    pub fn gap(&self) -> String {
        format!(
            "Largest gap between the two loss curves (f64 − f32): {:.3e}",
            self.max_loss_diff
        )
    }

    /// A Markdown table, for the console.
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

/// What the gradient norms were and what `max_grad` did to them.
pub fn grad_sentence(g: &crate::runs::GradStats, max_grad: Option<f64>) -> String {
    let clip = match max_grad {
        Some(m) => format!(
            "; max_grad {} clipped {} of {} steps",
            tensor::float::short(m),
            g.clipped,
            g.steps
        ),
        None => "; no clipping (max_grad not set)".to_string(),
    };
    format!(
        "Global gradient norm over {} steps: min {:.3}, median {:.3}, max {:.3}, last {:.3}{clip}.",
        g.steps, g.min, g.median, g.max, g.last
    )
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
        "validation_loss": r.validation.map(|v| v.loss),
        "validation_accuracy": r.validation.map(|v| v.accuracy),
        "seconds": r.seconds,
    })
}

/// The scores at the loss records, as JSON rows (up to a size a reader's JSON tools open easily).
fn metrics_json(r: &TrainerRun) -> Option<Value> {
    (r.metrics.len() <= 100_000).then(|| {
        json!(
            r.metrics
                .iter()
                .map(|m| json!({
                    "iteration": m.iteration,
                    "train_accuracy": m.train_accuracy,
                    "validation_loss": m.validation.map(|v| v.loss),
                    "validation_accuracy": m.validation.map(|v| v.accuracy),
                }))
                .collect::<Vec<_>>()
        )
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
    pub config: &'a Config,
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
    pub data: &'a crate::dataset::Dataset,
    /// The frames of the main run, when it took them.
    pub watched: Option<&'a crate::frames::Watched>,
}

impl Summary<'_> {
    /// Writes `summary.json` and `REPORT.md` into `out`.
    pub fn write(&self, out: &Path) -> Result<()> {
        let report = self.report();
        write(&out.join(crate::files::REPORT_MD), &report.markdown())?;
        let watch = self
            .watched
            .map(|w| crate::report_html::Watch::of_run(w, self.main, self.config.max_epoch));
        crate::report_html::write(
            &out.join(crate::files::REPORT_HTML),
            &crate::report_html::Page {
                title: "dlfs2 — chapter 1",
                report: &report,
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
            .chain([crate::files::SUMMARY_JSON.to_string()])
            .collect();
        files.sort();
        files.dedup();
        json["files"] = json!(files);
        let text = serde_json::to_string_pretty(&json)?;
        write(&out.join(crate::files::SUMMARY_JSON), &(text + "\n"))
    }

    fn json(&self) -> Value {
        let a = self.config;
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
                "val_split": a.val_split,
            },
            "device": a.device.describe(),
            "custom_loop": {
                "final_loss": self.custom.final_loss(),
                "accuracy": self.custom.accuracy,
                "seconds": self.custom.seconds,
            },
            "data": a.data.as_ref().map_or("spiral".to_string(), |p| p.display().to_string()),
            "training_points": self.data.len(),
            "validation_points": self.data.held_out.as_ref().map_or(0, |h| h.labels.len()),
            "trainer": run_json(self.main),
            "trainer_metrics_are": "at the loss records: accuracy on the training points, and loss and accuracy on the held-out points (when --val-split is set)",
            "trainer_metrics": metrics_json(self.main),
            "resumed_from_epoch": self.main.resumed_from,
            "trainer_final_loss_is": "the mean batch loss over the last eval_interval steps",
            "custom_loop_final_loss_is": "the mean batch loss over the last eval_interval steps",
            "gradients": self.main.grad_stats().map(|g| json!({
                "steps": g.steps,
                "clipped_steps": g.clipped,
                "max_grad": a.max_grad,
                "norm_min": g.min,
                "norm_median": g.median,
                "norm_max": g.max,
                "norm_last": g.last,
                // Every step's norm, up to a size a reader's JSON tools open easily.
                "norms": (g.steps <= 100_000).then_some(&self.main.grad_norms),
            })),
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

    fn report(&self) -> Report {
        let a = self.config;
        let c = self.custom;
        let m = self.main;
        let d = self.data;
        let mut r = Report::default();
        r.push(Block::Title("Chapter 1 — neural networks, reviewed".into()));
        r.push(Block::Para(vec![
            text("Made by "),
            code("cargo xtask chapter1"),
            text(format!(
                " on {} in {:.2} s. Settings: {} on {}, ",
                a.device.describe(),
                self.seconds,
                a.precision.name(),
                a.device
            )),
            code(format!("TwoLayerNet(2, {}, {})", a.hidden_size, d.classes)),
            text(format!(
                ", {} lr {}, {} epochs of batch {}, seed {}{}.",
                a.optimizer,
                a.lr(),
                a.max_epoch,
                a.batch_size,
                a.seed,
                a.max_grad
                    .map_or(String::new(), |g| format!(", gradients clipped to {g}"))
            )),
        ]));
        r.push(Block::Heading("§1.4.1 The data".into()));
        r.push(Block::Para(vec![
            text(format!(
                "{}: {} points, {} classes (",
                d.name,
                d.len(),
                d.classes
            )),
            code("x"),
            text(format!(" {}×2, ", d.len())),
            code("t"),
            text(format!(" {}×{}).", d.len(), d.classes)),
        ]));
        if let Some(h) = &d.held_out {
            r.push(Block::Para(vec![text(format!(
                "--val-split {}: {} points train; {} points ({} of each class, chosen by a \
                 stream seeded with {}) are held out, never trained on, and scored at every loss \
                 record. The plots draw them hollow.",
                tensor::float::short(a.val_split.unwrap_or(0.0)),
                d.len(),
                h.labels.len(),
                tensor::float::short(a.val_split.unwrap_or(0.0)),
                a.seed
            ))]));
        }
        r.push(Block::Picture(d.picture().0, "the data".into()));
        r.push(Block::Heading(
            "§1.4.2–1.4.3 Training with the hand-written loop".into(),
        ));
        let mut para = vec![
            text("Training accuracy "),
            bold(format!("{:.3}", c.accuracy)),
            text(format!(", {:.3} s. ", c.seconds)),
        ];
        // The book's loop records the loss every `eval_interval` iterations within an epoch: with
        // fewer iterations than that per epoch it records nothing, and there is no curve to show.
        if c.loss_list.is_empty() {
            para.push(text(format!(
                "No loss was recorded: the loop records every {} iterations within an epoch, and an \
                 epoch has {} (so there is no loss curve).",
                a.eval_interval,
                d.len() / a.batch_size
            )));
            r.push(Block::Para(para));
        } else {
            para.push(text(format!("Final loss {:.4}.", c.final_loss())));
            r.push(Block::Para(para));
            r.push(Block::Picture(
                Picture::CustomLoss,
                "loss of the custom loop".into(),
            ));
        }
        r.push(Block::Para(vec![text(format!(
            "The decision boundary: every point of the book's grid (step {}, {}×{} = {} points) classified by the \
             trained network, {:.3} s; class counts {:?}.",
            a.grid_step,
            c.grid.cols,
            c.grid.rows,
            c.grid.cols * c.grid.rows,
            c.grid_seconds,
            c.grid.class_counts
        ))]));
        r.push(Block::Picture(
            Picture::Boundary,
            "decision boundary".into(),
        ));
        r.push(Block::Heading("§1.4.4 The Trainer".into()));
        r.push(Block::Para(vec![
            code(format!(
                "trainer.fit(x, t, {}, {}, eval_interval={})",
                a.max_epoch, a.batch_size, a.eval_interval
            )),
            text(format!(
                ": final loss {:.4}, training accuracy ",
                m.final_loss()
            )),
            bold(format!("{:.3}", m.accuracy)),
            text(match &m.validation {
                Some(v) => format!(
                    ", validation loss {:.4} and accuracy {:.3}",
                    v.loss, v.accuracy
                ),
                None => String::new(),
            }),
            text(format!(", {:.3} s. The loss history is in ", m.seconds)),
            code(crate::files::LOSS_CSV),
            text(". Every loss here is the Trainer's mean batch loss over the last "),
            text(format!("{} steps.", a.eval_interval)),
        ]));
        if let Some(g) = m.grad_stats() {
            r.push(Block::Para(vec![text(grad_sentence(&g, a.max_grad))]));
        }
        r.push(Block::Picture(Picture::TrainerLoss, "Trainer loss".into()));
        if let Some(w) = self.watched {
            r.push(Block::MarkdownOnly(vec![
                Block::Heading("Watch it learn".into()),
                Block::Para(vec![
                    text(format!(
                        "The Trainer run in {} frames, from the initial weights to the trained \
                         network (",
                        w.frames.len()
                    )),
                    code(crate::files::REPORT_HTML),
                    text(" shows them with a slider, beside the loss and accuracy curves)."),
                ]),
                Block::Picture(Picture::TrainingGif, "the boundary over the epochs".into()),
                Block::Para(vec![
                    text(format!(
                        "What each of the {} hidden units computes at the end, ",
                        a.hidden_size
                    )),
                    code("σ(x·W1[:, j] + b1[j])"),
                    text(
                        ", labelled with the class whose score its output weight moves most, \
                         and whether it raises or lowers it.",
                    ),
                ]),
                Block::Picture(Picture::HiddenUnits, "hidden units".into()),
            ]));
        }
        r.push(Block::Heading("§1.5.1 Bit precision".into()));
        r.push(self.precision.table());
        r.push(Block::Para(vec![text(self.precision.gap())]));
        r.push(Block::Heading("§1.5.2 GPU".into()));
        r.push(Block::Para(vec![text(self.gpu.text())]));
        r
    }
}

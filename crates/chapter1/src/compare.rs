//! `cargo xtask compare`: the chapter's Trainer run in several settings side by side — by default
//! the book's six optimizers — on the same data, the same initial weights (per hidden size) and
//! the same shuffles, because every run starts from the same seeded stream, as the chapter's run
//! does. Each run is the chapter's own Trainer run (`chapter1::runs`), so the SGD run at lr 1.0 is
//! the chapter's run, number for number. Runs go on every core.
//!
//! Outputs (`--out`, default `out/compare`, written as one transaction like the chapter's): every
//! run's loss on one chart (`compare_loss.png`/`.svg`), the final boundaries as small multiples
//! (`compare_boundaries.png`), the boundaries over the same frames side by side (`compare.gif`),
//! `compare.csv` (`run,iteration,loss`), `compare.json` and `compare.html`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use optim::OptimizerKind;
use serde_json::json;
use tensor::Device;

use crate::config::{Boundary, Config, MAX_EPOCH, Precision, in_range};
use crate::dataset::Dataset;
use crate::frames::{self, Frame};
use crate::output_dir::OutputDir;
use crate::report::{Block, Picture, Report, text};
use crate::report_html::{self, FrameView, Page, Watch};
use crate::reporter::Reporter;
use crate::runs::{self, Persistence, TrainerRun};

/// Settings of a comparison; every combination of the lists is one run. [`CompareConfig::default`]
/// compares the book's six optimizers at the chapter's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareConfig {
    /// Optimizers.
    pub optimizers: Vec<OptimizerKind>,
    /// Hidden sizes (1 to 65536 each).
    pub hidden_sizes: Vec<usize>,
    /// Learning rates: each entry for every optimizer (`Lr::All`) or for one (`Lr::For`); an
    /// optimizer with no entry runs at [`working_lr`] (or, with `book_lrs`, the book's).
    pub lrs: Vec<Lr>,
    /// Run an optimizer with no `lrs` entry at the book's learning rate (`train.py`'s 1.0 for
    /// SGD, each class's default for the others) instead of one that works on the spiral.
    pub book_lrs: bool,
    /// Precisions.
    pub precisions: Vec<Precision>,
    /// Clip the global gradient norm to this value.
    pub max_grad: Option<f64>,
    /// Train on these points instead of the spiral: a CSV file with the header `x1,x2,label`.
    pub data: Option<PathBuf>,
    /// Hold out this fraction of each class's points for validation (the same points for every
    /// run); `None` trains every run on all of them.
    pub val_split: Option<f64>,
    /// Passes over the data (1 to [`MAX_EPOCH`]).
    pub max_epoch: usize,
    /// Samples per mini-batch (at most the number of points).
    pub batch_size: usize,
    /// Seed of the book's random stream.
    pub seed: u32,
    /// Frames of compare.gif and compare.html (2 to 1000).
    pub frames: u16,
    /// Draw the loss chart on a log scale.
    pub log: bool,
    /// Output folder.
    pub out: PathBuf,
}

impl Default for CompareConfig {
    fn default() -> Self {
        CompareConfig {
            optimizers: OptimizerKind::ALL.to_vec(),
            hidden_sizes: vec![10],
            lrs: Vec::new(),
            book_lrs: false,
            precisions: vec![Precision::F64],
            max_grad: None,
            data: None,
            val_split: Some(DEFAULT_VAL_SPLIT),
            max_epoch: 300,
            batch_size: 30,
            seed: 1984,
            frames: 30,
            log: false,
            out: PathBuf::from("out/compare"),
        }
    }
}

/// The share of each class's points a comparison holds out for validation by default.
pub const DEFAULT_VAL_SPLIT: f64 = 0.2;

/// A learning rate of a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lr {
    /// For every optimizer (`--lrs 0.1`).
    All(f64),
    /// For one optimizer (`--lrs adam=0.1`).
    For(OptimizerKind, f64),
}

impl std::str::FromStr for Lr {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let number = |v: &str| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| format!("invalid learning rate {v:?}: expected a number"))
        };
        match s.split_once('=') {
            Some((name, v)) => Ok(Lr::For(
                name.trim().parse().map_err(|e| format!("{e}"))?,
                number(v)?,
            )),
            None => Ok(Lr::All(number(s)?)),
        }
    }
}

/// A learning rate at which `kind` trains the spiral ([`optim::working_lr`]).
pub fn working_lr(kind: OptimizerKind) -> f64 {
    optim::working_lr(kind)
}

/// The book's learning rate for `kind` in this chapter: `train.py`'s 1.0 for SGD, the class's
/// default for the others.
pub fn book_lr(kind: OptimizerKind) -> f64 {
    match kind {
        OptimizerKind::Sgd => 1.0,
        k => k.default_lr(),
    }
}

/// What a finished comparison gives back (its files are in [`Compared::out`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Compared {
    /// The output folder.
    pub out: PathBuf,
    /// Each run's results, in the order run.
    pub runs: Vec<RunResult>,
    /// Seconds the whole comparison took.
    pub seconds: f64,
}

/// One compared run's results.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RunResult {
    /// The run's name (unique in the comparison).
    pub name: String,
    /// Its learning rate.
    pub lr: f64,
    /// Training accuracy at the end (all the training points).
    pub accuracy: f64,
    /// The Trainer's last recorded loss: the mean batch loss of the last `eval_interval` steps.
    pub final_loss: f64,
    /// Loss and accuracy on the held-out points at the end, when the data was split.
    pub validation: Option<train::Scores>,
    /// Seconds in `fit`.
    pub seconds: f64,
}

impl RunResult {
    /// The cells of the results table (the terminal's and the page's).
    fn cells(&self) -> Vec<String> {
        let val =
            |f: fn(&train::Scores) -> String| self.validation.as_ref().map_or("–".to_string(), f);
        vec![
            self.name.clone(),
            tensor::float::short(self.lr),
            format!("{:.4}", self.final_loss),
            format!("{:.3}", self.accuracy),
            val(|v| format!("{:.4}", v.loss)),
            val(|v| format!("{:.3}", v.accuracy)),
            format!("{:.3}", self.seconds),
        ]
    }
}

/// The results table's header.
const TABLE_HEAD: [&str; 7] = [
    "run",
    "lr",
    "final mean batch loss",
    "training accuracy",
    "validation loss",
    "validation accuracy",
    "time [s]",
];

impl Compared {
    /// The results as a Markdown table, for the terminal.
    pub fn table(&self) -> String {
        let mut s = format!(
            "| {} |\n|{}\n",
            TABLE_HEAD.join(" | "),
            "---|".repeat(TABLE_HEAD.len())
        );
        for r in &self.runs {
            let _ = writeln!(s, "| {} |", r.cells().join(" | "));
        }
        s
    }
}

/// One run of the comparison: the chapter's settings with this run's differences.
struct Spec {
    name: String,
    config: Config,
}

/// The runs: every combination of the lists given.
fn specs(c: &CompareConfig) -> Result<Vec<Spec>> {
    in_range("max-epoch", c.max_epoch, MAX_EPOCH)?;
    if !(2..=1000).contains(&c.frames) {
        bail!(
            "invalid --frames {}: expected a whole number from 2 to 1000",
            c.frames
        );
    }
    if c.optimizers.is_empty() || c.hidden_sizes.is_empty() || c.precisions.is_empty() {
        bail!("nothing to compare: give at least one optimizer, hidden size and precision");
    }
    for lr in &c.lrs {
        if let Lr::For(k, _) = lr
            && !c.optimizers.contains(k)
        {
            bail!("--lrs names {k}, which is not one of the --optimizers compared");
        }
    }
    let mut out = Vec::new();
    for &optimizer in &c.optimizers {
        let mine: Vec<f64> = c
            .lrs
            .iter()
            .filter_map(|l| match *l {
                Lr::For(k, v) if k == optimizer => Some(v),
                _ => None,
            })
            .collect();
        let every: Vec<f64> = c
            .lrs
            .iter()
            .filter_map(|l| match *l {
                Lr::All(v) => Some(v),
                Lr::For(..) => None,
            })
            .collect();
        let lrs = if !mine.is_empty() {
            mine
        } else if !every.is_empty() {
            every
        } else if c.book_lrs {
            vec![book_lr(optimizer)]
        } else {
            vec![working_lr(optimizer)]
        };
        for &hidden_size in &c.hidden_sizes {
            for &lr in &lrs {
                let lr = Some(lr);
                for &precision in &c.precisions {
                    let config = Config {
                        out: c.out.clone(),
                        precision,
                        device: Device::Cpu,
                        max_epoch: c.max_epoch,
                        batch_size: c.batch_size,
                        hidden_size,
                        lr,
                        max_grad: c.max_grad,
                        eval_interval: 10,
                        optimizer,
                        seed: c.seed,
                        grid_step: 0.01,
                        frames: usize::from(c.frames),
                        boundary: Boundary::Certified,
                        boundary_colors: viz::RegionColors::Pale,
                        data: c.data.clone(),
                        val_split: c.val_split,
                        checkpoint_every: None,
                        resume: None,
                    };
                    config
                        .validate()
                        .with_context(|| format!("run {optimizer} hidden {hidden_size}"))?;
                    let mut name = format!("{optimizer} lr {}", tensor::float::short(config.lr()));
                    if c.hidden_sizes.len() > 1 {
                        let _ = write!(name, " h{hidden_size}");
                    }
                    if c.precisions.len() > 1 {
                        let _ = write!(name, " {}", precision.name());
                    }
                    out.push(Spec { name, config });
                }
            }
        }
    }
    if out.len() > 64 {
        bail!("{} runs is more than the 64 a comparison draws", out.len());
    }
    // Runs of the same settings (`--optimizers sgd,sgd`) are told apart by their number.
    let names: Vec<String> = out.iter().map(|s| s.name.clone()).collect();
    for (k, spec) in out.iter_mut().enumerate() {
        if names.iter().filter(|n| **n == names[k]).count() > 1 {
            let nth = names[..=k].iter().filter(|n| **n == names[k]).count();
            let _ = write!(spec.name, " #{nth}");
        }
    }
    Ok(out)
}

/// A finished run with its frames scored.
struct Done {
    name: String,
    config: Config,
    run: TrainerRun,
    frames: Vec<Frame>,
}

/// Runs the comparison: every run side by side on the CPU's cores, then the shared pictures, CSV,
/// JSON and page, all appearing in `c.out` together (as a chapter run's do).
pub fn compare(c: &CompareConfig, reporter: &mut dyn Reporter) -> crate::Result<Compared> {
    Ok(compare_checked(c, reporter)?)
}

fn compare_checked(c: &CompareConfig, reporter: &mut dyn Reporter) -> Result<Compared> {
    let started = Instant::now();
    let specs = specs(c)?;
    let data = match &c.data {
        Some(p) => Dataset::csv(p)?,
        None => Dataset::spiral(c.seed)?,
    }
    .split(c.val_split, c.seed)?;
    for s in &specs {
        if s.config.batch_size > data.len() {
            bail!(
                "invalid --batch-size {}: at most the number of points ({})",
                s.config.batch_size,
                data.len()
            );
        }
        crate::budget::check(&s.config, &data)?;
    }
    // Every run keeps its frames' params and one tile per frame; the tiled frames come on top.
    let tile = 3 * u64::from(TILE.0) * u64::from(TILE.1);
    let frames = u64::from(c.frames) + 1;
    let all: u64 = specs
        .iter()
        .map(|s| crate::budget::frame_bytes(frames, &s.config, &data, 2 * tile))
        .fold(0u64, u64::saturating_add);
    crate::budget::check_frames(
        all,
        &format!("--frames {} over {} runs", c.frames, specs.len()),
    )?;
    let inputs: Vec<&Path> = c.data.iter().map(PathBuf::as_path).collect();
    let dir = OutputDir::begin(&c.out, &inputs, reporter)?;
    match compare_into(c, &specs, &data, dir.path(), reporter) {
        Ok(runs) => {
            dir.commit()?;
            Ok(Compared {
                out: c.out.clone(),
                runs,
                seconds: started.elapsed().as_secs_f64(),
            })
        }
        Err(e) => Err(crate::chapter::failed_with(e, dir)),
    }
}

fn compare_into(
    c: &CompareConfig,
    specs: &[Spec],
    data: &Dataset,
    out: &Path,
    reporter: &mut dyn Reporter,
) -> Result<Vec<RunResult>> {
    let bar = reporter.runs(specs.len());
    let threads = tensor::parallel::threads().clamp(1, specs.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Done>>> = (0..specs.len()).map(|_| None).collect();
    let slots: Vec<std::sync::Mutex<&mut Option<Result<Done>>>> =
        results.iter_mut().map(std::sync::Mutex::new).collect();
    let work = || {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(spec) = specs.get(i) else { break };
            let done = one(spec, data);
            **slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(done);
            bar.one_done();
        }
    };
    std::thread::scope(|s| {
        // Threads that cannot be started (a process limit) leave their share to the others, and
        // this thread works too, so the runs finish with however many threads there are.
        for _ in 1..threads {
            if std::thread::Builder::new().spawn_scoped(s, work).is_err() {
                break;
            }
        }
        work();
    });
    drop(slots);
    bar.finish();
    let done: Vec<Done> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("a run did not finish"))))
        .collect::<Result<_>>()?;
    write_outputs(c, &done, data, out)?;
    Ok(done.iter().map(Done::result).collect())
}

impl Done {
    fn result(&self) -> RunResult {
        RunResult {
            name: self.name.clone(),
            lr: self.config.lr(),
            accuracy: self.run.accuracy,
            final_loss: self.run.final_loss(),
            validation: self.run.validation,
            seconds: self.run.seconds,
        }
    }
}

/// One run: the chapter's Trainer run with these settings, its frames scored on all the data.
fn one(spec: &Spec, data: &Dataset) -> Result<Done> {
    let run = runs::trainer_run_for(
        spec.config.precision,
        &spec.config,
        data,
        Device::Cpu,
        true,
        &Persistence::default(),
        &mut crate::reporter::Quiet,
    )
    .with_context(|| format!("run {}", spec.name))?;
    let frames = frames::frames(
        &run.snapshots,
        data,
        run.max_iters,
        spec.config.eval_interval,
    )?;
    Ok(Done {
        name: spec.name.clone(),
        config: spec.config.clone(),
        run,
        frames,
    })
}

/// Pixels of one run's picture in the side-by-side images.
const TILE: (u32, u32) = (360, 290);

/// Pixels of the loss chart: wider than the book's 640 for the legend beside it.
const COMPARE_CHART: (u32, u32) = (820, 480);

fn write_outputs(c: &CompareConfig, done: &[Done], data: &Dataset, out: &Path) -> Result<()> {
    // Runs that differ only in precision share a colour and differ by dash, so neither hides
    // the other; otherwise each run has its own colour (and dash, past ten runs).
    let variants = c.precisions.len().max(1);
    let look = |k: usize| viz::LineLook::variant(k / variants, k % variants);
    // Over epochs: with a validation split an epoch has fewer iterations than the chapter's run.
    let over_epochs = |d: &Done| {
        report_html::over_epochs(
            &d.run.records.iter().map(|r| r.0).collect::<Vec<_>>(),
            &d.run.loss_list,
            d.run.max_iters,
        )
    };
    let curves: Vec<viz::Curve> = done
        .iter()
        .enumerate()
        .map(|(k, d)| viz::Curve {
            label: d.name.clone(),
            look: look(k),
            points: over_epochs(d),
        })
        .collect();
    for file in [
        crate::files::COMPARE_LOSS_PNG,
        crate::files::COMPARE_LOSS_SVG,
    ] {
        viz::plot_chart(
            &viz::Chart {
                curves: &curves,
                x_desc: "epoch",
                y_desc: "mean batch loss",
                ylim: None,
                log: c.log,
            },
            &out.join(file),
            COMPARE_CHART,
        )?;
    }
    // Every run has a frame at the same steps (the same plan over the same number of steps).
    let count = done.iter().map(|d| d.frames.len()).min().unwrap_or(0);
    let cols = (done.len() as f64).sqrt().ceil().max(1.0) as usize;
    let mut tiles_per_frame: Vec<Vec<Vec<u8>>> = vec![Vec::new(); count];
    // Every tile shows the same points on the same axes: one overlay serves them all.
    let mut overlay = Vec::new();
    for d in done {
        let colors = viz::RegionColors::Pale;
        let pictures = frames::render_boundaries(&d.frames[..count], data, TILE, colors, |f| {
            format!("{} · epoch {:.0} · acc {:.3}", d.name, f.epoch, f.accuracy)
        })?;
        overlay = pictures.overlay;
        for (k, p) in pictures.bases.into_iter().enumerate() {
            tiles_per_frame[k].push(p);
        }
    }
    let size = tiled_size(done.len(), TILE, cols);
    let tiled = frames::Layered {
        size,
        overlay: tile(&vec![overlay; done.len()], TILE, cols, &[0, 0, 0, 0]),
        bases: tiles_per_frame
            .iter()
            .map(|t| tile(t, TILE, cols, &[255, 255, 255]))
            .collect(),
    };
    let wholes = tiled.wholes();
    let last = wholes.last().context("no frame")?;
    viz::save_png(&out.join(crate::files::COMPARE_BOUNDARIES_PNG), last, size)?;
    viz::write_gif(&out.join(crate::files::COMPARE_GIF), &wholes, size, 15)?;
    write_csv(&out.join(crate::files::COMPARE_CSV), done)?;
    let summary = json!({
        "settings": {
            "max_epoch": c.max_epoch, "batch_size": c.batch_size, "seed": c.seed,
            "max_grad": c.max_grad, "data": data.name, "frames": count,
            "val_split": c.val_split,
            "training_points": data.len(),
            "validation_points": data.held_out.as_ref().map_or(0, |h| h.labels.len()),
        },
        "runs": done.iter().map(run_json).collect::<Vec<_>>(),
    });
    std::fs::write(
        out.join(crate::files::COMPARE_JSON),
        serde_json::to_string_pretty(&summary)? + "\n",
    )
    .with_context(|| {
        format!(
            "cannot write {}",
            out.join(crate::files::COMPARE_JSON).display()
        )
    })?;
    // The page: the side-by-side frames over every run's loss curve, then the table and charts.
    let first = &done[0];
    let validation = data.held_out.is_some();
    let losses = done
        .iter()
        .enumerate()
        .map(|(k, d)| report_html::PageCurve {
            label: d.name.clone(),
            look: look(k),
            points: over_epochs(d),
        })
        .collect();
    // With held-out points the accuracies are the validation ones: what the comparison is for.
    let accuracies = done
        .iter()
        .enumerate()
        .map(|(k, d)| report_html::PageCurve {
            label: d.name.clone(),
            look: look(k),
            points: d
                .run
                .metrics
                .iter()
                .filter_map(|m| {
                    let a = if validation {
                        m.validation?.accuracy
                    } else {
                        m.train_accuracy
                    };
                    Some((m.iteration as f64 / d.run.max_iters.max(1) as f64, a))
                })
                .collect(),
        })
        .collect();
    let mut accuracy_panel = report_html::accuracy_panel(accuracies);
    if validation {
        accuracy_panel.y_desc = "validation accuracy".into();
    }
    let watch = Watch {
        frames: first.frames[..count]
            .iter()
            .enumerate()
            .map(|(k, f)| FrameView {
                epoch: f.epoch,
                step: f.step,
                details: done
                    .iter()
                    .map(|d| {
                        let f = &d.frames[k];
                        match &f.validation {
                            Some(v) => format!(
                                "{} training {:.3} / validation {:.3}",
                                d.name, f.accuracy, v.accuracy
                            ),
                            None => format!("{} {:.3}", d.name, f.accuracy),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        pictures: vec![tiled.for_page("every run's boundary at this frame")?],
        panels: vec![report_html::loss_panel(losses), accuracy_panel],
        epochs: c.max_epoch as f64,
        intro: format!(
            "{} runs from the same initial weights and the same shuffles, frame by frame \
             (accuracies in each caption; the training points filled, the held-out ones hollow).",
            done.len()
        ),
    };
    report_html::write(
        &out.join(crate::files::COMPARE_HTML),
        &Page {
            title: "dlfs2 — compare",
            report: &report(c, done, data),
            dir: out,
            watch: Some(&watch),
        },
    )
}

fn run_json(d: &Done) -> serde_json::Value {
    let first = d.frames.first();
    json!({
        "name": d.name,
        "optimizer": d.config.optimizer.as_str(),
        "lr": d.config.lr(),
        "final_loss_is": "the Trainer's mean batch loss over the last eval_interval steps",
        "hidden_size": d.config.hidden_size,
        "precision": d.config.precision.name(),
        "final_loss": d.run.final_loss(),
        "accuracy": d.run.accuracy,
        "validation_loss": d.run.validation.map(|v| v.loss),
        "validation_accuracy": d.run.validation.map(|v| v.accuracy),
        "seconds": d.run.seconds,
        "steps": d.run.grad_norms.len(),
        "clipped_steps": d.run.clipped_steps,
        "grad_norm_max": d.run.grad_stats().map(|g| g.max),
        // The initial model on all the data, and its weights' hash: equal across runs of one
        // hidden size, which is what makes them comparable.
        "initial_loss": first.map(|f| f.loss),
        "initial_params_blake3": first.map(|f| params_hash(&f.params)),
    })
}

fn params_hash(s: &train::Snapshot) -> String {
    let mut h = blake3::Hasher::new();
    for (name, a) in &s.params {
        h.update(name.as_bytes());
        for v in a {
            h.update(&v.to_bits().to_le_bytes());
        }
    }
    h.finalize().to_hex().to_string()
}

fn write_csv(path: &Path, done: &[Done]) -> Result<()> {
    let mut text = String::from("run,iteration,loss\n");
    for d in done {
        for (i, l) in &d.run.records {
            let _ = writeln!(text, "{},{i},{l:?}", d.name);
        }
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn report(c: &CompareConfig, done: &[Done], data: &Dataset) -> Report {
    let mut r = Report::default();
    r.push(Block::Title("Compare".into()));
    r.push(Block::Para(vec![text(format!(
        "{} runs on {}: {} epochs of batch {}, seed {}{}.",
        done.len(),
        data.name,
        c.max_epoch,
        c.batch_size,
        c.seed,
        c.max_grad
            .map_or(String::new(), |g| format!(", gradients clipped to {g}"))
    ))]));
    r.push(Block::Para(vec![text(held_equal(c, done, data))]));
    let head = TABLE_HEAD.map(String::from).to_vec();
    let rows = done.iter().map(|d| d.result().cells()).collect();
    r.push(Block::Table(head, rows));
    r.push(Block::Heading("Losses".into()));
    r.push(Block::Picture(
        Picture::CompareLoss,
        "every run's loss".into(),
    ));
    r.push(Block::Heading("The final boundaries".into()));
    r.push(Block::Picture(
        Picture::CompareBoundaries,
        "the final boundaries".into(),
    ));
    r
}

/// The sentence saying what the runs shared and what differed, and where the learning rates
/// came from.
fn held_equal(c: &CompareConfig, done: &[Done], data: &Dataset) -> String {
    let lrs = if c.lrs.is_empty() && c.book_lrs {
        "the book's learning rates (train.py's 1.0 for SGD, each class's default for the others), \
         which leave most optimizers far from trained on this network"
    } else if c.lrs.is_empty() {
        "for each optimizer a learning rate that trains this network on the spiral (measured; \
         --book-lrs gives the book's)"
    } else {
        "the learning rates given by --lrs"
    };
    let mut varied = vec!["the optimizer", "its learning rate"];
    if c.hidden_sizes.len() > 1 {
        varied.push("the hidden size");
    }
    if c.precisions.len() > 1 {
        varied.push("the precision");
    }
    let held = match (&data.held_out, c.val_split) {
        (Some(h), Some(f)) => format!(
            " {} of the {} points ({} of each class, chosen by the seed) are held out and never \
             trained on: the validation columns score the trained networks on them.",
            h.labels.len(),
            h.labels.len() + data.len(),
            tensor::float::short(f)
        ),
        _ => " No point is held out (--val-split 0), so there is no validation score.".to_string(),
    };
    format!(
        "Held equal: the data, the initial weights ({}), the shuffles, the epochs, the batch size \
         and the clipping. Varied: {}. The runs use {lrs}. Every loss is the Trainer's mean batch \
         loss over its last {} steps; every training accuracy is on all the training points.{held}",
        if c.hidden_sizes.len() > 1 {
            "per hidden size"
        } else {
            "the same for every run"
        },
        varied.join(", "),
        done.first().map_or(10, |d| d.config.eval_interval)
    )
}

/// The pictures of `tiles` (each `size`, `fill.len()` bytes a pixel) in a grid of `cols`
/// columns, `fill` where none is.
fn tile(tiles: &[Vec<u8>], size: (u32, u32), cols: usize, fill: &[u8]) -> Vec<u8> {
    let (w, h) = tiled_size(tiles.len(), size, cols);
    let n = fill.len();
    let mut out = fill.repeat(w as usize * h as usize);
    let (tw, th) = (size.0 as usize, size.1 as usize);
    for (k, t) in tiles.iter().enumerate() {
        let (x0, y0) = ((k % cols) * tw, (k / cols) * th);
        for r in 0..th {
            let src = &t[r * tw * n..(r + 1) * tw * n];
            let start = ((y0 + r) * w as usize + x0) * n;
            out[start..start + tw * n].copy_from_slice(src);
        }
    }
    out
}

fn tiled_size(n: usize, size: (u32, u32), cols: usize) -> (u32, u32) {
    let rows = n.div_ceil(cols.max(1)).max(1);
    (size.0 * cols.max(1) as u32, size.1 * rows as u32)
}

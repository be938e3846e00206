//! The training runs of the chapter, generic over the element type.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use boundary::{ClassGrid, Grid, classify_grid};
use data::load_data_with;
use layers::TwoLayerNet;
use tensor::random::BookRng;
use tensor::{Device, Element, Labels, Tensor};
use train::checkpoint::{Resume, load_checkpoint, save_checkpoint, save_params};
use train::{FitConfig, FitObserver, Tee, Trainer, accuracy, train_custom_loop};

use crate::config::{Boundary, Config, Precision};
use crate::dataset::Dataset;
use crate::frames::{Recorder, plan};
use crate::reporter::Reporter;

/// The result of the §1.4.3 run.
#[derive(Debug, Clone)]
pub struct CustomLoopRun {
    /// Average losses, one per `eval_interval` iterations.
    pub loss_list: Vec<f64>,
    /// Training accuracy at the end.
    pub accuracy: f64,
    /// Training time.
    pub seconds: f64,
    /// The classified decision-boundary grid.
    pub grid: ClassGrid,
    /// Time to classify it.
    pub grid_seconds: f64,
}

impl CustomLoopRun {
    /// The last recorded loss.
    pub fn final_loss(&self) -> f64 {
        self.loss_list.last().copied().unwrap_or(f64::NAN)
    }
}

/// The result of a `Trainer` run.
#[derive(Debug, Clone)]
pub struct TrainerRun {
    /// `"f64"` or `"f32"`.
    pub precision: &'static str,
    /// Where it ran.
    pub device: Device,
    /// The Trainer's `loss_list`.
    pub loss_list: Vec<f64>,
    /// `(iteration, loss)` of each record, as the Trainer kept them.
    pub records: Vec<(usize, f64)>,
    /// `eval_interval`.
    pub eval_interval: usize,
    /// Training accuracy at the end.
    pub accuracy: f64,
    /// Time in `fit` (this process's part of it, when resumed).
    pub seconds: f64,
    /// The epoch a resumed run started from (0 for a fresh run).
    pub resumed_from: usize,
    /// Steps per epoch.
    pub max_iters: usize,
    /// The params at the frames' steps (the main run only; see `frames`).
    pub snapshots: Vec<train::Snapshot>,
    /// The global gradient norm (before clipping) of every step this process ran (the main run
    /// only; empty otherwise).
    pub grad_norms: Vec<f64>,
    /// Steps whose grads `max_grad` scaled down (in this process).
    pub clipped_steps: usize,
    /// Accuracy on the training points, and loss and accuracy on the held-out ones, at the loss
    /// records of this process (the main run only; empty otherwise).
    pub metrics: Vec<train::RecordMetrics>,
    /// Loss and accuracy on the held-out points at the end, when the data was split.
    pub validation: Option<train::Scores>,
}

/// What a run's gradient norms were: steps, how many were clipped, and the norms' spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradStats {
    /// Steps recorded.
    pub steps: usize,
    /// Steps clipped.
    pub clipped: usize,
    /// Smallest, median, largest and last norm.
    pub min: f64,
    /// The median norm.
    pub median: f64,
    /// The largest norm.
    pub max: f64,
    /// The last step's norm.
    pub last: f64,
}

impl TrainerRun {
    /// The gradient norms' summary, when the run recorded them.
    pub fn grad_stats(&self) -> Option<GradStats> {
        let mut sorted = self.grad_norms.clone();
        sorted.sort_by(f64::total_cmp);
        Some(GradStats {
            steps: sorted.len(),
            clipped: self.clipped_steps,
            min: *sorted.first()?,
            median: sorted[sorted.len() / 2],
            max: *sorted.last()?,
            last: *self.grad_norms.last()?,
        })
    }

    /// The last recorded loss.
    pub fn final_loss(&self) -> f64 {
        self.loss_list.last().copied().unwrap_or(f64::NAN)
    }

    /// `trainer.plot()`.
    pub fn write_plot(&self, path: &Path) -> Result<()> {
        viz::plot_loss(
            &self.loss_list,
            self.eval_interval,
            None,
            path,
            viz::DEFAULT_SIZE,
        )?;
        Ok(())
    }
}

/// What every book script starts with: the seeded stream, the data, a fresh model.
struct Setup<T: Element> {
    rng: BookRng,
    x: Tensor<T>,
    t: Labels,
    model: TwoLayerNet<T>,
}

/// Seeds the stream and builds the model from it, as the book does; for the spiral the stream
/// first draws the data (so weights and shuffles follow the book's numbers).
fn setup<T: Element>(config: &Config, data: &Dataset, device: Device) -> Result<Setup<T>> {
    let mut rng = BookRng::new(config.seed);
    if data.is_spiral() {
        load_data_with(
            &mut rng,
            data::spiral::POINTS_PER_CLASS,
            data::spiral::CLASSES,
        )?;
    }
    let x = Tensor::from_f64(data.x.view(), device)?;
    let t = Labels::from_indices(&data.labels, data.classes)?;
    let model = TwoLayerNet::new(2, config.hidden_size, data.classes, &mut rng, device)?;
    Ok(Setup { rng, x, t, model })
}

/// Writes a loss curve when there is one to draw (what a run that stopped early leaves behind).
fn plot_if_any(loss: &[f64], eval_interval: usize, path: &Path) -> Result<()> {
    if loss.iter().any(|l| l.is_finite()) && loss.iter().all(|l| l.is_finite()) {
        viz::plot_loss(loss, eval_interval, None, path, viz::DEFAULT_SIZE)?;
    }
    Ok(())
}

/// §1.4.3: `train_custom_loop.py`, then the decision boundary of its model.
pub fn custom_loop<T: Element>(
    config: &Config,
    data: &Dataset,
    reporter: &mut dyn Reporter,
) -> Result<CustomLoopRun> {
    let Setup {
        mut rng,
        x,
        t,
        mut model,
    } = setup::<T>(config, data, config.device)?;
    let mut optimizer = optim::build::<T>(config.optimizer, config.lr())?;
    let fit = FitConfig {
        max_grad: None,
        ..config.fit_config()
    };
    let steps = (config.max_epoch * (x.rows() / config.batch_size)) as u64;
    let mut progress = reporter.training("custom loop", steps, 50);
    let start = Instant::now();
    let mut loss_list = Vec::new();
    let trained = train_custom_loop(
        &mut model,
        optimizer.as_mut(),
        &x,
        &t,
        &fit,
        &mut rng,
        progress.as_mut() as &mut dyn FitObserver,
        &mut loss_list,
    );
    let seconds = start.elapsed().as_secs_f64();
    progress.finish();
    let out = &config.out;
    if let Err(e) = trained {
        plot_if_any(
            &loss_list,
            config.eval_interval,
            &out.join(crate::files::LOSS_PNG),
        )?;
        return Err(e).context(format!(
            "custom loop ({} records kept in loss.png)",
            loss_list.len()
        ));
    }
    let acc = accuracy(&mut model, &x, &t)?;
    // With fewer than `eval_interval` batches per epoch the book's loop records nothing to plot.
    plot_if_any(
        &loss_list,
        config.eval_interval,
        &out.join(crate::files::LOSS_PNG),
    )?;
    plot_if_any(
        &loss_list,
        config.eval_interval,
        &out.join(crate::files::LOSS_SVG),
    )?;
    let start = Instant::now();
    let grid = Grid::around(data.x.view(), config.grid_step)
        .context("decision-boundary grid (try a larger --grid-step)")?;
    let classes = match config.boundary {
        Boundary::Certified => boundary::classify_grid_certified(&mut model, &grid)?,
        Boundary::Scan => classify_grid(&mut model, &grid, config.device)?,
    };
    let grid_seconds = start.elapsed().as_secs_f64();
    viz::plot_decision_boundary(
        &grid,
        &classes,
        &data.points(),
        "decision boundary",
        config.boundary_colors,
        &out.join(crate::files::DECISION_BOUNDARY_PNG),
        (800, 640),
    )?;
    Ok(CustomLoopRun {
        loss_list,
        accuracy: acc,
        seconds,
        grid: classes,
        grid_seconds,
    })
}

/// How the main Trainer run saves and resumes.
#[derive(Debug, Clone, Default)]
pub struct Persistence {
    /// Save a checkpoint every this many epochs.
    pub every: Option<usize>,
    /// Where checkpoints go.
    pub checkpoint: Option<PathBuf>,
    /// Resume from this checkpoint file.
    pub resume: Option<PathBuf>,
    /// Write the trained params here.
    pub params: Option<PathBuf>,
    /// Settings a resume must match.
    pub config: BTreeMap<String, String>,
}

/// §1.4.4: `train.py` with the Trainer, in the given precision and on the given device.
pub fn trainer_run_for(
    precision: Precision,
    config: &Config,
    data: &Dataset,
    device: Device,
    show: bool,
    keep: &Persistence,
    reporter: &mut dyn Reporter,
) -> Result<TrainerRun> {
    match precision {
        Precision::F64 => trainer_run::<f64>(config, data, device, show, keep, reporter),
        Precision::F32 => trainer_run::<f32>(config, data, device, show, keep, reporter),
    }
}

/// The Trainer run; `show` marks the main run, whose progress is shown, whose frames are
/// recorded and whose partial results are kept when it fails.
fn trainer_run<T: Element>(
    config: &Config,
    data: &Dataset,
    device: Device,
    show: bool,
    keep: &Persistence,
    reporter: &mut dyn Reporter,
) -> Result<TrainerRun> {
    let Setup {
        mut rng,
        x,
        t,
        model,
    } = setup::<T>(config, data, device)?;
    let optimizer = optim::build::<T>(config.optimizer, config.lr())?;
    let mut trainer = Trainer::with_boxed(model, optimizer);
    trainer.track_grad_norms = show;
    trainer.track_metrics = show;
    let held_out = match &data.held_out {
        Some(h) => Some(train::Validation::new(
            Tensor::from_f64(h.x.view(), device)?,
            Labels::from_indices(&h.labels, data.classes)?,
        )?),
        None => None,
    };
    trainer.validation = held_out;
    let fit = config.fit_config();
    trainer.begin(&x, &t, &fit)?;
    if let Some(path) = &keep.resume {
        let resume = Resume {
            settings: &keep.config,
            fit: &fit,
            data_size: x.rows(),
            rng_at_begin: &rng,
        };
        rng = load_checkpoint(path, &mut trainer, &resume).context("--resume")?;
        reporter.line(&format!(
            "resumed from {} at epoch {}",
            path.display(),
            trainer.current_epoch
        ));
    }
    let resumed_from = trainer.current_epoch;
    let max_iters = x.rows() / config.batch_size;
    let remaining = config.max_epoch.saturating_sub(resumed_from);
    let label = format!("{} {}", T::DTYPE.as_str(), device);
    let mut progress = if show {
        reporter.training(&label, (remaining * max_iters) as u64, 1)
    } else {
        Box::new(crate::reporter::Quiet)
    };
    let total = (config.max_epoch * max_iters) as u64;
    let mut recorder = Recorder::new(if show {
        plan(config.frames, total)
    } else {
        Vec::new()
    });
    let start = Instant::now();
    let fitted = {
        let mut observer = Tee::new(progress.as_mut(), &mut recorder);
        trainer.fit_remaining(
            &x,
            &t,
            &fit,
            &mut rng,
            &mut observer,
            |trainer, rng| match (keep.every, &keep.checkpoint) {
                (Some(every), Some(path)) if trainer.current_epoch.is_multiple_of(every) => {
                    save_checkpoint(path, trainer, rng, &keep.config)
                }
                _ => Ok(()),
            },
        )
    };
    let seconds = start.elapsed().as_secs_f64();
    progress.finish();
    if let Err(e) = fitted {
        if show {
            // Keep what the run produced: the loss history, its plot, the last finite params.
            write_loss_csv(&config.out.join(crate::files::LOSS_CSV), &trainer.records())?;
            plot_if_any(
                &trainer.loss_list,
                config.eval_interval,
                &config.out.join(crate::files::TRAINER_LOSS_PNG),
            )?;
            if let Some(p) = &keep.params {
                save_params(p, &mut trainer.model)?;
            }
        }
        let kept = if show {
            format!(
                "; {} and {} keep the {} records so far",
                crate::files::LOSS_CSV,
                crate::files::TRAINER_LOSS_PNG,
                trainer.loss_list.len()
            )
        } else {
            String::new()
        };
        return Err(e)
            .with_context(|| format!("Trainer run ({} on {device}{kept})", T::DTYPE.as_str()));
    }
    if let Some(p) = &keep.params {
        save_params(p, &mut trainer.model)?;
    }
    let acc = accuracy(&mut trainer.model, &x, &t)?;
    let validation = match trainer.validation.take() {
        Some(v) => Some(train::metrics::scores(&mut trainer.model, &v.x, &v.t)?),
        None => None,
    };
    Ok(TrainerRun {
        precision: T::DTYPE.as_str(),
        device,
        records: trainer.records(),
        loss_list: trainer.loss_list,
        eval_interval: config.eval_interval,
        accuracy: acc,
        seconds,
        resumed_from,
        max_iters,
        snapshots: recorder.snapshots,
        grad_norms: std::mem::take(&mut trainer.grad_norms),
        clipped_steps: trainer.clipped_steps,
        metrics: std::mem::take(&mut trainer.metrics),
        validation,
    })
}

/// Writes `iteration,loss` rows; each loss in Rust's shortest round-trip form, so the file reads
/// back to the same bits.
pub fn write_loss_csv(path: &Path, records: &[(usize, f64)]) -> Result<()> {
    let mut text = String::from("iteration,loss\n");
    for (i, l) in records {
        let _ = writeln!(text, "{i},{l:?}");
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

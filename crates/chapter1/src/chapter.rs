//! `cargo xtask chapter1`: the chapter end to end, the way the book walks through it.
//!
//! 1. §1.4.1 the spiral data (shapes, scatter plot);
//! 2. §1.4.2–1.4.3 `TwoLayerNet` trained by the hand-written loop, its loss and decision boundary;
//! 3. §1.4.4 the same with `Trainer::fit`, its log lines and `trainer.plot()`;
//! 4. §1.5.1 bit precision: the Trainer run in f64 and in f32 side by side;
//! 5. §1.5.2 GPU: the Trainer run on CUDA when built with `--features cuda`.
//!
//! With the defaults every run follows the book's random stream, so the numbers are the book's.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tensor::Device;
use tensor::float::short;

use crate::config::{Config, Precision};
use crate::dataset::Dataset;
use crate::output_dir::OutputDir;
use crate::reporter::Reporter;
use crate::runs::{self, CustomLoopRun, Persistence, TrainerRun};
use crate::{budget, frames, outputs};

/// What a finished chapter run gives back (its files are in [`Finished::out`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Finished {
    /// The output folder (`config.out`).
    pub out: PathBuf,
    /// Training accuracy of the main Trainer run.
    pub accuracy: f64,
    /// The main Trainer run's last recorded loss.
    pub final_loss: f64,
    /// `(iteration, loss)` records of the main Trainer run (`loss.csv`).
    pub loss: Vec<(usize, f64)>,
    /// Seconds the whole run took.
    pub seconds: f64,
}

/// Runs the whole chapter: its outputs appear in `config.out` together when it succeeds, and in
/// `config.out/failed/` when it fails (see [`crate::output_dir`]). Narrative and progress go to
/// `reporter`.
pub fn run(config: &Config, reporter: &mut dyn Reporter) -> crate::Result<Finished> {
    Ok(run_checked(config, reporter)?)
}

fn run_checked(config: &Config, reporter: &mut dyn Reporter) -> Result<Finished> {
    let started = Instant::now();
    config.validate()?;
    config
        .device
        .ensure_available()
        .with_context(|| format!("--device {}", config.device))?;
    // The folder is claimed first (a killed run's files become OUT/interrupted, which a resume
    // may name); then everything that can be checked is, before anything is written.
    let inputs: Vec<&std::path::Path> = config
        .data
        .iter()
        .chain(&config.resume)
        .map(|p| p.as_path())
        .collect();
    let dir = OutputDir::begin(&config.out, &inputs, reporter)?;
    let data = match precheck(config) {
        Ok(data) => data,
        Err(e) => {
            dir.abandon();
            return Err(e);
        }
    };
    let staged = Config {
        out: dir.path().to_path_buf(),
        ..config.clone()
    };
    match run_staged(&staged, config, &data, reporter) {
        Ok(main) => {
            dir.commit()?;
            Ok(Finished {
                out: config.out.clone(),
                accuracy: main.accuracy,
                final_loss: main.final_loss(),
                loss: main.records.clone(),
                seconds: started.elapsed().as_secs_f64(),
            })
        }
        Err(e) => Err(failed_with(e, dir)),
    }
}

/// The error of a failed run, after its files were moved to `--out/failed` (the staging path in
/// its message replaced by that folder); when even that move fails, the run's own error comes
/// first and the move's second, with where the files are.
pub(crate) fn failed_with(e: anyhow::Error, dir: OutputDir) -> anyhow::Error {
    let staging = dir.path().display().to_string();
    let message = format!("{e:#}").replace('\n', " ");
    match dir.fail(&e) {
        Ok(kept) => {
            let kept = kept.display().to_string();
            anyhow::anyhow!(
                "{}; what this run wrote is in {kept}",
                message.replace(&staging, &kept)
            )
        }
        Err((left, why)) => anyhow::anyhow!(
            "{message}; keeping this run's files as failed also failed ({why:#}); they are in {}",
            left.display()
        ),
    }
}

/// The data, the sizes the run needs and a checkpoint to resume, checked before any work.
fn precheck(config: &Config) -> Result<Dataset> {
    let data = match &config.data {
        Some(path) => Dataset::csv(path)?,
        None => Dataset::spiral(config.seed)?,
    }
    .split(config.val_split, config.seed)?;
    if config.batch_size > data.len() {
        bail!(
            "invalid --batch-size {}: at most the number of points ({})",
            config.batch_size,
            data.len()
        );
    }
    budget::check(config, &data)?;
    let keep = persistence(config, &data);
    if let Some(path) = &keep.resume {
        let dtype = match config.precision {
            Precision::F64 => tensor::DType::F64,
            Precision::F32 => tensor::DType::F32,
        };
        let parsed =
            train::checkpoint::read_checkpoint_in(path, &keep.config, dtype).context("--resume")?;
        if let Some(epoch) = parsed.meta.get("epoch").and_then(|e| e.parse().ok())
            && epoch > config.max_epoch
        {
            return Err(train::TrainError::ResumePastEnd {
                path: path.clone(),
                epoch,
                max_epoch: config.max_epoch,
            })
            .context("--resume");
        }
    }
    Ok(data)
}

/// The chapter with every file written into `config.out` (the staging folder); `shown` holds the
/// settings as the user gave them (the real `--out`). Returns the main Trainer run.
fn run_staged(
    config: &Config,
    shown: &Config,
    data: &Dataset,
    reporter: &mut dyn Reporter,
) -> Result<TrainerRun> {
    let started = Instant::now();
    let out = config.out.clone();
    reporter.line(&format!("dlfs2 chapter 1 — config: precision {} | device {} | max_epoch {} | batch_size {} | hidden_size {} | optimizer {} lr {} | max_grad {} | eval_interval {} | seed {} | grid_step {} | out {}",
        config.precision.name(),
        config.device,
        config.max_epoch,
        config.batch_size,
        config.hidden_size,
        config.optimizer,
        short(config.lr()),
        config.max_grad.map_or("none".to_string(), short),
        config.eval_interval,
        config.seed,
        short(config.grid_step),
        shown.out.display()
    ));

    // §1.4.1 the data.
    reporter.line(&format!("\n§1.4.1 data: {}", data.name));
    reporter.line(&format!(
        "x ({}, 2)  t ({}, {})  {} classes",
        data.len(),
        data.len(),
        data.classes,
        data.classes
    ));
    if let Some(h) = &data.held_out {
        reporter.line(&format!(
            "--val-split {}: {} points train, {} are held out for validation",
            short(config.val_split.unwrap_or(0.0)),
            data.len(),
            h.labels.len()
        ));
    }
    let (_, png, svg) = data.picture();
    for file in [png, svg] {
        viz::plot_data(
            &data.points(),
            &data.title(),
            &out.join(file),
            viz::DEFAULT_SIZE,
        )?;
    }

    // §1.4.2–1.4.3 the hand-written loop, its loss curve and decision boundary.
    reporter.line(&format!(
        "\n§1.4.3 train_custom_loop ({} on {})",
        config.precision.name(),
        config.device
    ));
    let keep = persistence(config, data);
    let custom: CustomLoopRun = match config.precision {
        Precision::F64 => runs::custom_loop::<f64>(config, data, reporter)?,
        Precision::F32 => runs::custom_loop::<f32>(config, data, reporter)?,
    };
    reporter.line(&format!("custom loop: final mean batch loss {:.4}, training accuracy {:.3}, {:.3} s training, decision boundary {}x{} points in {:.3} s",
        custom.final_loss(),
        custom.accuracy,
        custom.seconds,
        custom.grid.cols,
        custom.grid.rows,
        custom.grid_seconds
    ));

    // §1.4.4 the Trainer, with checkpoints when asked.
    reporter.line(&format!(
        "\n§1.4.4 Trainer.fit(x, t, {}, {}, eval_interval={})",
        config.max_epoch, config.batch_size, config.eval_interval
    ));
    let main = runs::trainer_run_for(
        config.precision,
        config,
        data,
        config.device,
        true,
        &keep,
        reporter,
    )?;
    main.write_plot(&out.join(crate::files::TRAINER_LOSS_PNG))?;
    let drawn = Instant::now();
    let watched = frames::draw_all(
        &out,
        data,
        &main.snapshots,
        &main.loss_list,
        main.max_iters,
        config.eval_interval,
        config.boundary_colors,
    )?;
    if let Some(w) = &watched {
        reporter.line(&format!(
            "{} frames: training.gif, hidden_units.png ({:.2} s)",
            w.frames.len(),
            drawn.elapsed().as_secs_f64()
        ));
    }
    runs::write_loss_csv(&out.join(crate::files::LOSS_CSV), &main.records)?;
    reporter.line(&format!(
        "Trainer: final mean batch loss {:.4}, training accuracy {:.3}, {:.3} s",
        main.final_loss(),
        main.accuracy,
        main.seconds
    ));
    if let Some(g) = main.grad_stats() {
        reporter.line(&outputs::grad_sentence(&g, config.max_grad));
    }

    // §1.5.1 bit precision.
    reporter.line("\n§1.5.1 bit precision: the Trainer run in f64 and f32");
    let plain = Persistence::default();
    let other = runs::trainer_run_for(
        config.precision.other(),
        config,
        data,
        config.device,
        false,
        &plain,
        reporter,
    )?;
    let (r64, r32) = if config.precision == Precision::F64 {
        (&main, &other)
    } else {
        (&other, &main)
    };
    let precision = outputs::PrecisionTable::new(r64, r32);
    reporter.line(&precision.text());

    // §1.5.2 GPU.
    reporter.line("\n§1.5.2 GPU");
    let gpu = gpu_step(config, data, &main, reporter)?;
    reporter.line(&gpu.text());

    let seconds = started.elapsed().as_secs_f64();
    let summary = outputs::Summary {
        config,
        custom: &custom,
        main: &main,
        precision: &precision,
        gpu: &gpu,
        seconds,
        data,
        watched: watched.as_ref(),
    };
    summary.write(&out)?;
    Ok(main)
}

/// §1.5.2: the Trainer run again on the GPU and compared with the CPU, when this build and machine
/// can; otherwise the reason.
fn gpu_step(
    config: &Config,
    data: &Dataset,
    main: &TrainerRun,
    reporter: &mut dyn Reporter,
) -> Result<outputs::GpuResult> {
    if !Device::cuda_compiled() {
        return Ok(outputs::GpuResult::Skipped(
            "not built with CUDA: run `cargo xtask chapter1 --features cuda` on an NVIDIA machine"
                .to_string(),
        ));
    }
    let gpu_device = match config.device {
        Device::Cuda(_) => config.device,
        Device::Cpu => Device::Cuda(0),
    };
    if let Err(e) = gpu_device.ensure_available() {
        return Ok(outputs::GpuResult::Skipped(format!("no usable GPU: {e}")));
    }
    let (gpu, cpu) = if main.device == Device::Cpu {
        (
            runs::trainer_run_for(
                config.precision,
                config,
                data,
                gpu_device,
                false,
                &Persistence::default(),
                reporter,
            )?,
            main.clone(),
        )
    } else {
        (
            main.clone(),
            runs::trainer_run_for(
                config.precision,
                config,
                data,
                Device::Cpu,
                false,
                &Persistence::default(),
                reporter,
            )?,
        )
    };
    Ok(outputs::GpuResult::Ran {
        device: gpu_device.describe(),
        gpu: Box::new(gpu),
        cpu: Box::new(cpu),
    })
}

/// Checkpoint, resume and params files of the main Trainer run, and the settings a resume must
/// match (everything that changes the run's numbers).
fn persistence(config: &Config, data: &Dataset) -> Persistence {
    let mut settings = std::collections::BTreeMap::from([
        ("data".to_string(), data.identity()),
        ("hidden_size".to_string(), config.hidden_size.to_string()),
        ("batch_size".to_string(), config.batch_size.to_string()),
        ("optimizer".to_string(), config.optimizer.to_string()),
        ("lr".to_string(), format!("{:?}", config.lr())),
        ("max_grad".to_string(), format!("{:?}", config.max_grad)),
        (
            "eval_interval".to_string(),
            config.eval_interval.to_string(),
        ),
        ("seed".to_string(), config.seed.to_string()),
    ]);
    // Only a split run names its split, so checkpoints of runs without one still resume.
    if let Some(f) = config.val_split {
        settings.insert("val_split".to_string(), format!("{f:?}"));
    }
    let resume = config.resume.as_ref().map(|p| {
        if p.is_dir() {
            p.join(crate::files::CHECKPOINT)
        } else {
            p.clone()
        }
    });
    Persistence {
        every: config.checkpoint_every,
        checkpoint: Some(config.out.join(crate::files::CHECKPOINT)),
        resume,
        params: Some(config.out.join(crate::files::MODEL)),
        config: settings,
    }
}

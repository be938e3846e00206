//! `cargo xtask chapter1`: the chapter end to end, the way the book walks through it.
//!
//! 1. §1.4.1 the spiral data (shapes, scatter plot);
//! 2. §1.4.2–1.4.3 `TwoLayerNet` trained by the hand-written loop, its loss and decision boundary;
//! 3. §1.4.4 the same with `Trainer::fit`, its log lines and `trainer.plot()`;
//! 4. §1.5.1 bit precision: the Trainer run in f64 and in f32 side by side;
//! 5. §1.5.2 GPU: the Trainer run on CUDA when built with `--features cuda`.
//!
//! With the defaults every run follows the book's random stream, so the numbers are the book's.

pub(crate) mod args;
pub(crate) mod budget;
pub(crate) mod dataset;
pub(crate) mod frames;
pub(crate) mod output_dir;
mod outputs;
pub(crate) mod report;
pub(crate) mod report_html;
pub(crate) mod runs;

use std::time::Instant;

use anyhow::{Context, Result, bail};
use tensor::Device;
use tensor::float::short;

use crate::console::outln;
pub use args::{Chapter1Args, Precision};
use dataset::Dataset;
use output_dir::OutputDir;
use runs::{CustomLoopRun, Persistence, TrainerRun};

/// Prints unless `--quiet`.
macro_rules! say {
    ($args:expr, $($t:tt)*) => { if !$args.quiet { crate::console::outln!($($t)*); } };
}
pub(crate) use say;

/// Element type of the main runs.
/// Runs the whole chapter: its outputs appear in `--out` together when it succeeds, and in
/// `--out/failed/` when it fails (see [`output_dir`]).
pub fn run(args: &Chapter1Args) -> Result<()> {
    let started = Instant::now();
    args.validate()?;
    args.device
        .ensure_available()
        .with_context(|| format!("--device {}", args.device))?;
    // The folder is claimed first (a killed run's files become OUT/interrupted, which a resume
    // may name); then everything that can be checked is, before anything is written.
    let inputs: Vec<&std::path::Path> = args
        .data
        .iter()
        .chain(&args.resume)
        .map(|p| p.as_path())
        .collect();
    let dir = OutputDir::begin(&args.out, &inputs)?;
    let data = match precheck(args) {
        Ok(data) => data,
        Err(e) => {
            dir.abandon();
            return Err(e);
        }
    };
    let staged = Chapter1Args {
        out: dir.path().to_path_buf(),
        ..args.clone()
    };
    match run_staged(&staged, args, &data) {
        Ok(main) => {
            dir.commit()?;
            outln!(
                "chapter 1 done in {:.2} s: Trainer accuracy {:.3}, final loss {:.4}; outputs in {} (open REPORT.md)",
                started.elapsed().as_secs_f64(),
                main.accuracy,
                main.final_loss(),
                args.out.display()
            );
            Ok(())
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
fn precheck(args: &Chapter1Args) -> Result<Dataset> {
    let data = match &args.data {
        Some(path) => Dataset::csv(path)?,
        None => Dataset::spiral(args.seed)?,
    };
    if args.batch_size > data.len() {
        bail!(
            "invalid --batch-size {}: at most the number of points ({})",
            args.batch_size,
            data.len()
        );
    }
    budget::check(args, &data)?;
    let keep = persistence(args, &data);
    if let Some(path) = &keep.resume {
        let dtype = match args.precision {
            Precision::F64 => tensor::DType::F64,
            Precision::F32 => tensor::DType::F32,
        };
        let parsed =
            train::checkpoint::read_checkpoint_in(path, &keep.config, dtype).context("--resume")?;
        if let Some(epoch) = parsed.meta.get("epoch").and_then(|e| e.parse().ok())
            && epoch > args.max_epoch
        {
            return Err(train::TrainError::ResumePastEnd {
                path: path.clone(),
                epoch,
                max_epoch: args.max_epoch,
            })
            .context("--resume");
        }
    }
    Ok(data)
}

/// The chapter with every file written into `args.out` (the staging folder); `shown` holds the
/// settings as the user gave them (the real `--out`). Returns the main Trainer run.
fn run_staged(args: &Chapter1Args, shown: &Chapter1Args, data: &Dataset) -> Result<TrainerRun> {
    let started = Instant::now();
    let out = args.out.clone();
    say!(
        args,
        "dlfs2 chapter 1 — config: precision {} | device {} | max_epoch {} | batch_size {} | hidden_size {} | optimizer {} lr {} | max_grad {} | eval_interval {} | seed {} | grid_step {} | out {}",
        args.precision.name(),
        args.device,
        args.max_epoch,
        args.batch_size,
        args.hidden_size,
        args.optimizer,
        short(args.lr()),
        args.max_grad.map_or("none".to_string(), short),
        args.eval_interval,
        args.seed,
        short(args.grid_step),
        shown.out.display()
    );

    // §1.4.1 the data.
    say!(args, "\n§1.4.1 data: {}", data.name);
    say!(
        args,
        "x ({}, 2)  t ({}, {})  {} classes",
        data.len(),
        data.len(),
        data.classes,
        data.classes
    );
    viz::plot_spiral(
        data.x.view(),
        &data.labels,
        &out.join("spiral.png"),
        viz::DEFAULT_SIZE,
    )?;
    viz::plot_spiral(
        data.x.view(),
        &data.labels,
        &out.join("spiral.svg"),
        viz::DEFAULT_SIZE,
    )?;

    // §1.4.2–1.4.3 the hand-written loop, its loss curve and decision boundary.
    say!(
        args,
        "\n§1.4.3 train_custom_loop ({} on {})",
        args.precision.name(),
        args.device
    );
    let keep = persistence(args, data);
    let custom: CustomLoopRun = match args.precision {
        Precision::F64 => runs::custom_loop::<f64>(args, data)?,
        Precision::F32 => runs::custom_loop::<f32>(args, data)?,
    };
    say!(
        args,
        "custom loop: final loss {:.4}, accuracy {:.3}, {:.3} s training, decision boundary {}x{} points in {:.3} s",
        custom.final_loss(),
        custom.accuracy,
        custom.seconds,
        custom.grid.cols,
        custom.grid.rows,
        custom.grid_seconds
    );

    // §1.4.4 the Trainer, with checkpoints when asked.
    say!(
        args,
        "\n§1.4.4 Trainer.fit(x, t, {}, {}, eval_interval={})",
        args.max_epoch,
        args.batch_size,
        args.eval_interval
    );
    let main = runs::trainer_run_for(args.precision, args, data, args.device, true, &keep)?;
    main.write_plot(&out.join("trainer_loss.png"))?;
    let drawn = Instant::now();
    let watched = frames::draw_all(
        &out,
        data,
        &main.snapshots,
        &main.loss_list,
        main.max_iters,
        args.eval_interval,
    )?;
    if let Some(w) = &watched {
        say!(
            args,
            "{} frames: training.gif, hidden_units.png ({:.2} s)",
            w.frames.len(),
            drawn.elapsed().as_secs_f64()
        );
    }
    outputs::write_loss_csv(&out.join("loss.csv"), &main.iterations, &main.loss_list)?;
    say!(
        args,
        "Trainer: final loss {:.4}, accuracy {:.3}, {:.3} s",
        main.final_loss(),
        main.accuracy,
        main.seconds
    );

    // §1.5.1 bit precision.
    say!(
        args,
        "\n§1.5.1 bit precision: the Trainer run in f64 and f32"
    );
    let plain = Persistence::default();
    let other = runs::trainer_run_for(
        args.precision.other(),
        args,
        data,
        args.device,
        false,
        &plain,
    )?;
    let (r64, r32) = if args.precision == Precision::F64 {
        (&main, &other)
    } else {
        (&other, &main)
    };
    let precision = outputs::PrecisionTable::new(r64, r32);
    say!(args, "{}", precision.text());

    // §1.5.2 GPU.
    say!(args, "\n§1.5.2 GPU");
    let gpu = gpu_step(args, data, &main)?;
    say!(args, "{}", gpu.text());

    let seconds = started.elapsed().as_secs_f64();
    let summary = outputs::Summary {
        args,
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
fn gpu_step(args: &Chapter1Args, data: &Dataset, main: &TrainerRun) -> Result<outputs::GpuResult> {
    if !Device::cuda_compiled() {
        return Ok(outputs::GpuResult::Skipped(
            "not built with CUDA: run `cargo xtask chapter1 --features cuda` on an NVIDIA machine"
                .to_string(),
        ));
    }
    let gpu_device = match args.device {
        Device::Cuda(_) => args.device,
        Device::Cpu => Device::Cuda(0),
    };
    if let Err(e) = gpu_device.ensure_available() {
        return Ok(outputs::GpuResult::Skipped(format!("no usable GPU: {e}")));
    }
    let (gpu, cpu) = if main.device == Device::Cpu {
        (
            runs::trainer_run_for(
                args.precision,
                args,
                data,
                gpu_device,
                false,
                &Persistence::default(),
            )?,
            main.clone(),
        )
    } else {
        (
            main.clone(),
            runs::trainer_run_for(
                args.precision,
                args,
                data,
                Device::Cpu,
                false,
                &Persistence::default(),
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
fn persistence(args: &Chapter1Args, data: &Dataset) -> Persistence {
    let config = std::collections::BTreeMap::from([
        ("data".to_string(), data.identity()),
        ("hidden_size".to_string(), args.hidden_size.to_string()),
        ("batch_size".to_string(), args.batch_size.to_string()),
        ("optimizer".to_string(), args.optimizer.to_string()),
        ("lr".to_string(), format!("{:?}", args.lr())),
        ("max_grad".to_string(), format!("{:?}", args.max_grad)),
        ("eval_interval".to_string(), args.eval_interval.to_string()),
        ("seed".to_string(), args.seed.to_string()),
    ]);
    let resume = args.resume.as_ref().map(|p| {
        if p.is_dir() {
            p.join("checkpoint.safetensors")
        } else {
            p.clone()
        }
    });
    Persistence {
        every: args.checkpoint_every,
        checkpoint: Some(args.out.join("checkpoint.safetensors")),
        resume,
        params: Some(args.out.join("model.safetensors")),
        config,
    }
}

//! `cargo xtask chapter1`: the chapter end to end, the way the book walks through it.
//!
//! 1. §1.4.1 the spiral data (shapes, scatter plot);
//! 2. §1.4.2–1.4.3 `TwoLayerNet` trained by the hand-written loop, its loss and decision boundary;
//! 3. §1.4.4 the same with `Trainer::fit`, its log lines and `trainer.plot()`;
//! 4. §1.5.1 bit precision: the Trainer run in f64 and in f32 side by side;
//! 5. §1.5.2 GPU: the Trainer run on CUDA when built with `--features cuda`.
//!
//! With the defaults every run follows the book's random stream, so the numbers are the book's.

mod dataset;
mod outputs;
mod runs;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use optim::OptimizerKind;
use tensor::Device;

use dataset::Dataset;
use runs::{CustomLoopRun, Persistence, TrainerRun};

/// Element type of the main runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Precision {
    /// 64-bit floats (the book's numpy default; bit-exact with the book on the CPU).
    F64,
    /// 32-bit floats (§1.5.1).
    F32,
}

impl Precision {
    fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }

    fn other(self) -> Self {
        match self {
            Precision::F64 => Precision::F32,
            Precision::F32 => Precision::F64,
        }
    }
}

/// Settings of `cargo xtask chapter1`; the defaults are `ch01/train.py`'s.
#[derive(Debug, Clone, clap::Args)]
pub struct Chapter1Args {
    /// Folder for the pictures, loss.csv, summary.json and REPORT.md.
    #[arg(long, default_value = "out/chapter1")]
    pub out: PathBuf,
    /// Element type of the main runs.
    #[arg(long, value_enum, default_value_t = Precision::F64)]
    pub precision: Precision,
    /// Device of the main runs: cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu", value_parser = parse_device)]
    pub device: Device,
    /// Passes over the data.
    #[arg(long, default_value_t = 300)]
    pub max_epoch: usize,
    /// Samples per mini-batch.
    #[arg(long, default_value_t = 30)]
    pub batch_size: usize,
    /// Hidden units of the TwoLayerNet.
    #[arg(long, default_value_t = 10)]
    pub hidden_size: usize,
    /// Learning rate [default: 1.0 for sgd, the book's default for the other optimizers].
    #[arg(long)]
    pub lr: Option<f64>,
    /// Clip the global gradient norm to this value (Trainer runs).
    #[arg(long)]
    pub max_grad: Option<f64>,
    /// Record (and print) the average loss every this many iterations.
    #[arg(long, default_value_t = 10)]
    pub eval_interval: usize,
    /// Optimizer.
    #[arg(long, default_value = "sgd", value_parser = parse_optimizer)]
    pub optimizer: OptimizerKind,
    /// Seed of the book's random stream (numpy's np.random.seed).
    #[arg(long, default_value_t = 1984)]
    pub seed: u32,
    /// Step of the decision-boundary grid (the book's h).
    #[arg(long, default_value_t = 0.001)]
    pub grid_step: f64,
    /// Print only the summary.
    #[arg(long)]
    pub quiet: bool,
    /// Train on your own points: a CSV file with the header `x1,x2,label`.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Save a training checkpoint (OUT/checkpoint.safetensors) every N epochs of the Trainer run.
    #[arg(long, value_name = "N")]
    pub checkpoint_every: Option<usize>,
    /// Continue the Trainer run from a checkpoint (a file, or a folder holding checkpoint.safetensors).
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
}

fn parse_device(s: &str) -> Result<Device, String> {
    s.parse()
        .map_err(|e: tensor::ParseDeviceError| e.to_string())
}

fn parse_optimizer(s: &str) -> Result<OptimizerKind, String> {
    s.parse().map_err(|e: optim::OptimError| e.to_string())
}

impl Chapter1Args {
    /// The learning rate in effect.
    pub fn lr(&self) -> f64 {
        self.lr.unwrap_or(match self.optimizer {
            OptimizerKind::Sgd => 1.0,
            k => k.default_lr(),
        })
    }

    /// Checks every setting before any work is done.
    fn validate(&self) -> Result<()> {
        let lr = self.lr();
        if !(lr.is_finite() && lr > 0.0) {
            bail!("invalid --lr {lr}: expected a finite number > 0");
        }
        if let Some(m) = self.max_grad
            && !(m.is_finite() && m > 0.0)
        {
            bail!("invalid --max-grad {m}: expected a finite number > 0");
        }
        if !(self.grid_step.is_finite() && self.grid_step > 0.0) {
            bail!(
                "invalid --grid-step {}: expected a finite number > 0",
                self.grid_step
            );
        }
        if self.lr() > f32::MAX as f64 {
            bail!("invalid --lr {lr}: too large for f32 (the §1.5.1 run trains in f32 too)");
        }
        if self.checkpoint_every == Some(0) {
            bail!("invalid --checkpoint-every 0: expected at least 1");
        }
        if self.eval_interval == 0 {
            bail!("invalid --eval-interval 0: expected at least 1");
        }
        if self.batch_size == 0 {
            bail!("invalid --batch-size 0: expected at least 1");
        }
        if self.hidden_size == 0 || self.hidden_size > layers::two_layer_net::MAX_WIDTH {
            bail!(
                "invalid --hidden-size {}: expected 1 to {}",
                self.hidden_size,
                layers::two_layer_net::MAX_WIDTH
            );
        }
        self.optimizer
            .build::<f64>(lr)
            .context("invalid optimizer settings")?;
        Ok(())
    }

    fn fit_config(&self) -> train::FitConfig {
        train::FitConfig {
            max_epoch: self.max_epoch,
            batch_size: self.batch_size,
            max_grad: self.max_grad,
            eval_interval: Some(self.eval_interval),
        }
    }
}

/// Prints unless `--quiet`.
macro_rules! say {
    ($args:expr, $($t:tt)*) => { if !$args.quiet { println!($($t)*); } };
}
pub(crate) use say;

/// Runs the whole chapter.
pub fn run(args: &Chapter1Args) -> Result<()> {
    let started = Instant::now();
    args.validate()?;
    args.device
        .ensure_available()
        .with_context(|| format!("--device {}", args.device))?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
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
        args.lr(),
        args.max_grad.map_or("none".to_string(), |m| m.to_string()),
        args.eval_interval,
        args.seed,
        args.grid_step,
        out.display()
    );

    // §1.4.1 the data.
    let data = match &args.data {
        Some(path) => Dataset::csv(path)?,
        None => Dataset::spiral(args.seed)?,
    };
    say!(args, "\n§1.4.1 data: {}", data.name);
    say!(
        args,
        "x ({}, 2)  t ({}, {})  {} classes",
        data.len(),
        data.len(),
        data.classes,
        data.classes
    );
    if args.batch_size > data.len() {
        bail!(
            "invalid --batch-size {}: at most the number of points ({})",
            args.batch_size,
            data.len()
        );
    }
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
    let custom: CustomLoopRun = match args.precision {
        Precision::F64 => runs::custom_loop::<f64>(args, &data)?,
        Precision::F32 => runs::custom_loop::<f32>(args, &data)?,
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
    let keep = persistence(args, &data);
    let main = runs::trainer_run_for(args.precision, args, &data, args.device, true, &keep)?;
    main.write_plot(&out.join("trainer_loss.png"))?;
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
        &data,
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
    let gpu = gpu_step(args, &data, &main)?;
    say!(args, "{}", gpu.text());

    let seconds = started.elapsed().as_secs_f64();
    let summary = outputs::Summary {
        args,
        custom: &custom,
        main: &main,
        precision: &precision,
        gpu: &gpu,
        seconds,
        data: &data,
    };
    summary.write(&out)?;
    println!(
        "chapter 1 done in {seconds:.2} s: Trainer accuracy {:.3}, final loss {:.4}; outputs in {} (open REPORT.md)",
        main.accuracy,
        main.final_loss(),
        out.display()
    );
    Ok(())
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
        ("data".to_string(), data.name.clone()),
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

//! `cargo xtask chapter1`: the chapter end to end, the way the book walks through it.
//!
//! 1. §1.4.1 the spiral data (shapes, scatter plot);
//! 2. §1.4.2–1.4.3 `TwoLayerNet` trained by the hand-written loop, its loss and decision boundary;
//! 3. §1.4.4 the same with `Trainer::fit`, its log lines and `trainer.plot()`;
//! 4. §1.5.1 bit precision: the Trainer run in f64 and in f32 side by side;
//! 5. §1.5.2 GPU: the Trainer run on CUDA when built with `--features cuda`.
//!
//! With the defaults every run follows the book's random stream, so the numbers are the book's.

mod outputs;
mod runs;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use data::DataError;
use optim::OptimizerKind;
use tensor::Device;

use runs::{CustomLoopRun, TrainerRun};

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
}

fn parse_device(s: &str) -> Result<Device, String> {
    s.parse().map_err(|e: tensor::TensorError| e.to_string())
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

    // §1.4.1 the spiral data.
    say!(
        args,
        "\n§1.4.1 spiral data (dataset/spiral.py, seed {})",
        args.seed
    );
    let spiral = data::load_data(args.seed);
    let labels: Vec<usize> = tensor::Labels::from_one_hot(spiral.t.view())?
        .indices()
        .iter()
        .map(|&c| c as usize)
        .collect();
    say!(args, "x {:?}  t {:?}", spiral.x.dim(), spiral.t.dim());
    if args.batch_size > spiral.x.nrows() {
        return Err(DataError::InvalidSize {
            name: "--batch-size",
            value: args.batch_size,
            expected: "at most the number of points (300)",
        }
        .into());
    }
    viz::plot_spiral(
        spiral.x.view(),
        &labels,
        &out.join("spiral.png"),
        viz::DEFAULT_SIZE,
    )?;
    viz::plot_spiral(
        spiral.x.view(),
        &labels,
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
        Precision::F64 => runs::custom_loop::<f64>(args, &spiral, &labels)?,
        Precision::F32 => runs::custom_loop::<f32>(args, &spiral, &labels)?,
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

    // §1.4.4 the Trainer.
    say!(
        args,
        "\n§1.4.4 Trainer.fit(x, t, {}, {}, eval_interval={})",
        args.max_epoch,
        args.batch_size,
        args.eval_interval
    );
    let main = runs::trainer_run_for(args.precision, args, args.device, true)?;
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
    let other = runs::trainer_run_for(args.precision.other(), args, args.device, false)?;
    let (r64, r32) = if args.precision == Precision::F64 {
        (&main, &other)
    } else {
        (&other, &main)
    };
    let precision = outputs::PrecisionTable::new(r64, r32);
    say!(args, "{}", precision.text());

    // §1.5.2 GPU.
    say!(args, "\n§1.5.2 GPU");
    let gpu = gpu_step(args, &main)?;
    say!(args, "{}", gpu.text());

    let seconds = started.elapsed().as_secs_f64();
    let summary = outputs::Summary {
        args,
        custom: &custom,
        main: &main,
        precision: &precision,
        gpu: &gpu,
        seconds,
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
fn gpu_step(args: &Chapter1Args, main: &TrainerRun) -> Result<outputs::GpuResult> {
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
            runs::trainer_run_for(args.precision, args, gpu_device, false)?,
            main.clone(),
        )
    } else {
        (
            main.clone(),
            runs::trainer_run_for(args.precision, args, Device::Cpu, false)?,
        )
    };
    Ok(outputs::GpuResult::Ran {
        device: gpu_device.describe(),
        gpu: Box::new(gpu),
        cpu: Box::new(cpu),
    })
}

//! The flags of `cargo xtask chapter1` and their checks: every bad value is one clear line before
//! anything runs.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use optim::OptimizerKind;
use tensor::Device;
use tensor::float::short;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Precision {
    /// 64-bit floats (the book's numpy default; bit-exact with the book on the CPU).
    F64,
    /// 32-bit floats (§1.5.1).
    F32,
}

impl Precision {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }

    pub(crate) fn other(self) -> Self {
        match self {
            Precision::F64 => Precision::F32,
            Precision::F32 => Precision::F64,
        }
    }
}

/// How the decision boundary is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Boundary {
    /// Blocks of the grid proven to be one class, the rest point by point (the default).
    Certified,
    /// Every point (the oracle the certified boundary is tested against).
    Scan,
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
    /// Passes over the data (1 to 1000000).
    #[arg(long, default_value_t = 300, value_parser = count(MAX_EPOCH))]
    pub max_epoch: usize,
    /// Samples per mini-batch (at most the number of points).
    #[arg(long, default_value_t = 30, value_parser = count(data::csv::MAX_ROWS))]
    pub batch_size: usize,
    /// Hidden units of the TwoLayerNet (1 to 65536).
    #[arg(long, default_value_t = 10, value_parser = count(layers::two_layer_net::MAX_WIDTH))]
    pub hidden_size: usize,
    /// Learning rate [default: 1.0 for sgd, the book's default for the other optimizers].
    #[arg(long)]
    pub lr: Option<f64>,
    /// Clip the global gradient norm to this value (Trainer runs).
    #[arg(long)]
    pub max_grad: Option<f64>,
    /// Record (and print) the average loss every this many iterations.
    #[arg(long, default_value_t = 10, value_parser = count(1 << 30))]
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
    /// How the decision boundary is computed: `certified` (blocks proven to be one class, the
    /// rest point by point) or `scan` (every point); both give the same classes.
    #[arg(long, value_enum, default_value_t = Boundary::Certified)]
    pub boundary: Boundary,
    /// Frames of the boundary forming (training.gif, report.html); 0 turns them off.
    #[arg(long, default_value_t = super::frames::DEFAULT_FRAMES, value_parser = frame_count)]
    pub frames: usize,
    /// Print only the summary.
    #[arg(long)]
    pub quiet: bool,
    /// Train on your own points: a CSV file with the header `x1,x2,label`.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Save a training checkpoint (OUT/checkpoint.safetensors) every N epochs of the Trainer run.
    #[arg(long, value_name = "N", value_parser = count(MAX_EPOCH))]
    pub checkpoint_every: Option<usize>,
    /// Continue the Trainer run from a checkpoint (a file, or a folder holding checkpoint.safetensors).
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
}

/// Most epochs a run may ask for: the Trainer keeps every logged loss, and a run of more would
/// take days on the chapter's network.
pub const MAX_EPOCH: usize = 1_000_000;

/// A parser for a whole-number flag from 1 to `max`, whose errors say what was expected (also for
/// negative numbers and zero, which `usize` parsing would call "invalid digit").
pub(crate) fn count(max: usize) -> impl Fn(&str) -> Result<usize, String> + Clone {
    move |s: &str| match s.trim().parse::<i128>() {
        Ok(n) if n >= 1 && n <= max as i128 => Ok(n as usize),
        _ => Err(format!("expected a whole number from 1 to {max}")),
    }
}

/// 0 to 1000 frames.
fn frame_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if (0..=1000).contains(&n) => Ok(n as usize),
        _ => Err("expected a whole number from 0 (no frames) to 1000".to_string()),
    }
}

fn parse_device(s: &str) -> Result<Device, String> {
    s.parse()
        .map_err(|e: tensor::ParseDeviceError| e.to_string())
}

fn parse_optimizer(s: &str) -> Result<OptimizerKind, String> {
    s.parse().map_err(|e: optim::UnknownRule| e.to_string())
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
    pub(crate) fn validate(&self) -> Result<()> {
        let lr = self.lr();
        if !(lr.is_finite() && lr > 0.0) {
            bail!("invalid --lr {}: expected a finite number > 0", short(lr));
        }
        if let Some(m) = self.max_grad
            && !(m.is_finite() && m > 0.0)
        {
            bail!(
                "invalid --max-grad {}: expected a finite number > 0",
                short(m)
            );
        }
        if !(self.grid_step.is_finite() && self.grid_step > 0.0) {
            bail!(
                "invalid --grid-step {}: expected a finite number > 0",
                short(self.grid_step)
            );
        }
        if self.lr() > f32::MAX as f64 {
            bail!(
                "invalid --lr {}: too large for f32 (the §1.5.1 run trains in f32 too)",
                short(lr)
            );
        }
        optim::build::<f64>(self.optimizer, lr).context("invalid optimizer settings")?;
        Ok(())
    }

    pub(crate) fn fit_config(&self) -> train::FitConfig {
        train::FitConfig {
            max_epoch: self.max_epoch,
            batch_size: self.batch_size,
            max_grad: self.max_grad,
            eval_interval: Some(self.eval_interval),
        }
    }
}

//! The flags of `cargo xtask chapter1` and their checks: every bad value is one clear line before
//! anything runs.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use optim::OptimizerKind;
use tensor::Device;

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

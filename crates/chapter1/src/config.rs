//! The settings of a chapter run ([`Config`]) and their checks: every bad value is one clear error
//! before anything runs. The defaults are `ch01/train.py`'s. Messages name a setting by its flag
//! on `cargo xtask chapter1` (`--lr`), which is also its field here (`lr`).

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use optim::OptimizerKind;
use tensor::Device;
use tensor::float::short;

/// Element type of the main runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precision {
    /// 64-bit floats (the book's numpy default): on the CPU, the book's numbers (its code under
    /// numpy on Linux) bit for bit at every setting but a row times a column (batch 1 with hidden
    /// size 1), whatever the platform (dlfs2 carries its own ports of glibc's functions).
    F64,
    /// 32-bit floats (§1.5.1): on the CPU, the book's numbers bit for bit on the settings tested
    /// (the book's `train.py` setting, and Adam): numpy's own float32 `exp` and `log` are ported.
    F32,
}

impl Precision {
    /// Every precision, in the order the command line lists them.
    pub const ALL: [Precision; 2] = [Precision::F64, Precision::F32];

    /// `"f64"` or `"f32"`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }

    /// The other one (the §1.5.1 comparison run).
    pub fn other(self) -> Self {
        match self {
            Precision::F64 => Precision::F32,
            Precision::F32 => Precision::F64,
        }
    }

    /// The tensor element type.
    pub fn dtype(self) -> tensor::DType {
        match self {
            Precision::F64 => tensor::DType::F64,
            Precision::F32 => tensor::DType::F32,
        }
    }
}

/// How the decision boundary is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Boundary {
    /// Blocks of the grid proven to be one class, the rest point by point (the default).
    Certified,
    /// Every point (the oracle the certified boundary is tested against).
    Scan,
}

impl Boundary {
    /// Every method, in the order the command line lists them.
    pub const ALL: [Boundary; 2] = [Boundary::Certified, Boundary::Scan];

    /// `"certified"` or `"scan"`.
    pub fn name(self) -> &'static str {
        match self {
            Boundary::Certified => "certified",
            Boundary::Scan => "scan",
        }
    }
}

/// A name that is not one of an enum's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {given:?}: expected one of {expected}")]
pub struct UnknownName {
    /// What was being named (`precision`).
    pub what: &'static str,
    /// The name given.
    pub given: String,
    /// The names accepted, comma-separated.
    pub expected: String,
}

macro_rules! from_name {
    ($t:ty, $what:literal) => {
        impl FromStr for $t {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                <$t>::ALL
                    .into_iter()
                    .find(|v| v.name() == s.trim())
                    .ok_or_else(|| UnknownName {
                        what: $what,
                        given: s.to_string(),
                        expected: <$t>::ALL.map(|v| v.name()).join(", "),
                    })
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
from_name!(Precision, "precision");
from_name!(Boundary, "boundary");

/// Most epochs a run may ask for: the Trainer keeps every logged loss, and a run of more would
/// take days on the chapter's network.
pub const MAX_EPOCH: usize = 1_000_000;

/// Most frames of the boundary forming a run may ask for.
pub const MAX_FRAMES: usize = 1000;

/// Most iterations between two loss records.
pub const MAX_EVAL_INTERVAL: usize = 1 << 30;

/// Settings of the chapter run; [`Config::default`] is the book's.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Folder for the pictures, loss.csv, summary.json and REPORT.md.
    pub out: PathBuf,
    /// Element type of the main runs.
    pub precision: Precision,
    /// Device of the main runs.
    pub device: Device,
    /// Passes over the data (1 to [`MAX_EPOCH`]).
    pub max_epoch: usize,
    /// Samples per mini-batch (at most the number of points).
    pub batch_size: usize,
    /// Hidden units of the TwoLayerNet (1 to 65536).
    pub hidden_size: usize,
    /// Learning rate; `None` is 1.0 for SGD and the book's default for the other optimizers.
    pub lr: Option<f64>,
    /// Clip the global gradient norm to this value (Trainer runs).
    pub max_grad: Option<f64>,
    /// Record the average loss every this many iterations.
    pub eval_interval: usize,
    /// Optimizer.
    pub optimizer: OptimizerKind,
    /// Seed of the book's random stream (numpy's `np.random.seed`).
    pub seed: u32,
    /// Step of the decision-boundary grid (the book's `h`).
    pub grid_step: f64,
    /// How the decision boundary is computed (both give the same classes).
    pub boundary: Boundary,
    /// The colours of the decision boundary's class regions: pale class colours, or the book's
    /// viridis.
    pub boundary_colors: viz::RegionColors,
    /// Frames of the boundary forming (training.gif, report.html); 0 turns them off.
    pub frames: usize,
    /// Train on these points instead of the spiral: a CSV file with the header `x1,x2,label`.
    pub data: Option<PathBuf>,
    /// Hold out this fraction of each class's points for validation (above 0, below 1); `None`
    /// (the book's run) trains on every point.
    pub val_split: Option<f64>,
    /// Save a training checkpoint (`out/checkpoint.safetensors`) every this many epochs.
    pub checkpoint_every: Option<usize>,
    /// Continue the Trainer run from a checkpoint (a file, or a folder holding one).
    pub resume: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            out: PathBuf::from("out/chapter1"),
            precision: Precision::F64,
            device: Device::Cpu,
            max_epoch: 300,
            batch_size: 30,
            hidden_size: 10,
            lr: None,
            max_grad: None,
            eval_interval: 10,
            optimizer: OptimizerKind::Sgd,
            seed: 1984,
            grid_step: 0.001,
            boundary: Boundary::Certified,
            boundary_colors: viz::RegionColors::Pale,
            frames: crate::frames::DEFAULT_FRAMES,
            data: None,
            val_split: None,
            checkpoint_every: None,
            resume: None,
        }
    }
}

/// Checks a `--val-split` fraction.
pub(crate) fn check_val_split(fraction: Option<f64>) -> Result<()> {
    if let Some(f) = fraction
        && !(f > 0.0 && f < 1.0)
    {
        bail!(
            "invalid --val-split {}: expected a fraction above 0 and below 1, such as 0.2",
            short(f)
        );
    }
    Ok(())
}

/// `value` when it is a whole number from 1 to `max`, else the error naming `flag`.
pub(crate) fn in_range(flag: &str, value: usize, max: usize) -> Result<()> {
    if !(1..=max).contains(&value) {
        bail!("invalid --{flag} {value}: expected a whole number from 1 to {max}");
    }
    Ok(())
}

impl Config {
    /// The learning rate in effect.
    pub fn lr(&self) -> f64 {
        self.lr.unwrap_or(match self.optimizer {
            OptimizerKind::Sgd => 1.0,
            k => k.default_lr(),
        })
    }

    /// Checks every setting before any work is done.
    pub fn validate(&self) -> Result<()> {
        in_range("max-epoch", self.max_epoch, MAX_EPOCH)?;
        in_range("batch-size", self.batch_size, data::csv::MAX_ROWS)?;
        in_range(
            "hidden-size",
            self.hidden_size,
            layers::two_layer_net::MAX_WIDTH,
        )?;
        in_range("eval-interval", self.eval_interval, MAX_EVAL_INTERVAL)?;
        if let Some(n) = self.checkpoint_every {
            in_range("checkpoint-every", n, MAX_EPOCH)?;
        }
        check_val_split(self.val_split)?;
        if self.frames > MAX_FRAMES {
            bail!(
                "invalid --frames {}: expected a whole number from 0 (no frames) to {MAX_FRAMES}",
                self.frames
            );
        }
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
        if lr > f32::MAX as f64 {
            bail!(
                "invalid --lr {}: too large for f32 (the §1.5.1 run trains in f32 too)",
                short(lr)
            );
        }
        optim::build::<f64>(self.optimizer, lr).context("invalid optimizer settings")?;
        Ok(())
    }

    /// The Trainer's `fit` settings.
    pub fn fit_config(&self) -> train::FitConfig {
        train::FitConfig {
            max_epoch: self.max_epoch,
            batch_size: self.batch_size,
            max_grad: self.max_grad,
            eval_interval: Some(self.eval_interval),
        }
    }
}

//! The flags of `cargo xtask chapter1` and `cargo xtask compare`, parsed into the library's
//! settings ([`chapter1::Config`], [`chapter1::CompareConfig`]), which check every value again.
//! Every bad value is one clear line before anything runs.

use std::path::PathBuf;

use chapter1::{Boundary, Config, MAX_EPOCH, Precision};
use optim::OptimizerKind;
use tensor::Device;

/// Settings of `cargo xtask chapter1`; the defaults are `ch01/train.py`'s.
#[derive(Debug, Clone, clap::Args)]
pub struct Chapter1Args {
    /// Folder for the pictures, loss.csv, summary.json and REPORT.md.
    #[arg(long, default_value = "out/chapter1")]
    pub out: PathBuf,
    /// Element type of the main runs: on the CPU either gives the book's numbers (its code under
    /// numpy on Linux) bit for bit, on any platform: f64 at every setting but batch 1 with hidden
    /// size 1, f32 on the settings tested (the book's train.py, and Adam).
    #[arg(long, default_value = "f64", value_parser = named::<Precision>)]
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
    #[arg(long, default_value = "certified", value_parser = named::<Boundary>)]
    pub boundary: Boundary,
    /// Colours of the decision boundary's regions: `pale` class colours, or `viridis` (the
    /// book's `plt.contourf`).
    #[arg(long, default_value = "pale", value_parser = parse_region_colors)]
    pub boundary_colors: viz::RegionColors,
    /// Frames of the boundary forming (training.gif, report.html); 0 turns them off.
    #[arg(long, default_value_t = chapter1::DEFAULT_FRAMES, value_parser = frame_count)]
    pub frames: usize,
    /// Print only the summary.
    #[arg(long)]
    pub quiet: bool,
    /// Train on your own points: a CSV file with the header `x1,x2,label`.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Hold out this fraction of each class's points for validation (0 or absent: none, the
    /// book's run).
    #[arg(long, value_name = "F", value_parser = fraction)]
    pub val_split: Option<f64>,
    /// Save a training checkpoint (OUT/checkpoint.safetensors) every N epochs of the Trainer run.
    #[arg(long, value_name = "N", value_parser = count(MAX_EPOCH))]
    pub checkpoint_every: Option<usize>,
    /// Continue the Trainer run from a checkpoint (a file, or a folder holding checkpoint.safetensors).
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
}

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

/// A fraction from 0 (none) to below 1.
fn fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if (0.0..1.0).contains(&f) => Ok(f),
        _ => Err("expected a fraction from 0 (none) to below 1, such as 0.2".to_string()),
    }
}

fn parse_device(s: &str) -> Result<Device, String> {
    s.parse()
        .map_err(|e: tensor::ParseDeviceError| e.to_string())
}

fn parse_region_colors(s: &str) -> Result<viz::RegionColors, String> {
    s.parse()
}

fn parse_optimizer(s: &str) -> Result<OptimizerKind, String> {
    s.parse().map_err(|e: optim::UnknownRule| e.to_string())
}

/// A name of one of the library's choices (`f64`, `certified`).
fn named<T: std::str::FromStr<Err = chapter1::UnknownName>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: chapter1::UnknownName| e.to_string())
}

impl Chapter1Args {
    /// The library's settings (`--quiet` is the console's, not the run's).
    pub fn config(&self) -> Config {
        Config {
            out: self.out.clone(),
            precision: self.precision,
            device: self.device,
            max_epoch: self.max_epoch,
            batch_size: self.batch_size,
            hidden_size: self.hidden_size,
            lr: self.lr,
            max_grad: self.max_grad,
            eval_interval: self.eval_interval,
            optimizer: self.optimizer,
            seed: self.seed,
            grid_step: self.grid_step,
            boundary: self.boundary,
            boundary_colors: self.boundary_colors,
            frames: self.frames,
            data: self.data.clone(),
            val_split: self.val_split.filter(|&f| f > 0.0),
            checkpoint_every: self.checkpoint_every,
            resume: self.resume.clone(),
        }
    }
}

/// Settings of `cargo xtask compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Optimizers, comma-separated (sgd, momentum, nesterov, adagrad, rmsprop, adam).
    #[arg(long, value_delimiter = ',', default_value = "sgd,momentum,nesterov,adagrad,rmsprop,adam", value_parser = parse_optimizer)]
    pub optimizers: Vec<OptimizerKind>,
    /// Hidden sizes, comma-separated (1 to 65536 each).
    #[arg(long, value_delimiter = ',', default_value = "10", value_parser = count(layers::two_layer_net::MAX_WIDTH))]
    pub hidden_sizes: Vec<usize>,
    /// Learning rates, comma-separated: `0.1` for every optimizer, `adam=0.1` for one
    /// [default: one that trains the spiral, per optimizer: sgd 1, momentum 0.3, nesterov 0.3,
    /// adagrad 1, rmsprop 0.03, adam 0.03].
    #[arg(long, value_delimiter = ',', value_name = "LR|OPTIMIZER=LR")]
    pub lrs: Vec<chapter1::Lr>,
    /// Optimizers without a --lrs entry at the book's learning rates instead (train.py's 1.0 for
    /// sgd, each class's default for the others: 0.01, adam 0.001).
    #[arg(long)]
    pub book_lrs: bool,
    /// Precisions, comma-separated (f64, f32).
    #[arg(long, value_delimiter = ',', default_value = "f64", value_parser = named::<Precision>)]
    pub precisions: Vec<Precision>,
    /// Clip the global gradient norm to this value.
    #[arg(long)]
    pub max_grad: Option<f64>,
    /// Train on your own points: a CSV file with the header `x1,x2,label`.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Hold out this fraction of each class's points for validation, the same points for every
    /// run (0: none).
    #[arg(long, value_name = "F", default_value_t = chapter1::DEFAULT_VAL_SPLIT, value_parser = fraction)]
    pub val_split: f64,
    /// Passes over the data (1 to 1000000).
    #[arg(long, default_value_t = 300, value_parser = count(MAX_EPOCH))]
    pub max_epoch: usize,
    /// Samples per mini-batch (at most the number of points).
    #[arg(long, default_value_t = 30, value_parser = count(data::csv::MAX_ROWS))]
    pub batch_size: usize,
    /// Seed of the book's random stream.
    #[arg(long, default_value_t = 1984)]
    pub seed: u32,
    /// Frames of compare.gif and compare.html (2 to 1000).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(2..=1000))]
    pub frames: u16,
    /// Draw the loss chart on a log scale.
    #[arg(long)]
    pub log: bool,
    /// Output folder.
    #[arg(long, default_value = "out/compare")]
    pub out: PathBuf,
    /// Print only the summary.
    #[arg(long)]
    pub quiet: bool,
}

impl CompareArgs {
    /// The library's settings.
    pub fn config(&self) -> chapter1::CompareConfig {
        chapter1::CompareConfig {
            optimizers: self.optimizers.clone(),
            hidden_sizes: self.hidden_sizes.clone(),
            lrs: self.lrs.clone(),
            book_lrs: self.book_lrs,
            precisions: self.precisions.clone(),
            max_grad: self.max_grad,
            data: self.data.clone(),
            val_split: (self.val_split > 0.0).then_some(self.val_split),
            max_epoch: self.max_epoch,
            batch_size: self.batch_size,
            seed: self.seed,
            frames: self.frames,
            log: self.log,
            out: self.out.clone(),
        }
    }
}

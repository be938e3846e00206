//! A run in the page: the chapter's Trainer on the run's data, stepped an iteration at a time
//! (`Trainer::begin_epoch` / `fit_iteration` / `end_epoch`, the same steps `fit` takes), with its
//! loss records, scores and gradient norms for the page's views.

use layers::TwoLayerNet;
use tensor::random::BookRng;
use tensor::{Device, Element, Labels, Params, Tensor};
use train::{FitConfig, Silent, Trainer};

use crate::dataset::{self, Data};
use crate::error::Result;
use crate::settings::{Precision, Settings};

/// The loss records, as the Trainer keeps them: every 10 iterations (the chapter's
/// `eval_interval`).
pub const EVAL_INTERVAL: usize = 10;

/// A run of either precision.
pub struct Session {
    /// The settings it was made from.
    pub settings: Settings,
    /// Its data.
    pub data: Data,
    run: Run,
}

enum Run {
    F64(Typed<f64>),
    F32(Typed<f32>),
}

/// Dispatches `$body` on the run's element type, with `$t` the typed run.
macro_rules! typed {
    ($run:expr, $t:ident => $body:expr) => {
        match $run {
            Run::F64($t) => $body,
            Run::F32($t) => $body,
        }
    };
}

struct Typed<T: Element> {
    trainer: Trainer<T, TwoLayerNet<T>>,
    x: Tensor<T>,
    t: Labels,
    rng: BookRng,
    fit: FitConfig,
    max_iters: usize,
    /// The iteration of the current epoch that comes next (0: the epoch is not begun).
    next_iter: usize,
}

impl<T: Element> Typed<T> {
    fn new(s: &Settings, d: &Data, mut rng: BookRng) -> Result<Self> {
        let x = Tensor::<T>::from_f64(d.x.view(), Device::Cpu)?;
        let t = Labels::from_indices(&d.labels, d.classes)?;
        let model = TwoLayerNet::new(2, s.hidden, d.classes, &mut rng, Device::Cpu)?;
        let mut trainer = Trainer::with_boxed(model, optim::build::<T>(s.optimizer, s.lr)?);
        trainer.track_grad_norms = true;
        trainer.track_metrics = true;
        if !d.held_labels.is_empty() {
            trainer.validation = Some(train::Validation::new(
                Tensor::from_f64(d.held_x.view(), Device::Cpu)?,
                Labels::from_indices(&d.held_labels, d.classes)?,
            )?);
        }
        // The page trains as long as it is asked to: `max_epoch` only sizes the record lists
        // `begin` reserves.
        let fit = FitConfig {
            max_epoch: 1,
            batch_size: s.batch,
            max_grad: s.max_grad,
            eval_interval: Some(EVAL_INTERVAL),
        };
        trainer.begin(&x, &t, &fit)?;
        let max_iters = x.rows() / s.batch;
        Ok(Typed {
            trainer,
            x,
            t,
            rng,
            fit,
            max_iters,
            next_iter: 0,
        })
    }

    fn step(&mut self) -> Result<()> {
        if self.next_iter == 0 {
            self.trainer
                .begin_epoch(&self.x, &self.t, &self.fit, &mut self.rng, &mut Silent)?;
        }
        self.trainer
            .fit_iteration(self.next_iter, &self.x, &self.t, &self.fit, &mut Silent)?;
        self.next_iter += 1;
        if self.next_iter == self.max_iters {
            self.trainer.end_epoch();
            self.next_iter = 0;
        }
        Ok(())
    }

    fn params(&mut self) -> Result<Vec<(&'static str, ndarray::Array2<f64>)>> {
        let mut out = Vec::new();
        self.trainer.model.visit_params(&mut |p| {
            out.push((p.name, p.value.to_f64_array()?));
            Ok(())
        })?;
        Ok(out)
    }
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// Epochs completed.
    pub epoch: usize,
    /// Iterations of the current epoch done.
    pub iter: usize,
    /// Iterations an epoch has.
    pub max_iters: usize,
    /// Steps taken in all.
    pub steps: usize,
    /// Steps whose gradients `max_grad` scaled down.
    pub clipped: usize,
    /// The last step's global gradient norm.
    pub grad_norm: Option<f64>,
}

impl Session {
    /// A fresh run of `settings` (on `csv`, the dropped points, when the data is `csv`).
    pub fn new(settings: Settings, csv: Option<&data::csv::LabeledPoints>) -> Result<Session> {
        let (data, rng) = dataset::make(&settings, csv)?;
        let run = match settings.precision {
            Precision::F64 => Run::F64(Typed::new(&settings, &data, rng)?),
            Precision::F32 => Run::F32(Typed::new(&settings, &data, rng)?),
        };
        Ok(Session {
            settings,
            data,
            run,
        })
    }

    /// `n` more iterations (stops at the first error: a diverged run stays where it stopped).
    pub fn step(&mut self, n: usize) -> Result<()> {
        for _ in 0..n {
            typed!(&mut self.run, r => r.step())?;
        }
        Ok(())
    }

    /// The rest of the current epoch, or a whole one when none is under way.
    pub fn step_epoch(&mut self) -> Result<()> {
        let left = typed!(&self.run, r => r.max_iters - r.next_iter);
        self.step(left)
    }

    /// Where the run stands.
    pub fn status(&self) -> Status {
        typed!(&self.run, r => Status {
            epoch: r.trainer.current_epoch,
            iter: r.next_iter,
            max_iters: r.max_iters,
            steps: r.trainer.current_epoch * r.max_iters + r.next_iter,
            clipped: r.trainer.clipped_steps,
            grad_norm: r.trainer.grad_norms.last().copied(),
        })
    }

    /// `(iteration, loss)` of every record so far.
    pub fn records(&self) -> Vec<(usize, f64)> {
        typed!(&self.run, r => r.trainer.records())
    }

    /// The scores at the records (training accuracy; validation loss and accuracy).
    pub fn metrics(&self) -> &[train::RecordMetrics] {
        typed!(&self.run, r => &r.trainer.metrics)
    }

    /// The params by name (`W1`, `b1`, `W2`, `b2`), as f64.
    pub fn params(&mut self) -> Result<Vec<(&'static str, ndarray::Array2<f64>)>> {
        typed!(&mut self.run, r => r.params())
    }

    /// The params file (`model.safetensors`, as the CLI writes it, checksum included).
    pub fn model_file(&mut self) -> Result<Vec<u8>> {
        let path = std::path::Path::new("model.safetensors");
        Ok(typed!(&mut self.run, r => train::checkpoint::params_bytes(&mut r.trainer.model, path))?)
    }
}

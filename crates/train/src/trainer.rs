//! The book's `Trainer` (§1.4.4, `common/trainer.py`).

use crate::clock::Instant;

use layers::Model;
use optim::Optimizer;
use tensor::random::RandomSource;
use tensor::{Element, Labels, Tensor, ops};

use crate::clip::{clip, grad_norm};
use crate::config::FitConfig;
use crate::error::{Result, TrainError};
use crate::metrics::{self, RecordMetrics, Validation};
use crate::observer::{EvalRecord, FitObserver, Snapshot};

/// Trains a model with an optimizer, keeping the loss history across `fit` calls.
pub struct Trainer<T: Element, M: Model<T>> {
    /// The model being trained.
    pub model: M,
    /// The optimizer.
    pub optimizer: Box<dyn Optimizer<T>>,
    /// Average losses, one per evaluation point (the book's `loss_list`).
    pub loss_list: Vec<f64>,
    /// The global iteration (1-based, counted over every epoch) of each `loss_list` record: the
    /// x axis of `loss.csv`, kept here so that no caller re-derives the recording rule.
    pub loss_iterations: Vec<usize>,
    /// The `eval_interval` of the last `fit` (x-axis unit of the loss plot).
    pub eval_interval: Option<usize>,
    /// Epochs completed so far.
    pub current_epoch: usize,
    /// Whether every step records its global gradient norm in [`Trainer::grad_norms`]. A fit
    /// with `max_grad` computes the norm anyway; without it, this costs one extra pass over the
    /// grads a step (the numbers trained are the same either way).
    pub track_grad_norms: bool,
    /// The global L2 norm of the grads (before clipping) of every step, across fits, when
    /// [`Trainer::track_grad_norms`] is on.
    pub grad_norms: Vec<f64>,
    /// Steps whose grads were scaled down by `max_grad`, across fits.
    pub clipped_steps: usize,
    /// Whether loss records are scored into [`Trainer::metrics`] (accuracy on the training data,
    /// and loss and accuracy on [`Trainer::validation`]). Scoring changes no training number.
    pub track_metrics: bool,
    /// Held-out data scored at the records when [`Trainer::track_metrics`] is on.
    pub validation: Option<Validation<T>>,
    /// The scores at the loss records of this process's fits: every record, or every
    /// [`metrics::stride`]-th one when the data is larger than the samples trained between two
    /// records (each score carries its iteration).
    pub metrics: Vec<RecordMetrics>,
    /// Data order and pending losses of the current fit.
    state: FitState,
    /// When the current fit began (for the log line's time).
    started: Instant,
    /// Buffers reused by every step.
    buffers: Buffers<T>,
}

#[derive(Debug)]
struct Buffers<T: Element> {
    perm: Vec<usize>,
    next: Vec<usize>,
    x: Tensor<T>,
    t: Labels,
}

impl<T: Element, M: Model<T>> Trainer<T, M> {
    /// `Trainer(model, optimizer)`.
    pub fn new(model: M, optimizer: impl Optimizer<T> + 'static) -> Self {
        Self::with_boxed(model, Box::new(optimizer))
    }

    /// A trainer with an optimizer chosen at run time.
    pub fn with_boxed(model: M, optimizer: Box<dyn Optimizer<T>>) -> Self {
        Trainer {
            model,
            optimizer,
            loss_list: Vec::new(),
            loss_iterations: Vec::new(),
            eval_interval: None,
            current_epoch: 0,
            track_grad_norms: false,
            grad_norms: Vec::new(),
            clipped_steps: 0,
            track_metrics: false,
            validation: None,
            metrics: Vec::new(),
            state: FitState::default(),
            started: Instant::now(),
            buffers: Buffers {
                perm: Vec::new(),
                next: Vec::new(),
                x: Tensor::empty(),
                t: Labels::with_classes(0),
            },
        }
    }

    /// `fit(x, t, max_epoch, batch_size, max_grad, eval_interval)`.
    ///
    /// Each epoch draws `permutation(N)` from `rng` and reorders the data with it, as the book's
    /// `x = x[idx]` does (so orders compound across epochs), then steps through
    /// `N / batch_size` mini-batches. Every `eval_interval` iterations the average loss since the
    /// last record is appended to `loss_list` and passed to `observer`.
    ///
    /// Equivalent to [`Trainer::begin`] followed by `max_epoch` calls of [`Trainer::fit_epoch`].
    ///
    /// ```
    /// use layers::TwoLayerNet;
    /// use tensor::random::BookRng;
    /// use tensor::{Device, Labels, Tensor};
    /// use train::{FitConfig, Silent, Trainer};
    ///
    /// // `ch01/train.py`, for 3 of its 300 epochs.
    /// let mut rng = BookRng::new(1984);
    /// let spiral = data::load_data_with(&mut rng, 100, 3)?;
    /// let x = Tensor::<f64>::from_f64(spiral.x.view(), Device::Cpu)?;
    /// let t = Labels::from_one_hot(spiral.t.view())?;
    /// let model = TwoLayerNet::new(2, 10, 3, &mut rng, Device::Cpu)?;
    /// let mut trainer = Trainer::new(model, optim::Sgd::new(1.0)?);
    /// let config = FitConfig {
    ///     max_epoch: 3,
    ///     batch_size: 30,
    ///     max_grad: None,
    ///     eval_interval: Some(10),
    /// };
    /// trainer.fit(&x, &t, &config, &mut rng, &mut Silent)?;
    /// // One record every 10 iterations, 10 iterations an epoch; the first is the book's.
    /// assert_eq!(trainer.loss_list.len(), 3);
    /// assert_eq!(trainer.loss_list[0], 1.0979835927063497);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit(
        &mut self,
        x: &Tensor<T>,
        t: &Labels,
        config: &FitConfig,
        rng: &mut dyn RandomSource,
        observer: &mut dyn FitObserver,
    ) -> Result<()> {
        self.begin(x, t, config)?;
        for _ in 0..config.max_epoch {
            self.fit_epoch(x, t, config, rng, observer)?;
        }
        Ok(())
    }

    /// Starts a fit: checks the data and settings, and puts the data in its original order with
    /// no pending losses (what the book's `fit` does on entry).
    pub fn begin(&mut self, x: &Tensor<T>, t: &Labels, config: &FitConfig) -> Result<()> {
        let data_size = x.rows();
        config.check_data(data_size, t.len())?;
        let max_iters = data_size / config.batch_size;
        self.eval_interval = config.eval_interval;
        if let Some(every) = config.eval_interval {
            let records = config.max_epoch * max_iters.div_ceil(every);
            self.loss_list.reserve(records);
            self.loss_iterations.reserve(records);
        }
        self.state.order.clear();
        self.state.order.extend(0..data_size);
        self.state.pending_loss = 0.0;
        self.state.pending_count = 0;
        self.started = Instant::now();
        Ok(())
    }

    /// The epochs of the current fit from [`Trainer::current_epoch`] (0 after [`Trainer::begin`],
    /// later after a checkpoint was loaded) up to `config.max_epoch`, calling `on_epoch` after
    /// each with the trainer and the stream as they stand (where checkpoints are saved). Stops at
    /// the first error, the epoch's or the hook's.
    pub fn fit_remaining<R: RandomSource>(
        &mut self,
        x: &Tensor<T>,
        t: &Labels,
        config: &FitConfig,
        rng: &mut R,
        observer: &mut dyn FitObserver,
        mut on_epoch: impl FnMut(&mut Self, &R) -> Result<()>,
    ) -> Result<()> {
        while self.current_epoch < config.max_epoch {
            self.fit_epoch(x, t, config, rng, observer)?;
            on_epoch(self, rng)?;
        }
        Ok(())
    }

    /// The device the model's params live on.
    pub fn model_device(&mut self) -> tensor::Device {
        let mut device = tensor::Device::Cpu;
        let _ = self.model.visit_params(&mut |p| {
            device = p.value.device();
            Ok(())
        });
        device
    }

    /// Where the fit stands between epochs (for checkpoints).
    pub fn state(&self) -> &FitState {
        &self.state
    }

    /// Restores a saved [`FitState`]; `fit_epoch` then continues from it exactly.
    pub fn set_state(&mut self, state: FitState) {
        self.state = state;
        self.started = Instant::now();
    }

    /// One epoch of the current fit: shuffle, then every mini-batch.
    pub fn fit_epoch(
        &mut self,
        x: &Tensor<T>,
        t: &Labels,
        config: &FitConfig,
        rng: &mut dyn RandomSource,
        observer: &mut dyn FitObserver,
    ) -> Result<()> {
        let max_iters = self.begin_epoch(x, t, config, rng, observer)?;
        for iters in 0..max_iters {
            self.fit_iteration(iters, x, t, config, observer)?;
        }
        self.end_epoch();
        Ok(())
    }

    /// The start of an epoch of the current fit ([`Trainer::fit_epoch`] in steps, for callers
    /// that train an iteration at a time, as the browser playground does): checks the data,
    /// draws the epoch's shuffle, and returns the iterations the epoch has. Then
    /// [`Trainer::fit_iteration`] for each in order, then [`Trainer::end_epoch`].
    pub fn begin_epoch(
        &mut self,
        x: &Tensor<T>,
        t: &Labels,
        config: &FitConfig,
        rng: &mut dyn RandomSource,
        observer: &mut dyn FitObserver,
    ) -> Result<usize> {
        let data_size = x.rows();
        if self.state.order.len() != data_size || t.len() != data_size {
            return Err(TrainError::BadData(format!(
                "the fit was begun on {} samples, this epoch has {data_size} (call begin first)",
                self.state.order.len()
            )));
        }
        config.validate(data_size)?;
        let max_iters = data_size / config.batch_size;
        self.eval_interval = config.eval_interval;

        let b = &mut self.buffers;
        b.perm.clear();
        b.perm.extend(0..data_size);
        rng.shuffle(&mut b.perm);
        b.next.resize(data_size, 0);
        for (n, &p) in b.next.iter_mut().zip(&b.perm) {
            *n = self.state.order[p];
        }
        std::mem::swap(&mut self.state.order, &mut b.next);

        if self.current_epoch == 0 {
            self.snapshot_if_wanted(0, max_iters, observer)?;
        }
        Ok(max_iters)
    }

    /// Iteration `iters` (0-based) of the epoch [`Trainer::begin_epoch`] started: one
    /// mini-batch step, and a loss record when the recording rule says so.
    pub fn fit_iteration(
        &mut self,
        iters: usize,
        x: &Tensor<T>,
        t: &Labels,
        config: &FitConfig,
        observer: &mut dyn FitObserver,
    ) -> Result<()> {
        let data_size = x.rows();
        let batch_size = config.batch_size;
        let max_iters = data_size / batch_size;
        if iters >= max_iters || self.state.order.len() != data_size {
            return Err(TrainError::BadData(format!(
                "iteration {iters} of an epoch of {max_iters} (call begin_epoch first)"
            )));
        }
        let first_step = (self.current_epoch * max_iters) as u64;
        let b = &mut self.buffers;
        let idx = &self.state.order[iters * batch_size..(iters + 1) * batch_size];
        ops::gather_rows(x, idx, &mut b.x)?;
        b.t.gather(t, idx)?;
        let done = step(
            &mut self.model,
            self.optimizer.as_mut(),
            &b.x,
            &b.t,
            config.max_grad,
            self.track_grad_norms,
        )
        .map_err(|e| e.at(self.current_epoch + 1, iters + 1))?;
        let loss = self.count(done);
        self.state.pending_loss = add_in::<T>(self.state.pending_loss, loss);
        self.state.pending_count += 1;
        observer.on_step(self.current_epoch, iters, max_iters);
        self.snapshot_if_wanted(first_step + iters as u64 + 1, max_iters, observer)?;

        if let Some(every) = config.eval_interval
            && records_at(iters, every)
        {
            let avg_loss = mean_in::<T>(self.state.pending_loss, self.state.pending_count);
            self.loss_list.push(avg_loss);
            self.loss_iterations
                .push(self.current_epoch * max_iters + iters + 1);
            observer.on_eval(&EvalRecord {
                epoch: self.current_epoch + 1,
                iter: iters + 1,
                max_iters,
                elapsed: Some(self.started.elapsed().as_secs_f64()),
                loss: avg_loss,
            });
            self.state.pending_loss = 0.0;
            self.state.pending_count = 0;
            if self.track_metrics {
                let held = self.validation.as_ref().map_or(0, |v| v.t.len());
                let stride = metrics::stride(data_size + held, every, batch_size);
                if (self.loss_list.len() - 1).is_multiple_of(stride) {
                    self.score(x, t, self.current_epoch * max_iters + iters + 1)?;
                }
            }
        }
        Ok(())
    }

    /// The end of an epoch begun with [`Trainer::begin_epoch`].
    pub fn end_epoch(&mut self) {
        self.current_epoch += 1;
    }

    /// Scores the model as it stands after `iteration` into [`Trainer::metrics`].
    fn score(&mut self, x: &Tensor<T>, t: &Labels, iteration: usize) -> Result<()> {
        let train_accuracy = crate::accuracy(&mut self.model, x, t)?;
        let validation = match &self.validation {
            Some(v) => Some(metrics::scores(&mut self.model, &v.x, &v.t)?),
            None => None,
        };
        self.metrics.push(RecordMetrics {
            iteration,
            train_accuracy,
            validation,
        });
        Ok(())
    }
}

impl<T: Element, M: Model<T>> Trainer<T, M> {
    /// Hands the observer a copy of the params after `step` steps, when it wants one.
    fn snapshot_if_wanted(
        &mut self,
        step: u64,
        max_iters: usize,
        observer: &mut dyn FitObserver,
    ) -> Result<()> {
        if !observer.wants_snapshot(step) {
            return Ok(());
        }
        let mut params = Vec::new();
        self.model.visit_params(&mut |p| {
            params.push((p.name, p.value.to_f64_array()?));
            Ok(())
        })?;
        observer.on_snapshot(Snapshot {
            step,
            epoch: step as f64 / max_iters.max(1) as f64,
            params,
        });
        Ok(())
    }
}

/// `sum + loss` in the model's element type, widened back: the book's Trainer adds the numpy
/// scalars its model returns (`np.float32` in an f32 run), so an f32 run's records are f32 sums.
/// For f64 this is the plain sum.
pub(crate) fn add_in<T: Element>(sum: f64, loss: f64) -> f64 {
    (T::from_f64(sum) + T::from_f64(loss)).to_f64()
}

/// `sum / count` in the model's element type, widened back (the book's `total_loss /
/// loss_count`, a numpy scalar of the model's type divided by an integer).
pub(crate) fn mean_in<T: Element>(sum: f64, count: usize) -> f64 {
    (T::from_f64(sum) / T::from_f64(count as f64)).to_f64()
}

/// The recording rule of `fit` (`common/trainer.py`): iteration `iter` of an epoch (0-based)
/// records the average loss when `iter % eval_interval == 0`.
fn records_at(iter: usize, eval_interval: usize) -> bool {
    iter.is_multiple_of(eval_interval)
}

/// The global (1-based) iterations of the first `records` loss records of a fit with `max_iters`
/// steps per epoch, by `fit`'s own rule: what [`Trainer::loss_iterations`] holds after that fit
/// (and what a resumed checkpoint's history is given back).
pub fn record_iterations(records: usize, max_iters: usize, eval_interval: usize) -> Vec<usize> {
    let every = eval_interval.max(1);
    (0..)
        .flat_map(|epoch| {
            (0..max_iters)
                .filter(move |&i| records_at(i, every))
                .map(move |i| epoch * max_iters + i + 1)
        })
        .take(if max_iters == 0 { 0 } else { records })
        .collect()
}

impl<T: Element, M: Model<T>> Trainer<T, M> {
    /// `(iteration, loss)` for every record: [`Trainer::loss_iterations`] beside `loss_list`.
    pub fn records(&self) -> Vec<(usize, f64)> {
        self.loss_iterations
            .iter()
            .copied()
            .zip(self.loss_list.iter().copied())
            .collect()
    }
}

/// Where a fit stands between epochs. With the params, the optimizer's state, the random stream,
/// `current_epoch` and `loss_list`, this is everything a checkpoint needs to resume bit for bit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FitState {
    /// The current order of the data: the book's `x = x[idx]` compounds every epoch's shuffle.
    pub order: Vec<usize>,
    /// Sum of the batch losses since the last record (a record can average across epochs).
    pub pending_loss: f64,
    /// How many losses that sum holds.
    pub pending_count: usize,
}

/// A step's failure before it knows where in the run it happened.
enum StepError {
    NonFinite(String),
    Other(TrainError),
}

impl<E: Into<TrainError>> From<E> for StepError {
    fn from(e: E) -> Self {
        StepError::Other(e.into())
    }
}

impl StepError {
    fn at(self, epoch: usize, iter: usize) -> TrainError {
        match self {
            StepError::NonFinite(what) => TrainError::Diverged { epoch, iter, what },
            StepError::Other(e) => e,
        }
    }
}

/// What one step did.
struct Stepped {
    loss: f64,
    /// The global gradient norm, when it was computed (clipping or tracking).
    norm: Option<f64>,
    clipped: bool,
}

/// One training step: forward, backward, optional clipping, update.
///
/// A non-finite loss or gradient stops before the update, so the params stay those of the last
/// finite step.
fn step<T: Element, M: Model<T>>(
    model: &mut M,
    optimizer: &mut dyn Optimizer<T>,
    x: &Tensor<T>,
    t: &Labels,
    max_grad: Option<f64>,
    track_norm: bool,
) -> std::result::Result<Stepped, StepError> {
    let loss = model.forward(x, t)?.to_f64();
    if !loss.is_finite() {
        return Err(StepError::NonFinite("loss".to_string()));
    }
    model.backward()?;
    if let Some(name) = ops::grads::first_non_finite(model)? {
        return Err(StepError::NonFinite(format!("the gradient of {name}")));
    }
    let (norm, clipped) = match max_grad {
        Some(max_norm) => {
            let c = clip(model, max_norm)?;
            (Some(c.norm), c.scaled)
        }
        None if track_norm => (Some(grad_norm(model)?), false),
        None => (None, false),
    };
    optimizer.update(model)?;
    Ok(Stepped {
        loss,
        norm,
        clipped,
    })
}

impl<T: Element, M: Model<T>> Trainer<T, M> {
    /// One step on a ready-made batch (what `fit` does per iteration), for custom loops and
    /// benchmarks. Returns the batch loss.
    pub fn step(&mut self, x: &Tensor<T>, t: &Labels, max_grad: Option<f64>) -> Result<f64> {
        let done = step(
            &mut self.model,
            self.optimizer.as_mut(),
            x,
            t,
            max_grad,
            self.track_grad_norms,
        )
        .map_err(|e| e.at(self.current_epoch + 1, 0))?;
        Ok(self.count(done))
    }

    /// Keeps a step's gradient norm and clipping count; returns its loss.
    fn count(&mut self, done: Stepped) -> f64 {
        if done.clipped {
            self.clipped_steps += 1;
        }
        if self.track_grad_norms
            && let Some(n) = done.norm
        {
            self.grad_norms.push(n);
        }
        done.loss
    }
}

//! The training runs of the chapter, generic over the element type.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use data::{BookRng, Spiral, load_data_with};
use layers::TwoLayerNet;
use tensor::{Device, Float, Labels, Tensor};
use train::{FitConfig, FitObserver, Trainer, accuracy, train_custom_loop};
use viz::{ClassGrid, Grid, classify_grid};

use super::{Chapter1Args, Precision};
use crate::progress::Progress;

/// The result of the §1.4.3 run.
#[derive(Debug, Clone)]
pub struct CustomLoopRun {
    /// Average losses, one per `eval_interval` iterations.
    pub loss_list: Vec<f64>,
    /// Training accuracy at the end.
    pub accuracy: f64,
    /// Training time.
    pub seconds: f64,
    /// The classified decision-boundary grid.
    pub grid: ClassGrid,
    /// Time to classify it.
    pub grid_seconds: f64,
}

impl CustomLoopRun {
    /// The last recorded loss.
    pub fn final_loss(&self) -> f64 {
        self.loss_list.last().copied().unwrap_or(f64::NAN)
    }
}

/// The result of a `Trainer` run.
#[derive(Debug, Clone)]
pub struct TrainerRun {
    /// `"f64"` or `"f32"`.
    pub precision: &'static str,
    /// Where it ran.
    pub device: Device,
    /// The Trainer's `loss_list`.
    pub loss_list: Vec<f64>,
    /// The global (1-based) iteration of each loss record.
    pub iterations: Vec<usize>,
    /// `eval_interval`.
    pub eval_interval: usize,
    /// Training accuracy at the end.
    pub accuracy: f64,
    /// Time in `fit`.
    pub seconds: f64,
}

impl TrainerRun {
    /// The last recorded loss.
    pub fn final_loss(&self) -> f64 {
        self.loss_list.last().copied().unwrap_or(f64::NAN)
    }

    /// `trainer.plot()`.
    pub fn write_plot(&self, path: &Path) -> Result<()> {
        viz::plot_loss(
            &self.loss_list,
            self.eval_interval,
            None,
            path,
            viz::DEFAULT_SIZE,
        )?;
        Ok(())
    }
}

/// What every book script starts with: the seeded stream, the data, a fresh model.
struct Setup<T: Float> {
    rng: BookRng,
    x: Tensor<T>,
    t: Labels,
    model: TwoLayerNet<T>,
}

/// Seeds the stream, loads the spiral and builds the model from the same stream, as the book does.
fn setup<T: Float>(args: &Chapter1Args, device: Device) -> Result<Setup<T>> {
    let mut rng = BookRng::new(args.seed);
    let spiral = load_data_with(
        &mut rng,
        data::spiral::POINTS_PER_CLASS,
        data::spiral::CLASSES,
    )?;
    let x = Tensor::from_f64(spiral.x.view(), device)?;
    let t = Labels::from_one_hot(spiral.t.view())?;
    let model = TwoLayerNet::new(2, args.hidden_size, t.classes(), &mut rng, device)?;
    Ok(Setup { rng, x, t, model })
}

/// §1.4.3: `train_custom_loop.py`, then the decision boundary of its model.
pub fn custom_loop<T: Float>(
    args: &Chapter1Args,
    spiral: &Spiral,
    labels: &[usize],
) -> Result<CustomLoopRun> {
    let Setup {
        mut rng,
        x,
        t,
        mut model,
    } = setup::<T>(args, args.device)?;
    let mut optimizer = args.optimizer.build::<T>(args.lr())?;
    let config = FitConfig {
        max_grad: None,
        ..args.fit_config()
    };
    let steps = (args.max_epoch * (x.rows() / args.batch_size)) as u64;
    let mut progress = Progress::new(steps, "custom loop", 50, args.quiet);
    let start = Instant::now();
    let loss_list = train_custom_loop(
        &mut model,
        optimizer.as_mut(),
        &x,
        &t,
        &config,
        &mut rng,
        &mut progress as &mut dyn FitObserver,
    )
    .context("custom loop")?;
    let seconds = start.elapsed().as_secs_f64();
    progress.finish();
    let acc = accuracy(&mut model, &x, &t)?;

    let out = &args.out;
    viz::plot_loss(
        &loss_list,
        args.eval_interval,
        None,
        &out.join("loss.png"),
        viz::DEFAULT_SIZE,
    )?;
    viz::plot_loss(
        &loss_list,
        args.eval_interval,
        None,
        &out.join("loss.svg"),
        viz::DEFAULT_SIZE,
    )?;
    let start = Instant::now();
    let grid = Grid::around(spiral.x.view(), args.grid_step)?;
    let classes = classify_grid(&model, &grid, args.device)?;
    let grid_seconds = start.elapsed().as_secs_f64();
    viz::plot_decision_boundary(
        &grid,
        &classes,
        spiral.x.view(),
        labels,
        &out.join("decision_boundary.png"),
        (800, 640),
    )?;
    Ok(CustomLoopRun {
        loss_list,
        accuracy: acc,
        seconds,
        grid: classes,
        grid_seconds,
    })
}

/// §1.4.4: `train.py` with the Trainer, in the given precision and on the given device.
pub fn trainer_run_for(
    precision: Precision,
    args: &Chapter1Args,
    device: Device,
    show: bool,
) -> Result<TrainerRun> {
    match precision {
        Precision::F64 => trainer_run::<f64>(args, device, show),
        Precision::F32 => trainer_run::<f32>(args, device, show),
    }
}

/// Records where each loss record was taken, and shows progress.
struct Recorder {
    progress: Progress,
    iterations: Vec<usize>,
}

impl FitObserver for Recorder {
    fn on_eval(&mut self, r: &train::EvalRecord) {
        self.iterations.push((r.epoch - 1) * r.max_iters + r.iter);
        self.progress.on_eval(r);
    }

    fn on_step(&mut self, epoch: usize, iter: usize, max_iters: usize) {
        self.progress.on_step(epoch, iter, max_iters);
    }
}

fn trainer_run<T: Float>(args: &Chapter1Args, device: Device, show: bool) -> Result<TrainerRun> {
    let Setup {
        mut rng,
        x,
        t,
        model,
    } = setup::<T>(args, device)?;
    let optimizer = args.optimizer.build::<T>(args.lr())?;
    let mut trainer = Trainer::with_boxed(model, optimizer);
    let steps = (args.max_epoch * (x.rows() / args.batch_size)) as u64;
    let label = format!("{} {}", T::NAME, device);
    let mut rec = Recorder {
        progress: Progress::new(steps, &label, 1, args.quiet || !show),
        iterations: Vec::new(),
    };
    let start = Instant::now();
    let fitted = trainer.fit(&x, &t, &args.fit_config(), &mut rng, &mut rec);
    let seconds = start.elapsed().as_secs_f64();
    rec.progress.finish();
    fitted.with_context(|| format!("Trainer run ({} on {device})", T::NAME))?;
    let acc = accuracy(&mut trainer.model, &x, &t)?;
    Ok(TrainerRun {
        precision: T::NAME,
        device,
        loss_list: trainer.loss_list,
        iterations: rec.iterations,
        eval_interval: args.eval_interval,
        accuracy: acc,
        seconds,
    })
}

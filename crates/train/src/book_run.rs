//! `ch01/train.py` as one function: the book's data, model, optimizer and `fit`, on any device.

use layers::TwoLayerNet;
use optim::Sgd;
use tensor::random::BookRng;
use tensor::{Device, Element, Labels, Tensor};

use crate::accuracy::accuracy;
use crate::config::FitConfig;
use crate::error::Result;
use crate::observer::Silent;
use crate::trainer::Trainer;

/// `fit(x, t, max_epoch=300, batch_size=30, eval_interval=10)`, as `train.py` calls it.
pub const TRAIN_PY: FitConfig = FitConfig {
    max_epoch: 300,
    batch_size: 30,
    max_grad: None,
    eval_interval: Some(10),
};

/// What the run leaves: the Trainer's `loss_list` and the final training accuracy.
#[derive(Debug, Clone, PartialEq)]
pub struct BookRun {
    /// The Trainer's loss history.
    pub loss_list: Vec<f64>,
    /// Training accuracy at the end.
    pub accuracy: f64,
}

impl BookRun {
    /// The largest `|a - b|` between this run's loss curve and `other`'s (infinite when their
    /// lengths differ).
    pub fn max_loss_diff(&self, other: &BookRun) -> f64 {
        if self.loss_list.len() != other.loss_list.len() {
            return f64::INFINITY;
        }
        self.loss_list
            .iter()
            .zip(&other.loss_list)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    }
}

/// Runs `train.py` with `seed` on `device`: spiral data, `TwoLayerNet(2, 10, 3)` from the same
/// random stream, `SGD(lr=1.0)`, and `config` (normally [`TRAIN_PY`]).
pub fn book_run<T: Element>(seed: u32, device: Device, config: &FitConfig) -> Result<BookRun> {
    let mut rng = BookRng::new(seed);
    let s = data::load_data_with(
        &mut rng,
        data::spiral::POINTS_PER_CLASS,
        data::spiral::CLASSES,
    )?;
    let x = Tensor::<T>::from_f64(s.x.view(), device)?;
    let t = Labels::from_one_hot(s.t.view())?;
    let model = TwoLayerNet::new(2, 10, 3, &mut rng, device)?;
    let mut trainer = Trainer::new(model, Sgd::new(1.0)?);
    trainer.fit(&x, &t, config, &mut rng, &mut Silent)?;
    let accuracy = accuracy(&mut trainer.model, &x, &t)?;
    Ok(BookRun {
        loss_list: trainer.loss_list,
        accuracy,
    })
}

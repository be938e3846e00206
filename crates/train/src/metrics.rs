//! What the Trainer scores beside the book's loss history, when asked: accuracy on the training
//! data and loss and accuracy on held-out data, at the loss records. Scoring reads the params and
//! never changes them, nor the random stream, so a run's numbers are the same with it or without.

use layers::Model;
use tensor::{Element, Labels, Tensor};

use crate::accuracy::accuracy;
use crate::error::{Result, TrainError};

/// The scores at one loss record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordMetrics {
    /// The global (1-based) iteration of the record, as in [`crate::Trainer::loss_iterations`].
    pub iteration: usize,
    /// Accuracy on all the training data after that iteration.
    pub train_accuracy: f64,
    /// Loss and accuracy on the held-out data, when the Trainer has some.
    pub validation: Option<Scores>,
}

/// A model's loss and accuracy on some data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// The mean cross-entropy loss.
    pub loss: f64,
    /// The share of points whose largest score is their class.
    pub accuracy: f64,
}

/// Loss and accuracy of `model` on `x`, `t`.
pub fn scores<T: Element>(model: &mut dyn Model<T>, x: &Tensor<T>, t: &Labels) -> Result<Scores> {
    let loss = model.forward(x, t)?.to_f64();
    Ok(Scores {
        loss,
        accuracy: accuracy(model, x, t)?,
    })
}

/// Held-out data the Trainer scores at its records.
#[derive(Debug)]
pub struct Validation<T: Element> {
    /// Points.
    pub x: Tensor<T>,
    /// Their classes.
    pub t: Labels,
}

impl<T: Element> Validation<T> {
    /// Held-out points and their classes; one label per point.
    pub fn new(x: Tensor<T>, t: Labels) -> Result<Self> {
        if x.rows() != t.len() || x.is_empty() {
            return Err(TrainError::BadData(format!(
                "validation data: {} samples but {} labels",
                x.rows(),
                t.len()
            )));
        }
        Ok(Validation { x, t })
    }
}

/// Every how many loss records the scores are taken, so that scoring costs at most as much as
/// the training between two scored records: every record when the data (training and held-out
/// points) is no larger than the samples trained between records (`eval_interval × batch_size`,
/// the book's run: 300 points, 10 × 30), proportionally fewer for larger data.
pub fn stride(points: usize, eval_interval: usize, batch_size: usize) -> usize {
    points
        .div_ceil(eval_interval.max(1).saturating_mul(batch_size.max(1)))
        .max(1)
}

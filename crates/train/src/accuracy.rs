//! Classification accuracy: the share of samples whose largest score is the true class.

use layers::Model;
use tensor::{Element, Labels, Tensor, ops};

use crate::error::{Result, TrainError};

/// `mean(argmax(model.predict(x), axis=1) == t)`.
pub fn accuracy<T: Element>(model: &mut dyn Model<T>, x: &Tensor<T>, t: &Labels) -> Result<f64> {
    if x.rows() != t.len() || x.is_empty() {
        return Err(TrainError::BadData(format!(
            "{} samples but {} labels",
            x.rows(),
            t.len()
        )));
    }
    let scores = model.predict(x)?;
    let mut predicted = Vec::with_capacity(x.rows());
    ops::argmax_rows(scores, &mut predicted)?;
    let correct = predicted
        .iter()
        .zip(t.indices())
        .filter(|&(&p, &c)| p == c as usize)
        .count();
    Ok(correct as f64 / t.len() as f64)
}

//! `fit`'s settings, with the book's defaults.

use crate::error::{Result, TrainError};

/// The arguments of the book's `Trainer.fit(x, t, max_epoch=10, batch_size=32, max_grad=None,
/// eval_interval=20)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitConfig {
    /// Passes over the data.
    pub max_epoch: usize,
    /// Samples per mini-batch (the last partial batch of an epoch is dropped, as in the book).
    pub batch_size: usize,
    /// Clip the global gradient norm to this value (`None`: no clipping).
    pub max_grad: Option<f64>,
    /// Log (and record the average loss) every this many iterations (`None`: never).
    pub eval_interval: Option<usize>,
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            max_epoch: 10,
            batch_size: 32,
            max_grad: None,
            eval_interval: Some(20),
        }
    }
}

impl FitConfig {
    /// Checks that there is one label per sample, then the settings against that many samples.
    pub fn check_data(&self, samples: usize, labels: usize) -> Result<()> {
        if labels != samples {
            return Err(TrainError::BadData(format!(
                "{samples} samples but {labels} labels"
            )));
        }
        self.validate(samples)
    }

    /// Checks the settings against a data set of `data_size` samples.
    pub fn validate(&self, data_size: usize) -> Result<()> {
        let bad = |name, value: String, expected: String| {
            Err(TrainError::InvalidConfig {
                name,
                value,
                expected,
            })
        };
        if data_size == 0 {
            return Err(TrainError::BadData("the data set is empty".to_string()));
        }
        if self.batch_size == 0 || self.batch_size > data_size {
            return bad(
                "batch_size",
                self.batch_size.to_string(),
                format!("between 1 and the data size ({data_size})"),
            );
        }
        if let Some(m) = self.max_grad
            && !(m.is_finite() && m > 0.0)
        {
            return bad("max_grad", m.to_string(), "a finite number > 0".to_string());
        }
        if self.eval_interval == Some(0) {
            return bad(
                "eval_interval",
                "0".to_string(),
                "at least 1 (or none)".to_string(),
            );
        }
        Ok(())
    }
}

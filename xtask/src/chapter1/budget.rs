//! What a run will need, checked before it starts: the decision-boundary grid (its size, without
//! building it), the memory of the training buffers, and data an f32 run can hold. A run that
//! would not fit stops here with one line, before any training or file.

use anyhow::{Context, Result, bail};
use tensor::float::short;

use super::args::Chapter1Args;
use super::dataset::Dataset;

/// Most memory the training buffers of one run may take (README: "Limits").
pub const MAX_TRAINING_BYTES: u64 = 4 << 30;

/// Checks the run's sizes against the data; returns the grid's `(cols, rows)`.
pub fn check(args: &Chapter1Args, data: &Dataset) -> Result<(usize, usize)> {
    let biggest = data.x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if biggest > f32::MAX as f64 {
        bail!(
            "--data {}: a coordinate of {} is beyond f32's range (about 3.4e38), and the §1.5.1 run \
             trains in f32 too; scale the data down",
            data.name,
            short(biggest)
        );
    }
    let grid = viz::Grid::shape_around(data.x.view(), args.grid_step)
        .context("--grid-step (the decision-boundary grid)")?;
    let bytes = training_bytes(args, data);
    if bytes > MAX_TRAINING_BYTES {
        bail!(
            "--batch-size {} with --hidden-size {} on {} points needs about {:.1} GiB for training \
             (at most {} GiB); use a smaller batch or hidden size",
            args.batch_size,
            args.hidden_size,
            data.len(),
            bytes as f64 / (1u64 << 30) as f64,
            MAX_TRAINING_BYTES >> 30
        );
    }
    Ok(grid)
}

/// The training buffers of one f64 run, counted generously: the data and its batch copies, every
/// layer's activations and gradients for a batch, the params with their grads and up to two
/// optimizer states.
fn training_bytes(args: &Chapter1Args, data: &Dataset) -> u64 {
    let (n, b, h, c) = (
        data.len() as u64,
        args.batch_size as u64,
        args.hidden_size as u64,
        data.classes as u64,
    );
    let data_bytes = n * (2 + c) * 2;
    let batch = b * (2 + 6 * h + 6 * c);
    let params = 4 * (2 * h + h + h * c + c);
    8 * (data_bytes + batch + params)
}

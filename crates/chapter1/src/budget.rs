//! What a run will need, checked before it starts: the decision-boundary grid (its size, without
//! building it), the memory of the training buffers, and data an f32 run can hold. A run that
//! would not fit stops here with one line, before any training or file.

use anyhow::{Context, Result, bail};
use tensor::float::short;

use crate::config::Config;
use crate::dataset::Dataset;

/// Most memory the training buffers of one run may take (README: "Limits").
pub const MAX_TRAINING_BYTES: u64 = 4 << 30;

/// Most memory the frames of a run (or of a comparison) may take: the params kept at every frame
/// and the pictures drawn from them (README: "Limits").
pub const MAX_FRAME_BYTES: u64 = 2 << 30;

/// The frames' memory: `frames` snapshots of the params (as f64) and, per frame, `picture_bytes`
/// of pictures (raw RGB and its PNG, counted generously as twice the raw size).
pub fn frame_bytes(frames: u64, config: &Config, data: &Dataset, picture_bytes: u64) -> u64 {
    let (h, c) = (config.hidden_size as u64, data.classes as u64);
    let params = 2 * h + h + h * c + c;
    frames.saturating_mul(params.saturating_mul(8).saturating_add(2 * picture_bytes))
}

/// Refuses frames that would not fit [`MAX_FRAME_BYTES`], naming `flag`.
pub fn check_frames(bytes: u64, flag: &str) -> Result<()> {
    if bytes > MAX_FRAME_BYTES {
        bail!(
            "{flag} needs about {:.1} GiB for the frames' params and pictures (at most {} GiB); use fewer frames, a smaller hidden size, or --frames 0",
            bytes as f64 / (1u64 << 30) as f64,
            MAX_FRAME_BYTES >> 30
        );
    }
    Ok(())
}

/// Checks the run's sizes against the data; returns the grid's `(cols, rows)`.
pub fn check(config: &Config, data: &Dataset) -> Result<(usize, usize)> {
    let biggest = data.x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if biggest > f32::MAX as f64 {
        bail!(
            "--data {}: a coordinate of {} is beyond f32's range (about 3.4e38), and the §1.5.1 run \
             trains in f32 too; scale the data down",
            data.name,
            short(biggest)
        );
    }
    let grid = boundary::Grid::shape_around(data.x.view(), config.grid_step)
        .context("--grid-step (the decision-boundary grid)")?;
    let bytes = training_bytes(config, data);
    if bytes > MAX_TRAINING_BYTES {
        bail!(
            "--batch-size {} with --hidden-size {} on {} points needs about {:.1} GiB for training \
             (at most {} GiB); use a smaller batch or hidden size",
            config.batch_size,
            config.hidden_size,
            data.len(),
            bytes as f64 / (1u64 << 30) as f64,
            MAX_TRAINING_BYTES >> 30
        );
    }
    let (fw, fh) = crate::frames::FRAME_SIZE;
    let (uw, uh) = crate::frames::UNITS_SIZE;
    let pictures = 3 * (u64::from(fw) * u64::from(fh) + u64::from(uw) * u64::from(uh));
    check_frames(
        frame_bytes(config.frames as u64 + 1, config, data, pictures),
        &format!(
            "--frames {} with --hidden-size {}",
            config.frames, config.hidden_size
        ),
    )?;
    Ok(grid)
}

/// The training buffers of one f64 run, counted generously: the data and its batch copies, every
/// layer's activations and gradients for a batch, the params with their grads and up to two
/// optimizer states.
fn training_bytes(config: &Config, data: &Dataset) -> u64 {
    let (n, b, h, c) = (
        data.len() as u64,
        config.batch_size as u64,
        config.hidden_size as u64,
        data.classes as u64,
    );
    let data_bytes = n * (2 + c) * 2;
    let batch = b * (2 + 6 * h + 6 * c);
    let params = 4 * (2 * h + h + h * c + c);
    8 * (data_bytes + batch + params)
}

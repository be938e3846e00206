//! The loss curve (book `Trainer.plot`): loss per evaluation point, x axis in units of
//! `eval_interval` iterations.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::style::{canvas_ready, class_color, draw_legend, render};

/// Curves by label, each a loss per evaluation point.
type Series<'a> = [(&'a str, &'a [f64])];

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    series: &Series<'_>,
    eval_interval: usize,
    yr: std::ops::Range<f64>,
    log: bool,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let longest = series.iter().map(|s| s.1.len()).max().unwrap_or(0);
    let xmax = (longest.saturating_sub(1)).max(1) as f64;
    let y = |l: f64| if log { l.log10() } else { l };
    let mut chart = ChartBuilder::on(&root)
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..xmax, y(yr.start)..y(yr.end))
        .map_err(|e| e.to_string())?;
    // A log scale is drawn as log10 of the loss, labelled with the loss itself.
    let label = |v: &f64| {
        if log {
            format!("{:.3}", 10f64.powf(*v))
        } else {
            format!("{v:.2}")
        }
    };
    chart
        .configure_mesh()
        .x_desc(format!("iterations (x{eval_interval})"))
        .y_desc(if log { "loss (log scale)" } else { "loss" })
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&label)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| e.to_string())?;
    for (k, (name, loss)) in series.iter().enumerate() {
        let color = class_color(k);
        chart
            .draw_series(LineSeries::new(
                loss.iter().enumerate().map(|(i, &l)| (i as f64, y(l))),
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(*name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    draw_legend(&mut chart)?;
    root.present().map_err(|e| e.to_string())
}

/// Plots `loss` (one value per evaluation point) to a `.png` or `.svg`; `ylim` fixes the y range
/// like the book's `plot(ylim=...)`, otherwise it spans the data.
pub fn plot_loss(
    loss: &[f64],
    eval_interval: usize,
    ylim: Option<(f64, f64)>,
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    plot(&[("train", loss)], eval_interval, ylim, false, path, size)
}

/// Several runs' losses on one chart, each labelled, to a `.png` or `.svg`; `log` draws the y axis
/// on a log scale.
pub fn plot_losses(
    series: &Series<'_>,
    eval_interval: usize,
    log: bool,
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    plot(series, eval_interval, None, log, path, size)
}

fn plot(
    series: &Series<'_>,
    eval_interval: usize,
    ylim: Option<(f64, f64)>,
    log: bool,
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    canvas_ready(size)?;
    if series.is_empty() || series.iter().any(|s| s.1.is_empty()) {
        return Err(VizError::BadInput("the loss history is empty".to_string()));
    }
    let all = || series.iter().flat_map(|s| s.1.iter().copied());
    if all().any(|l| !l.is_finite()) {
        return Err(VizError::BadInput(
            "the loss history contains NaN or infinity".to_string(),
        ));
    }
    if log && all().any(|l| l <= 0.0) {
        return Err(VizError::BadInput(
            "a log scale needs losses above 0".to_string(),
        ));
    }
    let yr = match ylim {
        Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo < hi => lo..hi,
        Some((lo, hi)) => {
            return Err(VizError::BadInput(format!(
                "ylim ({lo}, {hi}) is not an increasing finite range"
            )));
        }
        None => {
            let lo = all().fold(f64::INFINITY, f64::min);
            let hi = all().fold(f64::NEG_INFINITY, f64::max);
            if log {
                lo * 0.9..hi * 1.1
            } else {
                let pad = ((hi - lo) * 0.05).max(1e-3);
                (lo - pad).max(0.0f64.min(lo))..hi + pad
            }
        }
    };
    render!(path, size, |a| draw(a, series, eval_interval, yr, log))
}

/// The book's `trainer.plot(ylim)` (§1.4.4), for a [`train::Trainer`]: bring it into scope with
/// `use viz::TrainerPlot;`. Drawing lives here so that the training crate needs no plotting stack.
pub trait TrainerPlot {
    /// The loss history against iterations (in units of `eval_interval`), written to a `.png` or
    /// `.svg` of [`crate::DEFAULT_SIZE`].
    fn plot(&self, path: &Path, ylim: Option<(f64, f64)>) -> Result<()>;
}

impl<T: tensor::Element, M: layers::Model<T>> TrainerPlot for train::Trainer<T, M> {
    fn plot(&self, path: &Path, ylim: Option<(f64, f64)>) -> Result<()> {
        plot_loss(
            &self.loss_list,
            self.eval_interval.unwrap_or(1),
            ylim,
            path,
            crate::DEFAULT_SIZE,
        )
    }
}

//! The loss curve (book `Trainer.plot`): loss per evaluation point, x axis in units of
//! `eval_interval` iterations.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::style::{LineLook, Px, Swatch, axes, canvas_ready, legend_panel, legend_width, render};

/// One curve of a chart: its label, its look and its points `(x, y)`.
#[derive(Debug, Clone)]
pub struct Curve {
    /// The legend's label.
    pub label: String,
    /// Colour and dash.
    pub look: LineLook,
    /// The points, in x order.
    pub points: Vec<(f64, f64)>,
}

impl Curve {
    /// A loss history as a curve: value `i` at `x = i` (the book's x axis, in records).
    pub fn of_losses(label: &str, look: LineLook, loss: &[f64]) -> Curve {
        Curve {
            label: label.to_string(),
            look,
            points: loss
                .iter()
                .enumerate()
                .map(|(i, &l)| (i as f64, l))
                .collect(),
        }
    }
}

/// A chart of curves: what its axes say and how the y axis runs.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    /// The curves; with more than one, a legend beside the plot names them.
    pub curves: &'a [Curve],
    /// The x axis's label.
    pub x_desc: &'a str,
    /// The y axis's label.
    pub y_desc: &'a str,
    /// A fixed y range (the book's `ylim`); `None` spans the data.
    pub ylim: Option<(f64, f64)>,
    /// A log scale on the y axis.
    pub log: bool,
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    px: Px,
    c: &Chart<'_>,
    xr: std::ops::Range<f64>,
    yr: std::ops::Range<f64>,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let log = c.log;
    let y = |l: f64| if log { l.log10() } else { l };
    let legend: Vec<(String, Swatch)> = c
        .curves
        .iter()
        .map(|s| (s.label.clone(), Swatch::Line(s.look)))
        .collect();
    let (w, _) = root.dim_in_pixel();
    let (plot, side) = if legend.len() > 1 {
        let lw = legend_width(&root, legend.iter().map(|e| e.0.clone()), px);
        root.split_horizontally(w.saturating_sub(lw))
    } else {
        root.split_horizontally(w)
    };
    let mut chart = ChartBuilder::on(&plot)
        .margin(px.u(14))
        .x_label_area_size(px.u(42))
        .y_label_area_size(px.u(58))
        .build_cartesian_2d(xr, y(yr.start)..y(yr.end))
        .map_err(|e| e.to_string())?;
    // A log scale is drawn as log10 of the value, labelled with the value itself.
    let log_label = |v: &f64| format!("{:.3}", 10f64.powf(*v));
    let y_desc = if log {
        format!("{} (log scale)", c.y_desc)
    } else {
        c.y_desc.to_string()
    };
    axes(
        &mut chart,
        px,
        c.x_desc,
        &y_desc,
        if log { Some(&log_label) } else { None },
        true,
    )?;
    for s in c.curves {
        let points = s.points.iter().map(|&(x, v)| (x, y(v))).collect();
        s.look.draw(&mut chart, points, px)?;
    }
    if legend.len() > 1 {
        let top = chart.plotting_area().get_pixel_range().1.start;
        legend_panel(&side, &legend, top, px)?;
    }
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
    let curves = [Curve::of_losses("train", LineLook::nth(0), loss)];
    let x_desc = format!("iterations (x{eval_interval})");
    plot_chart(
        &Chart {
            curves: &curves,
            x_desc: &x_desc,
            y_desc: "loss",
            ylim,
            log: false,
        },
        path,
        size,
    )
}

/// Draws `chart` to a `.png` or `.svg`.
pub fn plot_chart(chart: &Chart<'_>, path: &Path, size: (u32, u32)) -> Result<()> {
    canvas_ready(size)?;
    if chart.curves.is_empty() || chart.curves.iter().any(|s| s.points.is_empty()) {
        return Err(VizError::BadInput("a curve to plot is empty".to_string()));
    }
    let all = || chart.curves.iter().flat_map(|s| s.points.iter().copied());
    if all().any(|(x, l)| !l.is_finite() || !x.is_finite()) {
        return Err(VizError::BadInput(
            "a curve to plot contains NaN or infinity".to_string(),
        ));
    }
    let log = chart.log;
    if log && all().any(|(_, l)| l <= 0.0) {
        return Err(VizError::BadInput(
            "a log scale needs values above 0".to_string(),
        ));
    }
    let x_lo = all().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_hi = all().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let xr = x_lo..x_hi.max(x_lo + 1.0);
    let yr = match chart.ylim {
        Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo < hi => lo..hi,
        Some((lo, hi)) => {
            return Err(VizError::BadInput(format!(
                "ylim ({lo}, {hi}) is not an increasing finite range"
            )));
        }
        None => {
            let lo = all().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let hi = all().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
            if log {
                lo * 0.9..hi * 1.1
            } else {
                let pad = ((hi - lo) * 0.05).max(1e-3);
                (lo - pad).max(0.0f64.min(lo))..hi + pad
            }
        }
    };
    render!(path, size, |a, px| draw(a, px, chart, xr, yr))
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

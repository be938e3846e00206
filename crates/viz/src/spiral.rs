//! The spiral scatter plot (book §1.4.1, `ch01/show_spiral_dataset.py`): one marker per class,
//! `o`, `x`, `^`, with a legend beside the data; held-out (validation) points hollow.

use std::path::Path;

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::style::{
    Layer, Px, Swatch, TITLE_PX, axes, canvas_ready, hollow_marker, legend_panel, legend_width,
    marker, render,
};

/// Points to draw: the ones trained on, and optionally held-out ones (drawn hollow).
#[derive(Debug, Clone, Copy)]
pub struct Points<'a> {
    /// The points, `N x 2`.
    pub x: ArrayView2<'a, f64>,
    /// Their classes.
    pub labels: &'a [usize],
    /// Held-out points and their classes.
    pub held_out: Option<(ArrayView2<'a, f64>, &'a [usize])>,
}

impl<'a> Points<'a> {
    /// Points with nothing held out.
    pub fn new(x: ArrayView2<'a, f64>, labels: &'a [usize]) -> Self {
        Points {
            x,
            labels,
            held_out: None,
        }
    }

    /// The axes' ranges over every point (held-out ones too), checked as [`data_ranges`] does.
    pub(crate) fn ranges(&self) -> Result<(std::ops::Range<f64>, std::ops::Range<f64>)> {
        let (xr, yr) = data_ranges(self.x, self.labels)?;
        match self.held_out {
            Some((hx, hl)) => {
                let (hxr, hyr) = data_ranges(hx, hl)?;
                Ok((
                    xr.start.min(hxr.start)..xr.end.max(hxr.end),
                    yr.start.min(hyr.start)..yr.end.max(hyr.end),
                ))
            }
            None => Ok((xr, yr)),
        }
    }

    /// How many classes the labels name (the largest + 1).
    pub(crate) fn class_count(&self) -> usize {
        self.labels
            .iter()
            .chain(self.held_out.iter().flat_map(|h| h.1))
            .max()
            .map_or(0, |m| m + 1)
    }

    /// The legend: one entry per class, and one for held-out points.
    pub(crate) fn legend(&self) -> Vec<(String, Swatch)> {
        let classes = self.class_count();
        let mut entries: Vec<(String, Swatch)> = (0..classes.min(MAX_LEGEND_CLASSES))
            .map(|c| (format!("class {c}"), Swatch::Class(c)))
            .collect();
        if classes > MAX_LEGEND_CLASSES {
            entries.push((format!("… {classes} classes"), Swatch::Class(classes - 1)));
        }
        if self.held_out.is_some() {
            entries.push(("held out".to_string(), Swatch::HeldOut(0)));
        }
        entries
    }
}

/// Classes named one by one in a legend; more are summed up in one line.
const MAX_LEGEND_CLASSES: usize = 12;

/// The chart type all 2-D plots here use.
pub(crate) type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Checks that `x` is `N x 2` with one label per row, and returns `(x range, y range)` padded by
/// 0.1 on each side (the book's decision-boundary range).
pub(crate) fn data_ranges(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
) -> Result<(std::ops::Range<f64>, std::ops::Range<f64>)> {
    if x.ncols() != 2 || x.nrows() == 0 || x.nrows() != labels.len() {
        return Err(VizError::BadInput(format!(
            "points must be N x 2 with one label each (got {}x{} points, {} labels)",
            x.nrows(),
            x.ncols(),
            labels.len()
        )));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(VizError::BadInput(
            "points contain NaN or infinity".to_string(),
        ));
    }
    let range = |c: usize| {
        let col = x.column(c);
        let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Axes, ticks and the grid need the span as a finite number.
        if !(hi - lo).is_finite() || !(hi + 0.1).is_finite() || !(lo - 0.1).is_finite() {
            return Err(VizError::BadInput(format!(
                "the points' x{} values span {} to {}, wider than a plot's axis can hold",
                c + 1,
                tensor::float::short(lo),
                tensor::float::short(hi)
            )));
        }
        Ok((lo - 0.1)..(hi + 0.1))
    };
    Ok((range(0)?, range(1)?))
}

/// Draws the points with their class markers (held-out ones hollow, under the others).
pub(crate) fn draw_points<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    points: &Points<'_>,
    size: i32,
    px: Px,
) -> std::result::Result<(), String> {
    if let Some((hx, hl)) = points.held_out {
        let shown = visible_points(chart, hx, hl);
        chart
            .draw_series(
                shown
                    .into_iter()
                    .map(|(p, c)| hollow_marker::<DB, _>(c, p, size, px)),
            )
            .map_err(|e| e.to_string())?;
    }
    let shown = visible_points(chart, points.x, points.labels);
    chart
        .draw_series(
            shown
                .into_iter()
                .map(|(p, c)| marker::<DB, _>(c, p, size, px)),
        )
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// A chart of the data's plane under `title`, with the legend of `points` in a column at its
/// right. The title's band has a fixed height, so the chart lies where it does whatever the
/// title says (the layers of a frame must line up); the title is drawn on the base layer, the
/// legend on the overlay.
pub(crate) fn plane_chart<'a, DB: DrawingBackend + 'a>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
    points: &Points<'_>,
    title: &str,
    title_px: u32,
    px: Px,
    layer: Layer,
) -> std::result::Result<Chart2d<'a, DB>, String> {
    let (xr, yr) = points.ranges().map_err(|e| e.to_string())?;
    let legend = points.legend();
    let lw = legend_width(root, legend.iter().map(|e| e.0.clone()), px);
    let (w, _) = root.dim_in_pixel();
    let (head, body) = root.split_vertically(px.u(title_px + 12));
    let (plot, side) = body.split_horizontally(w.saturating_sub(lw));
    if layer.base() {
        let font = px.font(title_px);
        let (tw, _) = head
            .estimate_text_size(title, &font)
            .map_err(|e| e.to_string())?;
        let (pw, _) = plot.dim_in_pixel();
        head.draw(&Text::new(
            title.to_string(),
            ((pw.saturating_sub(tw) / 2) as i32, px.i(6)),
            font,
        ))
        .map_err(|e| e.to_string())?;
    }
    let chart = ChartBuilder::on(&plot)
        .margin(px.u(8))
        .margin_top(px.u(2))
        .x_label_area_size(px.u(42))
        .y_label_area_size(px.u(52))
        .build_cartesian_2d(xr, yr)
        .map_err(|e| e.to_string())?;
    if layer.overlay() {
        let top = chart.plotting_area().get_pixel_range().1.start - px.i(title_px as i32 + 12);
        legend_panel(&side, &legend, top, px)?;
    }
    Ok(chart)
}

/// Above this many points a scatter draws one marker per cell of [`CELL_PX`] pixels: markers
/// closer than that cover each other, and a vector file of millions of them takes minutes to
/// write and is unreadable anyway.
pub(crate) const DECIMATE_ABOVE: usize = 20_000;

/// The cell size, in pixels, of a decimated scatter.
const CELL_PX: f64 = 1.5;

/// The points to draw with their classes: all of them up to [`DECIMATE_ABOVE`]; past that the
/// last-drawn (highest) class's marker in each cell, at the cell's first point of that class,
/// which is what covers the others in the full drawing.
fn visible_points<'a, DB: DrawingBackend + 'a>(
    chart: &Chart2d<'a, DB>,
    x: ArrayView2<'_, f64>,
    labels: &[usize],
) -> Vec<((f64, f64), usize)> {
    let all = x
        .rows()
        .into_iter()
        .zip(labels)
        .map(|(r, &l)| ((r[0], r[1]), l));
    if labels.len() <= DECIMATE_ABOVE {
        return all.collect();
    }
    let mut cells: std::collections::HashMap<(i64, i64), ((f64, f64), usize)> =
        std::collections::HashMap::new();
    for (p, l) in all {
        let (px, py) = chart.backend_coord(&p);
        let cell = (
            (px as f64 / CELL_PX).floor() as i64,
            (py as f64 / CELL_PX).floor() as i64,
        );
        let e = cells.entry(cell).or_insert((p, l));
        if l > e.1 {
            *e = (p, l);
        }
    }
    let mut shown: Vec<_> = cells.into_values().collect();
    // A fixed order, so the same data gives the same file.
    shown.sort_by(|a, b| {
        (a.1, a.0.0, a.0.1)
            .partial_cmp(&(b.1, b.0.0, b.0.1))
            .expect("finite")
    });
    shown
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    px: Px,
    points: &Points<'_>,
    title: &str,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = plane_chart(&root, points, title, TITLE_PX, px, Layer::Whole)?;
    axes(&mut chart, px, "x1", "x2", None, true)?;
    draw_points(&mut chart, points, 4, px)?;
    root.present().map_err(|e| e.to_string())
}

/// Plots the `N x 2` points `x` coloured and marked by class `labels`, titled as the book's
/// spiral, to a `.png` or `.svg`.
pub fn plot_spiral(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    let title = format!("spiral data ({} points)", x.nrows());
    plot_data(&Points::new(x, labels), &title, path, size)
}

/// Plots `points` (held-out ones hollow) under `title`, to a `.png` or `.svg`.
pub fn plot_data(points: &Points<'_>, title: &str, path: &Path, size: (u32, u32)) -> Result<()> {
    canvas_ready(size)?;
    points.ranges()?;
    render!(path, size, |a, px| draw(a, px, points, title))
}

//! The spiral scatter plot (book §1.4.1, `ch01/show_spiral_dataset.py`): one marker per class,
//! `o`, `x`, `^`, with a legend.

use std::path::Path;

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::style::{canvas_ready, draw_legend, marker, render};

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

/// Draws the points with their class markers and a legend entry per class.
pub(crate) fn draw_points<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    x: ArrayView2<'_, f64>,
    labels: &[usize],
) -> std::result::Result<(), String> {
    let classes = labels.iter().max().map_or(0, |m| m + 1);
    let shown = visible_points(chart, x, labels);
    for c in 0..classes {
        let points: Vec<(f64, f64)> = shown
            .iter()
            .filter(|&&(_, l)| l == c)
            .map(|&(p, _)| p)
            .collect();
        chart
            .draw_series(points.into_iter().map(|p| marker::<DB, _>(c, p, 4)))
            .map_err(|e| e.to_string())?
            .label(format!("class {c}"))
            .legend(move |at| marker::<DB, _>(c, at, 4));
    }
    draw_legend(chart)
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
    x: ArrayView2<'_, f64>,
    labels: &[usize],
) -> std::result::Result<(), String> {
    let (xr, yr) = data_ranges(x, labels).map_err(|e| e.to_string())?;
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("spiral data ({} points)", x.nrows()),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(45)
        .build_cartesian_2d(xr, yr)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("x1")
        .y_desc("x2")
        .light_line_style(WHITE)
        .draw()
        .map_err(|e| e.to_string())?;
    draw_points(&mut chart, x, labels)?;
    root.present().map_err(|e| e.to_string())
}

/// Plots the `N x 2` points `x` coloured and marked by class `labels`, to a `.png` or `.svg`.
pub fn plot_spiral(
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    canvas_ready(size)?;
    data_ranges(x, labels)?;
    render!(path, size, |a| draw(a, x, labels))
}

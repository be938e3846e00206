//! The decision-boundary picture (book §1.4.4): the class grid as a pale image under the data.
//!
//! The class grid (millions of points) is not drawn point by point: each pixel of the plotting area
//! looks up the grid cell under it, and the resulting image is blitted once.

use std::path::Path;

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::spiral::{data_ranges, draw_points};
use crate::style::{Format, bitmap, canvas_ready, class_tint, format_of, save_png};
use boundary::{ClassGrid, Grid};

/// A small loss curve drawn under a frame's chart: the values so far, on the axes of the whole run.
#[derive(Debug, Clone, Copy)]
pub struct LossInset<'a> {
    /// The loss values recorded so far.
    pub values: &'a [f64],
    /// How many values the whole run records (the x axis).
    pub total: usize,
    /// The y range of the whole run.
    pub y: (f64, f64),
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    grid: &Grid,
    classes: &ClassGrid,
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    caption: &str,
    inset: Option<LossInset<'_>>,
) -> std::result::Result<(), String> {
    let (xr, yr) = data_ranges(x, labels).map_err(|e| e.to_string())?;
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    // A frame keeps a strip under the chart for the loss so far.
    let (root, strip) = match inset {
        Some(_) => {
            let h = root.dim_in_pixel().1;
            let (top, bottom) = root.split_vertically(h.saturating_sub(h / 5));
            (top, Some(bottom))
        }
        None => (root, None),
    };
    let size = if strip.is_some() { 14 } else { 18 };
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", size))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(45)
        .build_cartesian_2d(xr.clone(), yr.clone())
        .map_err(|e| e.to_string())?;

    let (px, py) = chart.plotting_area().get_pixel_range();
    let (w, h) = (
        (px.end - px.start).max(1) as usize,
        (py.end - py.start).max(1) as usize,
    );
    let mut image = vec![255u8; w * h * 3];
    let (x0, y0) = (grid.xs[0], grid.ys[0]);
    for row in 0..h {
        // Pixel centres, top row at the largest y.
        let y = yr.end - (row as f64 + 0.5) / h as f64 * (yr.end - yr.start);
        let r = (((y - y0) / grid.step).round().max(0.0) as usize).min(classes.rows - 1);
        for col in 0..w {
            let xv = xr.start + (col as f64 + 0.5) / w as f64 * (xr.end - xr.start);
            let c = (((xv - x0) / grid.step).round().max(0.0) as usize).min(classes.cols - 1);
            let tint = class_tint(classes.at(c, r) as usize);
            image[(row * w + col) * 3..][..3].copy_from_slice(&tint);
        }
    }
    let element = BitMapElement::with_owned_buffer((xr.start, yr.end), (w as u32, h as u32), image)
        .ok_or("image buffer of the wrong size")?;
    chart
        .draw_series(std::iter::once(element))
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("x1")
        .y_desc("x2")
        .disable_mesh()
        .draw()
        .map_err(|e| e.to_string())?;
    draw_points(&mut chart, x, labels)?;
    if let (Some(inset), Some(strip)) = (inset, strip) {
        draw_strip(&strip, inset)?;
    }
    root.present().map_err(|e| e.to_string())
}

/// The loss so far on the whole run's axes, in the strip under a frame's chart.
fn draw_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    inset: LossInset<'_>,
) -> std::result::Result<(), String> {
    let (lo, hi) = inset.y;
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let mut chart = ChartBuilder::on(area)
        .margin_left(55)
        .margin_right(15)
        .margin_bottom(6)
        .x_label_area_size(0)
        .y_label_area_size(0)
        .build_cartesian_2d(0f64..inset.total.max(2) as f64, lo..hi)
        .map_err(|e| e.to_string())?;
    chart
        .plotting_area()
        .fill(&RGBColor(245, 245, 245))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(
            inset.values.iter().enumerate().map(|(i, &v)| (i as f64, v)),
            BLACK.stroke_width(1),
        ))
        .map_err(|e| e.to_string())?;
    area.draw(&Text::new("loss", (8, 4), ("sans-serif", 12)))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// One frame of the boundary's story: the classified `grid`, the data on top, `caption` above and
/// the loss so far in a corner, as RGB pixels of `size`.
pub fn render_frame(
    grid: &Grid,
    classes: &ClassGrid,
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    size: (u32, u32),
    caption: &str,
    inset: Option<LossInset<'_>>,
) -> Result<Vec<u8>> {
    canvas_ready(size)?;
    check_grid(grid, classes)?;
    bitmap(Path::new("frame"), size, |area| {
        draw(area, grid, classes, x, labels, caption, inset)
    })
}

fn check_grid(grid: &Grid, classes: &ClassGrid) -> Result<()> {
    if classes.cols != grid.cols()
        || classes.rows != grid.rows()
        || classes.classes.len() != grid.len()
    {
        return Err(VizError::BadInput(
            "the class grid does not match the grid".to_string(),
        ));
    }
    Ok(())
}

/// Draws the classified `grid` with the data points on top, to a `.png`.
pub fn plot_decision_boundary(
    grid: &Grid,
    classes: &ClassGrid,
    x: ArrayView2<'_, f64>,
    labels: &[usize],
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    canvas_ready(size)?;
    data_ranges(x, labels)?;
    check_grid(grid, classes)?;
    match format_of(path)? {
        Format::Png => {
            let buf = bitmap(path, size, |area| {
                draw(area, grid, classes, x, labels, "decision boundary", None)
            })?;
            save_png(path, &buf, size)
        }
        Format::Svg => Err(VizError::Format {
            path: path.to_path_buf(),
            reason: "the decision boundary is a bitmap: write it as .png".to_string(),
        }),
    }
}

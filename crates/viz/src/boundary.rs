//! The decision-boundary picture (book §1.4.4): the class grid as a pale image under the data.
//!
//! The class grid (millions of points) is not drawn point by point: each pixel of the plotting area
//! looks up the grid cell under it, and the resulting image is blitted once.

use std::path::Path;

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::font::ensure_font;
use crate::grid::{ClassGrid, Grid};
use crate::spiral::{data_ranges, draw_points};
use crate::style::{Format, check_size, class_tint, draw_err, format_of, pixels, save_png};

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    grid: &Grid,
    classes: &ClassGrid,
    x: ArrayView2<'_, f64>,
    labels: &[usize],
) -> std::result::Result<(), String> {
    let (xr, yr) = data_ranges(x, labels).map_err(|e| e.to_string())?;
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption("decision boundary", ("sans-serif", 20))
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
    root.present().map_err(|e| e.to_string())
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
    ensure_font()?;
    check_size(size)?;
    data_ranges(x, labels)?;
    if classes.cols != grid.cols()
        || classes.rows != grid.rows()
        || classes.classes.len() != grid.len()
    {
        return Err(VizError::BadInput(
            "the class grid does not match the grid".to_string(),
        ));
    }
    match format_of(path)? {
        Format::Png => {
            let mut buf = pixels(size);
            draw(
                BitMapBackend::with_buffer(&mut buf, size).into_drawing_area(),
                grid,
                classes,
                x,
                labels,
            )
            .map_err(draw_err(path))?;
            save_png(path, &buf, size)
        }
        Format::Svg => Err(VizError::Format {
            path: path.to_path_buf(),
            reason: "the decision boundary is a bitmap: write it as .png".to_string(),
        }),
    }
}

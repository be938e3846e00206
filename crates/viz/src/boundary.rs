//! The decision-boundary picture (book §1.4.4): the class grid as a pale image under the data.
//!
//! The class grid (millions of points) is not drawn point by point: each pixel of the plotting area
//! looks up the grid cell under it, and the resulting image is blitted once.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::spiral::{Points, draw_points, plane_chart};
use crate::style::{
    Format, LABEL_PX, Layer, Px, RegionColors, TICK_PX, TITLE_PX, axes, bitmap, canvas_ready,
    composite, format_of, overlay_rgba, save_png,
};
use boundary::{ClassGrid, Grid};

/// The loss so far on the axes of the whole run, for the strip under an animation's frame.
#[derive(Debug, Clone, Copy)]
pub struct LossInset<'a> {
    /// The loss values recorded so far.
    pub values: &'a [f64],
    /// How many values the whole run records (the x axis).
    pub total: usize,
    /// The y range of the whole run.
    pub y: (f64, f64),
}

/// The class grid under the points, or one layer of it; `bg` fills the picture first (white,
/// or black for an overlay's second pass).
#[allow(clippy::too_many_arguments)]
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    px: Px,
    layer: Layer,
    bg: RGBColor,
    classified: Option<(&Grid, &ClassGrid, RegionColors)>,
    points: &Points<'_>,
    caption: &str,
    title_px: u32,
) -> std::result::Result<(), String> {
    root.fill(&bg).map_err(|e| e.to_string())?;
    let mut chart = plane_chart(&root, points, caption, title_px, px, layer)?;
    if let (true, Some((grid, classes, colors))) = (layer.base(), classified) {
        let count = points.class_count().max(classes.class_counts.len());
        let palette: Vec<[u8; 3]> = (0..count.max(1)).map(|c| colors.color(c, count)).collect();
        let (xr, yr) = (chart.x_range(), chart.y_range());
        let (pxr, pyr) = chart.plotting_area().get_pixel_range();
        let (w, h) = (
            (pxr.end - pxr.start).max(1) as usize,
            (pyr.end - pyr.start).max(1) as usize,
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
                let class = classes.at(c, r) as usize;
                let tint = palette.get(class).copied().unwrap_or([255; 3]);
                image[(row * w + col) * 3..][..3].copy_from_slice(&tint);
            }
        }
        let element =
            BitMapElement::with_owned_buffer((xr.start, yr.end), (w as u32, h as u32), image)
                .ok_or("image buffer of the wrong size")?;
        chart
            .draw_series(std::iter::once(element))
            .map_err(|e| e.to_string())?;
    }
    if layer.overlay() {
        axes(&mut chart, px, "x1", "x2", None, false)?;
        draw_points(&mut chart, points, 4, px)?;
    }
    root.present().map_err(|e| e.to_string())
}

fn draw_strip<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    px: Px,
    inset: LossInset<'_>,
    left: u32,
) -> std::result::Result<(), String> {
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    let (lo, hi) = inset.y;
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let mut chart = ChartBuilder::on(&area)
        .margin_left(px.u(left))
        .margin_right(px.u(12))
        .margin_top(px.u(4))
        .margin_bottom(px.u(6))
        .build_cartesian_2d(0f64..inset.total.max(2) as f64, lo..hi)
        .map_err(|e| e.to_string())?;
    chart
        .plotting_area()
        .fill(&RGBColor(245, 245, 245))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(
            inset.values.iter().enumerate().map(|(i, &v)| (i as f64, v)),
            BLACK.stroke_width(px.u(1)),
        ))
        .map_err(|e| e.to_string())?;
    area.draw(&Text::new("loss", (px.i(8), px.i(4)), px.font(TICK_PX)))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The loss so far in a strip of `size` (drawn under an animation's frame): the whole run's axes,
/// the curve up to this frame, its plot starting `left` pixels in (to line up with the frame's
/// chart above).
pub fn render_loss_strip(inset: LossInset<'_>, size: (u32, u32), left: u32) -> Result<Vec<u8>> {
    canvas_ready(size)?;
    bitmap(Path::new("loss strip"), size, |area, px| {
        draw_strip(area, px, inset, left)
    })
}

/// One frame of the boundary's story: the classified `grid`, the points on top and `caption`
/// above, as RGB pixels of `size`.
pub fn render_frame(
    grid: &Grid,
    classes: &ClassGrid,
    points: &Points<'_>,
    size: (u32, u32),
    caption: &str,
    colors: RegionColors,
) -> Result<Vec<u8>> {
    let base = render_frame_base(grid, classes, points, size, caption, colors)?;
    Ok(composite(&base, &render_frame_overlay(points, size)?))
}

/// A frame's own layer ([`Layer::Base`]): the class regions and the caption, RGB.
pub fn render_frame_base(
    grid: &Grid,
    classes: &ClassGrid,
    points: &Points<'_>,
    size: (u32, u32),
    caption: &str,
    colors: RegionColors,
) -> Result<Vec<u8>> {
    canvas_ready(size)?;
    check_grid(grid, classes)?;
    points.ranges()?;
    bitmap(Path::new("frame"), size, |area, px| {
        draw(
            area,
            px,
            Layer::Base,
            WHITE,
            Some((grid, classes, colors)),
            points,
            caption,
            LABEL_PX,
        )
    })
}

/// What every frame of `points` shares ([`Layer::Overlay`]): the axes, the points and the
/// legend, RGBA, transparent over the class regions.
pub fn render_frame_overlay(points: &Points<'_>, size: (u32, u32)) -> Result<Vec<u8>> {
    canvas_ready(size)?;
    points.ranges()?;
    overlay_rgba(Path::new("frame"), size, |area, px, bg| {
        draw(area, px, Layer::Overlay, bg, None, points, "", LABEL_PX)
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

/// Draws the classified `grid` in `colors` with the points on top under `title`, to a `.png`.
pub fn plot_decision_boundary(
    grid: &Grid,
    classes: &ClassGrid,
    points: &Points<'_>,
    title: &str,
    colors: RegionColors,
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    canvas_ready(size)?;
    points.ranges()?;
    check_grid(grid, classes)?;
    match format_of(path)? {
        Format::Png => {
            let buf = bitmap(path, size, |area, px| {
                draw(
                    area,
                    px,
                    Layer::Whole,
                    WHITE,
                    Some((grid, classes, colors)),
                    points,
                    title,
                    TITLE_PX,
                )
            })?;
            save_png(path, &buf, size)
        }
        Format::Svg => Err(VizError::Format {
            path: path.to_path_buf(),
            reason: "the decision boundary is a bitmap: write it as .png".to_string(),
        }),
    }
}

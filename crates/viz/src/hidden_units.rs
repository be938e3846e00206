//! What each hidden unit computes (book §1.4.2's `TwoLayerNet`): one small heat map per unit of
//! `σ(x · W1[:, j] + b1[j])` over the data's plane, with the data faintly on it, tick labels on
//! the outer maps and a colour scale; each labelled with the output class its weight moves most
//! (the largest `|W2[j, c]|`) and whether it raises or lowers that class's score. Ten sigmoids, each a soft half-plane, summed
//! into three class scores: the picture shows how they make a spiral. The activation is drawn in
//! steps of 0.1 ([`unit_image`]).

use std::ops::Range;
use std::path::Path;

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::spiral::Points;
use crate::style::{
    LABEL_PX, Px, bitmap, canvas_ready, class_color, composite, overlay_rgba, save_png,
};

/// Most units drawn; a wider layer shows its first `MAX_UNITS`.
pub const MAX_UNITS: usize = 64;

/// The first layer and the output weights of a two-layer network, as `f64`.
#[derive(Debug, Clone, Copy)]
pub struct HiddenLayer<'a> {
    /// `W1`, `2 x H`.
    pub w1: ArrayView2<'a, f64>,
    /// `b1`, `1 x H`.
    pub b1: ArrayView2<'a, f64>,
    /// `W2`, `H x C`.
    pub w2: ArrayView2<'a, f64>,
}

impl HiddenLayer<'_> {
    /// Unit `j`'s output at `(x1, x2)`.
    pub fn activation(&self, j: usize, x1: f64, x2: f64) -> f64 {
        let z = x1 * self.w1[[0, j]] + x2 * self.w1[[1, j]] + self.b1[[0, j]];
        1.0 / (1.0 + (-z).exp())
    }

    /// The class whose score unit `j` moves most, and that weight.
    pub fn strongest_class(&self, j: usize) -> (usize, f64) {
        let row = self.w2.row(j);
        let c = (0..row.len())
            .max_by(|&a, &b| row[a].abs().total_cmp(&row[b].abs()))
            .unwrap_or(0);
        (c, row.get(c).copied().unwrap_or(0.0))
    }

    fn check(&self) -> Result<usize> {
        let h = self.w1.ncols();
        if self.w1.nrows() != 2 || self.b1.dim() != (1, h) || self.w2.nrows() != h || h == 0 {
            return Err(VizError::BadInput(format!(
                "hidden layer shapes W1 {:?}, b1 {:?}, W2 {:?} do not fit a 2-input network",
                self.w1.dim(),
                self.b1.dim(),
                self.w2.dim()
            )));
        }
        Ok(h)
    }
}

/// Unit `j`'s heat map as RGB pixels of `size` over `xr` x `yr` (row 0 at the top, the largest
/// `x2`): white where the unit is off, its strongest class's colour where it is on, in eleven
/// levels (0, 0.1, ..., 1) so that the bands read as contours and the picture compresses well.
pub fn unit_image(
    layer: &HiddenLayer<'_>,
    j: usize,
    xr: Range<f64>,
    yr: Range<f64>,
    (w, h): (u32, u32),
) -> Vec<u8> {
    let color = class_color(layer.strongest_class(j).0);
    let mut image = vec![0u8; w as usize * h as usize * 3];
    for r in 0..h as usize {
        let y = yr.end - (r as f64 + 0.5) / h as f64 * (yr.end - yr.start);
        for c in 0..w as usize {
            let x = xr.start + (c as f64 + 0.5) / w as f64 * (xr.end - xr.start);
            let a = (layer.activation(j, x, y) * 10.0).round() / 10.0;
            let mix = |ch: u8| (255.0 - a * (255.0 - ch as f64)).round() as u8;
            image[(r * w as usize + c) * 3..][..3].copy_from_slice(&[
                mix(color.0),
                mix(color.1),
                mix(color.2),
            ]);
        }
    }
    image
}

/// Height of the picture's title line, in pixels.
const TITLE: u32 = 26;
/// Width of the column of `x2` tick labels left of the maps.
const LEFT: u32 = 40;
/// Height of the band under the maps: the `x1` tick labels and the colour scale.
const BOTTOM: u32 = 58;
/// Height of a map's label line.
const LABEL: u32 = 17;

/// Where unit `j`'s map is drawn in a picture of `size` showing `units` units: `(x, y, w, h)` in
/// pixels. Tiles fill a near-square grid between the title, the `x2` ticks at the left and the
/// band of `x1` ticks and colour scale at the bottom; a map is its tile less a label line above
/// and a small margin.
pub fn map_rect(size: (u32, u32), units: usize, j: usize) -> (u32, u32, u32, u32) {
    let cols = (units as f64).sqrt().ceil().max(1.0) as u32;
    let rows = (units as u32).div_ceil(cols).max(1);
    let (tw, th) = (
        size.0.saturating_sub(LEFT + 4) / cols,
        size.1.saturating_sub(TITLE + BOTTOM) / rows,
    );
    let (c, r) = (j as u32 % cols, j as u32 / cols);
    (
        LEFT + c * tw + 2,
        TITLE + r * th + LABEL,
        tw.saturating_sub(8).max(8),
        th.saturating_sub(LABEL + 6).max(8),
    )
}

/// Unit `j`'s label: the class its output weight moves most, in which direction and by how much
/// (`h1 lowers class 1 (−3.0)`), or in arrows (`h1 ↓ class 1 (−3.0)`) where the words do not fit.
pub fn unit_label(layer: &HiddenLayer<'_>, j: usize, words: bool) -> String {
    let (class, weight) = layer.strongest_class(j);
    let sign = if weight < 0.0 { '−' } else { '+' };
    let verb = match (weight < 0.0, words) {
        (true, true) => "lowers",
        (false, true) => "raises",
        (true, false) => "↓",
        (false, false) => "↑",
    };
    // Small weights (the initial ones are 0.01 · randn) keep two decimals, so none reads as 0.
    let w = weight.abs();
    let digits = if w < 0.095 { 2 } else { 1 };
    format!("h{j} {verb} class {class} ({sign}{w:.digits$})")
}

/// A map-axis tick label: whole numbers without decimals (`-1`, `0`, `1`), others as [`tick`]
/// gives them.
fn map_tick(v: f64, span: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{}", v as i64)
    } else {
        crate::style::tick(v, span)
    }
}

/// A frame's own layer: the title and each map's label (the maps are pasted in afterwards, at
/// the picture's resolution).
fn draw_base<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    px: Px,
    layer: &HiddenLayer<'_>,
    title: &str,
    size: (u32, u32),
) -> std::result::Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let units = layer.w1.ncols().min(MAX_UNITS);
    let font = px.font(LABEL_PX + 1);
    let (tw, _) = root.estimate_text_size(title, &font).map_err(err)?;
    root.draw(&Text::new(
        title.to_string(),
        ((px.u(size.0).saturating_sub(tw) / 2) as i32, px.i(4)),
        font,
    ))
    .map_err(err)?;
    let label_font = px.font(12);
    for j in 0..units {
        let (x, y, w, _) = map_rect(size, units, j);
        let (x, y, w) = (px.i(x as i32), px.i(y as i32), px.i(w as i32));
        let (class, _) = layer.strongest_class(j);
        let mut label = unit_label(layer, j, true);
        if root
            .estimate_text_size(&label, &label_font)
            .map_or(0, |s| s.0) as i32
            > w
        {
            label = unit_label(layer, j, false);
        }
        root.draw(&Text::new(
            label,
            (x, y - px.i(LABEL as i32 - 2)),
            label_font.clone().color(&class_color(class)),
        ))
        .map_err(err)?;
    }
    root.present().map_err(err)
}

/// What every frame shares: the maps' frames and tick labels, the colour scale of each of the
/// `classes`, and the points faintly on every map; `bg` fills the picture first.
#[allow(clippy::too_many_arguments)]
fn draw_overlay<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    px: Px,
    bg: RGBColor,
    units: usize,
    classes: usize,
    points: Option<&Points<'_>>,
    (xr, yr): (&Range<f64>, &Range<f64>),
    size: (u32, u32),
) -> std::result::Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&bg).map_err(err)?;
    let tick_font = px.font(11);
    let cols = (units as f64).sqrt().ceil().max(1.0) as usize;
    let rows = units.div_ceil(cols);
    for j in 0..units {
        let (x, y, w, h) = map_rect(size, units, j);
        let (x, y, w, h) = (
            px.i(x as i32),
            px.i(y as i32),
            px.i(w as i32),
            px.i(h as i32),
        );
        root.draw(&Rectangle::new(
            [(x - px.i(1), y - px.i(1)), (x + w, y + h)],
            BLACK.mix(0.35),
        ))
        .map_err(err)?;
        if let Some(points) = points {
            draw_faint_points(&root, px, points, (xr, yr), (x, y, w, h))?;
        }
        // Tick labels on the first column (x2) and the lowest map of each column (x1).
        let (c, r) = (j % cols, j / cols);
        if c == 0 {
            for v in crate::style::nice_ticks(yr.clone(), 3) {
                let ty = y + ((yr.end - v) / (yr.end - yr.start) * h as f64) as i32;
                let text = map_tick(v, yr.end - yr.start);
                let (lw, lh) = root.estimate_text_size(&text, &tick_font).unwrap_or((0, 0));
                root.draw(&Text::new(
                    text,
                    (x - px.i(5) - lw as i32, ty - lh as i32 / 2),
                    tick_font.clone(),
                ))
                .map_err(err)?;
            }
        }
        if r + 1 == rows || j + cols >= units {
            for v in crate::style::nice_ticks(xr.clone(), 3) {
                let tx = x + ((v - xr.start) / (xr.end - xr.start) * w as f64) as i32;
                let text = map_tick(v, xr.end - xr.start);
                let (lw, _) = root.estimate_text_size(&text, &tick_font).unwrap_or((0, 0));
                root.draw(&Text::new(
                    text,
                    (tx - lw as i32 / 2, y + h + px.i(3)),
                    tick_font.clone(),
                ))
                .map_err(err)?;
            }
            if c == 0 {
                root.draw(&Text::new(
                    "x1",
                    (x + w / 2 - px.i(6), y + h + px.i(17)),
                    tick_font.clone(),
                ))
                .map_err(err)?;
            }
        }
    }
    root.draw(&Text::new(
        "x2",
        (px.i(4), px.i(TITLE as i32 + 2)),
        tick_font.clone(),
    ))
    .map_err(err)?;
    // The colour scale: σ from 0 (white) to 1 (the class's colour), a band per class.
    let bar_y = px.i(size.1 as i32 - 24);
    let (bar_x, bar_w) = (px.i(size.0 as i32 - 190), px.i(160));
    let label = "σ(x·W1[:, j] + b1[j])";
    let (lw, _) = root.estimate_text_size(label, &tick_font).unwrap_or((0, 0));
    root.draw(&Text::new(
        label,
        (bar_x - px.i(8) - lw as i32, bar_y),
        tick_font.clone(),
    ))
    .map_err(err)?;
    let bands = classes.clamp(1, 10) as i32;
    let band_h = (px.i(12) / bands).max(1);
    for c in 0..bands {
        let color = class_color(c as usize);
        let top = bar_y + c * band_h;
        for i in 0..bar_w {
            let a = ((i as f64 / bar_w as f64) * 10.0).round() / 10.0;
            let mix = |ch: u8| (255.0 - a * (255.0 - ch as f64)).round() as u8;
            root.draw(&Rectangle::new(
                [(bar_x + i, top), (bar_x + i + 1, top + band_h)],
                RGBColor(mix(color.0), mix(color.1), mix(color.2)).filled(),
            ))
            .map_err(err)?;
        }
    }
    root.draw(&Rectangle::new(
        [(bar_x, bar_y), (bar_x + bar_w, bar_y + band_h * bands)],
        BLACK.mix(0.35),
    ))
    .map_err(err)?;
    for (v, t) in [(0.0, "0"), (0.5, "0.5"), (1.0, "1")] {
        let tx = bar_x + (v * bar_w as f64) as i32;
        let (tw, _) = root.estimate_text_size(t, &tick_font).unwrap_or((0, 0));
        root.draw(&Text::new(
            t,
            (tx - tw as i32 / 2, bar_y + band_h * bands + px.i(2)),
            tick_font.clone(),
        ))
        .map_err(err)?;
    }
    root.present().map_err(err)
}

/// The points as small pale dots of their class's colour on one map at `(x, y, w, h)`.
fn draw_faint_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    px: Px,
    points: &Points<'_>,
    (xr, yr): (&Range<f64>, &Range<f64>),
    (x, y, w, h): (i32, i32, i32, i32),
) -> std::result::Result<(), String> {
    let held = points
        .held_out
        .iter()
        .flat_map(|(hx, hl)| hx.rows().into_iter().zip(*hl));
    for (r, &c) in points.x.rows().into_iter().zip(points.labels).chain(held) {
        let dx = x + ((r[0] - xr.start) / (xr.end - xr.start) * w as f64) as i32;
        let dy = y + ((yr.end - r[1]) / (yr.end - yr.start) * h as f64) as i32;
        if dx < x + px.i(1) || dy < y + px.i(1) || dx >= x + w - px.i(1) || dy >= y + h - px.i(1) {
            continue;
        }
        root.draw(&Circle::new(
            (dx, dy),
            px.i(1),
            class_color(c).mix(0.6).filled(),
        ))
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The heat maps with `points` faintly on them, as RGB pixels of `size`, over `xr` x `yr`: the
/// frame's own layer ([`render_hidden_units_base`]) under what every frame shares
/// ([`render_hidden_units_overlay`]).
pub fn render_hidden_units(
    layer: &HiddenLayer<'_>,
    points: Option<&Points<'_>>,
    xr: Range<f64>,
    yr: Range<f64>,
    size: (u32, u32),
    title: &str,
) -> Result<Vec<u8>> {
    let base = render_hidden_units_base(layer, xr.clone(), yr.clone(), size, title)?;
    let classes = layer.w2.ncols();
    let overlay = render_hidden_units_overlay(layer.check()?, classes, points, xr, yr, size)?;
    Ok(composite(&base, &overlay))
}

/// A frame's own layer: the title, each map's label and the maps, RGB. Each map's pixels are
/// exactly [`unit_image`]'s, where [`map_rect`] puts it.
pub fn render_hidden_units_base(
    layer: &HiddenLayer<'_>,
    xr: Range<f64>,
    yr: Range<f64>,
    size: (u32, u32),
    title: &str,
) -> Result<Vec<u8>> {
    canvas_ready(size)?;
    let h = layer.check()?;
    let title = if h > MAX_UNITS {
        format!("{title} (the first {MAX_UNITS} of {h} units)")
    } else {
        title.to_string()
    };
    let units = h.min(MAX_UNITS);
    let mut pic = bitmap(Path::new("hidden units"), size, |area, px| {
        draw_base(area, px, layer, &title, size)
    })?;
    for j in 0..units {
        let (x, y, w, h) = map_rect(size, units, j);
        let map = unit_image(layer, j, xr.clone(), yr.clone(), (w, h));
        for r in 0..h as usize {
            let start = ((y as usize + r) * size.0 as usize + x as usize) * 3;
            pic[start..start + w as usize * 3]
                .copy_from_slice(&map[r * w as usize * 3..][..w as usize * 3]);
        }
    }
    Ok(pic)
}

/// What every frame of a layer of `units` units and `classes` classes shares: the maps' frames,
/// tick labels, the colour scale and `points` faintly on each map, RGBA (transparent over the
/// maps but for the points).
pub fn render_hidden_units_overlay(
    units: usize,
    classes: usize,
    points: Option<&Points<'_>>,
    xr: Range<f64>,
    yr: Range<f64>,
    size: (u32, u32),
) -> Result<Vec<u8>> {
    canvas_ready(size)?;
    let units = units.clamp(1, MAX_UNITS);
    overlay_rgba(Path::new("hidden units"), size, |area, px, bg| {
        draw_overlay(area, px, bg, units, classes, points, (&xr, &yr), size)
    })
}

/// [`render_hidden_units`] to a `.png`.
pub fn plot_hidden_units(
    layer: &HiddenLayer<'_>,
    points: Option<&Points<'_>>,
    xr: Range<f64>,
    yr: Range<f64>,
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    let buf = render_hidden_units(
        layer,
        points,
        xr,
        yr,
        size,
        "hidden units: σ(x·W1[:, j] + b1[j])",
    )?;
    save_png(path, &buf, size)
}

//! What each hidden unit computes (book §1.4.2's `TwoLayerNet`): one small heat map per unit of
//! `σ(x · W1[:, j] + b1[j])` over the data's plane, marked with the output class its weight pushes
//! hardest (the largest `|W2[j, c]|`, with its sign). Ten sigmoids, each a soft half-plane, summed
//! into three class scores: the picture shows how they make a spiral. The activation is drawn in
//! steps of 0.1 ([`unit_image`]).

use std::ops::Range;
use std::path::Path;

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::style::{bitmap, canvas_ready, class_color, save_png};

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
const TITLE: u32 = 24;

/// Where unit `j`'s map is drawn in a picture of `size` showing `units` units: `(x, y, w, h)` in
/// pixels. Tiles fill a near-square grid under the title; a map is its tile less a label line
/// above and a small margin.
pub fn map_rect(size: (u32, u32), units: usize, j: usize) -> (u32, u32, u32, u32) {
    let cols = (units as f64).sqrt().ceil().max(1.0) as u32;
    let rows = (units as u32).div_ceil(cols).max(1);
    let (tw, th) = (size.0 / cols, size.1.saturating_sub(TITLE) / rows);
    let (c, r) = (j as u32 % cols, j as u32 / cols);
    (
        c * tw + 4,
        TITLE + r * th + 18,
        tw.saturating_sub(8).max(8),
        th.saturating_sub(22).max(8),
    )
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    layer: &HiddenLayer<'_>,
    xr: Range<f64>,
    yr: Range<f64>,
    title: &str,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let size = root.dim_in_pixel();
    let units = layer.w1.ncols().min(MAX_UNITS);
    let style = TextStyle::from(("sans-serif", 16).into_font());
    let (tw, _) = root
        .estimate_text_size(title, &style)
        .map_err(|e| e.to_string())?;
    root.draw(&Text::new(
        title,
        ((size.0.saturating_sub(tw) / 2) as i32, 4),
        style,
    ))
    .map_err(|e| e.to_string())?;
    for j in 0..units {
        let (x, y, w, h) = map_rect(size, units, j);
        let (class, weight) = layer.strongest_class(j);
        let color = class_color(class);
        let image = unit_image(layer, j, xr.clone(), yr.clone(), (w, h));
        let (x, y) = (x as i32, y as i32);
        let element = BitMapElement::with_owned_buffer((x, y), (w, h), image)
            .ok_or("image buffer of the wrong size")?;
        root.draw(&element).map_err(|e| e.to_string())?;
        root.draw(&Rectangle::new(
            [(x - 1, y - 1), (x + w as i32, y + h as i32)],
            BLACK.mix(0.3),
        ))
        .map_err(|e| e.to_string())?;
        let label = format!("h{j} → class {class} ({weight:+.1})");
        root.draw(&Text::new(
            label,
            (x, y - 16),
            ("sans-serif", 12).into_font().color(&color),
        ))
        .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// The heat maps as RGB pixels of `size`, over `xr` x `yr`.
pub fn render_hidden_units(
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
    bitmap(Path::new("hidden units"), size, |area| {
        draw(area, layer, xr, yr, &title)
    })
}

/// [`render_hidden_units`] to a `.png`.
pub fn plot_hidden_units(
    layer: &HiddenLayer<'_>,
    xr: Range<f64>,
    yr: Range<f64>,
    path: &Path,
    size: (u32, u32),
) -> Result<()> {
    let buf = render_hidden_units(layer, xr, yr, size, "hidden units: σ(x·W1[:, j] + b1[j])")?;
    save_png(path, &buf, size)
}

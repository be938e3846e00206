//! The loss curve (book `Trainer.plot`): loss per evaluation point, x axis in units of
//! `eval_interval` iterations.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::font::ensure_font;
use crate::style::{
    Format, check_size, class_color, draw_err, draw_legend, format_of, pixels, save, save_png,
};

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    loss: &[f64],
    eval_interval: usize,
    yr: std::ops::Range<f64>,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let xmax = (loss.len().saturating_sub(1)).max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..xmax, yr)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(format!("iterations (x{eval_interval})"))
        .y_desc("loss")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| e.to_string())?;
    let color = class_color(0);
    chart
        .draw_series(LineSeries::new(
            loss.iter().enumerate().map(|(i, &l)| (i as f64, l)),
            color.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?
        .label("train")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
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
    ensure_font()?;
    check_size(size)?;
    if loss.is_empty() {
        return Err(VizError::BadInput("the loss history is empty".to_string()));
    }
    if loss.iter().any(|l| !l.is_finite()) {
        return Err(VizError::BadInput(
            "the loss history contains NaN or infinity".to_string(),
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
            let lo = loss.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = loss.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let pad = ((hi - lo) * 0.05).max(1e-3);
            (lo - pad).max(0.0f64.min(lo))..hi + pad
        }
    };
    match format_of(path)? {
        Format::Png => {
            let mut buf = pixels(size);
            draw(
                BitMapBackend::with_buffer(&mut buf, size).into_drawing_area(),
                loss,
                eval_interval,
                yr,
            )
            .map_err(draw_err(path))?;
            save_png(path, &buf, size)
        }
        Format::Svg => {
            let mut svg = String::new();
            draw(
                SVGBackend::with_string(&mut svg, size).into_drawing_area(),
                loss,
                eval_interval,
                yr,
            )
            .map_err(draw_err(path))?;
            save(path, svg.as_bytes())
        }
    }
}

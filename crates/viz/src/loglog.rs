//! Log-log charts of how a cost grows (`cargo xtask bench --scaling`): one or more panels, each
//! with labelled series of `(size, cost)` points, both axes in powers of ten.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, VizError};
use crate::style::{LABEL_PX, Px, TICK_PX, TITLE_PX, canvas_ready, class_color, render};

/// One labelled curve: `(x, y)` points, both positive.
pub struct LogSeries {
    /// Legend text.
    pub label: String,
    /// The points, in increasing `x`.
    pub points: Vec<(f64, f64)>,
}

/// One chart of the figure.
pub struct LogPanel {
    /// Title above the chart.
    pub title: String,
    /// x axis description.
    pub x_desc: String,
    /// y axis description.
    pub y_desc: String,
    /// The curves.
    pub series: Vec<LogSeries>,
}

/// Draws `panels` side by side to a `.png` or `.svg` of `size`.
pub fn plot_loglog(panels: &[LogPanel], path: &Path, size: (u32, u32)) -> Result<()> {
    canvas_ready(size)?;
    if panels.is_empty() {
        return Err(VizError::BadInput("no panels to plot".to_string()));
    }
    for p in panels {
        let pts = || p.series.iter().flat_map(|s| s.points.iter());
        if pts().next().is_none() {
            return Err(VizError::BadInput(format!(
                "panel '{}' has no points",
                p.title
            )));
        }
        if let Some((x, y)) =
            pts().find(|(x, y)| !(*x > 0.0 && *y > 0.0 && x.is_finite() && y.is_finite()))
        {
            return Err(VizError::BadInput(format!(
                "panel '{}': a log-log chart needs positive finite values, got ({x}, {y})",
                p.title
            )));
        }
    }
    render!(path, size, |root, px| draw(root, px, panels))
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    px: Px,
    panels: &[LogPanel],
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let areas = root.split_evenly((1, panels.len()));
    for (area, panel) in areas.iter().zip(panels) {
        let pts = || panel.series.iter().flat_map(|s| s.points.iter());
        let range = |f: fn(&(f64, f64)) -> f64| {
            let lo = pts().map(f).fold(f64::INFINITY, f64::min).log10();
            let hi = pts().map(f).fold(f64::NEG_INFINITY, f64::max).log10();
            let pad = ((hi - lo) * 0.08).max(0.1);
            (lo - pad)..(hi + pad)
        };
        let (xr, yr) = (range(|p| p.0), range(|p| p.1));
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, px.font(TITLE_PX - 1))
            .margin(px.u(12))
            .x_label_area_size(px.u(42))
            .y_label_area_size(px.u(60))
            .build_cartesian_2d(xr, yr)
            .map_err(|e| e.to_string())?;
        let pow10 = |v: &f64| format_pow10(*v);
        chart
            .configure_mesh()
            .x_desc(panel.x_desc.as_str())
            .y_desc(panel.y_desc.as_str())
            .x_labels(40)
            .y_labels(40)
            .x_label_formatter(&pow10)
            .y_label_formatter(&pow10)
            .label_style(px.font(TICK_PX))
            .axis_desc_style(px.font(LABEL_PX))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| e.to_string())?;
        for (k, s) in panel.series.iter().enumerate() {
            let color = class_color(k);
            let line: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|(x, y)| (x.log10(), y.log10()))
                .collect();
            chart
                .draw_series(LineSeries::new(line.clone(), color.stroke_width(px.u(2))))
                .map_err(|e| e.to_string())?
                .label(s.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + px.i(20), y)], color.stroke_width(px.u(2)))
                });
            chart
                .draw_series(
                    line.iter()
                        .map(|&p| Circle::new(p, px.i(3), color.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        // The points of a scaling sweep climb from lower left to upper right: the legend goes
        // in the upper left, clear of them.
        chart
            .configure_series_labels()
            .label_font(px.font(TICK_PX))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// An axis label for `log10(value) = v`: labels only whole powers of ten (`1`, `10`, …, `1e5`),
/// the ticks between them stay unlabelled.
fn format_pow10(v: f64) -> String {
    let k = v.round();
    if (v - k).abs() > 1e-6 {
        return String::new();
    }
    match k as i32 {
        k @ 0..=4 => 10u32.pow(k as u32).to_string(),
        k => format!("1e{k}"),
    }
}

/// The least-squares slope of `log y` against `log x`: the exponent `k` in `y ~ x^k`.
pub fn loglog_slope(points: &[(f64, f64)]) -> Option<f64> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let (mx, my) = logs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (sxy, sxx) = logs.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        (a + (x - mx) * (y - my), b + (x - mx) * (x - mx))
    });
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slope_of_a_power_law_is_its_exponent() {
        let pts: Vec<(f64, f64)> = [1.0, 10.0, 100.0, 1000.0]
            .iter()
            .map(|&x: &f64| (x, 3.0 * x.powf(0.5)))
            .collect();
        assert!((loglog_slope(&pts).unwrap() - 0.5).abs() < 1e-12);
        let lin: Vec<(f64, f64)> = [2.0, 4.0, 8.0].iter().map(|&x| (x, 7.0 * x)).collect();
        assert!((loglog_slope(&lin).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(loglog_slope(&[(1.0, 1.0)]), None);
        assert_eq!(loglog_slope(&[(1.0, 1.0), (1.0, 2.0)]), None);
    }

    fn panel() -> LogPanel {
        LogPanel {
            title: "W2 cost".into(),
            x_desc: "points".into(),
            y_desc: "ms".into(),
            series: vec![LogSeries {
                label: "certified".into(),
                points: vec![(1e4, 0.5), (1e6, 3.0), (1e8, 30.0)],
            }],
        }
    }

    #[test]
    fn the_extension_picks_png_or_svg_and_anything_else_is_refused() {
        let dir = std::env::temp_dir().join(format!("dlfs2-loglog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        plot_loglog(&[panel()], &dir.join("s.png"), (600, 300)).unwrap();
        let png = std::fs::read(dir.join("s.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        plot_loglog(&[panel()], &dir.join("s.svg"), (600, 300)).unwrap();
        let svg = std::fs::read_to_string(dir.join("s.svg")).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("W2 cost"),
            "{}",
            &svg[..80]
        );
        assert!(plot_loglog(&[panel()], &dir.join("s.txt"), (600, 300)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_values_are_refused_with_the_panel_named() {
        let p = LogPanel {
            title: "W2".into(),
            x_desc: "points".into(),
            y_desc: "ms".into(),
            series: vec![LogSeries {
                label: "a".into(),
                points: vec![(1.0, 0.0)],
            }],
        };
        let e = plot_loglog(&[p], Path::new("/tmp/never.png"), (400, 300)).unwrap_err();
        assert!(e.to_string().contains("W2"), "{e}");
    }
}

//! Chapter 1's pictures on plotters, with an embedded font (DejaVu Sans) and no system libraries:
//! the spiral data ([`plot_spiral`], §1.4.1), the loss curve ([`plot_loss`], `Trainer.plot`) and the
//! decision boundary ([`plot_decision_boundary`], §1.4.4) over the book's grid (`boundary::Grid`,
//! whose classes the `boundary` crate computes: this crate only draws); and, to
//! watch the network learn, frames of the boundary ([`render_frame`]) made into a GIF
//! ([`write_gif`]) and the hidden units' heat maps ([`plot_hidden_units`]).
//!
//! The file format follows the extension: `.png` or `.svg` (the decision boundary is PNG only:
//! its class image is a bitmap).

pub mod animation;
pub mod boundary;
pub mod error;
mod font;
pub mod hidden_units;
pub mod loglog;
pub mod loss;
pub mod spiral;
mod style;
pub use style::{
    Dash, Layer, LineLook, RegionColors, composite, encode_png, encode_png_compact,
    encode_png_rgba, nice_ticks, save_png, tick,
};

pub use animation::write_gif;
pub use boundary::{
    LossInset, plot_decision_boundary, render_frame, render_frame_base, render_frame_overlay,
    render_loss_strip,
};
pub use error::{Result, VizError};
pub use hidden_units::{
    HiddenLayer, plot_hidden_units, render_hidden_units, render_hidden_units_base,
    render_hidden_units_overlay,
};
pub use loglog::{LogPanel, LogSeries, loglog_slope, plot_loglog};
pub use loss::{Chart, Curve, TrainerPlot, plot_chart, plot_loss};
pub use spiral::{Points, plot_data, plot_spiral};
pub use style::class_color;

/// Picture size in pixels (width, height). The book's matplotlib default is 640 x 480.
pub const DEFAULT_SIZE: (u32, u32) = (640, 480);

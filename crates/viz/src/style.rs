//! Colours and markers shared by the plots: matplotlib's first three cycle colours (what the book's
//! figures show) with the book's markers `o`, `x`, `^`.

use plotters::coord::Shift;
use plotters::prelude::*;

const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of class `c` (matplotlib's tab10 cycle).
pub fn class_color(c: usize) -> RGBColor {
    PALETTE[c % PALETTE.len()]
}

/// The pale background tint of class `c` in the decision-boundary image.
pub(crate) fn class_tint(c: usize) -> [u8; 3] {
    let RGBColor(r, g, b) = class_color(c);
    let mix = |v: u8| (v as u16 + 3 * 255).div_euclid(4) as u8;
    [mix(r), mix(g), mix(b)]
}

/// The book's marker of class `c`: `o`, `x`, `^`, then again.
pub(crate) fn marker<DB: DrawingBackend, C: Clone + 'static>(
    c: usize,
    at: C,
    size: i32,
) -> DynElement<'static, DB, C> {
    let color = class_color(c);
    match c % 3 {
        0 => Circle::new(at, size, color.stroke_width(2)).into_dyn(),
        1 => Cross::new(at, size, color.stroke_width(2)).into_dyn(),
        _ => TriangleMarker::new(at, size + 1, color.filled()).into_dyn(),
    }
}

/// Which backend a path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Png,
    Svg,
}

pub(crate) fn format_of(path: &std::path::Path) -> crate::Result<Format> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        _ => Err(crate::VizError::Format {
            path: path.to_path_buf(),
            reason: "the file name must end in .png or .svg".to_string(),
        }),
    }
}

/// Turns any plotters error into ours, naming the file.
pub(crate) fn draw_err<E: std::fmt::Display>(
    path: &std::path::Path,
) -> impl Fn(E) -> crate::VizError + '_ {
    move |e| crate::VizError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Readies a picture of `size`: the bundled font registered (plotters finds no system fonts
/// here) and the size checked.
pub(crate) fn canvas_ready(size: (u32, u32)) -> crate::Result<()> {
    crate::font::ensure_font()?;
    check_size(size)
}

/// Checks the picture size: at least 64 pixels a side, at most 8192.
fn check_size(size: (u32, u32)) -> crate::Result<()> {
    if !(64..=8192).contains(&size.0) || !(64..=8192).contains(&size.1) {
        return Err(crate::VizError::BadInput(format!(
            "picture size {}x{} (each side must be 64 to 8192 pixels)",
            size.0, size.1
        )));
    }
    Ok(())
}

/// The legend box every plot uses: pale background, thin border, upper right.
pub(crate) fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> std::result::Result<(), String>
where
    DB: DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| e.to_string())
}

/// Pictures are drawn in memory and written here, with std's I/O: a failed write is
/// [`crate::VizError::Io`] with the system's plain message, and no half-drawn file is left by a
/// drawing error.
pub(crate) fn pixels(size: (u32, u32)) -> Vec<u8> {
    vec![0; size.0 as usize * size.1 as usize * 3]
}

/// Encodes RGB `pixels` as PNG and writes them to `path`.
pub fn save_png(path: &std::path::Path, pixels: &[u8], size: (u32, u32)) -> crate::Result<()> {
    let png = encode_png(pixels, size).map_err(|e| match e {
        crate::VizError::Draw { message, .. } => crate::VizError::Draw {
            path: path.to_path_buf(),
            message,
        },
        other => other,
    })?;
    save(path, &png)
}

/// RGB `pixels` of `size` as the bytes of a PNG file (fast deflate with adaptive row filters).
pub fn encode_png(pixels: &[u8], size: (u32, u32)) -> crate::Result<Vec<u8>> {
    let failed = |e: png::EncodingError| crate::VizError::Draw {
        path: "png".into(),
        message: e.to_string(),
    };
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, size.0, size.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Adaptive);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(pixels).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(bytes)
}

/// Writes a finished picture's bytes to `path`.
pub(crate) fn save(path: &std::path::Path, bytes: &[u8]) -> crate::Result<()> {
    std::fs::write(path, bytes).map_err(|e| crate::VizError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Draws a chart to `path` as a PNG or an SVG, as its extension says: `$draw` is a closure of the
/// drawing area, written once and compiled for both backends (plotters' backends are types, so a
/// closure cannot be shared between them).
macro_rules! render {
    ($path:expr, $size:expr, |$area:ident| $draw:expr) => {{
        let (path, size) = ($path, $size);
        match $crate::style::format_of(path)? {
            $crate::style::Format::Png => {
                let pixels = $crate::style::bitmap(path, size, |$area| $draw)?;
                $crate::style::save_png(path, &pixels, size)
            }
            $crate::style::Format::Svg => {
                let text = $crate::style::svg(path, size, |$area| $draw)?;
                $crate::style::save(path, text.as_bytes())
            }
        }
    }};
}
pub(crate) use render;

/// Draws with `draw` on an in-memory bitmap of `size` and returns its RGB pixels; a drawing error
/// names `path`.
pub(crate) fn bitmap(
    path: &std::path::Path,
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> crate::Result<Vec<u8>> {
    let mut buf = pixels(size);
    draw(BitMapBackend::with_buffer(&mut buf, size).into_drawing_area()).map_err(draw_err(path))?;
    Ok(buf)
}

/// Draws with `draw` on an SVG document of `size` and returns its text; a drawing error names
/// `path`.
pub(crate) fn svg(
    path: &std::path::Path,
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> crate::Result<String> {
    let mut text = String::new();
    draw(SVGBackend::with_string(&mut text, size).into_drawing_area()).map_err(draw_err(path))?;
    Ok(text)
}

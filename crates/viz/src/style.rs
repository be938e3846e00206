//! The look shared by the plots, after the book's matplotlib figures: matplotlib's colour cycle
//! with the book's markers `o`, `x`, `^`; its font sizes at 100 dpi; ticks without `-0`; legends
//! beside the data, never over it; line styles that tell many runs apart; and bitmaps drawn at
//! twice their size and averaged down, which antialiases lines, markers and text alike.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
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

/// The colours of the decision boundary's class regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegionColors {
    /// Each class's colour, pale, so the points stand out on it (the default).
    #[default]
    Pale,
    /// The book's figure: `plt.contourf` with matplotlib's default colour map, viridis (for
    /// three classes exactly matplotlib's colours: dark purple, teal, yellow).
    Viridis,
}

/// Viridis at 0, 1/16, ..., 1 (matplotlib's values, to 8 bits).
const VIRIDIS: [[u8; 3]; 17] = [
    [68, 1, 84],
    [72, 24, 106],
    [71, 45, 123],
    [66, 64, 134],
    [59, 82, 139],
    [51, 99, 141],
    [44, 114, 142],
    [38, 130, 142],
    [33, 145, 140],
    [31, 160, 136],
    [40, 174, 128],
    [63, 188, 115],
    [94, 201, 98],
    [132, 212, 75],
    [173, 220, 48],
    [216, 226, 25],
    [253, 231, 37],
];

/// Viridis at `t` in 0..=1, interpolated between the table's entries.
fn viridis(t: f64) -> [u8; 3] {
    let x = t.clamp(0.0, 1.0) * 16.0;
    let (i, f) = (x.floor() as usize, x.fract());
    let (a, b) = (VIRIDIS[i.min(16)], VIRIDIS[(i + 1).min(16)]);
    let mix = |k: usize| (a[k] as f64 + (b[k] as f64 - a[k] as f64) * f).round() as u8;
    [mix(0), mix(1), mix(2)]
}

impl RegionColors {
    /// Every choice, in the order the command line lists them.
    pub const ALL: [RegionColors; 2] = [RegionColors::Pale, RegionColors::Viridis];

    /// `"pale"` or `"viridis"`.
    pub fn name(self) -> &'static str {
        match self {
            RegionColors::Pale => "pale",
            RegionColors::Viridis => "viridis",
        }
    }

    /// The region colour of class `c` of `classes`. Viridis follows `contourf` on the class
    /// numbers: eight bands over 0..classes-1, class `c` in the band that ends at `c` (the first
    /// band for class 0), coloured at the band's middle.
    pub fn color(self, c: usize, classes: usize) -> [u8; 3] {
        match self {
            RegionColors::Pale => class_tint(c),
            RegionColors::Viridis => {
                let top = classes.saturating_sub(1).max(1) as f64;
                let band = top / 8.0;
                let mid = if c == 0 {
                    band / 2.0
                } else {
                    c as f64 - band / 2.0
                };
                viridis(mid / top)
            }
        }
    }
}

impl std::str::FromStr for RegionColors {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        RegionColors::ALL
            .into_iter()
            .find(|v| v.name() == s.trim())
            .ok_or_else(|| format!("unknown region colours {s:?}: expected pale or viridis"))
    }
}

/// The book's marker of class `c` (`o`, `x`, `^`, then again), `size` pixels at scale `px`.
pub(crate) fn marker<DB: DrawingBackend, C: Clone + 'static>(
    c: usize,
    at: C,
    size: i32,
    px: Px,
) -> DynElement<'static, DB, C> {
    let color = class_color(c);
    let line = color.stroke_width(px.u(2) * 3 / 4 + 1);
    match c % 3 {
        // matplotlib's `o` is a filled disc.
        0 => Circle::new(at, px.i(size), color.filled()).into_dyn(),
        1 => Cross::new(at, px.i(size), line).into_dyn(),
        _ => TriangleMarker::new(at, px.i(size + 1), color.filled()).into_dyn(),
    }
}

/// A held-out point of class `c`: the class's marker outline, hollow and pale, so that the
/// points trained on stand out from the ones only scored.
pub(crate) fn hollow_marker<DB: DrawingBackend, C: Clone + 'static>(
    c: usize,
    at: C,
    size: i32,
    px: Px,
) -> DynElement<'static, DB, C> {
    let color = class_color(c).mix(0.75);
    let line = color.stroke_width(px.u(1));
    match c % 3 {
        0 => Circle::new(at, px.i(size), line).into_dyn(),
        1 => Cross::new(at, px.i(size), line).into_dyn(),
        _ => TriangleMarker::new(at, px.i(size + 1), line).into_dyn(),
    }
}

/// Lengths at a picture's own size, times the factor it is drawn at (a bitmap is drawn at
/// [`SUPERSAMPLE`] times its size; an SVG at 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Px(pub u32);

impl Px {
    /// `v` pixels, scaled.
    pub(crate) fn u(self, v: u32) -> u32 {
        v * self.0
    }

    /// `v` pixels (signed), scaled.
    pub(crate) fn i(self, v: i32) -> i32 {
        v * self.0 as i32
    }

    /// The plots' font at `size` pixels, scaled.
    pub(crate) fn font(self, size: u32) -> TextStyle<'static> {
        TextStyle::from(("sans-serif", f64::from(self.u(size))).into_font())
    }
}

/// Font sizes in pixels, matplotlib's defaults at its 100 dpi: 12 pt titles, 10 pt labels and
/// ticks.
pub(crate) const TITLE_PX: u32 = 17;
/// Axis labels and legends.
pub(crate) const LABEL_PX: u32 = 14;
/// Tick labels.
pub(crate) const TICK_PX: u32 = 13;

/// A tick label: `v` with the decimals its axis's span needs (a tenth of the span shown to one
/// significant digit), and never `-0`.
pub fn tick(v: f64, span: f64) -> String {
    let decimals = if span > 0.0 && span.is_finite() {
        (-(span / 10.0).log10()).ceil().clamp(0.0, 8.0) as usize
    } else {
        2
    };
    let s = format!("{v:.decimals$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// Round values inside `r`, 1, 2 or 5 times a power of ten apart, about `target` of them at most
/// (for axes drawn by hand: the hidden units' maps, the pages' charts).
pub fn nice_ticks(r: std::ops::Range<f64>, target: usize) -> Vec<f64> {
    let span = r.end - r.start;
    if !(span > 0.0 && span.is_finite()) {
        return Vec::new();
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    let first = (r.start / step - 1e-9).ceil() as i64;
    let last = (r.end / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The mesh every chart here uses: the fonts above, tick labels by [`tick`], no minor grid.
pub(crate) fn axes<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    px: Px,
    x_desc: &str,
    y_desc: &str,
    y_label: Option<&dyn Fn(&f64) -> String>,
    grid: bool,
) -> std::result::Result<(), String> {
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let (xs, ys) = (xr.end - xr.start, yr.end - yr.start);
    let x_label = move |v: &f64| tick(*v, xs);
    let y_default = move |v: &f64| tick(*v, ys);
    let y_label: &dyn Fn(&f64) -> String = y_label.unwrap_or(&y_default);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&x_label)
        .y_label_formatter(y_label)
        .label_style(px.font(TICK_PX))
        .axis_desc_style(px.font(LABEL_PX))
        .set_all_tick_mark_size(px.u(4))
        .axis_style(BLACK.mix(0.8).stroke_width(px.u(1)))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.12).stroke_width(px.u(1)));
    if !grid {
        mesh.disable_mesh();
    }
    mesh.draw().map_err(|e| e.to_string())
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

/// What a legend entry shows beside its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    /// A class's marker.
    Class(usize),
    /// A held-out point of a class.
    HeldOut(usize),
    /// A line of this look.
    Line(LineLook),
}

/// A legend drawn in its own area beside the chart (never over the data): the entries from the
/// top, each a swatch and its label.
pub(crate) fn legend_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
    top: i32,
    px: Px,
) -> std::result::Result<(), String> {
    let row = px.i(LABEL_PX as i32 + 7);
    let font = px.font(LABEL_PX);
    for (k, (label, swatch)) in entries.iter().enumerate() {
        let y = top + px.i(6) + k as i32 * row + row / 2;
        let x = px.i(8);
        match *swatch {
            Swatch::Class(c) => area.draw(&marker::<DB, _>(c, (x + px.i(10), y), 4, px)),
            Swatch::HeldOut(c) => area.draw(&hollow_marker::<DB, _>(c, (x + px.i(10), y), 4, px)),
            Swatch::Line(look) => {
                let path = vec![(x, y), (x + px.i(22), y)];
                if look.dash == Dash::Solid {
                    area.draw(&PathElement::new(path, look.style(px)))
                } else {
                    let (on, off) = look.dash.pattern(px);
                    area.draw(&DashedPathElement::new(path, on, off, look.style(px)))
                }
            }
        }
        .map_err(|e| e.to_string())?;
        area.draw(&Text::new(
            label.clone(),
            (x + px.i(30), y - px.i(LABEL_PX as i32) / 2 - px.i(1)),
            font.clone(),
        ))
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The width in pixels (at scale `px`) a legend of these labels needs.
pub(crate) fn legend_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl IntoIterator<Item = String>,
    px: Px,
) -> u32 {
    let font = px.font(LABEL_PX);
    let widest = labels
        .into_iter()
        .map(|l| area.estimate_text_size(&l, &font).map_or(0, |(w, _)| w))
        .max()
        .unwrap_or(0);
    widest + px.u(44)
}

/// How a line is dashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    /// A solid line.
    Solid,
    /// Dashes.
    Dashed,
    /// Dots.
    Dotted,
    /// Long dashes.
    Long,
}

impl Dash {
    /// The four styles, in the order runs get them.
    pub const ALL: [Dash; 4] = [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::Long];

    /// (dash, gap) in pixels at scale `px`.
    fn pattern(self, px: Px) -> (i32, i32) {
        match self {
            Dash::Solid => (px.i(1000), 0),
            Dash::Dashed => (px.i(7), px.i(4)),
            Dash::Dotted => (px.i(2), px.i(3)),
            Dash::Long => (px.i(14), px.i(4)),
        }
    }
}

/// A curve's colour (matplotlib's cycle) and dash: ten colours times four dashes, so up to 40
/// curves of a chart each have their own look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineLook {
    /// Index into the colour cycle.
    pub color: usize,
    /// The dash.
    pub dash: Dash,
}

impl LineLook {
    /// The look of the `k`-th curve: the colours first, then the same colours dashed.
    pub fn nth(k: usize) -> LineLook {
        LineLook {
            color: k % PALETTE.len(),
            dash: Dash::ALL[(k / PALETTE.len()) % Dash::ALL.len()],
        }
    }

    /// Curve `group`'s colour, in its `variant`-th dash (f32 beside f64, say): variants of one
    /// group share a colour and differ by dash, so neither hides the other.
    pub fn variant(group: usize, variant: usize) -> LineLook {
        LineLook {
            color: group % PALETTE.len(),
            dash: Dash::ALL[(variant + group / PALETTE.len()) % Dash::ALL.len()],
        }
    }

    fn style(self, px: Px) -> ShapeStyle {
        class_color(self.color).stroke_width(px.u(3) / 2 + 1)
    }

    /// Draws `points` in this look on `chart`.
    pub(crate) fn draw<DB: DrawingBackend>(
        self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        points: Vec<(f64, f64)>,
        px: Px,
    ) -> std::result::Result<(), String> {
        match self.dash {
            Dash::Solid => chart
                .draw_series(LineSeries::new(points, self.style(px)))
                .map(|_| ()),
            dash => {
                let (on, off) = dash.pattern(px);
                chart
                    .draw_series(DashedLineSeries::new(points, on, off, self.style(px)))
                    .map(|_| ())
            }
        }
        .map_err(|e| e.to_string())
    }
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

/// RGB `pixels` of `size` as the bytes of a PNG file, lossless: with a palette when the picture
/// has at most 256 colours (a third of the bytes before compression), else as RGB.
pub fn encode_png(pixels: &[u8], size: (u32, u32)) -> crate::Result<Vec<u8>> {
    match exact_palette(pixels) {
        Some((palette, indices)) => encode_indexed(&palette, &indices, size),
        None => encode_rgb(pixels, size),
    }
}

/// RGB `pixels` of `size` as a compact PNG for a page that embeds many pictures: exact when the
/// picture has at most 256 colours, else its colours reduced to the 256 that NeuQuant finds
/// (antialiased edges are where the few lost shades are).
pub fn encode_png_compact(pixels: &[u8], size: (u32, u32)) -> crate::Result<Vec<u8>> {
    if let Some((palette, indices)) = exact_palette(pixels) {
        return encode_indexed(&palette, &indices, size);
    }
    let rgba: Vec<u8> = pixels
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    let quant = color_quant::NeuQuant::new(10, 64, &rgba);
    let indices: Vec<u8> = rgba
        .chunks_exact(4)
        .map(|p| quant.index_of(p) as u8)
        .collect();
    encode_indexed(&quant.color_map_rgb(), &indices, size)
}

/// The picture's colours and each pixel's index among them, when there are at most 256.
fn exact_palette(pixels: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut seen: std::collections::HashMap<[u8; 3], u8> = std::collections::HashMap::new();
    let mut palette = Vec::new();
    let mut indices = Vec::with_capacity(pixels.len() / 3);
    for p in pixels.chunks_exact(3) {
        let key = [p[0], p[1], p[2]];
        let index = match seen.get(&key) {
            Some(&i) => i,
            None => {
                let i = u8::try_from(seen.len()).ok()?;
                seen.insert(key, i);
                palette.extend_from_slice(&key);
                i
            }
        };
        indices.push(index);
    }
    Some((palette, indices))
}

fn png_failed(e: png::EncodingError) -> crate::VizError {
    crate::VizError::Draw {
        path: "png".into(),
        message: e.to_string(),
    }
}

fn encode_rgb(pixels: &[u8], size: (u32, u32)) -> crate::Result<Vec<u8>> {
    encode(pixels, size, png::ColorType::Rgb, None)
}

fn encode_indexed(palette: &[u8], indices: &[u8], size: (u32, u32)) -> crate::Result<Vec<u8>> {
    encode(indices, size, png::ColorType::Indexed, Some(palette))
}

/// One PNG of 8-bit `samples` in `color`, with `palette` for indexed colour.
fn encode(
    samples: &[u8],
    size: (u32, u32),
    color: png::ColorType,
    palette: Option<&[u8]>,
) -> crate::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, size.0, size.1);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    match palette {
        Some(p) => {
            encoder.set_palette(p.to_vec());
            // Row filters predict smooth RGB rows; palette indices compress better unfiltered.
            encoder.set_filter(png::Filter::NoFilter);
        }
        None => encoder.set_filter(png::Filter::Adaptive),
    }
    let mut writer = encoder.write_header().map_err(png_failed)?;
    writer.write_image_data(samples).map_err(png_failed)?;
    writer.finish().map_err(png_failed)?;
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
/// drawing area and its pixel scale, written once and compiled for both backends (plotters'
/// backends are types, so a closure cannot be shared between them).
macro_rules! render {
    ($path:expr, $size:expr, |$area:ident, $px:ident| $draw:expr) => {{
        let (path, size) = ($path, $size);
        match $crate::style::format_of(path)? {
            $crate::style::Format::Png => {
                let pixels = $crate::style::bitmap(path, size, |$area, $px| $draw)?;
                $crate::style::save_png(path, &pixels, size)
            }
            $crate::style::Format::Svg => {
                let text = $crate::style::svg(path, size, |$area, $px| $draw)?;
                $crate::style::save(path, text.as_bytes())
            }
        }
    }};
}
pub(crate) use render;

/// How many times a bitmap's size it is drawn at before being averaged down.
pub(crate) const SUPERSAMPLE: u32 = 2;

/// Pictures up to this many pixels are supersampled; larger ones (up to 8192 a side) are drawn
/// at their size, so that the drawing buffer stays under 100 MB.
const SUPERSAMPLE_MAX_PIXELS: u64 = 8 << 20;

/// Draws with `draw` on an in-memory bitmap of `size` and returns its RGB pixels; a drawing error
/// names `path`. The drawing is made at [`SUPERSAMPLE`] times the size and each block of pixels
/// averaged into one: plotters' bitmap lines and shapes have hard edges, and this smooths them.
pub(crate) fn bitmap(
    path: &std::path::Path,
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<BitMapBackend<'_>, Shift>, Px) -> Result<(), String>,
) -> crate::Result<Vec<u8>> {
    let k = if u64::from(size.0) * u64::from(size.1) <= SUPERSAMPLE_MAX_PIXELS {
        SUPERSAMPLE
    } else {
        1
    };
    let big = (size.0 * k, size.1 * k);
    let mut buf = pixels(big);
    draw(
        BitMapBackend::with_buffer(&mut buf, big).into_drawing_area(),
        Px(k),
    )
    .map_err(draw_err(path))?;
    Ok(downsample(&buf, size, k))
}

/// RGB `pixels` of `size × k` averaged over `k × k` blocks into a picture of `size`.
pub(crate) fn downsample(pixels: &[u8], size: (u32, u32), k: u32) -> Vec<u8> {
    if k == 1 {
        return pixels.to_vec();
    }
    let (w, h, k) = (size.0 as usize, size.1 as usize, k as usize);
    let stride = w * k * 3;
    let mut out = vec![0u8; w * h * 3];
    let area = (k * k) as u32;
    for y in 0..h {
        for x in 0..w {
            for ch in 0..3 {
                let mut sum = 0u32;
                for dy in 0..k {
                    let row = (y * k + dy) * stride;
                    for dx in 0..k {
                        sum += u32::from(pixels[row + (x * k + dx) * 3 + ch]);
                    }
                }
                out[(y * w + x) * 3 + ch] = ((sum + area / 2) / area) as u8;
            }
        }
    }
    out
}

/// Which part of a layered picture to draw. A page that shows many frames of one picture embeds
/// the [`Layer::Overlay`] (axes, legend, data points: the same in every frame) once, with
/// transparency, over each frame's [`Layer::Base`] (what changes: the class regions, the heat
/// maps, the caption), whose few flat colours compress to a fraction of the whole picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Everything.
    Whole,
    /// What changes between frames, on white.
    Base,
    /// What every frame shares.
    Overlay,
}

impl Layer {
    /// Whether this layer holds the frame's own content.
    pub(crate) fn base(self) -> bool {
        self != Layer::Overlay
    }

    /// Whether this layer holds the shared content.
    pub(crate) fn overlay(self) -> bool {
        self != Layer::Base
    }
}

/// Draws an overlay with `draw` (which fills the area with the colour it is given) on white and
/// on black, and returns RGBA pixels: where the two agree the overlay is opaque, where they
/// differ by the whole range it is transparent, and in between (antialiased edges) partly so.
pub(crate) fn overlay_rgba(
    path: &std::path::Path,
    size: (u32, u32),
    draw: impl Fn(DrawingArea<BitMapBackend<'_>, Shift>, Px, RGBColor) -> Result<(), String>,
) -> crate::Result<Vec<u8>> {
    let white = bitmap(path, size, |a, px| draw(a, px, WHITE))?;
    let black = bitmap(path, size, |a, px| draw(a, px, BLACK))?;
    Ok(alpha_from(&white, &black))
}

/// RGBA from a picture drawn on white and on black.
fn alpha_from(white: &[u8], black: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(white.len() / 3 * 4);
    for (w, b) in white.chunks_exact(3).zip(black.chunks_exact(3)) {
        let gap: u32 = (0..3).map(|k| u32::from(w[k].saturating_sub(b[k]))).sum();
        let a = 255 - (gap + 1) / 3;
        // Fully transparent pixels have no colour: 0 stands for it.
        let unmix = |v: u8| {
            (u32::from(v) * 255 + a / 2)
                .checked_div(a)
                .map_or(0, |c| c.min(255) as u8)
        };
        out.extend_from_slice(&[unmix(b[0]), unmix(b[1]), unmix(b[2]), a as u8]);
    }
    out
}

/// RGB `base` with the RGBA `overlay` of the same size drawn over it.
pub fn composite(base: &[u8], overlay: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(base.len());
    for (b, o) in base.chunks_exact(3).zip(overlay.chunks_exact(4)) {
        let a = u32::from(o[3]);
        for k in 0..3 {
            out.push(((u32::from(o[k]) * a + u32::from(b[k]) * (255 - a) + 127) / 255) as u8);
        }
    }
    out
}

/// RGBA `pixels` of `size` as the bytes of a PNG file.
pub fn encode_png_rgba(pixels: &[u8], size: (u32, u32)) -> crate::Result<Vec<u8>> {
    encode(pixels, size, png::ColorType::Rgba, None)
}

/// Draws with `draw` on an SVG document of `size` and returns its text; a drawing error names
/// `path`.
pub(crate) fn svg(
    path: &std::path::Path,
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<SVGBackend<'_>, Shift>, Px) -> Result<(), String>,
) -> crate::Result<String> {
    let mut text = String::new();
    draw(
        SVGBackend::with_string(&mut text, size).into_drawing_area(),
        Px(1),
    )
    .map_err(draw_err(path))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_have_the_decimals_their_span_needs_and_no_negative_zero() {
        assert_eq!(tick(-0.0, 2.2), "0.0");
        assert_eq!(tick(-1e-17, 2.2), "0.0");
        assert_eq!(tick(-0.2, 2.2), "-0.2");
        assert_eq!(tick(0.4, 2.2), "0.4");
        assert_eq!(tick(250.0, 300.0), "250");
        assert_eq!(tick(0.126, 0.5), "0.13");
        assert_eq!(tick(-0.001, 0.5), "0.00");
    }

    #[test]
    fn nice_ticks_are_round_and_inside() {
        assert_eq!(nice_ticks(-1.1..1.1, 3), vec![-1.0, 0.0, 1.0]);
        assert_eq!(
            nice_ticks(0.0..300.0, 6),
            vec![0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0]
        );
        assert_eq!(
            nice_ticks(0.0..1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert!(nice_ticks(1.0..1.0, 5).is_empty());
    }

    #[test]
    fn viridis_regions_are_matplotlibs_contourf_colours_for_three_classes() {
        // Read off `plt.contourf(xx, yy, Z)` of the book's run (matplotlib 3.11).
        let hex = |c: [u8; 3]| format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
        let got: Vec<String> = (0..3)
            .map(|c| hex(RegionColors::Viridis.color(c, 3)))
            .collect();
        let want = ["#48186a", "#26828e", "#d8e219"];
        for (g, w) in got.iter().zip(want) {
            let d = |s: &str, i: usize| i32::from_str_radix(&s[1 + 2 * i..3 + 2 * i], 16).unwrap();
            assert!(
                (0..3).all(|i| (d(g, i) - d(w, i)).abs() <= 2),
                "{got:?} vs {want:?}"
            );
        }
        assert_eq!("viridis".parse(), Ok(RegionColors::Viridis));
        assert!("jet".parse::<RegionColors>().is_err());
    }

    #[test]
    fn forty_curves_each_have_their_own_look_and_variants_share_a_colour() {
        let looks: Vec<LineLook> = (0..40).map(LineLook::nth).collect();
        for (i, a) in looks.iter().enumerate() {
            assert!(!looks[..i].contains(a), "curve {i} repeats {a:?}");
        }
        let (f64_run, f32_run) = (LineLook::variant(3, 0), LineLook::variant(3, 1));
        assert_eq!(f64_run.color, f32_run.color);
        assert_ne!(f64_run.dash, f32_run.dash);
    }

    #[test]
    fn palette_pngs_decode_to_the_same_pixels() {
        // Few colours: exact, through a palette, from both encoders.
        let few: Vec<u8> = (0..64 * 48)
            .flat_map(|i| [(i % 7) as u8 * 30, 200, 10])
            .collect();
        for bytes in [
            encode_png(&few, (64, 48)).unwrap(),
            encode_png_compact(&few, (64, 48)).unwrap(),
        ] {
            let mut d = png::Decoder::new(std::io::Cursor::new(bytes));
            d.set_transformations(png::Transformations::EXPAND);
            let mut r = d.read_info().unwrap();
            assert_eq!(r.info().color_type, png::ColorType::Indexed);
            let mut buf = vec![0; r.output_buffer_size().unwrap()];
            r.next_frame(&mut buf).unwrap();
            assert_eq!(buf, few);
        }
        // Many colours, as in an antialiased plot: a few flat colours over most of the picture
        // and, along edges, blends of every pair of them (12 + 66 x 8 = 540 colours). Lossless
        // as RGB; through the reduced palette the flat colours stay and the blends move a little.
        let flat: Vec<[u8; 3]> = (0..12)
            .map(|c| {
                let RGBColor(r, g, b) = class_color(c);
                [r, g, b]
            })
            .collect();
        let mut many = Vec::new();
        for i in 0..200 * 150 {
            let (a, b) = (flat[i % 12], flat[(i / 12) % 12]);
            let t = if i % 10 == 0 { (i / 144) % 8 + 1 } else { 0 };
            for ch in 0..3 {
                many.push(((a[ch] as usize * (9 - t) + b[ch] as usize * t) / 9) as u8);
            }
        }
        let decode = |bytes: Vec<u8>| {
            let mut d = png::Decoder::new(std::io::Cursor::new(bytes));
            d.set_transformations(png::Transformations::EXPAND);
            let mut r = d.read_info().unwrap();
            let mut buf = vec![0; r.output_buffer_size().unwrap()];
            r.next_frame(&mut buf).unwrap();
            buf
        };
        assert!(exact_palette(&many).is_none());
        assert_eq!(decode(encode_png(&many, (200, 150)).unwrap()), many);
        let reduced = decode(encode_png_compact(&many, (200, 150)).unwrap());
        let off: u32 = reduced
            .iter()
            .zip(&many)
            .map(|(a, b)| u32::from(a.abs_diff(*b)))
            .sum();
        let mean = off as f64 / many.len() as f64;
        assert!(mean < 2.0, "channels off by {mean} on average");
    }

    #[test]
    fn an_overlay_over_its_base_is_the_whole_picture() {
        // A red square with a half-covered edge, drawn on white and on black.
        let draw = |bg: [u8; 3]| {
            let mut p = [bg; 4].concat();
            p[..3].copy_from_slice(&[255, 0, 0]);
            for k in 0..3 {
                p[3 + k] = ((255 + u32::from(bg[k])) / 2) as u8 * u8::from(k == 0)
                    + (u32::from(bg[k]) / 2) as u8 * u8::from(k != 0);
            }
            p
        };
        let rgba = alpha_from(&draw([255; 3]), &draw([0; 3]));
        assert_eq!(&rgba[..4], &[255, 0, 0, 255]);
        assert_eq!(rgba[7], 128, "the half-covered pixel is half transparent");
        assert_eq!(&rgba[8..16], &[0, 0, 0, 0, 0, 0, 0, 0]);
        // Over a white base it gives back what was drawn on white, to a level of rounding.
        let back = composite(&[255; 12], &rgba);
        for (a, b) in back.iter().zip(draw([255; 3])) {
            assert!(a.abs_diff(b) <= 1, "{back:?}");
        }
    }

    #[test]
    fn supersampling_averages_each_block() {
        // A 2 x 1 picture drawn at 4 x 2: a white block and a half-black one.
        let mut big = vec![255u8; 4 * 2 * 3];
        for p in [2usize, 7] {
            big[p * 3..p * 3 + 3].fill(0);
        }
        assert_eq!(
            downsample(&big, (2, 1), 2),
            vec![255, 255, 255, 128, 128, 128]
        );
    }
}

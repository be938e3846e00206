//! `report.html`: one self-contained page — no network, no external script, style or font, every
//! picture a `data:` URI. It shows what REPORT.md shows (both rendered from one [`Report`], so the
//! two cannot disagree), and above it the frames of the run: a slider and play/pause over the boundary, the
//! hidden units and a marker on the loss curve. `report.html#frame=N` (or `#frame=last`) opens at
//! frame N. Without JavaScript the page shows the final frame. Built with maud, which escapes
//! every text it is given.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::frames::Watched;
use crate::report::{Report, data_uri};

/// What the frames section shows at one frame.
#[derive(Debug, Clone)]
pub struct FrameView {
    /// Epochs completed.
    pub epoch: f64,
    /// Steps taken.
    pub step: u64,
    /// Where the marker stands on the loss curves, 0..1 of their width.
    pub at: f64,
    /// What else the caption says at this frame (loss, accuracy, ...).
    pub details: String,
}

/// The frames section: pictures (each kind one picture per frame, as PNG bytes) with their
/// descriptions, the loss curves the marker moves on, and each frame's numbers.
pub struct Watch {
    /// The frames.
    pub frames: Vec<FrameView>,
    /// `(description, one PNG per frame)` for each kind of picture.
    pub pictures: Vec<(String, Vec<Vec<u8>>)>,
    /// `(label, losses)` for each curve.
    pub curves: Vec<(String, Vec<f64>)>,
    /// The section's opening sentence.
    pub intro: String,
}

impl Watch {
    /// The chapter run's frames: the boundary and the hidden units, on the Trainer's loss curve.
    pub fn of_run(w: &Watched, loss_list: &[f64]) -> Watch {
        let total = loss_list.len().max(1) as f64;
        Watch {
            frames: w
                .frames
                .iter()
                .map(|f| FrameView {
                    epoch: f.epoch,
                    step: f.step,
                    at: f.losses_so_far as f64 / total,
                    details: format!("loss {:.4}, accuracy {:.3}", f.loss, f.accuracy),
                })
                .collect(),
            pictures: vec![
                (
                    "the decision boundary at this frame".into(),
                    w.boundaries.clone(),
                ),
                ("the hidden units at this frame".into(), w.units.clone()),
            ],
            curves: vec![("Trainer".into(), loss_list.to_vec())],
            intro:
                "The main Trainer run, frame by frame: the decision boundary with the data, what \
                    each hidden unit computes, and where the run is on its loss curve."
                    .into(),
        }
    }
}

/// The page: a title, the frames (when there are any), and the run's report, whose pictures are
/// read from `dir`.
pub struct Page<'a> {
    /// The page's title.
    pub title: &'a str,
    /// The report the page shows below the frames (the one REPORT.md is rendered from).
    pub report: &'a Report,
    /// The run's folder, where the report's pictures are.
    pub dir: &'a Path,
    /// The frames.
    pub watch: Option<&'a Watch>,
}

/// Writes the page to `path`.
pub fn write(path: &Path, page: &Page<'_>) -> Result<()> {
    let html = render(page)?;
    std::fs::write(path, html.into_string())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn render(page: &Page<'_>) -> Result<Markup> {
    let body = page.report.html(page.dir)?;
    let watch = match page.watch {
        Some(w) => watch(w)?,
        None => html! {},
    };
    Ok(html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    (watch)
                    (body)
                }
            }
        }
    })
}

const STYLE: &str = "body{font-family:sans-serif;margin:0;background:#fafafa;color:#222}\
main{max-width:1100px;margin:auto;padding:1em}\
img{max-width:100%;border:1px solid #ddd;background:#fff}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em}\
#watch .pictures{display:flex;flex-wrap:wrap;gap:.5em}\
#watch svg{width:100%;max-width:600px;height:160px;background:#fff;border:1px solid #ddd}\
#watch .controls{display:flex;gap:1em;align-items:center;margin:.5em 0}\
#slider{flex:1}code{background:#eee;padding:0 .2em}";

/// Curve colours (the plots' palette).
const COLORS: [&str; 6] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
];

/// The frames section: the last frame in the markup (what a page without JavaScript shows), every
/// frame's pictures and numbers as JSON for the script.
fn watch(w: &Watch) -> Result<Markup> {
    let last = w.frames.len().checked_sub(1).context("no frame")?;
    let pictures: Vec<Vec<String>> = w
        .pictures
        .iter()
        .map(|(_, pngs)| pngs.iter().map(|p| data_uri("image/png", p)).collect())
        .collect();
    let infos: Vec<serde_json::Value> = w
        .frames
        .iter()
        .map(|f| serde_json::json!({ "epoch": f.epoch, "step": f.step, "at": f.at, "details": f.details }))
        .collect();
    let data = serde_json::json!({ "frames": infos, "pictures": pictures });
    // JSON inside <script>: `</` is the only sequence that could end the element early.
    let json = serde_json::to_string(&data)?.replace("</", "<\\/");
    let f = &w.frames[last];
    let (lo, hi) = range(&w.curves);
    let x = 600.0 * f.at;
    Ok(html! {
        section id="watch" {
            h2 { "Watch it learn" }
            p {
                (w.intro) " Drag the slider or press play; " code { "#frame=N" }
                " in the address opens frame N."
            }
            div class="pictures" {
                @for (k, (alt, _)) in w.pictures.iter().enumerate() {
                    img id=(format!("picture-{k}")) alt=(alt) src=(pictures[k][last]);
                }
            }
            svg id="loss-curve" viewBox="0 0 600 160" preserveAspectRatio="none" role="img" {
                title { "loss, " (format!("{lo:.3}")) " to " (format!("{hi:.3}")) }
                @for (k, (label, values)) in w.curves.iter().enumerate() {
                    polyline points=(polyline(values, lo, hi)) fill="none"
                        stroke=(COLORS[k % COLORS.len()]) stroke-width="1.5" { title { (label) } }
                }
                line id="marker" x1=(x) x2=(x) y1="0" y2="160" stroke="#d62728" stroke-width="2" {}
            }
            @if w.curves.len() > 1 {
                p class="legend" {
                    @for (k, (label, _)) in w.curves.iter().enumerate() {
                        span style=(format!("color:{}", COLORS[k % COLORS.len()])) { "■ " (label) " " }
                    }
                }
            }
            div class="controls" {
                button id="play" type="button" { "play" }
                input id="slider" type="range" min="0" max=(last) value=(last) aria-label="frame";
            }
            p id="caption" {
                "Frame " span id="frame-index" { (last) } " of " (last) ": epoch "
                span id="epoch" { (format!("{:.1}", f.epoch)) } ", step " span id="step" { (f.step) }
                "; " span id="details" { (f.details) }
            }
            script type="application/json" id="frames-data" { (PreEscaped(json)) }
            script { (PreEscaped(SCRIPT)) }
        }
    })
}

/// The slider, play/pause and `#frame=N`.
const SCRIPT: &str = r##"(function () {
  var data = JSON.parse(document.getElementById("frames-data").textContent);
  var n = data.frames.length, timer = null;
  var slider = document.getElementById("slider"), play = document.getElementById("play");
  function text(id, v) { document.getElementById(id).textContent = v; }
  function show(i, keep) {
    i = Math.max(0, Math.min(n - 1, i));
    var f = data.frames[i];
    data.pictures.forEach(function (p, k) { document.getElementById("picture-" + k).src = p[i]; });
    var m = document.getElementById("marker");
    m.setAttribute("x1", 600 * f.at); m.setAttribute("x2", 600 * f.at);
    text("frame-index", i); text("epoch", f.epoch.toFixed(1)); text("step", f.step);
    text("details", f.details);
    slider.value = i;
    if (!keep) history.replaceState(null, "", "#frame=" + i);
  }
  function fromHash() {
    var m = /frame=(\d+|last)/.exec(location.hash);
    if (!m) return n - 1;
    return m[1] === "last" ? n - 1 : parseInt(m[1], 10);
  }
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  play.addEventListener("click", function () {
    if (timer) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
    play.textContent = "pause";
    if (parseInt(slider.value, 10) >= n - 1) show(0);
    timer = setInterval(function () {
      var i = parseInt(slider.value, 10) + 1;
      if (i >= n) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
      show(i);
    }, 120);
  });
  window.addEventListener("hashchange", function () { show(fromHash(), true); });
  show(fromHash(), true);
})();"##;

/// The smallest and largest loss over the curves (from 0 at most, so curves share a baseline).
fn range(curves: &[(String, Vec<f64>)]) -> (f64, f64) {
    let all = || curves.iter().flat_map(|c| c.1.iter().copied());
    let lo = all().fold(f64::INFINITY, f64::min).min(0.0);
    let hi = all().fold(0.0, f64::max).max(lo + 1e-9);
    (lo, hi)
}

/// A loss curve as SVG polyline points in a 600 x 160 box spanning `lo..hi`.
fn polyline(loss: &[f64], lo: f64, hi: f64) -> String {
    let n = loss.len().max(2) - 1;
    let mut points = String::new();
    for (i, v) in loss.iter().enumerate() {
        let x = 600.0 * i as f64 / n as f64;
        let y = 155.0 - 150.0 * (v - lo) / (hi - lo);
        let _ = write!(points, "{x:.1},{y:.1} ");
    }
    points
}

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

use crate::frames::{PagePictures, Watched};
use crate::report::{Report, data_uri};
use crate::runs::TrainerRun;

/// What the frames section shows at one frame.
#[derive(Debug, Clone)]
pub struct FrameView {
    /// Epochs completed.
    pub epoch: f64,
    /// Steps taken.
    pub step: u64,
    /// What else the caption says at this frame (loss, accuracy, ...).
    pub details: String,
}

/// One curve of the page's chart, over epochs.
#[derive(Debug, Clone)]
pub struct PageCurve {
    /// The legend's label.
    pub label: String,
    /// Colour and dash (the pictures' looks).
    pub look: viz::LineLook,
    /// `(epoch, value)` points.
    pub points: Vec<(f64, f64)>,
}

/// One panel of the page's chart: a y axis and its curves.
#[derive(Debug, Clone)]
pub struct Panel {
    /// What the y axis shows.
    pub y_desc: String,
    /// The y axis's range.
    pub y: (f64, f64),
    /// The curves.
    pub curves: Vec<PageCurve>,
}

/// The frames section: pictures (each kind one picture per frame, as PNG bytes) with their
/// descriptions, the chart the frame marker moves on, and each frame's numbers.
pub struct Watch {
    /// The frames.
    pub frames: Vec<FrameView>,
    /// Each kind of picture, one per frame.
    pub pictures: Vec<PagePictures>,
    /// The chart's panels, stacked over one epoch axis.
    pub panels: Vec<Panel>,
    /// Epochs the x axis spans.
    pub epochs: f64,
    /// The section's opening sentence.
    pub intro: String,
}

/// A loss history as `(epoch, loss)` points: record `k` was taken after iteration
/// `iterations[k]`.
pub fn over_epochs(iterations: &[usize], values: &[f64], max_iters: usize) -> Vec<(f64, f64)> {
    let per = max_iters.max(1) as f64;
    iterations
        .iter()
        .zip(values)
        .map(|(&i, &v)| (i as f64 / per, v))
        .collect()
}

/// The panel of losses, from 0 to the largest.
pub fn loss_panel(curves: Vec<PageCurve>) -> Panel {
    let hi = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    Panel {
        y_desc: "loss".into(),
        y: (0.0, if hi > 0.0 { hi * 1.05 } else { 1.0 }),
        curves,
    }
}

/// The panel of accuracies, 0 to 1.
pub fn accuracy_panel(curves: Vec<PageCurve>) -> Panel {
    Panel {
        y_desc: "accuracy".into(),
        y: (0.0, 1.0),
        curves,
    }
}

impl Watch {
    /// The chapter run's frames: the boundary and the hidden units, on the Trainer's loss and
    /// accuracy curves (training, and validation when the data was split).
    pub fn of_run(w: &Watched, run: &TrainerRun, epochs: usize) -> Watch {
        let per = run.max_iters.max(1) as f64;
        let iterations: Vec<usize> = run.records.iter().map(|r| r.0).collect();
        let train = viz::LineLook::nth(0);
        let val = viz::LineLook::nth(1);
        let mut losses = vec![PageCurve {
            label: "training (mean batch loss since the last record)".into(),
            look: train,
            points: over_epochs(&iterations, &run.loss_list, run.max_iters),
        }];
        let at = |m: &train::RecordMetrics| m.iteration as f64 / per;
        let val_points = |f: fn(&train::Scores) -> f64| {
            run.metrics
                .iter()
                .filter_map(|m| m.validation.as_ref().map(|v| (at(m), f(v))))
                .collect::<Vec<_>>()
        };
        let mut accuracies = vec![PageCurve {
            label: "training".into(),
            look: train,
            points: run
                .metrics
                .iter()
                .map(|m| (at(m), m.train_accuracy))
                .collect(),
        }];
        if run.validation.is_some() {
            losses.push(PageCurve {
                label: "validation".into(),
                look: val,
                points: val_points(|v| v.loss),
            });
            accuracies.push(PageCurve {
                label: "validation".into(),
                look: val,
                points: val_points(|v| v.accuracy),
            });
        }
        Watch {
            frames: w
                .frames
                .iter()
                .map(|f| FrameView {
                    epoch: f.epoch,
                    step: f.step,
                    details: crate::frames::details(f),
                })
                .collect(),
            pictures: vec![w.boundaries.clone(), w.units.clone()],
            panels: vec![loss_panel(losses), accuracy_panel(accuracies)],
            epochs: epochs as f64,
            intro:
                "The main Trainer run, frame by frame: the decision boundary with the data, what \
                    each hidden unit computes, and where the run is on its loss and accuracy \
                    curves."
                    .into(),
        }
    }
}

/// The page: the report's title, the frames (when there are any), and the rest of the report,
/// whose pictures are read from `dir`.
pub struct Page<'a> {
    /// The page's title.
    pub title: &'a str,
    /// The report the page shows (the one REPORT.md is rendered from).
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
    let (heading, body) = page.report.html(page.dir)?;
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
                    (heading)
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
#watch .pictures{display:flex;flex-wrap:wrap;gap:.5em;align-items:flex-start}\
#watch .stack{position:relative;line-height:0}\
#watch .stack .overlay{position:absolute;left:0;top:0;width:100%;height:100%;border-color:transparent;background:none}\
#watch svg.chart{width:100%;max-width:700px;height:auto;background:#fff;border:1px solid #ddd}\
#watch svg text{font-family:sans-serif;font-size:12px;fill:#333}\
#watch .legend{font-size:.9em;margin:.2em 0}#watch .legend span{margin-right:1em;white-space:nowrap}\
#watch .controls{display:flex;gap:1em;align-items:center;margin:.5em 0}\
#slider{flex:1}code{background:#eee;padding:0 .2em}";

/// The chart's geometry in SVG units: plot area from `LEFT` to `WIDTH - RIGHT`, panels of
/// `PANEL` high, each with `GAP` under it for its x tick labels.
const WIDTH: f64 = 700.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 10.0;
const PANEL: f64 = 140.0;
const GAP: f64 = 34.0;

/// `#rrggbb` of a look's colour.
fn hex(look: viz::LineLook) -> String {
    let c = viz::class_color(look.color);
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// SVG's `stroke-dasharray` of a look, as the pictures dash it.
fn dasharray(look: viz::LineLook) -> &'static str {
    match look.dash {
        viz::Dash::Solid => "none",
        viz::Dash::Dashed => "7 4",
        viz::Dash::Dotted => "2 3",
        viz::Dash::Long => "14 4",
    }
}

/// The panels as one SVG over a shared epoch axis, with tick labels on both axes and the frame
/// marker across every panel.
fn chart(w: &Watch, at: f64) -> Markup {
    let plot_w = WIDTH - LEFT - RIGHT;
    let height = TOP + w.panels.len() as f64 * (PANEL + GAP);
    let x_of = |e: f64| LEFT + plot_w * (e / w.epochs.max(1e-9)).clamp(0.0, 1.0);
    let x_ticks = viz::nice_ticks(0.0..w.epochs, 6);
    html! {
        svg id="chart" class="chart" viewBox=(format!("0 0 {WIDTH} {height}")) role="img"
            data-left=(LEFT) data-width=(plot_w) {
            title { "loss and accuracy over the epochs, with this frame marked" }
            @for (k, p) in w.panels.iter().enumerate() {
                @let top = TOP + k as f64 * (PANEL + GAP);
                @let (lo, hi) = p.y;
                @let y_of = |v: f64| top + PANEL - PANEL * ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
                rect x=(LEFT) y=(top) width=(plot_w) height=(PANEL) fill="none" stroke="#999" {}
                @for v in viz::nice_ticks(lo..hi, 5) {
                    line x1=(LEFT - 4.0) x2=(LEFT + plot_w) y1=(y_of(v)) y2=(y_of(v))
                        stroke="#000" stroke-opacity="0.1" {}
                    text x=(LEFT - 7.0) y=(y_of(v) + 4.0) text-anchor="end" { (viz::tick(v, hi - lo)) }
                }
                @for e in &x_ticks {
                    line x1=(x_of(*e)) x2=(x_of(*e)) y1=(top) y2=(top + PANEL + 4.0)
                        stroke="#000" stroke-opacity="0.1" {}
                    text x=(x_of(*e)) y=(top + PANEL + 17.0) text-anchor="middle" { (viz::tick(*e, w.epochs)) }
                }
                text x="14" y=(top + PANEL / 2.0) text-anchor="middle"
                    transform=(format!("rotate(-90 14 {})", top + PANEL / 2.0)) { (p.y_desc) }
                @for c in &p.curves {
                    polyline fill="none" stroke=(hex(c.look)) stroke-width="1.6"
                        stroke-dasharray=(dasharray(c.look)) stroke-linejoin="round"
                        points=(points(&c.points, x_of, y_of)) { title { (c.label) } }
                }
            }
            text x=(LEFT + plot_w / 2.0) y=(height - 3.0) text-anchor="middle" { "epoch" }
            line id="marker" x1=(x_of(at)) x2=(x_of(at)) y1=(TOP) y2=(height - GAP)
                stroke="#333" stroke-width="1.5" stroke-dasharray="4 3" {}
        }
        @for p in &w.panels {
            p class="legend" {
                (p.y_desc) ": "
                @for c in &p.curves {
                    span {
                        svg width="26" height="10" {
                            line x1="1" x2="25" y1="5" y2="5" stroke=(hex(c.look)) stroke-width="2"
                                stroke-dasharray=(dasharray(c.look)) {}
                        }
                        " " (c.label)
                    }
                }
            }
        }
    }
}

/// `(x, y)` points as an SVG polyline's `points`.
fn points(values: &[(f64, f64)], x_of: impl Fn(f64) -> f64, y_of: impl Fn(f64) -> f64) -> String {
    let mut s = String::new();
    for &(x, v) in values {
        if v.is_finite() {
            let _ = write!(s, "{:.1},{:.1} ", x_of(x), y_of(v));
        }
    }
    s
}

/// The frames section: the last frame in the markup (what a page without JavaScript shows), every
/// frame's pictures and numbers as JSON for the script.
fn watch(w: &Watch) -> Result<Markup> {
    let last = w.frames.len().checked_sub(1).context("no frame")?;
    let pictures: Vec<Vec<String>> = w
        .pictures
        .iter()
        .map(|p| p.frames.iter().map(|f| data_uri("image/png", f)).collect())
        .collect();
    let infos: Vec<serde_json::Value> = w
        .frames
        .iter()
        .map(|f| {
            serde_json::json!({
                "epoch": f.epoch,
                "step": f.step,
                "at": (f.epoch / w.epochs.max(1e-9)).clamp(0.0, 1.0),
                "details": f.details,
            })
        })
        .collect();
    let data = serde_json::json!({ "frames": infos, "pictures": pictures });
    // JSON inside <script>: `</` is the only sequence that could end the element early.
    let json = serde_json::to_string(&data)?.replace("</", "<\\/");
    let f = &w.frames[last];
    Ok(html! {
        section id="watch" {
            h2 { "Watch it learn" }
            p {
                (w.intro) " Drag the slider or press play; " code { "#frame=N" }
                " in the address opens frame N."
            }
            div class="pictures" {
                @for (k, p) in w.pictures.iter().enumerate() {
                    div class="stack" {
                        img id=(format!("picture-{k}")) alt=(p.alt) src=(pictures[k][last]);
                        @if let Some(o) = &p.overlay {
                            img class="overlay" alt="" src=(data_uri("image/png", o));
                        }
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
            (chart(w, f.epoch))
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
    var c = document.getElementById("chart"), m = document.getElementById("marker");
    var x = parseFloat(c.dataset.left) + parseFloat(c.dataset.width) * f.at;
    m.setAttribute("x1", x); m.setAttribute("x2", x);
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

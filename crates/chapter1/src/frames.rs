//! Watching the network learn: snapshots of the main Trainer run's params (through the Trainer's
//! observer, which copies them without touching the training numbers), and what is drawn from
//! them — `training.gif` (the boundary forming, with the loss so far) and the hidden units' heat
//! maps of every frame.

use std::path::Path;

use anyhow::{Context, Result};
use layers::TwoLayerNet;
use tensor::{Device, Labels, Tensor};
use train::{FitObserver, Snapshot};

use crate::dataset::Dataset;

/// Frames of `training.gif` by default: enough to watch, small enough to stay under 3 MB.
pub const DEFAULT_FRAMES: usize = 60;
/// Pixels of a frame's boundary picture (the report's, and the top of a GIF frame).
pub const FRAME_SIZE: (u32, u32) = (480, 380);
/// Pixels of the loss strip under a GIF frame.
pub const STRIP_SIZE: (u32, u32) = (FRAME_SIZE.0, 64);
/// Pixels of a frame's hidden-unit heat maps (in the report).
pub const UNITS_SIZE: (u32, u32) = (600, 480);
/// Points per axis of a frame's boundary grid (the final picture keeps the book's grid).
const FRAME_GRID: f64 = 160.0;

/// The steps at which `count` frames are taken over `total` steps: the first is the initial
/// params, the last the final ones, and in between the steps grow quadratically, so the fast early
/// change gets as many frames as the slow late one.
pub fn plan(count: usize, total: u64) -> Vec<u64> {
    let mut steps: Vec<u64> = match count {
        0 => Vec::new(),
        1 => vec![total],
        n => (0..n)
            .map(|k| {
                let f = k as f64 / (n - 1) as f64;
                (f * f * total as f64).round() as u64
            })
            .collect(),
    };
    steps.dedup();
    steps
}

/// Records the params at the planned steps.
#[derive(Debug, Default)]
pub struct Recorder {
    steps: Vec<u64>,
    next: usize,
    /// The snapshots taken, in step order.
    pub snapshots: Vec<Snapshot>,
}

impl Recorder {
    /// A recorder for the steps of [`plan`].
    pub fn new(steps: Vec<u64>) -> Self {
        Recorder {
            steps,
            next: 0,
            snapshots: Vec::new(),
        }
    }
}

impl FitObserver for Recorder {
    fn wants_snapshot(&mut self, step: u64) -> bool {
        while self.steps.get(self.next).is_some_and(|&s| s < step) {
            self.next += 1;
        }
        self.steps.get(self.next) == Some(&step)
    }

    fn on_snapshot(&mut self, snapshot: Snapshot) {
        self.next += 1;
        self.snapshots.push(snapshot);
    }
}

/// One frame, ready to draw: when it was taken and how the model did then (on all the data).
#[derive(Debug, Clone)]
pub struct Frame {
    /// Steps taken.
    pub step: u64,
    /// Epochs completed (a fraction between epoch ends).
    pub epoch: f64,
    /// Loss on all the data.
    pub loss: f64,
    /// Accuracy on all the data.
    pub accuracy: f64,
    /// Loss and accuracy on the held-out points, when the data was split.
    pub validation: Option<train::Scores>,
    /// How many of the run's recorded losses existed at this step.
    pub losses_so_far: usize,
    /// The params.
    pub params: Snapshot,
}

/// The network of a snapshot, in f64 on the CPU.
pub fn model_of(s: &Snapshot) -> Result<TwoLayerNet<f64>> {
    let p = |name: &str| {
        s.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a.view())
            .with_context(|| format!("snapshot without {name}"))
    };
    Ok(TwoLayerNet::from_params(
        p("W1")?,
        p("b1")?,
        p("W2")?,
        p("b2")?,
        Device::Cpu,
    )?)
}

/// Scores every snapshot on all the training data (and on the held-out points, when any).
pub fn frames(
    snapshots: &[Snapshot],
    data: &Dataset,
    max_iters: usize,
    eval_interval: usize,
) -> Result<Vec<Frame>> {
    // The Trainer records at iterations 0, e, 2e, ... of every epoch.
    let records_at = |step: u64| {
        let (epoch, iter) = (
            step as usize / max_iters.max(1),
            step as usize % max_iters.max(1),
        );
        epoch * max_iters.div_ceil(eval_interval) + iter.div_ceil(eval_interval)
    };
    let x = Tensor::<f64>::from_array(data.x.clone(), Device::Cpu)?;
    let t = Labels::from_indices(&data.labels, data.classes)?;
    let held = match &data.held_out {
        Some(h) => Some((
            Tensor::<f64>::from_array(h.x.clone(), Device::Cpu)?,
            Labels::from_indices(&h.labels, data.classes)?,
        )),
        None => None,
    };
    snapshots
        .iter()
        .map(|s| {
            let mut m = model_of(s)?;
            let train::Scores { loss, accuracy } = train::metrics::scores(&mut m, &x, &t)?;
            let validation = match &held {
                Some((hx, ht)) => Some(train::metrics::scores(&mut m, hx, ht)?),
                None => None,
            };
            Ok(Frame {
                step: s.step,
                epoch: s.epoch,
                loss,
                accuracy,
                validation,
                losses_so_far: records_at(s.step),
                params: s.clone(),
            })
        })
        .collect()
}

/// The grid a frame's boundary is drawn on: the book's extent, about [`FRAME_GRID`] points a side.
pub fn frame_grid(data: &Dataset) -> Result<boundary::Grid> {
    let span = |c: usize| {
        let col = data.x.column(c);
        col.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - col.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let step = (span(0).max(span(1)) + 0.2) / FRAME_GRID;
    Ok(boundary::Grid::around(data.x.view(), step)?)
}

/// The caption of a frame's picture (the page's caption says more).
pub fn caption(f: &Frame) -> String {
    format!(
        "epoch {:.1} · loss {:.3} · accuracy {:.3}",
        f.epoch, f.loss, f.accuracy
    )
}

/// What a page says about a frame: the scores on the training points, and on the held-out ones.
pub fn details(f: &Frame) -> String {
    let mut s = format!(
        "training loss {:.4}, training accuracy {:.3}",
        f.loss, f.accuracy
    );
    if let Some(v) = &f.validation {
        s.push_str(&format!(
            "; validation loss {:.4}, validation accuracy {:.3}",
            v.loss, v.accuracy
        ));
    }
    s
}

/// One picture per frame as two layers: each frame's own (RGB) and what they all share (RGBA,
/// drawn once).
#[derive(Debug, Clone)]
pub struct Layered {
    /// Pixels of every picture.
    pub size: (u32, u32),
    /// What every frame shares, RGBA.
    pub overlay: Vec<u8>,
    /// Each frame's own layer, RGB.
    pub bases: Vec<Vec<u8>>,
}

impl Layered {
    /// Every frame's whole picture (RGB): its layer under the shared one.
    pub fn wholes(&self) -> Vec<Vec<u8>> {
        self.bases
            .iter()
            .map(|b| viz::composite(b, &self.overlay))
            .collect()
    }

    /// The pictures as a page embeds them: the shared layer once, each frame's layer as a
    /// palette PNG.
    pub fn for_page(&self, alt: &str) -> Result<PagePictures> {
        let size = self.size;
        Ok(PagePictures {
            alt: alt.to_string(),
            overlay: Some(viz::encode_png_rgba(&self.overlay, size)?),
            frames: parallel_map(&self.bases, |b| Ok(viz::encode_png_compact(b, size)?))?,
        })
    }
}

/// One picture per frame, as PNG files for a page.
#[derive(Debug, Clone)]
pub struct PagePictures {
    /// What the pictures show.
    pub alt: String,
    /// A layer drawn over every frame's picture, when they share one.
    pub overlay: Option<Vec<u8>>,
    /// Each frame's picture.
    pub frames: Vec<Vec<u8>>,
}

/// Every frame's boundary picture in `colors` with `caption` of each, layered, drawn on all
/// cores.
pub fn render_boundaries(
    frames: &[Frame],
    data: &Dataset,
    size: (u32, u32),
    colors: viz::RegionColors,
    caption: impl Fn(&Frame) -> String + Sync,
) -> Result<Layered> {
    let grid = frame_grid(data)?;
    let points = data.points();
    let bases = parallel_map(frames, |f| {
        let mut m = model_of(&f.params)?;
        let classes = boundary::classify_grid(&mut m, &grid, Device::Cpu)?;
        Ok(viz::render_frame_base(
            &grid,
            &classes,
            &points,
            size,
            &caption(f),
            colors,
        )?)
    })?;
    Ok(Layered {
        size,
        overlay: viz::render_frame_overlay(&points, size)?,
        bases,
    })
}

/// The GIF's frames: each whole boundary picture over a strip of the loss so far.
pub fn with_loss_strips(
    frames: &[Frame],
    pictures: &[Vec<u8>],
    loss_list: &[f64],
) -> Result<Vec<Vec<u8>>> {
    let lo = loss_list
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = loss_list.iter().copied().fold(0.0, f64::max);
    let items: Vec<(&Frame, &Vec<u8>)> = frames.iter().zip(pictures).collect();
    parallel_map(&items, |(f, picture)| {
        let inset = viz::LossInset {
            values: &loss_list[..f.losses_so_far.min(loss_list.len())],
            total: loss_list.len(),
            y: (lo, hi),
        };
        let strip = viz::render_loss_strip(inset, STRIP_SIZE, 60)?;
        let mut stacked = (*picture).clone();
        stacked.extend_from_slice(&strip);
        Ok(stacked)
    })
}

/// Every frame's hidden-unit heat maps, layered, drawn on all cores.
pub fn render_units(frames: &[Frame], data: &Dataset, size: (u32, u32)) -> Result<Layered> {
    let (xr, yr) = plane(data);
    let bases = parallel_map(frames, |f| {
        let p = |name: &str| {
            f.params
                .params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| a.view())
                .with_context(|| format!("snapshot without {name}"))
        };
        let layer = viz::HiddenLayer {
            w1: p("W1")?,
            b1: p("b1")?,
            w2: p("W2")?,
        };
        let title = format!("hidden units at epoch {:.1}", f.epoch);
        Ok(viz::render_hidden_units_base(
            &layer,
            xr.clone(),
            yr.clone(),
            size,
            &title,
        )?)
    })?;
    let first = frames.first().context("no frame")?;
    let units = first
        .params
        .params
        .iter()
        .find(|(n, _)| *n == "W1")
        .map_or(1, |(_, a)| a.ncols());
    let overlay =
        viz::render_hidden_units_overlay(units, data.classes, Some(&data.points()), xr, yr, size)?;
    Ok(Layered {
        size,
        overlay,
        bases,
    })
}

/// The data's plane (held-out points too) with the book's margin of 0.1.
pub fn plane(data: &Dataset) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
    let range = |c: usize| {
        let col = data
            .x
            .column(c)
            .into_iter()
            .chain(data.held_out.iter().flat_map(|h| h.x.column(c).into_iter()))
            .copied()
            .collect::<Vec<f64>>();
        let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo - 0.1)..(hi + 0.1)
    };
    (range(0), range(1))
}

/// `f` over `items` on every core, results in order.
pub fn parallel_map<I: Sync, R: Send>(
    items: &[I],
    f: impl Fn(&I) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let threads = tensor::kernels::parallel::threads().clamp(1, items.len().max(1));
    let chunk = items.len().div_ceil(threads).max(1);
    let f = &f;
    let run = move |part: &[I]| part.iter().map(f).collect::<Result<Vec<R>>>();
    std::thread::scope(|s| {
        // A part whose thread cannot be started (a process limit) runs on this thread.
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .spawn_scoped(s, move || run(part))
                    .map_err(|_| part)
            })
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for p in parts {
            out.extend(match p {
                Ok(h) => h
                    .join()
                    .map_err(|_| anyhow::anyhow!("a drawing thread panicked"))??,
                Err(part) => run(part)?,
            });
        }
        Ok(out)
    })
}

/// Writes `training.gif` from the frames' pictures with their loss strips.
pub fn write_gif(path: &Path, pictures: &[Vec<u8>]) -> Result<()> {
    let size = (FRAME_SIZE.0, FRAME_SIZE.1 + STRIP_SIZE.1);
    Ok(viz::write_gif(path, pictures, size, 12)?)
}

/// What was drawn from the frames, for the report.
#[derive(Debug)]
pub struct Watched {
    /// The frames.
    pub frames: Vec<Frame>,
    /// Each frame's boundary picture.
    pub boundaries: PagePictures,
    /// Each frame's hidden-unit heat maps.
    pub units: PagePictures,
}

/// Draws the main run's frames: `training.gif` and `hidden_units.png` (the final frame's) in
/// `out`, and every frame's pictures for the report. `None` when the run took no snapshots
/// (`--frames 0`, or a resumed run with no frame left to take).
pub fn draw_all(
    out: &Path,
    data: &Dataset,
    snapshots: &[Snapshot],
    loss_list: &[f64],
    max_iters: usize,
    eval_interval: usize,
    colors: viz::RegionColors,
) -> Result<Option<Watched>> {
    if snapshots.is_empty() {
        return Ok(None);
    }
    let frames = frames(snapshots, data, max_iters, eval_interval)?;
    let boundaries = render_boundaries(&frames, data, FRAME_SIZE, colors, caption)?;
    let gif = with_loss_strips(&frames, &boundaries.wholes(), loss_list)?;
    write_gif(&out.join(crate::files::TRAINING_GIF), &gif)?;
    let units = render_units(&frames, data, UNITS_SIZE)?;
    let last = units.bases.last().context("no frame")?;
    viz::save_png(
        &out.join(crate::files::HIDDEN_UNITS_PNG),
        &viz::composite(last, &units.overlay),
        UNITS_SIZE,
    )?;
    Ok(Some(Watched {
        boundaries: boundaries.for_page("the decision boundary at this frame")?,
        units: units.for_page("the hidden units at this frame")?,
        frames,
    }))
}

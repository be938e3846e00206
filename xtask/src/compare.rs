//! `cargo xtask compare`: the chapter's Trainer run in several settings side by side — by default
//! the book's six optimizers — on the same data, the same initial weights (per hidden size) and
//! the same shuffles, because every run starts from the same seeded stream, as the chapter's run
//! does. Each run is the chapter's own Trainer run (`chapter1::runs`), so the SGD run at lr 1.0 is
//! the chapter's run, number for number. Runs go on every core.
//!
//! Outputs (`--out`, default `out/compare`, written as one transaction like the chapter's): every
//! run's loss on one chart (`compare_loss.png`/`.svg`), the final boundaries as small multiples
//! (`compare_boundaries.png`), the boundaries over the same frames side by side (`compare.gif`),
//! `compare.csv` (`run,iteration,loss`), `compare.json` and `compare.html`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use optim::OptimizerKind;
use serde_json::json;
use tensor::Device;

use crate::chapter1::args::{MAX_EPOCH, count};
use crate::chapter1::dataset::Dataset;
use crate::chapter1::frames::{self, Frame};
use crate::chapter1::output_dir::OutputDir;
use crate::chapter1::report::{Block, Picture, Report, text};
use crate::chapter1::report_html::{self, FrameView, Page, Watch};
use crate::chapter1::runs::{self, Persistence, TrainerRun, record_iterations};
use crate::chapter1::{Chapter1Args, Precision};
use crate::console::outln;

/// Settings of `cargo xtask compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Optimizers, comma-separated (sgd, momentum, nesterov, adagrad, rmsprop, adam).
    #[arg(long, value_delimiter = ',', default_value = "sgd,momentum,nesterov,adagrad,rmsprop,adam", value_parser = parse_optimizer)]
    pub optimizers: Vec<OptimizerKind>,
    /// Hidden sizes, comma-separated (1 to 65536 each).
    #[arg(long, value_delimiter = ',', default_value = "10", value_parser = count(layers::two_layer_net::MAX_WIDTH))]
    pub hidden_sizes: Vec<usize>,
    /// Learning rates, comma-separated [default: 1.0 for sgd, the book's default for the others].
    #[arg(long, value_delimiter = ',')]
    pub lrs: Vec<f64>,
    /// Precisions, comma-separated (f64, f32).
    #[arg(long, value_delimiter = ',', value_enum, default_value = "f64")]
    pub precisions: Vec<Precision>,
    /// Clip the global gradient norm to this value.
    #[arg(long)]
    pub max_grad: Option<f64>,
    /// Train on your own points: a CSV file with the header `x1,x2,label`.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Passes over the data (1 to 1000000).
    #[arg(long, default_value_t = 300, value_parser = count(MAX_EPOCH))]
    pub max_epoch: usize,
    /// Samples per mini-batch (at most the number of points).
    #[arg(long, default_value_t = 30, value_parser = count(data::csv::MAX_ROWS))]
    pub batch_size: usize,
    /// Seed of the book's random stream.
    #[arg(long, default_value_t = 1984)]
    pub seed: u32,
    /// Frames of compare.gif and compare.html (2 to 1000).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(2..=1000))]
    pub frames: u16,
    /// Draw the loss chart on a log scale.
    #[arg(long)]
    pub log: bool,
    /// Output folder.
    #[arg(long, default_value = "out/compare")]
    pub out: PathBuf,
    /// Print only the summary.
    #[arg(long)]
    pub quiet: bool,
}

fn parse_optimizer(s: &str) -> Result<OptimizerKind, String> {
    s.parse().map_err(|e: optim::UnknownRule| e.to_string())
}

/// One run of the comparison: the chapter's settings with this run's differences.
struct Spec {
    name: String,
    args: Chapter1Args,
}

/// The runs: every combination of the lists given.
fn specs(c: &CompareArgs) -> Result<Vec<Spec>> {
    if c.optimizers.is_empty() || c.hidden_sizes.is_empty() || c.precisions.is_empty() {
        bail!("nothing to compare: give at least one optimizer, hidden size and precision");
    }
    let lrs: Vec<Option<f64>> = if c.lrs.is_empty() {
        vec![None]
    } else {
        c.lrs.iter().map(|&l| Some(l)).collect()
    };
    let mut out = Vec::new();
    for &optimizer in &c.optimizers {
        for &hidden_size in &c.hidden_sizes {
            for &lr in &lrs {
                for &precision in &c.precisions {
                    let args = Chapter1Args {
                        out: c.out.clone(),
                        precision,
                        device: Device::Cpu,
                        max_epoch: c.max_epoch,
                        batch_size: c.batch_size,
                        hidden_size,
                        lr,
                        max_grad: c.max_grad,
                        eval_interval: 10,
                        optimizer,
                        seed: c.seed,
                        grid_step: 0.01,
                        frames: usize::from(c.frames),
                        boundary: crate::chapter1::args::Boundary::Certified,
                        quiet: true,
                        data: c.data.clone(),
                        checkpoint_every: None,
                        resume: None,
                    };
                    args.validate()
                        .with_context(|| format!("run {optimizer} hidden {hidden_size}"))?;
                    let mut name = format!("{optimizer} lr {}", tensor::float::short(args.lr()));
                    if c.hidden_sizes.len() > 1 {
                        let _ = write!(name, " h{hidden_size}");
                    }
                    if c.precisions.len() > 1 {
                        let _ = write!(name, " {}", precision.name());
                    }
                    out.push(Spec { name, args });
                }
            }
        }
    }
    if out.len() > 64 {
        bail!("{} runs is more than the 64 a comparison draws", out.len());
    }
    Ok(out)
}

/// A finished run with its frames scored.
struct Done {
    name: String,
    args: Chapter1Args,
    run: TrainerRun,
    frames: Vec<Frame>,
}

/// Runs the comparison.
pub fn run(c: &CompareArgs) -> Result<()> {
    let started = Instant::now();
    let specs = specs(c)?;
    let data = match &c.data {
        Some(p) => Dataset::csv(p)?,
        None => Dataset::spiral(c.seed)?,
    };
    for s in &specs {
        if s.args.batch_size > data.len() {
            bail!(
                "invalid --batch-size {}: at most the number of points ({})",
                s.args.batch_size,
                data.len()
            );
        }
        crate::chapter1::budget::check(&s.args, &data)?;
    }
    // Every run keeps its frames' params and one tile per frame; the tiled frames come on top.
    let tile = 3 * u64::from(TILE.0) * u64::from(TILE.1);
    let frames = u64::from(c.frames) + 1;
    let all: u64 = specs
        .iter()
        .map(|s| crate::chapter1::budget::frame_bytes(frames, &s.args, &data, 2 * tile))
        .fold(0u64, u64::saturating_add);
    crate::chapter1::budget::check_frames(
        all,
        &format!("--frames {} over {} runs", c.frames, specs.len()),
    )?;
    let inputs: Vec<&Path> = c.data.iter().map(PathBuf::as_path).collect();
    let dir = OutputDir::begin(&c.out, &inputs)?;
    match compare_into(c, &specs, &data, dir.path()) {
        Ok(runs) => {
            dir.commit()?;
            outln!(
                "compare: {} runs in {:.2} s; outputs in {} (open compare.html)",
                runs,
                started.elapsed().as_secs_f64(),
                c.out.display()
            );
            Ok(())
        }
        Err(e) => Err(crate::chapter1::failed_with(e, dir)),
    }
}

fn compare_into(c: &CompareArgs, specs: &[Spec], data: &Dataset, out: &Path) -> Result<usize> {
    let bar = crate::progress::runs_bar(specs.len() as u64, c.quiet);
    let threads = tensor::kernels::parallel::threads().clamp(1, specs.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Done>>> = (0..specs.len()).map(|_| None).collect();
    let slots: Vec<std::sync::Mutex<&mut Option<Result<Done>>>> =
        results.iter_mut().map(std::sync::Mutex::new).collect();
    let work = || {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(spec) = specs.get(i) else { break };
            let done = one(spec, data);
            **slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(done);
            if let Some(b) = &bar {
                b.inc(1);
            }
        }
    };
    std::thread::scope(|s| {
        // Threads that cannot be started (a process limit) leave their share to the others, and
        // this thread works too, so the runs finish with however many threads there are.
        for _ in 1..threads {
            if std::thread::Builder::new().spawn_scoped(s, work).is_err() {
                break;
            }
        }
        work();
    });
    drop(slots);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let done: Vec<Done> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("a run did not finish"))))
        .collect::<Result<_>>()?;
    write_outputs(c, &done, data, out)?;
    Ok(done.len())
}

/// One run: the chapter's Trainer run with these settings, its frames scored on all the data.
fn one(spec: &Spec, data: &Dataset) -> Result<Done> {
    let run = runs::trainer_run_for(
        spec.args.precision,
        &spec.args,
        data,
        Device::Cpu,
        true,
        &Persistence::default(),
    )
    .with_context(|| format!("run {}", spec.name))?;
    let frames = frames::frames(&run.snapshots, data, run.max_iters, spec.args.eval_interval)?;
    Ok(Done {
        name: spec.name.clone(),
        args: spec.args.clone(),
        run,
        frames,
    })
}

/// Pixels of one run's picture in the side-by-side images.
const TILE: (u32, u32) = (300, 260);

fn write_outputs(c: &CompareArgs, done: &[Done], data: &Dataset, out: &Path) -> Result<()> {
    let series: Vec<(&str, &[f64])> = done
        .iter()
        .map(|d| (d.name.as_str(), d.run.loss_list.as_slice()))
        .collect();
    for file in ["compare_loss.png", "compare_loss.svg"] {
        viz::plot_losses(&series, 10, c.log, &out.join(file), viz::DEFAULT_SIZE)?;
    }
    // Every run has a frame at the same steps (the same plan over the same number of steps).
    let count = done.iter().map(|d| d.frames.len()).min().unwrap_or(0);
    let grid = frames::frame_grid(data)?;
    let cols = (done.len() as f64).sqrt().ceil().max(1.0) as usize;
    let mut tiles_per_frame: Vec<Vec<Vec<u8>>> = vec![Vec::new(); count];
    for d in done {
        let pictures = frames::parallel_map(&d.frames[..count], |f| {
            let mut m = frames::model_of(&f.params)?;
            let classes = boundary::classify_grid(&mut m, &grid, Device::Cpu)?;
            let caption = format!("{} · acc {:.3}", d.name, f.accuracy);
            Ok(viz::render_frame(
                &grid,
                &classes,
                data.x.view(),
                &data.labels,
                TILE,
                &caption,
                None,
            )?)
        })?;
        for (k, p) in pictures.into_iter().enumerate() {
            tiles_per_frame[k].push(p);
        }
    }
    let tiled: Vec<Vec<u8>> = tiles_per_frame
        .iter()
        .map(|t| tile(t, TILE, cols))
        .collect();
    let size = tiled_size(done.len(), TILE, cols);
    let last = tiled.last().context("no frame")?;
    viz::save_png(&out.join("compare_boundaries.png"), last, size)?;
    viz::write_gif(&out.join("compare.gif"), &tiled, size, 15)?;
    write_csv(&out.join("compare.csv"), done)?;
    let summary = json!({
        "settings": {
            "max_epoch": c.max_epoch, "batch_size": c.batch_size, "seed": c.seed,
            "max_grad": c.max_grad, "data": data.name, "frames": count,
        },
        "runs": done.iter().map(run_json).collect::<Vec<_>>(),
    });
    std::fs::write(
        out.join("compare.json"),
        serde_json::to_string_pretty(&summary)? + "\n",
    )
    .with_context(|| format!("cannot write {}", out.join("compare.json").display()))?;
    // The page: the side-by-side frames over every run's loss curve, then the table and charts.
    let first = &done[0];
    let total = first.run.loss_list.len().max(1) as f64;
    let watch = Watch {
        frames: first.frames[..count]
            .iter()
            .enumerate()
            .map(|(k, f)| FrameView {
                epoch: f.epoch,
                step: f.step,
                at: f.losses_so_far as f64 / total,
                details: done
                    .iter()
                    .map(|d| format!("{} {:.3}", d.name, d.frames[k].accuracy))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        pictures: vec![(
            "every run's boundary at this frame".into(),
            frames::parallel_map(&tiled, |t| Ok(viz::encode_png(t, size)?))?,
        )],
        curves: done
            .iter()
            .map(|d| (d.name.clone(), d.run.loss_list.clone()))
            .collect(),
        intro: format!(
            "{} runs from the same initial weights and the same shuffles, frame by frame (accuracy \
             on all the data in each caption).",
            done.len()
        ),
    };
    report_html::write(
        &out.join("compare.html"),
        &Page {
            title: "dlfs2 — compare",
            report: &report(c, done, data),
            dir: out,
            watch: Some(&watch),
        },
    )
}

fn run_json(d: &Done) -> serde_json::Value {
    let first = d.frames.first();
    json!({
        "name": d.name,
        "optimizer": d.args.optimizer.as_str(),
        "lr": d.args.lr(),
        "hidden_size": d.args.hidden_size,
        "precision": d.args.precision.name(),
        "final_loss": d.run.final_loss(),
        "accuracy": d.run.accuracy,
        "seconds": d.run.seconds,
        // The initial model on all the data, and its weights' hash: equal across runs of one
        // hidden size, which is what makes them comparable.
        "initial_loss": first.map(|f| f.loss),
        "initial_params_blake3": first.map(|f| params_hash(&f.params)),
    })
}

fn params_hash(s: &train::Snapshot) -> String {
    let mut h = blake3::Hasher::new();
    for (name, a) in &s.params {
        h.update(name.as_bytes());
        for v in a {
            h.update(&v.to_bits().to_le_bytes());
        }
    }
    h.finalize().to_hex().to_string()
}

fn write_csv(path: &Path, done: &[Done]) -> Result<()> {
    let mut text = String::from("run,iteration,loss\n");
    for d in done {
        let its = record_iterations(d.run.loss_list.len(), d.run.max_iters, d.args.eval_interval);
        for (i, l) in its.iter().zip(&d.run.loss_list) {
            let _ = writeln!(text, "{},{i},{l:?}", d.name);
        }
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn report(c: &CompareArgs, done: &[Done], data: &Dataset) -> Report {
    let mut r = Report::default();
    r.push(Block::Title("Compare".into()));
    r.push(Block::Para(vec![text(format!(
        "{} runs on {}: {} epochs of batch {}, seed {}{}.",
        done.len(),
        data.name,
        c.max_epoch,
        c.batch_size,
        c.seed,
        c.max_grad
            .map_or(String::new(), |g| format!(", gradients clipped to {g}"))
    ))]));
    let head = ["run", "final loss", "accuracy", "time [s]"]
        .map(String::from)
        .to_vec();
    let rows = done
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                format!("{:.4}", d.run.final_loss()),
                format!("{:.3}", d.run.accuracy),
                format!("{:.3}", d.run.seconds),
            ]
        })
        .collect();
    r.push(Block::Table(head, rows));
    r.push(Block::Heading("Losses".into()));
    r.push(Block::Picture(
        Picture::CompareLoss,
        "every run's loss".into(),
    ));
    r.push(Block::Heading("The final boundaries".into()));
    r.push(Block::Picture(
        Picture::CompareBoundaries,
        "the final boundaries".into(),
    ));
    r
}

/// The pictures of `tiles` (each `size`) in a grid of `cols` columns, white where none is.
fn tile(tiles: &[Vec<u8>], size: (u32, u32), cols: usize) -> Vec<u8> {
    let (w, h) = tiled_size(tiles.len(), size, cols);
    let mut out = vec![255u8; w as usize * h as usize * 3];
    let (tw, th) = (size.0 as usize, size.1 as usize);
    for (k, t) in tiles.iter().enumerate() {
        let (x0, y0) = ((k % cols) * tw, (k / cols) * th);
        for r in 0..th {
            let src = &t[r * tw * 3..(r + 1) * tw * 3];
            let start = ((y0 + r) * w as usize + x0) * 3;
            out[start..start + tw * 3].copy_from_slice(src);
        }
    }
    out
}

fn tiled_size(n: usize, size: (u32, u32), cols: usize) -> (u32, u32) {
    let rows = n.div_ceil(cols.max(1)).max(1);
    (size.0 * cols.max(1) as u32, size.1 * rows as u32)
}

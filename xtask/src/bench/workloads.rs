//! The workloads themselves, each returning its samples as JSON.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use boundary::{Grid, classify_grid};
use layers::TwoLayerNet;
use ndarray::{Array2, Axis};
use optim::Sgd;
use serde_json::{Value, json};
use tensor::random::{BookRng, RandomSource, StdRandom};
use tensor::{Device, Element, Labels, Tensor};
use train::{FitConfig, Silent, Trainer};

use super::isa::Held;
use super::reference::{RefFloat, RefMlp};
use super::scratch::Scratch;
use super::wide_mlp::WideMlp;

/// The book's `train.py` settings.
const BOOK: FitConfig = FitConfig {
    max_epoch: 300,
    batch_size: 30,
    max_grad: None,
    eval_interval: Some(10),
};

/// Peak resident memory of this process so far (Linux `VmHWM`), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The CPU model and thread count, for the record.
pub fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string());
    // The settings that pick the kernels compared (`DLFS2_GEMM=avx2`, `OPENBLAS_CORETYPE`), so a
    // committed file says which paths its figures are.
    let env: serde_json::Map<String, Value> = ["DLFS2_GEMM", "DLFS2_THREADS", "OPENBLAS_CORETYPE"]
        .into_iter()
        .filter_map(|k| Some((k.to_string(), Value::from(std::env::var(k).ok()?))))
        .collect();
    json!({
        "cpu": cpu,
        "threads": tensor::kernels::parallel::threads(),
        "fma": fma(),
        "gemm_kernel": tensor::kernels::gemm::Kernel::best().map(|k| format!("{k:?}")),
        "env": env,
    })
}

fn fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

struct Book<T: Element> {
    rng: BookRng,
    spiral: data::Spiral,
    x: Tensor<T>,
    t: Labels,
    model: TwoLayerNet<T>,
}

fn book<T: Element>(device: Device) -> Result<Book<T>> {
    let mut rng = BookRng::new(1984);
    let spiral = data::load_data_with(&mut rng, 100, 3)?;
    let x = Tensor::from_f64(spiral.x.view(), device)?;
    let t = Labels::from_one_hot(spiral.t.view())?;
    let model = TwoLayerNet::new(2, 10, 3, &mut rng, device)?;
    Ok(Book {
        rng,
        spiral,
        x,
        t,
        model,
    })
}

/// The book's network trained by the book's `train.py` run on `device`, and its data.
pub(super) fn trained_book<T: Element>(
    device: Device,
) -> Result<(Trainer<T, TwoLayerNet<T>>, data::Spiral)> {
    let Book {
        mut rng,
        spiral,
        x,
        t,
        model,
    } = book::<T>(device)?;
    let mut trainer = Trainer::new(model, Sgd::new(1.0)?);
    trainer.fit(&x, &t, &BOOK, &mut rng, &mut Silent)?;
    Ok((trainer, spiral))
}

/// W1: µs per training step of the book's run on `device`, and of the ndarray reference (CPU) on
/// the same data.
pub fn w1<T: Element + RefFloat>(runs: usize, device: Device) -> Result<Value> {
    let steps = (BOOK.max_epoch * 10) as f64;
    let mut samples = Vec::new();
    let mut reference = Vec::new();
    let mut final_loss = 0.0;
    let mut launches = 0.0;
    for _ in 0..runs {
        let Book {
            mut rng,
            x,
            t,
            model,
            ..
        } = book::<T>(device)?;
        let mut trainer = Trainer::new(model, Sgd::new(1.0)?);
        let launched = Device::kernel_launches();
        let start = Instant::now();
        trainer.fit(&x, &t, &BOOK, &mut rng, &mut Silent)?;
        samples.push(start.elapsed().as_secs_f64() * 1e6 / steps);
        launches = (Device::kernel_launches() - launched) as f64 / steps;
        final_loss = *trainer.loss_list.last().unwrap_or(&f64::NAN);
        if device != Device::Cpu {
            continue;
        }

        let Book {
            mut rng,
            spiral,
            model,
            ..
        } = book::<T>(Device::Cpu)?;
        let to = |t: &Tensor<T>| t.to_array();
        let mut net = RefMlp::new(vec![
            (to(&model.affine1.w)?, to(&model.affine1.b)?),
            (to(&model.affine2.w)?, to(&model.affine2.b)?),
        ]);
        let xs: Array2<T> = spiral.x.mapv(T::from_f64);
        let labels: Vec<usize> = t.indices().iter().map(|&c| c as usize).collect();
        let mut order: Vec<usize> = (0..300).collect();
        let start = Instant::now();
        for _ in 0..BOOK.max_epoch {
            let idx = rng.permutation(300);
            order = idx.iter().map(|&i| order[i]).collect();
            for it in 0..10 {
                let rows = &order[it * 30..(it + 1) * 30];
                let xb = xs.select(Axis(0), rows);
                let tb: Vec<usize> = rows.iter().map(|&r| labels[r]).collect();
                net.step(&xb, &tb, T::ONE);
            }
        }
        reference.push(start.elapsed().as_secs_f64() * 1e6 / steps);
    }
    Ok(json!({
        "workload": "W1 chapter1-train", "precision": T::DTYPE.as_str(), "device": device.to_string(), "unit": "µs/step",
        "samples": samples, "reference_samples": reference, "final_loss": final_loss, "peak_rss_mb": peak_rss_mb(),
        "kernel_launches_per_step": launches,
    }))
}

/// W2: ms to classify the book's grid with the trained W1 model on `device`.
pub fn w2<T: Element>(runs: usize, device: Device) -> Result<Value> {
    let (mut trainer, spiral) = trained_book::<T>(device)?;
    let step = std::env::var("DLFS2_W2_STEP")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.001);
    let grid = Grid::around(spiral.x.view(), step)?;
    let (mut samples, mut certified) = (Vec::new(), Vec::new());
    let mut counts = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let scan = classify_grid(&mut trainer.model, &grid, device)?;
        samples.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        let cert = boundary::classify_grid_certified(&mut trainer.model, &grid)?;
        certified.push(start.elapsed().as_secs_f64() * 1e3);
        if cert.classes != scan.classes {
            anyhow::bail!("the certified boundary differs from the scan");
        }
        counts = scan.class_counts;
    }
    Ok(json!({
        "workload": "W2 decision-boundary", "precision": T::DTYPE.as_str(), "device": device.to_string(), "unit": "ms",
        "samples": samples, "certified_samples": certified, "points": grid.len(), "class_counts": counts,
        "peak_rss_mb": peak_rss_mb(),
    }))
}

/// W2 at h = 0.0001 (432 million points): ms to count the classes with the certified quadtree,
/// which stores nothing per point, and the peak memory of this process after those runs; then
/// one streaming full scan ([`boundary::count_classes_scan`]), timed, whose counts must be the same.
pub fn w2_fine<T: Element>(runs: usize, device: Device) -> Result<Value> {
    let (mut trainer, spiral) = trained_book::<T>(device)?;
    let grid = Grid::around_for_counting(spiral.x.view(), 0.0001)?;
    let mut certified = Vec::new();
    let mut counts = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        counts = boundary::count_classes_certified(&mut trainer.model, &grid)?;
        certified.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let rss = peak_rss_mb();
    let start = Instant::now();
    let scan = boundary::count_classes_scan(&mut trainer.model, &grid)?;
    let scan_ms = start.elapsed().as_secs_f64() * 1e3;
    if scan != counts {
        bail!("the certified counts {counts:?} differ from the scan's {scan:?}");
    }
    Ok(json!({
        "workload": "W2 h=0.0001 class counts", "precision": T::DTYPE.as_str(), "device": device.to_string(), "unit": "ms",
        "samples": certified, "scan_ms": scan_ms, "points": grid.cols() * grid.rows(), "class_counts": counts,
        "peak_rss_mb": rss,
    }))
}

/// W3: ms per training step and GFLOP/s of the wide MLP on `device`, and of the ndarray
/// reference (CPU).
pub fn w3<T: Element + RefFloat>(runs: usize, device: Device) -> Result<Value> {
    const SIZES: [usize; 4] = [256, 1024, 1024, 10];
    const BATCH: usize = 512;
    // Three products per layer (forward, dx, dW), less the first layer's dx: the data's gradient
    // is not computed.
    let flops = 2.0
        * BATCH as f64
        * (3 * (SIZES[0] * SIZES[1] + SIZES[1] * SIZES[2] + SIZES[2] * SIZES[3])
            - SIZES[0] * SIZES[1]) as f64;
    let mut rng = StdRandom::new(3);
    let xa = rng.randn_matrix(BATCH, SIZES[0]);
    let labels: Vec<usize> = (0..BATCH).map(|i| (i * 7) % SIZES[3]).collect();
    let x = Tensor::<T>::from_f64(xa.view(), device)?;
    let t = Labels::from_indices(&labels, SIZES[3])?;
    let model = WideMlp::<T>::new(SIZES, &mut rng, device)?;
    let mut trainer = Trainer::new(model, Sgd::new(0.1)?);
    trainer.step(&x, &t, None)?;
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        for _ in 0..3 {
            trainer.step(&x, &t, None)?;
        }
        samples.push(start.elapsed().as_secs_f64() * 1e3 / 3.0);
    }
    let gflops: Vec<f64> = samples.iter().map(|ms| flops / (ms * 1e-3) / 1e9).collect();
    if device != Device::Cpu {
        return Ok(json!({
            "workload": "W3 wide-MLP", "precision": T::DTYPE.as_str(), "device": device.to_string(), "unit": "ms/step",
            "samples": samples, "gflops": gflops, "peak_rss_mb": peak_rss_mb(),
        }));
    }

    let mut layers = Vec::new();
    for w in SIZES.windows(2) {
        layers.push((
            rng.randn_matrix(w[0], w[1]).mapv(|v| T::from_f64(0.01 * v)),
            Array2::zeros((1, w[1])),
        ));
    }
    let mut net = RefMlp::new(layers);
    let xr = xa.mapv(T::from_f64);
    net.step(&xr, &labels, T::from_f64(0.1));
    let mut reference = Vec::new();
    for _ in 0..runs.min(3) {
        let start = Instant::now();
        net.step(&xr, &labels, T::from_f64(0.1));
        reference.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(json!({
        "workload": "W3 wide-MLP", "precision": T::DTYPE.as_str(), "device": device.to_string(), "unit": "ms/step",
        "samples": samples, "gflops": gflops, "reference_samples": reference, "peak_rss_mb": peak_rss_mb(),
    }))
}

/// W3's nine matrix products (forward, and backward `dx` and `dW` of each layer), with their
/// transposes: ms for all nine, each the best of 20, per sample.
pub fn w3_gemm<T: Element>(runs: usize) -> Result<Value> {
    const SHAPES: [(usize, usize, usize, bool, bool); 9] = [
        (512, 256, 1024, false, false),
        (512, 1024, 1024, false, false),
        (512, 1024, 10, false, false),
        (512, 10, 1024, false, true),
        (1024, 512, 10, true, false),
        (512, 1024, 1024, false, true),
        (1024, 512, 1024, true, false),
        (512, 1024, 256, false, true),
        (256, 512, 1024, true, false),
    ];
    let mut rng = StdRandom::new(5);
    let mut operands = Vec::new();
    for (m, k, n, ta, tb) in SHAPES {
        let (ar, ac) = if ta { (k, m) } else { (m, k) };
        let (br, bc) = if tb { (n, k) } else { (k, n) };
        let a = Tensor::<T>::from_f64(rng.randn_matrix(ar, ac).view(), Device::Cpu)?;
        let b = Tensor::<T>::from_f64(rng.randn_matrix(br, bc).view(), Device::Cpu)?;
        operands.push((a, ta, b, tb, Tensor::empty()));
    }
    let mut samples = Vec::new();
    // Each product's best over every run, to show where a gap to a peer lies.
    let mut products = vec![f64::INFINITY; SHAPES.len()];
    for _ in 0..runs {
        let mut total = 0.0;
        for ((a, ta, b, tb, out), fastest) in operands.iter_mut().zip(&mut products) {
            let mut best = f64::INFINITY;
            for _ in 0..20 {
                let start = Instant::now();
                tensor::ops::matmul(a, *ta, b, *tb, out)?;
                best = best.min(start.elapsed().as_secs_f64() * 1e3);
            }
            total += best;
            *fastest = fastest.min(best);
        }
        samples.push(total);
    }
    let flops = SHAPES
        .iter()
        .map(|(m, k, n, ..)| 2 * m * k * n)
        .sum::<usize>() as f64;
    let gflops: Vec<f64> = samples.iter().map(|ms| flops / (ms * 1e-3) / 1e9).collect();
    Ok(json!({
        "workload": "W3 GEMM (nine products)", "precision": T::DTYPE.as_str(), "device": "cpu", "unit": "ms",
        "samples": samples, "gflops": gflops, "products_ms": products, "peak_rss_mb": peak_rss_mb(),
    }))
}

/// Pipeline: wall time of `xtask chapter1 --quiet` (a fresh process each run).
pub fn pipeline(held: &Held, exe: &Path, runs: usize) -> Result<Value> {
    let scratch = Scratch::new("dlfs2-bench-pipeline")?;
    let out = scratch.path().join("chapter1");
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let o = held
            .command(exe)
            .args(["chapter1", "--quiet", "--out"])
            .arg(&out)
            .output()
            .context("cannot run chapter1")?;
        if !o.status.success() {
            bail!(
                "chapter1 failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
        }
        samples.push(start.elapsed().as_secs_f64());
    }
    Ok(
        json!({ "workload": "pipeline (chapter1)", "precision": "f64+f32", "unit": "s", "samples": samples }),
    )
}

//! The decision boundary without classifying every point: a certified quadtree over the grid.
//!
//! Most of the book's grid is far from any boundary. For a block of the grid, the network's
//! two-layer structure bounds every point's scores at once: each pre-activation `z_j = b1_j +
//! x·W1[0, j] + y·W1[1, j]` is linear, so its range over the block's rectangle comes from the
//! weights' signs; the sigmoid is monotone, so `h_j` lies in `[σ(z_lo), σ(z_hi)]`; and each score
//! difference `s_c - s_k = b2_c - b2_k + Σ_j h_j (W2[j, c] - W2[j, k])` is bounded the same way.
//! Where one class beats every other on the whole block by more than the per-point computation
//! can be off by rounding (a generous bound on the FMA chains, the fast `exp` and the division),
//! every point of the block is that class. Blocks that cannot be certified split in four; the
//! smallest are scanned point by point with the same kernel as the full scan
//! (`tensor::ops::classify_two_layer_host`). The result is therefore the full scan's, point for point (the tests
//! compare them on the book's grid, on random networks and grids, and on ties), at a cost that
//! grows with the boundary's length rather than with the number of points.

use layers::TwoLayerNet;
use tensor::parallel::{Part, spawn_or_here, threads};
use tensor::{Element, Float, ops};

use crate::error::{BoundaryError, Result};
use crate::grid::{ClassGrid, Grid, try_vec};

/// Blocks of at most this many points a side are scanned point by point.
const LEAF: usize = 16;
/// Blocks of the first level, a side (each thread takes whole rows of them).
const TOP: usize = 256;

/// The network's params as `f64` (for the bounds) and as `T` (for the scanned points).
struct Net<T> {
    inputs: usize,
    hidden: usize,
    classes: usize,
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: Vec<f64>,
    t: [Vec<T>; 4],
}

impl<T: Element> Net<T> {
    fn of(model: &TwoLayerNet<T>) -> Result<Option<Self>> {
        let a = |t: &tensor::Tensor<T>| -> Result<Vec<T>> {
            Ok(t.to_array()?.iter().copied().collect())
        };
        let t = [
            a(&model.affine1.w)?,
            a(&model.affine1.b)?,
            a(&model.affine2.w)?,
            a(&model.affine2.b)?,
        ];
        let f = |v: &Vec<T>| v.iter().map(|x| x.to_f64()).collect::<Vec<f64>>();
        let (inputs, hidden, classes) = model.sizes();
        let net = Net {
            inputs,
            hidden,
            classes,
            w1: f(&t[0]),
            b1: f(&t[1]),
            w2: f(&t[2]),
            b2: f(&t[3]),
            t,
        };
        // Bounds need finite weights; a network with others is scanned.
        let finite = [&net.w1, &net.b1, &net.w2, &net.b2]
            .iter()
            .all(|v| v.iter().all(|x| x.is_finite()));
        Ok((finite && inputs == 2 && classes <= 256).then_some(net))
    }

    /// The class every point of the rectangle `[x0, x1] x [y0, y1]` has, when the bounds prove it.
    fn certify(&self, x0: f64, x1: f64, y0: f64, y1: f64, h: &mut [(f64, f64)]) -> Option<u8> {
        let eps = T::epsilon();
        let (mx, my) = (x0.abs().max(x1.abs()), y0.abs().max(y1.abs()));
        for (j, hj) in h.iter_mut().enumerate() {
            let (wa, wb, b) = (self.w1[j], self.w1[self.hidden + j], self.b1[j]);
            let lo =
                b + wa * if wa >= 0.0 { x0 } else { x1 } + wb * if wb >= 0.0 { y0 } else { y1 };
            let hi =
                b + wa * if wa >= 0.0 { x1 } else { x0 } + wb * if wb >= 0.0 { y1 } else { y0 };
            // Two fused multiply-adds from b in T, and this f64 sum: a few ulp of the terms.
            let dz = 8.0 * eps * (b.abs() + mx * wa.abs() + my * wb.abs()) + 1e-300;
            let s = |z: f64| 1.0 / (1.0 + (-z).exp());
            // The fast exp and the division add a few ulp more (σ' is at most 1/4).
            let dh = 32.0 * eps;
            *hj = ((s(lo - dz) - dh).max(0.0), (s(hi + dz) + dh).min(1.0));
        }
        let c = self.classes;
        'candidate: for cand in 0..c {
            for k in (0..c).filter(|&k| k != cand) {
                let mut lo = self.b2[cand] - self.b2[k];
                let mut scale = self.b2[cand].abs() + self.b2[k].abs();
                for (j, &(hlo, hhi)) in h.iter().enumerate() {
                    let (wc, wk) = (self.w2[j * c + cand], self.w2[j * c + k]);
                    let coef = wc - wk;
                    lo += coef * if coef >= 0.0 { hlo } else { hhi };
                    scale += wc.abs() + wk.abs();
                }
                // Each score is an FMA chain of `hidden` terms of at most |w| in T.
                let margin = 4.0 * (self.hidden as f64 + 2.0) * eps * scale + 1e-300;
                if lo <= margin {
                    continue 'candidate;
                }
            }
            return Some(cand as u8);
        }
        None
    }
}

/// `f32::EPSILON` or `f64::EPSILON`, as `f64`.
trait Epsilon {
    fn epsilon() -> f64;
}

impl<T: Float> Epsilon for T {
    fn epsilon() -> f64 {
        match T::DTYPE {
            tensor::DType::F32 => f32::EPSILON as f64,
            tensor::DType::F64 => f64::EPSILON,
        }
    }
}

/// Classifies every point of `grid` for `model`, certifying blocks where it can: the same classes
/// as [`crate::classify_grid`], point for point. Networks on a GPU, or with weights that are not
/// finite, are classified by the full scan.
pub fn classify_grid_certified<T: Element>(
    model: &mut TwoLayerNet<T>,
    grid: &Grid,
) -> Result<ClassGrid> {
    if grid.is_empty() {
        return Err(BoundaryError::BadInput(
            "the grid has no points".to_string(),
        ));
    }
    let Some(net) = certifiable(model)? else {
        return crate::classify_grid(model, grid, model.device());
    };
    let (cols, rows) = (grid.cols(), grid.rows());
    let mut classes = try_vec(cols * rows)?;
    classes.resize(cols * rows, 0u8);
    let class_counts = run(&net, grid, Some(&mut classes))?;
    Ok(ClassGrid {
        cols,
        rows,
        class_counts,
        classes,
    })
}

/// How many points of `grid` fall in each class for `model`, certifying blocks where it can, and
/// storing nothing per point: memory does not grow with the grid, and time grows with the
/// boundary's length (the book's grid at h = 0.0001, 432 million points, in tens of
/// milliseconds). The counts equal the full scan's ([`count_classes_scan`]). Needs the network
/// on the CPU with finite weights.
pub fn count_classes_certified<T: Element>(
    model: &mut TwoLayerNet<T>,
    grid: &Grid,
) -> Result<Vec<usize>> {
    if grid.is_empty() {
        return Err(BoundaryError::BadInput(
            "the grid has no points".to_string(),
        ));
    }
    let Some(net) = certifiable(model)? else {
        return Err(BoundaryError::BadInput(
            "counting without a full scan needs the network on the CPU with finite weights"
                .to_string(),
        ));
    };
    run(&net, grid, None)
}

/// The full scan's class counts, row by row, storing nothing per point: the oracle for
/// [`count_classes_certified`] on grids too large for a [`ClassGrid`].
pub fn count_classes_scan<T: Element>(
    model: &mut TwoLayerNet<T>,
    grid: &Grid,
) -> Result<Vec<usize>> {
    let Some(net) = certifiable(model)? else {
        return Err(BoundaryError::BadInput(
            "the streaming scan needs the network on the CPU with finite weights".to_string(),
        ));
    };
    let rows = grid.rows();
    let threads = threads().clamp(1, rows.max(1));
    let per = rows.div_ceil(threads);
    let counts = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let net = &net;
                spawn_or_here(s, move || {
                    let mut work = Work::new(net);
                    for r in t * per..((t + 1) * per).min(rows) {
                        for c0 in (0..grid.cols()).step_by(TOP) {
                            let c1 = (c0 + TOP).min(grid.cols());
                            work.scan(grid, (c0, c1, r, r + 1), None, 0)?;
                        }
                    }
                    Ok(work.counts)
                })
            })
            .collect();
        join_counts(handles)
    })?;
    Ok(trim(counts))
}

/// The network's params when its bounds can be computed: on the CPU, finite, 2 inputs.
fn certifiable<T: Element>(model: &TwoLayerNet<T>) -> Result<Option<Net<T>>> {
    if model.device() != tensor::Device::Cpu {
        return Ok(None);
    }
    Net::of(model)
}

/// The certified quadtree over `grid`, writing each point's class into `out` when given; returns
/// the class counts.
fn run<T: Element>(net: &Net<T>, grid: &Grid, out: Option<&mut [u8]>) -> Result<Vec<usize>> {
    let (cols, rows) = (grid.cols(), grid.rows());
    let threads = threads().clamp(1, rows.div_ceil(TOP));
    let band_rows = rows.div_ceil(TOP).div_ceil(threads) * TOP;
    // Each thread's rows of the output, or nothing.
    let mut bands: Vec<Option<&mut [u8]>> = match out {
        Some(o) => o.chunks_mut(band_rows * cols).map(Some).collect(),
        None => (0..rows.div_ceil(band_rows)).map(|_| None).collect(),
    };
    let counts = std::thread::scope(|s| {
        let handles: Vec<_> = bands
            .iter_mut()
            .enumerate()
            .map(|(b, band)| {
                let mut band = band.take();
                spawn_or_here(s, move || {
                    let r0 = b * band_rows;
                    let r1 = (r0 + band_rows).min(rows);
                    let mut work = Work::new(net);
                    for rb in (r0..r1).step_by(TOP) {
                        for cb in (0..cols).step_by(TOP) {
                            let block = (cb, (cb + TOP).min(cols), rb, (rb + TOP).min(r1));
                            work.block(grid, block, band.as_deref_mut(), r0)?;
                        }
                    }
                    Ok(work.counts)
                })
            })
            .collect();
        join_counts(handles)
    })?;
    Ok(trim(counts))
}

fn join_counts(handles: Vec<Part<'_, Result<[usize; 256]>>>) -> Result<[usize; 256]> {
    let mut counts = [0usize; 256];
    for h in handles {
        let part = h
            .join()
            .map_err(|_| BoundaryError::BadInput("a worker panicked".into()))??;
        for (c, n) in counts.iter_mut().zip(part) {
            *c += n;
        }
    }
    Ok(counts)
}

/// The counts up to the last class that has any.
fn trim(counts: [usize; 256]) -> Vec<usize> {
    let used = counts.iter().rposition(|&n| n > 0).map_or(0, |l| l + 1);
    counts[..used].to_vec()
}

/// A thread's buffers.
struct Work<'a, T> {
    net: &'a Net<T>,
    h: Vec<(f64, f64)>,
    points: Vec<T>,
    predicted: Vec<usize>,
    /// Points of each class so far.
    counts: [usize; 256],
}

impl<'a, T: Element> Work<'a, T> {
    fn new(net: &'a Net<T>) -> Self {
        Work {
            net,
            h: vec![(0.0, 0.0); net.hidden],
            points: Vec::with_capacity(2 * TOP.max(LEAF * LEAF)),
            predicted: Vec::with_capacity(TOP.max(LEAF * LEAF)),
            counts: [0; 256],
        }
    }

    /// Classifies the block `[c0, c1) x [r0, r1)`, into `out` when given (whose first row is
    /// `row0`).
    fn block(
        &mut self,
        grid: &Grid,
        (c0, c1, r0, r1): (usize, usize, usize, usize),
        mut out: Option<&mut [u8]>,
        row0: usize,
    ) -> Result<()> {
        let cols = grid.cols();
        let (x0, x1, y0, y1) = (grid.xs[c0], grid.xs[c1 - 1], grid.ys[r0], grid.ys[r1 - 1]);
        if let Some(class) = self.net.certify(x0, x1, y0, y1, &mut self.h) {
            if let Some(out) = out {
                for r in r0..r1 {
                    out[(r - row0) * cols + c0..(r - row0) * cols + c1].fill(class);
                }
            }
            self.counts[class as usize] += (r1 - r0) * (c1 - c0);
            return Ok(());
        }
        if c1 - c0 <= LEAF && r1 - r0 <= LEAF {
            return self.scan(grid, (c0, c1, r0, r1), out, row0);
        }
        let (cm, rm) = (c0 + (c1 - c0).div_ceil(2), r0 + (r1 - r0).div_ceil(2));
        for (a, b) in [(c0, cm), (cm, c1)] {
            for (c, d) in [(r0, rm), (rm, r1)] {
                if a < b && c < d {
                    self.block(grid, (a, b, c, d), out.as_deref_mut(), row0)?;
                }
            }
        }
        Ok(())
    }

    /// Every point of the block with the full scan's kernel, on the same coordinates in `T`.
    fn scan(
        &mut self,
        grid: &Grid,
        (c0, c1, r0, r1): (usize, usize, usize, usize),
        out: Option<&mut [u8]>,
        row0: usize,
    ) -> Result<()> {
        self.points.clear();
        for r in r0..r1 {
            let y = T::from_f64(grid.ys[r]);
            for &x in &grid.xs[c0..c1] {
                self.points.push(T::from_f64(x));
                self.points.push(y);
            }
        }
        let [w1, b1, w2, b2] = &self.net.t;
        ops::classify_two_layer_host(
            &self.points,
            self.net.inputs,
            [w1, b1, w2, b2],
            &mut self.predicted,
        )?;
        for &class in &self.predicted {
            self.counts[class] += 1;
        }
        if let Some(out) = out {
            let (cols, width) = (grid.cols(), c1 - c0);
            for (k, &class) in self.predicted.iter().enumerate() {
                let (r, c) = (r0 + k / width, c0 + k % width);
                out[(r - row0) * cols + c] = class as u8;
            }
        }
        Ok(())
    }
}

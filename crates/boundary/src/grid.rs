//! The decision-boundary grid (book §1.4.4, `ch01/train.py`'s plotting code): `np.arange` axes around
//! the data, every grid point classified by the model, in chunks and across the CPU's cores.

use ndarray::ArrayView2;
use tensor::{Device, Element, Tensor};

use crate::error::{BoundaryError, Result};
use layers::{Model, TryClone};

/// Largest grid accepted (points): 64 times the book's, so a tiny step cannot exhaust memory.
pub const MAX_POINTS: usize = 1 << 28;

/// The most points a grid may have when only its class counts are wanted
/// ([`Grid::around_for_counting`]): nothing per point is stored, so only time bounds it.
pub const MAX_COUNTED_POINTS: usize = 1 << 40;

/// Points classified per model call: bounded memory (a few hundred kB of activations per thread)
/// whatever the grid's size.
pub const CHUNK: usize = 4096;

/// A rectangular grid of points, `xs` across and `ys` up, as `np.meshgrid(xs, ys)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Column coordinates (ascending).
    pub xs: Vec<f64>,
    /// Row coordinates (ascending).
    pub ys: Vec<f64>,
    /// The step both axes were made with.
    pub step: f64,
}

/// `np.arange(start, stop, step)`: `ceil((stop - start) / step)` values, value `i` being
/// `start + i * delta` with `delta = (start + step) - start` (numpy's rounding of the step).
pub fn arange(start: f64, stop: f64, step: f64) -> Result<Vec<f64>> {
    let n = arange_len(start, stop, step)?;
    let delta = (start + step) - start;
    let mut values = try_vec(n)?;
    values.extend((0..n).map(|i| start + i as f64 * delta));
    Ok(values)
}

/// How many values [`arange`] gives, checked without allocating: at most [`MAX_POINTS`].
fn arange_len(start: f64, stop: f64, step: f64) -> Result<usize> {
    let short = tensor::float::short;
    if !(step.is_finite() && step > 0.0 && start.is_finite() && stop.is_finite()) {
        return Err(BoundaryError::BadInput(format!(
            "grid step must be a finite number > 0 and the range finite (step {}, range {} to {})",
            short(step),
            short(start),
            short(stop)
        )));
    }
    let n = ((stop - start) / step).ceil().max(0.0);
    if n.is_nan() || n > MAX_POINTS as f64 {
        return Err(BoundaryError::BadInput(format!(
            "a grid step of {} makes more than {MAX_POINTS} values on an axis from {} to {}",
            short(step),
            short(start),
            short(stop)
        )));
    }
    Ok(n as usize)
}

/// An empty vector with room for `n` values, or an error when the memory cannot be had (rather
/// than the process aborting).
pub(crate) fn try_vec<V>(n: usize) -> Result<Vec<V>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        BoundaryError::BadInput(format!(
            "not enough memory for {n} values of {} bytes",
            std::mem::size_of::<V>()
        ))
    })?;
    Ok(v)
}

impl Grid {
    /// The book's grid around the `N x 2` points `x`: each axis from its min - 0.1 to its
    /// max + 0.1 in steps of `h` (the book uses `h = 0.001`).
    pub fn around(x: ArrayView2<'_, f64>, h: f64) -> Result<Grid> {
        Self::build(x, h, MAX_POINTS)
    }

    /// The same grid as [`Grid::around`], allowed up to [`MAX_COUNTED_POINTS`] points: for
    /// [`crate::certified::count_classes_certified`], which stores nothing per point (at
    /// h = 0.0001 the book's grid has 432 million).
    pub fn around_for_counting(x: ArrayView2<'_, f64>, h: f64) -> Result<Grid> {
        Self::build(x, h, MAX_COUNTED_POINTS)
    }

    fn build(x: ArrayView2<'_, f64>, h: f64, max_points: usize) -> Result<Grid> {
        let [(x0, x1), (y0, y1)] = Self::bounds(x, h, max_points)?;
        let xs = arange(x0, x1, h)?;
        let ys = arange(y0, y1, h)?;
        Ok(Grid { xs, ys, step: h })
    }

    /// `(cols, rows)` of the grid [`Grid::around`] would build, checked (at most [`MAX_POINTS`]
    /// points) without allocating it: a caller can refuse a grid before any other work.
    pub fn shape_around(x: ArrayView2<'_, f64>, h: f64) -> Result<(usize, usize)> {
        let [(x0, x1), (y0, y1)] = Self::bounds(x, h, MAX_POINTS)?;
        Ok((arange_len(x0, x1, h)?, arange_len(y0, y1, h)?))
    }

    /// Each axis' `(start, stop)` around the points, after checking that the grid has at most
    /// `max_points` points.
    fn bounds(x: ArrayView2<'_, f64>, h: f64, max_points: usize) -> Result<[(f64, f64); 2]> {
        if x.ncols() != 2 || x.nrows() == 0 {
            return Err(BoundaryError::BadInput(format!(
                "points must be N x 2 (got {}x{})",
                x.nrows(),
                x.ncols()
            )));
        }
        let bounds = |c: usize| {
            let col = x.column(c);
            (
                col.iter().copied().fold(f64::INFINITY, f64::min),
                col.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )
        };
        let (x0, x1) = bounds(0);
        let (y0, y1) = bounds(1);
        let axes = [(x0 - 0.1, x1 + 0.1), (y0 - 0.1, y1 + 0.1)];
        for (axis, (lo, hi)) in axes.iter().enumerate() {
            if !(hi - lo).is_finite() {
                return Err(BoundaryError::BadInput(format!(
                    "the points' x{} values span {} to {}, wider than a grid can cover",
                    axis + 1,
                    tensor::float::short(*lo + 0.1),
                    tensor::float::short(*hi - 0.1)
                )));
            }
        }
        let (cols, rows) = (
            arange_len(axes[0].0, axes[0].1, h)?,
            arange_len(axes[1].0, axes[1].1, h)?,
        );
        if cols.saturating_mul(rows) > max_points {
            return Err(BoundaryError::BadInput(format!(
                "a grid step of {} makes {cols} x {rows} points (at most {max_points})",
                tensor::float::short(h)
            )));
        }
        Ok(axes)
    }

    /// Number of columns (x values).
    pub fn cols(&self) -> usize {
        self.xs.len()
    }

    /// Number of rows (y values).
    pub fn rows(&self) -> usize {
        self.ys.len()
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.cols() * self.rows()
    }

    /// Whether the grid has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The predicted class of every grid point (`Z` in the book), row-major with row 0 at the lowest y.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassGrid {
    /// Columns.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
    /// Classes, `rows * cols` of them.
    pub classes: Vec<u8>,
    /// How many points fell in each class.
    pub class_counts: Vec<usize>,
}

impl ClassGrid {
    /// The class at column `c`, row `r`.
    pub fn at(&self, c: usize, r: usize) -> u8 {
        self.classes[r * self.cols + c]
    }
}

/// Classifies every point of `grid` with `model` (the argmax of its scores), `CHUNK` points per
/// call, split by rows across the CPU's threads (each with its own copy of the model); on a GPU,
/// one thread feeds the device.
pub fn classify_grid<T, M>(model: &mut M, grid: &Grid, device: Device) -> Result<ClassGrid>
where
    T: Element,
    M: Model<T> + TryClone + Send,
{
    if grid.is_empty() {
        return Err(BoundaryError::BadInput(
            "the grid has no points".to_string(),
        ));
    }
    let (cols, rows) = (grid.cols(), grid.rows());
    let mut classes = try_vec(cols * rows)?;
    classes.resize(cols * rows, 0u8);
    let threads = if device == Device::Cpu {
        tensor::parallel::threads().min(rows)
    } else {
        1
    };
    let band = rows.div_ceil(threads);
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let mut bands = classes.chunks_mut(band * cols);
        let first = bands.next();
        // Every band but the first gets its own copy of the model and a thread; the first runs
        // here with the caller's model (so a single band, as on a GPU, copies nothing).
        let handles: Vec<_> = bands
            .enumerate()
            .map(|(b, out)| {
                let copy = model.try_clone();
                tensor::parallel::spawn_or_here(s, move || {
                    let mut m = copy?;
                    classify_band(&mut m, grid, (b + 1) * band, out, device)
                })
            })
            .collect();
        let mut results =
            vec![first.map_or(Ok(()), |out| classify_band(model, grid, 0, out, device))];
        results.extend(handles.into_iter().map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(BoundaryError::BadInput("a worker panicked".into())))
        }));
        results
    });
    results.into_iter().collect::<Result<Vec<()>>>()?;
    let mut counts = [0usize; 256];
    for &c in &classes {
        counts[c as usize] += 1;
    }
    let used = counts
        .iter()
        .rposition(|&n| n > 0)
        .map_or(0, |last| last + 1);
    let class_counts = counts[..used].to_vec();
    Ok(ClassGrid {
        cols,
        rows,
        classes,
        class_counts,
    })
}

fn classify_band<T: Element, M: Model<T>>(
    model: &mut M,
    grid: &Grid,
    first_row: usize,
    out: &mut [u8],
    device: Device,
) -> Result<()> {
    let cols = grid.cols();
    // The coordinates in `T`, converted once rather than once per point.
    let xs: Vec<T> = grid.xs.iter().map(|&v| T::from_f64(v)).collect();
    let mut points: Vec<T> = Vec::with_capacity(2 * CHUNK);
    let mut x = Tensor::zeros(0, 2, device)?;
    let mut predicted = Vec::with_capacity(CHUNK);
    for (k, out_chunk) in out.chunks_mut(CHUNK).enumerate() {
        points.clear();
        // Walk the chunk's points as row segments (no division per point).
        let (mut p, end) = (
            first_row * cols + k * CHUNK,
            first_row * cols + k * CHUNK + out_chunk.len(),
        );
        while p < end {
            let (r, c) = (p / cols, p % cols);
            let len = (cols - c).min(end - p);
            let y = T::from_f64(grid.ys[r]);
            for &xv in &xs[c..c + len] {
                points.push(xv);
                points.push(y);
            }
            p += len;
        }
        x.copy_from_host(out_chunk.len(), 2, &points)?;
        model.classify(&x, &mut predicted)?;
        for (o, &c) in out_chunk.iter_mut().zip(&predicted) {
            *o = u8::try_from(c).map_err(|_| {
                BoundaryError::BadInput(format!("class {c} (at most 256 classes can be drawn)"))
            })?;
        }
    }
    Ok(())
}

//! The spiral data set (book §1.4.1, `dataset/spiral.py: load_data`).

use ndarray::Array2;
use tensor::math::{cos, sin};
use tensor::random::{BookRng, RandomSource};

use crate::error::DataError;

/// Points per class in the book's data set.
pub const POINTS_PER_CLASS: usize = 100;
/// Classes in the book's data set.
pub const CLASSES: usize = 3;
/// The book's default seed.
pub const SEED: u32 = 1984;

/// The spiral data: `x` is `N x 2` points, `t` the `N x C` one-hot labels.
///
/// Rows are in class blocks: rows `0..P` are class 0, `P..2P` class 1, and so on.
#[derive(Debug, Clone, PartialEq)]
pub struct Spiral {
    /// Points, one per row.
    pub x: Array2<f64>,
    /// One-hot labels (`int32` in the book's numpy).
    pub t: Array2<i32>,
}

/// `spiral.load_data(seed)`: seeds the book's random stream with `seed` and draws the 300 points.
///
/// With seed 1984 the result equals the book's data bit for bit, negative zeros included.
///
/// ```
/// let s = data::load_data(1984);
/// assert_eq!((s.x.dim(), s.t.dim()), ((300, 2), (300, 3)));
/// // The book's second point, to the last bit, and its one-hot class 0.
/// assert_eq!(s.x[[1, 0]], -0.00097698643152699);
/// assert_eq!(s.t.row(1).to_vec(), [1, 0, 0]);
/// ```
pub fn load_data(seed: u32) -> Spiral {
    let mut rng = BookRng::new(seed);
    load_data_with(&mut rng, POINTS_PER_CLASS, CLASSES).expect("the book's sizes are valid")
}

/// The spiral drawn from any random source, with `n` points for each of `classes` arms.
///
/// The same stream then continues into weight init and shuffling, as in the book, where
/// everything draws from numpy's one global `RandomState`.
pub fn load_data_with(
    rng: &mut impl RandomSource,
    n: usize,
    classes: usize,
) -> Result<Spiral, DataError> {
    load_data_noisy(rng, n, classes, NOISE)
}

/// The book's noise: the angle of each point is off by `0.2 · randn()`.
pub const NOISE: f64 = 0.2;

/// [`load_data_with`] with the angle's noise `noise · randn()` instead of the book's 0.2 (the
/// browser playground's noise slider); `noise` = [`NOISE`] is the book's data, bit for bit.
pub fn load_data_noisy(
    rng: &mut impl RandomSource,
    n: usize,
    classes: usize,
    noise: f64,
) -> Result<Spiral, DataError> {
    const MAX_POINTS: usize = 1 << 24;
    if n == 0 || n > MAX_POINTS {
        return Err(DataError::InvalidSize {
            name: "points per class",
            value: n,
            expected: "1 to 16777216",
        });
    }
    if classes == 0 || classes > 256 {
        return Err(DataError::InvalidSize {
            name: "classes",
            value: classes,
            expected: "1 to 256",
        });
    }
    if n.saturating_mul(classes) > MAX_POINTS {
        return Err(DataError::InvalidSize {
            name: "points in all",
            value: n.saturating_mul(classes),
            expected: "at most 16777216",
        });
    }
    let mut x = Array2::zeros((n * classes, 2));
    let mut t = Array2::zeros((n * classes, classes));
    for j in 0..classes {
        for i in 0..n {
            // Same float64 operations, in the same order, as the book's loop.
            let rate = i as f64 / n as f64;
            let radius = 1.0 * rate;
            let theta = (j as f64 * 4.0 + 4.0 * rate) + rng.randn() * noise;
            let ix = n * j + i;
            x[[ix, 0]] = radius * sin(theta);
            x[[ix, 1]] = radius * cos(theta);
            t[[ix, j]] = 1;
        }
    }
    Ok(Spiral { x, t })
}

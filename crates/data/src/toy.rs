//! The other 2-D data sets a learner tries a network on (as TensorFlow Playground offers them):
//! two moons, two circles, XOR and Gaussian blobs, each drawn from the book's random stream so a
//! seed gives the same points everywhere (the browser playground, a test, a CSV file).
//!
//! Each has `n` points per class, in class blocks as the spiral has, and `noise` scales a normal
//! jitter of every coordinate (in the data's units, whose extent is about -1.5 to 1.5).

use ndarray::Array2;
use tensor::math::{cos, sin};
use tensor::random::RandomSource;

use crate::error::DataError;

/// A toy data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toy {
    /// Two interleaved half circles (2 classes).
    Moons,
    /// A disc inside a ring (2 classes).
    Circles,
    /// The four quadrants, opposite ones alike (2 classes).
    Xor,
    /// Round clouds around points on a circle (`classes` classes).
    Blobs,
}

/// Points of a toy data set: `x` is `N x 2`, `labels` the class of each row.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    /// Points, one per row.
    pub x: Array2<f64>,
    /// Class of each point.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl Toy {
    /// Every toy, in the order a menu lists them.
    pub const ALL: [Toy; 4] = [Toy::Moons, Toy::Circles, Toy::Xor, Toy::Blobs];

    /// `"moons"`, `"circles"`, `"xor"` or `"blobs"`.
    pub fn name(self) -> &'static str {
        match self {
            Toy::Moons => "moons",
            Toy::Circles => "circles",
            Toy::Xor => "xor",
            Toy::Blobs => "blobs",
        }
    }

    /// The toy of this name.
    pub fn from_name(name: &str) -> Option<Toy> {
        Toy::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The noise that shows the data's shape clearly.
    pub fn default_noise(self) -> f64 {
        match self {
            Toy::Moons | Toy::Circles => 0.1,
            Toy::Xor => 0.05,
            Toy::Blobs => 0.25,
        }
    }

    /// `n` points of each class (`classes` counts only for blobs, 2 to 10), drawn from `rng`.
    pub fn draw(
        self,
        rng: &mut impl RandomSource,
        n: usize,
        classes: usize,
        noise: f64,
    ) -> Result<Points, DataError> {
        const MAX_POINTS: usize = 1 << 20;
        let classes = match self {
            Toy::Blobs => classes,
            _ => 2,
        };
        if !(2..=10).contains(&classes) {
            return Err(DataError::InvalidSize {
                name: "classes",
                value: classes,
                expected: "2 to 10",
            });
        }
        if n == 0 || n.saturating_mul(classes) > MAX_POINTS {
            return Err(DataError::InvalidSize {
                name: "points per class",
                value: n,
                expected: "1 to 1048576 points in all",
            });
        }
        if !(noise.is_finite() && noise >= 0.0) {
            return Err(DataError::InvalidFraction {
                name: "noise",
                value: noise,
                expected: "expected a finite number from 0",
            });
        }
        let mut x = Array2::zeros((n * classes, 2));
        let mut labels = Vec::with_capacity(n * classes);
        for c in 0..classes {
            for i in 0..n {
                let u = (i as f64 + 0.5) / n as f64;
                let (px, py) = match self {
                    Toy::Moons => {
                        let a = std::f64::consts::PI * u;
                        if c == 0 {
                            (cos(a) - 0.5, sin(a) - 0.25)
                        } else {
                            (0.5 - cos(a), 0.25 - sin(a))
                        }
                    }
                    Toy::Circles => {
                        let a = 2.0 * std::f64::consts::PI * u;
                        let r = if c == 0 { 0.5 } else { 1.2 };
                        (r * cos(a), r * sin(a))
                    }
                    Toy::Xor => {
                        // A grid of the quadrant, class 0 in the first and third.
                        let side = (n as f64).sqrt().ceil() as usize;
                        let gx = ((i % side) as f64 + 0.5) / side as f64;
                        let gy = ((i / side) as f64 + 0.5) / side as f64;
                        let (sx, sy) = if i % 2 == 0 { (1.0, 1.0) } else { (-1.0, -1.0) };
                        let (sx, sy) = if c == 0 { (sx, sy) } else { (sx, -sy) };
                        (sx * (0.1 + gx), sy * (0.1 + gy))
                    }
                    Toy::Blobs => {
                        let a = 2.0 * std::f64::consts::PI * c as f64 / classes as f64;
                        (cos(a), sin(a))
                    }
                };
                let jitter = if self == Toy::Blobs {
                    noise.max(0.02)
                } else {
                    noise
                };
                x[[c * n + i, 0]] = px + jitter * rng.randn();
                x[[c * n + i, 1]] = py + jitter * rng.randn();
                labels.push(c);
            }
        }
        Ok(Points { x, labels, classes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tensor::random::BookRng;

    #[test]
    fn each_toy_is_seeded_sized_and_separable_by_its_rule() {
        for toy in Toy::ALL {
            let a = toy.draw(&mut BookRng::new(7), 50, 4, 0.0).unwrap();
            let b = toy.draw(&mut BookRng::new(7), 50, 4, 0.0).unwrap();
            assert_eq!(a, b, "{}", toy.name());
            assert_eq!(a.x.nrows(), 50 * a.classes);
            assert_eq!(Toy::from_name(toy.name()), Some(toy));
            // Without noise each class sits where its rule puts it.
            for (row, &c) in a.x.rows().into_iter().zip(&a.labels) {
                let (x, y) = (row[0], row[1]);
                let ok = match toy {
                    Toy::Circles => ((x * x + y * y).sqrt() < 0.85) == (c == 0),
                    Toy::Xor => ((x * y) > 0.0) == (c == 0),
                    Toy::Blobs => {
                        let a = 2.0 * std::f64::consts::PI * c as f64 / 4.0;
                        (x - a.cos()).hypot(y - a.sin()) < 0.15
                    }
                    Toy::Moons => true,
                };
                assert!(ok, "{} point ({x}, {y}) of class {c}", toy.name());
            }
        }
        assert!(Toy::Blobs.draw(&mut BookRng::new(1), 10, 11, 0.1).is_err());
        assert!(Toy::Moons.draw(&mut BookRng::new(1), 0, 2, 0.1).is_err());
        assert!(
            Toy::Moons
                .draw(&mut BookRng::new(1), 10, 2, f64::NAN)
                .is_err()
        );
    }
}

//! The `rand` crate's generator behind the same [`RandomSource`] interface.

use ndarray::Array2;
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::{Distribution, StandardNormal};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::RandomSource;

/// A seeded `rand::rngs::StdRng`: fast and good, but not the book's stream.
#[derive(Debug, Clone)]
pub struct StdRandom {
    rng: StdRng,
}

impl StdRandom {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        StdRandom {
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

impl RandomSource for StdRandom {
    fn randn(&mut self) -> f64 {
        StandardNormal.sample(&mut self.rng)
    }

    fn shuffle(&mut self, values: &mut [usize]) {
        values.shuffle(&mut self.rng);
    }

    fn randn_matrix(&mut self, rows: usize, cols: usize) -> Array2<f64> {
        Array2::random_using((rows, cols), StandardNormal, &mut self.rng)
    }
}

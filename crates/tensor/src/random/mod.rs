//! Random numbers for weight init and shuffling.
//!
//! [`BookRng`] reproduces numpy's legacy `np.random` stream exactly, so a run seeded like the book
//! draws the book's data, weights and batches. [`StdRandom`] is the `rand` crate's generator for
//! runs that need not follow the book.

mod book_rng;
#[cfg(feature = "std-random")]
mod std_random;

pub use book_rng::{BookRng, BookRngState};
#[cfg(feature = "std-random")]
pub use std_random::StdRandom;

/// A source of the two kinds of randomness chapter 1 needs.
pub trait RandomSource {
    /// One standard-normal draw (numpy's `np.random.randn()`).
    fn randn(&mut self) -> f64;

    /// Shuffles `values` in place (numpy's `np.random.shuffle`).
    fn shuffle(&mut self, values: &mut [usize]);

    /// `np.random.permutation(n)`: `0..n` shuffled.
    fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.shuffle(&mut v);
        v
    }

    /// `np.random.randn(rows, cols)`: draws in row-major order.
    fn randn_matrix(&mut self, rows: usize, cols: usize) -> ndarray::Array2<f64> {
        ndarray::Array2::from_shape_simple_fn((rows, cols), || self.randn())
    }
}

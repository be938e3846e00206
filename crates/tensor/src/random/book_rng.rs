//! numpy's legacy `RandomState` (the `np.random.seed` / `randn` / `permutation` the book calls),
//! ported draw for draw.
//!
//! The Mersenne Twister itself comes from `rand_mt` (`Mt::new(seed)` is numpy's `init_genrand`
//! seeding); this file adds numpy's layers on top: `genrand_res53` doubles, the cached polar
//! `legacy_gauss`, and `random_interval` for the Fisher-Yates shuffle.

use rand_mt::Mt;

use super::RandomSource;
use crate::glibc_math;

/// numpy's legacy random stream, seeded as `np.random.seed(seed)`.
///
/// ```
/// use tensor::random::{BookRng, RandomSource};
/// let mut rng = BookRng::new(1984);
/// let first = rng.random_sample();
/// assert_eq!(first, 0.00875572949604042); // np.random.seed(1984); np.random.random_sample()
/// ```
#[derive(Clone)]
pub struct BookRng {
    seed: u32,
    mt: Mt,
    /// 32-bit outputs drawn since seeding: with the seed and the gauss cache, this is the whole
    /// state, so a checkpoint can store it and [`BookRng::from_state`] can replay to it.
    draws: u64,
    gauss_cache: Option<f64>,
}

/// The state of a [`BookRng`], small enough to store in a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookRngState {
    /// The seed given to `np.random.seed`.
    pub seed: u32,
    /// 32-bit outputs drawn since seeding.
    pub draws: u64,
    /// The second value of the last polar pair, not yet returned.
    pub gauss_cache: Option<f64>,
}

impl std::fmt::Debug for BookRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BookRng")
            .field("seed", &self.seed)
            .field("draws", &self.draws)
            .finish()
    }
}

impl BookRng {
    /// `np.random.seed(seed)`.
    pub fn new(seed: u32) -> Self {
        BookRng {
            seed,
            mt: Mt::new(seed),
            draws: 0,
            gauss_cache: None,
        }
    }

    /// The current state.
    pub fn state(&self) -> BookRngState {
        BookRngState {
            seed: self.seed,
            draws: self.draws,
            gauss_cache: self.gauss_cache,
        }
    }

    /// Rebuilds a generator at `state` by reseeding and replaying its draws (a few nanoseconds per
    /// draw: a whole chapter-1 run draws well under a million).
    pub fn from_state(state: BookRngState) -> Self {
        let mut rng = BookRng::new(state.seed);
        for _ in 0..state.draws {
            rng.next_u32();
        }
        rng.gauss_cache = state.gauss_cache;
        rng
    }

    /// One 32-bit output of MT19937.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        self.draws += 1;
        self.mt.next_u32()
    }

    /// `np.random.random_sample()`: a double in `[0, 1)` from two outputs (`genrand_res53`).
    #[inline]
    pub fn random_sample(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67108864.0 + b) / 9007199254740992.0
    }

    /// numpy's `legacy_gauss`: Marsaglia's polar method, caching the second value of each pair.
    pub fn gauss(&mut self) -> f64 {
        if let Some(cached) = self.gauss_cache.take() {
            return cached;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                // glibc's `log` everywhere: the browser's `ln` is another algorithm.
                let f = (-2.0 * glibc_math::log(r2) / r2).sqrt();
                self.gauss_cache = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// numpy's `random_interval(max)`: uniform in `0..=max` by masking to the smallest all-ones
    /// mask covering `max` and rejecting values above it.
    pub fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> shift;
        }
        if max <= u32::MAX as u64 {
            loop {
                let v = self.next_u32() as u64 & mask;
                if v <= max {
                    return v;
                }
            }
        } else {
            loop {
                let hi = self.next_u32() as u64;
                let lo = self.next_u32() as u64;
                let v = ((hi << 32) | lo) & mask;
                if v <= max {
                    return v;
                }
            }
        }
    }
}

impl RandomSource for BookRng {
    fn randn(&mut self) -> f64 {
        self.gauss()
    }

    /// numpy's legacy shuffle: `for i in n-1..=1: swap(a[i], a[random_interval(i)])`.
    fn shuffle(&mut self, values: &mut [usize]) {
        for i in (1..values.len()).rev() {
            let j = self.random_interval(i as u64) as usize;
            values.swap(i, j);
        }
    }
}

//! A seeded train/validation split (`--val-split`), stratified by class so each class keeps its
//! share on both sides.
//!
//! The split draws from its own stream (`BookRng::new(seed)`), never from the training stream: a
//! run with a split starts from the same initial weights as the run without one, and the book's
//! run, which has no split, draws exactly the book's numbers.

use tensor::random::{BookRng, RandomSource};

use crate::error::DataError;

/// Which points train and which are held out; both in the data's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Indices of the training points, ascending.
    pub train: Vec<usize>,
    /// Indices of the validation points, ascending.
    pub validation: Vec<usize>,
}

/// Holds out `fraction` of each class's points (rounded, at least one point kept for training in
/// every class), chosen by a stream seeded with `seed`. The same labels, fraction and seed give
/// the same split; the two sides are disjoint and together hold every point.
///
/// ```
/// let labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
/// let s = data::split(&labels, 0.5, 1984)?;
/// assert_eq!(s.validation.len(), 5); // 2 of class 0, 3 of class 1
/// assert_eq!(s, data::split(&labels, 0.5, 1984)?);
/// # Ok::<(), data::DataError>(())
/// ```
pub fn split(labels: &[usize], fraction: f64, seed: u32) -> Result<Split, DataError> {
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(DataError::InvalidFraction {
            name: "validation split",
            value: fraction,
            expected: "expected a fraction above 0 and below 1, such as 0.2",
        });
    }
    let classes = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut rng = BookRng::new(seed);
    let mut held = vec![false; labels.len()];
    for c in 0..classes {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        if members.is_empty() {
            continue;
        }
        rng.shuffle(&mut members);
        let take = ((members.len() as f64 * fraction).round() as usize).min(members.len() - 1);
        for &i in &members[..take] {
            held[i] = true;
        }
    }
    let (validation, train): (Vec<usize>, Vec<usize>) = (0..labels.len()).partition(|&i| held[i]);
    if validation.is_empty() {
        return Err(DataError::InvalidFraction {
            name: "validation split",
            value: fraction,
            expected: "it holds out no point of this data (give a larger fraction)",
        });
    }
    Ok(Split { train, validation })
}

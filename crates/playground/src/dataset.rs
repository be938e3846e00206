//! The points a run trains on, made from its settings as `cargo xtask chapter1` would: the
//! book's spiral drawn from the training stream itself (as `train.py` does), any other data
//! made apart from it (as `--data FILE` reads it), and the validation split of
//! `--val-split`, so that the exported command gives the page's numbers.

use ndarray::{Array2, Axis};
use tensor::random::BookRng;

use crate::error::{Error, Result};
use crate::settings::{DataKind, Settings};

/// A run's points: the ones it trains on and the ones it holds out.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    /// Training points, `N x 2`.
    pub x: Array2<f64>,
    /// Their classes.
    pub labels: Vec<usize>,
    /// Held-out points (`0 x 2` without a split).
    pub held_x: Array2<f64>,
    /// Their classes.
    pub held_labels: Vec<usize>,
    /// Classes in all.
    pub classes: usize,
    /// Every point before the split, in the order a CSV export lists them.
    pub all_x: Array2<f64>,
    /// Their classes.
    pub all_labels: Vec<usize>,
}

/// The data of `s` and the training stream positioned after it: for the book's spiral the
/// stream drew it; for other data the stream is fresh (the data came from a stream of its own,
/// or from `csv`, the points the user dropped).
pub fn make(s: &Settings, csv: Option<&data::csv::LabeledPoints>) -> Result<(Data, BookRng)> {
    let mut rng = BookRng::new(s.seed);
    let (x, labels, classes) = match s.data {
        DataKind::Spiral => {
            let mut own = BookRng::new(s.seed);
            let stream = if s.is_book_spiral() {
                &mut rng
            } else {
                &mut own
            };
            let sp = data::spiral::load_data_noisy(stream, s.points, s.classes, s.noise)?;
            let labels = (0..sp.x.nrows()).map(|i| i / s.points).collect();
            (sp.x, labels, s.classes)
        }
        DataKind::Toy(toy) => {
            let p = toy.draw(&mut BookRng::new(s.seed), s.points, s.classes, s.noise)?;
            (p.x, p.labels, p.classes)
        }
        DataKind::Csv => {
            let p = csv.ok_or_else(|| {
                Error::Mismatch("data=csv: drop a CSV file (x1,x2,label) on the page".to_string())
            })?;
            (p.x.clone(), p.labels.clone(), p.classes)
        }
    };
    let (train, held) = if s.val_split > 0.0 {
        let sp = data::split(&labels, s.val_split, s.seed)?;
        (sp.train, sp.validation)
    } else {
        ((0..labels.len()).collect(), Vec::new())
    };
    let pick = |idx: &[usize]| {
        (
            x.select(Axis(0), idx),
            idx.iter().map(|&i| labels[i]).collect::<Vec<_>>(),
        )
    };
    let (tx, tl) = pick(&train);
    let (hx, hl) = pick(&held);
    if s.batch > tl.len() {
        return Err(Error::Mismatch(format!(
            "batch={} is more than the {} training points",
            s.batch,
            tl.len()
        )));
    }
    Ok((
        Data {
            x: tx,
            labels: tl,
            held_x: hx,
            held_labels: hl,
            classes,
            all_x: x,
            all_labels: labels,
        },
        rng,
    ))
}

//! Everything a playground run is made of, as the page's address holds it
//! (`playground.html#seed=1984&hidden=10&optimizer=adam`): parsed and checked here, so that a bad
//! address is one clear message and the default run, never a hang or a blank page.

use optim::OptimizerKind;

use crate::error::{Error, Result};

/// The data a run trains on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DataKind {
    /// The book's spiral (`dataset/spiral.py`), `classes` arms.
    Spiral,
    /// A toy set ([`data::Toy`]).
    Toy(data::Toy),
    /// Points the user dropped on the page (a CSV file, `x1,x2,label`).
    Csv,
}

impl DataKind {
    /// The name the address uses.
    pub fn name(self) -> &'static str {
        match self {
            DataKind::Spiral => "spiral",
            DataKind::Toy(t) => t.name(),
            DataKind::Csv => "csv",
        }
    }
}

/// The element type of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// `f64`, the book's.
    F64,
    /// `f32` (§1.5.1).
    F32,
}

/// The settings of a run; [`Settings::default`] is the book's `train.py`.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Which data.
    pub data: DataKind,
    /// Seed of the book's random stream (the data, the weights, the shuffles).
    pub seed: u32,
    /// Points per class (the spiral's and the toys').
    pub points: usize,
    /// Classes (the spiral's arms; the blobs).
    pub classes: usize,
    /// Noise of the data (the spiral's 0.2 is the book's).
    pub noise: f64,
    /// Share of each class held out for validation (0: none).
    pub val_split: f64,
    /// Hidden units.
    pub hidden: usize,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Its learning rate.
    pub lr: f64,
    /// Samples per mini-batch.
    pub batch: usize,
    /// Clip the global gradient norm to this value (`None`: no clipping).
    pub max_grad: Option<f64>,
    /// Element type.
    pub precision: Precision,
    /// Epochs to train at once when the page opens (`#…&run=300`).
    pub run: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data: DataKind::Spiral,
            seed: data::spiral::SEED,
            points: data::spiral::POINTS_PER_CLASS,
            classes: data::spiral::CLASSES,
            noise: data::spiral::NOISE,
            val_split: 0.0,
            hidden: 10,
            optimizer: OptimizerKind::Sgd,
            lr: 1.0,
            batch: 30,
            max_grad: None,
            precision: Precision::F64,
            run: 0,
        }
    }
}

/// Most hidden units (the page draws each one's map).
pub const MAX_HIDDEN: usize = 256;
/// Most points per class.
pub const MAX_POINTS: usize = 2000;
/// Most classes.
pub const MAX_CLASSES: usize = 10;
/// Most epochs `run=` may ask for at once.
pub const MAX_RUN: usize = 5000;

impl Settings {
    /// The settings of an address's fragment (`seed=1984&hidden=10`, with or without the `#`):
    /// every key known, every value in range, else an error naming the first bad one. Keys left
    /// out keep their defaults; `lr` defaults to a rate that trains the optimizer
    /// ([`optim::working_lr`]: the book's 1.0 for SGD), `noise` to the data set's.
    pub fn parse(fragment: &str) -> Result<Settings> {
        let mut s = Settings::default();
        let mut lr = None;
        let mut noise = None;
        let fragment = fragment.trim_start_matches('#');
        for pair in fragment.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let bad = |expected: &str| Error::Setting {
                key: shown(key),
                value: shown(value),
                expected: expected.to_string(),
            };
            let number = |expected: &str| -> Result<f64> {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(expected))
            };
            let whole = |lo: usize, hi: usize| -> Result<usize> {
                value
                    .parse::<usize>()
                    .ok()
                    .filter(|v| (lo..=hi).contains(v))
                    .ok_or_else(|| bad(&format!("a whole number from {lo} to {hi}")))
            };
            match key {
                "data" => {
                    s.data = match value {
                        "spiral" => DataKind::Spiral,
                        "csv" => DataKind::Csv,
                        v => DataKind::Toy(
                            data::Toy::from_name(v)
                                .ok_or_else(|| bad("spiral, moons, circles, xor, blobs or csv"))?,
                        ),
                    }
                }
                "seed" => {
                    s.seed = value
                        .parse::<u32>()
                        .map_err(|_| bad("a whole number from 0 to 4294967295"))?
                }
                "points" => s.points = whole(1, MAX_POINTS)?,
                "classes" => s.classes = whole(2, MAX_CLASSES)?,
                "noise" => {
                    let v = number("a number from 0 to 1")?;
                    if !(0.0..=1.0).contains(&v) {
                        return Err(bad("a number from 0 to 1"));
                    }
                    noise = Some(v);
                }
                "val" => {
                    s.val_split = number("a fraction from 0 to 0.9")?;
                    if !(0.0..=0.9).contains(&s.val_split) {
                        return Err(bad("a fraction from 0 to 0.9"));
                    }
                }
                "hidden" => s.hidden = whole(1, MAX_HIDDEN)?,
                "optimizer" => {
                    s.optimizer = value
                        .parse()
                        .map_err(|_| bad("sgd, momentum, nesterov, adagrad, rmsprop or adam"))?
                }
                "lr" => {
                    let v = number("a number above 0, at most 100")?;
                    if !(v > 0.0 && v <= 100.0) {
                        return Err(bad("a number above 0, at most 100"));
                    }
                    lr = Some(v);
                }
                "batch" => s.batch = whole(1, MAX_POINTS * MAX_CLASSES)?,
                "maxgrad" => {
                    s.max_grad = match value {
                        "" | "none" => None,
                        _ => {
                            let v = number("a number above 0, or none")?;
                            if v <= 0.0 {
                                return Err(bad("a number above 0, or none"));
                            }
                            Some(v)
                        }
                    }
                }
                "precision" => {
                    s.precision = match value {
                        "f64" => Precision::F64,
                        "f32" => Precision::F32,
                        _ => return Err(bad("f64 or f32")),
                    }
                }
                "run" => s.run = whole(0, MAX_RUN)?,
                _ => {
                    return Err(Error::UnknownSetting(shown(key)));
                }
            }
        }
        s.lr = lr.unwrap_or_else(|| optim::working_lr(s.optimizer));
        s.noise = noise.unwrap_or(match s.data {
            DataKind::Toy(t) => t.default_noise(),
            _ => data::spiral::NOISE,
        });
        if let DataKind::Toy(t) = s.data
            && t != data::Toy::Blobs
        {
            s.classes = 2;
        }
        Ok(s)
    }

    /// The fragment that gives these settings back (only what differs from the defaults).
    pub fn fragment(&self) -> String {
        let d = Settings::default();
        let mut parts = Vec::new();
        if self.data != d.data {
            parts.push(format!("data={}", self.data.name()));
        }
        if self.seed != d.seed {
            parts.push(format!("seed={}", self.seed));
        }
        if self.points != d.points {
            parts.push(format!("points={}", self.points));
        }
        if self.classes != d.classes
            && matches!(
                self.data,
                DataKind::Spiral | DataKind::Toy(data::Toy::Blobs)
            )
        {
            parts.push(format!("classes={}", self.classes));
        }
        let default_noise = match self.data {
            DataKind::Toy(t) => t.default_noise(),
            _ => data::spiral::NOISE,
        };
        if self.noise != default_noise {
            parts.push(format!("noise={:?}", self.noise));
        }
        if self.val_split != 0.0 {
            parts.push(format!("val={:?}", self.val_split));
        }
        if self.hidden != d.hidden {
            parts.push(format!("hidden={}", self.hidden));
        }
        if self.optimizer != d.optimizer {
            parts.push(format!("optimizer={}", self.optimizer.as_str()));
        }
        if self.lr != optim::working_lr(self.optimizer) {
            parts.push(format!("lr={:?}", self.lr));
        }
        if self.batch != d.batch {
            parts.push(format!("batch={}", self.batch));
        }
        if let Some(g) = self.max_grad {
            parts.push(format!("maxgrad={g:?}"));
        }
        if self.precision == Precision::F32 {
            parts.push("precision=f32".to_string());
        }
        if self.run != 0 {
            parts.push(format!("run={}", self.run));
        }
        parts.join("&")
    }

    /// Whether the data is the book's spiral exactly (drawn first from the training stream, as
    /// `train.py` does): 100 points in each of 3 arms, the book's noise.
    pub fn is_book_spiral(&self) -> bool {
        self.data == DataKind::Spiral
            && self.points == data::spiral::POINTS_PER_CLASS
            && self.classes == data::spiral::CLASSES
            && self.noise == data::spiral::NOISE
    }
}

/// A value from the address as a message shows it: control characters escaped, cut to 40
/// characters (the page puts it in text, never in markup).
fn shown(v: &str) -> String {
    let clean: String = v.chars().flat_map(char::escape_default).collect();
    if clean.chars().count() > 40 {
        format!("{}…", clean.chars().take(40).collect::<String>())
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_address_is_the_books_run() {
        let s = Settings::parse("").unwrap();
        assert_eq!(s, Settings::default());
        assert!(s.is_book_spiral());
        assert_eq!(s.fragment(), "");
    }

    #[test]
    fn an_address_round_trips() {
        let text = "data=moons&seed=7&points=150&val=0.2&hidden=20&optimizer=adam&lr=0.05&batch=16&maxgrad=2.0&precision=f32&run=40";
        let s = Settings::parse(&format!("#{text}")).unwrap();
        assert_eq!(s.data, DataKind::Toy(data::Toy::Moons));
        assert_eq!(
            (s.seed, s.points, s.hidden, s.batch, s.run),
            (7, 150, 20, 16, 40)
        );
        assert_eq!((s.lr, s.max_grad, s.val_split), (0.05, Some(2.0), 0.2));
        assert_eq!(Settings::parse(&s.fragment()).unwrap(), s);
        // An optimizer alone gets the rate that trains it.
        assert_eq!(Settings::parse("optimizer=adam").unwrap().lr, 0.03);
    }

    #[test]
    fn bad_addresses_are_one_clear_message() {
        for (text, says) in [
            ("hidden=0", "hidden"),
            ("hidden=100000", "1 to 256"),
            ("seed=-1", "seed"),
            ("lr=NaN", "lr"),
            ("lr=inf", "lr"),
            ("points=1e9", "points"),
            ("run=99999999", "run"),
            ("optimizer=adamw", "adamw"),
            ("bogus=1", "bogus"),
            ("data=<script>", "<script>"),
            ("noise=2", "noise"),
            ("val=0.95", "val"),
        ] {
            let e = Settings::parse(text).unwrap_err().to_string();
            assert!(e.contains(says) && !e.contains('\n'), "{text}: {e}");
        }
    }
}

//! The data a chapter run trains on: the book's spiral, or the user's CSV file (`--data`).

use std::path::Path;

use anyhow::{Context, Result};
use ndarray::Array2;

/// Points, their classes, and where they came from. With a validation split (`--val-split`),
/// `x` and `labels` are the training points and [`Dataset::held_out`] the rest.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Points, `N x 2`.
    pub x: Array2<f64>,
    /// Class of each point.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
    /// `"spiral (seed S)"` or the file's path.
    pub name: String,
    /// The points held out of training for validation, when the data was split.
    pub held_out: Option<HeldOut>,
    /// The file the points came from (`None` for the spiral).
    pub path: Option<std::path::PathBuf>,
    spiral: bool,
}

/// Points held out of training: scored at every loss record, never trained on.
#[derive(Debug, Clone)]
pub struct HeldOut {
    /// Points, `M x 2`.
    pub x: Array2<f64>,
    /// Class of each point.
    pub labels: Vec<usize>,
}

impl Dataset {
    /// The book's spiral for `seed`.
    pub fn spiral(seed: u32) -> Result<Self> {
        let s = data::load_data(seed);
        let t = tensor::Labels::from_one_hot(s.t.view())?;
        Ok(Dataset {
            labels: t.indices().iter().map(|&c| c as usize).collect(),
            classes: t.classes(),
            x: s.x,
            name: format!("spiral (dataset/spiral.py, seed {seed})"),
            held_out: None,
            path: None,
            spiral: true,
        })
    }

    /// Points from a CSV file (`x1,x2,label`).
    pub fn csv(path: &Path) -> Result<Self> {
        let p = data::csv::load_csv(path).context("--data")?;
        Ok(Dataset {
            x: p.x,
            labels: p.labels,
            classes: p.classes,
            name: path.display().to_string(),
            held_out: None,
            path: Some(path.to_path_buf()),
            spiral: false,
        })
    }

    /// The data with `fraction` of each class's points held out for validation, chosen by
    /// [`data::split`] from its own stream seeded with `seed` (so the training stream, and with it
    /// the initial weights and the shuffles, are the unsplit run's); `None` keeps every point.
    pub fn split(self, fraction: Option<f64>, seed: u32) -> Result<Self> {
        let Some(fraction) = fraction else {
            return Ok(self);
        };
        let s = data::split(&self.labels, fraction, seed).context("--val-split")?;
        let rows = |idx: &[usize]| self.x.select(ndarray::Axis(0), idx);
        let labels = |idx: &[usize]| idx.iter().map(|&i| self.labels[i]).collect::<Vec<_>>();
        Ok(Dataset {
            held_out: Some(HeldOut {
                x: rows(&s.validation),
                labels: labels(&s.validation),
            }),
            x: rows(&s.train),
            labels: labels(&s.train),
            ..self
        })
    }

    /// The points to draw: the training points, and the held-out ones (drawn hollow).
    pub fn points(&self) -> viz::Points<'_> {
        viz::Points {
            x: self.x.view(),
            labels: &self.labels,
            held_out: self
                .held_out
                .as_ref()
                .map(|h| (h.x.view(), h.labels.as_slice())),
        }
    }

    /// The data plot's title: the book's for the spiral, the file's name for your own points,
    /// with how many points train and how many are held out.
    pub fn title(&self) -> String {
        let what = match (&self.path, self.spiral) {
            (_, true) => "spiral data".to_string(),
            (Some(p), false) => p.file_name().map_or_else(
                || "your data".to_string(),
                |n| crate::text::cut(&crate::text::shown(n), 40),
            ),
            (None, false) => "your data".to_string(),
        };
        match &self.held_out {
            Some(h) => format!(
                "{what} ({} training + {} held-out points)",
                self.len(),
                h.labels.len()
            ),
            None => format!("{what} ({} points)", self.len()),
        }
    }

    /// The data plot's files (PNG, SVG): `spiral.*` for the spiral, `data.*` for your own points.
    pub fn picture(&self) -> (crate::report::Picture, &'static str, &'static str) {
        if self.spiral {
            (
                crate::report::Picture::Data,
                crate::files::SPIRAL_PNG,
                crate::files::SPIRAL_SVG,
            )
        } else {
            (
                crate::report::Picture::OwnData,
                crate::files::DATA_PNG,
                crate::files::DATA_SVG,
            )
        }
    }

    /// Whether this is the book's spiral (drawn from the seeded stream).
    pub fn is_spiral(&self) -> bool {
        self.spiral
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// What identifies the data for a resume: its size and a hash of its content (every
    /// coordinate's bits and every label), never its path, so the same file under another name
    /// resumes and a file changed in place does not.
    pub fn identity(&self) -> String {
        let mut h = blake3::Hasher::new();
        for v in &self.x {
            h.update(&v.to_bits().to_le_bytes());
        }
        for &c in &self.labels {
            h.update(&(c as u64).to_le_bytes());
        }
        let hex = h.finalize().to_hex();
        format!(
            "{} points, {} classes, blake3:{}",
            self.len(),
            self.classes,
            &hex[..32]
        )
    }
}

//! The data a chapter run trains on: the book's spiral, or the user's CSV file (`--data`).

use std::path::Path;

use anyhow::{Context, Result};
use ndarray::Array2;

/// Points, their classes, and where they came from.
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
    spiral: bool,
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
            spiral: false,
        })
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

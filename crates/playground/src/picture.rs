//! What the page draws, as RGBA pixels it puts on a canvas: the network's class probabilities
//! over the data's plane (the decision boundary as a heat map), and each hidden unit's sigmoid
//! over the same plane. The points themselves the page draws on top.

use ndarray::Array2;

use crate::error::Result;
use crate::session::Session;

/// matplotlib's colour cycle (tab10): the class colours of every picture of the project.
pub const PALETTE: [[u8; 3]; 10] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
];

/// The plane the pictures cover: the data's extent (held-out points too) with the book's margin
/// of 0.1, as `(x0, x1, y0, y1)`.
pub fn plane(s: &Session) -> (f64, f64, f64, f64) {
    let d = &s.data;
    let column = |c: usize| d.all_x.column(c).to_vec();
    let range = |v: Vec<f64>| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo - 0.1, hi + 0.1)
    };
    let (x0, x1) = range(column(0));
    let (y0, y1) = range(column(1));
    (x0, x1, y0, y1)
}

/// The centres of a `w x h` grid of pixels over the plane, row by row from the top (largest y).
fn grid(s: &Session, w: usize, h: usize) -> Array2<f64> {
    let (x0, x1, y0, y1) = plane(s);
    let mut g = Array2::zeros((w * h, 2));
    for r in 0..h {
        let y = y1 - (r as f64 + 0.5) / h as f64 * (y1 - y0);
        for c in 0..w {
            let x = x0 + (c as f64 + 0.5) / w as f64 * (x1 - x0);
            g[[r * w + c, 0]] = x;
            g[[r * w + c, 1]] = y;
        }
    }
    g
}

/// The network's class probabilities at `points` (`n x 2`), row by row, from its params in
/// plain f64 arithmetic: a picture needs no exact rounding, and the browser has no fused
/// multiply-add instruction (its software one would make each frame many times slower).
fn probabilities(params: &[(&'static str, Array2<f64>)], points: &Array2<f64>) -> Vec<f64> {
    let get = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, a)| a);
    let (Some(w1), Some(b1), Some(w2), Some(b2)) = (get("W1"), get("b1"), get("W2"), get("b2"))
    else {
        return Vec::new();
    };
    let (hidden, classes) = (w1.ncols(), w2.ncols());
    let mut h = vec![0.0; hidden];
    let mut scores = vec![0.0; classes];
    let mut out = Vec::with_capacity(points.nrows() * classes);
    for p in points.rows() {
        for (j, hj) in h.iter_mut().enumerate() {
            let z = p[0] * w1[[0, j]] + p[1] * w1[[1, j]] + b1[[0, j]];
            *hj = 1.0 / (1.0 + (-z).exp());
        }
        for (c, sc) in scores.iter_mut().enumerate() {
            *sc = b2[[0, c]]
                + h.iter()
                    .enumerate()
                    .map(|(j, hj)| hj * w2[[j, c]])
                    .sum::<f64>();
        }
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = scores.iter().map(|v| (v - max).exp()).sum();
        out.extend(scores.iter().map(|v| (v - max).exp() / sum));
    }
    out
}

/// The decision boundary as RGBA pixels: each pixel the class colours mixed by the network's
/// probabilities there, paler where it is unsure (a tie of all classes is nearly white).
pub fn boundary(s: &mut Session, w: usize, h: usize) -> Result<Vec<u8>> {
    let classes = s.data.classes.max(1);
    let p = probabilities(&s.params()?, &grid(s, w, h));
    let mut out = Vec::with_capacity(w * h * 4);
    for probs in p.chunks_exact(classes) {
        let mut mix = [0.0f64; 3];
        let mut top = 0.0f64;
        for (c, &pc) in probs.iter().enumerate() {
            let col = PALETTE[c % PALETTE.len()];
            for k in 0..3 {
                mix[k] += pc * col[k] as f64;
            }
            top = top.max(pc);
        }
        let chance = 1.0 / classes as f64;
        let sure = if classes > 1 {
            ((top - chance) / (1.0 - chance)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let alpha = 0.15 + 0.45 * sure;
        for m in mix {
            out.push((255.0 + (m - 255.0) * alpha).round() as u8);
        }
        out.push(255);
    }
    Ok(out)
}

/// One hidden unit's description: the class its output weight moves most, and that weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    /// The class.
    pub class: usize,
    /// `W2[j, class]`: positive raises the class's score, negative lowers it.
    pub weight: f64,
}

/// Each hidden unit's `σ(x·W1[:, j] + b1[j])` over the plane as an RGBA tile of `size x size`
/// (white where the unit is off, its class's colour where it is on), for the first `max` units,
/// tiles one after another; and what each unit does to the class scores.
pub fn units(s: &mut Session, size: usize, max: usize) -> Result<(Vec<u8>, Vec<Unit>)> {
    let params = s.params()?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a.clone())
            .unwrap_or_else(|| Array2::zeros((0, 0)))
    };
    let (w1, b1, w2) = (get("W1"), get("b1"), get("W2"));
    let hidden = w1.ncols().min(max);
    let g = grid(s, size, size);
    let mut pixels = Vec::with_capacity(hidden * size * size * 4);
    let mut about = Vec::with_capacity(hidden);
    for j in 0..hidden {
        let row = w2.row(j);
        let class = (0..row.len())
            .max_by(|&a, &b| row[a].abs().total_cmp(&row[b].abs()))
            .unwrap_or(0);
        about.push(Unit {
            class,
            weight: row.get(class).copied().unwrap_or(0.0),
        });
        let col = PALETTE[class % PALETTE.len()];
        for p in g.rows() {
            let z = p[0] * w1[[0, j]] + p[1] * w1[[1, j]] + b1[[0, j]];
            let a = 1.0 / (1.0 + (-z).exp());
            for ch in col {
                pixels.push((255.0 - a * (255.0 - ch as f64)).round() as u8);
            }
            pixels.push(255);
        }
    }
    Ok((pixels, about))
}

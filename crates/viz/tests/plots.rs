//! Each plot writes a decodable picture of the requested size whose pixels show what they should.

use std::path::PathBuf;

use boundary::{Grid, classify_grid};
use layers::{LayerError, Model};
use ndarray::{Array2, array};
use tensor::{Device, Labels, Param, Params, Tensor};
use testkit::picture::{Rgb, read_png};
use viz::{class_color, plot_decision_boundary, plot_loss, plot_spiral};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dlfs2-viz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn load(path: &std::path::Path, size: (u32, u32)) -> Rgb {
    let img = read_png(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(img.dimensions(), size, "{}", path.display());
    img
}

/// Columns of the pixels within `tol` of `rgb`.
fn pixels_of(img: &Rgb, rgb: [u8; 3], tol: i32) -> Vec<(u32, u32)> {
    img.enumerate_pixels()
        .filter(|(_, _, p)| (0..3).all(|k| (p[k] as i32 - rgb[k] as i32).abs() <= tol))
        .map(|(x, y, _)| (x, y))
        .collect()
}

fn rgb(c: usize) -> [u8; 3] {
    let col = class_color(c);
    [col.0, col.1, col.2]
}

fn mean(v: impl Iterator<Item = u32>) -> f64 {
    let (s, n) = v.fold((0.0, 0), |(s, n), x| (s + x as f64, n + 1));
    s / n as f64
}

#[test]
fn spiral_plot_puts_each_class_where_its_points_are() {
    // Class 0 on the left, class 1 on the right, class 2 at the bottom middle.
    let mut x = Array2::zeros((90, 2));
    for i in 0..30 {
        let f = i as f64 / 30.0;
        x.row_mut(i).assign(&array![-1.0 + 0.1 * f, 0.3 * f]);
        x.row_mut(30 + i).assign(&array![1.0 - 0.1 * f, 0.3 * f]);
        x.row_mut(60 + i).assign(&array![-0.1 + 0.2 * f, -1.0]);
    }
    let mut ordered = vec![0; 90];
    for (i, l) in ordered.iter_mut().enumerate() {
        *l = i / 30;
    }
    for (name, size) in [("spiral.png", (640, 480)), ("spiral_big.png", (1000, 700))] {
        let path = tmp(name);
        plot_spiral(x.view(), &ordered, &path, size).unwrap();
        let img = load(&path, size);
        let c0 = pixels_of(&img, rgb(0), 10);
        let c1 = pixels_of(&img, rgb(1), 10);
        let c2 = pixels_of(&img, rgb(2), 10);
        assert!(
            c0.len() > 200 && c1.len() > 200 && c2.len() > 100,
            "{} {} {}",
            c0.len(),
            c1.len(),
            c2.len()
        );
        let w = size.0 as f64;
        // Most class-0 pixels are left of the middle, most class-1 pixels right of it.
        let left = |v: &[(u32, u32)]| {
            v.iter().filter(|p| (p.0 as f64) < w / 2.0).count() as f64 / v.len() as f64
        };
        assert!(left(&c0) > 0.8, "class 0 left share {}", left(&c0));
        assert!(left(&c1) < 0.3, "class 1 left share {}", left(&c1));
        // Class 2 sits lowest.
        assert!(mean(c2.iter().map(|p| p.1)) > mean(c0.iter().map(|p| p.1)));
    }
    let svg = tmp("spiral.svg");
    plot_spiral(x.view(), &ordered, &svg, (640, 480)).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("class 2"));
}

#[test]
fn loss_plot_draws_a_falling_curve_left_high_right_low() {
    let loss: Vec<f64> = (0..300)
        .map(|i| 1.1 * (-(i as f64) / 60.0).exp() + 0.05)
        .collect();
    let path = tmp("loss.png");
    plot_loss(&loss, 10, None, &path, (640, 480)).unwrap();
    let img = load(&path, (640, 480));
    let line = pixels_of(&img, rgb(0), 30);
    assert!(line.len() > 400, "{} line pixels", line.len());
    let left: Vec<_> = line.iter().filter(|p| p.0 < 200).collect();
    let right: Vec<_> = line.iter().filter(|p| p.0 > 450 && p.0 < 560).collect();
    assert!(
        mean(left.iter().map(|p| p.1)) < mean(right.iter().map(|p| p.1)),
        "left is higher (smaller row)"
    );
    plot_loss(
        &loss,
        10,
        Some((0.0, 2.0)),
        &tmp("loss_ylim.svg"),
        (640, 480),
    )
    .unwrap();
    assert!(plot_loss(&[], 10, None, &path, (640, 480)).is_err());
    assert!(plot_loss(&[f64::NAN], 10, None, &path, (640, 480)).is_err());
    assert!(plot_loss(&loss, 10, Some((2.0, 1.0)), &path, (640, 480)).is_err());
    assert!(plot_loss(&loss, 10, None, &tmp("loss.jpg"), (640, 480)).is_err());
    assert!(plot_loss(&loss, 10, None, &path, (10, 10)).is_err());
}

/// Scores `[x1, -x1]`: class 0 right of the y axis, class 1 left of it.
struct Halves(Tensor<f64>);

impl layers::TryClone for Halves {
    fn try_clone(&self) -> Result<Self, LayerError> {
        Ok(Halves(Tensor::empty()))
    }
}

impl Params<f64> for Halves {
    fn visit_params<'a>(
        &'a mut self,
        _: &mut dyn FnMut(Param<'a, f64>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        Ok(())
    }
}

impl Model<f64> for Halves {
    fn predict(&mut self, x: &Tensor<f64>) -> Result<&Tensor<f64>, LayerError> {
        let a = x.to_array()?;
        let s = Array2::from_shape_fn(
            (a.nrows(), 2),
            |(i, j)| if j == 0 { a[[i, 0]] } else { -a[[i, 0]] },
        );
        self.0 = Tensor::from_array(s, Device::Cpu)?;
        Ok(&self.0)
    }
    fn forward(&mut self, _: &Tensor<f64>, _: &Labels) -> Result<f64, LayerError> {
        Ok(0.0)
    }
    fn backward(&mut self) -> Result<(), LayerError> {
        Ok(())
    }
}

#[test]
fn decision_boundary_tints_each_side_with_its_class() {
    let x = array![[-1.0, -1.0], [1.0, 1.0], [-0.5, 0.8], [0.6, -0.7]];
    let labels = [1, 0, 1, 0];
    let grid = Grid::around(x.view(), 0.01).unwrap();
    let classes = classify_grid(&mut Halves(Tensor::empty()), &grid, Device::Cpu).unwrap();
    assert_eq!(classes.class_counts.iter().sum::<usize>(), grid.len());
    assert_eq!(classes.at(0, 0), 1);
    assert_eq!(classes.at(grid.cols() - 1, grid.rows() - 1), 0);
    let path = tmp("boundary.png");
    let points = viz::Points::new(x.view(), &labels);
    let pale = viz::RegionColors::Pale;
    plot_decision_boundary(
        &grid,
        &classes,
        &points,
        "boundary",
        pale,
        &path,
        (640, 480),
    )
    .unwrap();
    let img = load(&path, (640, 480));
    let tint = |c: usize| {
        let [r, g, b] = rgb(c);
        let m = |v: u8| ((v as u16 + 3 * 255) / 4) as u8;
        [m(r), m(g), m(b)]
    };
    // In the plot, left of the legend column (whose markers' antialiased edges pass through
    // the tints' shades too).
    let plot = |v: Vec<(u32, u32)>| v.into_iter().filter(|p| p.0 < 500).collect::<Vec<_>>();
    let t0 = plot(pixels_of(&img, tint(0), 2));
    let t1 = plot(pixels_of(&img, tint(1), 2));
    assert!(
        t0.len() > 50_000 && t1.len() > 50_000,
        "{} {}",
        t0.len(),
        t1.len()
    );
    let right_edge_of_1 = t1.iter().map(|p| p.0).max().unwrap();
    let left_edge_of_0 = t0.iter().map(|p| p.0).min().unwrap();
    assert!(
        right_edge_of_1 <= left_edge_of_0 + 1,
        "class 1 tint left of class 0 tint"
    );
    // The book's colours: its regions in viridis (two classes: dark purple and yellow).
    let book = tmp("boundary_viridis.png");
    let viridis = viz::RegionColors::Viridis;
    plot_decision_boundary(&grid, &classes, &points, "b", viridis, &book, (640, 480)).unwrap();
    let img = load(&book, (640, 480));
    for c in 0..2 {
        let region = viridis.color(c, 2);
        let n = plot(pixels_of(&img, region, 2)).len();
        assert!(n > 50_000, "class {c}'s viridis region: {n} pixels");
    }
    assert!(
        plot_decision_boundary(
            &grid,
            &classes,
            &points,
            "boundary",
            pale,
            &tmp("b.svg"),
            (640, 480)
        )
        .is_err()
    );
}

#[test]
fn a_scatter_of_the_documented_maximum_rows_is_a_small_svg() {
    // 4,194,304 points (the `--data` row limit): one marker per covered cell, not per point, so
    // the vector file stays small (before: about 570 MB, minutes to write).
    let n = 4_194_304;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut x = ndarray::Array2::<f64>::zeros((n, 2));
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let (r, a) = (next(), next() * std::f64::consts::TAU);
        x[[i, 0]] = r * a.cos();
        x[[i, 1]] = r * a.sin();
        labels.push(i % 3);
    }
    let dir = std::env::temp_dir().join(format!("dlfs2-bigsvg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.svg");
    viz::plot_spiral(x.view(), &labels, &path, viz::DEFAULT_SIZE).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 40 << 20, "{size} bytes");
    // Small data is drawn point for point.
    let small = path.with_file_name("small.svg");
    viz::plot_spiral(
        x.slice(ndarray::s![..300, ..]),
        &labels[..300],
        &small,
        viz::DEFAULT_SIZE,
    )
    .unwrap();
    let text = std::fs::read_to_string(&small).unwrap();
    assert!(
        text.matches("<circle").count() >= 100,
        "every class-0 point is a circle"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_legend_stands_beside_the_data_never_over_it() {
    // Points up to the upper right corner, where a legend inside the plot would sit.
    let mut x = Array2::zeros((60, 2));
    for i in 0..60 {
        let f = i as f64 / 59.0;
        x.row_mut(i).assign(&array![f, f]);
    }
    let labels: Vec<usize> = (0..60).map(|i| i % 3).collect();
    let path = tmp("legend.png");
    plot_spiral(x.view(), &labels, &path, (640, 480)).unwrap();
    let img = load(&path, (640, 480));
    for c in 0..3 {
        let mut cols: Vec<u32> = pixels_of(&img, rgb(c), 10).iter().map(|p| p.0).collect();
        cols.sort_unstable();
        cols.dedup();
        // The class's pixels fall in two groups: its markers in the plot, then, after a gap,
        // its legend swatch in the column at the right, narrower than a marker's neighbourhood.
        let (at, gap) = cols
            .windows(2)
            .enumerate()
            .map(|(i, w)| (i, w[1] - w[0]))
            .max_by_key(|&(_, g)| g)
            .unwrap();
        let legend = &cols[at + 1..];
        assert!(
            gap > 15,
            "class {c}: the legend touches the data (gap {gap})"
        );
        assert!(
            legend.last().unwrap() - legend[0] < 20,
            "class {c}: legend columns {legend:?}"
        );
    }
}

//! Every op on a device against the CPU reference, for `f32` and `f64`: the check behind the
//! device tests and `cargo xtask gpu-check`.
//!
//! Each op runs on the same random inputs on the CPU and on the device, and its outputs are
//! compared elementwise with the tolerance `|device - cpu| <= atol + rtol * |cpu|`:
//! f64 `atol = rtol = 1e-10`, f32 `atol = 1e-5, rtol = 1e-4` (cuBLAS sums in another order, and
//! CUDA's `exp`/`log` may differ from glibc's in the last bit). Class predictions must agree except
//! at near-ties (at most one point in a thousand).

use ndarray::Array2;

use crate::device::Device;
use crate::error::Result;
use crate::float::Float;
use crate::labels::Labels;
use crate::ops;
use crate::random::{BookRng, RandomSource};
use crate::tensor::Tensor;

/// One op's comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ParityRow {
    /// The op (and shape).
    pub op: String,
    /// `"f32"` or `"f64"`.
    pub dtype: &'static str,
    /// Largest `|device - cpu|`.
    pub max_abs: f64,
    /// Largest `|device - cpu| / (atol + rtol * |cpu|)`: at most 1 passes.
    pub worst_ratio: f64,
    /// Whether the op is within tolerance.
    pub ok: bool,
}

/// The tolerance `(atol, rtol)` for `T`.
pub fn tolerance<T: Float>() -> (f64, f64) {
    if T::NAME == "f64" {
        (1e-10, 1e-10)
    } else {
        (1e-5, 1e-4)
    }
}

struct Checker<'a, T: Float> {
    device: Device,
    rows: &'a mut Vec<ParityRow>,
    rng: BookRng,
    _t: std::marker::PhantomData<T>,
}

impl<T: Float> Checker<'_, T> {
    fn randn(&mut self, r: usize, c: usize, scale: f64) -> Array2<f64> {
        self.rng.randn_matrix(r, c) * scale
    }

    fn pair(&self, a: &Array2<f64>) -> Result<(Tensor<T>, Tensor<T>)> {
        Ok((
            Tensor::from_f64(a.view(), Device::Cpu)?,
            Tensor::from_f64(a.view(), self.device)?,
        ))
    }

    fn compare(&mut self, op: &str, cpu: &Tensor<T>, dev: &Tensor<T>) -> Result<()> {
        let (a, b) = (cpu.to_f64_array()?, dev.to_f64_array()?);
        self.compare_arrays(op, &a, &b);
        Ok(())
    }

    fn compare_arrays(&mut self, op: &str, a: &Array2<f64>, b: &Array2<f64>) {
        let (atol, rtol) = tolerance::<T>();
        let mut max_abs: f64 = 0.0;
        let mut worst: f64 = if a.dim() == b.dim() {
            0.0
        } else {
            f64::INFINITY
        };
        for (x, y) in a.iter().zip(b.iter()) {
            let d = (x - y).abs();
            let d = if d.is_nan() && !(x.is_nan() && y.is_nan()) {
                f64::INFINITY
            } else if d.is_nan() {
                0.0
            } else {
                d
            };
            max_abs = max_abs.max(d);
            worst = worst.max(d / (atol + rtol * x.abs()));
        }
        self.rows.push(ParityRow {
            op: op.to_string(),
            dtype: T::NAME,
            max_abs,
            worst_ratio: worst,
            ok: worst <= 1.0,
        });
    }

    fn compare_classes(&mut self, op: &str, a: &[usize], b: &[usize]) {
        let differ = a.iter().zip(b).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len());
        let share = differ as f64 / a.len().max(1) as f64;
        self.rows.push(ParityRow {
            op: op.to_string(),
            dtype: T::NAME,
            max_abs: differ as f64,
            worst_ratio: share * 1000.0,
            ok: share <= 1e-3,
        });
    }

    fn run(&mut self) -> Result<()> {
        // Matrix products: the chapter's shapes and the wide MLP's, every transpose.
        // The last shape is odd-sized in every dimension and large enough for the blocked CPU kernel.
        for &(m, k, n) in &[(30, 2, 10), (30, 10, 3), (97, 130, 67)] {
            for (ta, tb) in [(false, false), (true, false), (false, true)] {
                let a = self.randn(if ta { k } else { m }, if ta { m } else { k }, 1.0);
                let b = self.randn(if tb { n } else { k }, if tb { k } else { n }, 1.0);
                let ((ac, ad), (bc, bd)) = (self.pair(&a)?, self.pair(&b)?);
                let (mut oc, mut od) = (Tensor::empty(), Tensor::empty());
                ops::matmul(&ac, ta, &bc, tb, &mut oc)?;
                ops::matmul(&ad, ta, &bd, tb, &mut od)?;
                self.compare(&format!("matmul {m}x{k}x{n} ta={ta} tb={tb}"), &oc, &od)?;
            }
        }
        let x = self.randn(30, 10, 2.0);
        let bias = self.randn(1, 10, 1.0);
        let ((mut xc, mut xd), (bc, bd)) = (self.pair(&x)?, self.pair(&bias)?);
        ops::add_row(&mut xc, &bc)?;
        ops::add_row(&mut xd, &bd)?;
        self.compare("add_row 30x10", &xc, &xd)?;
        let (mut yc, mut yd) = (Tensor::empty(), Tensor::empty());
        ops::sigmoid(&xc, &mut yc)?;
        ops::sigmoid(&xd, &mut yd)?;
        self.compare("sigmoid 30x10", &yc, &yd)?;
        let g = self.randn(30, 10, 1.0);
        let (gc, gd) = self.pair(&g)?;
        let (mut dc, mut dd) = (Tensor::empty(), Tensor::empty());
        ops::sigmoid_backward(&gc, &yc, &mut dc)?;
        ops::sigmoid_backward(&gd, &yd, &mut dd)?;
        self.compare("sigmoid_backward 30x10", &dc, &dd)?;

        let s = self.randn(30, 3, 2.0);
        let (sc, sd) = self.pair(&s)?;
        let (mut pc, mut pd) = (Tensor::empty(), Tensor::empty());
        ops::softmax(&sc, &mut pc)?;
        ops::softmax(&sd, &mut pd)?;
        self.compare("softmax 30x3", &pc, &pd)?;
        let g3 = self.randn(30, 3, 1.0);
        let (g3c, g3d) = self.pair(&g3)?;
        ops::softmax_backward(&pc, &g3c, &mut dc)?;
        ops::softmax_backward(&pd, &g3d, &mut dd)?;
        self.compare("softmax_backward 30x3", &dc, &dd)?;
        let labels: Vec<usize> = (0..30).map(|i| (i * 7) % 3).collect();
        let t = Labels::from_indices(&labels, 3)?;
        let lc = ops::softmax_cross_entropy(&sc, &t, &mut pc)?;
        let ld = ops::softmax_cross_entropy(&sd, &t, &mut pd)?;
        self.compare_arrays(
            "softmax_cross_entropy loss",
            &Array2::from_elem((1, 1), lc.to_f64()),
            &Array2::from_elem((1, 1), ld.to_f64()),
        );
        self.compare("softmax_cross_entropy probabilities", &pc, &pd)?;
        ops::softmax_cross_entropy_backward(&pc, &t, T::ONE, &mut dc)?;
        ops::softmax_cross_entropy_backward(&pd, &t, T::ONE, &mut dd)?;
        self.compare("softmax_cross_entropy_backward", &dc, &dd)?;

        ops::sum_rows(&xc, &mut dc)?;
        ops::sum_rows(&xd, &mut dd)?;
        self.compare("sum_rows 30x10", &dc, &dd)?;
        ops::repeat_rows(&bc, 7, &mut dc)?;
        ops::repeat_rows(&bd, 7, &mut dd)?;
        self.compare("repeat_rows 7x10", &dc, &dd)?;
        let idx: Vec<usize> = (0..30).rev().step_by(3).collect();
        ops::gather_rows(&xc, &idx, &mut dc)?;
        ops::gather_rows(&xd, &idx, &mut dd)?;
        self.compare("gather_rows", &dc, &dd)?;
        let (qc, qd) = (ops::sum_squares(&xc)?, ops::sum_squares(&xd)?);
        self.compare_arrays(
            "sum_squares",
            &Array2::from_elem((1, 1), qc.to_f64()),
            &Array2::from_elem((1, 1), qd.to_f64()),
        );
        ops::scale(&mut xc, T::from_f64(0.37))?;
        ops::scale(&mut xd, T::from_f64(0.37))?;
        self.compare("scale", &xc, &xd)?;
        let fc = ops::all_finite(&xc)?;
        let fd = ops::all_finite(&xd)?;
        let mut nan = x.clone();
        nan[[3, 4]] = f64::NAN;
        let (nc, nd) = self.pair(&nan)?;
        let same = fc == fd && ops::all_finite(&nc)? == ops::all_finite(&nd)?;
        self.rows.push(ParityRow {
            op: "all_finite".into(),
            dtype: T::NAME,
            max_abs: 0.0,
            worst_ratio: if same { 0.0 } else { f64::INFINITY },
            ok: same,
        });
        let (mut ac, mut ad) = (Vec::new(), Vec::new());
        ops::argmax_rows(&sc, &mut ac)?;
        ops::argmax_rows(&sd, &mut ad)?;
        self.compare_classes("argmax_rows", &ac, &ad);

        // The fused class prediction of the decision boundary.
        let pts = self.randn(4096, 2, 1.0);
        let w = [
            self.randn(2, 10, 3.0),
            self.randn(1, 10, 1.0),
            self.randn(10, 3, 3.0),
            self.randn(1, 3, 1.0),
        ];
        let (pc_, pd_) = self.pair(&pts)?;
        let wc: Vec<Tensor<T>> = w
            .iter()
            .map(|a| Tensor::from_f64(a.view(), Device::Cpu))
            .collect::<Result<_>>()?;
        let wd: Vec<Tensor<T>> = w
            .iter()
            .map(|a| Tensor::from_f64(a.view(), self.device))
            .collect::<Result<_>>()?;
        ops::classify_two_layer(&pc_, &wc[0], &wc[1], &wc[2], &wc[3], &mut ac)?;
        ops::classify_two_layer(&pd_, &wd[0], &wd[1], &wd[2], &wd[3], &mut ad)?;
        self.compare_classes("classify_two_layer 4096 points", &ac, &ad);

        // Optimizer updates, two steps each (state carried over).
        let p = self.randn(10, 3, 1.0);
        let g = self.randn(10, 3, 0.3);
        for kind in ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"] {
            let ((mut pc, mut pd), (gc, gd)) = (self.pair(&p)?, self.pair(&g)?);
            let z = Array2::zeros((10, 3));
            let ((mut s1c, mut s1d), (mut s2c, mut s2d)) = (self.pair(&z)?, self.pair(&z)?);
            for step in 1..=2 {
                match kind {
                    "sgd" => {
                        ops::update::sgd(&mut pc, &gc, 0.5)?;
                        ops::update::sgd(&mut pd, &gd, 0.5)?;
                    }
                    "momentum" => {
                        ops::update::momentum(&mut pc, &mut s1c, &gc, 0.1, 0.9)?;
                        ops::update::momentum(&mut pd, &mut s1d, &gd, 0.1, 0.9)?;
                    }
                    "nesterov" => {
                        ops::update::nesterov(&mut pc, &mut s1c, &gc, 0.1, 0.9)?;
                        ops::update::nesterov(&mut pd, &mut s1d, &gd, 0.1, 0.9)?;
                    }
                    "adagrad" => {
                        ops::update::adagrad(&mut pc, &mut s1c, &gc, 0.1)?;
                        ops::update::adagrad(&mut pd, &mut s1d, &gd, 0.1)?;
                    }
                    "rmsprop" => {
                        ops::update::rmsprop(&mut pc, &mut s1c, &gc, 0.1, 0.99)?;
                        ops::update::rmsprop(&mut pd, &mut s1d, &gd, 0.1, 0.99)?;
                    }
                    _ => {
                        let lr_t = 0.01 * (1.0 - 0.999f64.powf(step as f64)).sqrt()
                            / (1.0 - 0.9f64.powf(step as f64));
                        ops::update::adam(&mut pc, &mut s1c, &mut s2c, &gc, lr_t, 0.9, 0.999)?;
                        ops::update::adam(&mut pd, &mut s1d, &mut s2d, &gd, lr_t, 0.9, 0.999)?;
                    }
                }
            }
            self.compare(&format!("{kind} update, 2 steps"), &pc, &pd)?;
        }
        Ok(())
    }
}

/// Runs every op on `device` and on the CPU, for f64 and f32, and returns one row per comparison.
pub fn check_device(device: Device) -> Result<Vec<ParityRow>> {
    device.ensure_available()?;
    let mut rows = Vec::new();
    Checker::<f64> {
        device,
        rows: &mut rows,
        rng: BookRng::new(42),
        _t: std::marker::PhantomData,
    }
    .run()?;
    Checker::<f32> {
        device,
        rows: &mut rows,
        rng: BookRng::new(42),
        _t: std::marker::PhantomData,
    }
    .run()?;
    Ok(rows)
}

//! Every op on a device against the CPU reference, for `f32` and `f64`: the check behind the
//! device tests and `cargo xtask gpu-check`.
//!
//! Each op runs on the same random inputs on the CPU and on the device, and its outputs are
//! compared elementwise with the tolerance `|device - cpu| <= atol + rtol * |cpu|`:
//! f64 `atol = rtol = 1e-10`, f32 `atol = 1e-5, rtol = 1e-4` (cuBLAS sums in another order, and
//! CUDA's `exp`/`log` may differ from glibc's in the last bit). Class predictions must agree except
//! at near-ties (at most one point in a thousand).
//!
//! An op that fails on the device (an error, not a difference) becomes a failed row with the error,
//! and the check goes on with the next group of ops, so one report shows everything.

use ndarray::Array2;

use tensor::random::{BookRng, RandomSource};
use tensor::{DType, Device, Element, Labels, Result, Tensor, ops};

use crate::{BOOK_PARAMS as NAMES, BookParams as ParamSet, RULES};

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
    /// Why the op could not be compared (it failed on a device), if it could not.
    pub error: Option<String>,
}

/// The tolerance `(atol, rtol)` for `T`.
pub fn tolerance<T: Element>() -> (f64, f64) {
    match T::DTYPE {
        DType::F64 => (1e-10, 1e-10),
        DType::F32 => (1e-5, 1e-4),
    }
}

struct Checker<'a, T: Element> {
    device: Device,
    rows: &'a mut Vec<ParityRow>,
    rng: BookRng,
    _t: std::marker::PhantomData<T>,
}

impl<T: Element> Checker<'_, T> {
    fn randn(&mut self, r: usize, c: usize, scale: f64) -> Array2<f64> {
        self.rng.randn_matrix(r, c) * scale
    }

    fn pair(&self, a: &Array2<f64>) -> Result<(Tensor<T>, Tensor<T>)> {
        Ok((
            Tensor::from_f64(a.view(), Device::Cpu)?,
            Tensor::from_f64(a.view(), self.device)?,
        ))
    }

    fn random_pair(&mut self, r: usize, c: usize, scale: f64) -> Result<(Tensor<T>, Tensor<T>)> {
        let a = self.randn(r, c, scale);
        self.pair(&a)
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
            dtype: T::DTYPE.as_str(),
            max_abs,
            worst_ratio: worst,
            ok: worst <= 1.0,
            error: None,
        });
    }

    fn compare_classes(&mut self, op: &str, a: &[usize], b: &[usize]) {
        let differ = a.iter().zip(b).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len());
        let share = differ as f64 / a.len().max(1) as f64;
        self.rows.push(ParityRow {
            op: op.to_string(),
            dtype: T::DTYPE.as_str(),
            max_abs: differ as f64,
            worst_ratio: share * 1000.0,
            ok: share <= 1e-3,
            error: None,
        });
    }

    fn scalar(&mut self, op: &str, cpu: T, dev: T) {
        self.compare_arrays(
            op,
            &Array2::from_elem((1, 1), cpu.to_f64()),
            &Array2::from_elem((1, 1), dev.to_f64()),
        );
    }

    fn same(&mut self, op: &str, same: bool) {
        self.rows.push(ParityRow {
            op: op.to_string(),
            dtype: T::DTYPE.as_str(),
            max_abs: 0.0,
            worst_ratio: if same { 0.0 } else { f64::INFINITY },
            ok: same,
            error: None,
        });
    }

    /// Runs one group of ops; an error becomes a failed row naming the group.
    fn group(&mut self, name: &str, f: impl FnOnce(&mut Self) -> Result<()>) {
        if let Err(e) = f(self) {
            self.rows.push(ParityRow {
                op: name.to_string(),
                dtype: T::DTYPE.as_str(),
                max_abs: f64::INFINITY,
                worst_ratio: f64::INFINITY,
                ok: false,
                error: Some(e.to_string()),
            });
        }
    }

    fn run(&mut self) {
        // Matrix products: the chapter's shapes and the wide MLP's, every transpose.
        // The last shape is odd-sized in every dimension and large enough for the blocked CPU kernel.
        self.group("matmul", |c| {
            for &(m, k, n) in &[(30, 2, 10), (30, 10, 3), (97, 130, 67)] {
                for (ta, tb) in [(false, false), (true, false), (false, true)] {
                    let a = c.randn(if ta { k } else { m }, if ta { m } else { k }, 1.0);
                    let b = c.randn(if tb { n } else { k }, if tb { k } else { n }, 1.0);
                    let ((ac, ad), (bc, bd)) = (c.pair(&a)?, c.pair(&b)?);
                    let (mut oc, mut od) = (Tensor::empty(), Tensor::empty());
                    ops::matmul(&ac, ta, &bc, tb, &mut oc)?;
                    ops::matmul(&ad, ta, &bd, tb, &mut od)?;
                    c.compare(&format!("matmul {m}x{k}x{n} ta={ta} tb={tb}"), &oc, &od)?;
                }
            }
            Ok(())
        });
        self.group("bias and sigmoid", |c| {
            let x = c.randn(30, 10, 2.0);
            let bias = c.randn(1, 10, 1.0);
            let ((x0c, x0d), (bc, bd)) = (c.pair(&x)?, c.pair(&bias)?);
            let (mut fc, mut fd) = (Tensor::empty(), Tensor::empty());
            ops::add_row_sigmoid(&x0c, &bc, &mut fc)?;
            ops::add_row_sigmoid(&x0d, &bd, &mut fd)?;
            c.compare("add_row_sigmoid 30x10", &fc, &fd)?;
            let (mut xc, mut xd) = (x0c, x0d);
            ops::add_row(&mut xc, &bc)?;
            ops::add_row(&mut xd, &bd)?;
            c.compare("add_row 30x10", &xc, &xd)?;
            let (mut yc, mut yd) = (Tensor::empty(), Tensor::empty());
            ops::sigmoid(&xc, &mut yc)?;
            ops::sigmoid(&xd, &mut yd)?;
            c.compare("sigmoid 30x10", &yc, &yd)?;
            let g = c.randn(30, 10, 1.0);
            let (gc, gd) = c.pair(&g)?;
            let (mut dc, mut dd) = (Tensor::empty(), Tensor::empty());
            ops::sigmoid_backward(&gc, &yc, &mut dc)?;
            ops::sigmoid_backward(&gd, &yd, &mut dd)?;
            c.compare("sigmoid_backward 30x10", &dc, &dd)
        });
        self.group("softmax and loss", |c| {
            let s = c.randn(30, 3, 2.0);
            let (sc, sd) = c.pair(&s)?;
            let (mut pc, mut pd) = (Tensor::empty(), Tensor::empty());
            let (mut dc, mut dd) = (Tensor::empty(), Tensor::empty());
            ops::softmax(&sc, &mut pc)?;
            ops::softmax(&sd, &mut pd)?;
            c.compare("softmax 30x3", &pc, &pd)?;
            let g3 = c.randn(30, 3, 1.0);
            let (g3c, g3d) = c.pair(&g3)?;
            ops::softmax_backward(&pc, &g3c, &mut dc)?;
            ops::softmax_backward(&pd, &g3d, &mut dd)?;
            c.compare("softmax_backward 30x3", &dc, &dd)?;
            let labels: Vec<usize> = (0..30).map(|i| (i * 7) % 3).collect();
            let t = Labels::from_indices(&labels, 3)?;
            let lc = ops::softmax_cross_entropy(&sc, &t, &mut pc)?;
            let ld = ops::softmax_cross_entropy(&sd, &t, &mut pd)?;
            c.scalar("softmax_cross_entropy loss", lc, ld);
            c.compare("softmax_cross_entropy probabilities", &pc, &pd)?;
            ops::softmax_cross_entropy_backward(&pc, &t, T::from_f64(0.5), &mut dc)?;
            ops::softmax_cross_entropy_backward(&pd, &t, T::from_f64(0.5), &mut dd)?;
            c.compare("softmax_cross_entropy_backward dout=0.5", &dc, &dd)?;
            let lc = ops::softmax_cross_entropy_with_grad(&sc, &t, &mut pc, &mut dc)?;
            let ld = ops::softmax_cross_entropy_with_grad(&sd, &t, &mut pd, &mut dd)?;
            c.scalar("softmax_cross_entropy_with_grad loss", lc, ld);
            c.compare("softmax_cross_entropy_with_grad probabilities", &pc, &pd)?;
            c.compare("softmax_cross_entropy_with_grad gradient", &dc, &dd)?;
            let (mut ac, mut ad) = (Vec::new(), Vec::new());
            ops::argmax_rows(&sc, &mut ac)?;
            ops::argmax_rows(&sd, &mut ad)?;
            c.compare_classes("argmax_rows", &ac, &ad);
            Ok(())
        });
        self.group("reductions", |c| {
            let x = c.randn(30, 10, 2.0);
            let bias = c.randn(1, 10, 1.0);
            let ((mut xc, mut xd), (bc, bd)) = (c.pair(&x)?, c.pair(&bias)?);
            let (mut dc, mut dd) = (Tensor::empty(), Tensor::empty());
            ops::sum_rows(&xc, &mut dc)?;
            ops::sum_rows(&xd, &mut dd)?;
            c.compare("sum_rows 30x10", &dc, &dd)?;
            ops::repeat_rows(&bc, 7, &mut dc)?;
            ops::repeat_rows(&bd, 7, &mut dd)?;
            c.compare("repeat_rows 7x10", &dc, &dd)?;
            let idx: Vec<usize> = (0..30).rev().step_by(3).collect();
            ops::gather_rows(&xc, &idx, &mut dc)?;
            ops::gather_rows(&xd, &idx, &mut dd)?;
            c.compare("gather_rows", &dc, &dd)?;
            let (qc, qd) = (ops::sum_squares(&xc)?, ops::sum_squares(&xd)?);
            c.scalar("sum_squares", qc, qd);
            ops::scale(&mut xc, T::from_f64(0.37))?;
            ops::scale(&mut xd, T::from_f64(0.37))?;
            c.compare("scale", &xc, &xd)?;
            let fc = ops::all_finite(&xc)?;
            let fd = ops::all_finite(&xd)?;
            let mut nan = x.clone();
            nan[[3, 4]] = f64::NAN;
            let (nc, nd) = c.pair(&nan)?;
            let same = fc && fd && !ops::all_finite(&nc)? && !ops::all_finite(&nd)?;
            c.same("all_finite", same);
            Ok(())
        });
        self.group("classify_two_layer", |c| {
            // The fused class prediction of the decision boundary.
            let pts = c.randn(4096, 2, 1.0);
            let w = [
                c.randn(2, 10, 3.0),
                c.randn(1, 10, 1.0),
                c.randn(10, 3, 3.0),
                c.randn(1, 3, 1.0),
            ];
            let (pc, pd) = c.pair(&pts)?;
            let mut wc = Vec::new();
            let mut wd = Vec::new();
            for a in &w {
                let (x, y) = c.pair(a)?;
                wc.push(x);
                wd.push(y);
            }
            let (mut ac, mut ad) = (Vec::new(), Vec::new());
            ops::classify_two_layer(&pc, &wc[0], &wc[1], &wc[2], &wc[3], &mut ac)?;
            ops::classify_two_layer(&pd, &wd[0], &wd[1], &wd[2], &wd[3], &mut ad)?;
            c.compare_classes("classify_two_layer 4096 points", &ac, &ad);
            Ok(())
        });
        // Optimizer updates, two steps each (state carried over): one param, then a whole model's
        // params in one call.
        for rule in RULES {
            self.group(&format!("{} update", rule.kind().as_str()), |c| {
                let p = c.randn(10, 3, 1.0);
                let g = c.randn(10, 3, 0.3);
                let z = Array2::zeros((10, 3));
                let ((mut pc, mut pd), (gc, gd)) = (c.pair(&p)?, c.pair(&g)?);
                let ((mut s1c, mut s1d), (mut s2c, mut s2d)) = (c.pair(&z)?, c.pair(&z)?);
                for step in 1..=2 {
                    let r = rule.at_step(step);
                    let mut sc: Vec<&mut Tensor<T>> = vec![&mut s1c, &mut s2c];
                    let mut sd: Vec<&mut Tensor<T>> = vec![&mut s1d, &mut s2d];
                    sc.truncate(r.state_slots());
                    sd.truncate(r.state_slots());
                    ops::update::update(r, &mut pc, &mut sc, &gc)?;
                    ops::update::update(r, &mut pd, &mut sd, &gd)?;
                }
                c.compare(
                    &format!("{} update, 2 steps", rule.kind().as_str()),
                    &pc,
                    &pd,
                )
            });
            self.group(&format!("{} update_params", rule.kind().as_str()), |c| {
                let shapes = [(2, 10), (1, 10), (10, 3), (1, 3)];
                let mut cpu = ParamSet::default();
                let mut dev = ParamSet::default();
                let mut state_c: [Vec<Tensor<T>>; 2] = Default::default();
                let mut state_d: [Vec<Tensor<T>>; 2] = Default::default();
                for &(r, k) in &shapes {
                    let (pc, pd) = c.random_pair(r, k, 1.0)?;
                    let (gc, gd) = c.random_pair(r, k, 0.3)?;
                    cpu.push(pc, gc);
                    dev.push(pd, gd);
                    for k2 in 0..2 {
                        let (zc, zd) = c.pair(&Array2::zeros((r, k)))?;
                        state_c[k2].push(zc);
                        state_d[k2].push(zd);
                    }
                }
                for step in 1..=2 {
                    let r = rule.at_step(step);
                    let n = r.state_slots();
                    let [a, b] = &mut state_c;
                    let mut sc: [&mut [Tensor<T>]; 2] = [a, b];
                    ops::update::update_params(r, &mut cpu, &mut sc[..n])?;
                    let [a, b] = &mut state_d;
                    let mut sd: [&mut [Tensor<T>]; 2] = [a, b];
                    ops::update::update_params(r, &mut dev, &mut sd[..n])?;
                }
                for (i, (a, b)) in cpu.values.iter().zip(&dev.values).enumerate() {
                    let op = format!("{} update_params, param {i}, 2 steps", rule.kind().as_str());
                    c.compare(&op, a, b)?;
                }
                Ok(())
            });
        }
        self.group("grads", |c| {
            let mut cpu = ParamSet::default();
            let mut dev = ParamSet::default();
            for &(r, k) in &[(2, 10), (1, 10), (10, 3), (1, 3)] {
                let (pc, pd) = c.random_pair(r, k, 1.0)?;
                let (gc, gd) = c.random_pair(r, k, 2.0)?;
                cpu.push(pc, gc);
                dev.push(pd, gd);
            }
            let (qc, qd) = (
                ops::grads::norm_squared(&mut cpu)?,
                ops::grads::norm_squared(&mut dev)?,
            );
            c.scalar("grads::norm_squared", qc, qd);
            ops::grads::scale_all(&mut cpu, T::from_f64(0.37))?;
            ops::grads::scale_all(&mut dev, T::from_f64(0.37))?;
            for (i, (a, b)) in cpu.grads.iter().zip(&dev.grads).enumerate() {
                c.compare(&format!("grads::scale_all, grad {i}"), a, b)?;
            }
            let finite = ops::grads::first_non_finite(&mut cpu)?.is_none()
                && ops::grads::first_non_finite(&mut dev)?.is_none();
            let mut bad = c.randn(10, 3, 1.0);
            bad[[9, 2]] = f64::INFINITY;
            let (bc, bd) = c.pair(&bad)?;
            cpu.grads[2] = bc;
            dev.grads[2] = bd;
            let found = ops::grads::first_non_finite(&mut cpu)? == Some(NAMES[2])
                && ops::grads::first_non_finite(&mut dev)? == Some(NAMES[2]);
            c.same("grads::first_non_finite", finite && found);
            Ok(())
        });
    }
}

/// Runs every op on `device` and on the CPU, for f64 and f32, and returns one row per comparison
/// (an op that fails on the device is a failed row with its error). Fails only when the device
/// cannot be used at all.
pub fn check_device(device: Device) -> Result<Vec<ParityRow>> {
    device.ensure_available()?;
    let mut rows = Vec::new();
    Checker::<f64> {
        device,
        rows: &mut rows,
        rng: BookRng::new(42),
        _t: std::marker::PhantomData,
    }
    .run();
    Checker::<f32> {
        device,
        rows: &mut rows,
        rng: BookRng::new(42),
        _t: std::marker::PhantomData,
    }
    .run();
    Ok(rows)
}

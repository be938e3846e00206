//! The elementwise and reduction kernels.

use super::harness::*;

fn elementwise<T: Element>(k: &Kernels) {
    let mut rng = BookRng::new(8);
    let (rows, cols) = (30, 10);
    let n = (rows * cols) as i64;
    let (r, c) = (rows as i32, cols as i32);
    let (xt, x) = random::<T>(&mut rng, rows, cols, 3.0);
    let (bt, b) = random::<T>(&mut rng, 1, cols, 1.0);
    let (gt, g) = random::<T>(&mut rng, rows, cols, 1.0);
    let (xa, ba, ga) = (
        Addr(x.as_ptr() as usize),
        Addr(b.as_ptr() as usize),
        Addr(g.as_ptr() as usize),
    );

    let mut y = vec![T::ZERO; rows * cols];
    let ya = addr(&mut y);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let sigmoid: extern "C" fn(*const T, *mut T, i64) = unsafe { k.sym(&name::<T>("sigmoid")) };
    k.run(GRID, BLOCK, || sigmoid(xa.p(), ya.p(), n));
    let mut ye = Tensor::empty();
    ops::sigmoid(&xt, &mut ye).unwrap();
    assert_close("sigmoid", &host(&ye), &y);

    let mut dx = vec![T::ZERO; rows * cols];
    let da = addr(&mut dx);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let back: extern "C" fn(*const T, *const T, *mut T, i64) =
        unsafe { k.sym(&name::<T>("sigmoid_backward")) };
    k.run(GRID, BLOCK, || back(ga.p(), ya.p(), da.p(), n));
    let mut de = Tensor::empty();
    ops::sigmoid_backward(&gt, &ye, &mut de).unwrap();
    assert_close("sigmoid_backward", &host(&de), &dx);

    let mut h = x.clone();
    let ha = addr(&mut h);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let add_row: extern "C" fn(*mut T, *const T, i32, i32) =
        unsafe { k.sym(&name::<T>("add_row")) };
    k.run(GRID, BLOCK, || add_row(ha.p(), ba.p(), r, c));
    let mut he = xt.try_clone().unwrap();
    ops::add_row(&mut he, &bt).unwrap();
    assert_close("add_row", &host(&he), &h);

    let mut rep = vec![T::ZERO; 7 * cols];
    let ra = addr(&mut rep);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let repeat: extern "C" fn(*const T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("repeat_rows")) };
    k.run(GRID, BLOCK, || repeat(ba.p(), ra.p(), 7, c));
    let mut re = Tensor::empty();
    ops::repeat_rows(&bt, 7, &mut re).unwrap();
    assert_close("repeat_rows", &host(&re), &rep);

    let mut sum = [T::ZERO];
    let sa = addr(&mut sum);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let sum_squares: extern "C" fn(*const T, *mut T, i64) =
        unsafe { k.sym(&name::<T>("sum_squares")) };
    // One block, as the backend launches it.
    k.run(1, BLOCK, || sum_squares(xa.p(), sa.p(), n));
    assert_close("sum_squares", &[ops::sum_squares(&xt).unwrap()], &sum);

    let mut scaled = x.clone();
    let sca = addr(&mut scaled);
    let s = T::from_f64(0.37);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let scale: extern "C" fn(*mut T, T, i64) = unsafe { k.sym(&name::<T>("scale")) };
    k.run(GRID, BLOCK, || scale(sca.p(), s, n));
    let mut se = xt.try_clone().unwrap();
    ops::scale(&mut se, s).unwrap();
    assert_close("scale", &host(&se), &scaled);

    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let finite: extern "C" fn(*const T, *mut i32, i64) = unsafe { k.sym(&name::<T>("all_finite")) };
    let mut flag = [0i32];
    let fa = addr(&mut flag);
    k.run(GRID, BLOCK, || finite(xa.p(), fa.p(), n));
    assert_eq!(flag, [0]);
    let mut bad = x.clone();
    bad[217] = T::from_f64(f64::NEG_INFINITY);
    let bada = addr(&mut bad);
    k.run(GRID, BLOCK, || finite(bada.p(), fa.p(), n));
    assert_eq!(flag, [1]);
}

#[test]
#[cfg_attr(
    not(dlfs2_cxx),
    ignore = "no C++ compiler ($CXX or c++) when tensor was built: kernels.cu cannot run on the CPU"
)]
fn elementwise_and_reduction_kernels() {
    let k = kernels();
    elementwise::<f64>(k);
    elementwise::<f32>(k);
}

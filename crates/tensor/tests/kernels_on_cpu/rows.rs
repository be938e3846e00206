//! The row-wise kernels: softmax, its backward, column sums, row gathers, argmax.

use super::harness::*;

fn row_kernels<T: Element>(k: &Kernels) {
    let mut rng = BookRng::new(5);
    let (rows, cols) = (70, 3);
    let (xt, x) = random::<T>(&mut rng, rows, cols, 2.0);
    let (gt, g) = random::<T>(&mut rng, rows, cols, 1.0);
    let xa = Addr(x.as_ptr() as usize);
    let ga = Addr(g.as_ptr() as usize);
    let (r, c) = (rows as i32, cols as i32);

    // softmax, then its backward from the kernel's own output
    let mut y = vec![T::ZERO; rows * cols];
    let ya = addr(&mut y);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let softmax: extern "C" fn(*const T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("softmax")) };
    k.run(GRID, BLOCK, || softmax(xa.p(), ya.p(), r, c));
    let mut ye = Tensor::empty();
    ops::softmax(&xt, &mut ye).unwrap();
    assert_close("softmax", &host(&ye), &y);
    let mut dx = vec![T::ZERO; rows * cols];
    let da = addr(&mut dx);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let back: extern "C" fn(*const T, *const T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("softmax_backward")) };
    k.run(GRID, BLOCK, || back(ya.p(), ga.p(), da.p(), r, c));
    let mut de = Tensor::empty();
    ops::softmax_backward(&ye, &gt, &mut de).unwrap();
    assert_close("softmax_backward", &host(&de), &dx);

    // the loss gradient for another dout
    let labels: Vec<usize> = (0..rows).map(|i| (i * 2) % cols).collect();
    let t = Labels::from_indices(&labels, cols).unwrap();
    let ta = Addr(t.indices().as_ptr() as usize);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let ce_back: extern "C" fn(*const T, *const u32, T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("softmax_cross_entropy_backward")) };
    let dout = T::from_f64(0.5);
    k.run(GRID, BLOCK, || ce_back(ya.p(), ta.p(), dout, da.p(), r, c));
    ops::softmax_cross_entropy_backward(&ye, &t, dout, &mut de).unwrap();
    assert_close("softmax_cross_entropy_backward", &host(&de), &dx);

    // column sums, argmax, gathered rows
    let mut sums = vec![T::ZERO; cols];
    let sa = addr(&mut sums);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let sum_rows: extern "C" fn(*const T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("sum_rows")) };
    k.run(GRID, BLOCK, || sum_rows(xa.p(), sa.p(), r, c));
    let mut se = Tensor::empty();
    ops::sum_rows(&xt, &mut se).unwrap();
    assert_close("sum_rows", &host(&se), &sums);
    let mut best = vec![0u32; rows];
    let ba = addr(&mut best);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let argmax: extern "C" fn(*const T, *mut u32, i32, i32) =
        unsafe { k.sym(&name::<T>("argmax_rows")) };
    k.run(GRID, BLOCK, || argmax(xa.p(), ba.p(), r, c));
    let mut be = Vec::new();
    ops::argmax_rows(&xt, &mut be).unwrap();
    assert_eq!(best.iter().map(|&v| v as usize).collect::<Vec<_>>(), be);
    let idx: Vec<u32> = (0..rows as u32).rev().step_by(4).collect();
    let ia = Addr(idx.as_ptr() as usize);
    let mut gathered = vec![T::ZERO; idx.len() * cols];
    let gta = addr(&mut gathered);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let gather: extern "C" fn(*const T, *const u32, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("gather_rows")) };
    k.run(GRID, BLOCK, || {
        gather(xa.p(), ia.p(), gta.p(), idx.len() as i32, c)
    });
    let mut gte = Tensor::empty();
    let idx_usize: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
    ops::gather_rows(&xt, &idx_usize, &mut gte).unwrap();
    assert_close("gather_rows", &host(&gte), &gathered);
}

#[test]
#[cfg_attr(
    not(dlfs2_cxx),
    ignore = "no C++ compiler ($CXX or c++) when tensor was built: kernels.cu cannot run on the CPU"
)]
fn row_wise_kernels() {
    let k = kernels();
    row_kernels::<f64>(k);
    row_kernels::<f32>(k);
}

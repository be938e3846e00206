//! Softmax with cross-entropy, with and without its gradient.

use super::harness::*;

fn softmax_loss<T: Element>(k: &Kernels) {
    type F<T> = extern "C" fn(*const T, *const u32, *mut T, *mut T, *mut T, *mut T, i32, i32);
    let mut rng = BookRng::new(2);
    let (rows, cols) = (100, 3);
    let (xt, x) = random::<T>(&mut rng, rows, cols, 3.0);
    let labels: Vec<usize> = (0..rows).map(|i| (i * 7) % cols).collect();
    let t = Labels::from_indices(&labels, cols).unwrap();
    let mut y = vec![T::ZERO; rows * cols];
    let mut dx = vec![T::ZERO; rows * cols];
    let mut row_loss = vec![T::ZERO; rows];
    let mut loss = [T::ZERO];
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let f: F<T> = unsafe { k.sym(&name::<T>("softmax_cross_entropy")) };
    let (xa, ta) = (
        Addr(x.as_ptr() as usize),
        Addr(t.indices().as_ptr() as usize),
    );
    let (ya, da, ra, la) = (
        addr(&mut y),
        addr(&mut dx),
        addr(&mut row_loss),
        addr(&mut loss),
    );
    // One block, as the backend launches it.
    k.run(1, BLOCK, || {
        f(
            xa.p(),
            ta.p(),
            ya.p(),
            da.p(),
            ra.p(),
            la.p(),
            rows as i32,
            cols as i32,
        )
    });
    let (mut ye, mut de) = (Tensor::empty(), Tensor::empty());
    let expected = ops::softmax_cross_entropy_with_grad(&xt, &t, &mut ye, &mut de).unwrap();
    assert_close("softmax_cross_entropy loss", &[expected], &loss);
    assert_close("softmax_cross_entropy y", &host(&ye), &y);
    assert_close("softmax_cross_entropy dx", &host(&de), &dx);
    // Without dx (a null pointer) the kernel leaves the old gradient alone.
    dx.fill(T::ONE);
    loss[0] = T::ZERO;
    k.run(1, BLOCK, || {
        f(
            xa.p(),
            ta.p(),
            ya.p(),
            std::ptr::null_mut(),
            ra.p(),
            la.p(),
            rows as i32,
            cols as i32,
        )
    });
    assert_close("softmax_cross_entropy loss, no dx", &[expected], &loss);
    assert!(dx.iter().all(|&v| v == T::ONE));
}

#[test]
#[cfg_attr(
    not(dlfs2_cxx),
    ignore = "no C++ compiler ($CXX or c++) when tensor was built: kernels.cu cannot run on the CPU"
)]
fn softmax_cross_entropy_kernel_with_and_without_the_gradient() {
    let k = kernels();
    softmax_loss::<f64>(k);
    softmax_loss::<f32>(k);
}

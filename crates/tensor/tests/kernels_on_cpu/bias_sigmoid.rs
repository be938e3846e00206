//! The bias add fused into the sigmoid.

use super::harness::*;

fn bias_sigmoid<T: Element>(k: &Kernels) {
    type F<T> = extern "C" fn(*const T, *const T, *mut T, i32, i32);
    let mut rng = BookRng::new(1);
    let ((xt, x), (bt, b)) = (
        random::<T>(&mut rng, 30, 10, 3.0),
        random::<T>(&mut rng, 1, 10, 1.0),
    );
    let mut out = vec![T::ZERO; 300];
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let f: F<T> = unsafe { k.sym(&name::<T>("add_row_sigmoid")) };
    let (xa, ba, oa) = (
        Addr(x.as_ptr() as usize),
        Addr(b.as_ptr() as usize),
        addr(&mut out),
    );
    k.run(GRID, BLOCK, || f(xa.p(), ba.p(), oa.p(), 30, 10));
    let mut expected = Tensor::empty();
    ops::add_row_sigmoid(&xt, &bt, &mut expected).unwrap();
    assert_close("add_row_sigmoid", &host(&expected), &out);
}

#[test]
#[cfg_attr(
    not(dlfs2_cxx),
    ignore = "no C++ compiler ($CXX or c++) when tensor was built: kernels.cu cannot run on the CPU"
)]
fn bias_add_and_sigmoid_kernel() {
    let k = kernels();
    bias_sigmoid::<f64>(k);
    bias_sigmoid::<f32>(k);
}

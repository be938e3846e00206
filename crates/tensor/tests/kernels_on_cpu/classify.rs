//! The fused class prediction.

use super::harness::*;

fn classify<T: Element>(k: &Kernels) {
    let mut rng = BookRng::new(6);
    let n = 500;
    let (pt, p) = random::<T>(&mut rng, n, 2, 1.0);
    let w: Vec<(Tensor<T>, Vec<T>)> = [(2, 10, 3.0), (1, 10, 1.0), (10, 3, 3.0), (1, 3, 1.0)]
        .iter()
        .map(|&(r, c, s)| random::<T>(&mut rng, r, c, s))
        .collect();
    let a = |v: &Vec<T>| Addr(v.as_ptr() as usize);
    let (pa, w1, b1, w2, b2) = (a(&p), a(&w[0].1), a(&w[1].1), a(&w[2].1), a(&w[3].1));
    let mut out = vec![0u32; n];
    let oa = addr(&mut out);
    type F<T> = extern "C" fn(
        *const T,
        *const T,
        *const T,
        *const T,
        *const T,
        *mut u32,
        i32,
        i32,
        i32,
        i32,
    );
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let f: F<T> = unsafe { k.sym(&name::<T>("classify_two_layer")) };
    k.run(GRID, BLOCK, || {
        f(
            pa.p(),
            w1.p(),
            b1.p(),
            w2.p(),
            b2.p(),
            oa.p(),
            n as i32,
            2,
            10,
            3,
        )
    });
    let mut expected = Vec::new();
    ops::classify_two_layer(&pt, &w[0].0, &w[1].0, &w[2].0, &w[3].0, &mut expected).unwrap();
    let differ = out
        .iter()
        .zip(&expected)
        .filter(|(a, b)| **a as usize != **b)
        .count();
    assert!(
        differ <= 1,
        "{} classify_two_layer: {differ} of {n} differ",
        T::DTYPE.as_str()
    );
}

#[test]
#[cfg_attr(
    not(dlfs2_cxx),
    ignore = "no C++ compiler ($CXX or c++) when tensor was built: kernels.cu cannot run on the CPU"
)]
fn class_prediction_kernel() {
    let k = kernels();
    classify::<f64>(k);
    classify::<f32>(k);
}

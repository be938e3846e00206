//! The whole-model gradient kernels over a table of tensors.

use super::harness::*;

fn grads_ops<T: Element>(k: &Kernels) {
    let mut rng = BookRng::new(3);
    let mut set = Set::<T>::new(&mut rng, 2.0);
    set.values[2][7] = T::from_f64(f64::NAN);
    let count = SHAPES.len() as i32;
    let tab = table::<T>([Some(&mut set.values), None, None, None]);
    let ta = Addr(tab.as_ptr() as usize);

    let mut flags = vec![0i32; SHAPES.len()];
    let fa = addr(&mut flags);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let finite: extern "C" fn(*const u64, i32, *mut i32) =
        unsafe { k.sym(&name::<T>("all_finite_multi")) };
    k.run(GRID, BLOCK, || finite(ta.p(), count, fa.p()));
    assert_eq!(flags, [0, 0, 1, 0, 0]);

    set.values[2][7] = T::ONE;
    let mut sums = vec![T::ZERO; SHAPES.len()];
    let sa = addr(&mut sums);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let sum: extern "C" fn(*const u64, i32, *mut T) =
        unsafe { k.sym(&name::<T>("sum_squares_multi")) };
    // One block per tensor, as the backend launches it.
    k.run(count as u32, BLOCK, || sum(ta.p(), count, sa.p()));
    let expected: Vec<T> = set
        .values
        .iter()
        .map(|v| {
            let t = Array2::from_shape_fn((1, v.len()), |(_, i)| v[i].to_f64());
            ops::sum_squares(&Tensor::<T>::from_f64(t.view(), Device::Cpu).unwrap()).unwrap()
        })
        .collect();
    assert_close("sum_squares_multi", &expected, &sums);

    let before = set.values.clone();
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let scale: extern "C" fn(*const u64, i32, T) = unsafe { k.sym(&name::<T>("scale_multi")) };
    let s = T::from_f64(0.37);
    k.run(GRID, BLOCK, || scale(ta.p(), count, s));
    for (a, b) in set.values.iter().zip(&before) {
        let expected: Vec<T> = b.iter().map(|&v| v * s).collect();
        assert_close("scale_multi", &expected, a);
    }
}

#[test]
#[cfg_attr(
    not(dlfs2_cxx),
    ignore = "no C++ compiler ($CXX or c++) when tensor was built: kernels.cu cannot run on the CPU"
)]
fn whole_model_gradient_kernels() {
    let k = kernels();
    grads_ops::<f64>(k);
    grads_ops::<f32>(k);
}

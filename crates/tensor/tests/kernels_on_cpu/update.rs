//! The optimizer kernels: over a table of params, and over one param.

use super::harness::*;

fn optimizer_updates<T: Element>(k: &Kernels) {
    for rule in RULES {
        let mut rng = BookRng::new(4);
        let mut p = Set::<T>::new(&mut rng, 1.0);
        let mut g = Set::<T>::new(&mut rng, 0.5);
        let (mut s1, mut s2) = (Set::<T>::zeros(), Set::<T>::zeros());
        let (mut cpu_p, mut cpu_s1, mut cpu_s2) = (p.copies(), s1.copies(), s2.copies());
        let slots = rule.state_slots();
        for _ in 0..2 {
            let tab = table::<T>([
                Some(&mut p.values),
                (slots >= 1).then_some(&mut s1.values),
                (slots >= 2).then_some(&mut s2.values),
                Some(&mut g.values),
            ]);
            run_multi::<T>(k, rule, &tab, SHAPES.len() as i32);
            for i in 0..SHAPES.len() {
                let mut state: Vec<&mut Tensor<T>> = vec![&mut cpu_s1[i], &mut cpu_s2[i]];
                state.truncate(slots);
                ops::update::update(rule, &mut cpu_p[i], &mut state, &g.tensors[i]).unwrap();
            }
        }
        for i in 0..SHAPES.len() {
            assert_close(
                &format!("{rule:?} param {i}"),
                &host(&cpu_p[i]),
                &p.values[i],
            );
            assert_close(
                &format!("{rule:?} state {i}"),
                &host(&cpu_s1[i]),
                &s1.values[i],
            );
        }
    }
}

#[test]
#[cfg_attr(
    not(dlfs2_cxx),
    ignore = "no C++ compiler ($CXX or c++) when tensor was built: kernels.cu cannot run on the CPU"
)]
fn optimizer_kernels_over_a_table_of_params() {
    let k = kernels();
    optimizer_updates::<f64>(k);
    optimizer_updates::<f32>(k);
}

fn single_param_updates<T: Element>(k: &Kernels) {
    for rule in RULES {
        let mut rng = BookRng::new(7);
        let (mut pt, mut p) = random::<T>(&mut rng, 40, 25, 1.0);
        let (gt, g) = random::<T>(&mut rng, 40, 25, 0.5);
        let (mut s1, mut s2) = (vec![T::ZERO; 1000], vec![T::ZERO; 1000]);
        let zeros = || Tensor::<T>::zeros(40, 25, Device::Cpu).unwrap();
        let (mut s1t, mut s2t) = (zeros(), zeros());
        let (pa, s1a, s2a) = (addr(&mut p), addr(&mut s1), addr(&mut s2));
        let ga = Addr(g.as_ptr() as usize);
        let kernel = name::<T>(rule.kind().as_str());
        let ([a, b, c, d], count) = rule.scalars::<T>();
        let n = 1000i64;
        // SAFETY: (all four) `<rule>` takes (p, s1, s2, g, scalars..., n) with the rule's count.
        unsafe {
            type P<T> = *mut T;
            match count {
                1 => {
                    let f: extern "C" fn(P<T>, P<T>, P<T>, *const T, T, i64) = k.sym(&kernel);
                    k.run(GRID, BLOCK, || f(pa.p(), s1a.p(), s2a.p(), ga.p(), a, n));
                }
                2 => {
                    let f: extern "C" fn(P<T>, P<T>, P<T>, *const T, T, T, i64) = k.sym(&kernel);
                    k.run(GRID, BLOCK, || f(pa.p(), s1a.p(), s2a.p(), ga.p(), a, b, n));
                }
                3 => {
                    let f: extern "C" fn(P<T>, P<T>, P<T>, *const T, T, T, T, i64) = k.sym(&kernel);
                    k.run(GRID, BLOCK, || {
                        f(pa.p(), s1a.p(), s2a.p(), ga.p(), a, b, c, n)
                    });
                }
                _ => {
                    let f: extern "C" fn(P<T>, P<T>, P<T>, *const T, T, T, T, T, i64) =
                        k.sym(&kernel);
                    k.run(GRID, BLOCK, || {
                        f(pa.p(), s1a.p(), s2a.p(), ga.p(), a, b, c, d, n)
                    });
                }
            }
        }
        let mut state: Vec<&mut Tensor<T>> = vec![&mut s1t, &mut s2t];
        state.truncate(rule.state_slots());
        ops::update::update(rule, &mut pt, &mut state, &gt).unwrap();
        assert_close(&format!("{rule:?} one param"), &host(&pt), &p);
    }
}

#[test]
#[cfg_attr(
    not(dlfs2_cxx),
    ignore = "no C++ compiler ($CXX or c++) when tensor was built: kernels.cu cannot run on the CPU"
)]
fn optimizer_kernels_over_one_param() {
    let k = kernels();
    single_param_updates::<f64>(k);
    single_param_updates::<f32>(k);
}

//! The CPU kernels against their naive references, and the op layer's shape checks.

use ndarray::Array2;
use tensor::kernels::gemm::{Kernel, gemm_with};
use tensor::kernels::matmul::{MatRef, matmul, matmul_naive, matmul_reference};
use tensor::kernels::reduce::pairwise_sum;
use tensor::random::{BookRng, RandomSource, StdRandom};
use tensor::{Device, Labels, Tensor, TensorError, ops};
use testkit::assert_close;

#[test]
fn fast_matmul_equals_the_naive_triple_loop_for_every_transpose() {
    let mut rng = BookRng::new(3);
    for &(m, k, n) in &[(1, 1, 1), (5, 2, 4), (30, 10, 3), (7, 33, 65), (64, 17, 9)] {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = rng.randn_matrix(if ta { k } else { m }, if ta { m } else { k });
            let b = rng.randn_matrix(if tb { n } else { k }, if tb { k } else { n });
            let ar = MatRef::new(a.as_slice().unwrap(), a.nrows(), a.ncols(), ta);
            let br = MatRef::new(b.as_slice().unwrap(), b.nrows(), b.ncols(), tb);
            let mut fast = vec![0.0; m * n];
            let mut naive = vec![0.0; m * n];
            let mut exact = vec![0.0; m * n];
            matmul(ar, br, &mut fast);
            matmul_naive(ar, br, &mut naive);
            matmul_reference(ar, br, &mut exact);
            assert_eq!(fast, exact, "{m}x{k}x{n} {ta} {tb}: the book's rounding");
            let f = Array2::from_shape_vec((m, n), fast).unwrap();
            let s = Array2::from_shape_vec((m, n), naive).unwrap();
            assert_close(
                &format!("{m}x{k}x{n} {ta} {tb}"),
                f.view(),
                s.view(),
                1e-12,
                1e-12,
            );
        }
    }
}

#[test]
fn blocked_threaded_matmul_is_bit_identical_to_the_reference_loop() {
    // Shapes above the blocked threshold, with ragged edges in every dimension and every transpose.
    let mut rng = BookRng::new(11);
    for &(m, k, n) in &[
        (97, 300, 133),
        (64, 257, 129),
        (5, 600, 70),
        (300, 33, 17),
        (130, 260, 150),
    ] {
        for (ta, tb) in [(false, false), (true, false), (false, true)] {
            let a = rng.randn_matrix(if ta { k } else { m }, if ta { m } else { k });
            let b = rng.randn_matrix(if tb { n } else { k }, if tb { k } else { n });
            let ar = MatRef::new(a.as_slice().unwrap(), a.nrows(), a.ncols(), ta);
            let br = MatRef::new(b.as_slice().unwrap(), b.nrows(), b.ncols(), tb);
            let mut fast = vec![0.0; m * n];
            let mut exact = vec![0.0; m * n];
            matmul(ar, br, &mut fast);
            matmul_reference(ar, br, &mut exact);
            assert!(
                fast.iter().zip(&exact).all(|(x, y)| x == y),
                "{m}x{k}x{n} {ta} {tb} differs"
            );
            let a32 = a.mapv(|v| v as f32);
            let b32 = b.mapv(|v| v as f32);
            let ar = MatRef::new(a32.as_slice().unwrap(), a.nrows(), a.ncols(), ta);
            let br = MatRef::new(b32.as_slice().unwrap(), b.nrows(), b.ncols(), tb);
            let mut fast = vec![0.0f32; m * n];
            let mut exact = vec![0.0f32; m * n];
            matmul(ar, br, &mut fast);
            matmul_reference(ar, br, &mut exact);
            assert!(
                fast.iter().zip(&exact).all(|(x, y)| x == y),
                "f32 {m}x{k}x{n} {ta} {tb} differs"
            );
        }
    }
}

/// `kernel` on `threads` threads gives the reference loop's bits for `a · b` (either read
/// transposed as `t` says).
fn bit_identical<T: tensor::kernels::CpuFloat + std::fmt::Debug>(
    kernel: Kernel,
    a: ndarray::ArrayView2<'_, T>,
    b: ndarray::ArrayView2<'_, T>,
    (ta, tb): (bool, bool),
    threads: usize,
) {
    let ar = MatRef::new(a.as_slice().unwrap(), a.nrows(), a.ncols(), ta);
    let br = MatRef::new(b.as_slice().unwrap(), b.nrows(), b.ncols(), tb);
    let (m, n) = (ar.rows(), br.cols());
    let mut fast = vec![T::from_f64(f64::NAN); m * n];
    let mut exact = vec![T::ZERO; m * n];
    gemm_with(kernel, ar, br, &mut fast, threads).unwrap();
    matmul_reference(ar, br, &mut exact);
    assert!(
        fast.iter()
            .zip(&exact)
            .all(|(x, y)| x.to_f64().to_bits() == y.to_f64().to_bits()),
        "{kernel:?} {} {m}x{}x{n} {ta} {tb} on {threads} threads differs",
        T::DTYPE.as_str(),
        ar.cols()
    );
}

/// A register tile (AVX2, AVX-512 wide, and AVX-512 narrow for n = 10) on shapes with ragged
/// edges in every dimension, every transpose, one and two threads: a tile that reorders a single
/// sum fails here.
fn gemm_kernel_is_bit_identical_to_the_reference_loop(kernel: Kernel) {
    assert!(
        kernel.available(),
        "this CPU lacks {kernel:?}'s instruction set"
    );
    let mut rng = BookRng::new(12);
    {
        // k on both sides of every panel boundary (f64's panel is 256, f32's 320; past two
        // panels the rest splits in halves): each panel's sum must be added into the output
        // exactly where numpy adds it.
        let mut shapes = vec![(97, 300, 133), (8, 129, 48), (300, 33, 10)];
        for k in [256, 257, 320, 321, 512, 513, 640, 641, 769, 1000] {
            shapes.push((17, k, 25));
        }
        for &(m, k, n) in &shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = rng.randn_matrix(if ta { k } else { m }, if ta { m } else { k });
                let b = rng.randn_matrix(if tb { n } else { k }, if tb { k } else { n });
                let check = |threads: usize| {
                    bit_identical::<f64>(kernel, a.view(), b.view(), (ta, tb), threads);
                    let (a32, b32) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
                    bit_identical::<f32>(kernel, a32.view(), b32.view(), (ta, tb), threads);
                };
                check(1);
                check(2);
            }
        }
    }
}

#[test]
#[cfg_attr(
    not(dlfs2_avx2_fma),
    ignore = "the CPU that built tensor has no AVX2 + FMA"
)]
fn the_avx2_gemm_kernel_is_bit_identical_to_the_reference_loop() {
    gemm_kernel_is_bit_identical_to_the_reference_loop(Kernel::Avx2);
}

#[test]
#[cfg_attr(
    not(dlfs2_avx512f),
    ignore = "the CPU that built tensor has no AVX-512F"
)]
fn the_avx512_gemm_kernels_are_bit_identical_to_the_reference_loop() {
    gemm_kernel_is_bit_identical_to_the_reference_loop(Kernel::Avx512);
}

#[test]
fn matmul_rounds_like_an_fma_chain() {
    // (1 + 2^-30)^2 - 1 = 2^-29 + 2^-60: a fused multiply-add keeps the 2^-60 term, separate
    // multiply and add lose it. The -1 comes first so that the square is the fused step.
    let a = 1.0 + 2f64.powi(-30);
    let x = Tensor::from_vec(1, 2, vec![-1.0, a], Device::Cpu).unwrap();
    let w = Tensor::from_vec(2, 1, vec![1.0, a], Device::Cpu).unwrap();
    let mut out = Tensor::empty();
    ops::matmul(&x, false, &w, false, &mut out).unwrap();
    assert_eq!(
        out.to_array().unwrap()[[0, 0]],
        2f64.powi(-29) + 2f64.powi(-60)
    );
}

#[test]
fn pairwise_sum_follows_numpy_blocks() {
    let v: Vec<f64> = (0..300).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let simple: f64 = v.iter().sum();
    let pw = pairwise_sum(v.len(), &|i| v[i]);
    assert!((pw - simple).abs() < 1e-13);
    // Below 8 values the order is plain left to right.
    let small = [1e16, 1.0, -1e16, 1.0];
    assert_eq!(pairwise_sum(4, &|i| small[i]), ((1e16 + 1.0) - 1e16) + 1.0);
    // From 8 on, eight partial sums: element 8 joins element 0 before anything else, so the 1.0
    // in element 1 survives (a left-to-right sum would lose it to 1e16).
    let mut v16 = [0.0; 16];
    v16[0] = 1e16;
    v16[8] = -1e16;
    v16[1] = 1.0;
    assert_eq!(pairwise_sum(16, &|i| v16[i]), 1.0);
    assert_eq!(v16.iter().fold(0.0, |acc, v| acc + v), 0.0);
}

#[test]
fn book_rng_matches_numpy_legacy_draws() {
    let mut rng = BookRng::new(1984);
    assert_eq!(rng.random_sample(), 0.00875572949604042);
    assert_eq!(rng.random_sample(), 0.2987455681607146);
    assert_eq!(rng.random_sample(), 0.0564140738326363);
    // random_interval stays in range and covers it.
    let mut seen = [false; 7];
    for _ in 0..500 {
        seen[rng.random_interval(6) as usize] = true;
    }
    assert!(seen.iter().all(|&s| s));
    assert_eq!(rng.random_interval(0), 0);
    assert!(rng.random_interval(u64::MAX / 3) <= u64::MAX / 3);
}

#[test]
fn book_rng_state_round_trips() {
    let mut rng = BookRng::new(5);
    rng.randn();
    rng.permutation(50);
    rng.randn(); // leaves a cached gauss value
    let state = rng.state();
    let mut copy = BookRng::from_state(state);
    for _ in 0..10 {
        assert_eq!(rng.randn(), copy.randn());
    }
    assert_eq!(rng.permutation(100), copy.permutation(100));
}

#[test]
fn std_random_is_seeded_and_permutes() {
    let mut a = StdRandom::new(9);
    let mut b = StdRandom::new(9);
    assert_eq!(a.randn(), b.randn());
    let mut p = a.permutation(100);
    p.sort_unstable();
    assert_eq!(p, (0..100).collect::<Vec<_>>());
}

#[test]
fn shape_mismatches_name_the_op_and_shapes() {
    let a = Tensor::<f64>::zeros(3, 2, Device::Cpu).unwrap();
    let b = Tensor::<f64>::zeros(3, 2, Device::Cpu).unwrap();
    let mut out = Tensor::empty();
    let e = ops::matmul(&a, false, &b, false, &mut out).unwrap_err();
    assert_eq!(
        e,
        TensorError::ShapeMismatch {
            op: "matmul",
            lhs: (3, 2),
            rhs: (3, 2)
        }
    );
    assert_eq!(e.to_string(), "shape mismatch in matmul: (3, 2) vs (3, 2)");
    let mut x = Tensor::<f64>::zeros(3, 2, Device::Cpu).unwrap();
    assert!(ops::add_row(&mut x, &Tensor::zeros(1, 3, Device::Cpu).unwrap()).is_err());
    assert!(ops::gather_rows(&a, &[0, 3], &mut out).is_err());
    assert!(ops::repeat_rows(&a, 2, &mut out).is_err());
    let mut p = Tensor::<f64>::zeros(2, 2, Device::Cpu).unwrap();
    assert!(ops::update::sgd(&mut p, &a, 0.1).is_err());
    assert_eq!(
        Tensor::<f64>::from_vec(2, 2, vec![1.0; 3], Device::Cpu).unwrap_err(),
        TensorError::BadLength {
            len: 3,
            rows: 2,
            cols: 2
        }
    );
}

#[test]
fn softmax_rows_sum_to_one_and_argmax_picks_the_first_largest() {
    let x = Tensor::from_vec(
        2,
        3,
        vec![1000.0f64, 1000.0, -5.0, -1.0, 2.0, 2.0],
        Device::Cpu,
    )
    .unwrap();
    let mut y = Tensor::empty();
    ops::softmax(&x, &mut y).unwrap();
    let y = y.to_array().unwrap();
    for r in y.rows() {
        assert!((r.sum() - 1.0).abs() < 1e-15);
    }
    let mut am = Vec::new();
    ops::argmax_rows(&x, &mut am).unwrap();
    assert_eq!(am, [0, 1]);
    let nan = Tensor::from_vec(1, 3, vec![1.0f64, f64::NAN, 5.0], Device::Cpu).unwrap();
    ops::argmax_rows(&nan, &mut am).unwrap();
    assert_eq!(am, [1]);
}

#[test]
fn devices_parse_and_cuda_is_a_typed_error_without_the_feature() {
    assert_eq!("cpu".parse::<Device>().unwrap(), Device::Cpu);
    assert_eq!("cuda:1".parse::<Device>().unwrap(), Device::Cuda(1));
    assert!("tpu".parse::<Device>().is_err());
    assert!(Device::Cpu.ensure_available().is_ok());
    if !Device::cuda_compiled() {
        let e = Device::Cuda(0).ensure_available().unwrap_err();
        assert!(e.to_string().contains("--features cuda"), "{e}");
    }
}

#[test]
fn labels_gather_and_one_hot_round_trip() {
    let t = Labels::from_indices(&[2, 0, 1, 1], 3).unwrap();
    let back = Labels::from_one_hot(t.to_one_hot().view()).unwrap();
    assert_eq!(back, t);
    let mut b = Labels::with_classes(3);
    b.gather(&t, &[3, 0]).unwrap();
    assert_eq!(b.indices(), &[1, 2]);
    assert!(b.gather(&t, &[4]).is_err());
}

#[test]
fn fast_exp_is_within_a_few_ulp_of_libm() {
    use tensor::kernels::fast_exp::{exp_f32, exp_f64};
    let mut worst64 = 0.0f64;
    let mut worst32 = 0.0f64;
    for i in 0..200_001 {
        let x = -80.0 + 160.0 * i as f64 / 200_000.0;
        worst64 = worst64.max(((exp_f64(x) - x.exp()) / x.exp()).abs());
        let xf = x as f32;
        worst32 = worst32.max(((exp_f32(xf) as f64 - (xf as f64).exp()) / (xf as f64).exp()).abs());
    }
    assert!(worst64 < 1e-15, "f64 relative error {worst64:e}");
    assert!(worst32 < 1e-6, "f32 relative error {worst32:e}");
    assert_eq!(exp_f64(-1000.0), exp_f64(-708.0));
    assert!(exp_f64(1000.0).is_finite());
}

#[test]
fn fused_classify_agrees_with_predict_and_argmax() {
    let mut rng = BookRng::new(21);
    let (n, i, h, c) = (5000, 2, 10, 3);
    let x = Tensor::<f64>::from_f64(rng.randn_matrix(n, i).view(), Device::Cpu).unwrap();
    let w1 = Tensor::from_f64((rng.randn_matrix(i, h) * 3.0).view(), Device::Cpu).unwrap();
    let b1 = Tensor::from_f64(rng.randn_matrix(1, h).view(), Device::Cpu).unwrap();
    let w2 = Tensor::from_f64((rng.randn_matrix(h, c) * 3.0).view(), Device::Cpu).unwrap();
    let b2 = Tensor::from_f64(rng.randn_matrix(1, c).view(), Device::Cpu).unwrap();
    let (mut z, mut a, mut s) = (Tensor::empty(), Tensor::empty(), Tensor::empty());
    ops::matmul(&x, false, &w1, false, &mut z).unwrap();
    ops::add_row(&mut z, &b1).unwrap();
    ops::sigmoid(&z, &mut a).unwrap();
    ops::matmul(&a, false, &w2, false, &mut s).unwrap();
    ops::add_row(&mut s, &b2).unwrap();
    let mut want = Vec::new();
    ops::argmax_rows(&s, &mut want).unwrap();
    let mut got = Vec::new();
    ops::classify_two_layer(&x, &w1, &b1, &w2, &b2, &mut got).unwrap();
    assert_eq!(got.len(), n);
    let scores = s.to_array().unwrap();
    for (row, (&g, &w)) in got.iter().zip(&want).enumerate() {
        if g != w {
            // Only a near-tie may differ: the two scores agree to rounding.
            let gap = (scores[[row, g]] - scores[[row, w]]).abs();
            assert!(
                gap < 1e-12,
                "row {row}: class {g} vs {w}, score gap {gap:e}"
            );
        }
    }
    assert!(ops::classify_two_layer(&x, &w2, &b1, &w2, &b2, &mut got).is_err());
}

#[test]
fn absurd_shapes_are_errors_not_aborts() {
    let e = Tensor::<f64>::zeros(1 << 40, 1 << 40, Device::Cpu).unwrap_err();
    assert!(matches!(e, TensorError::TooLarge { .. }), "{e}");
    let e = Tensor::<f32>::zeros(usize::MAX, 2, Device::Cpu).unwrap_err();
    assert!(e.to_string().contains("too large"), "{e}");
    let mut t = Tensor::<f64>::empty();
    assert!(t.ensure_shape(1 << 20, 1 << 20, Device::Cpu).is_err());
}

//! The vector `exp`, and its scalar form (the fallback and the browser's), against the system
//! libm's `exp` where that is glibc's FMA build, bit for bit: every special case, the edges of the vector range, and a million random
//! inputs here (the 10^8 run is `#[ignore]`d: run it with
//! `cargo test --release -p tensor --test exact_exp -- --ignored`).

use rand::{Rng, SeedableRng, rngs::StdRng};
use tensor::kernels::exact_exp::{available, exp_in_place, exp_scalar};

/// Compares `exp_in_place` with `f64::exp` (libm) on `xs`, returning the first mismatch.
fn first_mismatch(xs: &[f64]) -> Option<(f64, f64, f64)> {
    let mut got = xs.to_vec();
    exp_in_place(&mut got);
    xs.iter()
        .zip(&got)
        .find(|(x, g)| x.exp().to_bits() != g.to_bits())
        .map(|(&x, &g)| (x, g, x.exp()))
}

fn assert_identical(what: &str, xs: &[f64]) {
    if let Some((x, got, want)) = first_mismatch(xs) {
        panic!(
            "{what}: exp({x:e} = {:#x}) = {got:e}, libm says {want:e}",
            x.to_bits()
        );
    }
    // The scalar form (the fallback, and the browser's): the same algorithm one value at a time.
    if let Some(&x) = xs
        .iter()
        .find(|x| exp_scalar(**x).to_bits() != x.exp().to_bits())
    {
        panic!(
            "{what}: exp_scalar({x:e} = {:#x}) = {:e}, glibc says {:e}",
            x.to_bits(),
            exp_scalar(x),
            x.exp()
        );
    }
}

/// Every neighbour within 3 ulp of `x` (through zero and across the sign).
fn around(x: f64) -> Vec<f64> {
    let b = x.to_bits() as i64;
    (-3..=3).map(|d| f64::from_bits((b + d) as u64)).collect()
}

#[test]
#[cfg_attr(
    not(dlfs2_avx2_fma),
    ignore = "no AVX2 + FMA where tensor was built: exp_in_place is exp_scalar there"
)]
fn the_vector_exp_is_in_use_on_avx2_and_fma() {
    assert!(
        available(),
        "AVX2 + FMA, yet the vector exp did not equal exp_scalar on the probe set"
    );
}

#[test]
#[cfg_attr(
    not(all(dlfs2_avx2_fma, target_env = "gnu")),
    ignore = "the system's exp is glibc's FMA build only with glibc on AVX2 + FMA"
)]
fn special_cases_are_identical_to_libm() {
    let mut xs = vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001), // signalling NaN
        f64::from_bits(0xfff8_dead_beef_0001), // NaN with a payload
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::from_bits(1), // smallest subnormal
        -f64::from_bits(1),
        f64::from_bits(0x000f_ffff_ffff_ffff), // largest subnormal
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
    ];
    for edge in [
        709.782_712_893_384,    // exp overflows just above
        -708.396_418_532_264,   // exp becomes subnormal just below
        -745.133_219_101_941_1, // exp underflows to 0 just below
        -744.440_071_921_381_3,
        512.0,
        -512.0,
        1024.0,
        -1024.0,
        2f64.powi(-54),
        -(2f64.powi(-54)),
        2f64.powi(-53),
        1.0,
        -1.0,
        std::f64::consts::LN_2 / 256.0,
    ] {
        xs.extend(around(edge));
    }
    assert_identical("special cases", &xs);
}

#[test]
#[cfg_attr(
    not(all(dlfs2_avx2_fma, target_env = "gnu")),
    ignore = "the system's exp is glibc's FMA build only with glibc on AVX2 + FMA"
)]
fn every_length_and_alignment_is_identical_to_libm() {
    // Remainders of 1..3 lanes and special values in every lane position.
    let base = [0.3, -17.25, 600.0, f64::NAN, -1e-300, 42.0, -0.69, 1e-17];
    for start in 0..base.len() {
        for len in 0..=base.len() - start {
            assert_identical("slices", &base[start..start + len]);
        }
    }
}

fn random_inputs(rng: &mut StdRng, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| match i % 4 {
            // The training range: sigmoid and softmax arguments.
            0 => rng.random_range(-40.0..40.0),
            // The whole vector range and beyond.
            1 => rng.random_range(-760.0..760.0),
            // Small magnitudes, down to the tiny cut-off.
            2 => rng.random_range(-1.0f64..1.0) * 2f64.powi(-rng.random_range(0..60)),
            // Any bit pattern.
            _ => f64::from_bits(rng.random()),
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(all(dlfs2_avx2_fma, target_env = "gnu")),
    ignore = "the system's exp is glibc's FMA build only with glibc on AVX2 + FMA"
)]
fn a_million_random_inputs_are_identical_to_libm() {
    let mut rng = StdRng::seed_from_u64(20261201);
    let xs = random_inputs(&mut rng, 1_000_000);
    assert_identical("random", &xs);
}

#[test]
#[ignore = "10^8 inputs: about 10 s in release; run with --ignored"]
fn a_hundred_million_random_inputs_are_identical_to_libm() {
    let mut rng = StdRng::seed_from_u64(12);
    for round in 0..100 {
        let xs = random_inputs(&mut rng, 1_000_000);
        assert_identical(&format!("round {round}"), &xs);
    }
}

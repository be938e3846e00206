//! The ports of glibc's `exp`, `log`, `sin`, `cos` and `pow` against the system's own, bit for
//! bit, where that is glibc on a CPU with AVX2 and FMA (its FMA build): special values, the edges of every branch,
//! every table entry's neighbourhood, and a few million random inputs over the ranges the book's
//! code reaches (the 10^8 runs are `#[ignore]`d: run them with
//! `cargo test --release -p tensor --test glibc_math -- --ignored`).

use rand::{Rng, SeedableRng, rngs::StdRng};
use tensor::math as glibc_math;

type Pair = (&'static str, fn(f64) -> f64, fn(f64) -> f64);

const FUNCTIONS: [Pair; 4] = [
    ("exp", glibc_math::exp, f64::exp),
    ("log", glibc_math::log, f64::ln),
    ("sin", glibc_math::sin, f64::sin),
    ("cos", glibc_math::cos, f64::cos),
];

/// Whether two results are the same: equal bits, or both NaN (whose payload is the CPU's).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Panics at the first input where the port and the system differ.
fn assert_identical(what: &str, xs: impl IntoIterator<Item = f64>) {
    let mut count = 0u64;
    for x in xs {
        for (name, port, system) in FUNCTIONS {
            let (got, want) = (port(x), system(x));
            assert!(
                same(got, want),
                "{what}: {name}({x:e} = {:#x}) = {got:e} ({:#x}), glibc says {want:e} ({:#x})",
                x.to_bits(),
                got.to_bits(),
                want.to_bits()
            );
        }
        count += 1;
    }
    assert!(count > 0, "{what}: no inputs");
}

/// `x` and its neighbours within 3 ulp on either side (by bit pattern: past ±0 and ±∞ these
/// wrap to the other sign or to NaNs, which are worth testing too).
fn around(x: f64) -> impl Iterator<Item = f64> {
    let b = x.to_bits();
    (-3i64..=3).map(move |d| f64::from_bits(b.wrapping_add_signed(d)))
}

fn uniform(seed: u64, lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(move |_| rng.random_range(lo..hi))
}

/// The double whose high word is `hi` (low word zero): where glibc's range tests switch branch.
fn from_high_word(hi: u32) -> f64 {
    f64::from_bits(u64::from(hi) << 32)
}

#[test]
#[cfg_attr(
    not(all(dlfs2_avx2_fma, target_env = "gnu")),
    ignore = "the system's log/sin/cos are glibc's FMA build only with glibc on AVX2 + FMA"
)]
fn special_values_and_branch_edges() {
    let specials = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::EPSILON,
        f64::MAX,
        std::f64::consts::PI,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::LN_2,
    ];
    assert_identical("special values", specials.iter().flat_map(|&x| around(x)));
    // sin's and cos's thresholds (tiny, the table, π/2 - x, the 4-part reduction, __branred) and
    // log's near-1 window, on both sides of each and both signs.
    let edges = [
        0x3e40_0000,
        0x3e50_0000,
        0x3feb_6000,
        0x4003_68fd,
        0x4199_21fb,
        0x3fee_0000,
        0x3ff1_0900,
    ];
    assert_identical(
        "branch edges",
        edges
            .iter()
            .flat_map(|&hi| [from_high_word(hi), -from_high_word(hi)])
            .flat_map(around),
    );
    // 0.126, where do_sin leaves its Taylor series.
    assert_identical("0.126", [0.126, -0.126].into_iter().flat_map(around));
    // Every table point k/128 of sin and cos and the rounding midpoints between them.
    assert_identical(
        "table points",
        (0..=110)
            .flat_map(|k| [f64::from(k) / 128.0, (f64::from(k) + 0.5) / 128.0])
            .flat_map(around),
    );
    // Multiples of π/2, where the reduced argument nearly cancels, up to the reduction's limit.
    assert_identical(
        "multiples of pi/2",
        (1..2000)
            .chain((0..200).map(|i| 1 << (i % 26)))
            .map(|n| f64::from(n) * std::f64::consts::FRAC_PI_2)
            .flat_map(around),
    );
    // log's table boundaries: every 1/128 step of z in [0x1.6p-1, 0x1.6p0) and its powers of 2.
    assert_identical(
        "log table edges",
        (0..128u64)
            .flat_map(|i| {
                let z = f64::from_bits(0x3fe6_0000_0000_0000 + (i << 45));
                [z, z * 1024.0, z / 1024.0, z * 1e-300]
            })
            .flat_map(around),
    );
}

#[test]
#[cfg_attr(
    not(all(dlfs2_avx2_fma, target_env = "gnu")),
    ignore = "the system's log/sin/cos are glibc's FMA build only with glibc on AVX2 + FMA"
)]
fn random_inputs_in_the_books_ranges() {
    // The spiral's angles, the toy sets' and more; randn's log(r2) for r2 in (0, 1); the loss's
    // log of probabilities; log near 1 (its own polynomial).
    assert_identical("angles", uniform(1, -40.0, 40.0, 1_000_000));
    assert_identical("small", uniform(2, -1.0, 1.0, 300_000));
    assert_identical("unit", uniform(3, 0.0, 1.0, 1_000_000));
    assert_identical("near 1", uniform(4, 0.9, 1.1, 300_000));
    let mut rng = StdRng::seed_from_u64(5);
    // Every exponent, both signs: random bit patterns.
    assert_identical("bits", (0..1_000_000).map(|_| f64::from_bits(rng.random())));
}

#[test]
#[ignore = "10^8 inputs: 15 s in release"]
fn a_hundred_million_inputs() {
    assert_identical("angles", uniform(11, -40.0, 40.0, 30_000_000));
    assert_identical("pi/2 band", uniform(12, 0.8, 2.5, 20_000_000));
    assert_identical("unit", uniform(13, 0.0, 1.0, 30_000_000));
    let mut rng = StdRng::seed_from_u64(15);
    assert_identical(
        "bits",
        (0..20_000_000).map(|_| f64::from_bits(rng.random())),
    );
}

/// Panics at the first pair where the port of `pow` and the system's differ.
fn assert_pow_identical(what: &str, pairs: impl IntoIterator<Item = (f64, f64)>) {
    let mut count = 0u64;
    for (x, y) in pairs {
        let (got, want) = (glibc_math::pow(x, y), x.powf(y));
        assert!(
            same(got, want),
            "{what}: pow({x:e}, {y:e}) = {got:e} ({:#x}), glibc says {want:e} ({:#x})",
            got.to_bits(),
            want.to_bits()
        );
        count += 1;
    }
    assert!(count > 0, "{what}: no inputs");
}

#[test]
#[cfg_attr(
    not(all(dlfs2_avx2_fma, target_env = "gnu")),
    ignore = "the system's pow is glibc's FMA build only with glibc on AVX2 + FMA"
)]
fn pow_special_values_adams_powers_and_random_pairs() {
    let specials: Vec<f64> = [
        0.0,
        1.0,
        2.0,
        0.5,
        3.0,
        f64::INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::MAX,
        1e-300,
        0.999,
        1.0 + f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        f64::from_bits(0x7ff0_0000_0000_0001), // signalling NaN
        2f64.powi(-66),
        2f64.powi(63),
        1e20,
    ]
    .iter()
    .flat_map(|&v| [v, -v])
    .collect();
    assert_pow_identical(
        "special values",
        specials
            .iter()
            .flat_map(|&x| specials.iter().map(move |&y| (x, y))),
    );
    // Adam's bias corrections: β^t for the book's and common betas over a long run.
    let betas = [0.9, 0.999, 0.99, 0.95, 0.5, 0.8, 0.9999];
    assert_pow_identical(
        "beta^t",
        betas
            .iter()
            .flat_map(|&b| (1..200_000).map(move |t| (b, f64::from(t)))),
    );
    // Results near overflow, into the subnormals and to zero (the scaled special case), and
    // negative bases to integer powers.
    let mut rng = StdRng::seed_from_u64(31);
    assert_pow_identical(
        "edges of the range",
        (0..300_000).map(|_| {
            let x: f64 = rng.random_range(0.5..2.0);
            let target: f64 = rng.random_range(-1080.0..-700.0);
            let target = if rng.random() { target } else { -target - 60.0 };
            (x, (target * std::f64::consts::LN_2 / x.ln()).round())
        }),
    );
    assert_pow_identical(
        "negative bases",
        (0..300_000).map(|_| {
            let x: f64 = -rng.random_range(0.0..4.0);
            (x, f64::from(rng.random_range(-400..400)))
        }),
    );
    assert_pow_identical(
        "random pairs",
        (0..500_000).map(|_| (rng.random_range(0.0..10.0), rng.random_range(-50.0..50.0))),
    );
    assert_pow_identical(
        "random bits",
        (0..500_000).map(|_| (f64::from_bits(rng.random()), f64::from_bits(rng.random()))),
    );
}

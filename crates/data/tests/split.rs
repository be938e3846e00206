//! The validation split: deterministic for a seed, disjoint, complete, stratified.

use data::split;

fn spiral_labels() -> Vec<usize> {
    (0..300).map(|i| i / 100).collect()
}

#[test]
fn the_same_seed_gives_the_same_split_and_another_seed_another() {
    let labels = spiral_labels();
    let a = split(&labels, 0.2, 1984).unwrap();
    assert_eq!(a, split(&labels, 0.2, 1984).unwrap());
    assert_ne!(a, split(&labels, 0.2, 1985).unwrap());
}

#[test]
fn the_sides_are_disjoint_complete_and_keep_each_class_share() {
    let labels = spiral_labels();
    for (fraction, per_class) in [(0.2, 20), (0.5, 50), (0.333, 33)] {
        let s = split(&labels, fraction, 7).unwrap();
        let mut all: Vec<usize> = s.train.iter().chain(&s.validation).copied().collect();
        all.sort_unstable();
        assert_eq!(
            all,
            (0..300).collect::<Vec<_>>(),
            "every point exactly once"
        );
        assert!(s.train.windows(2).all(|w| w[0] < w[1]));
        assert!(s.validation.windows(2).all(|w| w[0] < w[1]));
        for c in 0..3 {
            let held = s.validation.iter().filter(|&&i| labels[i] == c).count();
            assert_eq!(held, per_class, "class {c} at {fraction}");
        }
    }
}

#[test]
fn every_class_keeps_a_training_point_and_bad_fractions_are_errors() {
    let labels = [0, 1, 1, 2, 2, 2];
    let s = split(&labels, 0.9, 1).unwrap();
    for c in 0..3 {
        assert!(s.train.iter().any(|&i| labels[i] == c), "class {c}");
    }
    for bad in [0.0, 1.0, -0.5, f64::NAN, f64::INFINITY] {
        let e = split(&labels, bad, 1).unwrap_err().to_string();
        assert!(e.contains("validation split"), "{e}");
    }
    // A fraction that rounds to nothing held out says so.
    let e = split(&labels, 0.01, 1).unwrap_err().to_string();
    assert!(e.contains("holds out no point"), "{e}");
}

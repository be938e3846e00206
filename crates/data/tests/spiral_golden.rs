//! The spiral data against the book's own output (`../shared/golden`, copied to `tests/data`).

use data::{load_data, load_data_with};
use tensor::random::{BookRng, RandomSource};

fn read_csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn spiral_seed_1984_equals_the_book_bit_for_bit() {
    let golden_x = read_csv(include_str!(
        "../../../testdata/golden/spiral_seed1984_x.csv"
    ));
    let golden_t = read_csv(include_str!(
        "../../../testdata/golden/spiral_seed1984_t.csv"
    ));
    let s = load_data(1984);
    assert_eq!(s.x.dim(), (300, 2));
    assert_eq!(s.t.dim(), (300, 3));
    for (i, row) in golden_x.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let want: f64 = v.parse().unwrap();
            let got = s.x[[i, j]];
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "x[{i},{j}]: {got:e} vs {want:e}"
            );
        }
    }
    for (i, row) in golden_t.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            assert_eq!(s.t[[i, j]], v.parse::<i32>().unwrap(), "t[{i},{j}]");
        }
    }
}

#[test]
fn signed_zeros_of_the_radius_zero_rows_match_the_book() {
    let s = load_data(1984);
    let signs = |r: usize| {
        (
            s.x[[r, 0]].is_sign_negative(),
            s.x[[r, 1]].is_sign_negative(),
        )
    };
    assert_eq!(signs(0), (true, false));
    assert_eq!(signs(100), (true, true));
    assert_eq!(signs(200), (false, true));
}

#[test]
fn classes_come_in_blocks_of_one_hot_rows() {
    let s = load_data(7);
    for (i, row) in s.t.rows().into_iter().enumerate() {
        assert_eq!(row.sum(), 1);
        assert_eq!(row[i / 100], 1);
    }
}

#[test]
fn other_seeds_and_sizes_differ_and_stay_in_the_unit_disc() {
    let a = load_data(1);
    let b = load_data(2);
    assert_ne!(a.x, b.x);
    let mut rng = BookRng::new(3);
    let s = load_data_with(&mut rng, 50, 5).unwrap();
    assert_eq!(s.x.dim(), (250, 2));
    assert_eq!(s.t.dim(), (250, 5));
    assert!(s.x.rows().into_iter().all(|r| r[0].hypot(r[1]) <= 1.0));
    // The stream goes on after the data, as numpy's global one does.
    assert!(rng.randn().is_finite());
}

#[test]
fn bad_sizes_are_errors() {
    let mut rng = BookRng::new(1);
    assert!(load_data_with(&mut rng, 0, 3).is_err());
    assert!(load_data_with(&mut rng, 10, 0).is_err());
    assert!(load_data_with(&mut rng, usize::MAX, 3).is_err());
    let e = load_data_with(&mut rng, 1 << 20, 200).unwrap_err();
    assert!(e.to_string().contains("points in all"), "{e}");
}

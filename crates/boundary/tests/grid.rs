//! The book's decision-boundary grid: `np.arange` semantics, size and endpoints.

use boundary::Grid;
use boundary::grid::arange;

#[test]
fn the_grid_around_the_book_data_is_numpys() {
    let s = data::load_data(1984);
    let g = Grid::around(s.x.view(), 0.001).unwrap();
    assert_eq!((g.cols(), g.rows()), (2112, 2047));
    assert_eq!(g.len(), 4_323_264);
    assert_eq!(g.xs[0], -1.0223506996640548);
    assert_eq!(*g.xs.last().unwrap(), 1.0886493003357127);
    assert_eq!(g.ys[0], -0.9886726617070215);
    assert_eq!(*g.ys.last().unwrap(), 1.0573273382929806);
}

#[test]
fn arange_uses_numpys_rounded_delta_and_length() {
    let v = arange(0.0, 1.0, 0.1).unwrap();
    assert_eq!(v.len(), 10);
    assert_eq!(v[3], 3.0 * ((0.0 + 0.1) - 0.0));
    assert_eq!(arange(0.0, 1.0, 0.3).unwrap().len(), 4);
    assert!(arange(1.0, 0.0, 0.1).unwrap().is_empty());
}

#[test]
fn bad_or_absurd_steps_are_refused_before_allocating() {
    let s = data::load_data(1984);
    for h in [0.0, -0.01, f64::NAN, f64::INFINITY] {
        assert!(Grid::around(s.x.view(), h).is_err(), "step {h}");
    }
    let e = Grid::around(s.x.view(), 1e-6).unwrap_err();
    assert!(e.to_string().contains("at most"), "{e}");
    assert!(Grid::around(ndarray::Array2::zeros((0, 2)).view(), 0.1).is_err());
}

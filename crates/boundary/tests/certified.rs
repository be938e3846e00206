//! The certified decision boundary is the full scan's, point for point: on the book's grid for
//! the trained network and the initial one, on random networks and grids, and where two classes
//! tie everywhere.

use boundary::{
    Grid, classify_grid, classify_grid_certified, count_classes_certified, count_classes_scan,
};
use layers::TwoLayerNet;
use ndarray::Array2;
use proptest::prelude::*;
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Element};

fn same<T: Element>(model: &mut TwoLayerNet<T>, grid: &Grid) -> usize {
    let scan = classify_grid(model, grid, Device::Cpu).unwrap();
    let cert = classify_grid_certified(model, grid).unwrap();
    assert_eq!((cert.cols, cert.rows), (scan.cols, scan.rows));
    let differ = scan
        .classes
        .iter()
        .zip(&cert.classes)
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        differ,
        0,
        "{differ} of {} points differ",
        scan.classes.len()
    );
    assert_eq!(cert.class_counts, scan.class_counts);
    // The counting forms, which store nothing per point, count the same.
    assert_eq!(
        count_classes_certified(model, grid).unwrap(),
        scan.class_counts
    );
    assert_eq!(count_classes_scan(model, grid).unwrap(), scan.class_counts);
    scan.classes.len()
}

fn net<T: Element>(w: [Array2<f64>; 4]) -> TwoLayerNet<T> {
    TwoLayerNet::from_params(
        w[0].view(),
        w[1].view(),
        w[2].view(),
        w[3].view(),
        Device::Cpu,
    )
    .unwrap()
}

/// The book's network trained as `train.py` does (SGD, lr 1, 300 epochs of batch 30): a plain
/// loop here, since this crate sits below the Trainer.
fn trained() -> [Array2<f64>; 4] {
    use layers::{Model, Params};
    use tensor::{Labels, Tensor, ops};
    let mut rng = BookRng::new(1984);
    let s = data::load_data_with(&mut rng, 100, 3).unwrap();
    let mut model = TwoLayerNet::<f64>::new(2, 10, 3, &mut rng, Device::Cpu).unwrap();
    let x = Tensor::from_f64(s.x.view(), Device::Cpu).unwrap();
    let t = Labels::from_one_hot(s.t.view()).unwrap();
    let (mut xb, mut tb) = (Tensor::empty(), Labels::with_classes(3));
    let mut order: Vec<usize> = (0..300).collect();
    for _ in 0..300 {
        let perm = rng.permutation(300);
        order = perm.iter().map(|&i| order[i]).collect();
        for b in order.chunks(30) {
            ops::gather_rows(&x, b, &mut xb).unwrap();
            tb.gather(&t, b).unwrap();
            model.forward(&xb, &tb).unwrap();
            model.backward().unwrap();
            model
                .visit_params(&mut |p| ops::update::sgd(p.value, p.grad, 1.0))
                .unwrap();
        }
    }
    let p = [
        &model.affine1.w,
        &model.affine1.b,
        &model.affine2.w,
        &model.affine2.b,
    ];
    p.map(|t| t.to_array().unwrap())
}

#[test]
fn the_books_trained_network_on_the_books_grid() {
    let s = data::load_data(1984);
    let grid = Grid::around(s.x.view(), 0.001).unwrap();
    let w = trained();
    let mut m64 = net::<f64>(w.clone());
    assert_eq!(same(&mut m64, &grid), 2112 * 2047);
    let mut m32 = net::<f32>(w);
    same(&mut m32, &grid);
    // The initial network: nearly flat scores, a hard case for the bounds.
    let mut rng = BookRng::new(1984);
    let _ = data::load_data_with(&mut rng, 100, 3);
    let mut init = TwoLayerNet::<f64>::new(2, 10, 3, &mut rng, Device::Cpu).unwrap();
    same(&mut init, &Grid::around(s.x.view(), 0.005).unwrap());
}

#[test]
fn the_books_grid_at_h_0_0001_is_counted_without_storing_it() {
    let s = data::load_data(1984);
    // 432 million points: too many to store a class each, not too many to count.
    assert!(Grid::around(s.x.view(), 0.0001).is_err());
    let grid = Grid::around_for_counting(s.x.view(), 0.0001).unwrap();
    assert_eq!((grid.cols(), grid.rows()), (21114, 20468));
    let mut m = net::<f64>(trained());
    let counts = count_classes_certified(&mut m, &grid).unwrap();
    assert_eq!(counts.iter().sum::<usize>(), 21114 * 20468);
    assert!(
        counts.iter().all(|&n| n > 0),
        "all three classes have points"
    );
    // A strip of 48 full rows through the middle, where all three arms meet, point for point
    // against the scan.
    let mid = grid.rows() / 2;
    let strip = Grid {
        xs: grid.xs.clone(),
        ys: grid.ys[mid - 24..mid + 24].to_vec(),
        step: grid.step,
    };
    same(&mut m, &strip);
}

#[test]
fn two_classes_that_tie_everywhere_go_to_the_first() {
    let mut rng = BookRng::new(3);
    let w1 = rng.randn_matrix(2, 6) * 3.0;
    let b1 = rng.randn_matrix(1, 6);
    let mut w2 = rng.randn_matrix(6, 3) * 2.0;
    let mut b2 = rng.randn_matrix(1, 3);
    for j in 0..6 {
        w2[[j, 2]] = w2[[j, 1]];
    }
    b2[[0, 2]] = b2[[0, 1]];
    let x = rng.randn_matrix(50, 2);
    let grid = Grid::around(x.view(), 0.01).unwrap();
    let mut m = net::<f64>([w1, b1, w2, b2]);
    same(&mut m, &grid);
    let scan = classify_grid(&mut m, &grid, Device::Cpu).unwrap();
    assert!(
        !scan.classes.contains(&2),
        "the second of two tied classes never wins"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn random_networks_and_grids_match_the_scan(
        seed in 0u32..10_000,
        hidden in 1usize..12,
        classes in 2usize..5,
        scale in 0.1f64..20.0,
        step in 0.004f64..0.05,
        f32_too in any::<bool>(),
    ) {
        let mut rng = BookRng::new(seed);
        let w = [
            rng.randn_matrix(2, hidden) * scale,
            rng.randn_matrix(1, hidden) * scale,
            rng.randn_matrix(hidden, classes) * scale,
            rng.randn_matrix(1, classes),
        ];
        let x = rng.randn_matrix(20, 2);
        let grid = Grid::around(x.view(), step).unwrap();
        if f32_too {
            let mut m = net::<f32>(w);
            same(&mut m, &grid);
        } else {
            let mut m = net::<f64>(w);
            same(&mut m, &grid);
        }
    }
}

//! The CPU matrix product and column sum against numpy itself, bit for bit, on the shapes where
//! numpy sums in other orders than one chain per element: `k` past a panel (256 in f64, 320 in
//! f32), a row or a column times a matrix (BLAS's matrix-vector kernels), a single column's sum.
//! `testdata/golden/numpy_orders.json` was written by `numpy_orders.py` beside it (numpy 2.4.6,
//! OpenBLAS's Haswell kernels).

use tensor::kernels::bias::sum_rows;
use tensor::kernels::matmul::{MatRef, matmul};
use testkit::golden_json;

fn values(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().parse().unwrap())
        .collect()
}

fn shape(v: &serde_json::Value) -> (usize, usize) {
    let s: Vec<usize> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    (s[0], s[1])
}

/// numpy's `dot(a[.T], b[.T])` computed by `matmul` in `T`, as f64 bits.
fn product<T: tensor::kernels::CpuFloat>(case: &serde_json::Value) -> Vec<u64> {
    let a: Vec<T> = values(&case["a"]).into_iter().map(T::from_f64).collect();
    let b: Vec<T> = values(&case["b"]).into_iter().map(T::from_f64).collect();
    let (ar, ac) = shape(&case["a_shape"]);
    let (br, bc) = shape(&case["b_shape"]);
    let am = MatRef::new(&a, ar, ac, case["ta"].as_bool().unwrap());
    let bm = MatRef::new(&b, br, bc, case["tb"].as_bool().unwrap());
    let mut out = vec![T::ZERO; am.rows() * bm.cols()];
    matmul(am, bm, &mut out);
    out.iter().map(|v| v.to_f64().to_bits()).collect()
}

#[test]
fn products_and_column_sums_are_numpys_bit_for_bit() {
    let g = golden_json("numpy_orders.json");
    let cases = g["cases"].as_array().unwrap();
    assert!(cases.len() > 90, "{} cases", cases.len());
    for case in cases {
        let what = case["what"].as_str().unwrap();
        let want: Vec<u64> = values(&case["out"]).iter().map(|v| v.to_bits()).collect();
        let got = if what.starts_with("sum") {
            let x = values(&case["a"]);
            let cols = shape(&case["a_shape"]).1;
            let mut out = vec![0.0f64; cols];
            sum_rows(&x, cols, &mut out);
            out.iter().map(|v| v.to_bits()).collect()
        } else if case["dtype"] == "f32" {
            product::<f32>(case)
        } else {
            product::<f64>(case)
        };
        assert_eq!(got.len(), want.len(), "{what}");
        let wrong = got.iter().zip(&want).filter(|(g, w)| g != w).count();
        assert_eq!(
            wrong,
            0,
            "{what}: {wrong} of {} elements differ from numpy",
            want.len()
        );
    }
}

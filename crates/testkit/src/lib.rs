//! Test helpers: the book's golden files (kept in `testdata/golden`, copied from the book's run; see
//! its README) and float comparisons that say where and by how much two arrays differ.

mod book_params;
pub mod parity;
pub mod picture;

pub use book_params::{BOOK_PARAMS, BookParams, RULES};

use ndarray::{Array2, ArrayView2};
use serde_json::Value;

/// The workspace's golden-data folder.
pub const GOLDEN_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/golden");

/// Reads and parses a golden JSON file by name.
pub fn golden_json(name: &str) -> Value {
    let path = format!("{GOLDEN_DIR}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JSON number array of rank 1 or 2 as a matrix (a rank-1 array becomes one row).
pub fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = match v.as_array().expect("array") {
        a if a.first().is_some_and(Value::is_array) => a
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect()
            })
            .collect(),
        a => vec![a.iter().map(|x| x.as_f64().unwrap()).collect()],
    };
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular")
}

/// A JSON array of integers.
pub fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// Asserts equal shapes and bit-identical values (`-0.0 == 0.0` counts as equal, as numpy's `==`).
#[track_caller]
pub fn assert_bits_eq(what: &str, got: ArrayView2<'_, f64>, want: ArrayView2<'_, f64>) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((idx, &g), &w) in got.indexed_iter().zip(want.iter()) {
        assert!(
            g == w,
            "{what}{idx:?}: got {g:e}, want {w:e} (bit-exact expected)"
        );
    }
}

/// Asserts `|got - want| <= atol + rtol * |want|` everywhere.
#[track_caller]
pub fn assert_close(
    what: &str,
    got: ArrayView2<'_, f64>,
    want: ArrayView2<'_, f64>,
    atol: f64,
    rtol: f64,
) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((idx, &g), &w) in got.indexed_iter().zip(want.iter()) {
        let tol = atol + rtol * w.abs();
        assert!(
            (g - w).abs() <= tol,
            "{what}{idx:?}: got {g:e}, want {w:e}, |diff| {:e} > {tol:e}",
            (g - w).abs()
        );
    }
}

/// How a result of `T` computed on `device` must match the book's `f64` golden values: bit for bit
/// (`None`) for `f64` on the CPU, which keeps numpy's order of operations; otherwise within
/// `(atol, rtol)`: `f32` on the CPU within `(2e-6, 2e-5)` (the rounding of 24-bit mantissas; Adam's
/// first steps move every param by about `lr`, hence the absolute term), and on a GPU within
/// [`parity::tolerance`] (cuBLAS sums in another order, CUDA's `exp` may differ in the last bit).
pub fn golden_tolerance<T: tensor::Element>(device: tensor::Device) -> Option<(f64, f64)> {
    match (T::DTYPE, device) {
        (tensor::DType::F64, tensor::Device::Cpu) => None,
        (tensor::DType::F32, tensor::Device::Cpu) => Some((2e-6, 2e-5)),
        (_, tensor::Device::Cuda(_)) => Some(parity::tolerance::<T>()),
    }
}

/// Asserts that `got` (of `T`, computed on `device`) matches the golden `want` as
/// [`golden_tolerance`] says.
#[track_caller]
pub fn assert_golden<T: tensor::Element>(
    device: tensor::Device,
    what: &str,
    got: ArrayView2<'_, f64>,
    want: ArrayView2<'_, f64>,
) {
    match golden_tolerance::<T>(device) {
        None => assert_bits_eq(what, got, want),
        Some((atol, rtol)) => assert_close(
            &format!("{what} ({} on {device})", T::DTYPE),
            got,
            want,
            atol,
            rtol,
        ),
    }
}

/// CUDA device 0, for the `on_cuda` half of a device test. Panics, saying why, when this machine
/// has none: that half is `#[ignore]`d, so it runs only when asked for, on a GPU machine.
#[track_caller]
pub fn cuda_device() -> tensor::Device {
    let device = tensor::Device::Cuda(0);
    if let Err(e) = device.ensure_available() {
        panic!("asked to run a CUDA test, but there is no usable CUDA device: {e}");
    }
    device
}

/// Two tests per body, in a module named after it: `name::on_cpu`, and with `--features cuda`
/// `name::on_cuda`, `#[ignore]`d with its reason. Whether a GPU is present is known only once a
/// test runs, and the harness can report a test as skipped only before it starts: so a build or a
/// machine without a GPU shows the CUDA half as ignored, never as passed, and a GPU machine runs it
/// with `-- --ignored cuda`. Use: `device_tests! { fn name(device) { ... } }`; the invoking crate
/// needs a `cuda` feature that turns on `tensor/cuda`.
#[macro_export]
macro_rules! device_tests {
    ($($(#[$doc:meta])* fn $name:ident($device:ident) $body:block)*) => {$(
        $(#[$doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn on_cpu() {
                let $device = tensor::Device::Cpu;
                $body
            }

            #[cfg(feature = "cuda")]
            #[test]
            #[ignore = "needs a CUDA device: cargo test --workspace --features cuda -- --ignored cuda"]
            fn on_cuda() {
                let $device = $crate::cuda_device();
                $body
            }
        }
    )*};
}

/// Like [`device_tests!`], for a generic body `fn body<T: Element>(device: Device)` run for `f64`
/// and `f32`: `dtype_device_tests! { test_name => body; }`.
#[macro_export]
macro_rules! dtype_device_tests {
    ($($(#[$doc:meta])* $name:ident => $body:ident;)*) => {$(
        $crate::device_tests! {
            $(#[$doc])*
            fn $name(device) {
                $body::<f64>(device);
                $body::<f32>(device);
            }
        }
    )*};
}

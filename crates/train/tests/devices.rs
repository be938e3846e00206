//! The book's whole `train.py` run on every GPU against the CPU: loss curves within 1e-9 (f64) and
//! 1e-4 (f32), the same accuracy. Compiled with `--features cuda`, ignored unless asked for
//! (`-- --ignored cuda`, on a GPU machine).

use tensor::Device;
use train::{TRAIN_PY, book_run};

#[cfg(feature = "cuda")]
fn compare<T: tensor::Element>(device: Device, tol: f64) {
    let cpu = book_run::<T>(1984, Device::Cpu, &TRAIN_PY).unwrap();
    let gpu = book_run::<T>(1984, device, &TRAIN_PY).unwrap();
    let worst = cpu.max_loss_diff(&gpu);
    assert!(
        worst <= tol,
        "{device} {}: loss curves differ by {worst:e} (> {tol:e})",
        T::DTYPE.as_str()
    );
    assert_eq!(
        cpu.accuracy,
        gpu.accuracy,
        "{device} {}: accuracy",
        T::DTYPE.as_str()
    );
    println!(
        "{device} {}: max loss difference {worst:e}, accuracy {}",
        T::DTYPE.as_str(),
        gpu.accuracy
    );
}

#[cfg(feature = "cuda")]
#[test]
#[ignore = "needs a CUDA device: cargo test --workspace --features cuda -- --ignored cuda"]
fn the_book_run_on_cuda_matches_the_cpu() {
    let device = testkit::cuda_device();
    compare::<f64>(device, 1e-9);
    compare::<f32>(device, 1e-4);
}

#[test]
fn the_book_run_function_is_the_books_run() {
    let run = book_run::<f64>(1984, Device::Cpu, &TRAIN_PY).unwrap();
    assert_eq!(run.loss_list.len(), 300);
    assert_eq!(
        run.loss_list[0], 1.0979835927063497,
        "train.py's first logged loss"
    );
    assert!(run.accuracy >= 0.97);
}

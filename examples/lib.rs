//! The book's chapter-1 scripts as examples (`cargo run --release --example NAME`):
//!
//! | example | book file | what it shows |
//! |---|---|---|
//! | `forward_net` | `ch01/forward_net.py` | §1.2 a forward pass through Affine–Sigmoid–Affine |
//! | `show_spiral_dataset` | `ch01/show_spiral_dataset.py` | §1.4.1 the spiral data, plotted |
//! | `train_custom_loop` | `ch01/train_custom_loop.py` | §1.4.3 training with a hand-written loop |
//! | `train` | `ch01/train.py` | §1.4.4 the same with the `Trainer` |
//!
//! Pictures go to `out/examples/`.

/// Where the examples write their pictures (created on first use).
pub fn out_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::path::PathBuf::from("out/examples");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

//! The CUDA kernels (`src/cuda/kernels.cu`) compile with NVRTC for every architecture the backend
//! targets, and every kernel the Rust side launches is in the result. Needs only the NVRTC library,
//! no GPU; without it (or without `--features cuda`) the test prints why it was skipped.

use std::io::Write;

#[cfg(feature = "cuda")]
#[test]
fn kernels_compile_with_nvrtc_for_every_known_architecture() {
    let ptx = match tensor::cuda::check_kernels_compile() {
        Ok(Some(ptx)) => ptx,
        Ok(None) => {
            let _ = writeln!(
                std::io::stderr(),
                "skipped: no NVRTC library (kernels.cu not compiled)"
            );
            return;
        }
        Err(e) => panic!("{e}"),
    };
    // Every kernel launched from Rust (the quoted name after `launch!(be,`, or given to
    // `cuda::ops::update(`) must be an entry point of the PTX, for both element types.
    let ops = include_str!("../src/cuda/ops.rs");
    let update = include_str!("../src/ops/update.rs");
    let mut names: Vec<&str> = ops
        .split("launch!(")
        .skip(1)
        .filter_map(|call| call.split('"').nth(1))
        .filter(|n| !n.contains('$'))
        .collect();
    names.extend(
        update
            .split("cuda::ops::update(")
            .skip(1)
            .filter_map(|call| call.split('"').nth(1)),
    );
    assert!(names.len() >= 20, "found only {names:?}");
    for name in &names {
        for ty in ["f32", "f64"] {
            let entry = format!(".entry {name}_{ty}(");
            assert!(ptx.contains(&entry), "kernels.cu has no kernel {name}_{ty}");
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "kernels.cu compiled; all {} launched kernels are in its PTX",
        names.len()
    );
}

#[cfg(not(feature = "cuda"))]
#[test]
fn kernels_compile_with_nvrtc_for_every_known_architecture() {
    let _ = writeln!(
        std::io::stderr(),
        "skipped: built without --features cuda (kernels.cu not compiled)"
    );
}

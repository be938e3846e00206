//! What the machine building the tests has, as cfgs for them: the harness can report a test as
//! skipped only before it starts, so a check this machine cannot run is `#[ignore]`d with the
//! reason instead of passing without checking anything. The library's own code never reads these
//! cfgs (it detects the CPU at run time).
//! - `dlfs2_cxx`: a C++ compiler (`$CXX`, else `c++`) for `tests/kernels_on_cpu`;
//! - `dlfs2_avx2_fma`, `dlfs2_avx512f`: the CPU's instruction sets, for the tests of the kernels
//!   that use them (only when building for this machine itself).

use std::process::{Command, Stdio};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(dlfs2_cxx, dlfs2_avx2_fma, dlfs2_avx512f)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CXX");
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".to_string());
    let found = Command::new(&cxx)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        println!("cargo::rustc-cfg=dlfs2_cxx");
    }
    let native = std::env::var("TARGET").ok() == std::env::var("HOST").ok();
    #[cfg(target_arch = "x86_64")]
    if native {
        let avx2_fma =
            std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        if avx2_fma {
            println!("cargo::rustc-cfg=dlfs2_avx2_fma");
        }
        // The AVX-512 tiles are used only beside AVX2 + FMA (`Kernel::available`).
        if avx2_fma && std::is_x86_feature_detected!("avx512f") {
            println!("cargo::rustc-cfg=dlfs2_avx512f");
        }
    }
    let _ = native;
}

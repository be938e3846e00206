//! Finds what some tests need when the xtask is built: the harness can report a test as skipped
//! only before it starts, so whether it can run here is decided now, and a test that cannot is
//! `#[ignore]`d with the reason instead of passing without checking anything.
//! - `dlfs2_chromium`: a Chromium for the browser tests (`tests/browser.rs`);
//! - `dlfs2_chromedriver`: its WebDriver (Debian's `chromium-driver`), for the playground's
//!   interaction tests (`tests/playground.rs`);
//! - `dlfs2_wasm_target`: rustup's `wasm32-unknown-unknown` target, to build the playground;
//! - `dlfs2_root`: built as root, so the tests may run as another user (`tests/trust.rs`);
//! - `dlfs2_cpuid_fault`: x86-64 Linux with CPUID faulting (`/proc/cpuinfo`'s `cpuid_fault`), which
//!   `bench --isa avx2`'s CPUID mask needs (`tests/cpuid_mask.rs`);
//! - `dlfs2_cpuid_mask`: that, on a CPU with AVX-512 (where `--isa avx2` masks CPUID);
//! - `dlfs2_isa_avx2`: `--isa avx2` can run here (AVX2 + FMA, and the mask where it is needed).

use std::path::PathBuf;

const NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

fn main() {
    println!(
        "cargo::rustc-check-cfg=cfg(dlfs2_chromium, dlfs2_chromedriver, dlfs2_wasm_target, dlfs2_root, dlfs2_cpuid_fault, dlfs2_cpuid_mask, dlfs2_isa_avx2)"
    );
    if let Some(driver) = on_path(&["chromedriver"]) {
        println!("cargo::rustc-cfg=dlfs2_chromedriver");
        println!("cargo::rustc-env=DLFS2_CHROMEDRIVER={}", driver.display());
    } else {
        println!("cargo::rerun-if-changed=/usr/bin/chromedriver");
    }
    if wasm_target() {
        println!("cargo::rustc-cfg=dlfs2_wasm_target");
    }
    // rustup adds a target as a folder of the toolchain's rustlib: a target added later is
    // found without a clean.
    if let Some(rustlib) = sysroot().map(|s| s.join("lib").join("rustlib")) {
        println!("cargo::rerun-if-changed={}", rustlib.display());
    }
    if is_root() {
        println!("cargo::rustc-cfg=dlfs2_root");
    }
    cpu_cfgs();
    println!("cargo::rerun-if-env-changed=CHROMIUM");
    println!("cargo::rerun-if-env-changed=PATH");
    match find() {
        Some(path) => {
            println!("cargo::rustc-cfg=dlfs2_chromium");
            println!("cargo::rustc-env=DLFS2_CHROMIUM={}", path.display());
            println!("cargo::rerun-if-changed={}", path.display());
        }
        // A path that does not exist makes cargo run this script again at every build, so a
        // browser installed later is found without a clean.
        None => println!("cargo::rerun-if-changed=/usr/bin/chromium"),
    }
}

fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    on_path(&NAMES)
}

/// The first of `names` in a folder of `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// The toolchain's sysroot.
fn sysroot() -> Option<PathBuf> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    std::process::Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
}

/// Whether the standard library for `wasm32-unknown-unknown` is installed for this toolchain.
fn wasm_target() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    std::process::Command::new(rustc)
        .args([
            "--print",
            "target-libdir",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|dir| dir.is_dir())
}

/// The CPU's cfgs, for tests run on the machine that builds them.
fn cpu_cfgs() {
    let native = std::env::var("TARGET").ok() == std::env::var("HOST").ok();
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    if native {
        let flags = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("flags"))
                    .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            })
            .unwrap_or_default();
        let fault = flags.iter().any(|f| f == "cpuid_fault");
        let avx2 = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        let avx512 = std::is_x86_feature_detected!("avx512f");
        if fault {
            println!("cargo::rustc-cfg=dlfs2_cpuid_fault");
        }
        if fault && avx512 {
            println!("cargo::rustc-cfg=dlfs2_cpuid_mask");
        }
        if avx2 && (fault || !avx512) {
            println!("cargo::rustc-cfg=dlfs2_isa_avx2");
        }
    }
    let _ = native;
}

/// Whether this build runs as root: the effective uid on `/proc/self/status`'s `Uid:` line.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

//! Finds what some tests need when the xtask is built: the harness can report a test as skipped
//! only before it starts, so whether it can run here is decided now, and a test that cannot is
//! `#[ignore]`d with the reason instead of passing without checking anything.
//! - `dlfs2_chromium`: a Chromium for the browser tests (`tests/browser.rs`);
//! - `dlfs2_chromedriver`: its WebDriver (Debian's `chromium-driver`), for the playground's
//!   interaction tests (`tests/playground.rs`);
//! - `dlfs2_wasm_target`: rustup's `wasm32-unknown-unknown` target, to build the playground;
//! - `dlfs2_root`: built as root, so the tests may run as another user (`tests/trust.rs`).

use std::path::PathBuf;

const NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

fn main() {
    println!(
        "cargo::rustc-check-cfg=cfg(dlfs2_chromium, dlfs2_chromedriver, dlfs2_wasm_target, dlfs2_root)"
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

/// Whether this build runs as root: the effective uid on `/proc/self/status`'s `Uid:` line.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

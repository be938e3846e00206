//! Finds a Chromium for the browser tests (`tests/browser.rs`) when the xtask is built: the
//! harness can report a test as skipped only before it starts, so whether the browser is here is
//! decided now, as the cfg `dlfs2_chromium`, and the tests without it are `#[ignore]`d with the
//! reason instead of passing without checking anything.

use std::path::PathBuf;

const NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(dlfs2_chromium)");
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
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| NAMES.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

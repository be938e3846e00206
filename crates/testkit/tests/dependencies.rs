//! What the workspace compiles, read from `cargo tree`: training without the drawing stack, and
//! one version of each image codec.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// `cargo tree` with `args`, one package a line (`name vX.Y.Z ...`), run offline from the lock
/// file (the tests were built, so every package is on this machine).
fn tree(args: &[&str]) -> Vec<(String, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "--prefix",
            "none",
            "-e",
            "normal",
        ])
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((w.next()?.to_string(), w.next()?.to_string()))
        })
        .collect()
}

#[test]
fn training_compiles_no_drawing_or_image_code() {
    let names: BTreeSet<String> = tree(&["-p", "train"]).into_iter().map(|p| p.0).collect();
    assert!(
        names.contains("tensor") && names.contains("layers"),
        "{names:?}"
    );
    for drawing in ["viz", "plotters", "png", "image", "gif", "boundary"] {
        assert!(
            !names.contains(drawing),
            "train pulls in {drawing}: {names:?}"
        );
    }
}

#[test]
fn one_version_of_each_crate_but_two_known_ones() {
    let mut versions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, version) in tree(&["--workspace"]) {
        versions.entry(name).or_default().insert(version);
    }
    assert!(
        versions.contains_key("plotters"),
        "the whole workspace was read"
    );
    assert!(
        !versions.contains_key("image"),
        "plotters' bitmap encoder is off"
    );
    let twice: Vec<_> = versions
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(n, v)| format!("{n} {v:?}"))
        .collect();
    // Each allowed twice by one crate's own choice, not by a second stack of ours: png 0.18 takes
    // miniz_oxide 0.8 itself and 0.9 through flate2; maud 0.27's macros build on syn 2, serde's
    // derive on syn 3 (both compile-time only).
    let allowed = ["miniz_oxide ", "syn "];
    assert!(
        twice
            .iter()
            .all(|t| allowed.iter().any(|a| t.starts_with(a))),
        "packages in two versions: {twice:?}"
    );
}

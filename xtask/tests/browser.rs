//! report.html and compare.html in a real browser: headless Chromium opens them from disk with
//! the network off, and the test reads the DOM it built and its screenshots. `.ci/run` installs
//! Debian's `chromium` where it is missing, so CI runs these. The xtask's build script looks for
//! the browser (`$CHROMIUM`, or `chromium`, `chromium-browser`, `google-chrome` on `PATH`); where
//! there is none the tests are ignored with the reason, and under `CI=true` that is a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The browser the build script found.
fn browser() -> PathBuf {
    let Some(path) = option_env!("DLFS2_CHROMIUM") else {
        panic!("no chromium was found when the xtask was built (apt-get install chromium)");
    };
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "{} was found when the xtask was built and is gone now",
        path.display()
    );
    path
}

#[test]
fn ci_runs_the_browser_tests() {
    if std::env::var_os("CI").is_some() {
        assert!(
            option_env!("DLFS2_CHROMIUM").is_some(),
            "CI must run the browser tests: .ci/run installs chromium"
        );
    }
}

/// Chromium headless on `url`, with no network: every host resolves nowhere and the proxy is a
/// closed port. `extra` are further flags.
fn headless(browser: &Path, url: &str, extra: &[&str]) -> Output {
    // A profile of its own for every call: Chromium hands a second start on one profile to the
    // first process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let profile = std::env::temp_dir().join(format!("dlfs2-chromium-{}-{n}", std::process::id()));
    let mut c = Command::new(browser);
    c
        // cargo's test environment points the dynamic loader at its own libraries.
        .env_remove("LD_LIBRARY_PATH")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--window-size=1100,800",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url);
    c.output().expect("chromium runs")
}

fn dom(browser: &Path, url: &str, extra: &[&str]) -> String {
    let mut args = vec!["--dump-dom"];
    args.extend_from_slice(extra);
    let o = headless(browser, url, &args);
    let log = String::from_utf8_lossy(&o.stderr);
    // Script errors and failed loads reach the log as console messages.
    for line in log.lines() {
        assert!(
            !(line.contains("CONSOLE") || line.contains("Uncaught") || line.contains("net::ERR")),
            "{url}: {line}"
        );
    }
    assert!(!o.stdout.is_empty(), "{url}: no DOM ({}): {log}", o.status);
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn screenshot(browser: &Path, url: &str, name: &str) -> testkit::picture::Rgb {
    let path = std::env::temp_dir().join(format!("dlfs2-{}-{name}.png", std::process::id()));
    let o = headless(browser, url, &[&format!("--screenshot={}", path.display())]);
    assert!(
        path.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let img = testkit::picture::read_png(&path).unwrap_or_else(|e| panic!("{e}"));
    // Kept for a person to look at: the file name says which page and frame.
    let keep = std::env::temp_dir().join(format!("dlfs2-screenshot-{name}.png"));
    let _ = std::fs::copy(&path, keep);
    img
}

/// The text of the element with this id in a DOM dump.
fn text_of(dom: &str, id: &str) -> String {
    let start = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| {
        panic!(
            "no #{id} in {} bytes: {}",
            dom.len(),
            &dom[..dom.len().min(300)]
        )
    });
    let open = start + dom[start..].find('>').unwrap() + 1;
    let close = open + dom[open..].find('<').unwrap();
    dom[open..close].to_string()
}

fn differing_pixels(a: &testkit::picture::Rgb, b: &testkit::picture::Rgb) -> usize {
    a.pixels
        .iter()
        .zip(&b.pixels)
        .filter(|(p, q)| p != q)
        .count()
}

fn self_contained(html: &str) {
    for needle in [
        "http://",
        "https://",
        "src=\"//",
        "href=\"//",
        "@import",
        "url(",
    ] {
        assert!(
            !html.contains(needle),
            "the page refers outside itself: {needle}"
        );
    }
}

#[test]
#[cfg_attr(
    not(dlfs2_chromium),
    ignore = "no chromium found when the xtask was built (apt-get install chromium)"
)]
fn report_html_plays_its_frames_from_disk_with_the_network_off() {
    let browser = browser();
    let out = std::env::temp_dir().join(format!("dlfs2-browser-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "chapter1",
            "--quiet",
            "--grid-step",
            "0.02",
            "--frames",
            "12",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = out.join("report.html");
    self_contained(&std::fs::read_to_string(&page).unwrap());
    let url = format!("file://{}", page.display());

    let first = dom(&browser, &format!("{url}#frame=0"), &[]);
    assert_eq!(text_of(&first, "epoch"), "0.0");
    assert_eq!(text_of(&first, "frame-index"), "0");
    assert!(
        text_of(&first, "details").contains("accuracy 0.333"),
        "the initial weights guess one class"
    );
    let last = dom(&browser, &format!("{url}#frame=last"), &[]);
    assert_eq!(text_of(&last, "epoch"), "300.0");
    assert_eq!(text_of(&last, "frame-index"), "11");
    let middle = dom(&browser, &format!("{url}#frame=5"), &[]);
    let epoch: f64 = text_of(&middle, "epoch").parse().unwrap();
    assert!(epoch > 0.0 && epoch < 300.0, "{epoch}");
    // Without JavaScript the page is its markup, which shows the final state.
    let markup = std::fs::read_to_string(&page).unwrap();
    assert_eq!(text_of(&markup, "epoch"), "300.0");
    assert_eq!(text_of(&markup, "frame-index"), "11");
    // The pictures change between the first and the last frame (the boundary formed).
    let a = screenshot(&browser, &format!("{url}#frame=0"), "report-frame-0");
    let b = screenshot(&browser, &format!("{url}#frame=last"), "report-frame-last");
    assert_eq!(a.dimensions(), b.dimensions());
    let changed = differing_pixels(&a, &b);
    assert!(changed > 20_000, "only {changed} pixels differ");
}

#[test]
#[cfg_attr(
    not(dlfs2_chromium),
    ignore = "no chromium found when the xtask was built (apt-get install chromium)"
)]
fn compare_html_shows_every_run_from_disk_with_the_network_off() {
    let browser = browser();
    let out = std::env::temp_dir().join(format!("dlfs2-browser-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "compare",
            "--optimizers",
            "sgd,adam",
            "--max-epoch",
            "40",
            "--frames",
            "8",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = out.join("compare.html");
    self_contained(&std::fs::read_to_string(&page).unwrap());
    let url = format!("file://{}", page.display());
    let first = dom(&browser, &format!("{url}#frame=0"), &[]);
    assert_eq!(text_of(&first, "epoch"), "0.0");
    assert!(
        first.contains("sgd") && first.contains("adam"),
        "every run is named"
    );
    let last = dom(&browser, &format!("{url}#frame=last"), &[]);
    assert_eq!(text_of(&last, "epoch"), "40.0");
    let a = screenshot(&browser, &format!("{url}#frame=0"), "compare-frame-0");
    let b = screenshot(&browser, &format!("{url}#frame=last"), "compare-frame-last");
    assert!(differing_pixels(&a, &b) > 10_000);
}

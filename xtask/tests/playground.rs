//! The playground in a real browser: `cargo xtask playground` writes the page, and headless
//! Chromium, driven over WebDriver (`chromedriver`) with the network off, opens it from disk and
//! is clicked as a user would. The build script finds Chromium, its driver and the wasm target;
//! where one is missing the tests are ignored with the reason (and `.ci/run` installs them).

mod webdriver;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Value, json};
use webdriver::Browser;

/// The page, built once for every test of this file.
fn page() -> &'static Path {
    static PAGE: OnceLock<PathBuf> = OnceLock::new();
    PAGE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("dlfs2-playground-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = dir.join("playground.html");
        let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["playground", "--out"])
            .arg(&out)
            .output()
            .expect("xtask runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    })
}

/// A program the build script found (`DLFS2_CHROMIUM`, `DLFS2_CHROMEDRIVER`).
fn found(program: Option<&'static str>, what: &str) -> &'static Path {
    Path::new(program.unwrap_or_else(|| panic!("no {what} was found when the xtask was built")))
}

fn browser(width: u32, height: u32) -> Browser {
    Browser::start(
        found(option_env!("DLFS2_CHROMIUM"), "chromium"),
        found(option_env!("DLFS2_CHROMEDRIVER"), "chromedriver"),
        width,
        height,
    )
}

/// Opens the page at `fragment` and waits for its first frame.
fn open(b: &mut Browser, fragment: &str) {
    b.open(&format!("file://{}#{fragment}", page().display()));
    b.wait_for("return document.body.dataset.ready === 'true'", 60);
}

fn status(b: &mut Browser) -> Value {
    b.run("return window.dlfs2.status()", json!([]))
}

#[test]
fn ci_runs_the_playground_tests() {
    let here = cfg!(all(dlfs2_chromium, dlfs2_chromedriver, dlfs2_wasm_target));
    if std::env::var_os("CI").is_some() {
        assert!(
            here,
            "CI must run the playground's browser tests: .ci/run installs chromium, \
             chromium-driver and the wasm32-unknown-unknown target"
        );
    }
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Panics unless `got` and `want` hold the same numbers, bit for bit.
fn assert_same_bits(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    if let Some((i, (g, w))) = got
        .iter()
        .zip(want)
        .enumerate()
        .find(|(_, (g, w))| g.to_bits() != w.to_bits())
    {
        panic!("{what}: value {i} is {g:e}, want {w:e} (bit for bit)");
    }
}

/// No script error, failed load or warning reached the console.
fn quiet_console(b: &mut Browser) {
    let bad: Vec<_> = b
        .console()
        .into_iter()
        .filter(|(level, _)| level == "SEVERE" || level == "WARNING")
        .collect();
    assert!(bad.is_empty(), "console: {bad:?}");
}

macro_rules! browser_test {
    ($name:ident $body:block) => {
        #[test]
        #[cfg_attr(
            not(all(dlfs2_chromium, dlfs2_chromedriver, dlfs2_wasm_target)),
            ignore = "needs chromium, chromium-driver and the wasm32-unknown-unknown target (.ci/run installs them)"
        )]
        fn $name() $body
    };
}

browser_test!(the_default_page_trains_the_books_run_offline {
    let mut b = browser(1280, 1000);
    open(&mut b, "run=300");
    assert_eq!(b.text("epoch"), "300");
    let losses = numbers(&b.run("return window.dlfs2.losses()", json!([])));
    // `cargo xtask chapter1`'s loss.csv is train.py's, bit for bit (tests/chapter1.rs).
    let book = train::book_run::<f64>(1984, tensor::Device::Cpu, &train::TRAIN_PY).unwrap();
    assert_same_bits("the page's losses", &losses, &book.loss_list);
    assert_eq!(b.text("loss"), format!("{:.4}", book.loss_list[299]));
    let page_size = std::fs::metadata(page()).unwrap().len();
    assert!(page_size < 2_000_000, "the page is {page_size} bytes");
    quiet_console(&mut b);
});

browser_test!(play_pause_and_step_do_what_they_say {
    let mut b = browser(1280, 1000);
    open(&mut b, "");
    let boundary = "return document.querySelector('[data-testid=boundary]').toDataURL()";
    let before = b.run(boundary, json!([]));
    assert_eq!(b.text("steps"), "0");
    b.click("play");
    b.wait_for("return window.dlfs2.status().epoch >= 3", 60);
    b.click("pause");
    assert_ne!(b.run(boundary, json!([])), before, "the boundary picture changed");
    let paused = status(&mut b)["steps"].clone();
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert_eq!(status(&mut b)["steps"], paused, "pause stops training");
    assert_eq!(b.text("steps"), paused.to_string());
    b.click("step");
    assert_eq!(status(&mut b)["steps"], paused.as_u64().unwrap() + 1, "step is one iteration");
    b.click("reset");
    assert_eq!(status(&mut b)["steps"], 0);
    quiet_console(&mut b);
});

browser_test!(the_address_sets_every_setting_and_a_bad_one_is_refused {
    let mut b = browser(1280, 1000);
    // Another optimizer, width and data: the page's numbers are that setting's.
    let fragment = "data=circles&hidden=16&optimizer=adam&val=0.2&run=12";
    open(&mut b, fragment);
    let losses = numbers(&b.run("return window.dlfs2.losses()", json!([])));
    let mut native = playground::Session::new(playground::Settings::parse(fragment).unwrap(), None)
        .unwrap();
    for _ in 0..12 {
        native.step_epoch().unwrap();
    }
    let want: Vec<f64> = native.records().iter().map(|r| r.1).collect();
    assert_same_bits("adam's losses", &losses, &want);
    assert_eq!(status(&mut b)["lr"], 0.03);
    assert!(b.text("val-accuracy").parse::<f64>().is_ok(), "the validation score is shown");
    // Bad addresses: one message, and the book's run instead.
    for (bad, says) in [
        ("hidden=0", "hidden=0"),
        ("bogus=1", "bogus"),
        ("lr=NaN", "lr=NaN"),
        ("points=99999999", "points"),
        ("seed=-5", "seed=-5"),
        ("run=1e9", "run"),
    ] {
        open(&mut b, bad);
        let message = b.text("message");
        assert!(message.contains(says) && message.contains("book's run"), "{bad}: {message}");
        let s = status(&mut b);
        assert_eq!((s["steps"].clone(), s["fragment"].clone()), (json!(0), json!("")), "{bad}");
    }
    quiet_console(&mut b);
});

browser_test!(a_dropped_csv_trains_and_a_bad_one_changes_nothing {
    let mut b = browser(1280, 1000);
    open(&mut b, "");
    let drop = "const dt = new DataTransfer(); \
        dt.items.add(new File([arguments[0]], 'points.csv', {type: 'text/csv'})); \
        document.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));";
    let mut csv = String::from("x1,x2,label\n");
    for i in 0..60 {
        let (c, a) = (i % 3, i as f64 * 0.37);
        csv.push_str(&format!("{},{},{c}\n", c as f64 + 0.1 * a.sin(), 0.1 * a.cos()));
    }
    b.run(drop, json!([csv]));
    b.wait_for("return document.querySelector('[data-testid=message]').textContent.includes('60 points')", 20);
    assert_eq!(b.run("return location.hash", json!([])), json!("#data=csv"));
    assert_eq!(status(&mut b)["classes"], 3);
    b.click("step-epoch");
    assert_eq!(b.text("epoch"), "1");
    let before = status(&mut b);
    b.run(drop, json!(["x1,x2,label\n0,0,0\n1,1\n"]));
    b.wait_for("return document.querySelector('[data-testid=message]').textContent.includes('line 3')", 20);
    assert_eq!(status(&mut b), before, "a bad file changes nothing");
    quiet_console(&mut b);
});

browser_test!(every_optimizer_and_data_set_in_the_page_is_the_native_run_bit_for_bit {
    // The page's `log`, `sin`, `cos`, `exp` and `pow` are glibc's algorithms (tensor::math), so
    // the browser's wasm gives the native numbers, not just close ones. In f32 too, here: its
    // `exp` is dlfs2's own and the loss's f32 `ln` is the same algorithm in glibc and the libm
    // crate (not promised beyond these settings).
    let mut b = browser(1280, 1000);
    let data = ["spiral", "moons", "circles", "xor", "blobs", "spiral"];
    let optimizers = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"];
    let settings = optimizers.iter().zip(data);
    let mut f64_losses = Vec::new();
    for ((optimizer, data), precision) in settings.flat_map(|s| [(s, "f64"), (s, "f32")]) {
        let fragment =
            format!("data={data}&optimizer={optimizer}&seed=7&precision={precision}&run=4");
        open(&mut b, &fragment);
        let losses = numbers(&b.run("return window.dlfs2.losses()", json!([])));
        let mut native =
            playground::Session::new(playground::Settings::parse(&fragment).unwrap(), None).unwrap();
        for _ in 0..4 {
            native.step_epoch().unwrap();
        }
        let want: Vec<f64> = native.records().iter().map(|r| r.1).collect();
        assert!(!want.is_empty(), "{fragment}: no loss records");
        assert_same_bits(&fragment, &losses, &want);
        if precision == "f64" {
            f64_losses = losses;
        } else {
            assert_ne!(losses, f64_losses, "{fragment}: the page ran in f32");
        }
    }
});

browser_test!(the_exports_reproduce_the_page {
    let mut b = browser(1280, 1000);
    open(&mut b, "data=moons&hidden=6&optimizer=momentum&val=0.2&batch=20&run=15");
    let losses = numbers(&b.run("return window.dlfs2.losses()", json!([])));
    let command = b.text("export-command");
    let csv = b.run("return window.dlfs2.exportText(1)", json!([]));
    let model: Vec<u8> = b
        .run("return window.dlfs2.exportModel()", json!([]))
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u8)
        .collect();
    let dir = std::env::temp_dir().join(format!("dlfs2-playground-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("playground-data.csv"), csv.as_str().unwrap()).unwrap();
    // The command as a user pastes it, with the output folder and a quick grid added.
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&args[..3], ["cargo", "xtask", "chapter1"], "{command}");
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(&dir)
        .args(&args[2..])
        .args(["--out", "cli", "--quiet", "--frames", "0", "--grid-step", "0.05"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{command}: {}", String::from_utf8_lossy(&o.stderr));
    let cli: Vec<f64> = std::fs::read_to_string(dir.join("cli/loss.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap().1.parse().unwrap())
        .collect();
    assert_same_bits(&command, &losses, &cli);
    // The page's model file loads in the CLI's loader, checksum verified, and holds the CLI's
    // params bit for bit.
    let path = dir.join("model.safetensors");
    std::fs::write(&path, &model).unwrap();
    let mut net = layers::TwoLayerNet::<f64>::new(2, 6, 2, &mut tensor::random::BookRng::new(0), tensor::Device::Cpu).unwrap();
    train::checkpoint::load_params(&path, &mut net).unwrap();
    let parse = |p: &Path| train::checkpoint::parse(p, &std::fs::read(p).unwrap()).unwrap().tensors;
    let (page_params, cli_params) = (parse(&path), parse(&dir.join("cli/model.safetensors")));
    for (name, (_, _, values)) in &cli_params {
        assert_same_bits(name, &page_params[name].2, values);
    }
    std::fs::remove_dir_all(&dir).unwrap();
});

browser_test!(screenshots_at_desktop_and_phone_width {
    for (name, w, h) in [("desktop", 1280, 1000), ("phone", 390, 844)] {
        let mut b = browser(w, h);
        open(&mut b, "run=60");
        let png = b.screenshot();
        let img = testkit::picture::read_png_bytes(&png).unwrap();
        // The window's width; its height less the (headless) browser's frame.
        assert_eq!(img.dimensions().0, w, "{name}");
        assert!(img.dimensions().1 > h / 2, "{name}");
        // Not blank: the boundary's class colours are on screen.
        let coloured = img.pixels.iter().filter(|p| p[0].abs_diff(p[2]) > 60).count();
        assert!(coloured > 2000, "{name}: {coloured} coloured pixels");
        // Kept for a person to look at.
        let keep = std::env::temp_dir().join(format!("dlfs2-screenshot-playground-{name}.png"));
        std::fs::write(keep, &png).unwrap();
        quiet_console(&mut b);
    }
});

/// The page's speed beside the same code natively, in one run (BENCHMARKS.md): run with
/// `cargo test --release -p xtask --test playground -- --ignored --nocapture speed`.
#[test]
#[ignore = "a measurement, not a check: run it with --ignored to print the figures"]
fn speed_of_the_page_beside_native() {
    let mut b = browser(1280, 1000);
    let t0 = std::time::Instant::now();
    open(&mut b, "");
    let opened = t0.elapsed().as_secs_f64() * 1e3;
    let first_frame: f64 = b
        .run(
            "return Number(document.body.dataset.firstFrameMs)",
            json!([]),
        )
        .as_f64()
        .unwrap();
    let page_ms: Vec<f64> = (0..3)
        .map(|_| {
            b.click("reset");
            b.run("return window.dlfs2.bench(300)", json!([]))
                .as_f64()
                .unwrap()
        })
        .collect();
    let native_ms: Vec<f64> = (0..3)
        .map(|_| {
            let mut s = playground::Session::new(playground::Settings::default(), None).unwrap();
            let t = std::time::Instant::now();
            for _ in 0..300 {
                s.step_epoch().unwrap();
            }
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    b.click("reset");
    b.click("play");
    let frames0 = b
        .run("return window.dlfs2.frameCount()", json!([]))
        .as_f64()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let frames1 = b
        .run("return window.dlfs2.frameCount()", json!([]))
        .as_f64()
        .unwrap();
    b.click("pause");
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "page {:.0} KB; first frame {first_frame:.0} ms after the script started (page opened in {opened:.0} ms); \
         300 epochs: page {:.0} ms, native {:.0} ms (ratio {:.2}); live view {:.1} frames/s at 10 steps a frame",
        std::fs::metadata(page()).unwrap().len() as f64 / 1024.0,
        min(&page_ms),
        min(&native_ms),
        min(&page_ms) / min(&native_ms),
        (frames1 - frames0) / 3.0
    );
}

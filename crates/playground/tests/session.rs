//! The playground's run natively (the same code the page runs as WebAssembly): the book's
//! numbers at the default settings, stepping an iteration at a time as `fit` would, and exports
//! that load where the CLI's do.

use playground::{Session, Settings};
use tensor::Device;

fn session(fragment: &str) -> Session {
    Session::new(Settings::parse(fragment).unwrap(), None).unwrap()
}

#[test]
fn the_default_page_run_is_train_py_bit_for_bit() {
    let mut s = session("");
    s.step(3000).unwrap();
    let book = train::book_run::<f64>(1984, Device::Cpu, &train::TRAIN_PY).unwrap();
    let page: Vec<u64> = s.records().iter().map(|r| r.1.to_bits()).collect();
    let want: Vec<u64> = book.loss_list.iter().map(|l| l.to_bits()).collect();
    assert_eq!(page, want);
    let st = s.status();
    assert_eq!((st.epoch, st.iter, st.steps), (300, 0, 3000));
}

#[test]
fn stepping_by_iterations_or_epochs_gives_the_same_run() {
    let mut a = session("data=moons&hidden=6&optimizer=adam&batch=16&val=0.2");
    let mut b = session("data=moons&hidden=6&optimizer=adam&batch=16&val=0.2");
    for _ in 0..7 {
        a.step_epoch().unwrap();
    }
    let per = b.status().max_iters;
    for _ in 0..7 * per {
        b.step(1).unwrap();
    }
    assert_eq!(a.records(), b.records());
    assert_eq!(a.params().unwrap(), b.params().unwrap());
    // Mid-epoch, "epoch" finishes the epoch under way.
    b.step(3).unwrap();
    b.step_epoch().unwrap();
    assert_eq!((b.status().epoch, b.status().iter), (8, 0));
    // Two moons of 100 points, a fifth of each held out: 160 train, in batches of 16.
    assert_eq!(a.data.labels.len(), 160);
    assert_eq!(a.data.held_labels.len(), 40);
    assert_eq!(per, 10);
    let m = a.metrics().last().unwrap();
    assert!(m.validation.is_some() && m.train_accuracy > 0.5, "{m:?}");
}

#[test]
fn the_exported_model_loads_with_its_checksum_verified() {
    let mut s = session("hidden=7&run=3");
    s.step_epoch().unwrap();
    let bytes = s.model_file().unwrap();
    let dir = std::env::temp_dir().join(format!("dlfs2-pg-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    std::fs::write(&path, &bytes).unwrap();
    let mut model =
        layers::TwoLayerNet::<f64>::new(2, 7, 3, &mut tensor::random::BookRng::new(1), Device::Cpu)
            .unwrap();
    train::checkpoint::load_params(&path, &mut model).unwrap();
    let mut loaded = Vec::new();
    tensor::Params::visit_params(&mut model, &mut |p| {
        loaded.push((p.name, p.value.to_f64_array()?));
        Ok(())
    })
    .unwrap();
    assert_eq!(loaded, s.params().unwrap());
    // A flipped byte is refused.
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    std::fs::write(&path, &bad).unwrap();
    assert!(train::checkpoint::load_params(&path, &mut model).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_data_and_sizes_are_messages_not_panics() {
    for (fragment, says) in [
        ("batch=301", "batch=301"),
        ("data=csv", "drop a CSV file"),
        ("points=5&batch=30&data=xor", "batch=30"),
    ] {
        let e = Session::new(Settings::parse(fragment).unwrap(), None)
            .err()
            .unwrap();
        assert!(e.to_string().contains(says), "{fragment}: {e}");
    }
    let csv = data::csv::parse_csv(b"x1,x2,label\n0,0,0\n1,1,1\n2,2,0\n").unwrap();
    let mut s = Session::new(Settings::parse("data=csv&batch=2").unwrap(), Some(&csv)).unwrap();
    s.step(4).unwrap();
    assert_eq!(s.status().steps, 4);
}

/// The exported Python script against the book's own code: with `DLFS2_BOOK` naming a checkout of
/// deep-learning-from-scratch-2 and numpy as the golden files' (OpenBLAS's Haswell kernels, and
/// numpy's AVX2 code, whose `exp` and `log` are glibc's: on an AVX-512 machine numpy uses its
/// own), the script's last loss is the page's, bit for bit. Not run by default (it needs the
/// book's code and numpy); checked 2026-12-03 with the book at 842ae31 and numpy 2.4.6:
/// `DLFS2_BOOK=... OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL"
/// cargo test -p playground -- --ignored book`.
#[test]
#[ignore = "needs DLFS2_BOOK (the book's code) and python3 with numpy"]
fn the_python_script_runs_the_books_code_to_the_same_loss() {
    let book = std::path::PathBuf::from(std::env::var("DLFS2_BOOK").expect("DLFS2_BOOK"));
    for fragment in [
        "run=0",
        "data=moons&hidden=6&optimizer=momentum&val=0.2&batch=20",
    ] {
        let mut s = session(fragment);
        for _ in 0..15 {
            s.step_epoch().unwrap();
        }
        let dir = book.join("ch01");
        std::fs::write(
            dir.join(playground::export::DATA_FILE),
            playground::export::data_csv(&s),
        )
        .unwrap();
        let script = dir.join("dlfs2_playground_check.py");
        std::fs::write(&script, playground::export::python_script(&s)).unwrap();
        let o = std::process::Command::new("python3")
            .arg(&script)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8_lossy(&o.stdout);
        let last: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix("last loss "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(last, s.records().last().unwrap().1, "{fragment}: {text}");
    }
}

//! `bench --isa avx2`'s CPUID mask (`bench/cpuid_avx2.c`), compiled as the bench compiles it and
//! preloaded into a small C program (`tests/cpuid_probe.c`): every thread and child sees AVX2 and
//! FMA without AVX-512 or AMX, and a real segmentation fault still reaches the program's own
//! handler, or ends the process as it would without the mask. Needs CPUID faulting, so the tests
//! are ignored with the reason where the machine lacks it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A folder of the test's own, new each run.
fn scratch(name: &str) -> PathBuf {
    let d = common::out_dir(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Compiles `source` into `out` with the C compiler (`$CC`, else `cc`), as the bench does.
fn compile(source: &str, out: &Path, extra: &[&str]) {
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(source);
    let o = Command::new(cc)
        .args(["-O2", "-o"])
        .arg(out)
        .arg(src)
        .args(extra)
        .output()
        .expect("the C compiler runs");
    assert!(
        o.status.success(),
        "{source}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The mask and the probe, built in `dir`.
fn build(dir: &Path) -> (PathBuf, PathBuf) {
    let mask = dir.join("libcpuid_avx2.so");
    let probe = dir.join("cpuid_probe");
    compile("bench/cpuid_avx2.c", &mask, &["-shared", "-fPIC", "-ldl"]);
    compile("tests/cpuid_probe.c", &probe, &["-lpthread", "-ldl"]);
    (mask, probe)
}

fn probe(probe: &Path, mask: Option<&Path>, mode: &str) -> Output {
    let mut c = Command::new(probe);
    c.arg(mode).env_remove("LD_PRELOAD");
    if let Some(m) = mask {
        c.env("LD_PRELOAD", m);
    }
    c.output().unwrap()
}

/// The probe's `WHO key=value ...` line as (key, value) pairs.
fn fields<'a>(text: &'a str, who: &str) -> Vec<(&'a str, &'a str)> {
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(who))
        .unwrap_or_else(|| panic!("no {who} line in:\n{text}"));
    line.split_whitespace()
        .skip(1)
        .filter_map(|kv| kv.split_once('='))
        .collect()
}

fn value(text: &str, who: &str, key: &str) -> String {
    fields(text, who)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
        .unwrap_or_else(|| panic!("no {key} on the {who} line of:\n{text}"))
}

/// This CPU's flags as the kernel lists them.
fn has_flag(flag: &str) -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("flags"))
        .is_some_and(|l| l.split_whitespace().any(|f| f == flag))
}

/// A test that needs CPUID faulting: ignored, with the reason, where the xtask was built without.
macro_rules! cpuid_fault_test {
    ($name:ident $body:block) => {
        #[test]
        #[cfg_attr(
            not(dlfs2_cpuid_fault),
            ignore = "needs x86-64 Linux with CPUID faulting (/proc/cpuinfo: cpuid_fault) when the xtask was built"
        )]
        fn $name() $body
    };
}

cpuid_fault_test!(every_thread_and_child_sees_avx2_and_fma_without_avx512 {
    let dir = scratch("cpuid-view");
    let (mask, exe) = build(&dir);
    let plain = probe(&exe, None, "view");
    let masked = probe(&exe, Some(&mask), "view");
    assert!(plain.status.success() && masked.status.success());
    let (plain, masked) = (
        String::from_utf8_lossy(&plain.stdout).to_string(),
        String::from_utf8_lossy(&masked.stdout).to_string(),
    );
    // Without the mask the probe reads the real CPU (so the masked zeros below mean something).
    assert_eq!(
        value(&plain, "main", "avx512f"),
        u8::from(has_flag("avx512f")).to_string()
    );
    assert_eq!(
        value(&plain, "main", "amx_tile"),
        u8::from(has_flag("amx_tile")).to_string()
    );
    assert_eq!(
        value_alone(&plain),
        Some(-1),
        "the mask's symbol without the mask"
    );
    for who in ["main", "thread", "child"] {
        for (key, want) in [
            ("avx2", "1"),
            ("fma", "1"),
            ("avx512f", "0"),
            ("avx512bw", "0"),
            ("amx_tile", "0"),
            ("zmm_state", "0"),
        ] {
            assert_eq!(value(&masked, who, key), want, "{who} {key}:\n{masked}");
        }
    }
    // The forked child counts in its own copy of the counter: the four CPUID instructions of the
    // main thread's line and the four of the new thread's are counted here.
    let answered = value_alone(&masked).unwrap();
    assert!(answered >= 8, "{masked}");
    let _ = std::fs::remove_dir_all(&dir);
});

/// `answered=N` has no WHO before it: the probe prints it alone.
fn value_alone(text: &str) -> Option<i64> {
    text.lines()
        .find_map(|l| l.strip_prefix("answered="))
        .and_then(|v| v.parse().ok())
}

cpuid_fault_test!(a_real_fault_reaches_the_programs_handler_or_ends_the_process {
    use std::os::unix::process::ExitStatusExt;
    let dir = scratch("cpuid-fault");
    let (mask, exe) = build(&dir);
    for mode in ["sigaction-handler", "signal-handler"] {
        let o = probe(&exe, Some(&mask), mode);
        let text = String::from_utf8_lossy(&o.stdout);
        // The CPUID before the fault was answered (masked), not handed to the program's handler.
        assert_eq!(
            value(&text, "before-fault", "avx512f"),
            "0",
            "{mode}: {text}"
        );
        assert_eq!(value(&text, "before-fault", "avx2"), "1", "{mode}: {text}");
        assert!(text.contains("own handler"), "{mode}: {text}");
        assert_eq!(o.status.code(), Some(3), "{mode}: {:?}", o.status);
    }
    for mask in [None, Some(mask.as_path())] {
        let o = probe(&exe, mask, "crash");
        assert_eq!(
            o.status.signal(),
            Some(libc::SIGSEGV),
            "{mask:?}: {:?}",
            o.status
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
});

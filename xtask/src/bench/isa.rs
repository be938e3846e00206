//! `cargo xtask bench --isa avx2`: every measured process — dlfs2's workloads, the previous build,
//! numpy and JAX — held to the AVX2 + FMA instruction set of the machines most users have, on a
//! machine that also has AVX-512.
//!
//! dlfs2 can be told (`DLFS2_GEMM=avx2`) and OpenBLAS can be told (`OPENBLAS_CORETYPE`), but JAX's
//! dots go to YNNPACK, which picks its kernels from CPUID and heeds no flag. So on such a machine
//! the processes run with `bench/cpuid_avx2.c` preloaded: Linux's CPUID faulting makes every CPUID
//! instruction trap, and the library answers it as an AVX2-only CPU would. Every reader of CPUID
//! in the process (Rust's feature detection, numpy's dispatch, OpenBLAS, LLVM in XLA, YNNPACK)
//! then sees the same CPU. The library is compiled here with the C compiler Rust links with, in a
//! folder made for it and removed afterwards.
//!
//! Where the CPU has no AVX-512 there is nothing to hide and nothing is preloaded. Where the mask
//! is needed and cannot work (no CPUID faulting, no C compiler), the bench stops with the reason
//! before anything is measured: a comparison that silently ran a peer on wider vectors would be
//! worse than none.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::scratch::Scratch;

/// The mask's source, carried in the binary so that a copied `xtask-bench` still has it.
const SOURCE: &str = include_str!("../../bench/cpuid_avx2.c");

/// The instruction sets the measured processes can be held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Isa {
    /// Each process uses the widest vectors it finds.
    Native,
    /// AVX2 + FMA, without AVX-512 or AMX, for dlfs2 and its peers alike.
    Avx2,
}

/// How the measured processes are started: the instruction set they are held to and, when the
/// CPU has to be masked for that, the preloaded library (removed on drop).
pub struct Held {
    isa: Isa,
    mask: Option<Mask>,
    /// What a process started so reported (`bench-run isa`); null for `native`.
    seen: Value,
}

/// The compiled mask, in a folder this run made (removed with it).
struct Mask {
    /// Kept for its drop, which removes the folder.
    _dir: Scratch,
    library: PathBuf,
}

impl Held {
    /// Prepares `isa` for this machine: for AVX2, compiles the mask where the CPU has AVX-512, and
    /// checks in a process started so that AVX-512 is hidden on its threads, AVX2 and FMA are not,
    /// and dlfs2 picks its AVX2 kernel.
    pub fn new(isa: Isa, exe: &Path) -> Result<Held> {
        let mut held = Held {
            isa,
            mask: None,
            seen: Value::Null,
        };
        if isa == Isa::Native {
            return Ok(held);
        }
        if !cfg!(all(target_arch = "x86_64", target_os = "linux")) {
            bail!("--isa avx2 holds processes to AVX2 on x86-64 Linux only");
        }
        let view = cpu_view();
        if !(view["avx2"] == true && view["fma"] == true) {
            bail!("--isa avx2: this CPU has no AVX2 + FMA to hold the processes to");
        }
        if view["avx512f"] == true {
            held.mask = Some(Mask::build()?);
        }
        let out = held
            .command(exe)
            .args(["bench-run", "isa", "f64"])
            .output()
            .context("cannot start the bench binary to check the instruction set it sees")?;
        held.seen = super::results::last_json(&out, "the instruction-set check")?;
        let hidden = |v: &Value| v["avx512f"] == false && v["avx2"] == true && v["fma"] == true;
        if !(hidden(&held.seen["main"]) && hidden(&held.seen["thread"])) {
            bail!(
                "--isa avx2: the CPUID mask did not hide AVX-512 here ({}); the processes would run on AVX-512",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        if held.seen["gemm_kernel"] != "Avx2" {
            bail!(
                "--isa avx2: the bench's processes would use the GEMM kernel {}, not Avx2",
                held.seen["gemm_kernel"]
            );
        }
        Ok(held)
    }

    /// Whether the processes run with the CPUID mask (AVX2 on a CPU that has AVX-512).
    pub fn masked(&self) -> bool {
        self.mask.is_some()
    }

    /// `program`, to be started with this instruction set: `DLFS2_GEMM=avx2` for dlfs2 and the
    /// mask preloaded, ahead of any `LD_PRELOAD` already set.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        if self.isa == Isa::Avx2 {
            c.env("DLFS2_GEMM", "avx2");
        }
        if let Some(mask) = &self.mask {
            let mut preload = mask.library.clone().into_os_string();
            if let Some(old) = std::env::var_os("LD_PRELOAD").filter(|v| !v.is_empty()) {
                preload.push(":");
                preload.push(old);
            }
            c.env("LD_PRELOAD", preload);
        }
        c
    }

    /// Checks that a peer's result says it ran masked (`cpuid_masked`, the number of CPUID
    /// instructions the mask answered in it), when the processes are masked.
    pub fn check_peer(&self, who: &str, result: &Value) -> Result<()> {
        if self.masked() && result["cpuid_masked"].as_i64().unwrap_or(0) <= 0 {
            bail!("{who} did not run under the CPUID mask: its figures would be on AVX-512");
        }
        Ok(())
    }

    /// What the run's JSON records of this.
    pub fn describe(&self) -> Value {
        json!({
            "held_to": match self.isa { Isa::Native => "native", Isa::Avx2 => "avx2" },
            "cpuid_masked": self.masked(),
            "cpu_has": cpu_view(),
            "measured_processes_see": self.seen.clone(),
        })
    }
}

impl Mask {
    /// Compiles the mask with `$CC` (else `cc`) in a new folder.
    fn build() -> Result<Mask> {
        let dir = Scratch::new("dlfs2-cpuid-avx2")?;
        let source = dir.path().join("cpuid_avx2.c");
        std::fs::write(&source, SOURCE)
            .with_context(|| format!("cannot write {}", source.display()))?;
        let library = dir.path().join("libcpuid_avx2.so");
        let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
        let out = Command::new(&cc)
            .args(["-O2", "-shared", "-fPIC", "-o"])
            .arg(&library)
            .arg(&source)
            .arg("-ldl")
            .output()
            .with_context(|| {
                format!("--isa avx2: cannot run the C compiler {cc:?} to build the CPUID mask")
            })?;
        if !out.status.success() {
            bail!(
                "--isa avx2: the CPUID mask did not compile: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(Mask { _dir: dir, library })
    }
}

/// The instruction sets CPUID reports now, on this thread: the instruction itself, each call
/// (std's feature detection answers from what it found first in the process, so it could not
/// show what a new thread sees).
pub fn cpu_view() -> Value {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{__cpuid, __cpuid_count};
        let bit = |r: u32, n: u32| (r >> n) & 1 == 1;
        let max_leaf = __cpuid(0).eax;
        let (l1, l7) = (__cpuid(1), __cpuid_count(7, 0));
        let has7 = max_leaf >= 7;
        json!({
            "avx2": has7 && bit(l7.ebx, 5),
            "fma": bit(l1.ecx, 12),
            "avx512f": has7 && bit(l7.ebx, 16),
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        json!({ "avx2": false, "fma": false, "avx512f": false })
    }
}

/// `bench-run isa`: what this process's CPUID says on its main thread and on a new one, and the
/// GEMM kernel it picks.
pub fn probe() -> Result<Value> {
    let thread = std::thread::spawn(cpu_view)
        .join()
        .map_err(|_| anyhow::anyhow!("the probe's thread failed"))?;
    Ok(json!({
        "workload": "isa", "main": cpu_view(), "thread": thread,
        "gemm_kernel": tensor::kernels::gemm::Kernel::best().map(|k| format!("{k:?}")),
    }))
}

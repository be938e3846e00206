//! `bench-run peak`: the machine's fused multiply-add throughput, the ceiling W3's GEMM is measured
//! against: 16 independent FMA chains per thread (enough to cover the FMA latency on two ports),
//! in the widest vectors the CPU has, on one thread and on every thread at once.

use std::time::Instant;

use anyhow::Result;
use serde_json::{Value, json};

use chapter1::Precision;

/// Iterations of the 16 chains: about 50 ms a thread at this machine's speed
/// (`DLFS2_PEAK_ITERS` overrides it, so that the tests run a short one).
fn iters() -> u64 {
    std::env::var("DLFS2_PEAK_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &u64| n > 0)
        .unwrap_or(20_000_000)
}

/// GFLOP/s of FMAs on one thread and on all, for `precision`.
pub fn peak(precision: Precision) -> Result<Value> {
    let threads = tensor::kernels::parallel::threads();
    let one = measure(precision, 1);
    let all = measure(precision, threads);
    Ok(json!({
        "workload": "peak FMA throughput (all threads)", "precision": match precision {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        },
        "device": "cpu", "unit": "GFLOP/s", "samples": [all],
        "one_thread": one, "threads": threads, "isa": isa(),
    }))
}

fn measure(precision: Precision, threads: usize) -> f64 {
    let start = Instant::now();
    let lanes_total: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| s.spawn(move || chains(precision)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    // Each lane of each FMA is a multiply and an add.
    2.0 * lanes_total as f64 / start.elapsed().as_secs_f64() / 1e9
}

fn isa() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            return "avx512f";
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            return "avx2+fma";
        }
    }
    "scalar"
}

/// Runs the chains and returns the FMA lanes computed.
fn chains(precision: Precision) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        let f32 = matches!(precision, Precision::F32);
        if std::is_x86_feature_detected!("avx512f") {
            if f32 {
                // SAFETY: AVX-512F checked just above.
                std::hint::black_box(unsafe { avx512_f32() });
            } else {
                // SAFETY: as above.
                std::hint::black_box(unsafe { avx512_f64() });
            }
            return iters() * 16 * if f32 { 16 } else { 8 };
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            if f32 {
                // SAFETY: AVX2 and FMA checked just above.
                std::hint::black_box(unsafe { avx2_f32() });
            } else {
                // SAFETY: as above.
                std::hint::black_box(unsafe { avx2_f64() });
            }
            return iters() * 16 * if f32 { 8 } else { 4 };
        }
    }
    let _ = precision;
    let mut acc = [1.0f64; 16];
    for _ in 0..iters() {
        for a in &mut acc {
            *a = a.mul_add(1.000_000_1, 1e-9);
        }
    }
    std::hint::black_box(acc);
    iters() * 16
}

macro_rules! fma_chains {
    ($name:ident, $feature:literal, $vec:ident, $set1:ident, $fmadd:ident, $t:ty) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        unsafe fn $name() -> [std::arch::x86_64::$vec; 16] {
            use std::arch::x86_64::*;
            let mut acc = [$set1(1.0 as $t); 16];
            let (a, b) = ($set1(1.000_000_1 as $t), $set1(1e-9 as $t));
            for _ in 0..iters() {
                for x in &mut acc {
                    *x = $fmadd(*x, a, b);
                }
            }
            acc
        }
    };
}

fma_chains!(
    avx512_f32,
    "avx512f",
    __m512,
    _mm512_set1_ps,
    _mm512_fmadd_ps,
    f32
);
fma_chains!(
    avx512_f64,
    "avx512f",
    __m512d,
    _mm512_set1_pd,
    _mm512_fmadd_pd,
    f64
);
fma_chains!(
    avx2_f32,
    "avx2,fma",
    __m256,
    _mm256_set1_ps,
    _mm256_fmadd_ps,
    f32
);
fma_chains!(
    avx2_f64,
    "avx2,fma",
    __m256d,
    _mm256_set1_pd,
    _mm256_fmadd_pd,
    f64
);

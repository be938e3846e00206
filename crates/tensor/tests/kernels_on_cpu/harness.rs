//! What every kernel group's test needs: the kernels compiled for the CPU and loaded, the
//! emulated launch, host buffers shared with the emulated threads, and the comparison.

use std::ffi::{CString, c_char, c_int, c_void};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

pub(crate) use ndarray::Array2;
pub(crate) use tensor::ops::update::Rule;
pub(crate) use tensor::random::{BookRng, RandomSource};
pub(crate) use tensor::{Device, Element, Labels, Tensor, ops};
pub(crate) use testkit::RULES;
pub(crate) use testkit::parity;

unsafe extern "C" {
    pub(crate) fn dlopen(filename: *const c_char, flag: c_int) -> *mut c_void;
    pub(crate) fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

pub(crate) const RTLD_NOW: c_int = 2;

pub(crate) type Thunk = extern "C" fn(*mut c_void);
pub(crate) type Launch = extern "C" fn(Thunk, *mut c_void, u32, u32);

/// The kernels compiled for the CPU, loaded.
pub(crate) struct Kernels {
    pub(crate) handle: usize,
    pub(crate) launch: Launch,
}

/// Compiles and loads the kernels once per test process. The tests that call this are ignored
/// where tensor's build found no C++ compiler (`dlfs2_cxx`); asked to run anyway, they fail here.
pub(crate) fn kernels() -> &'static Kernels {
    static K: OnceLock<Kernels> = OnceLock::new();
    K.get_or_init(|| {
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let shim = here.join("tests/kernels_on_cpu");
        let out = std::env::temp_dir().join(format!("dlfs2-kernels-cpu-{}.so", std::process::id()));
        let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".to_string());
        let status = Command::new(&cxx)
            .args([
                "-std=c++20",
                "-O1",
                "-fPIC",
                "-shared",
                "-ffp-contract=off",
                "-pthread",
            ])
            .arg("-I")
            .arg(&shim)
            .args(["-include", "shim.h", "-x", "c++"])
            .arg(here.join("src/cuda/kernels.cu"))
            .args(["-x", "c++"])
            .arg(shim.join("runner.cpp"))
            .arg("-o")
            .arg(&out)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => panic!("{cxx} could not compile kernels.cu for the CPU ({s})"),
            Err(e) => panic!("no C++ compiler ({cxx}: {e}): kernels.cu cannot run on the CPU"),
        }
        let path = CString::new(out.to_str().unwrap()).unwrap();
        // SAFETY: dlopen gets a NUL-terminated path to the library just built; it runs no code of
        // ours but the C++ static initializers of that library (none with side effects).
        let handle = unsafe { dlopen(path.as_ptr(), RTLD_NOW) };
        assert!(!handle.is_null(), "cannot load {}", out.display());
        let _ = std::fs::remove_file(&out);
        let mut k = Kernels {
            handle: handle as usize,
            launch: dummy_launch,
        };
        // SAFETY: `dlfs2_launch` in runner.cpp has exactly the `Launch` signature.
        k.launch = unsafe { k.sym::<Launch>("dlfs2_launch") };
        k
    })
}

pub(crate) extern "C" fn dummy_launch(_: Thunk, _: *mut c_void, _: u32, _: u32) {}

extern "C" fn thunk<F: Fn()>(ctx: *mut c_void) {
    // SAFETY: `run` passes a pointer to an `F` that outlives the launch.
    let f = unsafe { &*(ctx as *const F) };
    f();
}

impl Kernels {
    /// The symbol `name` as a function pointer of type `F`.
    ///
    /// # Safety
    /// `F` must be the symbol's C signature.
    pub(crate) unsafe fn sym<F: Copy>(&self, name: &str) -> F {
        let c = CString::new(name).unwrap();
        // SAFETY: the handle is the loaded library, the name NUL-terminated.
        let p = unsafe { dlsym(self.handle as *mut c_void, c.as_ptr()) };
        assert!(!p.is_null(), "kernels.cu has no {name}");
        // SAFETY: a function pointer and `*mut c_void` have the same size here; the caller vouches
        // for the signature.
        unsafe { std::mem::transmute_copy::<*mut c_void, F>(&p) }
    }

    /// Runs `body` (which calls one kernel) as every thread of a `grid x block` launch.
    pub(crate) fn run<F: Fn() + Sync>(&self, grid: u32, block: u32, body: F) {
        (self.launch)(thunk::<F>, &body as *const F as *mut c_void, grid, block);
    }
}

/// A host buffer's address, shareable with the emulated threads (they write disjoint elements,
/// as on a GPU).
#[derive(Clone, Copy)]
pub(crate) struct Addr(pub(crate) usize);

pub(crate) fn addr<T>(v: &mut [T]) -> Addr {
    Addr(v.as_mut_ptr() as usize)
}

impl Addr {
    pub(crate) fn p<T>(self) -> *mut T {
        self.0 as *mut T
    }
}

/// Random `r x c` values, as a CPU tensor of `T` and as host values of `T`.
pub(crate) fn random<T: Element>(
    rng: &mut BookRng,
    r: usize,
    c: usize,
    scale: f64,
) -> (Tensor<T>, Vec<T>) {
    let t = Tensor::from_f64((rng.randn_matrix(r, c) * scale).view(), Device::Cpu).unwrap();
    let v = host(&t);
    (t, v)
}

pub(crate) fn host<T: Element>(t: &Tensor<T>) -> Vec<T> {
    t.to_f64_array()
        .unwrap()
        .iter()
        .map(|&v| T::from_f64(v))
        .collect()
}

/// `|emu - cpu| <= atol + rtol * |cpu|` elementwise, with parity's tolerances for `T`.
pub(crate) fn assert_close<T: Element>(what: &str, cpu: &[T], emu: &[T]) {
    let (atol, rtol) = parity::tolerance::<T>();
    assert_eq!(
        cpu.len(),
        emu.len(),
        "{what} {}: lengths",
        T::DTYPE.as_str()
    );
    for (i, (c, e)) in cpu.iter().zip(emu).enumerate() {
        let (c, e) = (c.to_f64(), e.to_f64());
        assert!(
            (c - e).abs() <= atol + rtol * c.abs() || (c.is_nan() && e.is_nan()),
            "{what} {}: element {i}: cpu {c:e}, kernel {e:e}",
            T::DTYPE.as_str()
        );
    }
}

/// Two blocks of 32 threads: fewer threads than elements, so the grid-stride loops go round.
pub(crate) const GRID: u32 = 2;
pub(crate) const BLOCK: u32 = 32;

pub(crate) fn name<T: Element>(kernel: &str) -> String {
    format!("{kernel}_{}", T::DTYPE.as_str())
}

/// Tensors of several sizes (one larger than the grid) and their multi-kernel table.
pub(crate) struct Set<T: Element> {
    pub(crate) tensors: Vec<Tensor<T>>,
    pub(crate) values: Vec<Vec<T>>,
}

pub(crate) const SHAPES: [(usize, usize); 5] = [(2, 10), (1, 10), (10, 3), (1, 3), (40, 25)];

impl<T: Element> Set<T> {
    pub(crate) fn new(rng: &mut BookRng, scale: f64) -> Self {
        let (tensors, values) = SHAPES
            .iter()
            .map(|&(r, c)| random::<T>(rng, r, c, scale))
            .unzip();
        Set { tensors, values }
    }

    pub(crate) fn zeros() -> Self {
        let tensors: Vec<Tensor<T>> = SHAPES
            .iter()
            .map(|&(r, c)| Tensor::zeros(r, c, Device::Cpu).unwrap())
            .collect();
        let values = tensors.iter().map(host).collect();
        Set { tensors, values }
    }

    pub(crate) fn copies(&self) -> Vec<Tensor<T>> {
        self.tensors
            .iter()
            .map(|t| t.try_clone().unwrap())
            .collect()
    }
}

/// Rows of `(ptr[0], ptr[1], ptr[2], ptr[3], n)` as `src/cuda/table.rs` builds them.
pub(crate) fn table<T>(cols: [Option<&mut Vec<Vec<T>>>; 4]) -> Vec<u64> {
    let mut ptrs: Vec<Vec<u64>> = Vec::new();
    let mut lens = Vec::new();
    for col in cols {
        match col {
            Some(vs) => {
                lens = vs.iter().map(|v| v.len() as u64).collect();
                ptrs.push(vs.iter_mut().map(|v| v.as_mut_ptr() as u64).collect());
            }
            None => ptrs.push(Vec::new()),
        }
    }
    let mut rows = Vec::new();
    for (j, &n) in lens.iter().enumerate() {
        for col in &ptrs {
            rows.push(col.get(j).copied().unwrap_or(0));
        }
        rows.push(n);
    }
    rows
}

/// Runs `<rule>_multi` over the table with the rule's scalars.
pub(crate) fn run_multi<T: Element>(k: &Kernels, rule: Rule, tab: &[u64], count: i32) {
    let ta = Addr(tab.as_ptr() as usize);
    let kernel = name::<T>(&format!("{}_multi", rule.kind().as_str()));
    let ([a, b, c, d], n) = rule.scalars::<T>();
    // SAFETY: (all four) `<rule>_multi` takes (table, count, scalars...) with the rule's count.
    unsafe {
        match n {
            1 => {
                let f: extern "C" fn(*const u64, i32, T) = k.sym(&kernel);
                k.run(GRID, BLOCK, || f(ta.p(), count, a));
            }
            2 => {
                let f: extern "C" fn(*const u64, i32, T, T) = k.sym(&kernel);
                k.run(GRID, BLOCK, || f(ta.p(), count, a, b));
            }
            3 => {
                let f: extern "C" fn(*const u64, i32, T, T, T) = k.sym(&kernel);
                k.run(GRID, BLOCK, || f(ta.p(), count, a, b, c));
            }
            _ => {
                let f: extern "C" fn(*const u64, i32, T, T, T, T) = k.sym(&kernel);
                k.run(GRID, BLOCK, || f(ta.p(), count, a, b, c, d));
            }
        }
    }
}

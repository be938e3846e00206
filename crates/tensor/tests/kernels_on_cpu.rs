//! The CUDA kernels run on the CPU: `src/cuda/kernels.cu` compiled as C++ with a shim
//! (`tests/kernels_on_cpu/`) that runs every CUDA thread of a block as an OS thread, with a real
//! barrier for `__syncthreads()` and one shared-memory array. Each kernel's output is compared with
//! the CPU op it stands for, within `testkit::parity`'s tolerances.
//!
//! This checks the kernels' own logic (indexing, grid-stride loops, block reductions, the
//! multi-tensor tables) on a machine without a GPU; it says nothing about the Rust side's launches,
//! which the GPU checks (`testkit::parity`, `cargo xtask gpu-check`) cover. Needs a C++20 compiler
//! (`$CXX` or `c++`); without one it prints why it was skipped.

use std::ffi::{CString, c_char, c_int, c_void};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use ndarray::Array2;
use tensor::ops::update::Rule;
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Element, Labels, Tensor, ops};
use testkit::RULES;
use testkit::parity;

unsafe extern "C" {
    fn dlopen(filename: *const c_char, flag: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}

const RTLD_NOW: c_int = 2;

type Thunk = extern "C" fn(*mut c_void);
type Launch = extern "C" fn(Thunk, *mut c_void, u32, u32);

/// The kernels compiled for the CPU, loaded.
struct Kernels {
    handle: usize,
    launch: Launch,
}

/// Compiles and loads the kernels once per test process; `None` (and a note) without a compiler.
fn kernels() -> Option<&'static Kernels> {
    static K: OnceLock<Option<Kernels>> = OnceLock::new();
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
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: no C++ compiler ({cxx}: {e}), kernels.cu not run on the CPU"
                );
                return None;
            }
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
        Some(k)
    })
    .as_ref()
}

extern "C" fn dummy_launch(_: Thunk, _: *mut c_void, _: u32, _: u32) {}

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
    unsafe fn sym<F: Copy>(&self, name: &str) -> F {
        let c = CString::new(name).unwrap();
        // SAFETY: the handle is the loaded library, the name NUL-terminated.
        let p = unsafe { dlsym(self.handle as *mut c_void, c.as_ptr()) };
        assert!(!p.is_null(), "kernels.cu has no {name}");
        // SAFETY: a function pointer and `*mut c_void` have the same size here; the caller vouches
        // for the signature.
        unsafe { std::mem::transmute_copy::<*mut c_void, F>(&p) }
    }

    /// Runs `body` (which calls one kernel) as every thread of a `grid x block` launch.
    fn run<F: Fn() + Sync>(&self, grid: u32, block: u32, body: F) {
        (self.launch)(thunk::<F>, &body as *const F as *mut c_void, grid, block);
    }
}

/// A host buffer's address, shareable with the emulated threads (they write disjoint elements,
/// as on a GPU).
#[derive(Clone, Copy)]
struct Addr(usize);

fn addr<T>(v: &mut [T]) -> Addr {
    Addr(v.as_mut_ptr() as usize)
}

impl Addr {
    fn p<T>(self) -> *mut T {
        self.0 as *mut T
    }
}

/// Random `r x c` values, as a CPU tensor of `T` and as host values of `T`.
fn random<T: Element>(rng: &mut BookRng, r: usize, c: usize, scale: f64) -> (Tensor<T>, Vec<T>) {
    let t = Tensor::from_f64((rng.randn_matrix(r, c) * scale).view(), Device::Cpu).unwrap();
    let v = host(&t);
    (t, v)
}

fn host<T: Element>(t: &Tensor<T>) -> Vec<T> {
    t.to_f64_array()
        .unwrap()
        .iter()
        .map(|&v| T::from_f64(v))
        .collect()
}

/// `|emu - cpu| <= atol + rtol * |cpu|` elementwise, with parity's tolerances for `T`.
fn assert_close<T: Element>(what: &str, cpu: &[T], emu: &[T]) {
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
const GRID: u32 = 2;
const BLOCK: u32 = 32;

fn name<T: Element>(kernel: &str) -> String {
    format!("{kernel}_{}", T::DTYPE.as_str())
}

fn bias_sigmoid<T: Element>(k: &Kernels) {
    type F<T> = extern "C" fn(*const T, *const T, *mut T, i32, i32);
    let mut rng = BookRng::new(1);
    let ((xt, x), (bt, b)) = (
        random::<T>(&mut rng, 30, 10, 3.0),
        random::<T>(&mut rng, 1, 10, 1.0),
    );
    let mut out = vec![T::ZERO; 300];
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let f: F<T> = unsafe { k.sym(&name::<T>("add_row_sigmoid")) };
    let (xa, ba, oa) = (
        Addr(x.as_ptr() as usize),
        Addr(b.as_ptr() as usize),
        addr(&mut out),
    );
    k.run(GRID, BLOCK, || f(xa.p(), ba.p(), oa.p(), 30, 10));
    let mut expected = Tensor::empty();
    ops::add_row_sigmoid(&xt, &bt, &mut expected).unwrap();
    assert_close("add_row_sigmoid", &host(&expected), &out);
}

#[test]
fn bias_add_and_sigmoid_kernel() {
    let Some(k) = kernels() else { return };
    bias_sigmoid::<f64>(k);
    bias_sigmoid::<f32>(k);
}

fn softmax_loss<T: Element>(k: &Kernels) {
    type F<T> = extern "C" fn(*const T, *const u32, *mut T, *mut T, *mut T, *mut T, i32, i32);
    let mut rng = BookRng::new(2);
    let (rows, cols) = (100, 3);
    let (xt, x) = random::<T>(&mut rng, rows, cols, 3.0);
    let labels: Vec<usize> = (0..rows).map(|i| (i * 7) % cols).collect();
    let t = Labels::from_indices(&labels, cols).unwrap();
    let mut y = vec![T::ZERO; rows * cols];
    let mut dx = vec![T::ZERO; rows * cols];
    let mut row_loss = vec![T::ZERO; rows];
    let mut loss = [T::ZERO];
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let f: F<T> = unsafe { k.sym(&name::<T>("softmax_cross_entropy")) };
    let (xa, ta) = (
        Addr(x.as_ptr() as usize),
        Addr(t.indices().as_ptr() as usize),
    );
    let (ya, da, ra, la) = (
        addr(&mut y),
        addr(&mut dx),
        addr(&mut row_loss),
        addr(&mut loss),
    );
    // One block, as the backend launches it.
    k.run(1, BLOCK, || {
        f(
            xa.p(),
            ta.p(),
            ya.p(),
            da.p(),
            ra.p(),
            la.p(),
            rows as i32,
            cols as i32,
        )
    });
    let (mut ye, mut de) = (Tensor::empty(), Tensor::empty());
    let expected = ops::softmax_cross_entropy_with_grad(&xt, &t, &mut ye, &mut de).unwrap();
    assert_close("softmax_cross_entropy loss", &[expected], &loss);
    assert_close("softmax_cross_entropy y", &host(&ye), &y);
    assert_close("softmax_cross_entropy dx", &host(&de), &dx);
    // Without dx (a null pointer) the kernel leaves the old gradient alone.
    dx.fill(T::ONE);
    loss[0] = T::ZERO;
    k.run(1, BLOCK, || {
        f(
            xa.p(),
            ta.p(),
            ya.p(),
            std::ptr::null_mut(),
            ra.p(),
            la.p(),
            rows as i32,
            cols as i32,
        )
    });
    assert_close("softmax_cross_entropy loss, no dx", &[expected], &loss);
    assert!(dx.iter().all(|&v| v == T::ONE));
}

#[test]
fn softmax_cross_entropy_kernel_with_and_without_the_gradient() {
    let Some(k) = kernels() else { return };
    softmax_loss::<f64>(k);
    softmax_loss::<f32>(k);
}

/// Tensors of several sizes (one larger than the grid) and their multi-kernel table.
struct Set<T: Element> {
    tensors: Vec<Tensor<T>>,
    values: Vec<Vec<T>>,
}

const SHAPES: [(usize, usize); 5] = [(2, 10), (1, 10), (10, 3), (1, 3), (40, 25)];

impl<T: Element> Set<T> {
    fn new(rng: &mut BookRng, scale: f64) -> Self {
        let (tensors, values) = SHAPES
            .iter()
            .map(|&(r, c)| random::<T>(rng, r, c, scale))
            .unzip();
        Set { tensors, values }
    }

    fn zeros() -> Self {
        let tensors: Vec<Tensor<T>> = SHAPES
            .iter()
            .map(|&(r, c)| Tensor::zeros(r, c, Device::Cpu).unwrap())
            .collect();
        let values = tensors.iter().map(host).collect();
        Set { tensors, values }
    }

    fn copies(&self) -> Vec<Tensor<T>> {
        self.tensors
            .iter()
            .map(|t| t.try_clone().unwrap())
            .collect()
    }
}

/// Rows of `(ptr[0], ptr[1], ptr[2], ptr[3], n)` as `src/cuda/table.rs` builds them.
fn table<T>(cols: [Option<&mut Vec<Vec<T>>>; 4]) -> Vec<u64> {
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

fn grads_ops<T: Element>(k: &Kernels) {
    let mut rng = BookRng::new(3);
    let mut set = Set::<T>::new(&mut rng, 2.0);
    set.values[2][7] = T::from_f64(f64::NAN);
    let count = SHAPES.len() as i32;
    let tab = table::<T>([Some(&mut set.values), None, None, None]);
    let ta = Addr(tab.as_ptr() as usize);

    let mut flags = vec![0i32; SHAPES.len()];
    let fa = addr(&mut flags);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let finite: extern "C" fn(*const u64, i32, *mut i32) =
        unsafe { k.sym(&name::<T>("all_finite_multi")) };
    k.run(GRID, BLOCK, || finite(ta.p(), count, fa.p()));
    assert_eq!(flags, [0, 0, 1, 0, 0]);

    set.values[2][7] = T::ONE;
    let mut sums = vec![T::ZERO; SHAPES.len()];
    let sa = addr(&mut sums);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let sum: extern "C" fn(*const u64, i32, *mut T) =
        unsafe { k.sym(&name::<T>("sum_squares_multi")) };
    // One block per tensor, as the backend launches it.
    k.run(count as u32, BLOCK, || sum(ta.p(), count, sa.p()));
    let expected: Vec<T> = set
        .values
        .iter()
        .map(|v| {
            let t = Array2::from_shape_fn((1, v.len()), |(_, i)| v[i].to_f64());
            ops::sum_squares(&Tensor::<T>::from_f64(t.view(), Device::Cpu).unwrap()).unwrap()
        })
        .collect();
    assert_close("sum_squares_multi", &expected, &sums);

    let before = set.values.clone();
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let scale: extern "C" fn(*const u64, i32, T) = unsafe { k.sym(&name::<T>("scale_multi")) };
    let s = T::from_f64(0.37);
    k.run(GRID, BLOCK, || scale(ta.p(), count, s));
    for (a, b) in set.values.iter().zip(&before) {
        let expected: Vec<T> = b.iter().map(|&v| v * s).collect();
        assert_close("scale_multi", &expected, a);
    }
}

#[test]
fn whole_model_gradient_kernels() {
    let Some(k) = kernels() else { return };
    grads_ops::<f64>(k);
    grads_ops::<f32>(k);
}

/// Runs `<rule>_multi` over the table with the rule's scalars.
fn run_multi<T: Element>(k: &Kernels, rule: Rule, tab: &[u64], count: i32) {
    let ta = Addr(tab.as_ptr() as usize);
    let kernel = name::<T>(&format!("{}_multi", rule.kernel()));
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

fn optimizer_updates<T: Element>(k: &Kernels) {
    for rule in RULES {
        let mut rng = BookRng::new(4);
        let mut p = Set::<T>::new(&mut rng, 1.0);
        let mut g = Set::<T>::new(&mut rng, 0.5);
        let (mut s1, mut s2) = (Set::<T>::zeros(), Set::<T>::zeros());
        let (mut cpu_p, mut cpu_s1, mut cpu_s2) = (p.copies(), s1.copies(), s2.copies());
        let slots = rule.state_slots();
        for _ in 0..2 {
            let tab = table::<T>([
                Some(&mut p.values),
                (slots >= 1).then_some(&mut s1.values),
                (slots >= 2).then_some(&mut s2.values),
                Some(&mut g.values),
            ]);
            run_multi::<T>(k, rule, &tab, SHAPES.len() as i32);
            for i in 0..SHAPES.len() {
                let mut state: Vec<&mut Tensor<T>> = vec![&mut cpu_s1[i], &mut cpu_s2[i]];
                state.truncate(slots);
                ops::update::update(rule, &mut cpu_p[i], &mut state, &g.tensors[i]).unwrap();
            }
        }
        for i in 0..SHAPES.len() {
            assert_close(
                &format!("{rule:?} param {i}"),
                &host(&cpu_p[i]),
                &p.values[i],
            );
            assert_close(
                &format!("{rule:?} state {i}"),
                &host(&cpu_s1[i]),
                &s1.values[i],
            );
        }
    }
}

#[test]
fn optimizer_kernels_over_a_table_of_params() {
    let Some(k) = kernels() else { return };
    optimizer_updates::<f64>(k);
    optimizer_updates::<f32>(k);
}

fn row_kernels<T: Element>(k: &Kernels) {
    let mut rng = BookRng::new(5);
    let (rows, cols) = (70, 3);
    let (xt, x) = random::<T>(&mut rng, rows, cols, 2.0);
    let (gt, g) = random::<T>(&mut rng, rows, cols, 1.0);
    let xa = Addr(x.as_ptr() as usize);
    let ga = Addr(g.as_ptr() as usize);
    let (r, c) = (rows as i32, cols as i32);

    // softmax, then its backward from the kernel's own output
    let mut y = vec![T::ZERO; rows * cols];
    let ya = addr(&mut y);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let softmax: extern "C" fn(*const T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("softmax")) };
    k.run(GRID, BLOCK, || softmax(xa.p(), ya.p(), r, c));
    let mut ye = Tensor::empty();
    ops::softmax(&xt, &mut ye).unwrap();
    assert_close("softmax", &host(&ye), &y);
    let mut dx = vec![T::ZERO; rows * cols];
    let da = addr(&mut dx);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let back: extern "C" fn(*const T, *const T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("softmax_backward")) };
    k.run(GRID, BLOCK, || back(ya.p(), ga.p(), da.p(), r, c));
    let mut de = Tensor::empty();
    ops::softmax_backward(&ye, &gt, &mut de).unwrap();
    assert_close("softmax_backward", &host(&de), &dx);

    // the loss gradient for another dout
    let labels: Vec<usize> = (0..rows).map(|i| (i * 2) % cols).collect();
    let t = Labels::from_indices(&labels, cols).unwrap();
    let ta = Addr(t.indices().as_ptr() as usize);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let ce_back: extern "C" fn(*const T, *const u32, T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("softmax_cross_entropy_backward")) };
    let dout = T::from_f64(0.5);
    k.run(GRID, BLOCK, || ce_back(ya.p(), ta.p(), dout, da.p(), r, c));
    ops::softmax_cross_entropy_backward(&ye, &t, dout, &mut de).unwrap();
    assert_close("softmax_cross_entropy_backward", &host(&de), &dx);

    // column sums, argmax, gathered rows
    let mut sums = vec![T::ZERO; cols];
    let sa = addr(&mut sums);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let sum_rows: extern "C" fn(*const T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("sum_rows")) };
    k.run(GRID, BLOCK, || sum_rows(xa.p(), sa.p(), r, c));
    let mut se = Tensor::empty();
    ops::sum_rows(&xt, &mut se).unwrap();
    assert_close("sum_rows", &host(&se), &sums);
    let mut best = vec![0u32; rows];
    let ba = addr(&mut best);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let argmax: extern "C" fn(*const T, *mut u32, i32, i32) =
        unsafe { k.sym(&name::<T>("argmax_rows")) };
    k.run(GRID, BLOCK, || argmax(xa.p(), ba.p(), r, c));
    let mut be = Vec::new();
    ops::argmax_rows(&xt, &mut be).unwrap();
    assert_eq!(best.iter().map(|&v| v as usize).collect::<Vec<_>>(), be);
    let idx: Vec<u32> = (0..rows as u32).rev().step_by(4).collect();
    let ia = Addr(idx.as_ptr() as usize);
    let mut gathered = vec![T::ZERO; idx.len() * cols];
    let gta = addr(&mut gathered);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let gather: extern "C" fn(*const T, *const u32, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("gather_rows")) };
    k.run(GRID, BLOCK, || {
        gather(xa.p(), ia.p(), gta.p(), idx.len() as i32, c)
    });
    let mut gte = Tensor::empty();
    let idx_usize: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
    ops::gather_rows(&xt, &idx_usize, &mut gte).unwrap();
    assert_close("gather_rows", &host(&gte), &gathered);
}

#[test]
fn row_wise_kernels() {
    let Some(k) = kernels() else { return };
    row_kernels::<f64>(k);
    row_kernels::<f32>(k);
}

fn classify<T: Element>(k: &Kernels) {
    let mut rng = BookRng::new(6);
    let n = 500;
    let (pt, p) = random::<T>(&mut rng, n, 2, 1.0);
    let w: Vec<(Tensor<T>, Vec<T>)> = [(2, 10, 3.0), (1, 10, 1.0), (10, 3, 3.0), (1, 3, 1.0)]
        .iter()
        .map(|&(r, c, s)| random::<T>(&mut rng, r, c, s))
        .collect();
    let a = |v: &Vec<T>| Addr(v.as_ptr() as usize);
    let (pa, w1, b1, w2, b2) = (a(&p), a(&w[0].1), a(&w[1].1), a(&w[2].1), a(&w[3].1));
    let mut out = vec![0u32; n];
    let oa = addr(&mut out);
    type F<T> = extern "C" fn(
        *const T,
        *const T,
        *const T,
        *const T,
        *const T,
        *mut u32,
        i32,
        i32,
        i32,
        i32,
    );
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let f: F<T> = unsafe { k.sym(&name::<T>("classify_two_layer")) };
    k.run(GRID, BLOCK, || {
        f(
            pa.p(),
            w1.p(),
            b1.p(),
            w2.p(),
            b2.p(),
            oa.p(),
            n as i32,
            2,
            10,
            3,
        )
    });
    let mut expected = Vec::new();
    ops::classify_two_layer(&pt, &w[0].0, &w[1].0, &w[2].0, &w[3].0, &mut expected).unwrap();
    let differ = out
        .iter()
        .zip(&expected)
        .filter(|(a, b)| **a as usize != **b)
        .count();
    assert!(
        differ <= 1,
        "{} classify_two_layer: {differ} of {n} differ",
        T::DTYPE.as_str()
    );
}

#[test]
fn class_prediction_kernel() {
    let Some(k) = kernels() else { return };
    classify::<f64>(k);
    classify::<f32>(k);
}

fn single_param_updates<T: Element>(k: &Kernels) {
    for rule in RULES {
        let mut rng = BookRng::new(7);
        let (mut pt, mut p) = random::<T>(&mut rng, 40, 25, 1.0);
        let (gt, g) = random::<T>(&mut rng, 40, 25, 0.5);
        let (mut s1, mut s2) = (vec![T::ZERO; 1000], vec![T::ZERO; 1000]);
        let zeros = || Tensor::<T>::zeros(40, 25, Device::Cpu).unwrap();
        let (mut s1t, mut s2t) = (zeros(), zeros());
        let (pa, s1a, s2a) = (addr(&mut p), addr(&mut s1), addr(&mut s2));
        let ga = Addr(g.as_ptr() as usize);
        let kernel = name::<T>(rule.kernel());
        let ([a, b, c, d], count) = rule.scalars::<T>();
        let n = 1000i64;
        // SAFETY: (all four) `<rule>` takes (p, s1, s2, g, scalars..., n) with the rule's count.
        unsafe {
            type P<T> = *mut T;
            match count {
                1 => {
                    let f: extern "C" fn(P<T>, P<T>, P<T>, *const T, T, i64) = k.sym(&kernel);
                    k.run(GRID, BLOCK, || f(pa.p(), s1a.p(), s2a.p(), ga.p(), a, n));
                }
                2 => {
                    let f: extern "C" fn(P<T>, P<T>, P<T>, *const T, T, T, i64) = k.sym(&kernel);
                    k.run(GRID, BLOCK, || f(pa.p(), s1a.p(), s2a.p(), ga.p(), a, b, n));
                }
                3 => {
                    let f: extern "C" fn(P<T>, P<T>, P<T>, *const T, T, T, T, i64) = k.sym(&kernel);
                    k.run(GRID, BLOCK, || {
                        f(pa.p(), s1a.p(), s2a.p(), ga.p(), a, b, c, n)
                    });
                }
                _ => {
                    let f: extern "C" fn(P<T>, P<T>, P<T>, *const T, T, T, T, T, i64) =
                        k.sym(&kernel);
                    k.run(GRID, BLOCK, || {
                        f(pa.p(), s1a.p(), s2a.p(), ga.p(), a, b, c, d, n)
                    });
                }
            }
        }
        let mut state: Vec<&mut Tensor<T>> = vec![&mut s1t, &mut s2t];
        state.truncate(rule.state_slots());
        ops::update::update(rule, &mut pt, &mut state, &gt).unwrap();
        assert_close(&format!("{rule:?} one param"), &host(&pt), &p);
    }
}

#[test]
fn optimizer_kernels_over_one_param() {
    let Some(k) = kernels() else { return };
    single_param_updates::<f64>(k);
    single_param_updates::<f32>(k);
}

fn elementwise<T: Element>(k: &Kernels) {
    let mut rng = BookRng::new(8);
    let (rows, cols) = (30, 10);
    let n = (rows * cols) as i64;
    let (r, c) = (rows as i32, cols as i32);
    let (xt, x) = random::<T>(&mut rng, rows, cols, 3.0);
    let (bt, b) = random::<T>(&mut rng, 1, cols, 1.0);
    let (gt, g) = random::<T>(&mut rng, rows, cols, 1.0);
    let (xa, ba, ga) = (
        Addr(x.as_ptr() as usize),
        Addr(b.as_ptr() as usize),
        Addr(g.as_ptr() as usize),
    );

    let mut y = vec![T::ZERO; rows * cols];
    let ya = addr(&mut y);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let sigmoid: extern "C" fn(*const T, *mut T, i64) = unsafe { k.sym(&name::<T>("sigmoid")) };
    k.run(GRID, BLOCK, || sigmoid(xa.p(), ya.p(), n));
    let mut ye = Tensor::empty();
    ops::sigmoid(&xt, &mut ye).unwrap();
    assert_close("sigmoid", &host(&ye), &y);

    let mut dx = vec![T::ZERO; rows * cols];
    let da = addr(&mut dx);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let back: extern "C" fn(*const T, *const T, *mut T, i64) =
        unsafe { k.sym(&name::<T>("sigmoid_backward")) };
    k.run(GRID, BLOCK, || back(ga.p(), ya.p(), da.p(), n));
    let mut de = Tensor::empty();
    ops::sigmoid_backward(&gt, &ye, &mut de).unwrap();
    assert_close("sigmoid_backward", &host(&de), &dx);

    let mut h = x.clone();
    let ha = addr(&mut h);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let add_row: extern "C" fn(*mut T, *const T, i32, i32) =
        unsafe { k.sym(&name::<T>("add_row")) };
    k.run(GRID, BLOCK, || add_row(ha.p(), ba.p(), r, c));
    let mut he = xt.try_clone().unwrap();
    ops::add_row(&mut he, &bt).unwrap();
    assert_close("add_row", &host(&he), &h);

    let mut rep = vec![T::ZERO; 7 * cols];
    let ra = addr(&mut rep);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let repeat: extern "C" fn(*const T, *mut T, i32, i32) =
        unsafe { k.sym(&name::<T>("repeat_rows")) };
    k.run(GRID, BLOCK, || repeat(ba.p(), ra.p(), 7, c));
    let mut re = Tensor::empty();
    ops::repeat_rows(&bt, 7, &mut re).unwrap();
    assert_close("repeat_rows", &host(&re), &rep);

    let mut sum = [T::ZERO];
    let sa = addr(&mut sum);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let sum_squares: extern "C" fn(*const T, *mut T, i64) =
        unsafe { k.sym(&name::<T>("sum_squares")) };
    // One block, as the backend launches it.
    k.run(1, BLOCK, || sum_squares(xa.p(), sa.p(), n));
    assert_close("sum_squares", &[ops::sum_squares(&xt).unwrap()], &sum);

    let mut scaled = x.clone();
    let sca = addr(&mut scaled);
    let s = T::from_f64(0.37);
    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let scale: extern "C" fn(*mut T, T, i64) = unsafe { k.sym(&name::<T>("scale")) };
    k.run(GRID, BLOCK, || scale(sca.p(), s, n));
    let mut se = xt.try_clone().unwrap();
    ops::scale(&mut se, s).unwrap();
    assert_close("scale", &host(&se), &scaled);

    // SAFETY: the kernel's C signature (kernels.cu, INSTANTIATE).
    let finite: extern "C" fn(*const T, *mut i32, i64) = unsafe { k.sym(&name::<T>("all_finite")) };
    let mut flag = [0i32];
    let fa = addr(&mut flag);
    k.run(GRID, BLOCK, || finite(xa.p(), fa.p(), n));
    assert_eq!(flag, [0]);
    let mut bad = x.clone();
    bad[217] = T::from_f64(f64::NEG_INFINITY);
    let bada = addr(&mut bad);
    k.run(GRID, BLOCK, || finite(bada.p(), fa.p(), n));
    assert_eq!(flag, [1]);
}

#[test]
fn elementwise_and_reduction_kernels() {
    let Some(k) = kernels() else { return };
    elementwise::<f64>(k);
    elementwise::<f32>(k);
}

//! The training loop allocates nothing per step once warmed up.
//!
//! Checked by counting every heap allocation of this test binary with a wrapping global allocator:
//! after a warm-up step, 100 more steps must allocate zero times, and a 20-epoch `fit` must allocate
//! as often as a 1-epoch `fit`, but for the one growth of `loss_list` (its buffers are per call,
//! not per step or epoch).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use data::load_data;
use layers::TwoLayerNet;
use optim::{Adam, Sgd};
use tensor::random::BookRng;
use tensor::{Device, Labels, Tensor, ops};
use train::{FitConfig, Silent, Trainer};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let r = f();
    (r, ALLOCATIONS.load(Ordering::SeqCst) - before)
}

// One test function: the counter is global, and tests in one binary run in parallel threads.
#[test]
fn steps_and_epochs_allocate_nothing_once_warm() {
    let s = load_data(1984);
    let x = Tensor::<f64>::from_f64(s.x.view(), Device::Cpu).unwrap();
    let t = Labels::from_one_hot(s.t.view()).unwrap();
    let mut xb = Tensor::empty();
    let mut tb = Labels::with_classes(3);
    let idx: Vec<usize> = (0..30).collect();
    ops::gather_rows(&x, &idx, &mut xb).unwrap();
    tb.gather(&t, &idx).unwrap();

    let model = TwoLayerNet::new(2, 10, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    let mut tr = Trainer::new(model, Adam::default());
    tr.step(&xb, &tb, Some(1.0)).unwrap();
    let (_, n) = count(|| {
        for _ in 0..100 {
            ops::gather_rows(&x, &idx, &mut xb).unwrap();
            tb.gather(&t, &idx).unwrap();
            tr.step(&xb, &tb, Some(1.0)).unwrap();
        }
    });
    assert_eq!(n, 0, "allocations in 100 warm steps (Adam, clipping)");

    let model = TwoLayerNet::new(2, 10, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    let mut tr = Trainer::new(model, Sgd::new(1.0).unwrap());
    let cfg = |max_epoch| FitConfig {
        max_epoch,
        batch_size: 30,
        max_grad: None,
        eval_interval: Some(10),
    };
    let mut rng = BookRng::new(2);
    tr.fit(&x, &t, &cfg(1), &mut rng, &mut Silent).unwrap();
    let (_, one) = count(|| tr.fit(&x, &t, &cfg(1), &mut rng, &mut Silent).unwrap());
    let (_, twenty) = count(|| tr.fit(&x, &t, &cfg(20), &mut rng, &mut Silent).unwrap());
    // The only extra allocations allowed are the two `reserve`s that grow `loss_list` and
    // `loss_iterations` for the longer run.
    assert!(
        twenty <= one + 2,
        "a 20-epoch fit allocated {twenty} times, a 1-epoch fit {one}"
    );
}

//! criterion benches of the hot ops: the matmul shapes of W1 (the chapter's net) and W3 (the wide
//! MLP), sigmoid, softmax with cross-entropy, and one W2 chunk of class prediction.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Element, Labels, Tensor, ops};

fn randn<T: Element>(rng: &mut BookRng, r: usize, c: usize) -> Tensor<T> {
    Tensor::from_f64(rng.randn_matrix(r, c).view(), Device::Cpu).unwrap()
}

fn matmuls<T: Element>(c: &mut Criterion) {
    let mut rng = BookRng::new(1);
    let mut g = c.benchmark_group(format!("matmul_{}", T::DTYPE.as_str()));
    // (m, k, n, transpose_a, transpose_b, label)
    let shapes = [
        (30, 2, 10, false, false, "W1 x·W1 30x2x10"),
        (30, 10, 3, false, false, "W1 h·W2 30x10x3"),
        (10, 30, 3, true, false, "W1 dW2 hT·dout"),
        (30, 3, 10, false, true, "W1 dh dout·W2T"),
        (512, 256, 1024, false, false, "W3 x·W1 512x256x1024"),
        (512, 1024, 1024, false, false, "W3 h·W2 512x1024x1024"),
    ];
    for (m, k, n, ta, tb, label) in shapes {
        let a = if ta {
            randn::<T>(&mut rng, k, m)
        } else {
            randn::<T>(&mut rng, m, k)
        };
        let b = if tb {
            randn::<T>(&mut rng, n, k)
        } else {
            randn::<T>(&mut rng, k, n)
        };
        let mut out = Tensor::empty();
        if m * n * k > 1 << 20 {
            g.sample_size(10);
        }
        g.bench_function(BenchmarkId::from_parameter(label), |bench| {
            bench.iter(|| ops::matmul(black_box(&a), ta, black_box(&b), tb, &mut out).unwrap())
        });
    }
    g.finish();
}

fn nonlinear<T: Element>(c: &mut Criterion) {
    let mut rng = BookRng::new(2);
    let mut g = c.benchmark_group(format!("nonlinear_{}", T::DTYPE.as_str()));
    let x = randn::<T>(&mut rng, 30, 10);
    let mut out = Tensor::empty();
    g.bench_function("sigmoid 30x10", |b| {
        b.iter(|| ops::sigmoid(black_box(&x), &mut out).unwrap())
    });
    let s = randn::<T>(&mut rng, 30, 3);
    let t = Labels::from_indices(&(0..30).map(|i| i % 3).collect::<Vec<_>>(), 3).unwrap();
    let mut y = Tensor::empty();
    let mut dx = Tensor::empty();
    g.bench_function("softmax_cross_entropy fwd+bwd 30x3", |b| {
        b.iter(|| {
            ops::softmax_cross_entropy(black_box(&s), &t, &mut y).unwrap();
            ops::softmax_cross_entropy_backward(&y, &t, T::ONE, &mut dx).unwrap();
        })
    });
    let w1 = randn::<T>(&mut rng, 2, 10);
    let b1 = randn::<T>(&mut rng, 1, 10);
    let w2 = randn::<T>(&mut rng, 10, 3);
    let b2 = randn::<T>(&mut rng, 1, 3);
    let pts = randn::<T>(&mut rng, 4096, 2);
    let mut classes = Vec::new();
    g.bench_function("W2 chunk: classify 4096 points", |b| {
        b.iter(|| {
            ops::classify_two_layer(black_box(&pts), &w1, &b1, &w2, &b2, &mut classes).unwrap()
        })
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    matmuls::<f64>(c);
    matmuls::<f32>(c);
    nonlinear::<f64>(c);
    nonlinear::<f32>(c);
}

criterion_group!(benches, all);
criterion_main!(benches);

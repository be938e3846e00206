//! criterion bench of one W1 training step (the book's `train.py`: batch 30, TwoLayerNet(2, 10, 3),
//! SGD lr 1.0): gather the batch, forward, backward, update.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use layers::TwoLayerNet;
use optim::Sgd;
use tensor::random::BookRng;
use tensor::{Device, Element, Labels, Tensor, ops};
use train::Trainer;

fn step<T: Element>(c: &mut Criterion) {
    let mut rng = BookRng::new(1984);
    let s = data::load_data_with(&mut rng, 100, 3).unwrap();
    let x = Tensor::<T>::from_f64(s.x.view(), Device::Cpu).unwrap();
    let t = Labels::from_one_hot(s.t.view()).unwrap();
    let model = TwoLayerNet::new(2, 10, 3, &mut rng, Device::Cpu).unwrap();
    let mut trainer = Trainer::new(model, Sgd::new(1.0).unwrap());
    let idx: Vec<usize> = (0..300).step_by(10).collect();
    let (mut xb, mut tb) = (Tensor::empty(), Labels::with_classes(3));
    c.bench_function(&format!("W1 train step {}", T::DTYPE.as_str()), |b| {
        b.iter(|| {
            ops::gather_rows(&x, black_box(&idx), &mut xb).unwrap();
            tb.gather(&t, &idx).unwrap();
            trainer.step(&xb, &tb, None).unwrap()
        })
    });
}

fn all(c: &mut Criterion) {
    step::<f64>(c);
    step::<f32>(c);
}

criterion_group!(benches, all);
criterion_main!(benches);

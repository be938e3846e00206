//! The Trainer's scores at its loss records: they change no training number, cover the records
//! they promise, and are the model's real loss and accuracy at that point.

mod common;

use layers::TwoLayerNet;
use tensor::{Labels, Tensor};
use train::{FitConfig, Silent, Trainer, Validation};

type Net = Trainer<f64, TwoLayerNet<f64>>;

/// `train.py` for `epochs` epochs of `batch` samples, recording every `every` iterations;
/// `score` turns the scores on, with every fifth point of the spiral as validation data when
/// `held` (the rest train).
fn run(epochs: usize, batch: usize, every: usize, score: bool, held: bool) -> Net {
    let common::Run {
        mut rng,
        x,
        t,
        mut trainer,
    } = common::run::<f64>(10, Box::new(optim::Sgd::new(1.0).unwrap()));
    trainer.track_metrics = score;
    let (x, t) = if held {
        let (val, train): (Vec<usize>, Vec<usize>) = (0..300).partition(|&i| i % 5 == 0);
        let part = |idx: &[usize]| {
            let mut xs = Tensor::empty();
            tensor::ops::gather_rows(&x, idx, &mut xs).unwrap();
            let mut ts = Labels::with_classes(3);
            ts.gather(&t, idx).unwrap();
            (xs, ts)
        };
        let (xv, tv) = part(&val);
        trainer.validation = Some(Validation::new(xv, tv).unwrap());
        part(&train)
    } else {
        (x, t)
    };
    let config = FitConfig {
        max_epoch: epochs,
        batch_size: batch,
        max_grad: None,
        eval_interval: Some(every),
    };
    trainer.fit(&x, &t, &config, &mut rng, &mut Silent).unwrap();
    trainer
}

fn bits(t: &Net) -> Vec<u64> {
    t.loss_list.iter().map(|l| l.to_bits()).collect()
}

#[test]
fn scoring_changes_no_training_number() {
    let plain = run(20, 30, 10, false, false);
    let scored = run(20, 30, 10, true, false);
    assert!(plain.metrics.is_empty());
    assert_eq!(bits(&plain), bits(&scored));
    // The book's run: one record an epoch (10 iterations, eval_interval 10), each scored.
    assert_eq!(scored.metrics.len(), 20);
    let iterations: Vec<usize> = scored.metrics.iter().map(|m| m.iteration).collect();
    assert_eq!(iterations, scored.loss_iterations);
    assert!(scored.metrics.iter().all(|m| m.validation.is_none()));
    // Training improves accuracy: the scores are of the model as it trains, not a constant.
    let (first, last) = (scored.metrics[0], *scored.metrics.last().unwrap());
    assert!(
        last.train_accuracy > first.train_accuracy,
        "{first:?} {last:?}"
    );
}

#[test]
fn the_last_score_is_the_trained_models_accuracy() {
    // 240 training points in one batch, a record every iteration: 21 records, every second one
    // scored (300 points scored per 240 trained), the last one after the last step.
    let mut scored = run(21, 240, 1, true, true);
    assert_eq!(scored.loss_list.len(), 21);
    let iterations: Vec<usize> = scored.metrics.iter().map(|m| m.iteration).collect();
    assert_eq!(iterations, (1..=21).step_by(2).collect::<Vec<_>>());
    let last = *scored.metrics.last().unwrap();
    let v = scored.validation.take().unwrap();
    let val = train::metrics::scores(&mut scored.model, &v.x, &v.t).unwrap();
    assert_eq!(last.validation, Some(val));
    assert!(val.loss.is_finite() && val.accuracy > 0.3, "{val:?}");
}

#[test]
fn larger_data_is_scored_at_fewer_records() {
    assert_eq!(train::metrics::stride(300, 10, 30), 1);
    assert_eq!(train::metrics::stride(301, 10, 30), 2);
    assert_eq!(train::metrics::stride(3000, 10, 30), 10);
    assert_eq!(train::metrics::stride(0, 0, 0), 1);
}

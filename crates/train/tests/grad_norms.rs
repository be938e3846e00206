//! The Trainer's gradient-norm record and clipped-step count: what `--max-grad` did to a run.

mod common;

use layers::TwoLayerNet;
use train::{FitConfig, Silent, Trainer};

/// `train.py` for `epochs` epochs with `max_grad`, tracking norms when `track` says.
fn run(epochs: usize, max_grad: Option<f64>, track: bool) -> Trainer<f64, TwoLayerNet<f64>> {
    let common::Run {
        mut rng,
        x,
        t,
        mut trainer,
    } = common::run::<f64>(10, Box::new(optim::Sgd::new(1.0).unwrap()));
    trainer.track_grad_norms = track;
    let config = FitConfig {
        max_epoch: epochs,
        batch_size: 30,
        max_grad,
        eval_interval: Some(10),
    };
    trainer.fit(&x, &t, &config, &mut rng, &mut Silent).unwrap();
    trainer
}

#[test]
fn tracking_the_norm_records_every_step_and_changes_no_number() {
    let plain = run(5, None, false);
    let tracked = run(5, None, true);
    assert!(plain.grad_norms.is_empty());
    assert_eq!(tracked.grad_norms.len(), 50);
    assert!(tracked.grad_norms.iter().all(|n| n.is_finite() && *n > 0.0));
    let bits = |t: &Trainer<f64, TwoLayerNet<f64>>| {
        t.loss_list.iter().map(|l| l.to_bits()).collect::<Vec<_>>()
    };
    assert_eq!(bits(&plain), bits(&tracked));
    assert_eq!(tracked.clipped_steps, 0);
}

#[test]
fn clipped_steps_are_the_steps_whose_norm_was_above_max_grad() {
    // Unclipped norms of the first steps are what a clipped run's first step sees too; a limit
    // between the smallest and largest norm of the run clips some steps and not others.
    let tracked = run(5, None, true);
    let mut sorted = tracked.grad_norms.clone();
    sorted.sort_by(f64::total_cmp);
    let limit = sorted[sorted.len() / 2];
    let clipped = run(5, Some(limit), true);
    assert_eq!(clipped.grad_norms.len(), 50);
    let above = clipped
        .grad_norms
        .iter()
        .filter(|&&n| limit / (n + 1e-6) < 1.0)
        .count();
    assert!(above > 0 && above < 50, "{above} of 50 above {limit}");
    assert_eq!(clipped.clipped_steps, above);
    // Clipping counts without tracking too (the norm is computed anyway).
    assert_eq!(run(5, Some(limit), false).clipped_steps, above);
    // A limit no step reaches clips nothing, and the numbers are the unclipped run's.
    let loose = run(5, Some(1e9), false);
    assert_eq!(loose.clipped_steps, 0);
    assert_eq!(loose.loss_list, tracked.loss_list);
}

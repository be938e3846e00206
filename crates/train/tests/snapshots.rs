//! Snapshots taken through the Trainer's observer (what `training.gif` is drawn from): they are
//! the params at the steps asked for, the first the initial weights and the last the trained ones,
//! and taking them changes no training number.

use data::load_data_with;
use layers::TwoLayerNet;
use optim::Sgd;
use tensor::random::BookRng;
use tensor::{Device, Labels, Params, Tensor};
use train::{FitConfig, FitObserver, Silent, Snapshot, Trainer};

struct Take {
    steps: Vec<u64>,
    got: Vec<Snapshot>,
}

impl FitObserver for Take {
    fn wants_snapshot(&mut self, step: u64) -> bool {
        self.steps.contains(&step)
    }
    fn on_snapshot(&mut self, s: Snapshot) {
        self.got.push(s);
    }
}

fn params(model: &mut TwoLayerNet<f64>) -> Vec<(&'static str, ndarray::Array2<f64>)> {
    let mut out = Vec::new();
    model
        .visit_params(&mut |p| {
            out.push((p.name, p.value.to_f64_array()?));
            Ok(())
        })
        .unwrap();
    out
}

fn setup() -> (BookRng, Tensor<f64>, Labels, Trainer<f64, TwoLayerNet<f64>>) {
    let mut rng = BookRng::new(1984);
    let s = load_data_with(&mut rng, 100, 3).unwrap();
    let x = Tensor::from_f64(s.x.view(), Device::Cpu).unwrap();
    let t = Labels::from_one_hot(s.t.view()).unwrap();
    let model = TwoLayerNet::new(2, 10, 3, &mut rng, Device::Cpu).unwrap();
    (rng, x, t, Trainer::new(model, Sgd::new(1.0).unwrap()))
}

#[test]
fn snapshots_are_the_params_at_their_steps_and_change_nothing() {
    let cfg = FitConfig {
        max_epoch: 12,
        batch_size: 30,
        max_grad: None,
        eval_interval: Some(10),
    };
    let (mut rng, x, t, mut plain) = setup();
    plain.fit(&x, &t, &cfg, &mut rng, &mut Silent).unwrap();

    let (mut rng, x, t, mut watched) = setup();
    let initial = params(&mut watched.model);
    let total = 12 * 10;
    let mut take = Take {
        steps: vec![0, 1, 17, 60, total],
        got: Vec::new(),
    };
    watched.fit(&x, &t, &cfg, &mut rng, &mut take).unwrap();

    let bits = |l: &[f64]| l.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&watched.loss_list),
        bits(&plain.loss_list),
        "the same losses"
    );
    assert_eq!(
        params(&mut watched.model),
        params(&mut plain.model),
        "the same params"
    );

    let steps: Vec<u64> = take.got.iter().map(|s| s.step).collect();
    assert_eq!(steps, [0, 1, 17, 60, total]);
    assert_eq!(
        take.got[0].params, initial,
        "frame 0 is the initial weights"
    );
    assert_eq!(take.got[0].epoch, 0.0);
    assert_eq!(
        take.got[4].params,
        params(&mut plain.model),
        "the last is the trained net"
    );
    assert_eq!(take.got[4].epoch, 12.0);
    assert_eq!(take.got[2].epoch, 1.7);
    assert_ne!(
        take.got[1].params, take.got[0].params,
        "one step moves the weights"
    );
}

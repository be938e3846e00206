//! Helpers of the checkpoint tests: small runs, saved checkpoints, loading into a fresh run.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use data::load_data_with;
use layers::TwoLayerNet;
use optim::{Adam, Optimizer};
use tensor::random::BookRng;
use tensor::{Device, Element, Labels, Params, Tensor};
use train::checkpoint::{Resume, load_checkpoint, save_checkpoint};
use train::{FitConfig, Silent, TrainError, Trainer};

pub fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dlfs2-ckpt-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn params_of<T: Element>(p: &mut dyn Params<T>) -> Vec<Vec<u64>> {
    let mut out = Vec::new();
    p.visit_params(&mut |p| {
        out.push(
            p.value
                .to_f64_array()
                .unwrap()
                .iter()
                .map(|v| v.to_bits())
                .collect(),
        );
        Ok(())
    })
    .unwrap();
    out
}

pub struct Run<T: Element> {
    pub rng: BookRng,
    pub x: Tensor<T>,
    pub t: Labels,
    pub trainer: Trainer<T, TwoLayerNet<T>>,
}

pub fn run<T: Element>(hidden: usize, optimizer: Box<dyn Optimizer<T>>) -> Run<T> {
    let mut rng = BookRng::new(1984);
    let s = load_data_with(&mut rng, 100, 3).unwrap();
    let x = Tensor::from_f64(s.x.view(), Device::Cpu).unwrap();
    let t = Labels::from_one_hot(s.t.view()).unwrap();
    let model = TwoLayerNet::new(2, hidden, 3, &mut rng, Device::Cpu).unwrap();
    Run {
        rng,
        x,
        t,
        trainer: Trainer::with_boxed(model, optimizer),
    }
}

pub fn config() -> BTreeMap<String, String> {
    BTreeMap::from([("hidden_size".to_string(), "10".to_string())])
}

/// The fit the damaged-file tests save after (2 epochs) and resume (to 4).
pub const SMALL: FitConfig = FitConfig {
    max_epoch: 4,
    batch_size: 30,
    max_grad: None,
    eval_interval: Some(10),
};

/// A hidden-10 Adam run trained for 2 epochs.
pub fn trained() -> Run<f64> {
    let mut r = run::<f64>(10, Box::new(Adam::default()));
    let cfg = FitConfig {
        max_epoch: 2,
        ..SMALL
    };
    r.trainer
        .fit(&r.x, &r.t, &cfg, &mut r.rng, &mut Silent)
        .unwrap();
    r
}

pub fn saved_checkpoint(name: &str) -> (PathBuf, Vec<u8>) {
    let path = dir("bad").join(name);
    let mut r = trained();
    save_checkpoint(&path, &mut r.trainer, &r.rng, &config()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

pub fn load_into(
    path: &Path,
    r: &mut Run<f64>,
    settings: &BTreeMap<String, String>,
    fit: &FitConfig,
) -> Result<BookRng, TrainError> {
    let resume = Resume {
        settings,
        fit,
        data_size: r.x.rows(),
        rng_at_begin: &r.rng,
    };
    load_checkpoint(path, &mut r.trainer, &resume)
}

pub fn load_into_fresh(path: &Path) -> Result<BookRng, TrainError> {
    let mut r = run::<f64>(10, Box::new(Adam::default()));
    load_into(path, &mut r, &config(), &SMALL)
}

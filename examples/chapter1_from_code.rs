//! The whole chapter from a program of yours: `chapter1::run` with your settings and your own
//! [`Reporter`] (here: a dot per epoch, then the losses the run recorded). The same call is what
//! `cargo xtask chapter1` makes.
//!
//! `cargo run --release --example chapter1_from_code -- OUT_DIR`

use chapter1::{Config, Reporter, RunsDone, Training};
use optim::OptimizerKind;
use train::{EvalRecord, FitObserver};

/// Prints a dot each epoch of every training run, and the narrative lines as they come.
struct Dots;

struct DotPerEpoch;

impl FitObserver for DotPerEpoch {
    fn on_step(&mut self, _epoch: usize, iter: usize, max_iters: usize) {
        if iter + 1 == max_iters {
            eprint!(".");
        }
    }
    fn on_eval(&mut self, _: &EvalRecord) {}
}

impl Training for DotPerEpoch {
    fn finish(self: Box<Self>) {
        eprintln!();
    }
}

impl Reporter for Dots {
    fn line(&mut self, text: &str) {
        println!("{text}");
    }
    fn training(&mut self, label: &str, _steps: u64, _every: usize) -> Box<dyn Training + '_> {
        eprint!("{label} ");
        Box::new(DotPerEpoch)
    }
    fn runs(&mut self, _total: usize) -> Box<dyn RunsDone + '_> {
        Box::new(chapter1::Quiet)
    }
}

fn main() -> Result<(), chapter1::Error> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "out/from-code".into());
    let config = Config {
        out: out.into(),
        max_epoch: 100,
        hidden_size: 20,
        optimizer: OptimizerKind::Adam,
        lr: Some(0.05),
        ..Config::default()
    };
    let done = chapter1::run(&config, &mut Dots)?;
    println!(
        "accuracy {:.3}, last recorded loss {:.4} ({} records), {:.1} s; outputs in {}",
        done.accuracy,
        done.final_loss,
        done.loss.len(),
        done.seconds,
        done.out.display()
    );
    Ok(())
}

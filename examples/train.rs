//! Book §1.4.4, `ch01/train.py`: the same training with the `Trainer`, then `trainer.plot()`.

use layers::TwoLayerNet;
use optim::Sgd;
use tensor::random::BookRng;
use tensor::{Device, Labels, Tensor};
use train::{FitConfig, PrintLines, Trainer};
use viz::TrainerPlot;

fn main() -> anyhow::Result<()> {
    let (max_epoch, batch_size, hidden_size, learning_rate) = (300, 30, 10, 1.0);

    let mut rng = BookRng::new(1984);
    let spiral = data::load_data_with(&mut rng, 100, 3)?;
    let x = Tensor::<f64>::from_f64(spiral.x.view(), Device::Cpu)?;
    let t = Labels::from_one_hot(spiral.t.view())?;
    let model = TwoLayerNet::new(2, hidden_size, 3, &mut rng, Device::Cpu)?;
    let optimizer = Sgd::new(learning_rate)?;

    let mut trainer = Trainer::new(model, optimizer);
    let config = FitConfig {
        max_epoch,
        batch_size,
        max_grad: None,
        eval_interval: Some(10),
    };
    trainer.fit(
        &x,
        &t,
        &config,
        &mut rng,
        &mut PrintLines(std::io::stdout()),
    )?;

    let path = examples::out_dir()?.join("train_loss.png");
    trainer.plot(&path, None)?;
    println!(
        "accuracy {:.3}; plot: {}",
        train::accuracy(&mut trainer.model, &x, &t)?,
        path.display()
    );
    Ok(())
}

//! The hand-written training loop of book §1.4.3 (`ch01/train_custom_loop.py`): the same steps as
//! the `Trainer`, spelled out, logging the average loss every 10 iterations.

use layers::Model;
use optim::Optimizer;
use tensor::random::RandomSource;
use tensor::{Element, Labels, Tensor, ops};

use crate::config::FitConfig;
use crate::error::{Result, TrainError};
use crate::observer::{EvalRecord, FitObserver};

/// Trains `model` as `train_custom_loop.py` does, appending the averaged losses to `loss_list`
/// (which keeps what was recorded when training stops on an error).
///
/// Differences from `Trainer::fit`, as in the book: the loss is logged when `(iters + 1) %
/// eval_interval == 0` (the average over the last `eval_interval` iterations), and there is no
/// clipping. The per-epoch shuffle reorders the data cumulatively (`x = x[idx]`), as `fit` does.
// The book's loop has this many inputs; bundling them in a struct would only hide that.
#[allow(clippy::too_many_arguments)]
pub fn train_custom_loop<T: Element>(
    model: &mut dyn Model<T>,
    optimizer: &mut dyn Optimizer<T>,
    x: &Tensor<T>,
    t: &Labels,
    config: &FitConfig,
    rng: &mut dyn RandomSource,
    observer: &mut dyn FitObserver,
    loss_list: &mut Vec<f64>,
) -> Result<()> {
    let data_size = x.rows();
    config.check_data(data_size, t.len())?;
    let (batch_size, max_iters) = (config.batch_size, data_size / config.batch_size);
    let mut order: Vec<usize> = (0..data_size).collect();
    let (mut batch_x, mut batch_t) = (Tensor::empty(), Labels::with_classes(t.classes()));
    let (mut total_loss, mut loss_count) = (0.0, 0usize);
    for epoch in 0..config.max_epoch {
        let idx = rng.permutation(data_size);
        order = idx.iter().map(|&i| order[i]).collect();
        for iters in 0..max_iters {
            let rows = &order[iters * batch_size..(iters + 1) * batch_size];
            ops::gather_rows(x, rows, &mut batch_x)?;
            batch_t.gather(t, rows)?;

            let loss = model.forward(&batch_x, &batch_t)?.to_f64();
            if !loss.is_finite() {
                return Err(TrainError::Diverged {
                    epoch: epoch + 1,
                    iter: iters + 1,
                    what: "loss".into(),
                });
            }
            model.backward()?;
            optimizer.update(model)?;
            total_loss = crate::trainer::add_in::<T>(total_loss, loss);
            loss_count += 1;
            observer.on_step(epoch, iters, max_iters);

            if let Some(every) = config.eval_interval
                && (iters + 1) % every == 0
            {
                let avg_loss = crate::trainer::mean_in::<T>(total_loss, loss_count);
                loss_list.push(avg_loss);
                observer.on_eval(&EvalRecord {
                    epoch: epoch + 1,
                    iter: iters + 1,
                    max_iters,
                    elapsed: None,
                    loss: avg_loss,
                });
                total_loss = 0.0;
                loss_count = 0;
            }
        }
    }
    Ok(())
}

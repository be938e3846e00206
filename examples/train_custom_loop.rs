//! Book §1.4.3, `ch01/train_custom_loop.py`: training written out by hand — shuffle every epoch,
//! slice mini-batches, forward, backward, update — then the loss curve and decision boundary.

use layers::{Model, TwoLayerNet};
use optim::{Optimizer, Sgd};
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Labels, Tensor, ops};

fn main() -> anyhow::Result<()> {
    // Hyper-parameters.
    let (max_epoch, batch_size, hidden_size, learning_rate) = (300, 30, 10, 1.0);

    // np.random.seed(1984) inside load_data; the model's weights continue the same stream.
    let mut rng = BookRng::new(1984);
    let spiral = data::load_data_with(&mut rng, 100, 3)?;
    let x = Tensor::<f64>::from_f64(spiral.x.view(), Device::Cpu)?;
    let t = Labels::from_one_hot(spiral.t.view())?;
    let mut model = TwoLayerNet::new(2, hidden_size, 3, &mut rng, Device::Cpu)?;
    let mut optimizer = Sgd::new(learning_rate)?;

    let data_size = x.rows();
    let max_iters = data_size / batch_size;
    let (mut total_loss, mut loss_count, mut loss_list) = (0.0, 0, Vec::new());
    let mut order: Vec<usize> = (0..data_size).collect();
    let (mut batch_x, mut batch_t) = (Tensor::empty(), Labels::with_classes(3));

    for epoch in 0..max_epoch {
        // Shuffle: x = x[idx], t = t[idx].
        let idx = rng.permutation(data_size);
        order = idx.iter().map(|&i| order[i]).collect();

        for iters in 0..max_iters {
            let rows = &order[iters * batch_size..(iters + 1) * batch_size];
            ops::gather_rows(&x, rows, &mut batch_x)?;
            batch_t.gather(&t, rows)?;

            // Gradients, then the update.
            let loss = model.forward(&batch_x, &batch_t)?;
            model.backward()?;
            Optimizer::<f64>::update(&mut optimizer, &mut model)?;

            total_loss += loss;
            loss_count += 1;

            // Report every 10 iterations.
            if (iters + 1) % 10 == 0 {
                let avg_loss = total_loss / loss_count as f64;
                println!(
                    "| epoch {} |  iter {} / {} | loss {:.2}",
                    epoch + 1,
                    iters + 1,
                    max_iters,
                    avg_loss
                );
                loss_list.push(avg_loss);
                total_loss = 0.0;
                loss_count = 0;
            }
        }
    }

    let out = examples::out_dir()?;
    viz::plot_loss(
        &loss_list,
        10,
        None,
        &out.join("custom_loop_loss.png"),
        viz::DEFAULT_SIZE,
    )?;
    let labels: Vec<usize> = t.indices().iter().map(|&c| c as usize).collect();
    let grid = boundary::Grid::around(spiral.x.view(), 0.001)?;
    let classes = boundary::classify_grid(&mut model, &grid, Device::Cpu)?;
    let path = out.join("custom_loop_boundary.png");
    let points = viz::Points::new(spiral.x.view(), &labels);
    viz::plot_decision_boundary(
        &grid,
        &classes,
        &points,
        "decision boundary",
        // The book's figure: `plt.contourf` in matplotlib's default colours.
        viz::RegionColors::Viridis,
        &path,
        (800, 640),
    )?;
    println!(
        "accuracy {:.3}; plots in {}",
        train::accuracy(&mut model, &x, &t)?,
        out.display()
    );
    Ok(())
}

//! Book §1.4.1, `ch01/show_spiral_dataset.py`: load the spiral data, print its shapes, plot it.

fn main() -> anyhow::Result<()> {
    let spiral = data::load_data(1984);
    println!("x {:?}", spiral.x.dim());
    println!("t {:?}", spiral.t.dim());

    let labels: Vec<usize> = spiral
        .t
        .rows()
        .into_iter()
        .map(|r| r.iter().position(|&v| v == 1).unwrap_or(0))
        .collect();
    let path = examples::out_dir()?.join("spiral.png");
    viz::plot_spiral(spiral.x.view(), &labels, &path, viz::DEFAULT_SIZE)?;
    println!("plot: {}", path.display());
    Ok(())
}

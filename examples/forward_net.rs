//! Book §1.2.2, `ch01/forward_net.py`: a forward pass through a two-layer net with random weights.

use layers::{Affine, Layer, Sigmoid};
use tensor::random::{BookRng, RandomSource};
use tensor::{Device, Tensor};

fn main() -> anyhow::Result<()> {
    let mut rng = BookRng::new(0);
    let t = |a: ndarray::Array2<f64>| Tensor::<f64>::from_array(a, Device::Cpu);

    // The book's order of draws: `x = np.random.randn(10, 2)` first, then
    // `model = TwoLayerNet(2, 4, 3)` draws W1, b1, W2, b2 from randn.
    let x = t(rng.randn_matrix(10, 2))?;
    let (i, h, o) = (2, 4, 3);
    let w1 = rng.randn_matrix(i, h);
    let b1 = rng.randn_matrix(1, h);
    let w2 = rng.randn_matrix(h, o);
    let b2 = rng.randn_matrix(1, o);
    let mut layers: Vec<Box<dyn Layer<f64>>> = vec![
        Box::new(Affine::new(t(w1)?, t(b1)?)?),
        Box::new(Sigmoid::new()),
        Box::new(Affine::new(t(w2)?, t(b2)?)?),
    ];

    // s = model.predict(x)
    let mut s = x;
    for layer in &mut layers {
        s = layer.forward(&s)?.try_clone()?;
    }
    println!("scores (10 x 3):\n{:.6}", s.to_array()?);
    Ok(())
}

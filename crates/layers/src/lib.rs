//! The book's layers (§1.2–1.3, `common/layers.py`), each owning its params and grads, with
//! hand-written `forward` and `backward`; and `TwoLayerNet` (§1.4.2, `ch01/two_layer_net.py`).
//!
//! Every layer keeps its output and gradient buffers between calls, so a training step that
//! reuses a model allocates nothing once warmed up.

pub mod affine;
pub mod error;
pub mod layer;
pub mod matmul;
pub mod repeat;
pub mod sigmoid;
pub mod softmax;
pub mod softmax_with_loss;
pub mod sum;
pub mod two_layer_net;

pub use affine::Affine;
pub use error::{LayerError, Result};
pub use layer::{Layer, Model, TryClone};
pub use matmul::MatMul;
pub use repeat::Repeat;
pub use sigmoid::Sigmoid;
pub use softmax::Softmax;
pub use softmax_with_loss::SoftmaxWithLoss;
pub use sum::Sum;
pub use tensor::{Param, Params};
pub use two_layer_net::TwoLayerNet;

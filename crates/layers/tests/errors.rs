//! Bad input to layers and models is a typed error, never a panic.

use layers::{Affine, Layer, LayerError, Model, Sigmoid, SoftmaxWithLoss, TwoLayerNet};
use ndarray::Array2;
use tensor::random::BookRng;
use tensor::{Device, Labels, Tensor, TensorError};

fn zeros(r: usize, c: usize) -> Tensor<f64> {
    Tensor::zeros(r, c, Device::Cpu).unwrap()
}

#[test]
fn wrong_feature_count_is_a_shape_mismatch() {
    let mut net = TwoLayerNet::<f64>::new(2, 10, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    let err = net.predict(&zeros(4, 3)).unwrap_err();
    assert!(
        matches!(
            err,
            LayerError::Tensor(TensorError::ShapeMismatch { op: "matmul", .. })
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("shape mismatch in matmul"),
        "{err}"
    );
}

#[test]
fn mismatched_batch_sizes_of_x_and_t_are_errors() {
    let mut net = TwoLayerNet::<f64>::new(2, 4, 3, &mut BookRng::new(1), Device::Cpu).unwrap();
    let t = Labels::from_indices(&[0, 1, 2], 3).unwrap();
    let err = net.forward(&zeros(4, 2), &t).unwrap_err();
    assert!(err.to_string().contains("x rows vs labels"), "{err}");
}

#[test]
fn labels_of_the_wrong_class_count_or_range_are_errors() {
    let mut loss = SoftmaxWithLoss::<f64>::new();
    let t = Labels::from_indices(&[0, 1], 4).unwrap();
    assert!(matches!(
        loss.forward(&zeros(2, 3), &t),
        Err(LayerError::Tensor(TensorError::LabelMismatch { .. }))
    ));
    assert!(matches!(
        Labels::from_indices(&[0, 3], 3),
        Err(TensorError::LabelOutOfRange {
            row: 1,
            label: 3,
            classes: 3
        })
    ));
    let not_one_hot = Array2::from_shape_vec((2, 3), vec![1, 0, 0, 1, 1, 0]).unwrap();
    assert_eq!(
        Labels::from_one_hot(not_one_hot.view()),
        Err(TensorError::NotOneHot { row: 1 })
    );
}

#[test]
fn empty_batches_are_errors() {
    let mut loss = SoftmaxWithLoss::<f64>::new();
    let t = Labels::from_indices(&[], 3).unwrap();
    assert!(matches!(
        loss.forward(&zeros(0, 3), &t),
        Err(LayerError::Tensor(TensorError::Empty { .. }))
    ));
}

#[test]
fn backward_before_forward_is_an_error() {
    let mut s = Sigmoid::<f64>::new();
    assert_eq!(
        s.backward(&zeros(1, 1)).unwrap_err(),
        LayerError::BackwardBeforeForward { layer: "Sigmoid" }
    );
    let mut a = Affine::new(zeros(2, 3), zeros(1, 3)).unwrap();
    assert!(a.backward(&zeros(1, 3)).is_err());
    let mut l = SoftmaxWithLoss::<f64>::new();
    assert!(l.backward(1.0).is_err());
}

#[test]
fn backward_with_a_wrong_dout_shape_is_an_error() {
    let mut a = Affine::new(zeros(2, 3), zeros(1, 3)).unwrap();
    a.forward(&zeros(4, 2)).unwrap();
    assert!(matches!(
        a.backward(&zeros(5, 3)),
        Err(LayerError::Tensor(TensorError::ShapeMismatch { .. }))
    ));
}

#[test]
fn bias_of_the_wrong_width_and_absurd_sizes_are_errors() {
    assert!(Affine::new(zeros(2, 3), zeros(1, 4)).is_err());
    assert!(TwoLayerNet::<f64>::new(2, 0, 3, &mut BookRng::new(1), Device::Cpu).is_err());
    assert!(TwoLayerNet::<f64>::new(2, usize::MAX, 3, &mut BookRng::new(1), Device::Cpu).is_err());
}

#[test]
fn asking_for_a_gpu_in_a_cpu_build_is_a_typed_error() {
    let err = TwoLayerNet::<f64>::new(2, 4, 3, &mut BookRng::new(1), Device::Cuda(0)).unwrap_err();
    assert!(
        matches!(
            err,
            LayerError::Tensor(TensorError::DeviceUnavailable { .. })
        ),
        "{err}"
    );
}

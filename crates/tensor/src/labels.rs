//! Class labels: the book's `t`, kept as class indices whatever form they came in.

use ndarray::ArrayView2;

use crate::device::Device;
use crate::error::{Result, TensorError};

/// One class index per sample, plus the number of classes.
///
/// The book passes `t` either one-hot (`N x C`) or as indices (`N`); `SoftmaxWithLoss` turns the
/// one-hot form into indices with `argmax`. Here the conversion happens once, when labels are made,
/// and is checked: a row that is not one-hot is an error, not a silent `argmax`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    classes: usize,
    indices: Vec<u32>,
}

impl Labels {
    /// Labels from class indices, each below `classes`.
    pub fn from_indices(indices: &[usize], classes: usize) -> Result<Self> {
        let mut out = Vec::with_capacity(indices.len());
        for (row, &label) in indices.iter().enumerate() {
            if label >= classes || label > u32::MAX as usize {
                return Err(TensorError::LabelOutOfRange {
                    row,
                    label: label as i64,
                    classes,
                });
            }
            out.push(label as u32);
        }
        Ok(Labels {
            classes,
            indices: out,
        })
    }

    /// Labels from a one-hot matrix (`N x C`, exactly one 1 per row, zeros elsewhere).
    pub fn from_one_hot(t: ArrayView2<'_, i32>) -> Result<Self> {
        let classes = t.ncols();
        let mut indices = Vec::with_capacity(t.nrows());
        for (row, values) in t.rows().into_iter().enumerate() {
            let mut hot = None;
            for (c, &v) in values.iter().enumerate() {
                match (v, hot) {
                    (0, _) => {}
                    (1, None) => hot = Some(c as u32),
                    _ => return Err(TensorError::NotOneHot { row }),
                }
            }
            indices.push(hot.ok_or(TensorError::NotOneHot { row })?);
        }
        Ok(Labels { classes, indices })
    }

    /// An empty label set for `classes` classes: a buffer that [`Labels::gather`] fills.
    pub fn with_classes(classes: usize) -> Self {
        Labels {
            classes,
            indices: Vec::new(),
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The class indices.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// The device holding the labels. Labels are small and read by the loss on the host side of
    /// the CPU backend; a device backend keeps its own copy next to the batch.
    pub fn device(&self) -> Device {
        Device::Cpu
    }

    /// Overwrites `self` with the labels at rows `idx` of `src` (reusing memory).
    pub fn gather(&mut self, src: &Labels, idx: &[usize]) -> Result<()> {
        self.classes = src.classes;
        self.indices.clear();
        for &i in idx {
            let label = *src.indices.get(i).ok_or(TensorError::IndexOutOfRange {
                index: i,
                rows: src.len(),
            })?;
            self.indices.push(label);
        }
        Ok(())
    }

    /// Overwrites `self` with a copy of `src` (reusing memory).
    pub fn copy_from(&mut self, src: &Labels) {
        self.classes = src.classes;
        self.indices.clear();
        self.indices.extend_from_slice(&src.indices);
    }

    /// The one-hot matrix (`N x C`) of these labels.
    pub fn to_one_hot(&self) -> ndarray::Array2<i32> {
        let mut t = ndarray::Array2::zeros((self.len(), self.classes));
        for (row, &c) in self.indices.iter().enumerate() {
            t[[row, c as usize]] = 1;
        }
        t
    }
}

//! The decision boundary's numbers (book §1.4.3, `ch01/train.py`'s plotting code): the book's
//! [`Grid`] around the data and the class of every point of it ([`ClassGrid`]), found either by
//! asking the model about every point ([`classify_grid`]) or by a certified quadtree that proves
//! whole blocks to be one class ([`classify_grid_certified`]) and gives the same classes.
//!
//! Drawing them is `viz`'s job; this crate only computes, through `tensor::ops` and the model.

pub mod certified;
pub mod error;
pub mod grid;

pub use certified::{classify_grid_certified, count_classes_certified, count_classes_scan};
pub use error::{BoundaryError, Result};
pub use grid::{ClassGrid, Grid, MAX_COUNTED_POINTS, MAX_POINTS, classify_grid};

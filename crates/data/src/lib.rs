//! Data sets for chapter 1: the spiral (book §1.4.1, `dataset/spiral.py`), and users' own 2-D
//! points from CSV files.

pub mod csv;
pub mod error;
pub mod read;
pub mod spiral;
pub mod split;

pub use error::DataError;
pub use read::read_bounded;
pub use spiral::{Spiral, load_data, load_data_with};
pub use split::{Split, split};

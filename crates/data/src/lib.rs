//! Data sets for chapter 1: the spiral (book §1.4.1, `dataset/spiral.py`), users' own 2-D points
//! from CSV files, and the toy sets a learner tries next (moons, circles, XOR, blobs).

pub mod csv;
pub mod error;
pub mod read;
pub mod spiral;
pub mod split;
pub mod toy;

pub use error::DataError;
pub use read::read_bounded;
pub use spiral::{Spiral, load_data, load_data_with};
pub use split::{Split, split};
pub use toy::{Points, Toy};

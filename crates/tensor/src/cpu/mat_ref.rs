//! The operand of the matrix products: a read-only view of a row-major matrix, or of its
//! transpose (the same data with the strides swapped), checked to lie inside its slice.

/// A read-only matrix view: element `(i, j)` is `data[i * rs + j * cs]`.
///
/// A transposed operand is the same data with the strides swapped. The fields are private to the
/// crate: [`MatRef::new`] checks that every element lies inside `data`, and the kernels that read
/// through raw pointers check it again (with overflow-checked arithmetic) before they do.
#[derive(Debug, Clone, Copy)]
pub struct MatRef<'a, T> {
    /// The backing values.
    pub(crate) data: &'a [T],
    /// Logical rows.
    pub(crate) rows: usize,
    /// Logical columns.
    pub(crate) cols: usize,
    /// Stride between rows.
    pub(crate) rs: usize,
    /// Stride between columns.
    pub(crate) cs: usize,
}

impl<'a, T: Copy> MatRef<'a, T> {
    /// A row-major `rows x cols` matrix, optionally read as its transpose.
    ///
    /// # Panics
    /// If `data` holds fewer than `rows * cols` values (or that product overflows).
    #[track_caller]
    pub fn new(data: &'a [T], rows: usize, cols: usize, transpose: bool) -> Self {
        let need = rows
            .checked_mul(cols)
            .expect("MatRef: rows * cols overflows");
        assert!(
            data.len() >= need,
            "MatRef: {rows} x {cols} needs {need} values, the slice has {}",
            data.len()
        );
        if transpose {
            MatRef {
                data,
                rows: cols,
                cols: rows,
                rs: 1,
                cs: cols,
            }
        } else {
            MatRef {
                data,
                rows,
                cols,
                rs: cols,
                cs: 1,
            }
        }
    }

    /// The transpose: the same data with the strides swapped.
    pub(crate) fn t(self) -> Self {
        MatRef {
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }

    /// Whether this view reads its data transposed (column by column): numpy's F-ordered view.
    pub(crate) fn is_transposed(&self) -> bool {
        self.cs != 1 && self.rs == 1
    }

    /// Logical rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Logical columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    #[inline(always)]
    pub(super) fn at(&self, i: usize, j: usize) -> T {
        self.data[i * self.rs + j * self.cs]
    }
}

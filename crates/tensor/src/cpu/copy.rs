//! Copying a tensor's elements (`Affine` keeps its input for the backward pass, book §1.3.5.2).

/// `dst = src`, split across threads for large tensors: W3's hidden layers (512 × 1024) come out
/// of the sigmoid split the same way, so each thread copies the rows it just wrote, from its own
/// core's cache.
///
/// # Panics
/// If the lengths differ.
pub fn copy<T: Copy + Send + Sync>(dst: &mut [T], src: &[T]) {
    assert_eq!(dst.len(), src.len(), "copy: lengths differ");
    let chunk = super::parallel::chunk_len(dst.len(), 1);
    if chunk < dst.len() {
        let parts: Vec<_> = dst.chunks_mut(chunk).zip(src.chunks(chunk)).collect();
        super::pool::run_each(parts, |(d, s)| d.copy_from_slice(s));
        return;
    }
    dst.copy_from_slice(src);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_copies_are_exact() {
        for n in [0, 7, super::super::parallel::ELEMENTWISE_PARALLEL_MIN + 5] {
            let src: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 3.0).collect();
            let mut dst = vec![f32::NAN; n];
            copy(&mut dst, &src);
            assert!(
                dst.iter()
                    .zip(&src)
                    .all(|(d, s)| d.to_bits() == s.to_bits())
            );
        }
    }
}

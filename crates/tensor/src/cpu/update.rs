//! The optimizer update on the CPU: the rule's element loop ([`Rule::apply`]), split across
//! threads for large params. Every rule is element-wise, so the split changes no result.

use crate::float::Float;
use crate::rule::Rule;

/// `rule` applied to param `p` with grad `g` and the rule's state `s1`, `s2` (empty when the rule
/// keeps fewer).
pub fn apply<T: Float>(rule: &Rule, p: &mut [T], s1: &mut [T], s2: &mut [T], g: &[T]) {
    let chunk = super::parallel::chunk_len(p.len(), 1);
    if chunk >= p.len() {
        rule.apply(p, s1, s2, g);
        return;
    }
    let (mut a, mut b) = (parts(s1, chunk).into_iter(), parts(s2, chunk).into_iter());
    std::thread::scope(|scope| {
        for (pc, gc) in p.chunks_mut(chunk).zip(g.chunks(chunk)) {
            let (ac, bc) = (a.next().unwrap_or_default(), b.next().unwrap_or_default());
            scope.spawn(move || rule.apply(pc, ac, bc, gc));
        }
    });
}

/// `s` in parts of `chunk`; an empty state slot stays empty in every part.
fn parts<T>(s: &mut [T], chunk: usize) -> Vec<&mut [T]> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.chunks_mut(chunk).collect()
    }
}

//! Class prediction of the chapter's network in one fused pass (the decision-boundary workload):
//! `argmax(sigmoid(x · W1 + b1) · W2 + b2)` per row, without the softmax (it does not change the
//! argmax) and with the vectorized `exp`.
//!
//! Points are taken in blocks of `P`, transposed so that every inner loop runs over points
//! (contiguous, vectorized), with the hidden activations of a block kept in cache.

use super::CpuFloat;

/// Points per block.
const P: usize = 64;

/// Shapes of the network: `x` is `n x inputs`, `w1` is `inputs x hidden`, `w2` is `hidden x classes`.
#[derive(Debug, Clone, Copy)]
pub struct TwoLayer<'a, T> {
    /// First-layer weights, row-major `inputs x hidden`.
    pub w1: &'a [T],
    /// First-layer bias (`hidden`).
    pub b1: &'a [T],
    /// Second-layer weights, row-major `hidden x classes`.
    pub w2: &'a [T],
    /// Second-layer bias (`classes`).
    pub b2: &'a [T],
}

/// The predicted class of each row of `x` (`n x inputs`, row-major) into `out`.
pub fn classify<T: CpuFloat>(net: TwoLayer<'_, T>, x: &[T], inputs: usize, out: &mut Vec<usize>) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { classify_avx2(net, x, inputs, out) };
        return;
    }
    classify_body(net, x, inputs, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn classify_avx2<T: CpuFloat>(
    net: TwoLayer<'_, T>,
    x: &[T],
    inputs: usize,
    out: &mut Vec<usize>,
) {
    classify_body(net, x, inputs, out);
}

#[inline(always)]
fn classify_body<T: CpuFloat>(net: TwoLayer<'_, T>, x: &[T], inputs: usize, out: &mut Vec<usize>) {
    let hidden = net.b1.len();
    let classes = net.b2.len();
    out.clear();
    if inputs == 0 || classes == 0 {
        return;
    }
    let n = x.len() / inputs;
    let mut xt = vec![T::ZERO; inputs * P];
    let mut h = vec![T::ZERO; hidden * P];
    let mut s = vec![T::ZERO; classes * P];
    let mut best_val = [T::ZERO; P];
    let mut best_idx = [T::ZERO; P];
    for start in (0..n).step_by(P) {
        let len = P.min(n - start);
        for p in 0..len {
            for i in 0..inputs {
                xt[i * P + p] = x[(start + p) * inputs + i];
            }
        }
        for j in 0..hidden {
            let hj = &mut h[j * P..j * P + P];
            hj.fill(net.b1[j]);
            for i in 0..inputs {
                let w = net.w1[i * hidden + j];
                for (hv, &xv) in hj.iter_mut().zip(&xt[i * P..i * P + P]) {
                    *hv = xv.mul_add(w, *hv);
                }
            }
            for hv in hj.iter_mut() {
                *hv = T::ONE / (T::ONE + (-*hv).exp_fast());
            }
        }
        for c in 0..classes {
            let sc = &mut s[c * P..c * P + P];
            sc.fill(net.b2[c]);
            for j in 0..hidden {
                let w = net.w2[j * classes + c];
                for (sv, &hv) in sc.iter_mut().zip(&h[j * P..j * P + P]) {
                    *sv = hv.mul_add(w, *sv);
                }
            }
        }
        // Argmax over classes, branch-free across the block's points (first maximum wins).
        best_val.copy_from_slice(&s[..P]);
        best_idx.fill(T::ZERO);
        for c in 1..classes {
            let class = T::from_f64(c as f64);
            for ((bv, bi), &sv) in best_val
                .iter_mut()
                .zip(best_idx.iter_mut())
                .zip(&s[c * P..c * P + P])
            {
                let better = sv > *bv;
                *bv = if better { sv } else { *bv };
                *bi = if better { class } else { *bi };
            }
        }
        out.extend(best_idx[..len].iter().map(|&i| i.to_f64() as usize));
    }
}

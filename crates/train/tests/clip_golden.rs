//! `clip_grads` against the book (`twolayer_grads.json: clip_grads`), both branches.

use tensor::{Device, Param, Params, Tensor};
use testkit::{assert_bits_eq, golden_json, matrix};
use train::clip_grads;

const NAMES: [&str; 4] = ["dW1", "db1", "dW2", "db2"];

struct Grads(Vec<Tensor<f64>>, Vec<Tensor<f64>>);

impl Params<f64> for Grads {
    fn visit_params<'a>(
        &'a mut self,
        f: &mut dyn FnMut(Param<'a, f64>) -> tensor::Result<()>,
    ) -> tensor::Result<()> {
        for (value, grad) in self.0.iter_mut().zip(&mut self.1) {
            f(Param {
                name: "p",
                value,
                grad,
            })?;
        }
        Ok(())
    }
}

#[test]
fn clip_grads_matches_the_book_in_both_branches() {
    let g = golden_json("twolayer_grads.json");
    let mut cases = vec![g.clone()];
    cases.extend(g["extra_cases"].as_array().unwrap().iter().cloned());
    let mut clipped_seen = [false, false];
    for case in &cases {
        for rec in case["clip_grads"].as_array().unwrap() {
            let grads: Vec<_> = NAMES
                .iter()
                .map(|n| Tensor::from_f64(matrix(&case["grads"][n]).view(), Device::Cpu).unwrap())
                .collect();
            let values = grads.iter().map(|g| g.try_clone().unwrap()).collect();
            let mut p = Grads(values, grads);
            let norm = clip_grads(&mut p, rec["max_norm"].as_f64().unwrap()).unwrap();
            assert_eq!(norm, rec["total_norm_recomputed"].as_f64().unwrap());
            for (n, got) in NAMES.iter().zip(&p.1) {
                assert_bits_eq(
                    n,
                    got.to_array().unwrap().view(),
                    matrix(&rec["grads_after"][n]).view(),
                );
            }
            clipped_seen[rec["clipped"].as_bool().unwrap() as usize] = true;
        }
    }
    assert_eq!(clipped_seen, [true, true], "both branches covered");
}

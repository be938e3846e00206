//! Every op on every device against the CPU reference, in f32 and f64 (tolerances in
//! `testkit::parity`). The CUDA case is compiled with `--features cuda` and ignored unless asked
//! for (`-- --ignored cuda`, on a GPU machine).

use testkit::parity::check_device;

testkit::device_tests! {
    fn every_op_matches_the_cpu_reference(device) {
        let rows = check_device(device).unwrap_or_else(|e| panic!("{device}: {e}"));
        assert!(rows.len() > 40, "{device}: {} comparisons", rows.len());
        let bad: Vec<String> = rows
            .iter()
            .filter(|r| !r.ok)
            .map(|r| {
                format!(
                    "{} {}: max |diff| {:e}, {:.2}x the tolerance",
                    r.op, r.dtype, r.max_abs, r.worst_ratio
                )
            })
            .collect();
        assert!(bad.is_empty(), "{device}:\n{}", bad.join("\n"));
        println!("{device}: {} op comparisons within tolerance", rows.len());
    }
}

#[test]
fn the_cpu_compared_with_itself_is_exact() {
    let rows = check_device(tensor::Device::Cpu).unwrap();
    for r in rows {
        assert_eq!(r.max_abs, 0.0, "{} {}", r.op, r.dtype);
    }
}

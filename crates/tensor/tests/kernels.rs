//! The CUDA kernels (`src/cuda/kernels.cu`) compile with NVRTC for every architecture the backend
//! targets, and every kernel the Rust side launches is in the result. Needs only the NVRTC library
//! (the CUDA toolkit's), no GPU: compiled with `--features cuda`, ignored unless asked for
//! (`-- --ignored cuda`).
#![cfg(feature = "cuda")]

use std::io::Write;

#[test]
#[ignore = "needs the CUDA toolkit's NVRTC library: cargo test -p tensor --features cuda -- --ignored cuda"]
fn cuda_kernels_compile_with_nvrtc_for_every_known_architecture() {
    let ptx = match tensor::cuda::check_kernels_compile() {
        Ok(Some(ptx)) => ptx,
        Ok(None) => panic!("asked to compile kernels.cu, but there is no NVRTC library here"),
        Err(e) => panic!("{e}"),
    };
    // Every kernel launched from Rust must be an entry point of the PTX for both element types,
    // taking as many parameters as the Rust side pushes.
    let ops = [
        include_str!("../src/cuda/bias.rs"),
        include_str!("../src/cuda/classify.rs"),
        include_str!("../src/cuda/gather.rs"),
        include_str!("../src/cuda/grads.rs"),
        include_str!("../src/cuda/reduce.rs"),
        include_str!("../src/cuda/sigmoid.rs"),
        include_str!("../src/cuda/softmax.rs"),
        include_str!("../src/cuda/update.rs"),
    ]
    .concat();
    let mut names: Vec<String> = Vec::new();
    // `launch!(be, "name", T, cfg, args...)`: the arguments after the config are the kernel's.
    for call in ops.split("launch!(").skip(1) {
        let body = top_level_args(call);
        if body.len() < 4 || !body[1].starts_with('"') {
            continue;
        }
        let name = body[1].trim_matches('"');
        let arity = body.len() - 4;
        for ty in ["f32", "f64"] {
            let got = param_count(&ptx, &format!("{name}_{ty}"));
            assert_eq!(
                got,
                Some(arity),
                "{name}_{ty}: PTX params vs launch! arguments"
            );
        }
        names.push(name.to_string());
    }
    // Kernels fetched by name for hand-built launches.
    for call in ops.split("name::<T>(\"").skip(1) {
        names.extend(call.split('"').next().map(str::to_string));
    }
    // The optimizer rules: `<rule>` takes (p, s1, s2, g, scalars..., n), `<rule>_multi` takes
    // (table, count, scalars...).
    // with as many scalars as `Rule::scalars` passes, for every rule.
    for kind in tensor::rule::OptimizerKind::ALL {
        let rule = kind.as_str();
        let (_, scalars) = kind.book_default().scalars::<f64>();
        for ty in ["f32", "f64"] {
            let one = param_count(&ptx, &format!("{rule}_{ty}"));
            let all = param_count(&ptx, &format!("{rule}_multi_{ty}"));
            assert_eq!(
                (one, all),
                (Some(5 + scalars), Some(2 + scalars)),
                "{rule}_{ty} and {rule}_multi_{ty}: params vs Rule::scalars"
            );
        }
        names.push(rule.to_string());
        names.push(format!("{rule}_multi"));
    }
    assert!(names.len() >= 30, "found only {names:?}");
    for name in &names {
        for ty in ["f32", "f64"] {
            let entry = format!(".entry {name}_{ty}(");
            assert!(ptx.contains(&entry), "kernels.cu has no kernel {name}_{ty}");
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "kernels.cu compiled; all {} launched kernels are in its PTX",
        names.len()
    );
}

/// The comma-separated arguments of a macro call whose text starts after `(`, up to its `)`.
fn top_level_args(call: &str) -> Vec<String> {
    let (mut depth, mut args, mut cur) = (0i32, Vec::new(), String::new());
    for ch in call.chars() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        args.push(cur.trim().to_string());
    }
    args
}

/// How many `.param`s the PTX entry `name` declares.
fn param_count(ptx: &str, name: &str) -> Option<usize> {
    let start = ptx.find(&format!(".entry {name}("))?;
    let rest = &ptx[start..];
    Some(rest[..rest.find(')')?].matches(".param").count())
}

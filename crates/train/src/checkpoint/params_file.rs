//! A model's params as a file of their own (`model.safetensors`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use tensor::{Element, Params};

use super::atomic::{read_file, write_atomic};
use super::format::{Bytes, Parsed, dtype_of, parse, serialize, tensor_bytes};
use super::{PARAMS_FORMAT, format_err, mismatch};
use crate::error::Result;

pub(crate) fn param_tensors<T: Element>(
    params: &mut dyn Params<T>,
    out: &mut BTreeMap<String, Bytes>,
) -> Result<()> {
    let mut failed = None;
    params.visit_params(&mut |p| {
        match tensor_bytes(p.value) {
            Ok(b) => {
                out.insert(format!("param.{}", p.name), b);
            }
            Err(e) => failed = Some(e),
        }
        Ok(())
    })?;
    failed.map_or(Ok(()), Err)
}

/// Saves a model's params to `path` (format [`PARAMS_FORMAT`]).
pub fn save_params<T: Element>(path: &Path, params: &mut dyn Params<T>) -> Result<()> {
    write_atomic(path, &params_bytes(params, path)?)
}

/// The bytes of the params file [`save_params`] writes, checksum included, without writing them
/// (the browser playground hands them to a download); `path` names the file in errors.
pub fn params_bytes<T: Element>(params: &mut dyn Params<T>, path: &Path) -> Result<Vec<u8>> {
    let mut tensors = BTreeMap::new();
    param_tensors(params, &mut tensors)?;
    let meta = HashMap::from([
        ("format".to_string(), PARAMS_FORMAT.to_string()),
        ("dtype".to_string(), T::DTYPE.as_str().to_string()),
    ]);
    serialize(&tensors, meta, path)
}

/// Copies the params of a parsed file into `params`, checking names, dtypes and shapes first
/// (nothing is changed when anything does not fit).
pub(crate) fn restore_params<T: Element>(
    path: &Path,
    parsed: &Parsed,
    params: &mut dyn Params<T>,
) -> Result<()> {
    check_params(path, parsed, params)?;
    let mut buf = Vec::new();
    params.visit_params(&mut |p| {
        let (_, shape, values) = &parsed.tensors[&format!("param.{}", p.name)];
        buf.clear();
        buf.extend(values.iter().map(|&v| T::from_f64(v)));
        p.value.copy_from_host(shape[0], shape[1], &buf)
    })?;
    Ok(())
}

/// Checks that the file has every param of `params` with its dtype and shape.
pub(crate) fn check_params<T: Element>(
    path: &Path,
    parsed: &Parsed,
    params: &mut dyn Params<T>,
) -> Result<()> {
    let dtype = parsed.meta.get("dtype").map(String::as_str).unwrap_or("?");
    if dtype != T::DTYPE.as_str() {
        return Err(mismatch(path, "the dtype", T::DTYPE.as_str(), dtype));
    }
    let mut shapes = Vec::new();
    params.visit_params(&mut |p| {
        shapes.push((p.name, p.value.shape()));
        Ok(())
    })?;
    for &(name, (r, c)) in &shapes {
        let key = format!("param.{name}");
        let (dt, shape, _) = parsed
            .tensors
            .get(&key)
            .ok_or_else(|| mismatch(path, format!("param {name}"), "present", "missing"))?;
        if *dt != dtype_of::<T>() {
            return Err(mismatch(
                path,
                format!("the dtype of {name}"),
                T::DTYPE.as_str(),
                format!("{dt:?}"),
            ));
        }
        if shape.as_slice() != [r, c] {
            return Err(mismatch(
                path,
                format!("the shape of {name}"),
                format!("{r}x{c}"),
                format!("{shape:?}"),
            ));
        }
    }
    // A checksum proves the file is as written, not that what was written is usable: a NaN or
    // infinite param (or optimizer state) would only show later as a diverged run.
    for (key, (_, _, values)) in &parsed.tensors {
        if (key.starts_with("param.") || key.starts_with("optim."))
            && let Some(bad) = values.iter().find(|v| !v.is_finite())
        {
            return Err(format_err(
                path,
                format!("tensor {key} holds a non-finite value ({bad}); it cannot be trained from"),
            ));
        }
    }
    Ok(())
}

/// Loads params saved by [`save_params`] (or a checkpoint) into a model of the same shape.
pub fn load_params<T: Element>(path: &Path, params: &mut dyn Params<T>) -> Result<()> {
    let bytes = read_file(path)?;
    let parsed = parse(path, &bytes)?;
    restore_params(path, &parsed, params)
}

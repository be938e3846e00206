//! The safetensors encoding of params and checkpoints: tensors to bytes and back, and the check
//! that a file is one of ours.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, View};
use tensor::{DType, Element, Tensor};

use super::{
    CHECKPOINT_FORMAT, OLD_CHECKPOINT_FORMAT, OLD_PARAMS_FORMAT, PARAMS_FORMAT, format_err,
};
use crate::error::Result;

/// A tensor's bytes ready for serialization.
pub(crate) struct Bytes {
    pub(crate) dtype: Dtype,
    pub(crate) shape: Vec<usize>,
    pub(crate) data: Vec<u8>,
}

impl View for &Bytes {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

pub(crate) fn dtype_of<T: Element>() -> Dtype {
    match T::DTYPE {
        DType::F64 => Dtype::F64,
        DType::F32 => Dtype::F32,
    }
}

pub(crate) fn tensor_bytes<T: Element>(t: &Tensor<T>) -> Result<Bytes> {
    let a = t.to_array()?;
    let mut data = Vec::with_capacity(a.len() * std::mem::size_of::<T>());
    for &v in a.iter() {
        match T::DTYPE {
            DType::F64 => data.extend_from_slice(&v.to_f64().to_le_bytes()),
            DType::F32 => data.extend_from_slice(&(v.to_f64() as f32).to_le_bytes()),
        }
    }
    Ok(Bytes {
        dtype: dtype_of::<T>(),
        shape: vec![a.nrows(), a.ncols()],
        data,
    })
}

pub(crate) fn f64_bytes(values: &[f64]) -> Bytes {
    Bytes {
        dtype: Dtype::F64,
        shape: vec![values.len()],
        data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    }
}

/// The metadata key of the checksum.
const CHECKSUM: &str = "checksum";

/// `blake3:<hex>` of everything a file holds: every metadata entry but the checksum (in key order)
/// and every tensor's name, dtype, shape and bytes (in name order), each length-prefixed so that no
/// two different contents hash the same input.
fn checksum<'a>(
    meta: &BTreeMap<&str, &str>,
    tensors: impl Iterator<Item = (&'a str, Dtype, &'a [usize], &'a [u8])>,
) -> String {
    let mut h = blake3::Hasher::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    for (k, v) in meta.iter().filter(|(k, _)| **k != CHECKSUM) {
        field(k.as_bytes());
        field(v.as_bytes());
    }
    for (name, dtype, shape, data) in tensors {
        field(name.as_bytes());
        field(format!("{dtype:?}").as_bytes());
        let dims: Vec<u8> = shape
            .iter()
            .flat_map(|&d| (d as u64).to_le_bytes())
            .collect();
        field(&dims);
        field(data);
    }
    format!("blake3:{}", h.finalize().to_hex())
}

/// The file's bytes: the tensors, the metadata, and the checksum of both.
pub(crate) fn serialize(
    tensors: &BTreeMap<String, Bytes>,
    mut meta: HashMap<String, String>,
    path: &Path,
) -> Result<Vec<u8>> {
    let sorted: BTreeMap<&str, &str> = meta.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sum = checksum(
        &sorted,
        tensors
            .iter()
            .map(|(k, b)| (k.as_str(), b.dtype, b.shape.as_slice(), b.data.as_slice())),
    );
    meta.insert(CHECKSUM.to_string(), sum);
    safetensors::serialize(
        tensors.iter().map(|(k, v)| (k.as_str(), v)),
        Some(meta.into_iter().collect()),
    )
    .map_err(|e| format_err(path, e.to_string()))
}

/// A parsed file: its metadata and tensors (as `f64`, with their shapes and dtypes).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The header's metadata.
    pub meta: HashMap<String, String>,
    /// Tensors by name: dtype, shape, values.
    pub tensors: BTreeMap<String, (Dtype, Vec<usize>, Vec<f64>)>,
}

/// Parses and checks a file's bytes: a safetensors buffer whose metadata has a known `format`.
/// Any bytes give a value or an error, never a panic.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed> {
    parse_header(path, bytes)?.convert()
}

/// A file whose header, tensor names and checksum are verified, its tensors not yet converted:
/// everything the header tells can be checked before any tensor's data is copied.
pub(crate) struct Header<'a> {
    path: &'a Path,
    /// The header's metadata.
    pub(crate) meta: HashMap<String, String>,
    views: Vec<(String, safetensors::tensor::TensorView<'a>)>,
}

/// Whether `name` is a tensor dlfs2 writes.
fn known_tensor(name: &str) -> bool {
    name.starts_with("param.")
        || name.starts_with("optim.")
        || name == "train.loss_list"
        || name == "train.order"
}

/// Reads and verifies the header of a file's bytes (format, tensor names and dtypes, checksum)
/// without converting any tensor.
pub(crate) fn parse_header<'a>(path: &'a Path, bytes: &'a [u8]) -> Result<Header<'a>> {
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| format_err(path, format!("not a safetensors file ({e})")))?;
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| format_err(path, e.to_string()))?;
    let meta = header.metadata().clone().unwrap_or_default();
    match meta.get("format").map(String::as_str) {
        Some(PARAMS_FORMAT) | Some(CHECKPOINT_FORMAT) => {}
        Some(old @ (OLD_PARAMS_FORMAT | OLD_CHECKPOINT_FORMAT)) => {
            return Err(format_err(
                path,
                format!(
                    "written by an older dlfs2 (format {old}), which stored no checksum, so its \
                     contents cannot be verified; train again to write a verified file"
                ),
            ));
        }
        Some(other) => return Err(format_err(path, format!("unknown format '{other}'"))),
        None => return Err(format_err(path, "no dlfs2 format in its metadata")),
    }
    let mut views = st.tensors();
    views.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, view) in &views {
        if !known_tensor(name) {
            return Err(format_err(
                path,
                format!("it holds a tensor dlfs2 does not write ({name:?})"),
            ));
        }
        if !matches!(view.dtype(), Dtype::F64 | Dtype::F32 | Dtype::I64) {
            return Err(format_err(
                path,
                format!("tensor {name} has unsupported dtype {:?}", view.dtype()),
            ));
        }
    }
    let sorted: BTreeMap<&str, &str> = meta.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let want = checksum(
        &sorted,
        views
            .iter()
            .map(|(name, v)| (name.as_str(), v.dtype(), v.shape(), v.data())),
    );
    match meta.get(CHECKSUM) {
        Some(stored) if *stored == want => {}
        Some(_) => {
            return Err(format_err(
                path,
                "its checksum does not match its contents: the file was changed or corrupted \
                 after it was written",
            ));
        }
        None => return Err(format_err(path, "it has no checksum")),
    }
    Ok(Header {
        path,
        meta: meta.into_iter().collect(),
        views,
    })
}

impl Header<'_> {
    /// The dtype and shape of every tensor, by name.
    pub(crate) fn shapes(&self) -> impl Iterator<Item = (&str, Dtype, &[usize])> {
        self.views
            .iter()
            .map(|(n, v)| (n.as_str(), v.dtype(), v.shape()))
    }

    /// The tensors as `f64` values.
    pub(crate) fn convert(self) -> Result<Parsed> {
        let mut tensors = BTreeMap::new();
        for (name, view) in self.views {
            let data = view.data();
            let values: Vec<f64> = match view.dtype() {
                Dtype::F64 => data
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect(),
                Dtype::F32 => data
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64)
                    .collect(),
                Dtype::I64 => data
                    .chunks_exact(8)
                    .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")) as f64)
                    .collect(),
                other => {
                    return Err(format_err(
                        self.path,
                        format!("tensor {name} has unsupported dtype {other:?}"),
                    ));
                }
            };
            tensors.insert(name, (view.dtype(), view.shape().to_vec(), values));
        }
        Ok(Parsed {
            meta: self.meta,
            tensors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(names: &[&str]) -> Vec<u8> {
        let tensors: BTreeMap<String, Bytes> = names
            .iter()
            .map(|n| (n.to_string(), f64_bytes(&[1.0, 2.0])))
            .collect();
        let meta = HashMap::from([("format".to_string(), PARAMS_FORMAT.to_string())]);
        serialize(&tensors, meta, Path::new("t")).unwrap()
    }

    #[test]
    fn a_tensor_dlfs2_never_writes_is_refused_from_the_header() {
        assert!(parse(Path::new("t"), &file_with(&["param.W1"])).is_ok());
        let e = parse(Path::new("t"), &file_with(&["param.W1", "zz.extra"]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("zz.extra") && e.contains("does not write"),
            "{e}"
        );
        // Refused before conversion: the header alone says so.
        let bytes = file_with(&["huge.blob"]);
        assert!(parse_header(Path::new("t"), &bytes).is_err());
    }
}

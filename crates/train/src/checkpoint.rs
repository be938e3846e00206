//! Saving and loading: a model's params, and whole training checkpoints that resume bit for bit.
//!
//! # Format
//! Both are [safetensors](https://github.com/huggingface/safetensors) files (readable with Python's
//! `safetensors.numpy.load_file`), little-endian, `F64` or `F32` by the run's precision:
//!
//! | tensor | shape | what |
//! |---|---|---|
//! | `param.W1`, `param.b1`, ... | as the param (`b` is `1 x n`) | the model's params |
//! | `optim.v.W1`, `optim.h.W1`, `optim.m.W1`, ... | as the param | optimizer state (checkpoints) |
//! | `train.loss_list` | `[n]`, `F64` | the Trainer's loss history (checkpoints) |
//! | `train.order` | `[N]`, `I64` | the data order after the last epoch (checkpoints) |
//!
//! The header's metadata holds `format` (`dlfs2-params-1` or `dlfs2-checkpoint-1`), `dtype`, and for
//! checkpoints `epoch`, `optimizer`, `optimizer_iterations`, the random stream (`rng_seed`,
//! `rng_draws`, `rng_gauss_cache`), the pending loss sum (`pending_loss` as f64 bits in hex,
//! `pending_count`), and the caller's settings as `config.*` entries, which a resume must match.
//!
//! Files are written atomically: to a temporary file in the same folder, flushed to disk, then
//! renamed over the old one, so a crash mid-save leaves the previous file intact.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use layers::Model;
use safetensors::tensor::{Dtype, SafeTensors, View};
use tensor::random::{BookRng, BookRngState};
use tensor::{Element, Params, Tensor};

use crate::error::{Result, TrainError};
use crate::trainer::{FitState, Trainer};

/// `format` of a params file.
pub const PARAMS_FORMAT: &str = "dlfs2-params-1";
/// `format` of a training checkpoint.
pub const CHECKPOINT_FORMAT: &str = "dlfs2-checkpoint-1";
/// Largest file accepted: far above any chapter-1 model, small enough to refuse garbage early.
pub const MAX_FILE_BYTES: u64 = 1 << 32;

/// A tensor's bytes ready for serialization.
struct Bytes {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
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

fn dtype_of<T: Element>() -> Dtype {
    if T::DTYPE.as_str() == "f64" {
        Dtype::F64
    } else {
        Dtype::F32
    }
}

fn tensor_bytes<T: Element>(t: &Tensor<T>) -> Result<Bytes> {
    let a = t.to_array()?;
    let mut data = Vec::with_capacity(a.len() * std::mem::size_of::<T>());
    for &v in a.iter() {
        if T::DTYPE.as_str() == "f64" {
            data.extend_from_slice(&v.to_f64().to_le_bytes());
        } else {
            data.extend_from_slice(&(v.to_f64() as f32).to_le_bytes());
        }
    }
    Ok(Bytes {
        dtype: dtype_of::<T>(),
        shape: vec![a.nrows(), a.ncols()],
        data,
    })
}

fn f64_bytes(values: &[f64]) -> Bytes {
    Bytes {
        dtype: Dtype::F64,
        shape: vec![values.len()],
        data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> TrainError + '_ {
    move |e| TrainError::CheckpointIo {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn format_err(path: &Path, reason: impl Into<String>) -> TrainError {
    TrainError::CheckpointFormat {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn mismatch(
    path: &Path,
    what: impl Into<String>,
    expected: impl ToString,
    found: impl ToString,
) -> TrainError {
    TrainError::CheckpointMismatch {
        path: path.to_path_buf(),
        what: what.into(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Writes `bytes` to `path` atomically: temporary file, `fsync`, rename, `fsync` of the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| format_err(path, "the path names no file"))?;
    let tmp: PathBuf = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut file = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io_err(path))?;
    // The rename itself must reach the disk too; a folder that cannot be opened for that is no error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn serialize(
    tensors: &BTreeMap<String, Bytes>,
    meta: HashMap<String, String>,
    path: &Path,
) -> Result<Vec<u8>> {
    safetensors::serialize(tensors.iter().map(|(k, v)| (k.as_str(), v)), Some(meta))
        .map_err(|e| format_err(path, e.to_string()))
}

fn param_tensors<T: Element>(
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
    let mut tensors = BTreeMap::new();
    param_tensors(params, &mut tensors)?;
    let meta = HashMap::from([
        ("format".to_string(), PARAMS_FORMAT.to_string()),
        ("dtype".to_string(), T::DTYPE.as_str().to_string()),
    ]);
    write_atomic(path, &serialize(&tensors, meta, path)?)
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
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| format_err(path, format!("not a safetensors file ({e})")))?;
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| format_err(path, e.to_string()))?;
    let meta = header.metadata().clone().unwrap_or_default();
    match meta.get("format").map(String::as_str) {
        Some(PARAMS_FORMAT) | Some(CHECKPOINT_FORMAT) => {}
        Some(other) => return Err(format_err(path, format!("unknown format '{other}'"))),
        None => return Err(format_err(path, "no dlfs2 format in its metadata")),
    }
    let mut tensors = BTreeMap::new();
    for (name, view) in st.tensors() {
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
                    path,
                    format!("tensor {name} has unsupported dtype {other:?}"),
                ));
            }
        };
        tensors.insert(name, (view.dtype(), view.shape().to_vec(), values));
    }
    Ok(Parsed { meta, tensors })
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path).map_err(io_err(path))?.len();
    if len > MAX_FILE_BYTES {
        return Err(format_err(
            path,
            format!("{len} bytes is more than any checkpoint this program writes"),
        ));
    }
    std::fs::read(path).map_err(io_err(path))
}

/// Copies the params of a parsed file into `params`, checking names, dtypes and shapes first
/// (nothing is changed when anything does not fit).
fn restore_params<T: Element>(
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
fn check_params<T: Element>(
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
    Ok(())
}

/// Loads params saved by [`save_params`] (or a checkpoint) into a model of the same shape.
pub fn load_params<T: Element>(path: &Path, params: &mut dyn Params<T>) -> Result<()> {
    let bytes = read_file(path)?;
    let parsed = parse(path, &bytes)?;
    restore_params(path, &parsed, params)
}

/// Saves everything needed to continue `trainer`'s fit exactly: params, optimizer state, epoch,
/// loss history, data order, pending losses and the random stream; `config` entries are stored as
/// `config.*` and must match on resume.
pub fn save_checkpoint<T: Element, M: Model<T>>(
    path: &Path,
    trainer: &mut Trainer<T, M>,
    rng: &BookRng,
    config: &BTreeMap<String, String>,
) -> Result<()> {
    let mut tensors = BTreeMap::new();
    param_tensors(&mut trainer.model, &mut tensors)?;
    for (name, t) in trainer.optimizer.state() {
        tensors.insert(format!("optim.{name}"), tensor_bytes(t)?);
    }
    tensors.insert("train.loss_list".to_string(), f64_bytes(&trainer.loss_list));
    let state = trainer.state();
    tensors.insert(
        "train.order".to_string(),
        Bytes {
            dtype: Dtype::I64,
            shape: vec![state.order.len()],
            data: state
                .order
                .iter()
                .flat_map(|&i| (i as i64).to_le_bytes())
                .collect(),
        },
    );
    let r = rng.state();
    let mut meta = HashMap::from([
        ("format".to_string(), CHECKPOINT_FORMAT.to_string()),
        ("dtype".to_string(), T::DTYPE.as_str().to_string()),
        ("epoch".to_string(), trainer.current_epoch.to_string()),
        (
            "optimizer".to_string(),
            trainer.optimizer.name().to_string(),
        ),
        (
            "optimizer_iterations".to_string(),
            trainer.optimizer.iterations().to_string(),
        ),
        (
            "eval_interval".to_string(),
            trainer
                .eval_interval
                .map_or("none".to_string(), |e| e.to_string()),
        ),
        ("rng_seed".to_string(), r.seed.to_string()),
        ("rng_draws".to_string(), r.draws.to_string()),
        (
            "rng_gauss_cache".to_string(),
            r.gauss_cache
                .map_or("none".to_string(), |g| format!("{:016x}", g.to_bits())),
        ),
        (
            "pending_loss".to_string(),
            format!("{:016x}", state.pending_loss.to_bits()),
        ),
        ("pending_count".to_string(), state.pending_count.to_string()),
    ]);
    for (k, v) in config {
        meta.insert(format!("config.{k}"), v.clone());
    }
    write_atomic(path, &serialize(&tensors, meta, path)?)
}

fn meta_num<N: std::str::FromStr>(
    path: &Path,
    meta: &HashMap<String, String>,
    key: &str,
) -> Result<N> {
    meta.get(key)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format_err(path, format!("metadata '{key}' is missing or not a number")))
}

fn meta_bits(path: &Path, meta: &HashMap<String, String>, key: &str) -> Result<Option<f64>> {
    match meta.get(key).map(String::as_str) {
        Some("none") => Ok(None),
        Some(hex) => u64::from_str_radix(hex, 16)
            .map(|b| Some(f64::from_bits(b)))
            .map_err(|_| format_err(path, format!("metadata '{key}' is not hex bits"))),
        None => Err(format_err(path, format!("metadata '{key}' is missing"))),
    }
}

/// Restores a checkpoint written by [`save_checkpoint`] into `trainer` (built with the same model
/// shape and optimizer) and returns the random stream to continue with. The file's `config.*`
/// entries must equal `config`'s. Nothing in `trainer` changes when the file does not fit.
pub fn load_checkpoint<T: Element, M: Model<T>>(
    path: &Path,
    trainer: &mut Trainer<T, M>,
    config: &BTreeMap<String, String>,
) -> Result<BookRng> {
    let bytes = read_file(path)?;
    let parsed = parse(path, &bytes)?;
    let meta = &parsed.meta;
    if meta.get("format").map(String::as_str) != Some(CHECKPOINT_FORMAT) {
        return Err(format_err(path, "a params file, not a training checkpoint"));
    }
    for (k, v) in config {
        let found = meta
            .get(&format!("config.{k}"))
            .map_or("missing", String::as_str);
        if found != v {
            return Err(mismatch(path, format!("setting {k}"), v, found));
        }
    }
    let optimizer = meta.get("optimizer").map_or("missing", String::as_str);
    if optimizer != trainer.optimizer.name() {
        return Err(mismatch(
            path,
            "the optimizer",
            trainer.optimizer.name(),
            optimizer,
        ));
    }
    let epoch: usize = meta_num(path, meta, "epoch")?;
    let iterations: u64 = meta_num(path, meta, "optimizer_iterations")?;
    let pending_count: usize = meta_num(path, meta, "pending_count")?;
    let pending_loss = meta_bits(path, meta, "pending_loss")?
        .ok_or_else(|| format_err(path, "no pending_loss"))?;
    let rng_state = BookRngState {
        seed: meta_num(path, meta, "rng_seed")?,
        draws: meta_num(path, meta, "rng_draws")?,
        gauss_cache: meta_bits(path, meta, "rng_gauss_cache")?,
    };
    if rng_state.draws > 1 << 40 {
        return Err(format_err(path, "rng_draws is implausibly large"));
    }
    let loss_list = match parsed.tensors.get("train.loss_list") {
        Some((Dtype::F64, shape, v)) if shape.len() == 1 => v.clone(),
        _ => {
            return Err(format_err(
                path,
                "train.loss_list is missing or not a 1-D F64 tensor",
            ));
        }
    };
    let order: Vec<usize> = match parsed.tensors.get("train.order") {
        Some((Dtype::I64, shape, v)) if shape.len() == 1 => v.iter().map(|&i| i as usize).collect(),
        _ => {
            return Err(format_err(
                path,
                "train.order is missing or not a 1-D I64 tensor",
            ));
        }
    };
    let mut seen = vec![false; order.len()];
    for &i in &order {
        if i >= order.len() || std::mem::replace(&mut seen[i], true) {
            return Err(format_err(path, "train.order is not a permutation"));
        }
    }
    check_params(path, &parsed, &mut trainer.model)?;
    // Optimizer state: every entry `optim.<slot>.<param>` must match its param's shape; entries go
    // to the optimizer in the model's param order, which is how it indexes its state.
    let mut shapes = HashMap::new();
    let mut position = HashMap::new();
    trainer.model.visit_params(&mut |p| {
        position.insert(p.name.to_string(), shapes.len());
        shapes.insert(p.name.to_string(), p.value.shape());
        Ok(())
    })?;
    let mut optim_state = Vec::new();
    for (name, (dt, shape, values)) in &parsed.tensors {
        let Some(key) = name.strip_prefix("optim.") else {
            continue;
        };
        let param = key.split_once('.').map_or("", |(_, p)| p);
        let want = shapes.get(param).ok_or_else(|| {
            mismatch(
                path,
                format!("optimizer state {key}"),
                "a known param",
                "no such param",
            )
        })?;
        if *dt != dtype_of::<T>() || shape.as_slice() != [want.0, want.1] {
            return Err(mismatch(
                path,
                format!("optimizer state {key}"),
                format!("{}x{} {}", want.0, want.1, T::DTYPE.as_str()),
                format!("{shape:?} {dt:?}"),
            ));
        }
        let values: Vec<T> = values.iter().map(|&v| T::from_f64(v)).collect();
        optim_state.push((
            key.to_string(),
            Tensor::from_vec(want.0, want.1, values, trainer.model_device())?,
        ));
    }
    optim_state.sort_by_key(|(key, _)| {
        let (slot, param) = key.split_once('.').unwrap_or((key.as_str(), ""));
        (slot.to_string(), position[param])
    });
    restore_params(path, &parsed, &mut trainer.model)?;
    trainer.optimizer.load_state(optim_state, iterations)?;
    trainer.current_epoch = epoch;
    trainer.loss_list = loss_list;
    trainer.eval_interval = match meta.get("eval_interval").map(String::as_str) {
        Some("none") | None => None,
        Some(v) => v.parse().ok(),
    };
    trainer.set_state(FitState {
        order,
        pending_loss,
        pending_count,
    });
    Ok(BookRng::from_state(rng_state))
}

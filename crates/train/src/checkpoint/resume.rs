//! Training checkpoints: everything a fit needs to continue bit for bit.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use layers::Model;
use safetensors::tensor::Dtype;
use tensor::random::{BookRng, BookRngState, RandomSource};
use tensor::{Element, Tensor};

use super::atomic::{read_file, write_atomic};
use super::format::{Bytes, Parsed, dtype_of, f64_bytes, parse_header, serialize, tensor_bytes};
use super::params_file::{check_params, param_tensors, restore_params};
use super::{CHECKPOINT_FORMAT, format_err, mismatch};
use crate::config::FitConfig;
use crate::error::{Result, TrainError};
use crate::trainer::{FitState, Trainer};

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
        Some(hex) => match u64::from_str_radix(hex, 16).map(f64::from_bits) {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            Ok(_) => Err(format_err(
                path,
                format!("metadata '{key}' is not a finite number"),
            )),
            Err(_) => Err(format_err(
                path,
                format!("metadata '{key}' is not hex bits"),
            )),
        },
        None => Err(format_err(path, format!("metadata '{key}' is missing"))),
    }
}

/// Reads the training checkpoint at `path` and checks that it was saved with `config`'s settings
/// (its `config.*` entries): every differing setting is named in one
/// [`TrainError::SettingsDiffer`]. What [`load_checkpoint`] does first; callers can run it before
/// any work to refuse a checkpoint early.
pub fn read_checkpoint(path: &Path, config: &BTreeMap<String, String>) -> Result<Parsed> {
    let bytes = read_file(path)?;
    // Everything the header tells is checked before any tensor is converted.
    let header = parse_header(path, &bytes)?;
    let meta = &header.meta;
    if meta.get("format").map(String::as_str) != Some(CHECKPOINT_FORMAT) {
        return Err(format_err(path, "a params file, not a training checkpoint"));
    }
    let differences: Vec<String> = config
        .iter()
        .filter_map(|(k, here)| {
            let found = meta
                .get(&format!("config.{k}"))
                .map_or("missing", String::as_str);
            (found != here).then(|| format!("setting {k} is {found} in the file, {here} here"))
        })
        .collect();
    if !differences.is_empty() {
        return Err(TrainError::SettingsDiffer {
            path: path.to_path_buf(),
            differences,
        });
    }
    for (name, dtype, shape) in header.shapes() {
        let ok = match name {
            "train.loss_list" => dtype == Dtype::F64 && shape.len() == 1,
            "train.order" => dtype == Dtype::I64 && shape.len() == 1,
            _ => matches!(dtype, Dtype::F64 | Dtype::F32) && shape.len() == 2,
        };
        if !ok {
            return Err(format_err(
                path,
                format!(
                    "tensor {name} has dtype {dtype:?} and shape {shape:?}, which dlfs2 never writes for it"
                ),
            ));
        }
    }
    header.convert()
}

/// Reads a checkpoint as [`read_checkpoint`] does, and checks that it was saved in the precision
/// `dtype` (`"f64"` or `"f32"`), so that a run can refuse it before any training.
pub fn read_checkpoint_in(
    path: &Path,
    config: &BTreeMap<String, String>,
    dtype: tensor::DType,
) -> Result<Parsed> {
    let parsed = read_checkpoint(path, config)?;
    let found = parsed.meta.get("dtype").map_or("missing", String::as_str);
    if found != dtype.as_str() {
        return Err(mismatch(path, "the precision", dtype.as_str(), found));
    }
    Ok(parsed)
}

/// The run a checkpoint is resumed into: what [`load_checkpoint`] checks the file against.
#[derive(Debug, Clone, Copy)]
pub struct Resume<'a> {
    /// The settings the checkpoint must have been saved with (its `config.*` entries).
    pub settings: &'a BTreeMap<String, String>,
    /// The fit being continued.
    pub fit: &'a FitConfig,
    /// Samples in the data.
    pub data_size: usize,
    /// The random stream as it stood when the fit began (after the data and the initial weights
    /// were drawn): replaying the saved epochs' shuffles from it must give the saved stream and
    /// data order.
    pub rng_at_begin: &'a BookRng,
}

/// Restores a checkpoint written by [`save_checkpoint`] into `trainer` (built with the same model
/// shape and optimizer) and returns the random stream to continue with. Before anything changes in
/// `trainer`, the file is checked against `resume`: its settings, an epoch not past the run's last,
/// a loss history and pending losses of the lengths those epochs give, finite values, and the
/// random stream and data order that replaying the epochs' shuffles gives (replay costs what
/// those epochs' shuffles cost, nothing the file can inflate).
pub fn load_checkpoint<T: Element, M: Model<T>>(
    path: &Path,
    trainer: &mut Trainer<T, M>,
    resume: &Resume<'_>,
) -> Result<BookRng> {
    let config = resume.settings;
    let parsed = read_checkpoint(path, config)?;
    let meta = &parsed.meta;
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
    let rng = check_progress(
        path,
        resume,
        Progress {
            epoch,
            iterations,
            loss_list: &loss_list,
            pending_loss,
            pending_count,
            eval_interval: meta.get("eval_interval").map(String::as_str),
            rng: rng_state,
            order: &order,
        },
    )?;
    restore_params(path, &parsed, &mut trainer.model)?;
    trainer.optimizer.load_state(optim_state, iterations)?;
    trainer.current_epoch = epoch;
    trainer.loss_iterations = match resume.fit.eval_interval {
        Some(every) => crate::trainer::record_iterations(
            loss_list.len(),
            resume.data_size / resume.fit.batch_size.max(1),
            every,
        ),
        None => Vec::new(),
    };
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
    Ok(rng)
}

/// What a checkpoint says of the fit's progress.
struct Progress<'a> {
    epoch: usize,
    iterations: u64,
    loss_list: &'a [f64],
    pending_loss: f64,
    pending_count: usize,
    eval_interval: Option<&'a str>,
    rng: BookRngState,
    order: &'a [usize],
}

/// Checks a checkpoint's progress against the run resuming it, and returns the random stream
/// replayed to the checkpoint's epoch.
fn check_progress(path: &Path, resume: &Resume<'_>, p: Progress<'_>) -> Result<BookRng> {
    let fit = resume.fit;
    if p.epoch > fit.max_epoch {
        return Err(TrainError::ResumePastEnd {
            path: path.to_path_buf(),
            epoch: p.epoch,
            max_epoch: fit.max_epoch,
        });
    }
    let bad = |what: String| Err(format_err(path, what));
    let n = resume.data_size;
    if p.order.len() != n {
        return bad(format!(
            "train.order holds {} indices for {n} samples",
            p.order.len()
        ));
    }
    let saved_interval = match fit.eval_interval {
        Some(e) => e.to_string(),
        None => "none".to_string(),
    };
    if p.eval_interval != Some(saved_interval.as_str()) {
        return bad(format!(
            "eval_interval is {} in the file, {saved_interval} here",
            p.eval_interval.unwrap_or("missing")
        ));
    }
    // The Trainer logs at every iteration `i` of an epoch with `i % eval_interval == 0`, averaging
    // what accumulated since the last log (which spans epochs).
    let iters = n / fit.batch_size.max(1);
    let steps = p.epoch as u64 * iters as u64;
    let (logged, pending) = match fit.eval_interval {
        Some(e) if iters > 0 && p.epoch > 0 => (p.epoch * iters.div_ceil(e), (iters - 1) % e),
        Some(_) => (0, 0),
        None => (0, steps as usize),
    };
    if p.loss_list.len() != logged || p.pending_count != pending {
        return bad(format!(
            "its loss history ({} values, {} pending) does not fit {} epochs of {iters} steps \
             ({logged} values, {pending} pending)",
            p.loss_list.len(),
            p.pending_count,
            p.epoch
        ));
    }
    if p.iterations != steps {
        return bad(format!(
            "optimizer_iterations is {}, but {} epochs take {steps} steps",
            p.iterations, p.epoch
        ));
    }
    if let Some(v) = p.loss_list.iter().find(|v| !v.is_finite()) {
        return bad(format!("its loss history holds {v}"));
    }
    if !p.pending_loss.is_finite() {
        return bad(format!("pending_loss is {}", p.pending_loss));
    }
    // The book's shuffles compound (`x = x[idx]` every epoch): replay them.
    let mut rng = resume.rng_at_begin.clone();
    let mut order: Vec<usize> = (0..n).collect();
    let mut perm = Vec::with_capacity(n);
    for _ in 0..p.epoch {
        perm.clear();
        perm.extend(0..n);
        rng.shuffle(&mut perm);
        order = perm.iter().map(|&i| order[i]).collect();
    }
    if rng.state() != p.rng {
        return bad(format!(
            "its random stream (seed {}, {} draws) is not where {} epochs of shuffles leave this \
             run's (seed {}, {} draws)",
            p.rng.seed,
            p.rng.draws,
            p.epoch,
            rng.state().seed,
            rng.state().draws
        ));
    }
    if order != p.order {
        return bad("train.order is not the order the epochs' shuffles give".to_string());
    }
    Ok(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_stream_and_loss_bits_are_refused_by_name() {
        let path = Path::new("c.safetensors");
        let meta = |v: f64| {
            HashMap::from([(
                "rng_gauss_cache".to_string(),
                format!("{:016x}", v.to_bits()),
            )])
        };
        assert_eq!(
            meta_bits(path, &meta(0.25), "rng_gauss_cache").unwrap(),
            Some(0.25)
        );
        for bad in [f64::NAN, f64::INFINITY] {
            let e = meta_bits(path, &meta(bad), "rng_gauss_cache")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("rng_gauss_cache") && e.contains("not a finite"),
                "{e}"
            );
        }
    }
}

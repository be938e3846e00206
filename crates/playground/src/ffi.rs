//! The page's interface to the run: plain `extern "C"` functions over the module's memory (no
//! generated glue, so the page's script stays small and readable). Strings and bytes go in
//! through a buffer the page asks for ([`pg_alloc`]); every answer is left in one output buffer
//! the page reads at [`pg_out_ptr`] for the length the call returns. A call that fails returns
//! [`FAILED`] and leaves its one-line message for [`pg_message`].
//!
//! The browser runs one page, one thread: the state is a thread-local.

use std::cell::RefCell;

use serde_json::json;

use crate::session::Session;
use crate::settings::Settings;
use crate::{export, picture};

/// What a failing call returns.
pub const FAILED: u32 = u32::MAX;

#[derive(Default)]
struct State {
    session: Option<Session>,
    csv: Option<data::csv::LabeledPoints>,
    out: Vec<u8>,
    message: String,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Runs `f` on the state; its bytes become the output (their length is returned), its error the
/// message ([`FAILED`] is returned).
fn answer(f: impl FnOnce(&mut State) -> crate::Result<Vec<u8>>) -> u32 {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        match f(&mut s) {
            Ok(bytes) => {
                s.out = bytes;
                u32::try_from(s.out.len()).unwrap_or(FAILED)
            }
            Err(e) => {
                s.message = e.to_string();
                FAILED
            }
        }
    })
}

fn session(s: &mut State) -> crate::Result<&mut Session> {
    s.session
        .as_mut()
        .ok_or_else(|| crate::Error::Mismatch("no run yet: start one first".to_string()))
}

/// The bytes the page put at `ptr` (from [`pg_alloc`]).
///
/// # Safety
/// `ptr` must point to `len` initialized bytes the caller owns for the call.
unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr` (a buffer from `pg_alloc`).
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

/// A buffer of `len` bytes for the page to write into; give it back with [`pg_free`].
#[unsafe(no_mangle)]
pub extern "C" fn pg_alloc(len: usize) -> *mut u8 {
    let mut v = vec![0u8; len];
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Frees a buffer from [`pg_alloc`].
///
/// # Safety
/// `ptr` and `len` must be those of one [`pg_alloc`] call, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pg_free(ptr: *mut u8, len: usize) {
    // SAFETY: the caller passes back exactly what `pg_alloc` made (a `Vec` of `len` bytes,
    // capacity `len`), once.
    drop(unsafe { Vec::from_raw_parts(ptr, len, len) });
}

/// Where the last answer's bytes are.
#[unsafe(no_mangle)]
pub extern "C" fn pg_out_ptr() -> *const u8 {
    STATE.with(|s| s.borrow().out.as_ptr())
}

/// The last failure's message, as the output (its length returned).
#[unsafe(no_mangle)]
pub extern "C" fn pg_message() -> u32 {
    answer(|s| Ok(s.message.clone().into_bytes()))
}

/// Starts a run from the address fragment at `ptr` (`seed=1984&hidden=10`); answers the
/// settings' own fragment.
///
/// # Safety
/// As for [`input`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pg_start(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: as the caller guarantees.
    let text = String::from_utf8_lossy(unsafe { input(ptr, len) }).into_owned();
    answer(|s| {
        let settings = Settings::parse(&text)?;
        let run = Session::new(settings, s.csv.as_ref())?;
        let fragment = run.settings.fragment().into_bytes();
        s.session = Some(run);
        Ok(fragment)
    })
}

/// Reads the CSV file at `ptr` (`x1,x2,label`, the checks of `--data`) as the points of
/// `data=csv` runs; answers their count. A bad file changes nothing.
///
/// # Safety
/// As for [`input`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pg_csv(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: as the caller guarantees.
    let bytes = unsafe { input(ptr, len) };
    answer(|s| {
        let points = data::csv::parse_csv(bytes)?;
        let n = points.labels.len();
        s.csv = Some(points);
        Ok(n.to_string().into_bytes())
    })
}

/// `n` more iterations; answers the status ([`pg_status`]).
#[unsafe(no_mangle)]
pub extern "C" fn pg_step(n: u32) -> u32 {
    answer(|s| {
        session(s)?.step(n as usize)?;
        status(session(s)?)
    })
}

/// The rest of the epoch (a whole one at an epoch's start); answers the status.
#[unsafe(no_mangle)]
pub extern "C" fn pg_step_epoch() -> u32 {
    answer(|s| {
        session(s)?.step_epoch()?;
        status(session(s)?)
    })
}

fn status(run: &mut Session) -> crate::Result<Vec<u8>> {
    let st = run.status();
    let (x0, x1, y0, y1) = picture::plane(run);
    let last = run.records().last().map(|r| r.1);
    let m = run.metrics().last().copied();
    Ok(json!({
        "epoch": st.epoch, "iter": st.iter, "max_iters": st.max_iters, "steps": st.steps,
        "clipped": st.clipped, "grad_norm": st.grad_norm, "records": run.records().len(),
        "metrics": run.metrics().len(), "loss": last,
        "train_accuracy": m.map(|m| m.train_accuracy),
        "val_loss": m.and_then(|m| m.validation.map(|v| v.loss)),
        "val_accuracy": m.and_then(|m| m.validation.map(|v| v.accuracy)),
        "plane": [x0, x1, y0, y1], "classes": run.data.classes,
        "fragment": run.settings.fragment(), "lr": run.settings.lr,
    })
    .to_string()
    .into_bytes())
}

/// The status: epoch, iteration, steps, the last loss and scores, clipping, the plane.
#[unsafe(no_mangle)]
pub extern "C" fn pg_status() -> u32 {
    answer(|s| status(session(s)?))
}

/// The loss records and scores from record `from` on, as JSON (`records`: `[iteration, loss]`;
/// `metrics`: `[iteration, training accuracy, validation loss, validation accuracy]`).
#[unsafe(no_mangle)]
pub extern "C" fn pg_history(from_record: u32, from_metric: u32) -> u32 {
    answer(|s| {
        let run = session(s)?;
        let records: Vec<_> = run
            .records()
            .into_iter()
            .skip(from_record as usize)
            .map(|(i, l)| json!([i, l]))
            .collect();
        let metrics: Vec<_> = run
            .metrics()
            .iter()
            .skip(from_metric as usize)
            .map(|m| {
                json!([
                    m.iteration,
                    m.train_accuracy,
                    m.validation.map(|v| v.loss),
                    m.validation.map(|v| v.accuracy)
                ])
            })
            .collect();
        Ok(json!({ "records": records, "metrics": metrics })
            .to_string()
            .into_bytes())
    })
}

/// The points as JSON: `x`, `y`, `label` and `held` (held out for validation) arrays.
#[unsafe(no_mangle)]
pub extern "C" fn pg_points() -> u32 {
    answer(|s| {
        let d = &session(s)?.data;
        let (mut x, mut y, mut label, mut held) = (vec![], vec![], vec![], vec![]);
        for (rows, labels, h) in [(&d.x, &d.labels, false), (&d.held_x, &d.held_labels, true)] {
            for (r, &l) in rows.rows().into_iter().zip(labels.iter()) {
                x.push(r[0]);
                y.push(r[1]);
                label.push(l);
                held.push(h);
            }
        }
        Ok(
            json!({ "x": x, "y": y, "label": label, "held": held, "palette": picture::PALETTE })
                .to_string()
                .into_bytes(),
        )
    })
}

/// The decision boundary as `w x h` RGBA pixels.
#[unsafe(no_mangle)]
pub extern "C" fn pg_boundary(w: u32, h: u32) -> u32 {
    answer(|s| {
        let (w, h) = ((w as usize).clamp(1, 1024), (h as usize).clamp(1, 1024));
        picture::boundary(session(s)?, w, h)
    })
}

/// The first `max` hidden units' maps, `size x size` RGBA each, one after another.
#[unsafe(no_mangle)]
pub extern "C" fn pg_units(size: u32, max: u32) -> u32 {
    answer(|s| {
        let size = (size as usize).clamp(4, 256);
        Ok(picture::units(session(s)?, size, max as usize)?.0)
    })
}

/// What each of the first `max` hidden units does to the class scores, as JSON
/// (`[[class, weight], …]`).
#[unsafe(no_mangle)]
pub extern "C" fn pg_units_info(max: u32) -> u32 {
    answer(|s| {
        let (_, about) = picture::units(session(s)?, 4, max as usize)?;
        let list: Vec<_> = about.iter().map(|u| json!([u.class, u.weight])).collect();
        Ok(json!(list).to_string().into_bytes())
    })
}

/// An export: 0 the `cargo xtask chapter1` command, 1 the data as CSV, 2 the Python script with
/// the book's classes, 3 the trained `model.safetensors`.
#[unsafe(no_mangle)]
pub extern "C" fn pg_export(kind: u32) -> u32 {
    answer(|s| {
        let run = session(s)?;
        Ok(match kind {
            0 => export::command(run).into_bytes(),
            1 => export::data_csv(run).into_bytes(),
            2 => export::python_script(run).into_bytes(),
            3 => run.model_file()?,
            _ => return Err(crate::Error::Mismatch(format!("no export {kind}"))),
        })
    })
}

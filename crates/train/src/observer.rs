//! What `fit` tells the outside world: the book's log line, through a hook the caller controls.

use std::io::Write;

/// One evaluation point of `fit` (every `eval_interval` iterations).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvalRecord {
    /// Epoch, 1-based (the book's `current_epoch + 1`).
    pub epoch: usize,
    /// Iteration within the epoch, 1-based.
    pub iter: usize,
    /// Iterations per epoch.
    pub max_iters: usize,
    /// Seconds since `fit` started (`None` for the custom loop, whose line has no time).
    pub elapsed: Option<f64>,
    /// Average loss since the previous record.
    pub loss: f64,
}

impl EvalRecord {
    /// The book's line, byte for byte: `| epoch %d |  iter %d / %d | time %d[s] | loss %.2f` from
    /// the `Trainer`, and the same without the time from the custom loop.
    pub fn book_line(&self) -> String {
        let head = format!(
            "| epoch {} |  iter {} / {}",
            self.epoch, self.iter, self.max_iters
        );
        match self.elapsed {
            Some(t) => format!(
                "{head} | time {}[s] | loss {:.2}",
                t.trunc() as u64,
                self.loss
            ),
            None => format!("{head} | loss {:.2}", self.loss),
        }
    }
}

/// A model's params at one point of a fit, as `f64` (a copy: the training numbers never change).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Steps taken so far in the whole fit (0: the initial params).
    pub step: u64,
    /// Epochs completed when the snapshot was taken, as a fraction (`step / steps per epoch`).
    pub epoch: f64,
    /// Every param by name, in the model's order.
    pub params: Vec<(&'static str, ndarray::Array2<f64>)>,
}

/// Receives `fit`'s progress. Every method does nothing by default.
pub trait FitObserver {
    /// Called at every evaluation point, after the loss was recorded.
    fn on_eval(&mut self, _record: &EvalRecord) {}
    /// Called after every training step (`epoch` and `iter` 0-based).
    fn on_step(&mut self, _epoch: usize, _iter: usize, _max_iters: usize) {}
    /// Whether [`FitObserver::on_snapshot`] should get the params after `step` steps of the fit
    /// (0: before the first). Asked at every step, so it must be cheap; copying the params
    /// happens only when it answers yes.
    fn wants_snapshot(&mut self, _step: u64) -> bool {
        false
    }
    /// The params after the steps [`FitObserver::wants_snapshot`] asked for.
    fn on_snapshot(&mut self, _snapshot: Snapshot) {}
}

/// Prints nothing (tests, benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl FitObserver for Silent {}

/// Writes the book's line for each evaluation point to a writer (stdout, a file, a `Vec<u8>`).
#[derive(Debug)]
pub struct PrintLines<W: Write>(pub W);

impl<W: Write> FitObserver for PrintLines<W> {
    fn on_eval(&mut self, record: &EvalRecord) {
        // A closed pipe must not stop training: the loss history keeps every value anyway.
        let _ = writeln!(self.0, "{}", record.book_line());
    }
}

/// Two observers as one: every call goes to both, and a snapshot to whichever asked for it.
#[derive(Debug)]
pub struct Tee<A, B> {
    /// The first observer.
    pub a: A,
    /// The second observer.
    pub b: B,
    wanted: (bool, bool),
}

impl<A: FitObserver, B: FitObserver> Tee<A, B> {
    /// Both `a` and `b`.
    pub fn new(a: A, b: B) -> Self {
        Tee {
            a,
            b,
            wanted: (false, false),
        }
    }
}

impl<A: FitObserver, B: FitObserver> FitObserver for Tee<A, B> {
    fn on_eval(&mut self, record: &EvalRecord) {
        self.a.on_eval(record);
        self.b.on_eval(record);
    }
    fn on_step(&mut self, epoch: usize, iter: usize, max_iters: usize) {
        self.a.on_step(epoch, iter, max_iters);
        self.b.on_step(epoch, iter, max_iters);
    }
    fn wants_snapshot(&mut self, step: u64) -> bool {
        self.wanted = (self.a.wants_snapshot(step), self.b.wants_snapshot(step));
        self.wanted.0 || self.wanted.1
    }
    fn on_snapshot(&mut self, snapshot: Snapshot) {
        match self.wanted {
            (true, true) => {
                self.a.on_snapshot(snapshot.clone());
                self.b.on_snapshot(snapshot);
            }
            (true, false) => self.a.on_snapshot(snapshot),
            (false, true) => self.b.on_snapshot(snapshot),
            (false, false) => {}
        }
    }
}

impl<O: FitObserver + ?Sized> FitObserver for &mut O {
    fn on_eval(&mut self, record: &EvalRecord) {
        (**self).on_eval(record);
    }
    fn on_step(&mut self, epoch: usize, iter: usize, max_iters: usize) {
        (**self).on_step(epoch, iter, max_iters);
    }
    fn wants_snapshot(&mut self, step: u64) -> bool {
        (**self).wants_snapshot(step)
    }
    fn on_snapshot(&mut self, snapshot: Snapshot) {
        (**self).on_snapshot(snapshot);
    }
}

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

/// Receives `fit`'s progress. Both methods do nothing by default.
pub trait FitObserver {
    /// Called at every evaluation point, after the loss was recorded.
    fn on_eval(&mut self, _record: &EvalRecord) {}
    /// Called after every training step (`epoch` and `iter` 0-based).
    fn on_step(&mut self, _epoch: usize, _iter: usize, _max_iters: usize) {}
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

//! The console's side of a run ([`Console`], the library's `Reporter`): the narrative on stdout,
//! training progress as an indicatif bar on a terminal and the book's log lines otherwise.

use std::io::IsTerminal;

use chapter1::{Reporter, RunsDone, Training};
use indicatif::{ProgressBar, ProgressStyle};
use train::{EvalRecord, FitObserver};

/// Prints a run's narrative and progress, unless `quiet` (notes are printed either way).
pub struct Console {
    /// Print only notes (`--quiet`).
    pub quiet: bool,
}

impl Reporter for Console {
    fn line(&mut self, text: &str) {
        if !self.quiet {
            crate::console::outln!("{text}");
        }
    }

    fn note(&mut self, text: &str) {
        crate::console::outln!("{text}");
    }

    fn training(&mut self, label: &str, steps: u64, every_epoch: usize) -> Box<dyn Training + '_> {
        Box::new(Progress::new(steps, label, every_epoch, self.quiet))
    }

    fn runs(&mut self, total: usize) -> Box<dyn RunsDone + '_> {
        Box::new(RunsBar(runs_bar(total as u64, self.quiet)))
    }
}

/// Finished runs of a comparison, counted on a bar when there is one.
struct RunsBar(Option<ProgressBar>);

impl RunsDone for RunsBar {
    fn one_done(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(self: Box<Self>) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Training for Progress {
    fn finish(self: Box<Self>) {
        Progress::finish(*self);
    }
}

/// Shows training progress according to where stdout goes.
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Print every record's line (`Trainer`) or only some (`1` and every `every`-th epoch).
    every_epoch: usize,
    quiet: bool,
}

impl Progress {
    /// A progress display for `total` steps labelled `prefix`. Lines are printed for the first and
    /// every `every_epoch`-th epoch (1 prints them all); `quiet` prints nothing.
    pub fn new(total: u64, prefix: &str, every_epoch: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stdout().is_terminal()).then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {msg}")
                    .expect("static template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(prefix.to_string());
            bar
        });
        Progress {
            bar,
            every_epoch: every_epoch.max(1),
            quiet,
        }
    }

    /// Clears the bar.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

impl FitObserver for Progress {
    fn on_eval(&mut self, r: &EvalRecord) {
        let show = r.epoch == 1 || r.epoch.is_multiple_of(self.every_epoch);
        match &self.bar {
            Some(bar) => {
                bar.set_message(r.book_line());
                if show && self.every_epoch == 1 {
                    bar.println(r.book_line());
                }
            }
            None if !self.quiet && show => crate::console::outln!("{}", r.book_line()),
            None => {}
        }
    }

    fn on_step(&mut self, _: usize, _: usize, _: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

/// A bar counting finished runs (`compare`), on a terminal and unless `quiet`.
fn runs_bar(total: u64, quiet: bool) -> Option<ProgressBar> {
    (!quiet && std::io::stdout().is_terminal()).then(|| {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} runs {elapsed}")
                .expect("static template")
                .progress_chars("=> "),
        );
        bar.set_prefix("compare");
        bar
    })
}

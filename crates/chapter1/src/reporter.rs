//! What a run tells whoever started it, while it runs: the chapter's narrative lines, training
//! progress, finished runs of a comparison. The command line prints them (with progress bars on a
//! terminal); a program or a page can show, keep or drop them ([`Quiet`], [`Lines`]).

use train::{EvalRecord, FitObserver};

/// Receives a run's messages and progress.
pub trait Reporter {
    /// A line of the chapter's narrative (the settings, each section's result).
    fn line(&mut self, text: &str);

    /// A note that is not part of the narrative but must not be missed (a killed run's files were
    /// kept): shown even when the narrative is not.
    fn note(&mut self, text: &str) {
        self.line(text);
    }

    /// A training run of `steps` steps, labelled `label`, begins; it reports through the returned
    /// observer until [`Training::finish`]. The book's log lines are meant for the first and
    /// every `log_every_epoch`-th epoch (1: all of them).
    fn training(
        &mut self,
        label: &str,
        steps: u64,
        log_every_epoch: usize,
    ) -> Box<dyn Training + '_>;

    /// `total` runs of a comparison begin side by side; each tells the returned counter when it
    /// finishes, from whichever thread ran it.
    fn runs(&mut self, total: usize) -> Box<dyn RunsDone + '_>;
}

/// Progress of one training run.
pub trait Training: FitObserver {
    /// The run ended (finished or failed).
    fn finish(self: Box<Self>);
}

/// Progress of a comparison's runs.
pub trait RunsDone: Sync {
    /// One more run finished.
    fn one_done(&self);
    /// Every run ended.
    fn finish(self: Box<Self>);
}

/// Drops everything (a run whose caller only wants its files and result).
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl FitObserver for Quiet {}

impl Training for Quiet {
    fn finish(self: Box<Self>) {}
}

impl RunsDone for Quiet {
    fn one_done(&self) {}
    fn finish(self: Box<Self>) {}
}

impl Reporter for Quiet {
    fn line(&mut self, _: &str) {}
    fn note(&mut self, _: &str) {}
    fn training(&mut self, _: &str, _: u64, _: usize) -> Box<dyn Training + '_> {
        Box::new(Quiet)
    }
    fn runs(&mut self, _: usize) -> Box<dyn RunsDone + '_> {
        Box::new(Quiet)
    }
}

/// Keeps the narrative and notes, and the book's log lines of each training run, in order.
#[derive(Debug, Default, Clone)]
pub struct Lines {
    /// Every line so far.
    pub lines: Vec<String>,
}

/// A [`Lines`]' training run: its log lines go into the same list.
struct LinesTraining<'a> {
    lines: &'a mut Vec<String>,
    every_epoch: usize,
}

impl FitObserver for LinesTraining<'_> {
    fn on_eval(&mut self, r: &EvalRecord) {
        if r.epoch == 1 || r.epoch.is_multiple_of(self.every_epoch) {
            self.lines.push(r.book_line());
        }
    }
}

impl Training for LinesTraining<'_> {
    fn finish(self: Box<Self>) {}
}

impl Reporter for Lines {
    fn line(&mut self, text: &str) {
        self.lines.extend(text.lines().map(str::to_string));
    }
    fn training(&mut self, _: &str, _: u64, every_epoch: usize) -> Box<dyn Training + '_> {
        Box::new(LinesTraining {
            lines: &mut self.lines,
            every_epoch: every_epoch.max(1),
        })
    }
    fn runs(&mut self, _: usize) -> Box<dyn RunsDone + '_> {
        Box::new(Quiet)
    }
}

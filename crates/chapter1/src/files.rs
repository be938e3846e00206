//! The names of every file a run writes, defined once: the pipeline, the report, the output
//! folder's file list and the tests all use these.

/// §1.4.1: the spiral data.
pub const SPIRAL_PNG: &str = "spiral.png";
/// §1.4.1: the spiral data, as SVG.
pub const SPIRAL_SVG: &str = "spiral.svg";
/// §1.4.1 with your own points (`--data`): the data.
pub const DATA_PNG: &str = "data.png";
/// §1.4.1 with your own points, as SVG.
pub const DATA_SVG: &str = "data.svg";
/// §1.4.3: the custom loop's loss.
pub const LOSS_PNG: &str = "loss.png";
/// §1.4.3: the custom loop's loss, as SVG.
pub const LOSS_SVG: &str = "loss.svg";
/// §1.4.3: the custom loop's decision boundary.
pub const DECISION_BOUNDARY_PNG: &str = "decision_boundary.png";
/// §1.4.4: `trainer.plot()`.
pub const TRAINER_LOSS_PNG: &str = "trainer_loss.png";
/// §1.4.4: the Trainer's loss records (`iteration,loss`).
pub const LOSS_CSV: &str = "loss.csv";
/// The boundary forming, frame by frame.
pub const TRAINING_GIF: &str = "training.gif";
/// The hidden units' heat maps at the end.
pub const HIDDEN_UNITS_PNG: &str = "hidden_units.png";
/// Every setting and result, for programs.
pub const SUMMARY_JSON: &str = "summary.json";
/// The report, in Markdown.
pub const REPORT_MD: &str = "REPORT.md";
/// The report page (self-contained, offline).
pub const REPORT_HTML: &str = "report.html";
/// The Trainer run's checkpoint (`checkpoint_every`).
pub const CHECKPOINT: &str = "checkpoint.safetensors";
/// The trained params of the main Trainer run.
pub const MODEL: &str = "model.safetensors";
/// Every compared run's loss on one chart.
pub const COMPARE_LOSS_PNG: &str = "compare_loss.png";
/// The same chart, as SVG.
pub const COMPARE_LOSS_SVG: &str = "compare_loss.svg";
/// The compared runs' final boundaries, side by side.
pub const COMPARE_BOUNDARIES_PNG: &str = "compare_boundaries.png";
/// The compared runs' boundaries forming.
pub const COMPARE_GIF: &str = "compare.gif";
/// Every compared run's loss records (`run,iteration,loss`).
pub const COMPARE_CSV: &str = "compare.csv";
/// The comparison's settings and results.
pub const COMPARE_JSON: &str = "compare.json";
/// The comparison page.
pub const COMPARE_HTML: &str = "compare.html";

/// The files a chapter run may write (the checkpoint only when asked).
pub const FILES: [&str; 16] = [
    SPIRAL_PNG,
    SPIRAL_SVG,
    DATA_PNG,
    DATA_SVG,
    LOSS_PNG,
    LOSS_SVG,
    DECISION_BOUNDARY_PNG,
    TRAINER_LOSS_PNG,
    LOSS_CSV,
    TRAINING_GIF,
    HIDDEN_UNITS_PNG,
    SUMMARY_JSON,
    REPORT_MD,
    REPORT_HTML,
    CHECKPOINT,
    MODEL,
];

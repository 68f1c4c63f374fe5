//! The series model every training-log reader produces: named series of (step, epoch, value)
//! points, each from one split, grouped into runs.

/// Which data a series was measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Split {
    Train,
    /// Validation / evaluation data (`eval_`, `val_`, `valid_`, `validation_` prefixes).
    Eval,
    Test,
}

impl Split {
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Eval => "eval",
            Split::Test => "test",
        }
    }
}

/// One logged value. Readers fill `step` and/or `epoch`, whichever the log records.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub step: Option<u64>,
    pub epoch: Option<f64>,
    /// May be NaN or ±infinity: logs record them, and the diagnosis reports them.
    pub value: f64,
}

/// Where a point was logged, as people say it: "step 1500 (epoch 3)", "step 20", "epoch 2.50";
/// None when neither is known.
pub fn point_label(step: Option<u64>, epoch: Option<f64>) -> Option<String> {
    let epoch_text = |e: f64| if e.fract() == 0.0 { format!("{e:.0}") } else { format!("{e:.2}") };
    match (step, epoch) {
        (Some(s), Some(e)) => Some(format!("step {s} (epoch {})", epoch_text(e))),
        (Some(s), None) => Some(format!("step {s}")),
        (None, Some(e)) => Some(format!("epoch {}", epoch_text(e))),
        (None, None) => None,
    }
}

/// A named series: `name` without split prefixes or `_step`/`_epoch` suffixes (`loss`,
/// `accuracy`, `f1`, `learning_rate`, `grad_norm`, `<head>_loss`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub split: Split,
    /// True for values aggregated over an epoch (Lightning's `_epoch` suffix, Keras rows);
    /// false for values logged every few steps.
    pub per_epoch: bool,
    /// In logging order.
    pub points: Vec<Point>,
}

/// One training run: the series of one log (or of one restart within a log).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TrainingRun {
    /// The file (or files) the run was read from.
    pub source: String,
    /// The reader that understood it: `huggingface`, `keras`, `lightning`, `tensorboard`,
    /// `jsonl`, `table`.
    pub format: String,
    /// 0 for the first run of a source; restarts found in the same log count up from 1.
    pub restart: usize,
    pub series: Vec<Series>,
    /// What the reader had to decide that the user should know, as sentences (a position column
    /// that does not count and was replaced by the row order, an incomplete record skipped).
    pub notes: Vec<String>,
}

impl TrainingRun {
    /// The series `name` of `split`, preferring step-level values over epoch aggregates.
    pub fn get(&self, name: &str, split: Split) -> Option<&Series> {
        let mut found = self.series.iter().filter(|s| s.name == name && s.split == split);
        let first = found.next()?;
        if !first.per_epoch {
            return Some(first);
        }
        Some(found.find(|s| !s.per_epoch).unwrap_or(first))
    }
}

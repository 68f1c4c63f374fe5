//! Typed evaluation inputs: label codes over a sorted label list, and optional scores.

use crate::metrics::multilabel::SetPair;

/// What kind of prediction problem a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    Binary,
    Multiclass,
    Multilabel,
    /// Token classification scored on entities (seqeval).
    Ner,
    /// Generated text scored against references.
    Generation,
}

impl Task {
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Binary => "binary",
            Task::Multiclass => "multiclass",
            Task::Multilabel => "multilabel",
            Task::Ner => "ner",
            Task::Generation => "generation",
        }
    }
}

/// Model scores aligned with the rows.
#[derive(Clone, Debug)]
pub enum Scores {
    /// Probability of the positive class, one per row (binary).
    Positive(Vec<f64>),
    /// Row-major n×K probabilities, columns in `ClassificationInput::labels` order.
    PerClass(Vec<f64>),
}

/// A single-label classification test set: gold and predicted label codes index `labels`
/// (sorted as scikit-learn sorts them).
#[derive(Clone, Debug)]
pub struct ClassificationInput {
    pub task: Task,
    pub labels: Vec<String>,
    /// Index of the positive label (binary only).
    pub positive: Option<usize>,
    pub gold: Vec<u32>,
    pub pred: Vec<u32>,
    pub scores: Option<Scores>,
    /// Classes the model can output (columns of its probability table), when known.
    pub model_classes: Option<Vec<String>>,
}

/// A multilabel test set: per example, sorted gold and predicted label-code sets.
#[derive(Clone, Debug)]
pub struct MultilabelInput {
    pub labels: Vec<String>,
    pub rows: Vec<SetPair>,
}

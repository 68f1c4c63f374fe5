//! Command-line flags (clap derive), validated once into each command's config.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "fteval",
    version,
    about = "Did the fine-tune learn better than before, and can we trust that?",
    long_about = "fteval evaluates model predictions: metrics equal to scikit-learn's, each with a confidence interval, \
                  and checks for the pitfalls (accuracy paradox, collapsed predictions, too little data).\n\n\
                  Exit codes: 0 ran and no gate failed; 1 a gate failed; 2 bad usage or bad input."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// How good is this model on this test set? Every metric with a 95% CI, per-class table,
    /// confusion matrix and checks.
    Metrics(MetricsArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Terminal,
    Json,
    Markdown,
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    Csv,
    Tsv,
    Jsonl,
    Ndjson,
    Json,
    Parquet,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskArg {
    Binary,
    Multiclass,
    Multilabel,
}

/// Flags every command shares.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Output format [default: terminal when stdout is a terminal, else json]
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write the report to PATH instead of stdout
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Seed of every random step (bootstrap); the same seed gives the same report
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Where the columns are and what they mean.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Format of the input when the extension does not say (required for stdin, `-`)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    /// Gold labels from another file, joined on the id column (else row by row)
    #[arg(long, value_name = "FILE")]
    pub gold: Option<String>,
    /// Example id column [tried: id, idx, example_id, uid, guid, row_id]
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,
    /// Gold label column [tried: label, labels, y_true, target, gold, ...]
    #[arg(long, value_name = "NAME")]
    pub label_col: Option<String>,
    /// Predicted label column [tried: pred, prediction, predictions, predicted, ...]
    #[arg(long, value_name = "NAME")]
    pub pred_col: Option<String>,
    /// Positive-class score column, binary [tried: prob, probability, score, proba, p_positive, confidence]
    #[arg(long, value_name = "NAME")]
    pub score_col: Option<String>,
    /// Per-class scores: a list/object column, or a prefix of one column per class [tried: probs, probabilities, scores, logits, prob_*, p_*, logit_*]
    #[arg(long, value_name = "NAME")]
    pub probs_col: Option<String>,
    /// Text column shown in reports [tried: text, input, sentence, prompt, question, content]
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
    /// The positive label of a binary task [default: 1, true, yes, pos, positive, spam, fraud, toxic when present]
    #[arg(long, value_name = "LABEL")]
    pub positive: Option<String>,
    /// The task [default: inferred: lists of labels → multilabel, two labels → binary]
    #[arg(long, value_enum)]
    pub task: Option<TaskArg>,
    /// Leave out rows whose gold label or prediction is empty (and report how many)
    #[arg(long)]
    pub drop_missing: bool,
}

#[derive(Args, Debug)]
pub struct MetricsArgs {
    /// Prediction file (.csv, .tsv, .jsonl, .json, .parquet, optionally .gz), or - for stdin
    #[arg(value_name = "FILE")]
    pub file: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// Bootstrap resamples for confidence intervals (0 turns them off)
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: usize,
    /// Confidence level of the intervals, in (0, 1)
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub ci: f64,
    #[command(flatten)]
    pub common: CommonArgs,
}

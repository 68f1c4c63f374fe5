//! `fteval metrics FILE`: one model on one test set.

use fteval_core::{evaluate_classification, evaluate_multilabel, BootstrapConfig, Task};
use fteval_io::{
    attach_gold, prepare, read_predictions, ColumnOverrides, Format, PrepareOptions, Prepared, ReadOptions,
};
use fteval_report::MetricsDocument;

use crate::cli::{InputArgs, InputFormat, MetricsArgs, TaskArg};
use crate::error::CliError;
use crate::output::Output;

/// The reader settings for `args`.
pub fn read_options(args: &InputArgs, keep_ids: bool) -> ReadOptions {
    ReadOptions {
        format: args.input_format.map(|f| match f {
            InputFormat::Csv => Format::Csv,
            InputFormat::Tsv => Format::Tsv,
            InputFormat::Jsonl | InputFormat::Ndjson => Format::Jsonl,
            InputFormat::Json => Format::Json,
            InputFormat::Parquet => Format::Parquet,
        }),
        columns: ColumnOverrides {
            id: args.id_col.clone(),
            label: args.label_col.clone(),
            pred: args.pred_col.clone(),
            score: args.score_col.clone(),
            probs: args.probs_col.clone(),
            text: args.text_col.clone(),
        },
        keep_ids,
    }
}

pub fn run(args: MetricsArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    if !(args.ci > 0.0 && args.ci < 1.0) {
        return Err(CliError::usage(
            format!("--ci {}: the confidence level must be between 0 and 1", args.ci),
            "e.g. --ci 0.95",
        ));
    }
    let config = BootstrapConfig { resamples: args.bootstrap, level: args.ci, seed: args.common.seed };
    let keep_ids = args.input.gold.is_some();
    let mut preds = read_predictions(&args.file, &read_options(&args.input, keep_ids))?;
    let mut input_checks = Vec::new();
    if let Some(gold_path) = &args.input.gold {
        // The gold file's label column follows the same detection (and --label-col).
        let mut gold_opts = read_options(&args.input, true);
        gold_opts.format = None;
        let gold = read_predictions(gold_path, &gold_opts)?;
        input_checks.extend(attach_gold(&mut preds, gold)?);
    }
    let options = PrepareOptions {
        task: args.input.task.map(|t| match t {
            TaskArg::Binary => Task::Binary,
            TaskArg::Multiclass => Task::Multiclass,
            TaskArg::Multilabel => Task::Multilabel,
        }),
        positive: args.input.positive.clone(),
        drop_missing: args.input.drop_missing,
    };
    let source = preds.file.clone();
    let prepared = prepare(preds, &options)?;
    input_checks.extend(prepared.checks);
    let eval = match &prepared.input {
        Prepared::Classification(c) => evaluate_classification(c, &config),
        Prepared::Multilabel(m) => evaluate_multilabel(m, &config),
    };
    let doc = MetricsDocument::new(&source, eval, input_checks);
    let renderer = output.renderer();
    output.write(|w| renderer.metrics(&doc, w))?;
    let failed = doc.checks.iter().any(|c| c.severity == fteval_core::Severity::Fail);
    Ok(if failed { 1 } else { 0 })
}

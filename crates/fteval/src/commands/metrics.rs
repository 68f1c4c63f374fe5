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

/// More resamples than anyone needs; bounds memory (one value per metric per resample).
const MAX_RESAMPLES: usize = 1_000_000;

pub fn run(args: MetricsArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    if !(args.ci > 0.0 && args.ci < 1.0) {
        return Err(CliError::usage(
            format!("--ci {}: the confidence level must be between 0 and 1", args.ci),
            "e.g. --ci 0.95",
        ));
    }
    let config = BootstrapConfig { resamples: args.bootstrap, level: args.ci, seed: args.common.seed };
    if args.bootstrap > MAX_RESAMPLES {
        return Err(CliError::usage(
            format!("--bootstrap {}: at most {MAX_RESAMPLES} resamples", args.bootstrap),
            "1000 (the default) gives stable 95% intervals; 10000 is plenty for publication",
        ));
    }
    let mut input_checks = Vec::new();
    let preds = match &args.input.gold {
        None => read_predictions(&args.file, &read_options(&args.input, false))?,
        Some(gold_path) => {
            // With --gold, --label-col names the gold file's column; the prediction flags
            // name the predictions file's columns; --id-col applies to both.
            let mut pred_opts = read_options(&args.input, true);
            pred_opts.columns.label = None;
            let mut preds = read_predictions(&args.file, &pred_opts)?;
            let mut gold_opts = read_options(&args.input, true);
            gold_opts.format = None;
            gold_opts.columns = ColumnOverrides {
                id: args.input.id_col.clone(),
                label: args.input.label_col.clone(),
                ..Default::default()
            };
            let gold = read_predictions(gold_path, &gold_opts)?;
            input_checks.extend(attach_gold(&mut preds, gold)?);
            preds
        }
    };
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

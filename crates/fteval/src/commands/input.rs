//! Reading prediction files as the input flags say, shared by every command.

use fteval_core::{BootstrapConfig, Check, Task};
use fteval_io::{attach_gold, read_predictions, ColumnOverrides, Predictions, PrepareOptions, ReadOptions};

use crate::cli::{CommonArgs, InputArgs, StatsArgs, TaskArg};
use crate::error::CliError;

/// The reader settings for `args`.
pub fn read_options(args: &InputArgs, keep_ids: bool, keep_text: bool) -> ReadOptions {
    ReadOptions {
        format: super::text_input::table_format(args.input_format),
        columns: ColumnOverrides {
            id: args.id_col.clone(),
            label: args.label_col.clone(),
            pred: args.pred_col.clone(),
            score: args.score_col.clone(),
            probs: args.probs_col.clone(),
            text: args.text_col.clone(),
            no_score_detection: false,
        },
        keep_ids,
        keep_text,
    }
}

/// The bootstrap settings; their flags' parsers have checked the ranges ([`crate::ranges`]).
pub fn bootstrap_config(stats: &StatsArgs, common: &CommonArgs) -> Result<BootstrapConfig, CliError> {
    Ok(BootstrapConfig { resamples: stats.bootstrap, level: stats.ci, seed: common.seed })
}

/// Task, positive class and missing-value handling from the flags.
pub fn prepare_options(args: &InputArgs) -> PrepareOptions {
    PrepareOptions {
        task: args.task.and_then(|t| match t {
            TaskArg::Binary => Some(Task::Binary),
            TaskArg::Multiclass => Some(Task::Multiclass),
            TaskArg::Multilabel => Some(Task::Multilabel),
            // The text tasks are dispatched before classification input is prepared.
            TaskArg::Ner | TaskArg::Generation => None,
        }),
        positive: args.positive.clone(),
        drop_missing: args.drop_missing,
        extra_labels: Vec::new(),
        label_names: args.label_names.clone(),
    }
}

/// Reads `path` with `options`; with `--gold FILE`, attaches its gold labels (then
/// `--label-col` names the gold file's column and `--id-col` applies to both). The gold file's
/// format is its extension's, or `--input-format` when the name does not say (`<(cut …)`, `-`).
pub fn read_with_gold(
    path: &str,
    args: &InputArgs,
    mut options: ReadOptions,
    checks: &mut Vec<Check>,
) -> Result<Predictions, CliError> {
    let Some(gold_path) = &args.gold else { return Ok(read_predictions(path, &options)?) };
    options.columns.label = None;
    options.keep_ids = true;
    let mut preds = read_predictions(path, &options)?;
    let gold_opts = ReadOptions {
        format: fteval_io::source::detect_format(gold_path, None).ok().or(options.format),
        columns: ColumnOverrides { id: args.id_col.clone(), label: args.label_col.clone(), ..Default::default() },
        keep_ids: true,
        keep_text: false,
    };
    let gold = read_predictions(gold_path, &gold_opts)?;
    checks.extend(attach_gold(&mut preds, gold)?);
    Ok(preds)
}

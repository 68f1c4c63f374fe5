//! `fteval metrics FILE`: one model on one test set.

use fteval_core::{evaluate_classification, evaluate_multilabel};
use fteval_io::{prepare, Prepared};
use fteval_report::MetricsDocument;

use super::input::{bootstrap_config, prepare_options, read_options, read_with_gold};
use crate::cli::MetricsArgs;
use crate::error::CliError;
use crate::output::Output;

pub fn run(args: MetricsArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    let config = bootstrap_config(&args.stats, &args.common)?;
    let mut input_checks = Vec::new();
    let preds = read_with_gold(&args.file, &args.input, read_options(&args.input, false, false), &mut input_checks)?;
    let source = preds.file.clone();
    let prepared = prepare(preds, &prepare_options(&args.input))?;
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

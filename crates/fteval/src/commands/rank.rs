//! `fteval rank FILE FILE...`: which of several models to ship?

use fteval_core::rank::rank_models;
use fteval_core::BootstrapConfig;
use fteval_io::align_predictions;
use fteval_report::document::ProfileDoc;
use fteval_report::RankDocument;

use super::input::{bootstrap_config, prepare_options, read_options, read_with_gold};
use super::settings::{judge, Judge};
use crate::cli::RankArgs;
use crate::error::CliError;
use crate::output::Output;
use crate::paths::{self, Named};

pub fn run(mut args: RankArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    let mut inputs: Vec<Named> =
        args.files.iter().enumerate().map(|(i, f)| Named::input(&format!("FILE {}", i + 1), f)).collect();
    inputs.extend(paths::input_flag_files(&args.input));
    inputs.push(paths::config_file(&args.judge));
    paths::refuse_overwrites(&inputs, &[output.destination()])?;
    let config = bootstrap_config(&args.stats, &args.common)?;
    let mut judge = judge(&args.judge)?;
    judge.fill_input(&mut args.input);
    rank(&args, &output, &config, &judge).map_err(|e| judge.attribute(e))
}

/// Ranks the models as `args` and `judge` say and writes the report.
fn rank(args: &RankArgs, output: &Output, config: &BootstrapConfig, judge: &Judge) -> Result<i32, CliError> {
    let compare_only = judge.cost.is_some() || judge.min_recall.is_some() || judge.min_precision.is_some();
    if compare_only || !args.judge.require.is_empty() || !args.judge.max_regression.is_empty() {
        return Err(CliError::usage(
            "rank: --cost, --min-recall, --min-precision, --require and --max-regression are settings of fteval compare",
            "rank the models on a metric (--primary KEY), then compare the best two with fteval compare",
        ));
    }
    if let Some(task) = super::text_input::text_task(&args.files[0], &args.input)? {
        let doc = super::text_compare::rank(task, &args.files, &args.input, config, judge)?;
        let renderer = output.renderer();
        output.write(|w| renderer.text_rank(&doc, w))?;
        let failed = doc.rank.checks.iter().any(|c| c.severity == fteval_core::Severity::Fail);
        return Ok(if failed { 1 } else { 0 });
    }
    let mut checks: Vec<_> = judge.note.iter().cloned().collect();
    let files = std::thread::scope(|s| {
        let handles: Vec<_> = args
            .files
            .iter()
            .map(|f| {
                s.spawn(|| {
                    let mut c = Vec::new();
                    read_with_gold(f, &args.input, read_options(&args.input, true, false), &mut c).map(|p| (p, c))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("reader thread")).collect::<Vec<_>>()
    });
    let mut preds = Vec::with_capacity(files.len());
    for f in files {
        let (p, c) = f?;
        checks.extend(c);
        preds.push(p);
    }
    let sources: Vec<String> = preds.iter().map(|p| p.file.clone()).collect();
    let aligned = align_predictions(preds, &prepare_options(&args.input), false)?;
    checks.extend(aligned.checks);
    let task = aligned.inputs[0].task;
    judge.check_profile(task)?;
    let primary = judge.primary(task);
    let ranking = rank_models(&aligned.inputs, &primary, config).map_err(|e| {
        CliError::usage(format!("{}: {e}", judge.primary_said(&primary)), "name a metric every model has")
    })?;
    let profile = judge.profile.map(|p| ProfileDoc {
        name: p.as_str(),
        primary_metric: p.primary_metric(task),
        rationale: p.rationale(),
    });
    let doc = RankDocument::new(&ranking, &sources, profile, checks);
    let renderer = output.renderer();
    output.write(|w| renderer.rank(&doc, w))?;
    let failed = doc.checks.iter().any(|c| c.severity == fteval_core::Severity::Fail);
    Ok(if failed { 1 } else { 0 })
}

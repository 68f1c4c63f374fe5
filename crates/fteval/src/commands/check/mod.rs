//! `fteval check [CONFIG]`: everything fteval.toml names — metrics, compare, the train–test gap,
//! training curves and leakage — in one run, with one verdict and one exit code.

mod junit;
mod verdict;

use std::path::{Path, PathBuf};

use clap::Parser;
use fteval_core::evaluate::gap::{gap_against, is_large, tested_gap_key, GapSide};
use fteval_core::metric_fit::{wrong_metric, MetricChoice};
use fteval_core::profile::Profile;
use fteval_core::{Check, ClassificationInput, Severity};
use fteval_io::{prepare, Prepared};
use fteval_report::document::{
    BootstrapDoc, CheckConfigDoc, CheckDocument, CheckVerdict, CurvesDocument, GapDoc, LeakageDocument, Ordered,
    OverfittingDoc, TextCompareDocument, CHECK_SCHEMA,
};
use fteval_report::{Markdown, MetricsDocument, Renderer};

pub use junit::junit_xml;

use super::config_source::{quoted, ConfigSource, Filled};
use super::input::{prepare_options, read_options, read_with_gold};
use super::settings::{judge, read_config, ConfigFile, Judge};
use crate::cli::{CheckArgs, Cli, Command, CompareArgs, StatsArgs};
use crate::error::CliError;
use crate::output::{note, write_file, Links, Output};
use crate::paths::{self, Named};
use crate::ranges;

/// Train–test gap above which overfitting is flagged, unless `[overfitting] max_gap` says otherwise.
const DEFAULT_MAX_GAP: f64 = 0.05;
/// Leaked share of the test set above which the check fails, unless `[leakage] max_leaked_fraction` says otherwise.
const DEFAULT_MAX_LEAK: f64 = 0.01;
/// Metrics shown in the train–test gap table (besides the primary).
const GAP_KEYS: &[&str] =
    &["accuracy", "balanced_accuracy", "precision", "recall", "f1", "matthews_corrcoef", "f1_macro", "recall_macro"];

/// A config file path `value` of `key` (dotted; `line_key` for an array element), resolved
/// against the config's folder and checked to exist.
fn resolve(dir: &Path, src: &ConfigSource, key: &str, line_key: &str, value: &str) -> Result<String, CliError> {
    if value.is_empty() {
        // dir.join("") is the config's folder itself, which exists: say what is wrong instead.
        return Err(CliError::usage(
            format!("{}: the path is empty", src.at(key, line_key, &quoted(value))),
            "give the path of the file, relative to the folder of the config file, or remove the key",
        ));
    }
    let p = dir.join(value);
    if p.exists() {
        Ok(p.to_string_lossy().into_owned())
    } else {
        Err(CliError::usage(
            format!("{}: no such file or folder ({})", src.at(key, line_key, &quoted(value)), p.display()),
            "paths are relative to the folder of the config file; fix the path, or remove the key",
        ))
    }
}

/// Parses a sub-command from the arguments the config implies, as if typed by the user.
fn sub_command(config: &Path, argv: Vec<String>) -> Result<Command, CliError> {
    let mut full = vec!["fteval".to_string()];
    full.extend(argv);
    Cli::try_parse_from(&full).map(|c| c.command).map_err(|e| {
        let said = e.to_string();
        let first = said.lines().next().unwrap_or_default().trim_start_matches("error: ").to_string();
        CliError::usage(
            format!("{}: the config asks for `{}`, which is not valid: {first}", config.display(), full[1..].join(" ")),
            "check the values in the config",
        )
    })
}

/// `--flag=value` for each value that is set (the `=` form keeps a value like "-1" a value).
fn flags<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a Option<String>)>) -> Vec<String> {
    pairs.into_iter().filter_map(|(flag, v)| v.as_ref().map(|v| format!("{flag}={v}"))).collect()
}

/// The flag every model file shares: the gold labels' file. (The positive label and the columns
/// are filled from the config by [`Judge::fill_input`], which notes them for errors.)
fn input_flags(file: &ConfigFile, dir: &Path) -> Result<Vec<String>, CliError> {
    let gold = match &file.files.gold {
        Some(g) => Some(resolve(dir, &file.source, "files.gold", "files.gold", g)?),
        None => None,
    };
    Ok(flags([("--gold", &gold)]))
}

fn stats_flags(stats: &StatsArgs, seed: u64) -> Vec<String> {
    vec![format!("--bootstrap={}", stats.bootstrap), format!("--ci={}", stats.ci), format!("--seed={seed}")]
}

/// A fraction from the config's `key` (dotted), checked to lie in [0, 1].
fn fraction(src: &ConfigSource, key: &str, v: Option<f64>, default: f64) -> Result<f64, CliError> {
    match v {
        None => Ok(default),
        Some(x) => ranges::FRACTION.check(x).map_err(|e| {
            let mut error = src.out_of_range(key, x, e);
            let name = super::config_source::key_name(key);
            error.hint = format!("a fraction between 0 and 1, e.g. {name} = {default} (the default); {}", src.fix(key));
            error
        }),
    }
}

/// The gold-label distribution's most common label and its share.
fn majority(input: &ClassificationInput) -> (String, f64) {
    let mut counts = vec![0u64; input.labels.len()];
    for &g in &input.gold {
        counts[g as usize] += 1;
    }
    let (i, &c) = counts.iter().enumerate().max_by_key(|(_, &c)| c).unwrap_or((0, &0));
    let label = input.labels.get(i).cloned().unwrap_or_default();
    (label, if input.gold.is_empty() { 0.0 } else { c as f64 / input.gold.len() as f64 })
}

/// The candidate on its own training set against the test set.
fn overfitting(
    train_file: &str,
    compare: &CompareArgs,
    test: &ClassificationInput,
    test_side: &GapSide,
    test_source: &str,
    primary: &str,
    max_gap: f64,
    config: &fteval_core::BootstrapConfig,
) -> Result<OverfittingDoc, CliError> {
    let mut input = compare.input.clone();
    input.gold = None;
    let mut checks = Vec::new();
    // The reader's own hint says what to do about its error; the message says which config key it came from.
    let in_key = |e: CliError| CliError {
        message: format!("[files] train_predictions: {}", e.message),
        hint: format!(
            "{} ([files] train_predictions: the candidate's predictions on its training rows, with their gold labels)",
            e.hint
        ),
    };
    let preds = read_with_gold(train_file, &input, read_options(&input, false, false), &mut checks).map_err(in_key)?;
    let source = preds.file.clone();
    let prepared = prepare(preds, &prepare_options(&input)).map_err(|e| in_key(e.into()))?;
    let Prepared::Classification(train) = prepared.input else {
        return Err(CliError::usage(
            format!("{train_file}: [files] train_predictions holds multilabel predictions"),
            "the train–test gap is computed for binary and multiclass tasks",
        ));
    };
    if train.task != test.task {
        return Err(CliError::usage(
            format!(
                "{train_file}: [files] train_predictions is a {} task but the test predictions are {}",
                train.task.as_str(),
                test.task.as_str()
            ),
            "give the candidate's predictions on its training set, with the same labels",
        ));
    }
    let gaps = gap_against(&train, test_side, config);
    let tested = tested_gap_key(&gaps, primary, test.task);
    let metrics = gaps
        .iter()
        .filter(|g| g.key == primary || GAP_KEYS.contains(&g.key) || Some(g.key) == tested)
        .map(|g| {
            let is_tested = Some(g.key) == tested;
            let doc = GapDoc {
                train: g.train,
                test: g.test,
                gap: g.gap,
                ci_low: g.ci_low,
                ci_high: g.ci_high,
                tested: is_tested,
                flagged: is_tested && is_large(g, max_gap),
            };
            (g.key.to_string(), doc)
        })
        .collect();
    Ok(OverfittingDoc {
        train_source: source,
        test_source: test_source.to_string(),
        train_n: train.gold.len() as u64,
        test_n: test.gold.len() as u64,
        max_gap,
        metrics: Ordered(metrics),
        bootstrap: BootstrapDoc::from(*config),
    })
}

/// The comparison part of a check, with what only a classifier allows: each model's metrics,
/// the train–test gap and the fit of the metric to the data.
#[derive(Default)]
struct ComparePart {
    primary: String,
    compare: Option<fteval_report::CompareDocument>,
    text: Option<TextCompareDocument>,
    metrics: Vec<(String, MetricsDocument)>,
    overfitting: Option<OverfittingDoc>,
    checks: Vec<Check>,
}

/// Every gate as (metric, gate as written).
fn gate_names(judge: &Judge) -> Vec<(String, String)> {
    judge
        .require
        .iter()
        // The metric in lowercase, as the classification keys the fit rules know are spelled.
        .map(|r| (r.metric.to_ascii_lowercase(), format!("{}{}{}", r.metric, r.op.as_str(), r.threshold)))
        .chain(
            judge.max_regression.iter().map(|m| (m.metric.to_ascii_lowercase(), format!("{}={}", m.metric, m.margin))),
        )
        .collect()
}

fn classification_part(
    compare_args: &CompareArgs,
    judge: &Judge,
    config: &fteval_core::BootstrapConfig,
    train_predictions: Option<&str>,
    max_gap: f64,
) -> Result<ComparePart, CliError> {
    let mut run = super::compare::classification(compare_args, judge, config)?;
    let primary = run.doc.primary_metric.clone();
    // The comparison's score curves move to the metrics documents, which carry each model's
    // plots in a check (the comparison need not repeat them).
    let plots = run.doc.plots.take().expect("classification comparisons have plots");
    let mut metrics: Vec<(String, MetricsDocument)> = Vec::new();
    for (who, eval, curves, source) in [
        ("baseline", &run.comparison.baseline, plots.baseline.score_curves, &run.doc.baseline_source),
        ("candidate", &run.comparison.candidate, plots.candidate.score_curves, &run.doc.candidate_source),
    ] {
        let mut doc = MetricsDocument::new(source, eval.clone(), Vec::new());
        doc.score_curves = curves;
        metrics.push((who.to_string(), doc));
    }
    let overfitting = match train_predictions {
        Some(t) => {
            let source = run.doc.candidate_source.clone();
            let test_side = GapSide::from_evaluation(&run.comparison.candidate);
            Some(overfitting(t, compare_args, &run.candidate, &test_side, &source, &primary, max_gap, config)?)
        }
        None => None,
    };
    let gates = gate_names(judge);
    let (majority_label, majority_rate) = majority(&run.candidate);
    let positive_label = run.candidate.positive.map(|p| run.candidate.labels[p].clone());
    let checks = wrong_metric(&MetricChoice {
        task: run.candidate.task,
        profile: judge.profile,
        primary: &primary,
        gates: &gates,
        majority_label: &majority_label,
        majority_rate,
        positive_label: positive_label.as_deref(),
    });
    Ok(ComparePart { primary, compare: Some(run.doc), text: None, metrics, overfitting, checks })
}

/// The comparison a check runs: text models, or classifiers with their train–test gap.
fn compare_part(
    file: &ConfigFile,
    compare_args: &CompareArgs,
    judge: &Judge,
    config: &fteval_core::BootstrapConfig,
    train_predictions: Option<&str>,
) -> Result<ComparePart, CliError> {
    let src = &file.source;
    match super::text_input::text_task(&compare_args.baseline, &compare_args.input)? {
        Some(task) => {
            if train_predictions.is_some() {
                return Err(CliError::usage(
                    format!(
                        "{}: the train–test gap is computed for classifiers, not {} models",
                        src.at(
                            "files.train_predictions",
                            "files.train_predictions",
                            &quoted(file.files.train_predictions.as_deref().unwrap_or_default())
                        ),
                        task.as_str()
                    ),
                    "remove the key; the training logs ([files] logs) show overfitting of NER and generation models",
                ));
            }
            let candidate = compare_args.candidate.as_deref().expect("two files");
            let doc = super::text_compare::compare(
                task,
                super::text_compare::ModelFiles::Two { baseline: &compare_args.baseline, candidate },
                &compare_args.input,
                config,
                judge,
                compare_args.examples,
            )?;
            Ok(ComparePart { primary: doc.primary_metric.clone(), text: Some(doc), ..Default::default() })
        }
        None => {
            let max_gap = fraction(src, "overfitting.max_gap", file.overfitting.max_gap, DEFAULT_MAX_GAP)?;
            classification_part(compare_args, judge, config, train_predictions, max_gap)
        }
    }
}

/// Runs every part the config at `config_path` names and decides.
pub fn document(config_path: &Path, stats: &StatsArgs, seed: u64) -> Result<CheckDocument, CliError> {
    let Some(file) = read_config(config_path, true)? else { unreachable!("an explicit config is read or an error") };
    let dir = config_dir(config_path);
    let cfg = config_path.to_string_lossy().into_owned();
    let f = &file.files;
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    let Some(candidate) = &f.candidate else {
        return Err(CliError::usage(
            format!("{cfg}: [files] candidate is missing"),
            "name the fine-tuned model's predictions on the test set: [files] candidate = \"candidate.csv\" (and baseline = \"baseline.csv\" to compare)",
        ));
    };
    let Some(baseline) = &f.baseline else {
        return Err(CliError::usage(
            format!("{cfg}: [files] baseline is missing"),
            "fteval check compares the fine-tuned model with the model before: [files] baseline = \"baseline.csv\"",
        ));
    };
    let src = &file.source;
    let (baseline, candidate) = (
        resolve(&dir, src, "files.baseline", "files.baseline", baseline)?,
        resolve(&dir, src, "files.candidate", "files.candidate", candidate)?,
    );
    files.push(("baseline".into(), vec![baseline.clone()]));
    files.push(("candidate".into(), vec![candidate.clone()]));

    let mut argv = vec!["compare".to_string(), baseline, candidate, format!("--config={cfg}")];
    argv.extend(input_flags(&file, &dir)?);
    argv.extend(stats_flags(stats, seed));
    let Command::Compare(mut compare_args) = sub_command(config_path, argv)? else { unreachable!() };
    let mut judge = judge(&compare_args.judge)?;
    judge.fill_input(&mut compare_args.input);
    let config = super::input::bootstrap_config(&compare_args.stats, &compare_args.common)?;
    let train_predictions = match &f.train_predictions {
        Some(t) => {
            let t = resolve(&dir, src, "files.train_predictions", "files.train_predictions", t)?;
            files.push(("train_predictions".into(), vec![t.clone()]));
            Some(t)
        }
        None => None,
    };
    let part = compare_part(&file, &compare_args, &judge, &config, train_predictions.as_deref())
        .map_err(|e| judge.attribute(e))?;
    let primary = part.primary.clone();

    let curves = curves_part(&file, &dir, config_path, &mut files)?;
    let leakage = leakage_part(&file, &dir, config_path, &mut files)?;

    let gates = gate_names(&judge);
    let checks = part.checks;
    let parts = verdict::Parts {
        primary: &primary,
        compare: part.compare.as_ref().map(Into::into).or(part.text.as_ref().map(Into::into)),
        overfitting: part.overfitting.as_ref(),
        curves: curves.as_ref(),
        leakage: leakage.as_ref(),
        checks: &checks,
    };
    let reasons = verdict::reasons(&parts);
    let v = verdict::decide(&reasons);
    let summary = verdict::summary(v, &reasons, parts.compare.as_ref());
    Ok(CheckDocument {
        schema: CHECK_SCHEMA,
        fteval_version: fteval_report::document::VERSION,
        config: CheckConfigDoc {
            path: cfg,
            profile: judge.profile.map(|p: Profile| p.as_str().to_string()),
            primary_metric: primary,
            gates: gates.into_iter().map(|(_, g)| g).collect(),
            files: Ordered(files),
        },
        verdict: v,
        summary,
        reasons,
        metrics: Ordered(part.metrics),
        compare: part.compare,
        text_compare: part.text,
        overfitting: part.overfitting,
        curves,
        leakage,
        checks,
    })
}

/// `fteval curves` on `[files] logs`.
fn curves_part(
    file: &ConfigFile,
    dir: &Path,
    config: &Path,
    files: &mut Vec<(String, Vec<String>)>,
) -> Result<Option<CurvesDocument>, CliError> {
    if file.files.logs.is_empty() {
        return Ok(None);
    }
    let logs = file.files.logs.iter().enumerate();
    let logs = logs
        .map(|(i, l)| resolve(dir, &file.source, "files.logs", &format!("files.logs.{i}"), l))
        .collect::<Result<Vec<_>, _>>()?;
    files.push(("logs".into(), logs.clone()));
    let mut argv = vec!["curves".to_string()];
    argv.extend(logs);
    let Command::Curves(args) = sub_command(config, argv)? else { unreachable!("parsed as curves") };
    Ok(Some(super::curves::document(&args)?))
}

/// `fteval leakage` on `[files] train` and `test`, its limit named by the config's key.
fn leakage_part(
    file: &ConfigFile,
    dir: &Path,
    config: &Path,
    files: &mut Vec<(String, Vec<String>)>,
) -> Result<Option<LeakageDocument>, CliError> {
    let src = &file.source;
    let (train, test) = match (&file.files.train, &file.files.test) {
        (Some(train), Some(test)) => (
            resolve(dir, src, "files.train", "files.train", train)?,
            resolve(dir, src, "files.test", "files.test", test)?,
        ),
        (None, None) => return Ok(None),
        (train, _) => {
            let (given, value) = if let Some(t) = train {
                ("files.train", t)
            } else {
                ("files.test", file.files.test.as_ref().expect("one of them"))
            };
            return Err(CliError::usage(
                format!("{}: [files] names only one of train and test", src.at(given, given, &quoted(value))),
                "the leakage scan needs both splits: [files] train = \"train.csv\" and test = \"test.csv\"",
            ));
        }
    };
    files.push(("train".into(), vec![train.clone()]));
    files.push(("test".into(), vec![test.clone()]));
    let max_leak = fraction(src, "leakage.max_leaked_fraction", file.leakage.max_leaked_fraction, DEFAULT_MAX_LEAK)?;
    let threshold = match file.leakage.threshold {
        Some(t) => Some(ranges::JACCARD.check(t).map_err(|e| src.out_of_range("leakage.threshold", t, e))?.to_string()),
        None => None,
    };
    let mut argv = vec![
        "leakage".to_string(),
        format!("--train={train}"),
        format!("--test={test}"),
        format!("--max-leak={max_leak}"),
    ];
    let c = &file.columns;
    argv.extend(flags([
        ("--threshold", &threshold),
        ("--text-col", &c.text),
        ("--label-col", &c.label),
        ("--id-col", &c.id),
    ]));
    // The columns' errors name their keys in the config, not the flags they became.
    let filled: Vec<Filled> = [
        ("--text-col", "columns.text", &c.text),
        ("--label-col", "columns.label", &c.label),
        ("--id-col", "columns.id", &c.id),
    ]
    .into_iter()
    .filter_map(|(flag, key, v)| v.as_ref().map(|v| Filled { flag, key, value: v.clone() }))
    .collect();
    let Command::Leakage(args) = sub_command(config, argv)? else { unreachable!("parsed as leakage") };
    let doc =
        super::leakage::document(&args, "[leakage] max_leaked_fraction").map_err(|e| src.attribute(&filled, e))?;
    Ok(Some(doc))
}

/// Writes the JUnit XML of the check to `path`, whole or not at all.
pub fn write_junit(doc: &CheckDocument, path: &Path, strict: bool) -> Result<(), CliError> {
    write_file("--junit", path, Links::Follow, |w| {
        w.write_all(junit_xml(doc, strict).as_bytes()).map_err(|e| {
            CliError::usage(
                format!("--junit {}: cannot write the file: {e}", path.display()),
                "check that the folder is writable and has free space; the previous file, if any, is left as it was",
            )
        })
    })
}

/// Names, on stderr, why the check did not pass, so a CI log shows it.
pub fn report_reasons(doc: &CheckDocument) {
    for r in doc.reasons.iter().filter(|r| r.severity == Severity::Fail) {
        note(format!("fteval: {}: {}", r.id, r.message));
    }
}

/// The folder a config's paths are relative to.
fn config_dir(config_path: &Path) -> PathBuf {
    match config_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The config at `config_path` (named `name`) and every file its `[files]` names, as the inputs
/// no output of the run may overwrite. Paths that do not exist are left to the run to report.
pub fn project_inputs(name: &str, config_path: &Path) -> Result<Vec<Named>, CliError> {
    let mut inputs = vec![Named::path(name, config_path)];
    let Some(file) = read_config(config_path, true)? else { return Ok(inputs) };
    let dir = config_dir(config_path);
    let f = &file.files;
    let key = |k: &str| format!("{} [files] {k} =", config_path.display());
    let named = [
        ("baseline", &f.baseline),
        ("candidate", &f.candidate),
        ("gold", &f.gold),
        ("train_predictions", &f.train_predictions),
        ("train", &f.train),
        ("test", &f.test),
    ];
    for (k, v) in named {
        inputs.extend(v.iter().map(|v| Named::path(key(k), dir.join(v))));
    }
    let logs: Vec<String> = f.logs.iter().map(|l| dir.join(l).to_string_lossy().into_owned()).collect();
    inputs.extend(super::curves::log_files(&key("logs"), &logs));
    Ok(inputs)
}

pub fn run(args: CheckArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    let path = args.config.clone().unwrap_or_else(|| PathBuf::from("fteval.toml"));
    if args.config.is_none() && !path.exists() {
        return Err(CliError::usage(
            "no fteval.toml in this folder",
            "write one with `fteval init` (it lists the files it finds), or give the path: fteval check path/to/fteval.toml",
        ));
    }
    let mut outputs = vec![output.destination()];
    outputs.extend(args.junit.iter().map(|j| Named::path("--junit", j)));
    outputs.extend(crate::output::step_summary());
    let name = if args.config.is_some() { "CONFIG" } else { "the config" };
    paths::refuse_overwrites(&project_inputs(name, &path)?, &outputs)?;
    let doc = document(&path, &args.stats, args.common.seed)?;
    let renderer = output.renderer();
    output.write(|w| renderer.check(&doc, w))?;
    if let Some(j) = &args.junit {
        write_junit(&doc, j, args.strict)?;
    }
    crate::output::append_step_summary(|w| Markdown.check(&doc, w));
    report_reasons(&doc);
    let fails = doc.failed() || (args.strict && doc.verdict == CheckVerdict::NeedsAttention);
    Ok(if fails { 1 } else { 0 })
}

//! `fteval curves LOG...`: did training go well, and which checkpoint to keep?

use std::path::{Path, PathBuf};

use fteval_core::curves::{diagnose, held_out_series, DiagnoseOptions, Split, TrainingRun};
use fteval_io::logs::{self, folder_split, tensorboard, LogFormat, LOG_FORMAT_NAMES};
use fteval_report::document::CurvesDocument;

use crate::cli::CurvesArgs;
use crate::error::CliError;
use crate::output::Output;
use crate::paths::Named;

/// TensorBoard event files under `dir` (a few levels deep), sorted.
fn event_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() && depth > 0 {
            event_files(&p, depth - 1, out);
        } else if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains("tfevents")) {
            out.push(p);
        }
    }
}

/// One run from a folder of TensorBoard event files (train/ and validation/ together).
fn read_tensorboard_dir(dir: &Path) -> Result<TrainingRun, CliError> {
    let mut files = Vec::new();
    event_files(dir, 4, &mut files);
    if files.is_empty() {
        let shown = dir.display();
        return Err(CliError::usage(
            format!("{shown}: a folder without TensorBoard event files"),
            "give the log files themselves: trainer_state.json, metrics.csv, a Keras CSV, or a folder holding events.out.tfevents.* files",
        ));
    }
    let mut parts = Vec::new();
    for f in &files {
        parts.push(tensorboard::read_tensorboard(f, folder_split(f))?);
    }
    let mut run = logs::join_runs(parts);
    run.source = dir.display().to_string();
    Ok(run)
}

/// The files the logs name, a folder's event files included, as inputs no output may overwrite.
pub fn log_files(name: &str, logs: &[String]) -> Vec<Named> {
    let mut out = Vec::new();
    for log in logs {
        let path = Path::new(log);
        if path.is_dir() {
            let mut files = Vec::new();
            event_files(path, 4, &mut files);
            out.extend(files.into_iter().map(|f| Named::path(name, f)));
        } else {
            out.push(Named::input(name, log));
        }
    }
    out
}

pub fn run(args: CurvesArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    crate::paths::refuse_overwrites(&log_files("LOG", &args.logs), &[output.destination()])?;
    let doc = document(&args)?;
    let renderer = output.renderer();
    output.write(|w| renderer.curves(&doc, w))?;
    Ok(if doc.failed() { 1 } else { 0 })
}

/// Reads the logs and diagnoses them.
pub fn document(args: &CurvesArgs) -> Result<CurvesDocument, CliError> {
    let format = match &args.log_format {
        Some(f) => Some(LogFormat::parse(f).ok_or_else(|| {
            CliError::usage(format!("--log-format {f}: unknown format"), format!("use one of: {LOG_FORMAT_NAMES}"))
        })?),
        None => None,
    };
    let mut parts: Vec<Vec<TrainingRun>> = Vec::new();
    for log in &args.logs {
        let path = Path::new(log);
        if path.is_dir() {
            parts.push(vec![read_tensorboard_dir(path)?]);
        } else if format == Some(LogFormat::TensorBoard) || log.contains("tfevents") {
            parts.push(vec![tensorboard::read_tensorboard(path, folder_split(path))?]);
        } else {
            parts.push(logs::read_log(path, format)?);
        }
    }
    let runs: Vec<TrainingRun> = if args.one_run && parts.len() > 1 {
        let sources: Vec<String> = parts.iter().flatten().map(|r| r.source.clone()).collect();
        let mut run = logs::join_runs(parts.into_iter().flatten().collect());
        run.source = sources.join(" + ");
        vec![run]
    } else {
        parts.into_iter().flatten().collect()
    };
    let opts = DiagnoseOptions { metric: args.metric.clone(), classes: args.classes };
    if let Some(m) = &args.metric {
        if !runs.iter().any(|r| held_out_series(r, m).is_some()) {
            let mut names: Vec<String> = runs
                .iter()
                .flat_map(|r| r.series.iter().filter(|s| s.split != Split::Train).map(|s| s.name.clone()))
                .collect();
            names.sort();
            names.dedup();
            return Err(CliError::usage(
                format!("--metric {m}: no eval (or test) series of that name in the logs"),
                format!(
                    "the eval and test series are: {}",
                    if names.is_empty() { "(none)".into() } else { names.join(", ") }
                ),
            ));
        }
    }
    let diagnosis = diagnose(&runs, &opts);
    let mut checks = Vec::new();
    // What the readers had to decide (a position column replaced by the row order, an
    // incomplete last record skipped), once per source.
    let mut noted: Vec<(String, String)> = Vec::new();
    for r in &runs {
        for note in &r.notes {
            let key = (r.source.clone(), note.clone());
            if !noted.contains(&key) {
                noted.push(key);
            }
        }
    }
    for (source, note) in noted {
        checks.push(fteval_core::Check::new("log_read_note", fteval_core::Severity::Info, format!("{source}: {note}")));
    }
    if !runs.iter().any(|r| r.series.iter().any(|s| s.split == Split::Train && s.name.ends_with("loss"))) {
        let mut held: Vec<String> =
            runs.iter().flat_map(|r| r.series.iter().map(|s| format!("{}/{}", s.split.as_str(), s.name))).collect();
        held.dedup();
        let message = if held.is_empty() {
            "These logs hold no logged values at all (e.g. an empty log_history: training stopped before the first logging step, or the state was saved before training); there is nothing to diagnose.".to_string()
        } else {
            format!(
                "No training loss in these logs: only the eval side is diagnosed, and a rising eval loss cannot be told apart as overfitting or instability. They hold: {}.",
                held.join(", ")
            )
        };
        checks.push(fteval_core::Check::new("no_training_loss", fteval_core::Severity::Warn, message));
    }
    let longest = runs
        .iter()
        .flat_map(|r| r.series.iter().filter(|s| s.split == Split::Train && s.name.ends_with("loss")))
        .map(|s| s.points.len())
        .max();
    if let Some(n) = longest.filter(|&n| n < 5) {
        checks.push(fteval_core::Check::new(
            "too_short",
            fteval_core::Severity::Warn,
            format!(
                "The training loss has only {n} logged point(s): too few to judge the curve's shape; log more often (e.g. logging_steps in the Hugging Face Trainer).{}",
                uniform_guess_note(&runs)
            ),
        ));
    }
    if let Some(b) = diagnosis.best_checkpoint.as_ref().filter(|b| b.series.starts_with("test/")) {
        checks.push(fteval_core::Check::new(
            "checkpoint_chosen_on_test",
            fteval_core::Severity::Warn,
            format!(
                "This log evaluates on the test split during training (it has no validation split), and the best checkpoint is chosen by {}: a test score of a checkpoint picked on the test set is optimistic. Hold out a validation set to choose checkpoints, or report the last checkpoint's test score.",
                b.series
            ),
        ));
    }
    let evals = runs
        .iter()
        .flat_map(|r| r.series.iter().filter(|s| s.split == Split::Eval && s.name.ends_with("loss")))
        .map(|s| s.points.len())
        .max();
    if let Some(n) = evals.filter(|&n| n < 3) {
        checks.push(fteval_core::Check::new(
            "too_few_evaluations",
            fteval_core::Severity::Info,
            format!("The eval loss has only {n} point(s): too few to see overfitting; evaluate more often (e.g. eval_steps)."),
        ));
    }
    Ok(CurvesDocument::new(&runs, &diagnosis, checks))
}

/// For a log too short to judge: a last training loss above ln(1000) is the cross-entropy of a
/// uniform guess over e^loss choices — for a language model, a tokenizer-sized vocabulary.
fn uniform_guess_note(runs: &[TrainingRun]) -> String {
    let last = runs
        .iter()
        .flat_map(|r| r.series.iter().filter(|s| s.split == Split::Train && s.name == "loss"))
        .filter_map(|s| s.points.iter().rev().map(|p| p.value).find(|v| v.is_finite()))
        .last();
    match last {
        Some(loss) if loss > 1000f64.ln() => format!(
            " Its last value, {loss:.4}, is the cross-entropy of a uniform guess over e^{loss:.2} ≈ {:.0} choices: if this is a language model with a vocabulary of about that size, it had not started to learn.",
            loss.exp()
        ),
        _ => String::new(),
    }
}

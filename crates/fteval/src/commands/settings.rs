//! What a comparison is judged on — profile, primary metric, margin, costs, thresholds and
//! gates — from fteval.toml and the flags (flags win; gates from both apply), validated once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fteval_core::costs::CostMatrix;
use fteval_core::gates::{parse_max_regression, parse_requirement, MaxRegression, Requirement};
use fteval_core::generation_task::PrimaryChoice;
use fteval_core::profile::{default_primary, Profile};
use fteval_core::{Check, Severity, Task};
use serde::Deserialize;

use crate::cli::JudgeArgs;
use crate::error::CliError;

/// fteval.toml: how compare and rank judge, and what `fteval check` reads.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub profile: Option<String>,
    pub primary: Option<String>,
    pub margin: Option<f64>,
    pub min_recall: Option<f64>,
    pub min_precision: Option<f64>,
    cost: Option<CostConfig>,
    /// The positive label of a binary task.
    pub positive: Option<String>,
    #[serde(default)]
    pub gates: GatesConfig,
    #[serde(default)]
    pub files: FilesConfig,
    #[serde(default)]
    pub columns: ColumnsConfig,
    #[serde(default)]
    pub leakage: LeakageConfig,
    #[serde(default)]
    pub overfitting: OverfittingConfig,
}

/// `[files]`: what `fteval check` reads, relative to the config's folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesConfig {
    pub baseline: Option<String>,
    pub candidate: Option<String>,
    pub gold: Option<String>,
    /// The candidate's predictions on its training set (train–test gap).
    pub train_predictions: Option<String>,
    pub train: Option<String>,
    pub test: Option<String>,
    #[serde(default)]
    pub logs: Vec<String>,
}

/// `[columns]`: column names when the defaults are not found.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsConfig {
    pub id: Option<String>,
    pub label: Option<String>,
    pub pred: Option<String>,
    pub score: Option<String>,
    pub text: Option<String>,
}

/// `[leakage]`: limits and settings of the train/test leakage scan.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeakageConfig {
    pub max_leaked_fraction: Option<f64>,
    pub threshold: Option<f64>,
}

/// `[overfitting]`: the largest tolerated train–test gap.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverfittingConfig {
    pub max_gap: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CostConfig {
    fp: f64,
    #[serde(rename = "fn")]
    fn_: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatesConfig {
    #[serde(default)]
    pub require: Vec<String>,
    #[serde(default)]
    pub max_regression: BTreeMap<String, f64>,
}

/// Validated judgement settings.
#[derive(Debug, Default)]
pub struct Judge {
    /// The primary metric as written (metric keys keep their case: `rougeL`).
    primary: Option<String>,
    /// Where `primary` came from, for errors: `--primary` or the config file's key.
    primary_origin: String,
    /// The config file's path, for errors about its keys.
    config_path: Option<String>,
    /// How many of `require` and `max_regression` (the first ones) come from the config file.
    require_from_file: usize,
    max_regression_from_file: usize,
    pub profile: Option<Profile>,
    pub margin: f64,
    pub cost: Option<CostMatrix>,
    pub min_recall: Option<f64>,
    pub min_precision: Option<f64>,
    pub require: Vec<Requirement>,
    pub max_regression: Vec<MaxRegression>,
    /// Where settings came from, when a config file was read.
    pub note: Option<Check>,
    /// The config file's positive label and column names, for the flags left out.
    positive: Option<String>,
    columns: ColumnsConfig,
}

impl Judge {
    /// Fills the input flags left out from the config file's `positive` and `[columns]`, so
    /// compare and rank read the files as `fteval check` does (flags win).
    pub fn fill_input(&self, input: &mut crate::cli::InputArgs) {
        let c = &self.columns;
        for (flag, value) in [
            (&mut input.positive, &self.positive),
            (&mut input.id_col, &c.id),
            (&mut input.label_col, &c.label),
            (&mut input.pred_col, &c.pred),
            (&mut input.score_col, &c.score),
            (&mut input.text_col, &c.text),
        ] {
            if flag.is_none() {
                flag.clone_from(value);
            }
        }
    }

    /// Where the primary metric was named, for errors: `--primary`, or `fteval.toml: primary =`.
    pub fn primary_origin(&self) -> &str {
        if self.primary.is_some() {
            &self.primary_origin
        } else {
            "--primary"
        }
    }

    /// Where the `i`-th requirement (`kind` "require") or tolerated drop ("max_regression") was
    /// written, for errors: `--require recall`, or `fteval.toml: [gates] require recall`.
    pub fn gate_origin(&self, kind: &str, i: usize, metric: &str) -> String {
        let n_file = if kind == "require" { self.require_from_file } else { self.max_regression_from_file };
        match &self.config_path {
            Some(path) if i < n_file => format!("{path}: [gates] {kind} {metric}"),
            _ => format!("--{} {metric}", kind.replace('_', "-")),
        }
    }

    /// The primary metric of a generation comparison: --primary, else a generation profile's,
    /// else the metric the data's task fits ([`fteval_core::generation_task::choose_generation_primary`]) — then with an info
    /// check `primary_metric` saying which task the data show and why the metric fits it.
    pub fn generation_primary(&self, choice: &PrimaryChoice) -> (String, Option<Check>) {
        match (&self.primary, self.profile) {
            (Some(p), _) => (p.clone(), None),
            (None, Some(profile)) if profile.is_generation() => (profile.primary_metric(Task::Generation).into(), None),
            _ => (
                choice.metric.to_string(),
                Some(Check::new(
                    "primary_metric",
                    Severity::Info,
                    format!(
                        "Primary metric {} ({}): {}. Judge on another with --primary KEY or --profile qa|summarization|translation.",
                        choice.metric,
                        choice.task.as_str(),
                        choice.reason
                    ),
                )),
            ),
        }
    }

    /// Exit 2 when the profile does not judge `task` (a generation profile on a classifier).
    pub fn check_profile(&self, task: Task) -> Result<(), CliError> {
        match self.profile {
            Some(p) if !p.applies_to(task) => Err(CliError::usage(
                format!("profile {}: judges generated text, but these are {} predictions", p.as_str(), task.as_str()),
                "for classifiers and NER choose spam, fraud, medical or balanced",
            )),
            _ => Ok(()),
        }
    }

    /// The primary metric: --primary, else the profile's, else the task's default.
    pub fn primary(&self, task: Task) -> String {
        match (&self.primary, self.profile) {
            (Some(p), _) => p.clone(),
            (None, Some(profile)) => profile.primary_metric(task).to_string(),
            (None, None) => default_primary(task).to_string(),
        }
    }
}

/// The keys fteval.toml may hold, for error hints.
pub const CONFIG_KEYS: &str = "profile, primary, margin, min_recall, min_precision, positive, [cost] fp/fn, [gates] require = [\"recall>=0.85\"] and max_regression = { f1 = 0.01 }, [files] baseline/candidate/gold/train_predictions/train/test/logs, [columns] id/label/pred/score/text, [leakage] max_leaked_fraction/threshold, [overfitting] max_gap";

/// Reads fteval.toml; a missing file is None unless `explicit`.
pub fn read_config(path: &Path, explicit: bool) -> Result<Option<ConfigFile>, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) if !explicit => return Ok(None),
        Err(e) => {
            return Err(CliError::usage(
                format!("--config {}: cannot read the file: {e}", path.display()),
                "check the path, or leave out --config",
            ))
        }
    };
    let config: ConfigFile = toml::from_str(&text).map_err(|e| {
        let line =
            e.span().map(|s| format!("line {}: ", text[..s.start].matches('\n').count() + 1)).unwrap_or_default();
        CliError::usage(
            format!("{}: {line}{}", path.display(), e.message()),
            format!("the keys it may hold: {CONFIG_KEYS}"),
        )
    })?;
    Ok(Some(config))
}

fn parse_cost(s: &str) -> Result<CostMatrix, CliError> {
    let bad = || {
        CliError::usage(
            format!("--cost {s}: expected fp=COST,fn=COST"),
            "e.g. --cost fp=1,fn=20 when a missed case costs 20 false alarms",
        )
    };
    let (mut fp, mut fn_) = (None, None);
    for part in s.split(',') {
        let (k, v) = part.split_once('=').ok_or_else(bad)?;
        let v: f64 = v.trim().parse().map_err(|_| bad())?;
        if !(v >= 0.0 && v.is_finite()) {
            return Err(bad());
        }
        match k.trim().to_ascii_lowercase().as_str() {
            "fp" => fp = Some(v),
            "fn" => fn_ = Some(v),
            _ => return Err(bad()),
        }
    }
    Ok(CostMatrix { fp: fp.ok_or_else(bad)?, fn_: fn_.ok_or_else(bad)? })
}

fn check_rate(flag: &str, v: Option<f64>) -> Result<Option<f64>, CliError> {
    match v {
        Some(x) if !(0.0..=1.0).contains(&x) => {
            Err(CliError::usage(format!("{flag} {x}: must be between 0 and 1"), format!("e.g. {flag} 0.9")))
        }
        _ => Ok(v),
    }
}

/// Merges fteval.toml (explicit --config, or ./fteval.toml when present) with the flags.
pub fn judge(args: &JudgeArgs) -> Result<Judge, CliError> {
    let (path, explicit) = match &args.config {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from("fteval.toml"), false),
    };
    let file = read_config(&path, explicit)?;
    let note = file.as_ref().map(|_| {
        Check::new(
            "settings_from_config",
            Severity::Info,
            format!("Settings read from {}; flags override them.", path.display()),
        )
    });
    let file = file.unwrap_or_default();
    // Errors name where a value came from: the flag, or the config file's key.
    let in_file = |key: &str| format!("{} {key} =", path.display());
    let profile = match (&args.profile, &file.profile) {
        (Some(name), _) | (None, Some(name)) => {
            let origin = if args.profile.is_some() { "--profile".to_string() } else { in_file("profile") };
            Some(Profile::parse(name).ok_or_else(|| {
                CliError::usage(format!("{origin} {name}: unknown profile"), "choose spam, fraud, medical or balanced (classifiers, NER) or qa, summarization, translation (generation)")
            })?)
        }
        (None, None) => None,
    };
    let margin = args.margin.or(file.margin).unwrap_or(0.0);
    if !(margin >= 0.0 && margin.is_finite()) {
        return Err(CliError::usage(format!("--margin {margin}: must be 0 or more"), "e.g. --margin 0.01"));
    }
    let cost = match (&args.cost, file.cost) {
        (Some(s), _) => Some(parse_cost(s)?),
        (None, Some(c)) => Some(parse_cost(&format!("fp={},fn={}", c.fp, c.fn_))?),
        (None, None) => None,
    };
    let mut require = Vec::new();
    let origin =
        |i: usize, n_file: usize, flag: &str, key: &str| if i < n_file { in_file(key) } else { flag.to_string() };
    let n_file = file.gates.require.len();
    for (i, s) in file.gates.require.iter().chain(&args.require).enumerate() {
        require.push(parse_requirement(s).map_err(|e| {
            let origin = origin(i, n_file, "--require", "[gates] require");
            CliError::usage(format!("{origin} {s}: {e}"), "e.g. require = [\"recall>=0.85\"]")
        })?);
    }
    let mut max_regression = Vec::new();
    let from_file = file.gates.max_regression.iter().map(|(k, v)| format!("{k}={v}"));
    let n_file = file.gates.max_regression.len();
    for (i, s) in from_file.chain(args.max_regression.iter().cloned()).enumerate() {
        max_regression.push(parse_max_regression(&s).map_err(|e| {
            let origin = origin(i, n_file, "--max-regression", "[gates] max_regression");
            CliError::usage(format!("{origin} {s}: {e}"), "e.g. max_regression = { f1 = 0.01 }")
        })?);
    }
    Ok(Judge {
        primary_origin: if args.primary.is_some() {
            "--primary".to_string()
        } else {
            format!("{}: primary", path.display())
        },
        require_from_file: file.gates.require.len(),
        max_regression_from_file: file.gates.max_regression.len(),
        primary: args.primary.clone().or(file.primary),
        config_path: note.as_ref().map(|_| path.display().to_string()),
        profile,
        margin,
        cost,
        min_recall: check_rate("--min-recall", args.min_recall.or(file.min_recall))?,
        min_precision: check_rate("--min-precision", args.min_precision.or(file.min_precision))?,
        require,
        max_regression,
        note,
        positive: file.positive,
        columns: file.columns,
    })
}

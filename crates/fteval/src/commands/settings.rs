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

use super::config_source::{quoted, toml_number, ConfigSource, Filled};
use crate::cli::JudgeArgs;
use crate::error::CliError;
use crate::ranges::{self, Real};

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
    /// Where the file is and the line of each key, for errors.
    #[serde(skip)]
    pub source: ConfigSource,
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
    /// Where `primary` came from, for errors: `--primary`, or the config file's key and line.
    primary_origin: String,
    /// Where the profile came from: `profile fraud`, or the config file's key and line.
    profile_origin: String,
    /// Where each of `require` and `max_regression` was written, for errors.
    require_origins: Vec<String>,
    max_regression_origins: Vec<String>,
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
    /// The config file's keys and lines, and the input flags it filled (for [`Judge::attribute`]).
    source: ConfigSource,
    filled: Vec<Filled>,
}

impl Judge {
    /// Fills the input flags left out from the config file's `positive` and `[columns]`, so
    /// compare and rank read the files as `fteval check` does (flags win), and notes which it
    /// filled, so that errors name their keys.
    pub fn fill_input(&mut self, input: &mut crate::cli::InputArgs) {
        let c = &self.columns;
        for (flag, value, name, key) in [
            (&mut input.positive, &self.positive, "--positive", "positive"),
            (&mut input.id_col, &c.id, "--id-col", "columns.id"),
            (&mut input.label_col, &c.label, "--label-col", "columns.label"),
            (&mut input.pred_col, &c.pred, "--pred-col", "columns.pred"),
            (&mut input.score_col, &c.score, "--score-col", "columns.score"),
            (&mut input.text_col, &c.text, "--text-col", "columns.text"),
        ] {
            if let (None, Some(v)) = (&flag, value) {
                self.filled.push(Filled { flag: name, key, value: v.clone() });
                *flag = Some(v.clone());
            }
        }
    }

    /// `e` with the input flags the config file filled named by their keys and lines.
    pub fn attribute(&self, e: CliError) -> CliError {
        self.source.attribute(&self.filled, e)
    }

    /// Where the primary metric was named, for errors: `--primary`, or
    /// `fteval.toml: line 2: primary = "f1"`.
    pub fn primary_origin(&self) -> &str {
        if self.primary.is_some() {
            &self.primary_origin
        } else {
            "--primary"
        }
    }

    /// The primary metric `primary` as it was given, for errors: `--primary f1`, or
    /// `fteval.toml: line 2: primary = "f1"`.
    pub fn primary_said(&self, primary: &str) -> String {
        match &self.primary {
            Some(_) if self.primary_origin != "--primary" => self.primary_origin.clone(),
            _ => format!("--primary {primary}"),
        }
    }

    /// Where the `i`-th requirement (`kind` "require") or tolerated drop ("max_regression") was
    /// written, for errors: `--require recall>=0.9`, or
    /// `fteval.toml: line 9: [gates] require = "recall>=0.9"`.
    pub fn gate_origin(&self, kind: &str, i: usize, metric: &str) -> String {
        let origins = if kind == "require" { &self.require_origins } else { &self.max_regression_origins };
        origins.get(i).cloned().unwrap_or_else(|| format!("--{} {metric}", kind.replace('_', "-")))
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
                format!("{}: judges generated text, but these are {} predictions", self.profile_origin, task.as_str()),
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

/// The bytes of fteval.toml at `path`, read as the inputs are: once for a named pipe or a
/// process substitution (check reads its config several times; a pipe opened again hangs) and
/// up to the input-size limit (`--config /dev/zero` is refused, not read forever).
fn config_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    let flag = format!("--config {}", path.display());
    match path.to_str() {
        Some(p) if p != "-" => {
            fteval_io::source::read_all(p).map_err(|e| CliError::usage(format!("{flag}: {}", e.message), e.hint))
        }
        _ => std::fs::read(path).map_err(|e| {
            CliError::usage(format!("{flag}: cannot read the file: {e}"), "check the path, or leave out --config")
        }),
    }
}

/// Reads fteval.toml; a file that cannot be read is None unless `explicit`.
pub fn read_config(path: &Path, explicit: bool) -> Result<Option<ConfigFile>, CliError> {
    let bytes = match config_bytes(path) {
        Ok(b) => b,
        Err(_) if !explicit => return Ok(None),
        Err(e) => return Err(e),
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        CliError::usage(
            format!("{}: line {line}: the file is not valid UTF-8", path.display()),
            "save fteval.toml as UTF-8 (TOML files are UTF-8)",
        )
    })?;
    let source = ConfigSource::parse(path, &text);
    let mut config: ConfigFile = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        // The key on that line, when the error is about its value (a string where a number goes).
        let keys = line.map(|n| source.keys_on_line(n)).unwrap_or_default();
        let named = |key: &str| e.message().contains(&format!("`{}`", key.rsplit(' ').next().unwrap_or(key)));
        let at = match (line, keys.as_slice()) {
            (Some(n), [key]) if !named(key) => format!("line {n}: {key}: "),
            (Some(n), _) => format!("line {n}: "),
            (None, _) => String::new(),
        };
        CliError::usage(
            format!("{}: {at}{}", path.display(), e.message()),
            format!("the keys it may hold: {CONFIG_KEYS}"),
        )
    })?;
    config.source = source;
    Ok(Some(config))
}

/// `--cost fp=A,fn=B`, each cost by its rule ([`ranges::COST`]).
fn parse_cost(s: &str) -> Result<CostMatrix, CliError> {
    let bad = |why: &str| {
        CliError::usage(format!("--cost {s}: {why}"), "e.g. --cost fp=1,fn=20 when a missed case costs 20 false alarms")
    };
    let (mut fp, mut fn_) = (None, None);
    for part in s.split(',') {
        let (k, v) = part.split_once('=').ok_or_else(|| bad("expected fp=COST,fn=COST"))?;
        let k = k.trim().to_ascii_lowercase();
        let v = ranges::COST.parse(v).map_err(|e| bad(&format!("{k} {}", e.why)))?;
        match k.as_str() {
            "fp" => fp = Some(v),
            "fn" => fn_ = Some(v),
            _ => return Err(bad("expected fp=COST,fn=COST")),
        }
    }
    match (fp, fn_) {
        (Some(fp), Some(fn_)) => Ok(CostMatrix { fp, fn_ }),
        _ => Err(bad("expected fp=COST,fn=COST")),
    }
}

/// A number from the flag (its parser checked it) or else from the config file's `key`, checked
/// by `rule`.
fn number(
    flag: Option<f64>,
    file: Option<f64>,
    src: &ConfigSource,
    key: &str,
    rule: &Real,
) -> Result<Option<f64>, CliError> {
    match (flag, file) {
        (Some(v), _) => Ok(Some(v)),
        (None, Some(v)) => rule.check(v).map(Some).map_err(|e| src.out_of_range(key, v, e)),
        (None, None) => Ok(None),
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
    let src = &file.source;
    // Errors name where a value came from: the flag, or the config file's key and line.
    let profile_origin = match (&args.profile, &file.profile) {
        (Some(name), _) => format!("--profile {name}"),
        (None, Some(name)) => src.at("profile", "profile", &quoted(name)),
        (None, None) => String::new(),
    };
    let profile = match args.profile.as_ref().or(file.profile.as_ref()) {
        Some(name) => Some(Profile::parse(name).ok_or_else(|| {
            CliError::usage(format!("{profile_origin}: unknown profile"), "choose spam, fraud, medical or balanced (classifiers, NER) or qa, summarization, translation (generation)")
        })?),
        None => None,
    };
    let margin = number(args.margin, file.margin, src, "margin", &ranges::MARGIN)?.unwrap_or(0.0);
    let cost = match (&args.cost, &file.cost) {
        (Some(s), _) => Some(parse_cost(s)?),
        (None, Some(c)) => {
            let cost = |key: &str, v: f64| ranges::COST.check(v).map_err(|e| src.out_of_range(key, v, e));
            Some(CostMatrix { fp: cost("cost.fp", c.fp)?, fn_: cost("cost.fn", c.fn_)? })
        }
        (None, None) => None,
    };
    let mut require = Vec::new();
    let mut require_origins = Vec::new();
    let n_file = file.gates.require.len();
    for (i, s) in file.gates.require.iter().chain(&args.require).enumerate() {
        let origin = if i < n_file {
            src.at("gates.require", &format!("gates.require.{i}"), &quoted(s))
        } else {
            format!("--require {s}")
        };
        require.push(parse_requirement(s).map_err(|e| {
            CliError::usage(format!("{origin}: {e}"), "e.g. require = [\"recall>=0.85\"] or --require recall>=0.85")
        })?);
        require_origins.push(origin);
    }
    let mut max_regression = Vec::new();
    let mut max_regression_origins = Vec::new();
    let from_file = file.gates.max_regression.iter().map(|(k, v)| {
        let key = format!("gates.max_regression.{k}");
        (format!("{k}={v}"), src.at(&key, &key, &toml_number(*v)))
    });
    let from_flags = args.max_regression.iter().map(|s| (s.clone(), format!("--max-regression {s}")));
    for (s, origin) in from_file.chain(from_flags) {
        max_regression.push(parse_max_regression(&s).map_err(|e| {
            CliError::usage(format!("{origin}: {e}"), "e.g. max_regression = { f1 = 0.01 } or --max-regression f1=0.01")
        })?);
        max_regression_origins.push(origin);
    }
    let min_recall = number(args.min_recall, file.min_recall, src, "min_recall", &ranges::MIN_RATE)?;
    let min_precision = number(args.min_precision, file.min_precision, src, "min_precision", &ranges::MIN_RATE)?;
    Ok(Judge {
        primary_origin: match (&args.primary, &file.primary) {
            (None, Some(p)) => src.at("primary", "primary", &quoted(p)),
            _ => "--primary".to_string(),
        },
        profile_origin,
        require_origins,
        max_regression_origins,
        primary: args.primary.clone().or(file.primary),
        profile,
        margin,
        cost,
        min_recall,
        min_precision,
        require,
        max_regression,
        note,
        positive: file.positive,
        columns: file.columns,
        source: file.source,
        filled: Vec::new(),
    })
}

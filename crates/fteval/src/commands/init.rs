//! `fteval init [DIR]`: a commented fteval.toml naming the files found in a folder, so a project
//! starts from its own files rather than from a blank page.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::cli::InitArgs;
use crate::error::CliError;

/// What a file in the folder looks like it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Baseline,
    Candidate,
    TrainPredictions,
    Train,
    Test,
    Log,
}

const TABLE_EXTENSIONS: &[&str] = &["csv", "tsv", "jsonl", "ndjson", "json", "parquet", "gz"];

/// The role of a file, from its name.
fn role(name: &str) -> Option<Role> {
    let lower = name.to_ascii_lowercase();
    if lower == "trainer_state.json"
        || lower.contains("tfevents")
        || lower == "metrics.csv"
        || lower.contains("history")
        || lower.starts_with("training_log")
        || lower.ends_with(".log")
    {
        return Some(Role::Log);
    }
    let ext = lower.rsplit('.').next().unwrap_or("");
    if !TABLE_EXTENSIONS.contains(&ext) || lower == "fteval.toml" {
        return None;
    }
    let stem = lower.split('.').next().unwrap_or("");
    let words: Vec<&str> = stem.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |w: &[&str]| words.iter().any(|x| w.contains(x));
    let predictions =
        has(&["pred", "preds", "predictions", "candidate", "finetuned", "ft", "model", "scores", "outputs"]);
    if has(&["train", "training"]) {
        return Some(if predictions { Role::TrainPredictions } else { Role::Train });
    }
    if has(&["baseline", "base", "before", "pretrained", "zeroshot", "old"]) {
        return Some(Role::Baseline);
    }
    if predictions || has(&["after", "new", "tuned"]) {
        return Some(Role::Candidate);
    }
    if has(&["test", "eval", "validation", "val", "dev"]) {
        return Some(Role::Test);
    }
    None
}

/// Files of the folder (and TensorBoard event files one level down), sorted by name.
fn list(dir: &Path) -> Result<Vec<String>, CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CliError::usage(format!("{}: cannot read the folder: {e}", dir.display()), "give a folder: fteval init DIR")
    })?;
    let mut out = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            let has_events = std::fs::read_dir(e.path())
                .map(|d| d.flatten().any(|f| f.file_name().to_string_lossy().contains("tfevents")))
                .unwrap_or(false);
            if has_events {
                out.push(format!("{name}/"));
            }
        } else {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// The profile the data suggests, from words in the first part of a file.
fn guess_profile(dir: &Path, files: &[&str]) -> Option<&'static str> {
    for f in files {
        let mut bytes = Vec::new();
        let read = std::fs::File::open(dir.join(f)).and_then(|file| file.take(64 * 1024).read_to_end(&mut bytes));
        if read.is_err() {
            continue;
        }
        let head = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        if head.contains("fraud") {
            return Some("fraud");
        }
        if head.contains("spam") {
            return Some("spam");
        }
        if ["diagnos", "disease", "tumor", "cancer", "patient"].iter().any(|w| head.contains(w)) {
            return Some("medical");
        }
    }
    None
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The config text for the files found.
fn config_text(found: &[(Role, String)], profile: Option<&str>) -> String {
    let first = |r: Role| found.iter().find(|(x, _)| *x == r).map(|(_, f)| f.as_str());
    let line = |key: &str, r: Role, what: &str| match first(r) {
        Some(f) => format!("{key} = {}  # {what}\n", quoted(f)),
        None => format!("# {key} = \"{key}.csv\"  # not found: {what}\n"),
    };
    let mut s = String::from(
        "# fteval.toml: what `fteval check` evaluates and how it decides ship / needs attention / do not ship.\n\
         # Written by `fteval init`; paths are relative to this file. Run: fteval check\n\n",
    );
    s.push_str("# Which mistake costs more decides the primary metric: spam (precision), fraud or medical (recall),\n# balanced (F1).\n");
    match profile {
        Some(p) => s.push_str(&format!("profile = {}  # guessed from the labels in your files; check it\n", quoted(p))),
        None => s.push_str("# profile = \"balanced\"\n"),
    }
    s.push_str("# primary = \"f1\"        # judge on another metric than the profile's\n");
    s.push_str("# positive = \"1\"        # the positive label of a binary task, when it is not detected\n\n");
    s.push_str("[files]\n");
    s.push_str(&line("baseline", Role::Baseline, "the model before fine-tuning: predictions on the test set"));
    s.push_str(&line("candidate", Role::Candidate, "the fine-tuned model: predictions on the same test set"));
    s.push_str(&line(
        "train_predictions",
        Role::TrainPredictions,
        "the fine-tuned model's predictions on its training set (train–test gap)",
    ));
    // The leakage scan needs both splits: with one of them, both are left commented.
    if first(Role::Train).is_some() && first(Role::Test).is_some() {
        s.push_str(&line("train", Role::Train, "the training split (id, text, label), scanned for test leakage"));
        s.push_str(&line("test", Role::Test, "the test split (id, text, label)"));
    } else {
        let found = [Role::Train, Role::Test].iter().find_map(|&r| first(r));
        let note = found.map_or(String::new(), |f| format!(" ({f} found; name both splits)"));
        s.push_str(&format!(
            "# train = \"train.csv\"  # the training split (id, text, label), scanned for test leakage{note}\n"
        ));
        s.push_str("# test = \"test.csv\"    # the test split (id, text, label)\n");
    }
    let logs: Vec<String> = found.iter().filter(|(r, _)| *r == Role::Log).map(|(_, f)| quoted(f)).collect();
    if logs.is_empty() {
        s.push_str("# logs = [\"trainer_state.json\"]  # not found: training logs (Hugging Face, Keras, Lightning, TensorBoard)\n");
    } else {
        s.push_str(&format!("logs = [{}]  # training logs\n", logs.join(", ")));
    }
    s.push_str(
        "\n# Column names, when the defaults (id, label, pred, score, text, ...) are not found.\n\
         # [columns]\n# label = \"gold\"\n# pred = \"prediction\"\n\n\
         # Gates a CI job enforces: absolute requirements on the candidate, and the largest tolerated\n\
         # drop against the baseline (passes only when the confidence interval rules out a larger drop).\n\
         [gates]\nrequire = []  # e.g. [\"recall>=0.8\"]\nmax_regression = {}  # e.g. { f1 = 0.01 }\n\n\
         [leakage]\nmax_leaked_fraction = 0.01  # test rows found in the training set, above which: do not ship\n\n\
         [overfitting]\nmax_gap = 0.05  # train − test gap of the primary metric above which: needs attention\n",
    );
    s
}

pub fn run(args: InitArgs) -> Result<i32, CliError> {
    let path: PathBuf = args.dir.join("fteval.toml");
    if path.exists() && !args.force {
        return Err(CliError::usage(
            format!("{}: already exists", path.display()),
            "edit it, or replace it with fteval init --force",
        ));
    }
    let names = list(&args.dir)?;
    let found: Vec<(Role, String)> =
        // Folders are listed only when they hold TensorBoard event files.
        names.iter().filter_map(|n| if n.ends_with('/') { Some(Role::Log) } else { role(n) }.map(|r| (r, n.clone()))).collect();
    let scan: Vec<&str> = found
        .iter()
        .filter(|(r, _)| matches!(r, Role::Candidate | Role::Test | Role::Baseline))
        .map(|(_, f)| f.as_str())
        .collect();
    let text = config_text(&found, guess_profile(&args.dir, &scan));
    std::fs::write(&path, &text).map_err(|e| {
        CliError::usage(format!("{}: cannot write: {e}", path.display()), "check that the folder is writable")
    })?;
    println!("wrote {}", path.display());
    for (r, f) in &found {
        println!("  {f}: {r:?}");
    }
    if found.is_empty() {
        println!("  no prediction files or logs recognised by name: fill in [files] by hand");
    }
    println!("next: review it, then run fteval check {}", path.display());
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_come_from_names() {
        assert_eq!(role("baseline.csv"), Some(Role::Baseline));
        assert_eq!(role("candidate.csv"), Some(Role::Candidate));
        assert_eq!(role("finetuned_preds.jsonl"), Some(Role::Candidate));
        assert_eq!(role("candidate_train.csv"), Some(Role::TrainPredictions));
        assert_eq!(role("train.csv"), Some(Role::Train));
        assert_eq!(role("test.parquet"), Some(Role::Test));
        assert_eq!(role("trainer_state.json"), Some(Role::Log));
        assert_eq!(role("README.md"), None);
        assert_eq!(role("fteval.toml"), None);
    }

    /// The written config is valid TOML for fteval's own parser.
    #[test]
    fn the_config_parses() {
        let found = vec![
            (Role::Baseline, "baseline.csv".to_string()),
            (Role::Candidate, "candidate.csv".to_string()),
            (Role::Log, "trainer_state.json".to_string()),
        ];
        let text = config_text(&found, Some("fraud"));
        let parsed: super::super::settings::ConfigFile = toml::from_str(&text).unwrap();
        assert_eq!(parsed.files.baseline.as_deref(), Some("baseline.csv"));
        assert_eq!(parsed.files.logs, vec!["trainer_state.json".to_string()]);
        assert_eq!(parsed.profile.as_deref(), Some("fraud"));
        assert!(parsed.files.train.is_none());
        // One split alone is left commented: the leakage scan needs both.
        let text = config_text(&[(Role::Train, "train.csv".to_string())], None);
        let parsed: super::super::settings::ConfigFile = toml::from_str(&text).unwrap();
        assert!(parsed.files.train.is_none() && text.contains("(train.csv found; name both splits)"));
    }
}

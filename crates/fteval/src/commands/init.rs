//! `fteval init [DIR]`: a commented fteval.toml naming the files found in a folder, so a project
//! starts from its own files rather than from a blank page.

use std::path::{Path, PathBuf};

use fteval_core::generation_task::{choose_generation_primary, PrimaryChoice};
use fteval_core::profile::{default_primary, Profile};
use fteval_core::Task;
use fteval_io::task::{detect_kind, FileKind};

use crate::cli::InitArgs;
use crate::error::CliError;
use crate::output::{refuse_link, write_file, write_stdout_text, Links};
use crate::paths::{self, Named};

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

/// Words that name a profile's domain, looked for as whole words in column names and class
/// labels (never in free text, where "diagnose a training run" or "a patient reader" says
/// nothing about which mistake costs more).
const PROFILE_TERMS: &[(&str, &[&str])] = &[
    ("spam", &["spam", "ham", "phishing", "junk", "smishing"]),
    (
        "fraud",
        &[
            "fraud",
            "fraudulent",
            "legit",
            "legitimate",
            "chargeback",
            "scam",
            "transaction",
            "transactions",
            "merchant",
        ],
    ),
    (
        "medical",
        &[
            "diagnosis",
            "disease",
            "tumor",
            "tumour",
            "cancer",
            "patient",
            "malignant",
            "benign",
            "clinical",
            "symptom",
            "symptoms",
            "diabetes",
            "diabetic",
            "healthy",
            "icd",
        ],
    ),
];

/// Distinct domain terms of one profile needed to guess it: one word alone is weak evidence.
const MIN_PROFILE_TERMS: usize = 2;

/// Rows read per file for the class labels, and the most distinct values a label column may
/// have to count as class labels (more is free text, such as reference answers).
const LABEL_SAMPLE_ROWS: usize = 2000;
const MAX_CLASS_LABELS: usize = 50;

/// The profile guess and why: `profile` is None when the evidence is not strong enough.
#[derive(Clone, Debug, PartialEq)]
struct ProfileGuess {
    profile: Option<&'static str>,
    why: String,
}

/// The lowercase words of a column name or label: split at every non-alphanumeric character
/// and at lower-to-upper case changes (`isFraud` → is, fraud).
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() || (prev_lower && c.is_uppercase()) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        prev_lower = c.is_lowercase();
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The profile named by at least [`MIN_PROFILE_TERMS`] distinct terms among `evidence` (words
/// of column names and class labels), when one profile has more such terms than any other.
fn guess_from_words(evidence: &std::collections::BTreeSet<String>) -> ProfileGuess {
    let found: Vec<(&'static str, Vec<&str>)> = PROFILE_TERMS
        .iter()
        .map(|(p, terms)| (*p, terms.iter().copied().filter(|t| evidence.contains(*t)).collect()))
        .collect();
    let best = found.iter().map(|(_, t)| t.len()).max().unwrap_or(0);
    let leaders: Vec<&(&str, Vec<&str>)> = found.iter().filter(|(_, t)| t.len() == best).collect();
    let list = |terms: &[&str]| terms.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
    match leaders[..] {
        _ if best == 0 => ProfileGuess {
            profile: None,
            why: "no spam, fraud or medical terms in the column names or class labels".into(),
        },
        [(p, terms)] if best >= MIN_PROFILE_TERMS => {
            ProfileGuess { profile: Some(p), why: format!("the column names and class labels name {}", list(terms)) }
        }
        [(p, terms)] => ProfileGuess {
            profile: None,
            why: format!(
                "only {} ({p}) in the column names and class labels; a guess needs {MIN_PROFILE_TERMS} distinct terms",
                list(terms)
            ),
        },
        _ => ProfileGuess {
            profile: None,
            why: format!(
                "the column names and class labels name terms of several profiles ({})",
                leaders.iter().map(|(p, t)| format!("{p}: {}", list(t))).collect::<Vec<_>>().join("; ")
            ),
        },
    }
}

/// Column names and class labels (the label or prediction column's values, when it has at
/// most [`MAX_CLASS_LABELS`] distinct values in its first rows) of a prediction or split file.
fn names_and_labels(path: &Path) -> Option<Vec<String>> {
    let shown = path.to_string_lossy();
    let mut source = fteval_io::formats::open_table(&shown, None).ok()?;
    let names = source.columns().to_vec();
    let plan = fteval_io::columns::ColumnPlan::resolve(&shown, &names, &Default::default()).ok()?;
    let mut out = names.clone();
    let Some(column) = plan.label.or(plan.pred) else { return Some(out) };
    let mut labels = std::collections::BTreeSet::new();
    let mut rows = 0;
    // Stops after the first rows by returning an error the loop below ignores.
    let _ = source.for_each_row(&mut |row| {
        rows += 1;
        if let Some(t) = row.cell(column).to_text() {
            labels.insert(t.trim().to_string());
        }
        if rows >= LABEL_SAMPLE_ROWS || labels.len() > MAX_CLASS_LABELS {
            return Err(fteval_io::InputError::new(&shown, "enough rows read", ""));
        }
        Ok(())
    });
    if labels.len() <= MAX_CLASS_LABELS {
        out.extend(labels);
    }
    Some(out)
}

/// The profile the files suggest, from the words of their column names and class labels.
fn guess_profile(dir: &Path, files: &[&str]) -> ProfileGuess {
    let evidence: std::collections::BTreeSet<String> =
        files.iter().filter_map(|f| names_and_labels(&dir.join(f))).flatten().flat_map(|t| words(&t)).collect();
    guess_from_words(&evidence)
}

/// What the project's prediction files hold, read as `fteval check` reads them.
#[derive(Clone, Debug, PartialEq)]
enum ProjectTask {
    Classification,
    Ner,
    /// Generated text, with the primary metric compare and check choose from the references
    /// (None when the file could not be read).
    Generation(Option<PrimaryChoice>),
}

/// The task of the file `check` compares first (the baseline, else the candidate), and for
/// generation the primary metric the data choose — the same function compare and check use.
fn project_task(dir: &Path, found: &[(Role, String)]) -> ProjectTask {
    let first = [Role::Baseline, Role::Candidate].iter().find_map(|&r| found.iter().find(|(x, _)| *x == r));
    let Some((_, file)) = first else { return ProjectTask::Classification };
    let path = dir.join(file).to_string_lossy().into_owned();
    match detect_kind(&path, None, false, None, None) {
        Ok(FileKind::Ner) => ProjectTask::Ner,
        Ok(FileKind::Generation) => ProjectTask::Generation(
            fteval_io::read_generation(&path, &Default::default())
                .ok()
                .map(|g| choose_generation_primary(&g.references, g.prompts.as_deref())),
        ),
        _ => ProjectTask::Classification,
    }
}

/// The generation profiles, each with the metric it judges on ("qa (exact_match), ...") or
/// bare ("qa|summarization|translation").
fn generation_profiles(with_metric: bool) -> String {
    let names = Profile::ALL.iter().filter(|p| p.is_generation());
    if with_metric {
        names.map(|p| format!("{} ({})", p.as_str(), p.primary_metric(Task::Generation))).collect::<Vec<_>>().join(", ")
    } else {
        names.map(|p| p.as_str()).collect::<Vec<_>>().join("|")
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The config text for the files found.
fn config_text(found: &[(Role, String)], guess: &ProfileGuess, task: &ProjectTask) -> String {
    let first = |r: Role| found.iter().find(|(x, _)| *x == r).map(|(_, f)| f.as_str());
    let line = |key: &str, r: Role, what: &str| match first(r) {
        Some(f) => format!("{key} = {}  # {what}\n", quoted(f)),
        None => format!("# {key} = \"{key}.csv\"  # not found: {what}\n"),
    };
    let mut s = String::from(
        "# fteval.toml: what `fteval check` evaluates and how it decides ship / needs attention / do not ship.\n\
         # Written by `fteval init`; paths are relative to this file. Run: fteval check\n\n",
    );
    let primary = match task {
        ProjectTask::Generation(choice) => {
            s.push_str(&format!(
                "# Generated text: compare and check choose the primary metric from the references (short answers:\n\
                 # exact_match, short texts: token_f1, long-form: rougeL, translation: chrf) unless a profile or\n\
                 # primary says otherwise. Generation profiles: {}.\n",
                generation_profiles(true)
            ));
            s.push_str("# profile = \"qa\"\n");
            match choice {
                Some(c) => {
                    s.push_str(&format!(
                        "# primary = {}  # chosen from these files: {}; set it to judge on another metric\n\n",
                        quoted(c.metric),
                        c.reason
                    ));
                    c.metric
                }
                None => {
                    s.push_str("# primary = \"rougeL\"  # chosen from the data unless set here\n\n");
                    "rougeL"
                }
            }
        }
        ProjectTask::Classification | ProjectTask::Ner => {
            s.push_str("# Which mistake costs more decides the primary metric: spam (precision), fraud or medical (recall),\n# balanced (F1).\n");
            match guess.profile {
                Some(p) => s.push_str(&format!("profile = {}  # guessed: {}; check it\n", quoted(p), guess.why)),
                None => s.push_str(&format!("# profile = \"balanced\"  # not guessed: {}\n", guess.why)),
            }
            s.push_str("# primary = \"f1\"        # judge on another metric than the profile's\n");
            if *task == ProjectTask::Classification {
                s.push_str(
                    "# positive = \"1\"        # the positive label of a binary task, when it is not detected\n",
                );
            }
            s.push('\n');
            if *task == ProjectTask::Ner {
                default_primary(Task::Ner)
            } else {
                "recall"
            }
        }
    };
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
         [gates]\n",
    );
    let example_regression = if primary == "recall" { "f1" } else { primary };
    let floor = if matches!(task, ProjectTask::Generation(_)) { "0.3" } else { "0.8" };
    s.push_str(&format!(
        "require = []  # e.g. [\"{primary}>={floor}\"]\nmax_regression = {{}}  # e.g. {{ {example_regression} = 0.01 }}\n\n"
    ));
    s.push_str(
        "[leakage]\nmax_leaked_fraction = 0.01  # test rows found in the training set, above which: do not ship\n\n\
         [overfitting]\nmax_gap = 0.05  # train − test gap of the primary metric above which: needs attention\n",
    );
    s
}

pub fn run(args: InitArgs) -> Result<i32, CliError> {
    let path: PathBuf = args.dir.join("fteval.toml");
    refuse_link("", &path)?;
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
    let inputs: Vec<Named> = found.iter().map(|(r, f)| Named::path(format!("{r:?}"), args.dir.join(f))).collect();
    paths::refuse_overwrites(&inputs, &[Named::path("", &path), Named::stdio("standard output")])?;
    let scan: Vec<&str> = found
        .iter()
        .filter(|(r, _)| matches!(r, Role::Candidate | Role::Test | Role::Baseline))
        .map(|(_, f)| f.as_str())
        .collect();
    let task = project_task(&args.dir, &found);
    let guess = match task {
        // The classifier profiles leave generation to the data: no guess to make.
        ProjectTask::Generation(_) => ProfileGuess { profile: None, why: "generated text".into() },
        _ => guess_profile(&args.dir, &scan),
    };
    let text = config_text(&found, &guess, &task);
    write_file("", &path, Links::Refuse, |w| {
        w.write_all(text.as_bytes()).map_err(|e| {
            CliError::usage(format!("{}: cannot write: {e}", path.display()), "check that the folder is writable")
        })
    })?;
    write_stdout_text(&summary(&path, &found, &task, &guess))?;
    Ok(0)
}

/// What `init` prints: the file written, the files found and the profile or primary metric.
fn summary(path: &Path, found: &[(Role, String)], task: &ProjectTask, guess: &ProfileGuess) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "wrote {}", path.display());
    for (r, f) in found {
        let _ = writeln!(s, "  {f}: {r:?}");
    }
    if found.is_empty() {
        let _ = writeln!(s, "  no prediction files or logs recognised by name: fill in [files] by hand");
    }
    let _ = match (task, guess.profile) {
        (ProjectTask::Generation(Some(c)), _) => writeln!(
            s,
            "primary metric: {} for {}, as compare and check choose it from the references; set profile = {} or primary in the file to judge on another",
            c.metric,
            c.task.as_str(),
            generation_profiles(false)
        ),
        (ProjectTask::Generation(None), _) => writeln!(
            s,
            "primary metric: chosen from the references by compare and check; set profile = {} or primary in the file to judge on another",
            generation_profiles(false)
        ),
        (_, Some(p)) => writeln!(s, "profile: {p} ({}); check it", guess.why),
        (_, None) => writeln!(s, "profile: left at the default ({}); set one in the file if it applies", guess.why),
    };
    let _ = writeln!(s, "next: review it, then run fteval check {}", path.display());
    s
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
        let guess = ProfileGuess { profile: Some("fraud"), why: "the labels name 'fraud', 'legit'".into() };
        let text = config_text(&found, &guess, &ProjectTask::Classification);
        let parsed: super::super::settings::ConfigFile = toml::from_str(&text).unwrap();
        assert_eq!(parsed.files.baseline.as_deref(), Some("baseline.csv"));
        assert_eq!(parsed.files.logs, vec!["trainer_state.json".to_string()]);
        assert_eq!(parsed.profile.as_deref(), Some("fraud"));
        assert!(parsed.files.train.is_none());
        // One split alone is left commented: the leakage scan needs both.
        let none = ProfileGuess { profile: None, why: "no spam, fraud or medical terms".into() };
        let text = config_text(&[(Role::Train, "train.csv".to_string())], &none, &ProjectTask::Classification);
        assert!(text.contains("# profile = \"balanced\"  # not guessed: no spam, fraud or medical terms\n"));
        let parsed: super::super::settings::ConfigFile = toml::from_str(&text).unwrap();
        assert!(parsed.files.train.is_none() && text.contains("(train.csv found; name both splits)"));
    }

    fn guess_in(files: &[(&str, String)]) -> ProfileGuess {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
        guess_profile(dir.path(), &names)
    }

    /// LLM-engineering Q&A whose text is full of "diagnose", "patient" and "disease" (of a
    /// training run) names no profile: text is not evidence, column names and labels are.
    #[test]
    fn free_text_never_guesses_a_profile() {
        let mut qa = String::new();
        for i in 0..300 {
            let category = ["training", "inference", "evaluation"][i % 3];
            let row = serde_json::json!({
                "id": i,
                "question": format!("How do I diagnose why my LoRA loss spikes at step {i}? Be patient with me."),
                "answer": format!("Check the learning rate; a disease of fine-tuning {i} is fp16 overflow, like a cancer."),
                "prediction": format!("Lower the learning rate {i}."),
                "category": category,
            });
            qa.push_str(&format!("{row}\n"));
        }
        let g = guess_in(&[("predictions.jsonl", qa)]);
        assert_eq!(g.profile, None, "{g:?}");
        assert!(g.why.starts_with("no spam, fraud or medical terms"), "{g:?}");
    }

    #[test]
    fn several_domain_terms_in_names_or_labels_guess_a_profile() {
        let rows = |header: &str, labels: &[&str]| -> String {
            let mut s = format!("{header}\n");
            for i in 0..40 {
                s.push_str(&format!("{i},{},0.{i}\n", labels[i % labels.len()]));
            }
            s
        };
        let spam = guess_in(&[("test.csv", rows("id,label,score", &["spam", "ham"]))]);
        assert_eq!(spam.profile, Some("spam"), "{spam:?}");
        assert!(spam.why.contains("'spam', 'ham'"), "{spam:?}");
        let medical = guess_in(&[("candidate.csv", rows("id,label,prob", &["malignant", "benign"]))]);
        assert_eq!(medical.profile, Some("medical"));
        let fraud = guess_in(&[("test.csv", rows("transaction_id,isFraud,score", &["0", "1"]))]);
        assert_eq!(fraud.profile, Some("fraud"), "camelCase and snake_case names are split into words: {fraud:?}");
        // One term alone is not enough, and says so.
        let one = guess_in(&[("test.csv", rows("id,diagnosis,score", &["M", "B"]))]);
        assert_eq!(one.profile, None);
        assert!(one.why.contains("only 'diagnosis' (medical)") && one.why.contains("needs 2"), "{one:?}");
        // A term inside another word is no term: "hamster", "spammy".
        let inside = guess_in(&[("test.csv", rows("id,label,score", &["hamster", "spammy"]))]);
        assert_eq!(inside.profile, None, "{inside:?}");
    }
}

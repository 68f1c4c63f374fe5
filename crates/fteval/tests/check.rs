//! `fteval demo`, `fteval check` and `fteval init` end to end: the demo from an empty folder, the
//! same verdict from its config, exit codes, config errors, JUnit, the GitHub job summary, and
//! `--format html` on every command.

mod common;

use std::path::{Path, PathBuf};

use common::{fteval, fteval_in};
use serde_json::Value;

/// A fresh empty folder holding the demo project written by `fteval demo`.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let run = fteval_in(dir.path(), &["demo", "--bootstrap", "300"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = dir.path().join("fteval-demo");
    (dir, out)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn reason_ids(doc: &Value) -> Vec<String> {
    doc["reasons"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

const PLOTS: [&str; 7] = ["confusion", "forest", "roc", "pr", "calibration", "loss", "leakage"];

#[test]
fn demo_from_an_empty_folder_and_check_on_its_config_agree() {
    let dir = tempfile::tempdir().unwrap();
    let run = fteval_in(dir.path(), &["demo"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("NEEDS ATTENTION"), "{}", run.stdout);
    assert!(run.stdout.contains("fteval-demo/report.html"), "{}", run.stdout);
    let out = dir.path().join("fteval-demo");
    for f in [
        "fteval.toml",
        "baseline.csv",
        "candidate.csv",
        "candidate_train.csv",
        "train.csv",
        "test.csv",
        "trainer_state.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(!html.contains("<script"));
    for kind in PLOTS {
        assert!(html.contains(&format!("data-plot=\"{kind}\"")), "no {kind} plot");
    }
    assert_eq!(html.matches("data-plot=\"confusion\"").count(), 2);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();

    // The same verdict from the config, run again from the project's own folder.
    let run = fteval_in(&out, &["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["schema"], "fteval.check/v1");
    assert_eq!(doc["verdict"], "needs_attention");
    assert_eq!(doc["verdict"], written["verdict"]);
    assert_eq!(reason_ids(&doc), reason_ids(&written));
    let ids = reason_ids(&doc);
    for id in ["test_leakage", "label_conflicts", "overfitting", "wrong_metric", "improved", "accuracy_paradox"] {
        assert!(ids.contains(&id.to_string()), "{id} not among {ids:?}");
    }
    // Warnings come before notes.
    let sev: Vec<&str> = doc["reasons"].as_array().unwrap().iter().map(|r| r["severity"].as_str().unwrap()).collect();
    assert!(sev.windows(2).all(|w| !(w[0] == "info" && w[1] != "info")), "{sev:?}");
    // The gap table: train − test, flagged for recall.
    let recall = &doc["overfitting"]["metrics"]["recall"];
    let gap = recall["train"].as_f64().unwrap() - recall["test"].as_f64().unwrap();
    assert!((recall["gap"].as_f64().unwrap() - gap).abs() < 1e-12);
    assert_eq!(recall["flagged"], true);
    assert!(recall["ci_low"].as_f64().unwrap() > 0.0);
    // Each part equals its own command.
    let metrics = fteval(&["metrics", &s(&out.join("candidate.csv")), "--format", "json"]);
    assert_eq!(doc["compare"]["metrics"]["recall"]["candidate"].as_f64(), Some(metrics.metric("recall")));
    assert_eq!(doc["metrics"]["candidate"]["metrics"]["roc_auc"]["value"].as_f64(), Some(metrics.metric("roc_auc")));
    let roc = doc["metrics"]["candidate"]["score_curves"]["roc"].as_array().unwrap();
    assert_eq!(roc[0], serde_json::json!([0.0, 0.0]));
    assert_eq!(*roc.last().unwrap(), serde_json::json!([1.0, 1.0]));
    let leak = fteval(&[
        "leakage",
        "--train",
        &s(&out.join("train.csv")),
        "--test",
        &s(&out.join("test.csv")),
        "--format",
        "json",
    ]);
    assert_eq!(doc["leakage"]["summary"], leak.json()["summary"]);
}

#[test]
fn a_regression_is_do_not_ship_with_exit_1_and_a_junit_failure() {
    let (_dir, out) = demo();
    // The models swapped: the "candidate" is the weaker model.
    let config = out.join("swapped.toml");
    std::fs::write(
        &config,
        "profile = \"fraud\"\n[files]\nbaseline = \"candidate.csv\"\ncandidate = \"baseline.csv\"\n[gates]\nrequire = [\"recall>=0.6\"]\n",
    )
    .unwrap();
    let junit = out.join("swapped.xml");
    let run = fteval(&["check", &s(&config), "--format", "json", "--junit", &s(&junit), "--bootstrap", "300"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["verdict"], "do_not_ship");
    let ids = reason_ids(&doc);
    assert_eq!(&ids[..2], &["regression".to_string(), "gate".to_string()], "{ids:?}");
    assert!(run.stderr.contains("regression"), "{}", run.stderr);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testcase classname=\"fteval.check\" name=\"gate recall&gt;=0.6\">\n      <failure"),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase").count(), xml.matches("</testcase>").count());
}

#[test]
fn strict_fails_on_needs_attention() {
    let (_dir, out) = demo();
    let run = fteval(&["check", &s(&out.join("fteval.toml")), "--strict", "--bootstrap", "200", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["verdict"], "needs_attention");
}

#[test]
fn config_errors_name_the_key_or_the_file() {
    let (_dir, out) = demo();
    let bad = out.join("typo.toml");
    std::fs::write(&bad, "[files]\ncandidat = \"candidate.csv\"\n").unwrap();
    let run = fteval(&["check", &s(&bad)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("typo.toml: line 2: unknown field `candidat`"), "{}", run.stderr);

    std::fs::write(&bad, "[files]\nbaseline = \"nope.csv\"\ncandidate = \"candidate.csv\"\n").unwrap();
    let run = fteval(&["check", &s(&bad)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("[files] baseline = \"nope.csv\""), "{}", run.stderr);

    let empty = tempfile::tempdir().unwrap();
    let run = fteval_in(empty.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("fteval init"), "{}", run.stderr);
}

#[test]
fn the_github_job_summary_gets_the_markdown_report() {
    let (_dir, out) = demo();
    let summary = out.join("summary.md");
    std::fs::write(&summary, "previous step\n").unwrap();
    let result = assert_cmd::Command::cargo_bin("fteval")
        .unwrap()
        .current_dir(&out)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--bootstrap", "200", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(0));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("previous step\n# fteval check: ⚠️ NEEDS ATTENTION"), "{text}");
    // compare appends its report too.
    let result = assert_cmd::Command::cargo_bin("fteval")
        .unwrap()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["compare", &s(&out.join("baseline.csv")), &s(&out.join("candidate.csv")), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(0));
    let more = std::fs::read_to_string(&summary).unwrap();
    assert!(more.len() > text.len() && more[text.len()..].contains("## fteval compare"), "{}", &more[text.len()..]);
}

#[test]
fn init_writes_a_config_naming_the_files_it_finds() {
    let (_dir, out) = demo();
    std::fs::remove_file(out.join("fteval.toml")).unwrap();
    let run = fteval(&["init", &s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(out.join("fteval.toml")).unwrap();
    for line in [
        "profile = \"fraud\"",
        "baseline = \"baseline.csv\"",
        "candidate = \"candidate.csv\"",
        "train_predictions = \"candidate_train.csv\"",
        "train = \"train.csv\"",
        "test = \"test.csv\"",
        "logs = [\"trainer_state.json\"]",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    // A second init does not overwrite it.
    assert_eq!(fteval(&["init", &s(&out)]).code, 2);
    // The written config runs: 3.5% leaked rows exceed its 1% limit.
    let run = fteval(&["check", &s(&out.join("fteval.toml")), "--bootstrap", "200", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["verdict"], "do_not_ship");
}

#[test]
fn demo_refuses_a_folder_with_other_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.txt"), "x").unwrap();
    let run = fteval(&["demo", "--out", &s(dir.path())]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("mine.txt"), "{}", run.stderr);
}

#[test]
fn every_command_writes_html() {
    let (_dir, out) = demo();
    let f = |name: &str| s(&out.join(name));
    let cases: Vec<(Vec<String>, &[&str])> = vec![
        (vec!["metrics".into(), f("candidate.csv")], &["confusion", "roc", "pr", "calibration"]),
        (vec!["compare".into(), f("baseline.csv"), f("candidate.csv")], &["forest", "confusion", "roc"]),
        (vec!["curves".into(), f("trainer_state.json")], &["loss"]),
        (vec!["leakage".into(), "--train".into(), f("train.csv"), "--test".into(), f("test.csv")], &["leakage"]),
        (vec!["rank".into(), f("baseline.csv"), f("candidate.csv")], &[]),
    ];
    for (args, plots) in cases {
        let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
        argv.extend(["--format", "html"]);
        let run = fteval(&argv);
        assert!(run.code == 0 || run.code == 1, "{argv:?}: {}", run.stderr);
        assert!(run.stdout.starts_with("<!doctype html>"), "{argv:?}");
        for p in plots {
            assert!(run.stdout.contains(&format!("data-plot=\"{p}\"")), "{argv:?}: no {p} plot");
        }
    }
}

/// A generation project: the candidate answers every other question exactly, the baseline none.
#[test]
fn check_compares_generation_models() {
    let dir = tempfile::tempdir().unwrap();
    let mut seed = 7u64;
    let mut word = |n: usize| -> String {
        (0..n)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                format!("w{}", (seed >> 33) % 300)
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (mut base, mut cand) = (String::new(), String::new());
    for i in 0..150 {
        let (reference, guess) = (word(12), word(10));
        let better = if i % 2 == 0 { &reference } else { &guess };
        base.push_str(&format!("{}\n", serde_json::json!({"id": i, "prediction": guess, "reference": reference})));
        cand.push_str(&format!("{}\n", serde_json::json!({"id": i, "prediction": better, "reference": reference})));
    }
    std::fs::write(dir.path().join("base.jsonl"), base).unwrap();
    std::fs::write(dir.path().join("cand.jsonl"), cand).unwrap();
    let config = dir.path().join("fteval.toml");
    std::fs::write(
        &config,
        "[files]\nbaseline = \"base.jsonl\"\ncandidate = \"cand.jsonl\"\n[gates]\nrequire = [\"exact_match>=0.4\"]\n",
    )
    .unwrap();
    let run = fteval(&["check", &s(&config), "--format", "json", "--bootstrap", "300"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["verdict"], "ship", "{doc}");
    assert_eq!(doc["text_compare"]["task"], "generation");
    assert_eq!(doc["text_compare"]["metrics"]["exact_match"]["candidate"].as_f64(), Some(0.5));
    assert_eq!(reason_ids(&doc), vec!["improved".to_string(), "gates_passed".to_string()]);
    let html = fteval(&["check", &s(&config), "--format", "html", "--bootstrap", "300"]);
    assert!(html.stdout.contains("data-plot=\"forest\""));

    // A stricter gate fails: do not ship, exit 1.
    std::fs::write(
        &config,
        "[files]\nbaseline = \"base.jsonl\"\ncandidate = \"cand.jsonl\"\n[gates]\nrequire = [\"exact_match>=0.6\"]\n",
    )
    .unwrap();
    let run = fteval(&["check", &s(&config), "--format", "json", "--bootstrap", "300"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["verdict"], "do_not_ship");
}

/// Config values are values even when they look like flags (`positive = "-1"`), and `compare`
/// in the same folder reads the config's positive label as `check` does.
#[test]
fn config_values_that_look_like_flags_and_compare_reading_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let (mut base, mut cand) = (String::from("id,label,pred\n"), String::from("id,label,pred\n"));
    for i in 0..200 {
        let gold = if i % 4 == 0 { "-1" } else { "1" };
        let other = if gold == "1" { "-1" } else { "1" };
        base.push_str(&format!("{i},{gold},{}\n", if i % 3 == 0 { other } else { gold }));
        cand.push_str(&format!("{i},{gold},{}\n", if i % 7 == 0 { other } else { gold }));
    }
    std::fs::write(dir.path().join("base.csv"), base).unwrap();
    std::fs::write(dir.path().join("cand.csv"), cand).unwrap();
    std::fs::write(
        dir.path().join("fteval.toml"),
        "positive = \"-1\"\n[files]\nbaseline = \"base.csv\"\ncandidate = \"cand.csv\"\n",
    )
    .unwrap();
    let run = fteval_in(dir.path(), &["check", "--format", "json", "--bootstrap", "200"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["compare"]["positive_label"], "-1");
    let run = fteval_in(dir.path(), &["compare", "base.csv", "cand.csv", "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.json()["positive_label"], "-1", "{}", run.stderr);
    assert_eq!(run.json()["metrics"]["recall"]["candidate"], doc["compare"]["metrics"]["recall"]["candidate"]);
}

/// The terminal title is "fteval check — VERDICT" with single spaces, and no message of the
/// report has a run of spaces inside a sentence.
#[test]
fn check_title_and_messages_have_single_spaces() {
    let (_dir, out) = demo();
    let run = fteval_in(&out, &["check", "--format", "terminal", "--bootstrap", "200"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().next(), Some("fteval check — NEEDS ATTENTION"), "{}", run.stdout);
    let doc = fteval_in(&out, &["check", "--format", "json", "--bootstrap", "200"]).json();
    fn walk(v: &Value, path: &str, bad: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, &format!("{path}.{k}"), bad)),
            Value::Array(a) => a.iter().for_each(|x| walk(x, path, bad)),
            Value::String(s) if s.trim().contains("  ") && (path.ends_with("message") || path.ends_with("summary")) => {
                bad.push(format!("{path}: {s}"))
            }
            _ => {}
        }
    }
    let mut bad = Vec::new();
    walk(&doc, "", &mut bad);
    assert!(bad.is_empty(), "{bad:#?}");
}

/// `fteval init` on a generation project writes the primary metric the data choose — the one
/// `check` then judges on — and lists the generation profiles, not the classifier ones.
#[test]
fn init_on_generation_outputs_writes_the_primary_the_data_choose() {
    let dir = tempfile::tempdir().unwrap();
    let mut seed = 11u64;
    let (mut base, mut cand) = (Vec::new(), Vec::new());
    for i in 0..120 {
        let reference = common::words(&mut seed, 25);
        let guess = common::words(&mut seed, 20);
        let better = format!("{} {}", reference.split(' ').take(15).collect::<Vec<_>>().join(" "), guess);
        base.push(serde_json::json!({"id": i, "prediction": guess, "reference": reference}));
        cand.push(serde_json::json!({"id": i, "prediction": better, "reference": reference}));
    }
    common::write_jsonl(dir.path(), "baseline.jsonl", &base);
    common::write_jsonl(dir.path(), "candidate.jsonl", &cand);
    let run = fteval(&["init", &s(dir.path())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("primary metric: rougeL for long-form text"), "{}", run.stdout);
    let text = std::fs::read_to_string(dir.path().join("fteval.toml")).unwrap();
    assert!(text.contains("# primary = \"rougeL\"  # chosen from these files: the references are long-form"), "{text}");
    assert!(text.contains("qa (exact_match), summarization (rougeL), translation (chrf)"), "{text}");
    assert!(!text.contains("# primary = \"f1\"") && !text.contains("spam (precision)"), "{text}");
    assert!(!text.contains("positive = "), "{text}");
    let run = fteval(&["check", &s(&dir.path().join("fteval.toml")), "--format", "json", "--bootstrap", "200"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert_eq!(run.json()["text_compare"]["primary_metric"], "rougeL");
}

#[test]
fn a_bad_row_in_train_predictions_names_the_config_key_the_line_and_the_readers_hint() {
    let (_dir, out) = demo();
    let path = out.join("candidate_train.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[4] = "tr-x,legit,legit,notanumber";
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let run = fteval(&["check", &s(&out.join("fteval.toml")), "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for part in ["[files] train_predictions", "line 5", "'notanumber'", "hint: scores must be numbers"] {
        assert!(run.stderr.contains(part), "{part} not in {}", run.stderr);
    }
}

#[test]
fn a_config_from_a_named_pipe_is_read_once() {
    // check reads its config several times (inputs to protect, the files, the judge): a pipe
    // opened a second time waits for a writer that has gone, so it must be read once.
    let (_dir, out) = demo();
    let text = std::fs::read(out.join("fteval.toml")).unwrap();
    let fifo = out.join("piped.toml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().write(true).open(&writer_path).unwrap();
        f.write_all(&text).unwrap();
    });
    let run = fteval_in(&out, &["check", "piped.toml", "--format", "json", "--bootstrap", "100"]);
    writer.join().unwrap();
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(run.json()["verdict"].is_string(), "{}", run.stdout);
}

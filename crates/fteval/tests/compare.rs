//! `fteval compare` and `fteval rank` end to end: joins, gold checks, one-file mode, verdicts,
//! gates and their exit codes, config files, profiles, costs, and the primer's A/B question.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{close, fteval, fteval_in};

/// A deterministic binary test set: gold, and two models right on given fractions of rows.
struct Pair {
    gold: Vec<u8>,
    base: Vec<u8>,
    cand: Vec<u8>,
}

/// Base right where `i % 10 < base_right`, candidate where `(i / 10) % 10 < cand_right`
/// (independent patterns), gold alternating in blocks so both classes occur.
fn pair(n: usize, base_right: usize, cand_right: usize) -> Pair {
    let gold: Vec<u8> = (0..n).map(|i| ((i / 3) % 2) as u8).collect();
    let base = (0..n).map(|i| if i % 10 < base_right { gold[i] } else { 1 - gold[i] }).collect();
    let cand = (0..n).map(|i| if (i / 10) % 10 < cand_right { gold[i] } else { 1 - gold[i] }).collect();
    Pair { gold, base, cand }
}

fn csv(ids: impl Iterator<Item = usize>, gold: &[u8], pred: &[u8]) -> String {
    let mut s = String::from("id,label,pred\n");
    for i in ids {
        writeln!(s, "ex{i},{},{}", gold[i], pred[i]).unwrap();
    }
    s
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p: PathBuf = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn files(dir: &Path, p: &Pair) -> (String, String) {
    let n = p.gold.len();
    (write(dir, "base.csv", &csv(0..n, &p.gold, &p.base)), write(dir, "cand.csv", &csv(0..n, &p.gold, &p.cand)))
}

#[test]
fn joins_on_id_in_any_order_and_reports_what_was_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(400, 7, 9);
    let base = write(dir.path(), "base.csv", &csv(0..400, &p.gold, &p.base));
    // The candidate: reversed order, rows 0..10 missing, one id repeated.
    let mut cand = csv((10..400).rev(), &p.gold, &p.cand);
    writeln!(cand, "ex20,{},{}", p.gold[20], p.cand[20]).unwrap();
    let cand = write(dir.path(), "cand.csv", &cand);
    let r = fteval(&["compare", &base, &cand, "--format", "json", "--bootstrap", "200"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["schema"], "fteval.compare/v1");
    assert_eq!(doc["n_matched"], 389);
    let ids: Vec<&str> = doc["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"unmatched_ids") && ids.contains(&"repeated_ids"), "{ids:?}");
    // The accuracy of the candidate on the 389 kept rows, counted here.
    let kept: Vec<usize> = (10..400).filter(|&i| i != 20).collect();
    let right = kept.iter().filter(|&&i| p.cand[i] == p.gold[i]).count() as f64;
    assert!(close(doc["metrics"]["accuracy"]["candidate"].as_f64().unwrap(), right / 389.0));
}

#[test]
fn gold_labels_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(50, 7, 9);
    let base = write(dir.path(), "base.csv", &csv(0..50, &p.gold, &p.base));
    let mut gold = p.gold.clone();
    gold[17] = 1 - gold[17];
    let cand = write(dir.path(), "cand.csv", &csv(0..50, &gold, &p.cand));
    let r = fteval(&["compare", &base, &cand, "--format", "json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("id 'ex17'") && r.stderr.contains("cand.csv"), "{}", r.stderr);
}

#[test]
fn one_file_with_two_prediction_columns_equals_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(300, 6, 8);
    let (base, cand) = files(dir.path(), &p);
    let mut both = String::from("id,label,pred_base,pred_ft\n");
    for i in 0..300 {
        writeln!(both, "ex{i},{},{},{}", p.gold[i], p.base[i], p.cand[i]).unwrap();
    }
    let both = write(dir.path(), "both.csv", &both);
    let two = fteval(&["compare", &base, &cand, "--format", "json"]).json();
    let one =
        fteval(&["compare", &both, "--baseline-col", "pred_base", "--candidate-col", "pred_ft", "--format", "json"])
            .json();
    assert_eq!(one["metrics"], two["metrics"]);
    assert_eq!(one["mcnemar"], two["mcnemar"]);
    assert_eq!(one["verdict"], "improved");
    // Without the columns, one file is a usage error that says what to do.
    let r = fteval(&["compare", &both]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--baseline-col"), "{}", r.stderr);
}

#[test]
fn verdicts_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let better = pair(1000, 6, 9);
    let (base, cand) = files(dir.path(), &better);
    let r = fteval(&["compare", &base, &cand, "--format", "json"]);
    assert_eq!((r.code, r.json()["verdict"].as_str().unwrap()), (0, "improved"));
    // Swapped: a significant regression fails the run and says so on stderr.
    let r = fteval(&["compare", &cand, &base, "--format", "json"]);
    assert_eq!((r.code, r.json()["verdict"].as_str().unwrap()), (1, "regressed"));
    assert!(r.stderr.contains("regression"), "{}", r.stderr);
    // 40 examples cannot show a change of 0.01: both models 80% right, 4 flips each way.
    let gold: Vec<u8> = (0..40).map(|i| (i % 2) as u8).collect();
    let wrong_on = |r: std::ops::Range<usize>| -> Vec<u8> {
        (0..40).map(|i| if r.contains(&i) { 1 - gold[i] } else { gold[i] }).collect()
    };
    let small = Pair { base: wrong_on(0..8), cand: wrong_on(4..12), gold: gold.clone() };
    let dir2 = tempfile::tempdir().unwrap();
    let (b, c) = files(dir2.path(), &small);
    let doc = fteval(&["compare", &b, &c, "--format", "json", "--margin", "0.01"]).json();
    assert_eq!(doc["verdict"], "inconclusive");
    assert!(doc["verdict_detail"]["minimum_detectable_effect"].as_f64().unwrap() > 0.1);
}

#[test]
fn gates_fail_with_exit_1_naming_each_gate() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(1000, 6, 9);
    let (base, cand) = files(dir.path(), &p);
    let ok = fteval(&[
        "compare",
        &base,
        &cand,
        "--format",
        "json",
        "--require",
        "accuracy>=0.85",
        "--max-regression",
        "f1=0.01",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.json()["gates"].as_array().unwrap().iter().all(|g| g["passed"] == true));
    let bad = fteval(&[
        "compare",
        &base,
        &cand,
        "--format",
        "json",
        "--require",
        "accuracy>=0.95",
        "--require",
        "recall>=0.99",
        "--require",
        "f1>=0.5",
    ]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("accuracy>=0.95") && bad.stderr.contains("recall>=0.99"), "{}", bad.stderr);
    assert!(!bad.stderr.contains("f1>=0.5"), "{}", bad.stderr);
    // Non-inferiority: the candidate as baseline and vice versa drops by ~0.3.
    let r = fteval(&["compare", &cand, &base, "--format", "json", "--max-regression", "accuracy=0.5"]);
    assert_eq!(r.code, 1, "a significant regression still fails even when the gate passes");
    let unknown = fteval(&["compare", &base, &cand, "--require", "roc_auc>=0.9"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("roc_auc") && unknown.stderr.contains("the metrics are"), "{}", unknown.stderr);
}

#[test]
fn settings_come_from_fteval_toml() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(1000, 6, 9);
    let (base, cand) = files(dir.path(), &p);
    std::fs::write(dir.path().join("fteval.toml"), "profile = \"fraud\"\n[gates]\nrequire = [\"accuracy>=0.95\"]\n")
        .unwrap();
    let r = fteval_in(dir.path(), &["compare", &base, &cand, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["primary_metric"], "recall");
    assert_eq!(doc["gates"][0]["gate"], "accuracy>=0.95");
    // Flags win over the file.
    let r = fteval_in(dir.path(), &["compare", &base, &cand, "--format", "json", "--primary", "f1"]);
    assert_eq!(r.json()["primary_metric"], "f1");
    std::fs::write(dir.path().join("fteval.toml"), "profile = \"fraud\"\nthreshold = 3\n").unwrap();
    let r = fteval_in(dir.path(), &["compare", &base, &cand]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("fteval.toml") && r.stderr.contains("threshold"), "{}", r.stderr);
}

#[test]
fn profiles_costs_and_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    // Scores: the candidate ranks better; thresholds are searched on each model's scores.
    let n = 600;
    let gold: Vec<u8> = (0..n).map(|i| (i % 4 == 0) as u8).collect();
    let mut b = String::from("id,label,prob\n");
    let mut c = String::from("id,label,prob\n");
    for i in 0..n {
        let noise = ((i * 7919) % 100) as f64 / 100.0;
        let g = gold[i] as f64;
        writeln!(b, "ex{i},{},{:.4}", gold[i], 0.3 * g + 0.7 * noise).unwrap();
        writeln!(c, "ex{i},{},{:.4}", gold[i], 0.6 * g + 0.4 * noise).unwrap();
    }
    let (base, cand) = (write(dir.path(), "b.csv", &b), write(dir.path(), "c.csv", &c));
    let doc =
        fteval(&["compare", &base, &cand, "--format", "json", "--profile", "medical", "--cost", "fp=1,fn=20"]).json();
    assert_eq!(doc["primary_metric"], "recall");
    assert_eq!(doc["profile"]["name"], "medical");
    let costs = &doc["costs"];
    assert_eq!((costs["fp"].as_f64(), costs["fn"].as_f64()), (Some(1.0), Some(20.0)));
    // Expected cost from the confusion counts of each model, recomputed here.
    for who in ["baseline", "candidate"] {
        let prec = doc["metrics"]["precision"][who].as_f64().unwrap();
        let rec = doc["metrics"]["recall"][who].as_f64().unwrap();
        let pos = 150.0;
        let tp = rec * pos;
        let fp = if prec > 0.0 { tp / prec - tp } else { 0.0 };
        let want = (fp + 20.0 * (pos - tp)) / n as f64;
        assert!((costs[who].as_f64().unwrap() - want).abs() < 1e-9, "{who}");
    }
    let th = &doc["thresholds"];
    assert_eq!(th["optimistic"], true);
    assert!(th["candidate"]["expected_cost"].as_f64().unwrap() <= costs["candidate"].as_f64().unwrap() + 1e-12);
    let doc = fteval(&["compare", &base, &cand, "--format", "json", "--min-recall", "0.95"]).json();
    assert!(doc["thresholds"]["baseline"]["recall"].as_f64().unwrap() >= 0.95);
    assert!(doc["delong"]["p_value"].as_f64().unwrap() < 0.05);
}

#[test]
fn markdown_puts_the_verdict_first() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(500, 6, 9);
    let (base, cand) = files(dir.path(), &p);
    let r = fteval(&["compare", &base, &cand, "--format", "markdown"]);
    let first = r.stdout.lines().next().unwrap();
    assert!(first.starts_with("## fteval compare") && first.contains("IMPROVED"), "{first}");
    let deltas = r.stdout.find("### Metrics").unwrap();
    let flips = r.stdout.find("### Flips").unwrap();
    assert!(deltas < flips);
    assert!(r.stdout.contains("| accuracy (primary) |") || r.stdout.contains("| f1 (primary) |"));
}

#[test]
fn rank_answers_the_primers_question() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/primer_ab");
    let (a, b) = (dir.join("model_a.csv"), dir.join("model_b.csv"));
    let r = fteval(&["rank", b.to_str().unwrap(), a.to_str().unwrap(), "--primary", "accuracy", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["schema"], "fteval.rank/v1");
    let models = doc["models"].as_array().unwrap();
    assert!(models[0]["source"].as_str().unwrap().ends_with("model_a.csv"));
    assert!(close(models[0]["primary"]["value"].as_f64().unwrap(), 0.90));
    // The files give probabilities to 6 decimals: log losses 0.25 and 0.20 to 1e-6.
    assert!((models[0]["metrics"]["log_loss"]["value"].as_f64().unwrap() - 0.25).abs() < 1e-6);
    assert!((models[1]["metrics"]["log_loss"]["value"].as_f64().unwrap() - 0.20).abs() < 1e-6);
    assert_eq!(models[1]["tied_with_best"], false);
    assert!(models[1]["vs_best"]["p_value_holm"].as_f64().unwrap() < 0.05);
    let disagree: Vec<&str> =
        doc["disagreements"].as_array().unwrap().iter().map(|d| d["metric"].as_str().unwrap()).collect();
    assert!(disagree.contains(&"log_loss"), "{disagree:?}");
    // Ranked on log loss instead, B comes first.
    let doc =
        fteval(&["rank", a.to_str().unwrap(), b.to_str().unwrap(), "--primary", "log_loss", "--format", "json"]).json();
    assert!(doc["best"].as_str().unwrap().ends_with("model_b.csv"));
    assert_eq!(doc["higher_is_better"], false);
}

#[test]
fn rank_holm_adjusts_and_names_ties() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(1000, 9, 6);
    let gold = &p.gold;
    let mut near = p.base.clone();
    // Wrong on 4 more rows than the best.
    let mut changed = 0;
    for i in 0..near.len() {
        if changed < 4 && near[i] == gold[i] {
            near[i] = 1 - gold[i];
            changed += 1;
        }
    }
    let best = write(dir.path(), "best.csv", &csv(0..1000, gold, &p.base));
    let tied = write(dir.path(), "tied.csv", &csv(0..1000, gold, &near));
    let worse = write(dir.path(), "worse.csv", &csv(0..1000, gold, &p.cand));
    let doc = fteval(&["rank", &worse, &tied, &best, "--primary", "accuracy", "--format", "json"]).json();
    let models = doc["models"].as_array().unwrap();
    let names: Vec<&str> = models.iter().map(|m| m["source"].as_str().unwrap()).collect();
    assert!(names[0].ends_with("best.csv") && names[1].ends_with("tied.csv") && names[2].ends_with("worse.csv"));
    assert_eq!(models[1]["tied_with_best"], true);
    assert_eq!(models[2]["tied_with_best"], false);
    for m in &models[1..] {
        let raw = m["vs_best"]["primary"]["p_value"].as_f64().unwrap();
        let holm = m["vs_best"]["p_value_holm"].as_f64().unwrap();
        assert!(holm >= raw);
    }
}

#[test]
fn bad_settings_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(200, 6, 9);
    let (base, cand) = files(dir.path(), &p);
    for (flag, value, said) in [
        ("--cost", "fp=1", "--cost fp=1"),
        ("--profile", "spamm", "--profile spamm"),
        ("--primary", "nonsense", "--primary"),
        ("--min-recall", "2", "--min-recall 2"),
        ("--require", "recall", "--require recall"),
        ("--max-regression", "f1", "--max-regression f1"),
    ] {
        let r = fteval(&["compare", &base, &cand, flag, value]);
        assert_eq!(r.code, 2, "{flag} {value}");
        assert!(r.stderr.contains(said) && r.stderr.contains("hint:"), "{flag} {value}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
    let r = fteval(&["compare", &base, &cand, "--config", "/nonexistent/fteval.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--config"), "{}", r.stderr);
    // A missing candidate file names it.
    let r = fteval(&["compare", &base, "/nonexistent/cand.csv"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cand.csv"), "{}", r.stderr);
}

/// Cases found in review: the files disagree in spelling or shape, not in content.
#[test]
fn files_that_differ_in_form_still_compare() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Predictions written by pandas as True/False next to 1/0 labels: still binary, with scores.
    let a = write(
        d,
        "a.csv",
        "id,label,pred,prob\n1,1,True,0.9\n2,0,False,0.2\n3,1,False,0.4\n4,0,True,0.7\n5,1,True,0.8\n6,0,False,0.1\n",
    );
    let b = write(d, "b.csv", "id,label,pred,prob\n1,1,1,0.8\n2,0,0,0.3\n3,1,1,0.6\n4,0,0,0.4\n5,1,1,0.9\n6,0,0,0.2\n");
    let doc = fteval(&["compare", &a, &b, "--format", "json"]).json();
    assert_eq!((doc["task"].as_str(), doc["primary_metric"].as_str()), (Some("binary"), Some("f1")));
    assert!(doc["delong"]["p_value"].is_number());
    // One file's predictions hold a single class; --positive names the other.
    let g1 = write(d, "g1.csv", "id,label,pred\n1,spam,spam\n2,spam,spam\n3,spam,spam\n");
    let g2 = write(d, "g2.csv", "id,label,pred\n1,spam,ham\n2,spam,spam\n3,spam,spam\n");
    let doc = fteval(&["compare", &g1, &g2, "--positive", "spam", "--format", "json"]).json();
    assert_eq!(doc["labels"], serde_json::json!(["ham", "spam"]));
    // Predictions derived from scores, one score empty: --drop-missing drops that row everywhere.
    let p = write(d, "p.csv", "id,label,pred\n1,1,1\n2,0,0\n3,1,0\n4,0,1\n");
    let s = write(d, "s.csv", "id,label,prob\n1,1,0.9\n2,0,\n3,1,0.8\n4,0,0.3\n");
    let doc = fteval(&["compare", &p, &s, "--drop-missing", "--format", "json"]).json();
    assert_eq!(doc["n_matched"], 3);
    assert!(close(doc["metrics"]["accuracy"]["candidate"].as_f64().unwrap(), 1.0));
    assert!(close(doc["metrics"]["accuracy"]["baseline"].as_f64().unwrap(), 1.0 / 3.0));
    // One file, two columns, ids repeated: rows align as they are, no join.
    let one = write(d, "one.csv", "id,label,pa,pb\n1,1,1,1\n1,0,1,0\n2,1,0,1\n2,0,0,0\n");
    let doc = fteval(&["compare", &one, "--baseline-col", "pa", "--candidate-col", "pb", "--format", "json"]).json();
    assert_eq!(doc["n_matched"], 4);
    let r = fteval(&["compare", &one, "--baseline-col", "nope", "--candidate-col", "pb"]);
    assert!(r.stderr.contains("--baseline-col nope"), "{}", r.stderr);
}

#[test]
fn rank_without_a_test_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair(300, 7, 7);
    let a = write(dir.path(), "a.csv", &csv(0..300, &p.gold, &p.base));
    let b = write(dir.path(), "b.csv", &csv(0..300, &p.gold, &p.base));
    let doc = fteval(&["rank", &a, &b, "--bootstrap", "0", "--format", "json"]).json();
    assert!(doc["models"][1]["tied_with_best"].is_null());
    assert!(doc["summary"].as_str().unwrap().contains("not tested"), "{}", doc["summary"]);
}

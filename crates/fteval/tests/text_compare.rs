//! `fteval compare` and `fteval rank` for NER and generation end to end, on generated files:
//! paired results agree with `fteval metrics` on each file, ids are joined, and files that do
//! not cover the same examples or gold are exit 2.

mod common;

use std::path::PathBuf;

use common::{fteval, words, write_jsonl};
use serde_json::json;

fn dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("text-compare-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(name: &str, rows: &[serde_json::Value]) -> String {
    write_jsonl(&dir(), name, rows)
}

/// Baseline: predictions unrelated to the references; candidate: every other prediction is
/// its reference, rows in reverse order (joined on id).
/// Files named after `tag`: tests run in parallel, and rewriting one file while another test
/// reads it gives an empty read.
fn generation_files(tag: &str) -> (String, String) {
    let mut seed = 3;
    let mut base = Vec::new();
    let mut cand = Vec::new();
    for i in 0..120 {
        let reference = words(&mut seed, 12);
        let guess = words(&mut seed, 10);
        base.push(json!({"id": i, "prediction": guess, "reference": reference}));
        let better = if i % 2 == 0 { reference.clone() } else { guess.clone() };
        cand.push(json!({"id": i, "prediction": better, "reference": reference}));
    }
    cand.reverse();
    (write(&format!("{tag}_gen_base.jsonl"), &base), write(&format!("{tag}_gen_cand.jsonl"), &cand))
}

#[test]
fn generation_compare_pairs_examples_and_agrees_with_metrics() {
    let (base, cand) = generation_files("t1");
    let run = fteval(&["compare", &base, &cand, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["task"], "generation");
    assert_eq!(doc["n_matched"], 120);
    // 12-word references are long-form: the primary metric chosen from the data is ROUGE-L.
    assert_eq!(doc["primary_metric"], "rougeL");
    assert_eq!(doc["verdict"], "improved");
    for key in ["exact_match", "token_f1", "bleu", "chrf", "chrf_pp", "rouge1", "rouge2", "rougeL", "rougeLsum"] {
        let m = &doc["metrics"][key];
        let b = fteval(&["metrics", &base, "--format", "json", "--bootstrap", "0"]).metric(key);
        let c = fteval(&["metrics", &cand, "--format", "json", "--bootstrap", "0"]).metric(key);
        assert!((m["baseline"].as_f64().unwrap() - b).abs() < 1e-9, "{key}: {m} vs {b}");
        assert!((m["candidate"].as_f64().unwrap() - c).abs() < 1e-9, "{key}: {m} vs {c}");
        assert!(m["ci_low"].as_f64().unwrap() <= m["delta"].as_f64().unwrap(), "{key}: {m}");
    }
    assert!((doc["metrics"]["exact_match"]["candidate"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert!(doc["paired_ar"]["bleu"]["p_value"].as_f64().unwrap() < 0.01);
    assert!(doc["signatures"]["bleu"].as_str().unwrap().contains("tok:13a"));
    let flips = &doc["flips"];
    assert_eq!((flips["fixed"].as_u64(), flips["broken"].as_u64()), (Some(60), Some(0)), "{flips}");

    // The same file against itself: no change, and a gate on it passes.
    let run = fteval(&["compare", &base, &base, "--format", "json", "--max-regression", "bleu=0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["verdict"], "no_significant_change");
    assert_eq!(doc["metrics"]["bleu"]["delta"], 0.0);
    // Reversed: a regression, exit 1, and the terminal report says so.
    let run = fteval(&["compare", &cand, &base, "--format", "markdown"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("REGRESSED"), "{}", run.stdout);
}

#[test]
fn generation_rank_orders_models() {
    let (base, cand) = generation_files("t2");
    let run = fteval(&["rank", &base, &cand, "--primary", "bleu", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["task"], "generation");
    assert_eq!(doc["primary_metric"], "bleu");
    let first = doc["models"][0]["source"].as_str().unwrap_or_else(|| panic!("{doc}"));
    assert!(first.ends_with("gen_cand.jsonl"), "{doc}");
}

#[test]
fn ner_compare_agrees_with_metrics() {
    let sentence = |i: usize, fix: bool| {
        let tokens: Vec<String> = (0..6).map(|t| format!("t{i}_{t}")).collect();
        let gold = ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG"];
        let wrong = ["O", "B-PER", "O", "B-ORG", "O", "O"];
        let pred = if fix { gold } else { wrong };
        json!({"id": i, "tokens": tokens, "labels": gold, "predictions": pred})
    };
    let base: Vec<_> = (0..40).map(|i| sentence(i, i % 5 == 0)).collect();
    let cand: Vec<_> = (0..40).map(|i| sentence(i, i % 5 != 4)).collect();
    let (base, cand) = (write("ner_base.jsonl", &base), write("ner_cand.jsonl", &cand));
    let run = fteval(&["compare", &base, &cand, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["task"], "ner");
    assert_eq!(doc["primary_metric"], "f1");
    assert_eq!(doc["verdict"], "improved");
    for key in ["f1", "precision", "recall", "f1_macro", "token_accuracy"] {
        let b = fteval(&["metrics", &base, "--format", "json", "--bootstrap", "0"]).metric(key);
        let c = fteval(&["metrics", &cand, "--format", "json", "--bootstrap", "0"]).metric(key);
        let m = &doc["metrics"][key];
        assert!((m["baseline"].as_f64().unwrap() - b).abs() < 1e-12, "{key}: {m} vs {b}");
        assert!((m["candidate"].as_f64().unwrap() - c).abs() < 1e-12, "{key}: {m} vs {c}");
    }
    // Different gold in one sentence: exit 2 naming it.
    let mut other: Vec<_> = (0..40).map(|i| sentence(i, true)).collect();
    other[7]["labels"][2] = json!("B-MISC");
    let other = write("ner_other.jsonl", &other);
    let run = fteval(&["compare", &base, &other]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("sentence 8") && run.stderr.contains("hint:"), "{}", run.stderr);
}

#[test]
fn generation_files_that_differ_are_exit_2() {
    let (base, _) = generation_files("t3");
    let mut seed = 9;
    let rows: Vec<_> =
        (0..119).map(|i| json!({"id": i, "prediction": words(&mut seed, 5), "reference": "x y z"})).collect();
    let fewer = write("gen_fewer.jsonl", &rows);
    let run = fteval(&["compare", &base, &fewer]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing") || run.stderr.contains("examples"), "{}", run.stderr);
    let run = fteval(&["compare", &fewer, &base]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("different references") || run.stderr.contains("examples"), "{}", run.stderr);
    // One file with a column per model works for generation (tests/generation_outputs.rs); a
    // column that is not there is exit 2 naming the flag.
    let run = fteval(&["compare", &base, "--baseline-col", "a", "--candidate-col", "b"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--baseline-col a: no such column"), "{}", run.stderr);
}

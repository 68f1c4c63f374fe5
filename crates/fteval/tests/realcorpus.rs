//! fteval on real files written by other people (../shared/realcorpus, see its SOURCES.tsv):
//! every file gets a result or exit 2 with a clear message, and where the authors published
//! their own numbers, fteval reproduces them. Skipped, saying so, when the folder is absent.

mod common;

use std::path::PathBuf;

use common::fteval;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("FTEVAL_REALCORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realcorpus"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: real-data corpus not found at {} (set FTEVAL_REALCORPUS)", dir.display());
        None
    }
}

#[test]
fn every_file_gives_a_result_or_a_clear_error() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let (mut ok, mut refused) = (0, 0);
    for f in &files {
        let path = f.to_string_lossy();
        let run = fteval(&["metrics", &path, "--format", "json", "--bootstrap", "20"]);
        match run.code {
            0 => {
                ok += 1;
                let doc = run.json();
                assert_eq!(doc["schema"], "fteval.metrics/v1", "{path}");
            }
            2 => {
                refused += 1;
                assert!(run.stderr.starts_with("error: ") && run.stderr.contains("hint: "), "{path}: {}", run.stderr);
            }
            other => panic!("{path}: exit {other}: {}", run.stderr),
        }
        assert!(!run.stderr.contains("panicked") && !run.stderr.contains("internal error"), "{path}: {}", run.stderr);
    }
    eprintln!("realcorpus: {} files, {ok} evaluated, {refused} refused with a message", files.len());
    assert!(ok >= 2, "expected some real prediction files to evaluate");
}

fn value(doc: &serde_json::Value, path: &[&str]) -> f64 {
    let mut v = doc;
    for p in path {
        v = &v[*p];
    }
    v.as_f64().unwrap_or_else(|| panic!("no {path:?}"))
}

#[test]
fn published_numbers_are_reproduced() {
    let Some(dir) = corpus() else { return };
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();

    // predictions_05.published_eval.json: accuracy, weighted and macro F1, per-class report.
    let run = fteval(&[
        "metrics",
        &file("predictions_05.csv"),
        "--pred-col",
        "bert_large_retrain_prediction",
        "--label-col",
        "label_name",
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert!((value(&doc, &["metrics", "accuracy", "value"]) - 0.9845474613686535).abs() < 1e-12);
    assert!((value(&doc, &["metrics", "f1_weighted", "value"]) - 0.9845969925232227).abs() < 1e-12);
    assert!((value(&doc, &["metrics", "f1_macro", "value"]) - 0.9802142064020812).abs() < 1e-12);
    assert!((value(&doc, &["per_class", "neutral", "recall"]) - 0.9856115107913669).abs() < 1e-12);

    // predictions_14.published_validation_report.md: accuracy 0.880, Cohen's kappa 0.819.
    let run = fteval(&["metrics", &file("predictions_14.csv"), "--format", "json", "--bootstrap", "0"]);
    let doc = run.json();
    assert!((value(&doc, &["metrics", "accuracy", "value"]) - 0.880).abs() < 5e-4);
    assert!((value(&doc, &["metrics", "cohen_kappa", "value"]) - 0.819).abs() < 5e-4);

    // predictions_04.published_report.txt: scikit-learn's classification_report (2 decimals).
    let run = fteval(&[
        "metrics",
        &file("predictions_04.csv"),
        "--label-col",
        "Ground_Truth",
        "--pred-col",
        "AI_Prediction",
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    let doc = run.json();
    for (key, want) in [("precision_macro", 0.60), ("recall_macro", 0.46), ("f1_macro", 0.49), ("f1_weighted", 0.83)] {
        assert!((value(&doc, &["metrics", key, "value"]) - want).abs() < 0.005, "{key}");
    }
    assert!((value(&doc, &["per_class", "Stable", "f1"]) - 0.90).abs() < 0.005);
}

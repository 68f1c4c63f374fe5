//! Every input format and column convention gives the numbers scikit-learn gives on the same
//! data (expected values computed once with scikit-learn 1.9 when the fixtures were made).

mod common;

use common::{close, data, fteval, fteval_stdin};

const ACCURACY: f64 = 0.9333333333333333;
const F1: f64 = 0.9130434782608695;
const ROC_AUC: f64 = 0.9868421052631579;
const LOG_LOSS: f64 = 0.36161667546473797;

fn assert_binary_fixture(args: &[&str]) {
    let mut all = vec!["metrics"];
    all.extend_from_slice(args);
    all.extend(["--format", "json", "--bootstrap", "50"]);
    let run = fteval(&all);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    assert_eq!(run.json()["n"], 60, "{args:?}");
    assert!(close(run.metric("accuracy"), ACCURACY), "{args:?}");
    assert!(close(run.metric("f1"), F1), "{args:?}");
    assert!(close(run.metric("roc_auc"), ROC_AUC), "{args:?}");
    assert!(close(run.metric("log_loss"), LOG_LOSS), "{args:?}");
}

#[test]
fn csv_with_bom_crlf_and_quoted_newlines() {
    assert_binary_fixture(&[&data("binary_bom_crlf.csv")]);
}

#[test]
fn tsv_jsonl_json_parquet_and_gzip() {
    for f in ["binary.tsv", "binary.jsonl", "binary.json", "binary.parquet", "binary.csv.gz"] {
        assert_binary_fixture(&[&data(f)]);
    }
}

#[test]
fn stdin_with_input_format() {
    let bytes = std::fs::read(data("binary.jsonl")).unwrap();
    let run =
        fteval_stdin(&["metrics", "-", "--input-format", "jsonl", "--format", "json", "--bootstrap", "0"], Some(bytes));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(close(run.metric("roc_auc"), ROC_AUC));
}

#[test]
fn gold_from_another_file_joined_on_id_or_by_row() {
    assert_binary_fixture(&[&data("preds_no_gold.csv"), "--gold", &data("gold_shuffled.csv"), "--positive", "spam"]);
    assert_binary_fixture(&[&data("preds_by_row.csv"), "--gold", &data("gold_by_row.csv"), "--positive", "spam"]);
}

#[test]
fn float_and_boolean_label_spellings_agree() {
    let run = fteval(&["metrics", &data("labels_float_bool.csv"), "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(close(run.metric("accuracy"), ACCURACY));
    assert_eq!(run.json()["positive_label"], "1");
}

#[test]
fn logits_lists_and_objects_give_the_same_multiclass_metrics() {
    for f in ["multiclass_logits.csv", "multiclass_probs_list.jsonl", "multiclass_probs_object.jsonl"] {
        let run = fteval(&["metrics", &data(f), "--format", "json", "--bootstrap", "50"]);
        assert_eq!(run.code, 0, "{f}: {}", run.stderr);
        assert!(close(run.metric("accuracy"), 0.75), "{f}");
        assert!(close(run.metric("f1_macro"), 0.7552483358934973), "{f}");
        assert!((run.metric("log_loss") - 0.6273265282319714).abs() < 1e-6, "{f}: {}", run.metric("log_loss"));
        assert!((run.metric("roc_auc_ovr") - 0.9093998464315588).abs() < 1e-6, "{f}");
        let doc = run.json();
        let checks: Vec<&str> = doc["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert!(!checks.contains(&"probabilities_not_normalised"), "{f}: {checks:?}");
    }
}

#[test]
fn every_metric_has_an_interval_that_contains_it() {
    let run = fteval(&["metrics", &data("multiclass_logits.csv"), "--format", "json"]);
    let doc = run.json();
    for (key, m) in doc["metrics"].as_object().unwrap() {
        let (v, lo, hi) = (m["value"].as_f64().unwrap(), m["ci_low"].as_f64().unwrap(), m["ci_high"].as_f64().unwrap());
        assert!(lo <= v && v <= hi, "{key}: {lo} <= {v} <= {hi}");
        assert!(m["ci_method"].is_string(), "{key}");
    }
}

#[test]
fn same_seed_same_report_other_seed_other_intervals() {
    let args = |seed: &'static str| ["metrics", "DATA", "--format", "json", "--seed", seed];
    let path = data("binary.csv.gz");
    let run = |seed| {
        let a = args(seed);
        fteval(&[a[0], &path, a[2], a[3], a[4], a[5]]).json()["metrics"]["f1"].clone()
    };
    assert_eq!(run("1"), run("1"));
    // Bootstrap quantiles of a 60-row F1 take few distinct values: one bound may coincide.
    let bounds = |m: serde_json::Value| (m["ci_low"].clone(), m["ci_high"].clone());
    assert_ne!(bounds(run("1")), bounds(run("2")));
}

#[test]
fn terminal_and_markdown_reports_render() {
    let md = fteval(&["metrics", &data("binary.csv.gz"), "--format", "markdown"]);
    assert_eq!(md.code, 0);
    assert!(md.stdout.contains("| accuracy | 0.9333 |"), "{}", md.stdout);
    assert!(md.stdout.contains("### Confusion matrix"));
    let term = fteval(&["metrics", &data("binary.csv.gz"), "--format", "terminal"]);
    assert!(term.stdout.contains("Per class") && !term.stdout.contains("\x1b["), "no colour when NO_COLOR / not a TTY");
}

#[test]
fn predictions_are_derived_from_scores_when_the_file_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("scores.csv");
    std::fs::write(&binary, "label,prob\nyes,0.9\nno,0.2\nyes,0.4\nno,0.6\nno,0.1\n").unwrap();
    let run = fteval(&["metrics", binary.to_str().unwrap(), "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(close(run.metric("accuracy"), 0.6));
    assert!(run.stdout.contains("predictions_from_scores"));
    let multi = dir.path().join("probs.csv");
    std::fs::write(&multi, "label,prob_a,prob_b,prob_c\na,0.7,0.2,0.1\nb,0.1,0.3,0.6\nc,0.2,0.2,0.6\n").unwrap();
    let run = fteval(&["metrics", multi.to_str().unwrap(), "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(close(run.metric("accuracy"), 2.0 / 3.0));
}

#[test]
fn python_list_cells_and_multilabel_drop_missing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ml.csv");
    std::fs::write(
        &p,
        "labels,predictions\n\"['TrueCrime', \"\"don't\"\"]\",\"['TrueCrime']\"\n\"['NoneSuch']\",\"['NoneSuch', 'drama']\"\n,\"['zzz']\"\n",
    )
    .unwrap();
    let run = fteval(&["metrics", p.to_str().unwrap(), "--format", "json", "--bootstrap", "0", "--drop-missing"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    // 'zzz' occurs only in the dropped row and is not a label.
    assert_eq!(doc["labels"], serde_json::json!(["NoneSuch", "TrueCrime", "don't", "drama"]));
    assert_eq!(doc["n"], 2);
}

/// A class the model predicts but gold never has: AUC averages as scikit-learn computes them
/// with `labels=[a, b, c, d]` (values from scikit-learn 1.9).
#[test]
fn multiclass_auc_with_a_class_absent_from_gold() {
    let run = fteval(&["metrics", &data("absent_class.csv"), "--format", "json", "--bootstrap", "100"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!((run.metric("roc_auc_ovr_weighted") - 0.873778297829783).abs() < 1e-9);
    assert!((run.metric("roc_auc_ovo") - 0.8738962251567294).abs() < 1e-9);
    assert!((run.metric("f1_macro") - 0.5247200975501607).abs() < 1e-9);
    assert!((run.metric("log_loss") - 0.8761784934822816).abs() < 1e-9);
    let doc = run.json();
    assert!(doc["metrics"]["roc_auc_ovr"]["value"].is_null());
    assert!(doc["metrics"]["roc_auc_ovr"]["reason"].as_str().unwrap().contains("'d'"));
}

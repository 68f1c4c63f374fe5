//! The pitfall checks fire on the data that shows the pitfall, and stay quiet otherwise.

mod common;

use std::io::Write;

use common::fteval;
use serde_json::Value;

fn check_ids(doc: &Value) -> Vec<String> {
    doc["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

fn run_csv(body: &str, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("preds.csv");
    std::fs::File::create(&path).unwrap().write_all(body.as_bytes()).unwrap();
    let p = path.to_string_lossy().into_owned();
    let mut args = vec!["metrics", p.as_str(), "--format", "json", "--bootstrap", "200"];
    args.extend_from_slice(extra);
    let run = fteval(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

/// "98% accuracy but 12% recall on fraud is not good."
#[test]
fn fraud_model_with_high_accuracy_and_low_recall() {
    let mut body = String::from("label,pred\n");
    for i in 0..1000 {
        let (gold, pred) = if i < 25 {
            ("fraud", if i < 3 { "fraud" } else { "legit" })
        } else {
            ("legit", if i < 27 { "fraud" } else { "legit" })
        };
        body.push_str(&format!("{gold},{pred}\n"));
    }
    let doc = run_csv(&body, &[]);
    assert_eq!(doc["positive_label"], "fraud");
    assert!((doc["metrics"]["accuracy"]["value"].as_f64().unwrap() - 0.976).abs() < 1e-12);
    let ids = check_ids(&doc);
    assert!(ids.contains(&"accuracy_paradox".to_string()), "{ids:?}");
    assert!(ids.contains(&"small_support".to_string()), "{ids:?}");
    let msg =
        doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == "accuracy_paradox").unwrap()["message"].clone();
    assert!(msg.as_str().unwrap().contains("recall on 'fraud' is only 12.0%"), "{msg}");
}

#[test]
fn collapsed_and_never_predicted() {
    let mut body = String::from("label,pred\n");
    for i in 0..200 {
        body.push_str(if i < 40 { "pos,neg\n" } else { "neg,neg\n" });
    }
    let doc = run_csv(&body, &[]);
    let ids = check_ids(&doc);
    for id in ["collapsed_predictions", "class_never_predicted", "undefined_metric", "accuracy_paradox"] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }
}

#[test]
fn unnormalised_probabilities_and_label_space_mismatch() {
    let mut body = String::from("label,pred,prob_a,prob_b,prob_c\n");
    for i in 0..90 {
        let gold = ["a", "b", "c"][i % 3];
        let pred = if i % 10 == 0 { "d" } else { gold };
        body.push_str(&format!("{gold},{pred},0.6,0.3,{}\n", if i % 2 == 0 { 0.1 } else { 0.4 }));
    }
    let doc = run_csv(&body, &[]);
    let ids = check_ids(&doc);
    assert!(ids.contains(&"probabilities_not_normalised".to_string()), "{ids:?}");
    assert!(ids.contains(&"label_space_mismatch".to_string()), "{ids:?}");
}

#[test]
fn a_good_balanced_model_raises_no_warnings() {
    let mut body = String::from("label,pred\n");
    for i in 0..400 {
        let gold = if i % 2 == 0 { "yes" } else { "no" };
        let pred = if i % 10 == 0 {
            if gold == "yes" {
                "no"
            } else {
                "yes"
            }
        } else {
            gold
        };
        body.push_str(&format!("{gold},{pred}\n"));
    }
    let doc = run_csv(&body, &[]);
    assert!(check_ids(&doc).is_empty(), "{:?}", check_ids(&doc));
}

#[test]
fn roc_auc_is_null_with_a_reason_when_gold_has_one_class() {
    let doc = run_csv("label,pred,prob\nno,no,0.1\nno,yes,0.7\nno,no,0.3\n", &["--positive", "yes"]);
    let auc = &doc["metrics"]["roc_auc"];
    assert!(auc["value"].is_null());
    assert!(auc["reason"].as_str().unwrap().contains("both classes"));
}

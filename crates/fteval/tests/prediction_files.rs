//! Classification and NER files as real projects write them (issue 15, item 4): several
//! candidate prediction columns, score columns that name no label, probabilities that do not
//! sum to 1, and taggers that predict non-tags or collapse onto `O`. Reference values were
//! computed with scikit-learn 1.9.1 and seqeval 1.2.2.

mod common;

use std::path::Path;

use common::fteval;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn metrics(path: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["metrics", path, "--format", "json", "--bootstrap", "0"];
    args.extend_from_slice(extra);
    fteval(&args)
}

fn ok_json(run: &common::Run) -> Value {
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

fn check<'a>(doc: &'a Value, id: &str) -> Option<&'a str> {
    doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).map(|c| c["message"].as_str().unwrap())
}

fn value(doc: &Value, key: &str) -> Option<f64> {
    doc["metrics"][key]["value"].as_f64()
}

// ---------------------------------------------------------------------------------------------
// Probabilities that do not sum to 1

/// 30 rows of 3 classes, most of which sum to 0.6–0.975 (scikit-learn: log loss
/// 0.9374913757263864 on the raw values, top-2 accuracy 0.9, roc_auc_score(multi_class='ovr')
/// raises), and how many rows do not sum to 1.
fn unnormalised_rows() -> (String, usize) {
    let mut body = String::from("label,pred,prob_a,prob_b,prob_c\n");
    let mut off = 0;
    for i in 0..30usize {
        let g = i % 3;
        let mut p = [0.2f64; 3];
        if i % 4 != 0 {
            p[g] += 0.3;
        }
        p[(g + 1) % 3] += 0.1 * (i % 5) as f64 / 4.0;
        let labels = ["a", "b", "c"];
        let arg = (0..3).max_by(|&x, &y| p[x].total_cmp(&p[y]).then(y.cmp(&x))).unwrap();
        body.push_str(&format!("{},{},{},{},{}\n", labels[g], labels[arg], p[0], p[1], p[2]));
        off += usize::from((p.iter().sum::<f64>() - 1.0).abs() > 1e-5);
    }
    (body, off)
}

#[test]
fn unnormalised_multiclass_scores_leave_the_aucs_empty_as_scikit_learn_does() {
    let dir = tempfile::tempdir().unwrap();
    let (body, off) = unnormalised_rows();
    let p = write(dir.path(), "unnormalised.csv", &body);
    let doc = ok_json(&metrics(&p, &[]));
    for key in ["roc_auc_ovr", "roc_auc_ovr_weighted", "roc_auc_ovo"] {
        assert!(doc["metrics"][key]["value"].is_null(), "{key}: {}", doc["metrics"][key]);
        let reason = doc["metrics"][key]["reason"].as_str().unwrap();
        assert!(reason.contains("scikit-learn") && reason.contains("data row 1"), "{reason}");
    }
    // The metrics scikit-learn computes on the raw values stay equal to it.
    assert!((value(&doc, "log_loss").unwrap() - 0.9374913757263864).abs() < 1e-9);
    assert!((value(&doc, "top_2_accuracy").unwrap() - 0.9).abs() < 1e-12);
    let msg = check(&doc, "probabilities_not_normalised").expect("check");
    for name in
        ["Log loss", "Brier score", "ECE", "roc_auc_ovr", "roc_auc_ovr_weighted", "roc_auc_ovo", "top-2 accuracy"]
    {
        assert!(msg.contains(name), "{name} missing: {msg}");
    }
    assert!(off > 20 && msg.contains(&format!("{off} of 30 rows")), "{msg}");
}

#[test]
fn rounded_probabilities_follow_numpy_allclose() {
    let dir = tempfile::tempdir().unwrap();
    // Rows rounded to 4 decimals sum to 0.9999: scikit-learn refuses their ROC AUCs.
    let mut rounded = String::from("label,pred,prob_a,prob_b,prob_c\n");
    // Rows off by 5e-6: numpy.allclose accepts them, and so does fteval.
    let mut close = rounded.clone();
    for i in 0..30usize {
        let (g, labels) = (i % 3, ["a", "b", "c"]);
        let mut p = [0.3333f64; 3];
        p[g] = 0.3334 + 0.0001 * (i % 7) as f64;
        let rest = (1.0 - p[g]) / 2.0;
        let r4 = (rest * 1e4).floor() / 1e4;
        let row = |a: f64, b: f64, c: f64| format!("{},{},{a},{b},{c}\n", labels[g], labels[g]);
        let mut q = [r4; 3];
        q[g] = p[g];
        rounded.push_str(&row(q[0], q[1], q[2]));
        let mut e = [rest; 3];
        e[g] = p[g] + 5e-6;
        close.push_str(&row(e[0], e[1], e[2]));
    }
    let doc = ok_json(&metrics(&write(dir.path(), "rounded.csv", &rounded), &[]));
    assert!(doc["metrics"]["roc_auc_ovr"]["value"].is_null());
    let msg = check(&doc, "probabilities_not_normalised").expect("check");
    assert!(msg.contains("below 0.001") && msg.contains("divide each row by its sum"), "{msg}");
    let doc = ok_json(&metrics(&write(dir.path(), "close.csv", &close), &[]));
    assert_eq!(value(&doc, "roc_auc_ovr"), Some(1.0));
    assert!(check(&doc, "probabilities_not_normalised").is_none());
}

// ---------------------------------------------------------------------------------------------
// NER: non-tags and a tagger collapsed onto O

#[test]
fn predicted_non_tags_are_reported_and_scored_as_seqeval_scores_them() {
    let dir = tempfile::tempdir().unwrap();
    // seqeval 1.2.2 on these sentences: f1 0.28571428571428575, precision 0.25, recall 1/3,
    // accuracy 0.5, macro f1 0.2 ('[SEP]' is entity type 'SEP]', 'X' type '_').
    let text =
        "EU B-ORG B-ORG\nrejects O [SEP]\nGerman B-MISC X\ncall O O\n\nPeter B-PER B-PER\nBlackburn I-PER <pad>\n";
    let p = write(dir.path(), "tagged.txt", text);
    let doc = ok_json(&metrics(&p, &[]));
    assert!((value(&doc, "f1").unwrap() - 0.28571428571428575).abs() < 1e-12);
    assert!((value(&doc, "precision").unwrap() - 0.25).abs() < 1e-12);
    assert!((value(&doc, "token_accuracy").unwrap() - 0.5).abs() < 1e-12);
    assert!((value(&doc, "f1_macro").unwrap() - 0.2).abs() < 1e-12);
    let msg = check(&doc, "predicted_non_tags").expect("check");
    assert!(msg.contains("on 3 of 6 tokens"), "{msg}");
    assert!(
        msg.contains("'[SEP]'") && msg.contains("entity type 'SEP]'") && msg.contains("sentence 1 token 2"),
        "{msg}"
    );
    assert!(msg.contains("'<pad>'") && msg.contains("'X'") && msg.contains("map these tags to O"), "{msg}");
    // A tagger whose tags are all tags raises nothing of the kind.
    let clean = write(dir.path(), "clean.txt", "EU B-ORG B-ORG\nrejects O O\n\nPeter B-PER B-PER\n");
    assert!(check(&ok_json(&metrics(&clean, &[])), "predicted_non_tags").is_none());
}

#[test]
fn a_tagger_no_better_than_all_o_is_called_collapsed() {
    let dir = tempfile::tempdir().unwrap();
    let mut collapsed = String::new();
    let mut garbage = String::new();
    let mut good = String::new();
    for s in 0..40 {
        for (tok, gold) in
            [("Peter", "B-PER"), ("Blackburn", "I-PER"), ("visited", "O"), ("Paris", "B-LOC"), ("today", "O")]
        {
            collapsed.push_str(&format!("{tok} {gold} O\n"));
            let wrong = if gold == "O" && s % 2 == 0 { "B-LOC" } else { "O" };
            garbage.push_str(&format!("{tok} {gold} {wrong}\n"));
            good.push_str(&format!("{tok} {gold} {gold}\n"));
        }
        for doc in [&mut collapsed, &mut garbage, &mut good] {
            doc.push('\n');
        }
    }
    let doc = ok_json(&metrics(&write(dir.path(), "collapsed.conll", &collapsed), &[]));
    let msg = check(&doc, "entities_collapsed").expect("all-O tagger");
    assert!(msg.contains("0.400") && msg.contains("100.0% of tokens O"), "{msg}");
    let doc = ok_json(&metrics(&write(dir.path(), "garbage.conll", &garbage), &[]));
    assert!(value(&doc, "token_accuracy").unwrap() < 0.4);
    assert!(check(&doc, "entities_collapsed").is_some());
    let doc = ok_json(&metrics(&write(dir.path(), "good.conll", &good), &[]));
    assert!(check(&doc, "entities_collapsed").is_none());
}

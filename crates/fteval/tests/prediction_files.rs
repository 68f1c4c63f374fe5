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
// Several candidate prediction columns

/// Rows of (gold, a column of gold-label values, a column of other values) for a car-type
/// classifier: the gold-label column is right on 3 rows of 4.
fn cars() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut rows = Vec::new();
    for i in 0..60 {
        let gold = ["family", "sports", "city"][i % 3];
        let pred = if i % 4 == 0 { ["family", "sports", "city"][(i + 1) % 3] } else { gold };
        let long = match pred {
            "family" => "family car",
            "sports" => "sports car",
            _ => "city car",
        };
        rows.push((gold, pred, long));
    }
    rows
}

fn accuracy_of(rows: &[(&str, &str, &str)]) -> f64 {
    rows.iter().filter(|(g, p, _)| g == p).count() as f64 / rows.len() as f64
}

#[test]
fn the_prediction_column_whose_values_are_gold_labels_is_preferred() {
    let dir = tempfile::tempdir().unwrap();
    let rows = cars();
    let mut body = String::from("id,label,predicted_label,predicted_class\n");
    for (i, (g, p, long)) in rows.iter().enumerate() {
        body.push_str(&format!("{i},{g},{long},{p}\n"));
    }
    let path = write(dir.path(), "cars.csv", &body);
    let doc = ok_json(&metrics(&path, &[]));
    assert!((value(&doc, "accuracy").unwrap() - accuracy_of(&rows)).abs() < 1e-12);
    let msg = check(&doc, "prediction_column_chosen").expect("note");
    assert!(
        msg.contains("'predicted_label'") && msg.contains("'predicted_class'") && msg.contains("--pred-col"),
        "{msg}"
    );
    assert!(msg.contains("'family car'") || msg.contains("'sports car'") || msg.contains("'city car'"), "{msg}");
    // The rule is about values: the same columns under each other's names keep the named one.
    let mut swapped = String::from("id,label,predicted_label,predicted_class\n");
    for (i, (g, p, long)) in rows.iter().enumerate() {
        swapped.push_str(&format!("{i},{g},{p},{long}\n"));
    }
    let doc = ok_json(&metrics(&write(dir.path(), "swapped.csv", &swapped), &[]));
    assert!((value(&doc, "accuracy").unwrap() - accuracy_of(&rows)).abs() < 1e-12);
    assert!(check(&doc, "prediction_column_chosen").is_none());
    // --pred-col is obeyed as given.
    let doc = ok_json(&metrics(&path, &["--pred-col", "predicted_label"]));
    assert_eq!(value(&doc, "accuracy"), Some(0.0));
    assert!(check(&doc, "prediction_column_chosen").is_none());
}

#[test]
fn several_columns_of_gold_labels_are_named_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let rows = cars();
    let mut named = String::from("label,prediction,bert_pred,roberta_pred\n");
    let mut unnamed = String::from("label,bert_pred,roberta_pred,bert_output_text\n");
    for (g, p, long) in &rows {
        named.push_str(&format!("{g},{long},{p},{g}\n"));
        unnamed.push_str(&format!("{g},{p},{g},{long}\n"));
    }
    // The named column stays (accuracy 0), and the warning names both columns of gold labels.
    let doc = ok_json(&metrics(&write(dir.path(), "named.csv", &named), &[]));
    assert_eq!(value(&doc, "accuracy"), Some(0.0));
    let msg = check(&doc, "prediction_column_chosen").expect("note");
    assert!(msg.contains("'bert_pred' (100%), 'roberta_pred' (100%)") && msg.contains("--baseline-col"), "{msg}");
    // No column named like the predictions: exit 2, with how much of each candidate is gold labels.
    let run = metrics(&write(dir.path(), "unnamed.csv", &unnamed), &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("no prediction column") && run.stderr.contains("--pred-col"), "{}", run.stderr);
    assert!(run.stderr.contains("'bert_pred' 100%, 'roberta_pred' 100%, 'bert_output_text' 0%"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Score columns that name no label

const EMOTIONS: [&str; 7] = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"];

/// 70 rows with integer labels 0–6, a hard prediction, and one probability per class in
/// columns named `{prefix}{name}` (name = the emotion, or the integer label with `by_index`).
fn emotions(with_pred: bool, by_index: bool) -> String {
    let header: Vec<String> =
        (0..7).map(|j| if by_index { format!("prob_{j}") } else { format!("prob_{}", EMOTIONS[j]) }).collect();
    let mut body = format!("label,{}{}\n", if with_pred { "pred," } else { "" }, header.join(","));
    for i in 0..70usize {
        let g = i % 7;
        let mut p: Vec<f64> = (0..7).map(|j| 1.0 + ((i * 7 + j * 3) % 11) as f64).collect();
        p[if i % 5 == 0 { (g + 1) % 7 } else { g }] += 12.0;
        let sum: f64 = p.iter().sum();
        let arg = (0..7).max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a))).unwrap();
        let pred = if with_pred { format!("{arg},") } else { String::new() };
        let probs: Vec<String> = p.iter().map(|x| format!("{}", x / sum)).collect();
        body.push_str(&format!("{g},{pred}{}\n", probs.join(",")));
    }
    body
}

#[test]
fn score_columns_that_name_no_label_are_skipped_for_the_hard_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "emotions.csv", &emotions(true, false));
    let doc = ok_json(&metrics(&path, &[]));
    let by_index = ok_json(&metrics(&write(dir.path(), "by_index.csv", &emotions(true, true)), &[]));
    assert_eq!(value(&doc, "accuracy"), value(&by_index, "accuracy"));
    assert!(doc["metrics"]["log_loss"].is_null() && doc["metrics"]["roc_auc_ovr"].is_null());
    assert_eq!(doc["labels"].as_array().unwrap().len(), 7, "no phantom classes: {}", doc["labels"]);
    let msg = check(&doc, "scores_ignored").expect("warning");
    assert!(msg.contains("prob_angry") && msg.contains("'pred'"), "{msg}");
    assert!(msg.contains("--label-names angry,disgust,fear,happy,neutral,sad,surprise"), "{msg}");
    // Without hard predictions there is nothing to score: exit 2 with the same way on.
    let run = metrics(&write(dir.path(), "no_pred.csv", &emotions(false, false)), &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("name no label") && run.stderr.contains("--label-names"), "{}", run.stderr);
}

#[test]
fn label_names_map_integer_labels_onto_named_score_columns() {
    let dir = tempfile::tempdir().unwrap();
    let names = EMOTIONS.join(",");
    let by_index = ok_json(&metrics(&write(dir.path(), "by_index.csv", &emotions(true, true)), &[]));
    for with_pred in [true, false] {
        let path = write(dir.path(), "emotions.csv", &emotions(with_pred, false));
        let doc = ok_json(&metrics(&path, &["--label-names", &names]));
        assert_eq!(doc["labels"], serde_json::json!(EMOTIONS));
        // The same scores under integer column names give the same numbers.
        for key in ["accuracy", "f1_macro", "log_loss", "roc_auc_ovr", "roc_auc_ovo", "brier_score", "top_2_accuracy"] {
            let (a, b) = (value(&doc, key).unwrap(), value(&by_index, key).unwrap());
            assert!((a - b).abs() < 1e-12, "{key}: {a} vs {b} (with_pred {with_pred})");
        }
        assert!(check(&doc, "label_names_applied").unwrap().contains("0 = angry"));
    }
    // Too few names for the labels: exit 2 naming the column and the label.
    let run = metrics(&write(dir.path(), "e.csv", &emotions(true, false)), &["--label-names", "angry,disgust"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("column 'label'") && run.stderr.contains("'2'") && run.stderr.contains("hint:"),
        "{}",
        run.stderr
    );
}

#[test]
fn compare_skips_unnamed_score_columns_without_phantom_classes() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.csv", &emotions(true, false));
    let b = write(dir.path(), "b.csv", &emotions(true, false));
    let run = fteval(&["compare", &a, &b, "--format", "json", "--bootstrap", "50"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["labels"].as_array().map(Vec::len), Some(7), "{}", doc["labels"]);
    let named =
        fteval(&["compare", &a, &b, "--format", "json", "--bootstrap", "50", "--label-names", &EMOTIONS.join(",")]);
    assert!(named.code == 0 || named.code == 1, "{}", named.stderr);
    assert_eq!(named.json()["labels"], serde_json::json!(EMOTIONS));
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
    // Deviations this large are not rounding: no rounding hint.
    assert!(msg.contains("softmax") && !msg.contains("rounded"), "{msg}");
}

#[test]
fn compare_has_no_auc_delta_for_unnormalised_scores() {
    let dir = tempfile::tempdir().unwrap();
    let (body, _) = unnormalised_rows();
    let p = write(dir.path(), "unnormalised.csv", &body);
    let run = fteval(&["compare", &p, &p, "--format", "json", "--bootstrap", "50"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let doc = run.json();
    let metrics = doc["metrics"].as_object().unwrap();
    assert!(metrics.contains_key("log_loss") && metrics.contains_key("top_2_accuracy"), "{metrics:?}");
    assert!(!metrics.keys().any(|k| k.starts_with("roc_auc")), "{:?}", metrics.keys().collect::<Vec<_>>());
    assert!(check(&doc, "probabilities_not_normalised").is_some());
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
    assert!(!msg.contains("softmax"), "{msg}");
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
    // Counts of one take the singular.
    for (id, text) in [
        ("class_never_predicted", "'MISC' (1 gold entity)"),
        ("label_space_mismatch", "'SEP]' (1 predicted entity)"),
        ("small_support", "'ORG' (1 entity)"),
    ] {
        let m = check(&doc, id).unwrap_or_else(|| panic!("no {id}"));
        assert!(m.contains(text), "{id}: {m}");
    }
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

#[test]
fn compare_reports_the_non_tags_of_the_model_that_predicts_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut clean, mut noisy) = (String::new(), String::new());
    for s in 0..40 {
        for (tok, gold) in [("Peter", "B-PER"), ("visited", "O"), ("Paris", "B-LOC")] {
            clean.push_str(&format!("{tok} {gold} {gold}\n"));
            let pred = if gold == "O" && s % 3 == 0 { "[SEP]" } else { gold };
            noisy.push_str(&format!("{tok} {gold} {pred}\n"));
        }
        clean.push('\n');
        noisy.push('\n');
    }
    let (a, b) = (write(dir.path(), "clean.conll", &clean), write(dir.path(), "noisy.conll", &noisy));
    let run = fteval(&["compare", &a, &b, "--format", "json", "--bootstrap", "50"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let doc = run.json();
    let msg = check(&doc, "predicted_non_tags").expect("check");
    assert!(
        msg.contains("noisy.conll: ") && !msg.contains("clean.conll") && msg.contains("'[SEP]' on 14 token(s)"),
        "{msg}"
    );
}

/// A tagger that is perfect on PER and LOC but predicts `[SEP]` on some words: the macro
/// averages (1, 1 and the non-tag type's 0) are the same in every sentence resample. They get a
/// fallback bound — the range when a plausible number of sentences change one prediction each —
/// as classification does, never a bare "(unreliable)" with no interval; the F1 of the type
/// absent from gold stays 0 whatever is predicted. A single sentence has no interval, and the
/// output says why.
#[test]
fn macro_averages_the_bootstrap_cannot_vary_get_a_fallback_bound() {
    let dir = tempfile::tempdir().unwrap();
    let mut noisy = String::new();
    for s in 0..40 {
        for (tok, gold) in [("Peter", "B-PER"), ("visited", "O"), ("Paris", "B-LOC")] {
            let pred = if gold == "O" && s % 3 == 0 { "[SEP]" } else { gold };
            noisy.push_str(&format!("{tok} {gold} {pred}\n"));
        }
        noisy.push('\n');
    }
    let p = write(dir.path(), "noisy.conll", &noisy);
    let bootstrapped = |path: &str| fteval(&["metrics", path, "--format", "json", "--bootstrap", "300"]);
    let doc = ok_json(&bootstrapped(&p));
    for key in ["f1_macro", "precision_macro", "recall_macro"] {
        let m = &doc["metrics"][key];
        let (low, high, v) = (m["ci_low"].as_f64(), m["ci_high"].as_f64(), m["value"].as_f64().unwrap());
        assert!(low.is_some_and(|l| l < v) && high == Some(v), "{key}: {m}");
        assert_eq!(m["ci_method"], "changed_rows_bound", "{key}: {m}");
        assert!(m["unreliable"].as_str().unwrap().contains("change one prediction each"), "{key}: {m}");
    }
    let sep = &doc["per_class"]["SEP]"];
    assert_eq!((sep["f1_ci"][0].as_f64(), sep["f1_ci"][1].as_f64()), (Some(0.0), Some(0.0)), "{sep}");
    let msg = check(&doc, "degenerate_interval").expect("degenerate_interval");
    assert!(msg.contains("f1_macro") && msg.contains("The interval shown is a fallback bound"), "{msg}");

    let one = write(dir.path(), "one.conll", "EU B-ORG B-ORG\nrejects O [SEP]\nPeter B-PER B-PER\n");
    let doc = ok_json(&bootstrapped(&one));
    let m = &doc["metrics"]["f1_macro"];
    assert!(m["ci_low"].is_null() && m["reason"].as_str().unwrap().contains("single sentence"), "{m}");
    let msg = check(&doc, "degenerate_interval").expect("degenerate_interval");
    assert!(msg.contains("No interval is given") && !msg.contains("interval shown"), "{msg}");
    let run = fteval(&["metrics", &one, "--format", "terminal", "--bootstrap", "300"]);
    let row = run.stdout.lines().find(|l| l.trim_start().starts_with("f1_macro")).unwrap();
    assert!(row.contains("no interval (see checks)"), "{row}");
}

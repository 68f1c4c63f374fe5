//! Bad input never panics: exit 2 with what, where and what to do.

mod common;

use std::io::Write;

use common::{data, fteval, fteval_stdin, Run};

fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::File::create(&path).unwrap().write_all(content).unwrap();
    path.to_string_lossy().into_owned()
}

/// Exit 2, a one-line error naming the problem, a hint, and no panic or backtrace.
fn assert_usage_error(run: &Run, must_contain: &[&str]) {
    assert_eq!(run.code, 2, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    for needle in must_contain {
        assert!(run.stderr.contains(needle), "expected {needle:?} in:\n{}", run.stderr);
    }
    for bad in ["panicked", "internal error", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!run.stderr.contains(bad), "{}", run.stderr);
    }
}

fn metrics(path: &str, extra: &[&str]) -> Run {
    let mut args = vec!["metrics", path, "--format", "json"];
    args.extend_from_slice(extra);
    fteval(&args)
}

#[test]
fn missing_and_unreadable_files() {
    assert_usage_error(&metrics("/nonexistent/preds.csv", &[]), &["/nonexistent/preds.csv", "cannot open", "hint:"]);
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "preds.xlsx", b"x");
    assert_usage_error(&metrics(&p, &[]), &["unknown file extension '.xlsx'", "--input-format"]);
    let p = write(&dir, "empty.csv", b"");
    assert_usage_error(&metrics(&p, &[]), &["empty.csv", "header"]);
    let p = write(&dir, "header_only.csv", b"id,label,pred\n");
    assert_usage_error(&metrics(&p, &[]), &["no rows to evaluate"]);
    let p = write(&dir, "bad.csv.gz", b"this is not gzip");
    assert_usage_error(&metrics(&p, &[]), &["bad.csv.gz", "gzip"]);
    let p = write(&dir, "bad.parquet", b"PAR1 not really");
    assert_usage_error(&metrics(&p, &[]), &["bad.parquet", "Parquet"]);
}

#[test]
fn evaluation_without_true_labels_says_how_to_supply_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "preds.csv", b"id,pred,prob\n1,spam,0.9\n2,ham,0.2\n");
    assert_usage_error(&metrics(&p, &[]), &["no gold label column", "true labels", "--label-col", "--gold"]);
    let p = write(&dir, "preds2.csv", b"id,y,guess\n1,spam,spam\n");
    assert_usage_error(&metrics(&p, &["--label-col", "y"]), &["no prediction column", "--pred-col", "guess"]);
    assert_usage_error(&metrics(&p, &["--label-col", "nope"]), &["--label-col nope: no such column", "y, guess"]);
}

#[test]
fn bad_values_name_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "preds.csv", b"label,pred,prob\nspam,spam,0.9\nham,ham,abc\n");
    assert_usage_error(&metrics(&p, &[]), &["line 3", "'prob'", "'abc'", "not a number"]);
    let p = write(&dir, "range.csv", b"label,pred,prob\nspam,spam,0.9\nham,ham,1.7\n");
    assert_usage_error(&metrics(&p, &[]), &["outside [0, 1]", "data row 2"]);
    let p = write(&dir, "missing.csv", b"label,pred\nspam,spam\n,ham\nham,ham\n");
    assert_usage_error(&metrics(&p, &[]), &["line 3", "empty gold label", "--drop-missing"]);
    let run = metrics(&p, &["--drop-missing", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["n"], 2);
    assert!(run.stdout.contains("dropped_rows"));
    let p = write(&dir, "bad.jsonl", b"{\"label\": \"a\", \"pred\": \"a\"}\n{\"label\": \"b\", \"pred\": \n");
    assert_usage_error(&metrics(&p, &[]), &["line 2", "not valid JSON"]);
    let p = write(&dir, "obj.json", b"{\"label\": [\"a\"], \"pred\": [\"a\"]}");
    assert_usage_error(&metrics(&p, &[]), &["array of objects", "orient"]);
    let p = write(
        &dir,
        "mixed.jsonl",
        b"{\"label\": \"a\", \"pred\": \"a\"}\n{\"label\": [\"a\", \"b\"], \"pred\": \"a\"}\n",
    );
    assert_usage_error(&metrics(&p, &[]), &["line 2", "mixes single labels and lists"]);
    let p = write(&dir, "badutf8.csv", b"label,pred\nsp\xffam,spam\n");
    assert_usage_error(&metrics(&p, &[]), &["UTF-8", "line 2"]);
    let p = write(&dir, "list.jsonl", b"{\"label\": \"a\", \"pred\": \"a\", \"probs\": [0.5, 0.3, 0.2]}\n{\"label\": \"b\", \"pred\": \"a\", \"probs\": [0.5, 0.5]}\n");
    assert_usage_error(&metrics(&p, &[]), &["line 2", "2 scores here but 3"]);
}

#[test]
fn label_problems() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "ab.csv", b"label,pred\na,b\nb,b\n");
    assert_usage_error(&metrics(&p, &[]), &["positive class", "--positive LABEL", "a, b"]);
    assert_usage_error(&metrics(&p, &["--positive", "c"]), &["--positive c: no such label", "a, b"]);
    let p = write(&dir, "abc.csv", b"label,pred\na,b\nb,c\n");
    assert_usage_error(&metrics(&p, &["--task", "binary"]), &["3 labels", "--task multiclass"]);
    let p = write(&dir, "one.csv", b"label,pred\na,a\na,a\n");
    assert_usage_error(&metrics(&p, &[]), &["only one label", "--positive"]);
}

#[test]
fn gold_file_problems() {
    let dir = tempfile::tempdir().unwrap();
    let preds = write(&dir, "preds.csv", b"id,pred\n1,a\n2,b\n3,a\n");
    let gold = write(&dir, "gold.csv", b"id,label\n1,a\n2,b\n");
    assert_usage_error(
        &metrics(&preds, &["--gold", &gold, "--positive", "a"]),
        &["1 of 3 prediction ids have no gold label", "'3'"],
    );
    let preds = write(&dir, "p2.csv", b"pred\na\nb\na\n");
    let gold = write(&dir, "g2.csv", b"label\na\nb\n");
    assert_usage_error(&metrics(&preds, &["--gold", &gold, "--positive", "a"]), &["2 gold rows but 3 prediction rows"]);
}

#[test]
fn usage_errors() {
    let run = fteval_stdin(&["metrics", "-", "--format", "json"], Some(b"label,pred\na,a\n".to_vec()));
    assert_usage_error(&run, &["standard input", "--input-format"]);
    assert_usage_error(&metrics(&data("binary.tsv"), &["--ci", "2"]), &["--ci 2"]);
    assert_usage_error(
        &fteval(&["metrics", &data("binary.tsv"), "--output", "/no-such-folder/report.html"]),
        &["--output /no-such-folder/report.html"],
    );
    let run = fteval(&["metrics"]);
    assert_eq!(run.code, 2, "clap usage errors exit 2");
    let run = fteval(&["no-such-command"]);
    assert_eq!(run.code, 2);
}

#[test]
fn continuous_targets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::from("actual,predicted\n");
    for i in 0..40 {
        body.push_str(&format!("{:.3},{:.3}\n", i as f64 * 0.137, i as f64 * 0.141));
    }
    let p = write(&dir, "reg.csv", body.as_bytes());
    assert_usage_error(&metrics(&p, &[]), &["look continuous", "regression"]);
}

/// Regressions found by an adversarial review.
#[test]
fn review_regressions() {
    let dir = tempfile::tempdir().unwrap();
    // All-null logits column: an input error, not a panic.
    let p = write(&dir, "null_logits.jsonl", b"{\"label\": \"a\", \"pred\": \"a\", \"logits\": null}\n{\"label\": \"b\", \"pred\": \"a\", \"logits\": null}\n");
    assert_usage_error(&metrics(&p, &["--positive", "a"]), &["empty in every row"]);
    // Null scores in leading rows that --drop-missing removes, then real lists.
    let p = write(
        &dir,
        "late_k.jsonl",
        b"{\"label\": null, \"pred\": \"a\", \"probs\": null}\n{\"label\": \"a\", \"pred\": \"a\", \"probs\": [0.7, 0.2, 0.1]}\n{\"label\": \"b\", \"pred\": \"c\", \"probs\": [0.1, 0.3, 0.6]}\n{\"label\": \"c\", \"pred\": \"c\", \"probs\": [0.1, 0.2, 0.7]}\n",
    );
    let run = metrics(&p, &["--drop-missing", "--bootstrap", "20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["n"], 3);
    // Ragged rows name the line and the field counts.
    let p = write(&dir, "ragged.csv", b"label,pred\na,a\nb\n");
    assert_usage_error(&metrics(&p, &[]), &["line 3", "1 fields but the header has 2"]);
    // Duplicate role columns are ambiguous.
    let p = write(&dir, "dup.csv", b"label,Label,pred\na,b,a\n");
    assert_usage_error(&metrics(&p, &[]), &["appears 2 times"]);
    // Probabilities outside [0, 1] are refused like a bad score column.
    let p = write(&dir, "neg.csv", b"label,pred,prob_a,prob_b\na,a,1.1,-0.1\nb,b,0.2,0.8\n");
    assert_usage_error(&metrics(&p, &[]), &["outside [0, 1]", "data row 1"]);
    // Duplicate prediction ids when joining gold.
    let preds = write(&dir, "p.csv", b"id,pred\n1,a\n2,b\n2,b\n");
    let gold = write(&dir, "g.csv", b"id,label\n1,a\n2,b\n");
    assert_usage_error(&metrics(&preds, &["--gold", &gold, "--positive", "a"]), &["id '2' appears more than once"]);
}

#[test]
fn gold_file_flags_apply_to_the_right_file() {
    let dir = tempfile::tempdir().unwrap();
    let preds = write(&dir, "p.csv", b"id,yhat,conf\n1,b,0.9\n2,a,0.2\n3,b,0.7\n");
    let gold = write(&dir, "g.csv", b"id,truth\n3,b\n1,a\n2,a\n");
    let run = metrics(
        &preds,
        &["--gold", &gold, "--label-col", "truth", "--pred-col", "yhat", "--score-col", "conf", "--positive", "b"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!((run.metric("accuracy") - 2.0 / 3.0).abs() < 1e-12);
}

//! `fteval leakage` end to end on generated splits with planted leaks of every kind: the JSON
//! contract, exit codes, `--write-clean`, tabular data and bad input.

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use common::fteval;

fn dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("leakage-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A deterministic pseudo-random word stream (independent rows share no long n-grams).
struct Words(u64);

impl Words {
    fn next(&mut self) -> String {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        format!("w{}", (self.0 >> 33) % 5000)
    }

    fn text(&mut self, n: usize) -> Vec<String> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// Writes train.csv (300 rows) and test.csv (100 rows): test 0–4 exact copies (changed case
/// and punctuation), 5–9 one-word edits of 130-word rows, 10–14 30-word spans in new text,
/// 15–16 copies with the other label; the rest independent. Within train: row 283 copies row
/// 150 and row 281 is a one-word edit of row 280, each with the other label.
fn splits() -> (String, String) {
    let mut w = Words(7);
    let mut train: Vec<Vec<String>> = (0..300).map(|i| w.text(60 + i % 80)).collect();
    let label = |i: usize| if i % 2 == 0 { "pos" } else { "neg" };
    let mut test: Vec<(Vec<String>, &str)> = (0..100).map(|i| (w.text(70 + i % 50), "pos")).collect();
    for i in 0..5 {
        let upper: Vec<String> = train[i].iter().map(|t| t.to_uppercase() + ",").collect();
        test[i] = (upper, label(i));
    }
    for i in 5..10 {
        train[100 + i] = w.text(130);
        let mut edited = train[100 + i].clone();
        edited[60] = "edited".into();
        test[i] = (edited, label(100 + i));
    }
    for i in 10..15 {
        let mut t = w.text(40);
        t.extend(train[200 + i][3..33].iter().cloned());
        t.extend(w.text(40));
        test[i] = (t, "pos");
    }
    for i in 15..17 {
        test[i] = (train[250 + i].clone(), if label(250 + i) == "pos" { "neg" } else { "pos" });
    }
    train[283] = train[150].clone();
    train[280] = w.text(130);
    train[281] = train[280].clone();
    train[281][70] = "edited".into();
    let mut tr = String::from("id,text,label\n");
    for (i, t) in train.iter().enumerate() {
        writeln!(tr, "tr{i},\"{}\",{}", t.join(" "), label(i)).unwrap();
    }
    let mut te = String::from("id,text,label\n");
    for (i, (t, l)) in test.iter().enumerate() {
        writeln!(te, "te{i},\"{}\",{l}", t.join(" ")).unwrap();
    }
    let d = dir();
    std::fs::write(d.join("train.csv"), tr).unwrap();
    std::fs::write(d.join("test.csv"), te).unwrap();
    (d.join("train.csv").to_string_lossy().into_owned(), d.join("test.csv").to_string_lossy().into_owned())
}

#[test]
fn planted_leaks_are_found_and_the_clean_rows_written() {
    let (train, test) = splits();
    let clean = dir().join("clean.csv");
    let clean_s = clean.to_string_lossy().into_owned();
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--write-clean", &clean_s, "--format", "json"]);
    // 17% of the test rows leak: above the default 1%, so exit 1.
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["schema"], "fteval.leakage/v1");
    assert_eq!((doc["train_rows"].as_u64(), doc["test_rows"].as_u64()), (Some(300), Some(100)));
    let s = &doc["summary"];
    assert_eq!(s["exact_duplicates"], 7, "{s}");
    assert_eq!(s["near_duplicates"], 5, "{s}");
    assert_eq!(s["contaminated"], 5, "{s}");
    assert_eq!(s["label_conflicts"], 2, "{s}");
    assert!((s["leaked_fraction"].as_f64().unwrap() - 0.17).abs() < 1e-12);
    assert_eq!(s["clean_rows"], 83);
    let flagged = doc["test_rows_flagged"].as_array().unwrap();
    let find = |id: &str| flagged.iter().find(|f| f["test_id"] == id).unwrap_or_else(|| panic!("{id} not flagged"));
    assert_eq!(find("te0")["kind"], "exact");
    assert_eq!(find("te0")["train_id"], "tr0");
    assert_eq!(find("te5")["kind"], "near");
    assert_eq!(find("te5")["train_id"], "tr105");
    assert!(find("te5")["jaccard"].as_f64().unwrap() >= 0.8);
    assert_eq!(find("te10")["kind"], "contaminated");
    assert!(find("te10")["longest_shared_run"].as_u64().unwrap() >= 30);
    assert_eq!(find("te15")["label_conflict"], true);
    assert!(doc["checks"].as_array().unwrap().iter().any(|c| c["id"] == "test_leakage" && c["severity"] == "fail"));
    // Within train: one copied text and one near pair, both with conflicting labels.
    let tr = &doc["train"];
    assert_eq!((tr["duplicated_rows"].as_u64(), tr["conflicting_texts"].as_u64()), (Some(2), Some(1)), "{tr}");
    assert_eq!((tr["near_duplicated_rows"].as_u64(), tr["near_conflicting_rows"].as_u64()), (Some(2), Some(2)), "{tr}");
    assert_eq!(doc["test"]["near_duplicated_rows"], 0);
    assert!(doc["checks"].as_array().unwrap().iter().any(|c| c["id"] == "label_conflicts_within_split"));
    // The clean file holds the 83 other rows, every column kept, and has no leak left.
    let text = std::fs::read_to_string(&clean).unwrap();
    assert_eq!(text.lines().count(), 84);
    assert!(text.starts_with("id,text,label\n") && !text.contains("\nte0,"));
    let run = fteval(&["leakage", "--train", &train, "--test", &clean_s, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["summary"]["leaked_fraction"], 0.0);
    // --max-leak 0.2 lets 17% pass with a warning; the terminal report names the rows.
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--max-leak", "0.2", "--format", "terminal"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("te0") && run.stdout.contains("17 of 100 test rows"), "{}", run.stdout);
    let md = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "markdown"]).stdout;
    assert!(md.starts_with("## fteval leakage") && md.contains("| te0 | exact | tr0 |"), "{md}");
}

#[test]
fn datasketch_scheme_finds_the_same_near_duplicates() {
    let (train, test) = splits();
    let doc =
        fteval(&["leakage", "--train", &train, "--test", &test, "--minhash-scheme", "datasketch", "--format", "json"])
            .json();
    assert_eq!(doc["settings"]["minhash_scheme"], "datasketch");
    assert_eq!(doc["summary"]["near_duplicates"], 5);
}

#[test]
fn tabular_rows_are_compared_on_their_feature_columns() {
    let d = dir();
    std::fs::write(d.join("tab_train.csv"), "id,age,income,label\n1,34,52000,yes\n2,51,61000,no\n3,29,38000,no\n")
        .unwrap();
    std::fs::write(d.join("tab_test.csv"), "id,age,income,label\n9,51,61000,no\n10,40,45000,yes\n").unwrap();
    let doc = fteval(&[
        "leakage",
        "--train",
        &d.join("tab_train.csv").to_string_lossy(),
        "--test",
        &d.join("tab_test.csv").to_string_lossy(),
        "--format",
        "json",
    ])
    .json();
    assert_eq!(doc["test"]["compared"], "all feature columns: age, income");
    assert_eq!(doc["summary"]["exact_duplicates"], 1);
    assert_eq!(doc["test_rows_flagged"][0]["train_id"], "2");
}

#[test]
fn bad_input_exits_2_naming_the_file_or_flag() {
    let (train, test) = splits();
    let run = fteval(&["leakage", "--train", "no/such/train.csv", "--test", &test]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no/such/train.csv") && run.stderr.contains("hint: "), "{}", run.stderr);
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--text-col", "body"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--text-col body"), "{}", run.stderr);
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--threshold", "1.5"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--threshold"), "{}", run.stderr);
}

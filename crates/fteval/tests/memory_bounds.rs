//! Hostile and huge input (issue 16, memory): many classes, many entity types, masses of
//! identical leakage rows and very long generations finish with bounded memory, time and
//! report size, and say where a report holds less than everything.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::{fteval, Run};

fn write(dir: &tempfile::TempDir, name: &str, content: &str) -> String {
    let path = dir.path().join(name);
    std::fs::File::create(&path).unwrap().write_all(content.as_bytes()).unwrap();
    path.to_string_lossy().into_owned()
}

/// No panic, abort or allocation failure in stderr.
fn assert_clean(run: &Run) {
    for bad in ["panicked", "memory allocation", "overflowed its stack"] {
        assert!(!run.stderr.contains(bad), "{}", run.stderr);
    }
}

/// `rows` predictions over `k` classes: row i is gold class i % k, predicted right on even rows.
fn classification(k: usize, rows: usize) -> String {
    let mut s = String::from("label,prediction\n");
    for i in 0..rows {
        let g = i % k;
        let p = if i % 2 == 0 { g } else { (g * 7 + 3) % k };
        s.push_str(&format!("c{g},c{p}\n"));
    }
    s
}

fn check_ids(doc: &serde_json::Value) -> Vec<String> {
    doc["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

/// Above 1000 classes the JSON confusion matrix is its non-zero cells, which add up to the rows,
/// and the report says so; the terminal and Markdown reports show 30 classes and 100 rows.
#[test]
fn many_classes_write_a_sparse_matrix_and_bounded_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (k, rows) = (1500, 4500);
    let path = write(&dir, "many.csv", &classification(k, rows));
    let run = fteval(&["metrics", &path, "--format", "json", "--bootstrap", "20"]);
    assert_clean(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let cm = &doc["confusion_matrix"];
    assert_eq!(cm["sparse"], true);
    assert!(cm.get("matrix").is_none());
    assert_eq!(cm["labels"].as_array().unwrap().len(), k);
    let cells = cm["cells"].as_array().unwrap();
    let total: u64 = cells.iter().map(|c| c[2].as_u64().unwrap()).sum();
    assert_eq!(total, rows as u64);
    assert!(cells.len() <= 2 * k, "{} cells", cells.len());
    assert!(cells.iter().all(|c| c[2].as_u64().unwrap() > 0 && c[0].as_u64().unwrap() < k as u64));
    assert_eq!(doc["per_class"].as_object().unwrap().len(), k, "JSON keeps every per-class row");
    let capped = doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == "output_capped").expect("output_capped");
    assert!(capped["message"].as_str().unwrap().contains("\"sparse\": true"), "{capped}");

    for format in ["terminal", "markdown"] {
        let run = fteval(&["metrics", &path, "--format", format, "--bootstrap", "20"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.len() < 100_000, "{format}: {} bytes", run.stdout.len());
        assert!(run.stdout.contains("more classes"), "{format}");
    }
    let html = dir.path().join("r.html");
    let run = fteval(&["metrics", &path, "--format", "html", "--bootstrap", "20", "--output", html.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::metadata(&html).unwrap().len() < 2_000_000);
}

/// A few classes keep SPEC's dense `matrix` and no output_capped note.
#[test]
fn few_classes_keep_the_dense_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "few.csv", &classification(3, 60));
    let run = fteval(&["metrics", &path, "--format", "json", "--bootstrap", "20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let m = doc["confusion_matrix"]["matrix"].as_array().unwrap();
    assert_eq!(m.len(), 3);
    assert!(doc["confusion_matrix"].get("sparse").is_none());
    assert!(!check_ids(&doc).contains(&"output_capped".to_string()));
}

/// 30 000 classes × 60 000 rows (the case, which took 8 GB): seconds, not an abort.
#[test]
fn thirty_thousand_classes_finish() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "huge.csv", &classification(30_000, 60_000));
    let start = Instant::now();
    let run = fteval(&["metrics", &path, "--format", "json", "--bootstrap", "0"]);
    assert_clean(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    assert_eq!(run.json()["confusion_matrix"]["sparse"], true);
}

/// A CoNLL file over many entity types whose sentence bootstrap would be too large gives the
/// point values and a bootstrap_skipped check naming the sizes and the flag.
#[test]
fn many_entity_types_skip_the_bootstrap_with_a_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut conll = String::new();
    for s in 0..3000 {
        let (t, u) = (s % 2500, (s * 7) % 2500);
        conll.push_str(&format!("w B-T{t} B-T{u}\nx I-T{t} I-T{u}\ny O O\n\n"));
    }
    let path = write(&dir, "types.conll", &conll);
    let run = fteval(&["metrics", &path, "--format", "json", "--bootstrap", "10000"]);
    assert_clean(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let skipped = doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == "bootstrap_skipped").expect("skipped");
    let msg = skipped["message"].as_str().unwrap();
    assert!(msg.contains("2500 entity types") && msg.contains("--bootstrap"), "{msg}");
    assert!(doc["metrics"]["f1"]["value"].as_f64().is_some());
    let run = fteval(&["metrics", &path, "--format", "json", "--bootstrap", "20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!check_ids(&run.json()).contains(&"bootstrap_skipped".to_string()));
}

/// 200 000 identical training rows and 2000 identical test rows: one exact-duplicate group,
/// found in seconds (the pairs used to grow with the product of the two).
#[test]
fn masses_of_identical_rows_are_one_duplicate_group() {
    let dir = tempfile::tempdir().unwrap();
    let line = "the very same sentence is repeated in every single row of this file,a\n";
    let train = write(&dir, "train.csv", &format!("text,label\n{}", line.repeat(200_000)));
    let test =
        write(&dir, "test.csv", &format!("text,label\n{}other words entirely here and there,b\n", line.repeat(2000)));
    let start = Instant::now();
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "json"]);
    assert_clean(&run);
    assert_eq!(run.code, 1, "every test copy leaks: {}", run.stderr);
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    let doc = run.json();
    let flagged = doc["test_rows_flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 2000);
    assert!(flagged.iter().all(|f| f["kind"] == "exact"), "{}", flagged[0]);
}

/// A MinHash index too large for the splits is refused naming --num-perm and the sizes.
#[test]
fn an_index_too_large_names_num_perm() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..5000).map(|i| format!("row number {i} of the test split,a\n")).collect();
    let test = write(&dir, "test.csv", &format!("text,label\n{rows}"));
    let train = write(&dir, "train.csv", "text,label\nsomething else,a\n");
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--num-perm", "65536"]);
    assert_clean(&run);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--num-perm") && run.stderr.contains("5000 test"), "{}", run.stderr);
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--num-perm", "10000000"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--num-perm"), "{}", run.stderr);
}

/// One 50 000-word generation example: ROUGE-L's LCS in well under the old quadratic minutes.
#[test]
fn a_long_generation_is_scored_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let words = |salt: usize| -> String {
        (0..50_000).map(|i| format!("w{}", (i * 7919 + salt) % 3001)).collect::<Vec<_>>().join(" ")
    };
    let line = serde_json::json!({"prediction": words(1), "reference": words(5)}).to_string();
    let path = write(&dir, "long.jsonl", &format!("{line}\n"));
    let start = Instant::now();
    let run = fteval(&["metrics", &path, "--format", "json"]);
    assert_clean(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    let l = run.metric("rougeL");
    assert!((0.0..=1.0).contains(&l));
}

/// `compare` and `rank` of NER files whose paired sentence table (dense over the entity types)
/// would pass 1 GiB are refused naming the sizes, instead of failing to allocate.
#[test]
fn compare_of_too_many_entity_types_is_refused_with_the_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let mut conll = String::new();
    for s in 0..9000 {
        let t = s % 2500;
        conll.push_str(&format!("w B-T{t} B-T{t}\ny O O\n\n"));
    }
    let a = write(&dir, "a.conll", &conll);
    let b = write(&dir, "b.conll", &conll);
    for command in ["compare", "rank"] {
        let run = fteval(&[command, &a, &b, "--bootstrap", "10"]);
        assert_clean(&run);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(run.stderr.contains("9000 sentences") && run.stderr.contains("2500 entity types"), "{}", run.stderr);
    }
}

#[test]
fn a_leakage_split_of_many_short_rows_is_limited_by_what_the_scan_holds_not_by_its_size() {
    let dir = tempfile::tempdir().unwrap();
    // 40,000 rows of 26 bytes: a 1 MiB file, but the scan holds about 21 MB for it, above twice 4 MiB.
    let train = write(&dir, "train.csv", &format!("id,text,label\n{}", "1,the same text again,pos\n".repeat(40_000)));
    let test = write(&dir, "test.csv", "id,text,label\nt1,some test sentence here,pos\nt2,another one,neg\n");
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--max-input-size", "4M", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_clean(&run);
    for part in ["train.csv", "line ", "leakage scan", "8 MiB", "4 MiB input-size limit", "--max-input-size"] {
        assert!(run.stderr.contains(part), "{part} not in {}", run.stderr);
    }
    // Under a limit that holds it, the same split is scanned: one exact-duplicate group, no leak.
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--max-input-size", "64M", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
}

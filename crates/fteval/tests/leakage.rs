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

/// Categorical columns shared by unrelated rows of an instruction-tuning split (their names and
/// values alone make a 13-word run that every row with the same values shares).
const TOPICS: [&str; 4] = ["machine learning", "model training", "data pipelines", "evaluation"];

/// Instruction, input and output.
type Instruction = (String, String, String);

/// One instruction/response row: disjoint random text, shared categorical columns.
fn instruction_row(id: String, i: usize, split: &str, fields: [&str; 3], (ins, inp, out): &Instruction) -> String {
    let (topic, difficulty, source) =
        (TOPICS[i % 4], ["easy", "medium", "hard"][i % 3], ["self_instruct", "human written"][i % 2]);
    let mut row = serde_json::json!({
        "id": id,
        "topic": topic,
        "difficulty": difficulty,
        "source": source,
        "split": split,
        "language": "en",
        "license": "cc-by-sa-4.0",
        "task_type": "open qa",
        "n_turns": 1 + i % 2,
    });
    for (name, text) in fields.iter().zip([ins, inp, out]) {
        row[name] = text.as_str().into();
    }
    format!("{row}\n")
}

/// Writes `{name}_train.jsonl` (240 rows) and `{name}_test.jsonl` (80 rows) of instruction
/// data whose texts are disjoint, its three text fields named `fields`, then lets `leak` change rows (instruction, input, output)
/// before they are written. Returns the two paths.
fn instruction_splits(
    name: &str,
    fields: [&str; 3],
    leak: impl Fn(&mut [Instruction], &mut [Instruction]),
) -> (String, String) {
    let mut w = Words(99);
    let mut rows = |n: usize| -> Vec<Instruction> {
        (0..n)
            .map(|i| {
                let input = if i % 3 == 0 { w.text(12).join(" ") } else { String::new() };
                (w.text(5 + i % 6).join(" "), input, w.text(6 + i % 25).join(" "))
            })
            .collect()
    };
    let mut train = rows(240);
    let mut test = rows(80);
    leak(&mut train, &mut test);
    let d = dir();
    let write = |split: &str, rows: &[Instruction]| {
        let text: String = rows
            .iter()
            .enumerate()
            .map(|(i, row)| instruction_row(format!("{split}-{i}"), i, split, fields, row))
            .collect();
        let path = d.join(format!("{name}_{split}.jsonl"));
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    (write("train", &train), write("test", &test))
}

#[test]
fn a_clean_instruction_split_with_shared_categorical_columns_does_not_leak() {
    let (train, test) = instruction_splits("clean", ["instruction", "context", "response"], |_, _| {});
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["summary"]["leaked_fraction"], 0.0, "{}", doc["test_rows_flagged"]);
    assert_eq!(doc["test"]["text_fields"], serde_json::json!(["instruction", "context", "response"]));
    assert_eq!(doc["test"]["compared"], "instruction, context, response");
    let left_out: Vec<(&str, &str)> = doc["test"]["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["column"].as_str().unwrap(), l["reason"].as_str().unwrap()))
        .collect();
    let reason = |c: &str| left_out.iter().find(|l| l.0 == c).unwrap_or_else(|| panic!("{c}: {left_out:?}")).1;
    for c in ["topic", "difficulty", "source", "split", "language", "license", "task_type"] {
        assert!(reason(c).starts_with("repeated values: "), "{c}: {}", reason(c));
    }
    assert_eq!(reason("n_turns"), "numbers only");
    assert_eq!(reason("id"), "the row id");
    // The terminal report says what was compared and what left out.
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "terminal"]);
    assert!(
        run.stdout.contains(
            "Compared: instruction, context, response. Left out: id (the row id); topic (repeated values: 4 distinct in 320 rows); difficulty (repeated values: 3 distinct in 320 rows);"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn instruction_rows_whose_text_overlaps_are_flagged_whatever_their_categories() {
    let (train, test) = instruction_splits("leaky", ["instruction", "input", "output"], |train, test| {
        // 0–3: the same instruction, input and output as a training row, in other case and
        // spacing; the test row's topic, difficulty and source differ (its index differs).
        for i in 0..4 {
            let (ins, inp, out) = &train[10 * i + 1];
            test[i] = (format!("  {}!", ins.to_uppercase()), inp.clone(), out.replace(' ', "  "));
        }
        // 4–7: a 60-word output with one word changed, and the same instruction.
        let mut w = Words(1234);
        for i in 4..8 {
            let t = &mut train[100 + i];
            t.2 = w.text(60).join(" ");
            let mut words: Vec<&str> = t.2.split(' ').collect();
            words[30] = "edited";
            test[i] = (t.0.clone(), t.1.clone(), words.join(" "));
        }
    });
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "json"]);
    assert_eq!(run.code, 1, "8 of 80 rows leak: above 1%");
    let doc = run.json();
    let flagged: Vec<(String, String, String)> = doc["test_rows_flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["test_id"].as_str().unwrap().into(), f["kind"].as_str().unwrap().into(), f["train_id"].to_string()))
        .collect();
    let want: Vec<(String, String, String)> = (0..8)
        .map(|i| {
            let (kind, train) = if i < 4 { ("exact", 10 * i + 1) } else { ("near", 100 + i) };
            (format!("test-{i}"), kind.to_string(), format!("\"train-{train}\""))
        })
        .collect();
    assert_eq!(flagged, want);
}

#[test]
fn an_explicit_text_column_wins_over_the_text_fields() {
    let (train, test) = instruction_splits("explicit", ["instruction", "input", "output"], |train, test| {
        test[0].0 = train[5].0.clone()
    });
    let doc = fteval(&["leakage", "--train", &train, "--test", &test, "--text-col", "instruction", "--format", "json"])
        .json();
    assert_eq!(doc["test"]["compared"], "instruction");
    assert_eq!(doc["test"]["text_fields"], serde_json::json!(["instruction"]));
    assert!(doc["test"]["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["column"] == "output" && l["reason"] == "--text-col names the text"));
    // The copied instruction alone is an exact copy now; with every text field it was not.
    assert_eq!(doc["test_rows_flagged"][0]["test_id"], "test-0");
    assert_eq!(doc["test_rows_flagged"][0]["kind"], "exact");
    let doc = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "json"]).json();
    assert_ne!(doc["test_rows_flagged"].get(0).map(|f| f["kind"].clone()), Some("exact".into()));
}

/// Chat data: `messages` lists with the same long system prompt in every conversation and a
/// shared category; only the turns' contents are compared, and the repeated system turn is not.
#[test]
fn chat_messages_are_compared_on_their_turns_contents() {
    let mut w = Words(5);
    let system = "You are a careful assistant for machine learning engineers. Answer in two or three short sentences and cite the docs.";
    let mut conversation = |i: usize| {
        let (q, a) = (w.text(4 + i % 5).join(" "), w.text(5 + i % 9).join(" "));
        serde_json::json!([{"role": "system", "content": system}, {"role": "user", "content": q}, {"role": "assistant", "content": a}])
    };
    let train: Vec<serde_json::Value> = (0..120).map(&mut conversation).collect();
    let mut test: Vec<serde_json::Value> = (0..60).map(&mut conversation).collect();
    test[7] = train[33].clone();
    let write = |name: &str, rows: &[serde_json::Value], prefix: &str| {
        let text: String = rows
            .iter()
            .enumerate()
            .map(|(i, m)| {
                format!(
                    "{}\n",
                    serde_json::json!({"id": format!("{prefix}{i}"), "messages": m, "category": TOPICS[i % 4]})
                )
            })
            .collect();
        let p = dir().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let (train, test) = (write("chat_train.jsonl", &train, "tr"), write("chat_test.jsonl", &test, "te"));
    let doc = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "json", "--max-leak", "0.05"]).json();
    let flagged: Vec<(&str, &str)> = doc["test_rows_flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["test_id"].as_str().unwrap(), f["train_id"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(flagged, [("te7", "tr33")], "{doc}");
    assert_eq!(doc["test"]["text_fields"], serde_json::json!(["messages"]));
    let left_out = doc["test"]["left_out"].to_string();
    assert!(left_out.contains("\"column\":\"category\"") && left_out.contains("system prompt"), "{left_out}");
}

/// `check` on a generation project whose instruction splits share categorical columns but no
/// text: the leakage part passes, so the verdict is not "do not ship".
#[test]
fn check_does_not_stop_a_clean_instruction_split() {
    let (train, test) = instruction_splits("check", ["instruction", "context", "completion"], |_, _| {});
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(&train, d.path().join("train.jsonl")).unwrap();
    std::fs::copy(&test, d.path().join("test.jsonl")).unwrap();
    let mut w = Words(3);
    let (mut base, mut cand) = (String::new(), String::new());
    for i in 0..80 {
        let reference = w.text(10).join(" ");
        let guess = w.text(10).join(" ");
        let better = if i % 2 == 0 { &reference } else { &guess };
        base.push_str(&format!("{}\n", serde_json::json!({"id": i, "prediction": guess, "reference": reference})));
        cand.push_str(&format!("{}\n", serde_json::json!({"id": i, "prediction": better, "reference": reference})));
    }
    std::fs::write(d.path().join("base.jsonl"), base).unwrap();
    std::fs::write(d.path().join("cand.jsonl"), cand).unwrap();
    let config = d.path().join("fteval.toml");
    std::fs::write(
        &config,
        "[files]\nbaseline = \"base.jsonl\"\ncandidate = \"cand.jsonl\"\ntrain = \"train.jsonl\"\ntest = \"test.jsonl\"\n",
    )
    .unwrap();
    let run = fteval(&["check", &config.to_string_lossy(), "--format", "json", "--bootstrap", "200"]);
    let doc = run.json();
    assert_ne!(doc["verdict"], "do_not_ship", "{}", doc["reasons"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(doc["leakage"]["summary"]["leaked_fraction"], 0.0);
}

/// A detected label column holding prose (LLaMA-Factory's `label`, a reference answer) is a
/// text field, not a label; lists that hold only values repeated in many rows (class names
/// with scores) are not text, and a file with no other text is compared as tabular data.
#[test]
fn prose_labels_are_text_and_lists_of_class_names_are_not() {
    let mut w = Words(77);
    let rows: Vec<(String, String)> = (0..60).map(|i| (w.text(8 + i % 5).join(" "), w.text(20).join(" "))).collect();
    let write = |name: &str, rows: &[(String, String)]| {
        let text: String = rows
            .iter()
            .map(|(p, l)| format!("{}\n", serde_json::json!({"prompt": p, "label": l, "dataset": "alpaca_en"})))
            .collect();
        let p = dir().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let mut test: Vec<(String, String)> =
        (0..30).map(|i| (w.text(9).join(" "), w.text(15 + i % 4).join(" "))).collect();
    test[4] = (test[4].0.clone(), rows[9].1.clone());
    let (train, test) = (write("lf_train.jsonl", &rows), write("lf_test.jsonl", &test));
    let doc = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "json", "--max-leak", "0.1"]).json();
    assert_eq!(doc["test"]["text_fields"], serde_json::json!(["prompt", "label"]));
    assert_eq!(doc["test"]["label_column"], serde_json::Value::Null);
    // The copied 20-word reference alone shares a 13-gram: contaminated, not a label conflict.
    let flagged = doc["test_rows_flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!((flagged[0]["test_id"].as_str(), flagged[0]["kind"].as_str()), (Some("5"), Some("contaminated")));

    // Class names with scores, 40 rows: no text field, so every feature column is compared.
    let classes: String = (0..40)
        .map(|i| {
            let scores = serde_json::json!([{"Name": "Cancellation", "Score": 0.5 + i as f64 / 100.0}, {"Name": "Refund", "Score": 0.1}]);
            format!("{}\n", serde_json::json!({"File": "test.csv", "Line": i, "Classes": scores}))
        })
        .collect();
    let path = dir().join("classes.jsonl");
    std::fs::write(&path, classes).unwrap();
    let p = path.to_string_lossy().into_owned();
    let doc = fteval(&["leakage", "--train", &p, "--test", &p, "--format", "json", "--max-leak", "1"]).json();
    assert_eq!(doc["test"]["compared"], "all feature columns: File, Line, Classes");
    assert_eq!(doc["summary"]["exact_duplicates"], 40, "a file against itself: every row is a copy");
}

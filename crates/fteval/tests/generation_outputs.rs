//! Generation outputs as fine-tuning tools write them (issue 15, item 1), end to end on files the
//! tests make: shapes recognised without flags, metric names that keep their case, the primary
//! metric chosen from the data, empty references, two models in one file, and scripts without
//! spaces.

mod common;

use std::path::PathBuf;

use common::{fteval, fteval_in, words, write_jsonl};
use serde_json::{json, Value};

fn dir(tag: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("gen-outputs-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Long-form references (20 words); the candidate copies the reference's first 12 words and the
/// baseline its first 6, so neither is ever an exact match while ROUGE-L rises.
fn long_form_pair(d: &std::path::Path) -> (String, String) {
    let mut seed = 11;
    let (mut base, mut cand) = (Vec::new(), Vec::new());
    for i in 0..80 {
        let reference = words(&mut seed, 20);
        let w: Vec<&str> = reference.split(' ').collect();
        let noise = words(&mut seed, 8);
        base.push(json!({"id": i, "prediction": format!("{} {noise}", w[..6].join(" ")), "reference": reference}));
        cand.push(json!({"id": i, "prediction": format!("{} {noise}", w[..12].join(" ")), "reference": reference}));
    }
    (write_jsonl(d, "base.jsonl", &base), write_jsonl(d, "cand.jsonl", &cand))
}

#[test]
fn metric_names_keep_their_case_in_compare_rank_and_config() {
    let d = dir("case");
    let (base, cand) = long_form_pair(&d);
    for key in ["rougeL", "rougeLsum", "ROUGEL"] {
        let run = fteval(&["compare", &base, &cand, "--primary", key, "--format", "json", "--bootstrap", "200"]);
        assert_eq!(run.code, 0, "{key}: {}", run.stderr);
        let want = if key == "rougeLsum" { "rougeLsum" } else { "rougeL" };
        assert_eq!(run.json()["primary_metric"], want, "{key}");
        assert_eq!(run.json()["verdict"], "improved", "{key}");
    }
    let run = fteval(&["rank", &base, &cand, "--primary", "rougeLsum", "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["primary_metric"], "rougeLsum", "{}", run.stdout);
    std::fs::write(d.join("fteval.toml"), "primary = \"rougeL\"\n[gates]\nrequire = [\"rougeL>=0.1\"]\n").unwrap();
    let run = fteval_in(&d, &["compare", "base.jsonl", "cand.jsonl", "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["primary_metric"], "rougeL");
    // A wrong name in the config is named by its key, not by a flag.
    std::fs::write(d.join("fteval.toml"), "primary = \"rouge_l\"\n").unwrap();
    let run = fteval_in(&d, &["compare", "base.jsonl", "cand.jsonl", "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("fteval.toml: line 1: primary = \"rouge_l\"") && !run.stderr.contains("--primary"),
        "{}",
        run.stderr
    );
    std::fs::write(d.join("fteval.toml"), "[gates]\nrequire = [\"rouge_x>=0.1\"]\n").unwrap();
    let run = fteval_in(&d, &["compare", "base.jsonl", "cand.jsonl", "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("fteval.toml: line 2: [gates] require = \"rouge_x>=0.1\""), "{}", run.stderr);
}

fn check<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    doc["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == id))
}

#[test]
fn long_form_outputs_are_judged_on_rouge_l_and_the_output_says_why() {
    let d = dir("primary");
    let (base, cand) = long_form_pair(&d);
    let run = fteval(&["compare", &base, &cand, "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["primary_metric"], "rougeL");
    assert_eq!(doc["verdict"], "improved");
    let why = check(&doc, "primary_metric").expect("the choice is stated")["message"].as_str().unwrap().to_string();
    assert!(why.contains("long-form") && why.contains("median 20 words"), "{why}");
    // Both models score 0 exact match: judged on it, nothing changed.
    let run = fteval(&["compare", &base, &cand, "--format", "json", "--bootstrap", "200", "--profile", "qa"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["primary_metric"], "exact_match");
    assert!(check(&run.json(), "primary_metric").is_none());
    let run = fteval(&["compare", &base, &cand, "--format", "json", "--bootstrap", "200", "--primary", "chrf"]);
    assert_eq!(run.json()["primary_metric"], "chrf");
    let run = fteval(&["rank", &base, &cand, "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.json()["primary_metric"], "rougeL", "{}", run.stdout);
    // Short answers: exact match, in metrics too.
    let rows: Vec<Value> = (0..40)
        .map(|i| json!({"question": format!("q{i}?"), "answer": format!("a{i}"), "prediction": format!("a{}", i % 3)}))
        .collect();
    let qa = write_jsonl(&d, "qa.jsonl", &rows);
    let run = fteval(&["metrics", &qa, "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let why = check(&run.json(), "primary_metric").unwrap()["message"].as_str().unwrap().to_string();
    assert!(why.contains("exact_match (short answers)"), "{why}");
    // A generation profile on a classifier is a usage error.
    let csv = d.join("cls.csv");
    std::fs::write(&csv, "label,pred\n1,1\n0,1\n1,0\n0,0\n").unwrap();
    let csv = csv.to_string_lossy();
    let run = fteval(&["compare", &csv, &csv, "--profile", "summarization", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("profile summarization"), "{}", run.stderr);
}

#[test]
fn tool_shapes_are_read_with_no_flags() {
    let d = dir("shapes");
    // LLaMA-Factory's generated_predictions.jsonl.
    let rows: Vec<Value> = (0..6)
        .map(|i| json!({"prompt": format!("user\nQ{i}\nassistant\n"), "predict": format!("answer {i}"), "label": format!("answer {}", i % 2)}))
        .collect();
    let lf = write_jsonl(&d, "generated_predictions.jsonl", &rows);
    for extra in [&[][..], &["--pred-col", "predict"]] {
        let mut args = vec!["metrics", lf.as_str(), "--format", "json", "--bootstrap", "0"];
        args.extend_from_slice(extra);
        let run = fteval(&args);
        assert_eq!(run.code, 0, "{extra:?}: {}", run.stderr);
        let doc = run.json();
        assert_eq!(doc["task"], "generation");
        assert_eq!(doc["generation"]["prediction_column"], "predict");
        assert_eq!(doc["generation"]["reference_column"], "label");
        assert!((doc["metrics"]["exact_match"]["value"].as_f64().unwrap() - 2.0 / 6.0).abs() < 1e-12);
    }
    // prompt/completion with a separate prediction: completion is the reference, and the report says so.
    let rows: Vec<Value> = (0..4)
        .map(|i| json!({"prompt": "p", "completion": format!("c{i}"), "prediction": format!("c{}", i / 2)}))
        .collect();
    let pc = write_jsonl(&d, "pc.jsonl", &rows);
    let run = fteval(&["metrics", &pc, "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["generation"]["reference_column"], "completion");
    let why = check(&doc, "generation_columns").unwrap()["message"].as_str().unwrap().to_string();
    assert!(why.contains("'completion' is the reference because 'prediction' holds the generated text"), "{why}");
    // A lone prompt/completion file: exit 2 naming the columns and the flags.
    let lone = write_jsonl(&d, "lone.jsonl", &[json!({"prompt": "p", "completion": "c"})]);
    let run = fteval(&["metrics", &lone, "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("lone.jsonl") && run.stderr.contains("'completion'"), "{}", run.stderr);
    assert!(run.stderr.contains("--pred-col") && run.stderr.contains("--ref-col"), "{}", run.stderr);
    let run = fteval(&["metrics", &lone, "--format", "json", "--pred-col", "completion", "--ref-col", "prompt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Chat messages: the reference is the last assistant turn.
    let rows: Vec<Value> = (0..3)
        .map(|i| {
            json!({"messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": format!("q{i}")},
                {"role": "assistant", "content": format!("r{i}")}
            ], "response": format!("r{}", i.min(1))})
        })
        .collect();
    let chat = write_jsonl(&d, "chat.jsonl", &rows);
    let run = fteval(&["metrics", &chat, "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["generation"]["reference_column"], "messages (last assistant turn)");
    assert!((doc["metrics"]["exact_match"]["value"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    // input/output/target in CSV: the output is the generated text next to the target.
    let iot = d.join("iot.csv");
    std::fs::write(&iot, "input,output,target\nsummarise a,the cat sat on the rug,the cat sat on a mat\nsummarise b,dogs bark at night,dogs bark at night\n").unwrap();
    let run = fteval(&["metrics", &iot.to_string_lossy(), "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["generation"]["prediction_column"], "output");
    assert_eq!(run.json()["metrics"]["exact_match"]["value"], 0.5);
}

#[test]
fn empty_references_are_flagged_and_dropped_on_request() {
    let d = dir("empty");
    let mut rows: Vec<Value> =
        (0..8).map(|i| json!({"predict": format!("a{i}"), "label": format!("a{}", i % 4)})).collect();
    rows.push(json!({"predict": "", "label": ""}));
    rows.push(json!({"predict": "", "label": ""}));
    rows.push(json!({"predict": "", "label": "x"}));
    let f = write_jsonl(&d, "lf.jsonl", &rows);
    let run = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    // 4 real matches + 2 empty-vs-empty of 11.
    assert!((doc["metrics"]["exact_match"]["value"].as_f64().unwrap() - 6.0 / 11.0).abs() < 1e-12);
    let er = check(&doc, "empty_references").unwrap()["message"].as_str().unwrap().to_string();
    assert!(er.starts_with("2 of 11 references are empty") && er.contains("--drop-missing"), "{er}");
    let ep = check(&doc, "empty_predictions").unwrap()["message"].as_str().unwrap().to_string();
    assert!(ep.starts_with("1 of 11 predictions are empty"), "{ep}");
    let run = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "0", "--drop-missing"]);
    let doc = run.json();
    assert_eq!(doc["n"], 9);
    assert!((doc["metrics"]["exact_match"]["value"].as_f64().unwrap() - 4.0 / 9.0).abs() < 1e-12);
    assert!(check(&doc, "empty_references").is_none());
    let dropped = check(&doc, "dropped_rows").unwrap()["message"].as_str().unwrap().to_string();
    assert!(dropped.contains("2 of them with an empty reference"), "{dropped}");
}

#[test]
fn two_generation_models_in_one_file() {
    let d = dir("onefile");
    let mut seed = 5;
    let rows: Vec<Value> = (0..60)
        .map(|i| {
            let answer = words(&mut seed, 2);
            let wrong = words(&mut seed, 2);
            // The candidate's column is a reply name: it must not be read as the reference.
            json!({"question": format!("q{i}"), "answer": answer, "base_output": wrong, "response": if i % 3 == 0 { wrong.clone() } else { answer.clone() }})
        })
        .collect();
    let f = write_jsonl(&d, "both.jsonl", &rows);
    let args = ["compare", &f, "--baseline-col", "base_output", "--candidate-col", "response", "--format", "json"];
    let run = fteval(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["task"], "generation");
    assert_eq!(doc["primary_metric"], "exact_match", "two-word answers are short answers");
    assert_eq!(doc["metrics"]["exact_match"]["baseline"], 0.0);
    assert!((doc["metrics"]["exact_match"]["candidate"].as_f64().unwrap() - 40.0 / 60.0).abs() < 1e-12);
    assert_eq!(doc["verdict"], "improved");
    let run = fteval(&["compare", &f, "--baseline-col", "base_output", "--candidate-col", "nope", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
}

#[test]
fn scripts_without_spaces_are_detected_and_scored_on_characters() {
    let d = dir("unspaced");
    let rows: Vec<Value> = (0..12)
        .map(|i| json!({"prediction": if i % 2 == 0 { "今天天气很好" } else { "今天下雨了" }, "reference": "今天天气很好"}))
        .collect();
    let f = write_jsonl(&d, "zh.jsonl", &rows);
    let run = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let warn = check(&doc, "unspaced_script").expect("the script is detected");
    assert_eq!(warn["severity"], "warn");
    let msg = warn["message"].as_str().unwrap();
    assert!(msg.contains("Chinese") && msg.contains("tok:zh") && msg.contains("characters"), "{msg}");
    assert!(doc["signatures"]["bleu"].as_str().unwrap().contains("|tok:zh|"));
    assert_eq!(doc["generation"]["rouge_tokens"], "characters");
    // Half the outputs are the reference: ROUGE on characters sees it; rouge-score's words see nothing.
    assert!(doc["metrics"]["rougeL"]["value"].as_f64().unwrap() > 0.5);
    let run = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "0", "--rouge-tokenize", "words"]);
    let doc = run.json();
    assert_eq!(doc["metrics"]["rougeL"]["value"], 0.0);
    let msg = check(&doc, "unspaced_script").unwrap()["message"].as_str().unwrap().to_string();
    assert!(msg.contains("--rouge-tokenize chars"), "{msg}");
    // English text gets no such check.
    let (base, _) = long_form_pair(&d);
    let doc = fteval(&["metrics", &base, "--format", "json", "--bootstrap", "0"]).json();
    assert!(check(&doc, "unspaced_script").is_none());
    assert_eq!(doc["generation"]["bleu_tokenizer"], "13a");
}

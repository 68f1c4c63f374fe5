//! Generation outputs as fine-tuning tools write them (issue 15, item 1), end to end on files the
//! tests make: shapes recognised without flags, metric names that keep their case, the primary
//! metric chosen from the data, empty references, two models in one file, and scripts without
//! spaces.

mod common;

use std::path::PathBuf;

use common::{fteval, fteval_in};
use serde_json::{json, Value};

fn dir(tag: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("gen-outputs-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_jsonl(dir: &std::path::Path, name: &str, rows: &[Value]) -> String {
    let path = dir.join(name);
    let text: String = rows.iter().map(|r| r.to_string() + "\n").collect();
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// A small deterministic word generator.
fn words(seed: &mut u64, n: usize) -> String {
    (0..n)
        .map(|_| {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            format!("w{}", (*seed >> 33) % 300)
        })
        .collect::<Vec<_>>()
        .join(" ")
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
    assert!(run.stderr.contains("fteval.toml: primary") && !run.stderr.contains("--primary"), "{}", run.stderr);
    std::fs::write(d.join("fteval.toml"), "[gates]\nrequire = [\"rouge_x>=0.1\"]\n").unwrap();
    let run = fteval_in(&d, &["compare", "base.jsonl", "cand.jsonl", "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("fteval.toml: [gates] require rouge_x"), "{}", run.stderr);
}

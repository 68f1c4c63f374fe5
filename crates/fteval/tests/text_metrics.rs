//! `fteval metrics` on NER and generation files: task inference, the JSON document (metrics with
//! intervals, per-type table, signatures, per-example scores), the flags, the renderers, bad
//! input (exit 2 naming file, line and what to do), and the real CoNLL files of
//! ../shared/realcorpus (skipped, saying so, when that folder is absent).

mod common;

use std::path::{Path, PathBuf};

use common::fteval;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 + 1e-9 * b.abs()
}

const CONLL: &str = "-DOCSTART- -X- O O\n\nEU B-ORG B-ORG\nrejects O O\nGerman B-MISC B-MISC\ncall O O\n\nPeter B-PER B-PER\nBlackburn I-PER O\n\nLondon B-LOC B-ORG\n";

/// Every metric's interval contains its value; `bootstrap` is the task's resampling method
/// (BCa over sentences for NER, percentile over examples for generation).
fn intervals_contain_values(doc: &Value, bootstrap: &str) {
    for (k, m) in doc["metrics"].as_object().unwrap() {
        if let (Some(v), Some(lo), Some(hi)) = (m["value"].as_f64(), m["ci_low"].as_f64(), m["ci_high"].as_f64()) {
            assert!(lo <= v && v <= hi, "{k}: {lo} <= {v} <= {hi}");
            // Resampled sentences or examples; exact match is a proportion (Wilson); a metric
            // no resample can vary gets the fallback bound.
            let want = if k == "exact_match" { "wilson" } else { bootstrap };
            assert!(m["ci_method"] == want || m["ci_method"] == "changed_rows_bound", "{k}: {}", m["ci_method"]);
        }
    }
}

#[test]
fn conll_file_is_inferred_as_ner() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "preds.txt", CONLL);
    let run = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["task"], "ner");
    assert_eq!(doc["n"], 3);
    // gold: ORG, MISC, PER, LOC; predicted: ORG, MISC, ORG (at London); PER broken (B-PER O).
    assert!(close(doc["metrics"]["precision"]["value"].as_f64().unwrap(), 2.0 / 4.0));
    assert!(close(doc["metrics"]["recall"]["value"].as_f64().unwrap(), 2.0 / 4.0));
    assert!(close(doc["metrics"]["token_accuracy"]["value"].as_f64().unwrap(), 5.0 / 7.0));
    assert_eq!(doc["per_class"]["PER"]["support"], 1);
    assert_eq!(doc["per_class"]["LOC"]["predicted"], 0);
    assert_eq!(doc["ner"]["mode"], "default");
    assert!(doc.get("confusion_matrix").is_none());
    intervals_contain_values(&doc, "bootstrap_bca");
    let ids: Vec<&str> = doc["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"class_never_predicted") && ids.contains(&"small_support"), "{ids:?}");

    for format in ["terminal", "markdown"] {
        let run = fteval(&["metrics", &f, "--format", format, "--bootstrap", "50"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("entity type") && run.stdout.contains("token_accuracy"), "{}", run.stdout);
        assert!(run.stdout.contains("3 sentences"), "{}", run.stdout);
    }
}

#[test]
fn strict_mode_and_scheme_errors() {
    let dir = tempfile::tempdir().unwrap();
    // I-PER without B-PER: an entity in default mode, none in strict IOB2.
    let f = write(dir.path(), "p.conll", "a I-PER I-PER\nb O O\n\nc B-LOC B-LOC\n");
    let default = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "0"]);
    assert_eq!(default.json()["per_class"]["PER"]["support"], 1);
    let strict = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "0", "--strict", "--scheme", "IOB2"]);
    assert_eq!(strict.code, 0, "{}", strict.stderr);
    let doc = strict.json();
    assert!(doc["per_class"].get("PER").is_none(), "{doc}");
    assert_eq!((doc["ner"]["mode"].as_str(), doc["ner"]["scheme"].as_str()), (Some("strict"), Some("IOB2")));

    let iobes = write(dir.path(), "s.conll", "a S-PER S-PER\n");
    let run = fteval(&["metrics", &iobes, "--strict", "--scheme", "IOB2", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("S-PER") && run.stderr.contains("line 1") && run.stderr.contains("hint:"),
        "{}",
        run.stderr
    );
    let run = fteval(&["metrics", &iobes, "--strict", "--scheme", "XYZ"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("IOBES"), "{}", run.stderr);
    // --strict alone detects the scheme from the gold tags.
    let run = fteval(&["metrics", &iobes, "--strict", "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.json()["ner"]["scheme"], "IOBES");
}

#[test]
fn ner_gold_file_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let gold = write(
        dir.path(),
        "gold.txt",
        "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n",
    );
    let pred = write(dir.path(), "pred.txt", "EU B-ORG\nrejects O\n\nPeter B-PER\n");
    let run = fteval(&["metrics", &pred, "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--gold"), "{}", run.stderr);
    let run = fteval(&["metrics", &pred, "--gold", &gold, "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("sentence 2") && run.stderr.contains("--allow-truncated"), "{}", run.stderr);
    let run = fteval(&["metrics", &pred, "--gold", &gold, "--allow-truncated", "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["ner"]["truncated_sentences"], 1);
    assert!(doc["checks"].as_array().unwrap().iter().any(|c| c["id"] == "truncated_sentences"));
    // Peter B-PER (prefix) matches gold's 1-token prefix entity.
    assert_eq!(doc["metrics"]["f1"]["value"], 1.0);
}

#[test]
fn ner_jsonl_without_entities_gives_null_with_reason() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "n.jsonl",
        "{\"tokens\": [\"a\", \"b\"], \"labels\": [\"O\", \"O\"], \"predictions\": [\"O\", \"O\"]}\n",
    );
    let run = fteval(&["metrics", &f, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["task"], "ner");
    assert!(doc["metrics"]["f1_macro"]["value"].is_null());
    assert!(doc["metrics"]["f1_macro"]["reason"].as_str().unwrap().contains("no entity"));
    // token count mismatch names the sentence
    let bad = write(
        dir.path(),
        "b.jsonl",
        "{\"tokens\": [\"a\", \"b\"], \"labels\": [\"O\", \"O\"], \"predictions\": [\"O\"]}\n",
    );
    let run = fteval(&["metrics", &bad, "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("sentence 1") && run.stderr.contains("line 1"), "{}", run.stderr);
}

#[test]
fn generation_jsonl_with_losses() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "gen.jsonl",
        "{\"id\": \"a\", \"prediction\": \"the cat sat on the mat\", \"references\": [\"the cat sat on the mat\", \"a cat\"], \"loss\": 1.0, \"n_tokens\": 6}\n\
         {\"id\": \"b\", \"prediction\": \"a dog\", \"references\": [\"the dog barked\"], \"loss\": 2.0, \"n_tokens\": 2}\n\
         {\"id\": \"c\", \"prediction\": \"hello\", \"references\": [\"hello there\"], \"loss\": 3.0, \"n_tokens\": 2}\n",
    );
    let run = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["task"], "generation");
    assert_eq!(doc["n"], 3);
    assert!(close(doc["metrics"]["exact_match"]["value"].as_f64().unwrap(), 1.0 / 3.0));
    assert!(close(doc["metrics"]["loss"]["value"].as_f64().unwrap(), 2.0));
    assert!(close(doc["metrics"]["perplexity"]["value"].as_f64().unwrap(), (16.0f64 / 10.0).exp()));
    assert_eq!(doc["signatures"]["bleu"], "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
    assert!(doc["signatures"]["chrf_pp"].as_str().unwrap().contains("nw:2"));
    assert_eq!(doc["examples"][0]["id"], "a");
    assert_eq!(doc["examples"][0]["exact_match"], 1.0);
    assert_eq!(doc["examples"][2]["loss"], 3.0);
    assert_eq!(doc["generation"]["references_per_example"], "var");
    intervals_contain_values(&doc, "bootstrap_percentile");

    for format in ["terminal", "markdown"] {
        let run = fteval(&["metrics", &f, "--format", format, "--bootstrap", "50"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("tok:13a") && run.stdout.contains("rougeLsum"), "{}", run.stdout);
        assert!(!run.stdout.contains("Per class"), "{}", run.stdout);
    }
}

#[test]
fn generation_csv_flags_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let f =
        write(dir.path(), "g.csv", "question,model_output,gold_answer\nq1,Paris,Paris\nq2,,London\nq3,Rome,Berlin\n");
    let run = fteval(&["metrics", &f, "--ref-col", "gold_answer", "--pred-col", "model_output", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("line 3") && run.stderr.contains("--drop-missing"), "{}", run.stderr);
    let run = fteval(&[
        "metrics",
        &f,
        "--ref-col",
        "gold_answer",
        "--pred-col",
        "model_output",
        "--drop-missing",
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["n"], 2);
    assert_eq!(doc["metrics"]["exact_match"]["value"], 0.5);
    assert!(doc["checks"].as_array().unwrap().iter().any(|c| c["id"] == "dropped_rows"));

    // --task generation without a reference column: exit 2 asking for --ref-col.
    let g = write(dir.path(), "nores.jsonl", "{\"prediction\": \"a\", \"text\": \"b\"}\n");
    let run = fteval(&["metrics", &g, "--task", "generation"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--ref-col"), "{}", run.stderr);
    // A reference list holding objects is refused, naming the line.
    let g = write(dir.path(), "obj.jsonl", "{\"prediction\": \"a\", \"references\": [{\"x\": 1}]}\n");
    let run = fteval(&["metrics", &g]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("line 1") && run.stderr.contains("hint:"), "{}", run.stderr);
    // Flags of the other task are a usage error.
    let run = fteval(&["metrics", &g, "--strict"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--strict applies to --task ner"), "{}", run.stderr);
    // A non-numeric loss names the row.
    let g = write(dir.path(), "loss.jsonl", "{\"prediction\": \"a\", \"reference\": \"a\", \"loss\": \"high\"}\n");
    let run = fteval(&["metrics", &g]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("'loss'") && run.stderr.contains("line 1"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn classification_files_are_not_taken_for_text_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.tsv", "text\tlabel\tpred\nhello\tO\tO\nbye\tB\tO\n");
    let run = fteval(&["metrics", &f, "--format", "json", "--bootstrap", "0", "--positive", "B"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["task"], "binary");
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("FTEVAL_REALCORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realcorpus"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: real-data corpus not found at {} (set FTEVAL_REALCORPUS)", dir.display());
        None
    }
}

fn metric(doc: &Value, key: &str) -> f64 {
    doc["metrics"][key]["value"].as_f64().unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn realcorpus_ner_files_through_the_cli() {
    let Some(dir) = corpus() else { return };
    let f = |n: &str| dir.join(n).to_string_lossy().into_owned();

    // ner_01: predictions (token, tag) with CoNLL-2003 gold in ner_02 (four columns).
    let run = fteval(&["metrics", &f("ner_01.txt"), "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--gold"), "{}", run.stderr);
    let run =
        fteval(&["metrics", &f("ner_01.txt"), "--gold", &f("ner_02.txt"), "--format", "json", "--bootstrap", "200"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!((doc["task"].as_str(), doc["n"].as_u64()), (Some("ner"), Some(3453)));
    assert!((metric(&doc, "f1") - 0.6410493256973951).abs() < 1e-9);
    assert!((metric(&doc, "f1_macro") - 0.5119272696551108).abs() < 1e-9);
    assert!((metric(&doc, "f1_weighted") - 0.5964765860529092).abs() < 1e-9);
    assert!((metric(&doc, "token_accuracy") - 0.937417895983633).abs() < 1e-9);
    assert_eq!(doc["per_class"]["MISC"]["predicted"], 0);
    assert!(doc["checks"].as_array().unwrap().iter().any(|c| c["id"] == "class_never_predicted"));
    intervals_contain_values(&doc, "bootstrap_bca");

    // ner_03: Flair output in IOBES, default and strict.
    let run = fteval(&["metrics", &f("ner_03.txt"), "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!((metric(&run.json(), "f1") - 0.8481375358166189).abs() < 1e-9);
    let run =
        fteval(&["metrics", &f("ner_03.txt"), "--strict", "--scheme", "IOBES", "--format", "json", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert!((metric(&doc, "precision") - 0.882703777335984).abs() < 1e-9);
    assert!((metric(&doc, "f1") - 0.8489483747609944).abs() < 1e-9);

    // ner_07 with gold ner_06: sentence 565 was truncated by the model; with --allow-truncated
    // the published report (3 digits) is reproduced.
    let run = fteval(&["metrics", &f("ner_07.txt"), "--gold", &f("ner_06.txt"), "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("sentence 565") && run.stderr.contains("--allow-truncated"), "{}", run.stderr);
    let run = fteval(&[
        "metrics",
        &f("ner_07.txt"),
        "--gold",
        &f("ner_06.txt"),
        "--allow-truncated",
        "--format",
        "json",
        "--bootstrap",
        "100",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let published = std::fs::read_to_string(dir.join("ner_07.published_test_results.txt")).unwrap();
    for (ty, row) in doc["per_class"].as_object().unwrap() {
        let line = published.lines().find(|l| l.trim_start().starts_with(ty.as_str())).unwrap();
        let cols: Vec<&str> = line.split_whitespace().collect();
        for (i, k) in ["precision", "recall", "f1"].iter().enumerate() {
            assert_eq!(cols[i + 1], format!("{:.3}", row[k].as_f64().unwrap()), "{ty} {k}");
        }
        assert_eq!(cols[4], row["support"].to_string(), "{ty}");
    }
    let micro = published.lines().find(|l| l.contains("micro avg")).unwrap();
    let want =
        format!("{:.3}     {:.3}     {:.3}", metric(&doc, "precision"), metric(&doc, "recall"), metric(&doc, "f1"));
    assert!(micro.contains(&want), "{micro} vs {want}");
    assert!(doc["checks"].as_array().unwrap().iter().any(|c| c["id"] == "truncated_sentences"));

    // generations_01.txt holds generated summaries without references: refused with a message.
    let run = fteval(&["metrics", &f("generations_01.txt"), "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    let run = fteval(&["metrics", &f("generations_01.txt"), "--task", "generation", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("--ref-col") || run.stderr.contains("reference"), "{}", run.stderr);
}

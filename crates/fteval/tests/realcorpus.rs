//! fteval on real files written by other people (../shared/realcorpus, see its SOURCES.tsv):
//! every file gets a result or exit 2 with a clear message, and where the authors published
//! their own numbers, fteval reproduces them. Skipped, saying so, when the folder is absent.

mod common;

use std::path::PathBuf;

use common::fteval;

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

#[test]
fn every_file_gives_a_result_or_a_clear_error() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let (mut ok, mut refused) = (0, 0);
    for f in &files {
        let path = f.to_string_lossy();
        let run = fteval(&["metrics", &path, "--format", "json", "--bootstrap", "20"]);
        match run.code {
            0 => {
                ok += 1;
                let doc = run.json();
                assert_eq!(doc["schema"], "fteval.metrics/v1", "{path}");
            }
            2 => {
                refused += 1;
                assert!(run.stderr.starts_with("error: ") && run.stderr.contains("hint: "), "{path}: {}", run.stderr);
            }
            other => panic!("{path}: exit {other}: {}", run.stderr),
        }
        assert!(!run.stderr.contains("panicked") && !run.stderr.contains("internal error"), "{path}: {}", run.stderr);
    }
    eprintln!("realcorpus: {} files, {ok} evaluated, {refused} refused with a message", files.len());
    assert!(ok >= 2, "expected some real prediction files to evaluate");
}

fn value(doc: &serde_json::Value, path: &[&str]) -> f64 {
    let mut v = doc;
    for p in path {
        v = &v[*p];
    }
    v.as_f64().unwrap_or_else(|| panic!("no {path:?}"))
}

#[test]
fn published_numbers_are_reproduced() {
    let Some(dir) = corpus() else { return };
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();

    // predictions_05.published_eval.json: accuracy, weighted and macro F1, per-class report.
    let run = fteval(&[
        "metrics",
        &file("predictions_05.csv"),
        "--pred-col",
        "bert_large_retrain_prediction",
        "--label-col",
        "label_name",
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert!((value(&doc, &["metrics", "accuracy", "value"]) - 0.9845474613686535).abs() < 1e-12);
    assert!((value(&doc, &["metrics", "f1_weighted", "value"]) - 0.9845969925232227).abs() < 1e-12);
    assert!((value(&doc, &["metrics", "f1_macro", "value"]) - 0.9802142064020812).abs() < 1e-12);
    assert!((value(&doc, &["per_class", "neutral", "recall"]) - 0.9856115107913669).abs() < 1e-12);

    // predictions_14.published_validation_report.md: accuracy 0.880, Cohen's kappa 0.819.
    let run = fteval(&["metrics", &file("predictions_14.csv"), "--format", "json", "--bootstrap", "0"]);
    let doc = run.json();
    assert!((value(&doc, &["metrics", "accuracy", "value"]) - 0.880).abs() < 5e-4);
    assert!((value(&doc, &["metrics", "cohen_kappa", "value"]) - 0.819).abs() < 5e-4);

    // predictions_04.published_report.txt: scikit-learn's classification_report (2 decimals).
    let run = fteval(&[
        "metrics",
        &file("predictions_04.csv"),
        "--label-col",
        "Ground_Truth",
        "--pred-col",
        "AI_Prediction",
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    let doc = run.json();
    for (key, want) in [("precision_macro", 0.60), ("recall_macro", 0.46), ("f1_macro", 0.49), ("f1_weighted", 0.83)] {
        assert!((value(&doc, &["metrics", key, "value"]) - want).abs() < 0.005, "{key}");
    }
    assert!((value(&doc, &["per_class", "Stable", "f1"]) - 0.90).abs() < 0.005);
}

/// Real two-model files: one CSV with a column per model (FinBERT against a general sentiment
/// model), and two files of another project's models joined on `row_id`. Expected values were
/// computed with pandas + scikit-learn + statsmodels' `mcnemar(exact=True)`.
#[test]
fn compares_real_pairs_of_models() {
    let Some(dir) = corpus() else { return };
    let path = |f: &str| dir.join(f).to_string_lossy().into_owned();
    let check = |args: &[&str], want: [f64; 7], code: i32| {
        let run = fteval(args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        let doc = run.json();
        let got = [
            doc["n_matched"].as_f64().unwrap(),
            value(&doc, &["metrics", "accuracy", "baseline"]),
            value(&doc, &["metrics", "accuracy", "candidate"]),
            value(&doc, &["metrics", "f1_macro", "baseline"]),
            value(&doc, &["metrics", "f1_macro", "candidate"]),
            value(&doc, &["mcnemar", "baseline_only_correct"]),
            value(&doc, &["mcnemar", "candidate_only_correct"]),
        ];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{args:?}: got {got:?}, want {want:?}");
        }
        doc
    };
    let f07 = path("predictions_07.csv");
    let doc = check(
        &[
            "compare",
            &f07,
            "--baseline-col",
            "general_predicted_label",
            "--candidate-col",
            "finbert_predicted_label",
            "--format",
            "json",
        ],
        [453.0, 0.25386313465783666, 0.9690949227373068, 0.2439865680575423, 0.962915313063392, 2.0, 326.0],
        0,
    );
    assert!((value(&doc, &["mcnemar", "p_value"]) / 1.9735094614853668e-94 - 1.0).abs() < 1e-6);
    assert_eq!(doc["verdict"], "improved");
    // The "fine-tuned" model of this project is much worse than its retrained one: exit 1.
    let (f05, f06) = (path("predictions_05.csv"), path("predictions_06.csv"));
    let doc = check(
        &[
            "compare",
            &f05,
            &f06,
            "--baseline-col",
            "bert_large_retrain_predicted_label",
            "--candidate-col",
            "bert_large_finetuned_predicted_label",
            "--format",
            "json",
        ],
        [453.0, 0.9845474613686535, 0.6136865342163356, 0.9802142064020812, 0.25353397172822617, 172.0, 4.0],
        1,
    );
    assert!((value(&doc, &["mcnemar", "p_value"]) / 8.256269791722192e-46 - 1.0).abs() < 1e-6);
    assert_eq!(doc["verdict"], "regressed");
    // Three gold labels but one score column per model: the scores are set aside with a check.
    let f20 = path("predictions_20.csv");
    let run = fteval(&[
        "compare",
        &f20,
        "--label-col",
        "expected_label",
        "--baseline-col",
        "toxic_bert_label",
        "--candidate-col",
        "detoxify_label",
        "--baseline-score-col",
        "toxic_bert_score",
        "--candidate-score-col",
        "detoxify_score",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["task"], "multiclass");
    assert!(doc["checks"].as_array().unwrap().iter().any(|c| c["id"] == "scores_ignored"));
}

/// Every training log of the corpus is read and diagnosed, or refused with a clear message.
#[test]
fn every_training_log_is_diagnosed_or_refused() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            [
                "hf_trainer_state_",
                "keras_log_",
                "lightning_metrics_",
                "trainer_log_",
                "flair_log_",
                "history_",
                "tfevents",
            ]
            .iter()
            .any(|k| n.starts_with(k) || n.contains("tfevents"))
                && !n.contains("all_results")
                && !n.contains("eval_results")
                && !n.contains(".metrics.")
        })
        .collect();
    files.sort();
    let (mut ok, mut refused) = (0, Vec::new());
    for f in &files {
        let path = f.to_string_lossy();
        let run = fteval(&["curves", &path, "--format", "json"]);
        assert!(!run.stderr.contains("panicked") && !run.stderr.contains("internal error"), "{path}: {}", run.stderr);
        match run.code {
            0 | 1 => {
                ok += 1;
                let doc = run.json();
                assert_eq!(doc["schema"], "fteval.curves/v1", "{path}");
                let said = doc["findings"].as_array().unwrap().len() + doc["checks"].as_array().unwrap().len();
                assert!(said > 0, "{path}: neither findings nor checks");
                // The HTML report of every real log renders, with a loss plot where there is a loss.
                let html = fteval(&["curves", &path, "--format", "html"]);
                assert!(html.stdout.starts_with("<!doctype html>"), "{path}: {}", html.stderr);
                let has_loss = doc["runs"].as_array().unwrap().iter().any(|r| {
                    r["series"].as_array().unwrap().iter().any(|s| s["name"].as_str().unwrap().ends_with("loss"))
                });
                if has_loss {
                    assert!(html.stdout.contains("data-plot=\"loss\""), "{path}: no loss plot");
                }
            }
            2 => {
                assert!(run.stderr.contains("hint: "), "{path}: {}", run.stderr);
                refused.push(path.to_string());
            }
            other => panic!("{path}: exit {other}"),
        }
    }
    eprintln!("realcorpus logs: {} files, {ok} diagnosed, refused: {refused:?}", files.len());
    assert!(ok >= 40, "only {ok} logs diagnosed");
    // The Git LFS pointer is refused saying so.
    let run = fteval(&["curves", &dir.join("hf_trainer_state_02.json").to_string_lossy()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("Git LFS"), "{}", run.stderr);
}

/// What a careful reading of each real log's plots says, finding by finding (reviewed by hand
/// against the curves): `(file, present, absent)`, each present entry `id@series` or `id`, and
/// an optional `~text` the message must contain.
#[test]
fn real_logs_get_the_diagnosis_an_engineer_would_give() {
    let Some(dir) = corpus() else { return };
    #[rustfmt::skip]
    let cases: &[(&str, &[&str], &[&str])] = &[
        // Flair NER, learning rate annealed 0.1 → 0.0002: converged, nothing wrong.
        ("flair_log_01.tsv", &["plateau@train/loss~converged", "healthy"], &["overfitting", "diverging"]),
        // No dev set: Flair logs TEST_LOSS, which bottoms out at epoch 4 and climbs 42%.
        // Test F1 still rises to epoch 18, so the checkpoint is chosen by F1 (see below).
        ("flair_log_02.tsv", &["overfitting@test/loss~epoch 4", "loss_metric_disagreement"], &[]),
        // Dev loss up 20% and dev F1 down at the last of 5 epochs: the last checkpoint is worse.
        ("flair_log_03.tsv", &["best_not_last@eval/loss~epoch 3"], &["overfitting"]),
        // DEV_F1 is 0.0 at every epoch while the loss falls: the tagger predicts no entities.
        ("flair_log_04.tsv", &["not_learning@eval/f1"], &["healthy"]),
        ("hf_trainer_state_04.json", &["suspiciously_low_loss@train/loss", "no_eval_data"], &[]),
        ("hf_trainer_state_09.json", &["overfitting@eval/loss~epoch 3", "loss_metric_disagreement"], &[]),
        // Train loss logged ~17× the eval loss: a scaling mismatch, not generalisation.
        ("hf_trainer_state_10.json", &["train_loss_above_eval@train/loss~16.87"], &[]),
        ("hf_trainer_state_11.json", &["non_finite@train/grad_norm~fp16", "plateau@train/loss~converged"], &["diverging"]),
        // 1.18×: the ordinary dropout gap.
        ("hf_trainer_state_13.json", &["train_loss_above_eval~dropout", "healthy"], &[]),
        ("hf_trainer_state_16.json", &["overfitting@eval/loss~epoch 2", "loss_metric_disagreement"], &[]),
        ("hf_trainer_state_18.json", &["overfitting@eval/loss~+142", "loss_metric_disagreement"], &[]),
        // The loss creeps up ×6 while the learning rate decays to zero: not a step-size problem.
        ("hf_trainer_state_23.json", &["diverging@train/loss~learning rate fell"], &[]),
        // Still falling 24% over its last 30% as the schedule ends: not a plateau.
        ("hf_trainer_state_26.json", &["healthy"], &["plateau"]),
        ("hf_trainer_state_30.json", &["overfitting@eval/loss", "suspiciously_low_loss"], &[]),
        ("hf_trainer_state_32.json", &["overfitting@eval/loss", "suspiciously_low_loss"], &["spikes"]),
        // Whisper fine-tune: train and eval loss and WER all worsen as warm-up reaches the peak LR.
        ("hf_trainer_state_34.json", &["diverging@train/loss~warm-up", "diverging@eval/loss~rose too", "best_not_last"], &["overfitting"]),
        ("keras_log_02.csv", &["multiple_runs"], &[]),
        // Eval loss level at ~0.80 from epoch 43 while the train loss keeps inching down.
        ("keras_log_03.csv", &["plateau@eval/loss~stopped improving"], &["overfitting"]),
        ("keras_log_08.csv", &["overfitting@eval/loss~epoch 5"], &[]),
        ("keras_log_10.csv", &["overfitting@eval/loss~epoch 18", "best_not_last"], &[]),
        // Binary classifier whose losses never leave ln 2 (accuracy ~0.55–0.64 on 47 examples).
        ("keras_log_11.csv", &["not_learning@train/loss~ln 2", "not_learning@eval/loss~ln 2"], &["healthy"]),
                // Per-batch losses with a heavy tail: spikes worth knowing, none above the starting loss.
        ("lightning_metrics_05.csv", &["spikes@train/loss"], &[]),
        // Eval loss 0.053 at epoch 3, then 0.085 and 0.071, while macro-F1 still rises.
        ("history_01.csv", &["overfitting@eval/loss~epoch 3", "loss_metric_disagreement"], &["healthy"]),
        // Validation loss swinging 0.16–0.96 between epochs: the last (0.29) is not the best (0.16).
        ("keras_log_05.csv", &["best_not_last@eval/loss~epoch 7"], &[]),
        // 200 epochs, converged; the eval loss drifts up 1.2% with a level train loss.
        ("lightning_metrics_07.csv", &["plateau@eval/loss~drifted"], &["diverging", "overfitting"]),
        // AG News (4 classes) LoRA run stuck at ln 4.
        ("tfevents_02.tfevents", &["not_learning@train/loss~ln 4", "not_learning@eval/loss"], &["healthy"]),
        ("tfevents_05.tfevents", &["plateau@train/loss~converged", "no_eval_data"], &[]),
    ];
    for (file, present, absent) in cases {
        let path = dir.join(file).to_string_lossy().to_string();
        let doc = fteval(&["curves", &path, "--format", "json"]).json();
        let findings = doc["findings"].as_array().unwrap();
        let said: Vec<String> =
            findings.iter().map(|f| format!("{}@{} {}", f["id"], f["series"], f["message"])).collect();
        for want in *present {
            let (head, text) = want.split_once('~').unwrap_or((want, ""));
            let (id, series) = head.split_once('@').unwrap_or((head, ""));
            let hit = findings.iter().any(|f| {
                f["id"] == *id
                    && (series.is_empty() || f["series"] == *series)
                    && f["message"].as_str().unwrap_or("").contains(text)
            });
            assert!(hit, "{file}: expected {want}; found:\n{}", said.join("\n"));
        }
        for id in *absent {
            assert!(
                !findings.iter().any(|f| f["id"] == *id),
                "{file}: did not expect {id}; found:\n{}",
                said.join("\n")
            );
        }
    }
    // When loss and metric disagree, the checkpoint is chosen by the metric: for the Whisper
    // fine-tunes that is the trainer's own best_model_checkpoint (lowest WER).
    for (file, series, step) in
        [("hf_trainer_state_30.json", "eval/wer", 3000), ("hf_trainer_state_32.json", "eval/wer", 4000)]
    {
        let doc = fteval(&["curves", &dir.join(file).to_string_lossy(), "--format", "json"]).json();
        assert_eq!(doc["best_checkpoint"]["series"], series, "{file}");
        assert_eq!(doc["best_checkpoint"]["step"], step, "{file}");
    }
    let doc = fteval(&["curves", &dir.join("flair_log_02.tsv").to_string_lossy(), "--format", "json"]).json();
    assert_eq!(doc["best_checkpoint"]["series"], "test/f1");
    // --metric loss chooses by the loss regardless.
    let doc = fteval(&[
        "curves",
        &dir.join("hf_trainer_state_32.json").to_string_lossy(),
        "--metric",
        "loss",
        "--format",
        "json",
    ])
    .json();
    assert_eq!(doc["best_checkpoint"]["step"], 1000);
    // The Estimator eval file holds eval values only: no training loss is invented.
    let doc = fteval(&["curves", &dir.join("tfevents_06.tfevents").to_string_lossy(), "--format", "json"]).json();
    let series = doc["runs"][0]["series"].as_array().unwrap();
    assert!(series.iter().all(|s| s["split"] == "eval"), "{series:?}");
}

/// Logs too short to judge still say what their numbers mean, and a checkpoint chosen on the
/// test split is flagged.
#[test]
fn short_logs_and_test_split_checkpoints_are_explained() {
    let Some(dir) = corpus() else { return };
    let check = |file: &str, id: &str| -> String {
        let doc = fteval(&["curves", &dir.join(file).to_string_lossy(), "--format", "json"]).json();
        let checks = doc["checks"].as_array().unwrap().clone();
        let c = checks.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{file}: no {id} in {checks:?}"));
        c["message"].as_str().unwrap().to_string()
    };
    // Two logged steps of a GPT-2-sized language model at 10.77 ≈ ln 47,000.
    let m = check("hf_trainer_state_24.json", "too_short");
    assert!(m.contains("≈ 47434 choices"), "{m}");
    // Flair without a dev set chooses by TEST_F1.
    let m = check("flair_log_02.tsv", "checkpoint_chosen_on_test");
    assert!(m.contains("test/f1"), "{m}");
    // An empty log_history says so.
    let m = check("hf_trainer_state_01.json", "no_training_loss");
    assert!(m.contains("no logged values"), "{m}");
}

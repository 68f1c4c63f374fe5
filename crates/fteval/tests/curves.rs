//! `fteval curves` end to end on logs the tests write: a Hugging Face trainer_state.json that
//! overfits (with Python's bare NaN/Infinity), a Keras CSV appended twice, a diverging run,
//! the JSON contract, the terminal and Markdown reports, exit codes and bad input.

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use common::fteval;

fn write(name: &str, text: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("curves-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// A trainer_state.json: train loss every 10 steps falling as 2·e^(-3t), eval every 100 steps
/// with its minimum at 40% of training, an infinite grad norm at step 330.
fn overfitting_trainer_state() -> String {
    let mut entries = Vec::new();
    for step in (10..=3000).step_by(10) {
        let t = step as f64 / 3000.0;
        let wiggle = if (step / 10) % 2 == 0 { 0.01 } else { -0.01 };
        let grad = if step == 330 { "Infinity".to_string() } else { format!("{:.3}", 1.0 + t) };
        entries.push(format!(
            r#"{{"epoch": {:.2}, "grad_norm": {grad}, "learning_rate": {:e}, "loss": {:.4}, "step": {step}}}"#,
            step as f64 / 1000.0,
            5e-5 * (1.0 - t),
            2.0 * (-3.0 * t).exp() + wiggle
        ));
        if step % 100 == 0 {
            entries.push(format!(
                r#"{{"epoch": {:.2}, "eval_accuracy": {:.4}, "eval_loss": {:.4}, "step": {step}}}"#,
                step as f64 / 1000.0,
                0.9 - 0.2 * (t - 0.4).abs(),
                0.6 + 2.0 * (t - 0.4) * (t - 0.4)
            ));
        }
    }
    format!(r#"{{"best_metric": null, "global_step": 3000, "log_history": [{}]}}"#, entries.join(",\n"))
}

#[test]
fn hugging_face_overfitting_end_to_end() {
    let path = write("trainer_state.json", &overfitting_trainer_state());
    let run = fteval(&["curves", &path, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["schema"], "fteval.curves/v1");
    let series = doc["runs"][0]["series"].as_array().unwrap();
    let eval_loss = series.iter().find(|s| s["split"] == "eval" && s["name"] == "loss").unwrap();
    assert_eq!(eval_loss["count"], 30);
    assert_eq!(eval_loss["argmin"]["step"], 1200);
    let grad = series.iter().find(|s| s["name"] == "grad_norm").unwrap();
    assert_eq!(grad["non_finite"], 1);
    let ids: Vec<&str> = doc["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    for id in ["overfitting", "best_not_last", "non_finite"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(!ids.contains(&"healthy"), "{ids:?}");
    let overfitting = doc["findings"].as_array().unwrap().iter().find(|f| f["id"] == "overfitting").unwrap();
    assert_eq!(overfitting["series"], "eval/loss");
    assert_eq!(overfitting["range"][0], 1200.0);
    assert_eq!(doc["best_checkpoint"]["step"], 1200);
    assert!((doc["best_checkpoint"]["value"].as_f64().unwrap() - 0.6).abs() < 1e-9);
    assert!((doc["best_checkpoint"]["lost_by_keeping_last"].as_f64().unwrap() - 0.72).abs() < 1e-9);

    // --metric accuracy chooses by accuracy (the same minimum here).
    let doc = fteval(&["curves", &path, "--metric", "accuracy", "--format", "json"]).json();
    assert_eq!(doc["best_checkpoint"]["series"], "eval/accuracy");
    assert_eq!(doc["best_checkpoint"]["step"], 1200);

    // The terminal report: findings, the best checkpoint and the plot with its marks.
    let text = fteval(&["curves", &path, "--format", "terminal"]).stdout;
    assert!(text.contains("overfitting:") && text.contains("Best checkpoint by eval/loss: step 1200"), "{text}");
    assert!(text.contains('●') && text.contains('╎'), "{text}");
    // Markdown for a pull request.
    let md = fteval(&["curves", &path, "--format", "markdown"]).stdout;
    assert!(
        md.starts_with("## fteval curves") && md.contains("**overfitting**") && md.contains("| run | series |"),
        "{md}"
    );
}

#[test]
fn keras_appended_log_is_split_into_runs() {
    let mut csv = String::from("epoch,accuracy,loss,lr,val_accuracy,val_loss\n");
    for restart in 0..2 {
        for e in 0..12 {
            let loss = 1.5 * (-0.25 * e as f64).exp() + 0.05 * restart as f64;
            writeln!(
                csv,
                "{e},{:.4},{loss:.4},0.001,{:.4},{:.4}",
                0.5 + 0.03 * e as f64,
                0.6 + 0.02 * e as f64,
                loss + 0.1
            )
            .unwrap();
        }
    }
    let path = write("training_log.csv", &csv);
    let doc = fteval(&["curves", &path, "--format", "json"]).json();
    assert_eq!(doc["runs"].as_array().unwrap().len(), 2);
    assert_eq!(doc["runs"][1]["restart"], 1);
    assert!(doc["findings"].as_array().unwrap().iter().any(|f| f["id"] == "multiple_runs"));
}

#[test]
fn a_diverging_run_exits_1() {
    let mut csv = String::from("step,train_loss\n");
    for i in 1..=100 {
        let loss = if i < 50 { 2.0 - 0.02 * i as f64 } else { 1.0 + 0.05 * (i - 50) as f64 };
        writeln!(csv, "{i},{loss:.4}").unwrap();
    }
    let path = write("diverging.csv", &csv);
    let run = fteval(&["curves", &path, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let doc = run.json();
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["id"] == "diverging").unwrap().clone();
    assert_eq!(f["severity"], "fail");
}

#[test]
fn bad_logs_exit_2_with_a_hint() {
    let lfs = write(
        "lfs_trainer_state.json",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 2351\n",
    );
    let broken = write("trainer_state_broken.json", r#"{"log_history": [{"loss": 1.0, "step": 1}, {"loss": "#);
    for (path, says) in [(lfs, "Git LFS"), (broken, "trainer_state_broken.json")] {
        let run = fteval(&["curves", &path]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(says) && run.stderr.contains("hint: "), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let missing = fteval(&["curves", "no/such/trainer_state.json"]);
    assert_eq!(missing.code, 2);
    let path = write("trainer_state_metric.json", &overfitting_trainer_state());
    let run = fteval(&["curves", &path, "--metric", "bleu"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--metric bleu") && run.stderr.contains("accuracy"), "{}", run.stderr);
}

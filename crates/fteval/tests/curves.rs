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
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
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

// ------------------------------------------------------------ issue 15: real-world log shapes

/// The findings of a curves document as (id, series, message).
fn findings(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["series"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(doc: &serde_json::Value, id: &str) -> bool {
    findings(doc).iter().any(|f| f.0 == id)
}

fn message<'a>(all: &'a [(String, String, String)], id: &str, series: &str) -> &'a str {
    &all.iter().find(|f| f.0 == id && f.1 == series).unwrap_or_else(|| panic!("no {id}@{series} in {all:?}")).2
}

/// A trainer_state.json from (step, json fields) entries.
fn trainer_state(entries: &[(u64, String)]) -> String {
    let list: Vec<String> = entries
        .iter()
        .map(|(step, fields)| format!(r#"{{"epoch": {:.2}, {fields}, "step": {step}}}"#, *step as f64 / 500.0))
        .collect();
    format!(r#"{{"global_step": 2000, "log_history": [{}]}}"#, list.join(",\n"))
}

#[test]
fn a_sparse_training_loss_is_not_reported_as_missing() {
    // logging_steps=400 (5 training-loss points), eval every 100 steps, eval minimum at step 300.
    let mut entries = Vec::new();
    for step in (100..=2000).step_by(100) {
        if step % 400 == 0 {
            entries.push((step, format!(r#""loss": {:.4}, "learning_rate": 2e-5"#, 1.0 - step as f64 / 2500.0)));
        }
        let eval = 0.5 + 0.002 * ((step as f64 / 100.0) - 3.0).powi(2);
        entries.push((step, format!(r#""eval_loss": {eval:.4}"#)));
    }
    let path = write("sparse_train/trainer_state.json", &trainer_state(&entries));
    let doc = fteval(&["curves", &path, "--format", "json"]).json();
    let all = findings(&doc);
    let m = message(&all, "overfitting", "eval/loss");
    assert!(!m.contains("No training loss"), "{m}");
    assert!(m.contains("while the training loss kept falling"), "{m}");
}

#[test]
fn eval_loss_staying_well_above_its_minimum_while_f1_rises_is_overfitting_and_disagreement() {
    // Train loss falls to 3e-4; eval loss bottoms out at step 800, then sits 37–51% above it
    // at 5 of the last 7 evaluations (the last one dipping back); F1 still rises.
    let late = [0.25, 0.27, 0.24, 0.26, 0.28, 0.302, 0.21, 0.29, 0.274, 0.295, 0.282, 0.205];
    let mut entries = Vec::new();
    for step in (20..=2000).step_by(20) {
        let t = step as f64 / 2000.0;
        entries.push((step, format!(r#""loss": {:.6}, "learning_rate": 2e-5"#, 0.6 * (-8.0 * t).exp() + 3e-4)));
        if step % 100 == 0 {
            let j = (step / 100 - 1) as usize;
            let eval = if j < 8 { 0.9 - 0.1 * j as f64 } else { late[j - 8] };
            entries.push((step, format!(r#""eval_loss": {eval:.4}, "eval_f1": {:.4}"#, 0.5 + 0.02 * j as f64)));
        }
    }
    let path = write("sustained/trainer_state.json", &trainer_state(&entries));
    let doc = fteval(&["curves", &path, "--format", "json"]).json();
    let all = findings(&doc);
    let m = message(&all, "overfitting", "eval/loss");
    assert!(m.contains("of the last") && m.contains("eval/f1 still improved"), "{m}");
    message(&all, "loss_metric_disagreement", "eval/loss");
    assert_eq!(doc["best_checkpoint"]["series"], "eval/f1");
    assert_eq!(doc["best_checkpoint"]["step"], 2000);
    assert!(!has(&doc, "healthy"), "{all:?}");
}

#[test]
fn keras_eval_loss_rising_over_the_last_epochs_is_never_healthy() {
    // Six epochs; val_loss +5% and +17% over the last two after its minimum.
    let val = [0.9, 0.7, 0.6, 0.55, 0.58, 0.645];
    let mut csv = String::from("epoch,accuracy,loss,val_accuracy,val_loss\n");
    for (e, v) in val.iter().enumerate() {
        writeln!(csv, "{e},{:.3},{:.4},{:.3},{v}", 0.6 + 0.05 * e as f64, 1.0 - 0.12 * e as f64, 0.7).unwrap();
    }
    let path = write("keras_short_rise.csv", &csv);
    let doc = fteval(&["curves", &path, "--format", "json"]).json();
    let all = findings(&doc);
    assert!(message(&all, "overfitting", "eval/loss").contains("+17.3%"), "{all:?}");
    assert!(!has(&doc, "healthy"), "{all:?}");
}

/// A Keras CSVLogger file of 12 epochs whose validation accuracy sits at 0.40–0.56 and validation
/// loss at ln 2 ± 0.006; `train(epoch)` gives the training accuracy and loss.
fn keras_at_chance(name: &str, train: impl Fn(f64) -> (f64, f64)) -> String {
    let acc = [0.48, 0.52, 0.40, 0.56, 0.50, 0.44, 0.53, 0.47, 0.51, 0.49, 0.46, 0.52];
    let mut csv = String::from("epoch,accuracy,loss,val_accuracy,val_loss\n");
    for (e, a) in acc.iter().enumerate() {
        let vl = 0.693 + 0.006 * if e % 2 == 0 { 1.0 } else { -0.5 };
        let (train_acc, loss) = train(e as f64);
        writeln!(csv, "{e},{train_acc:.3},{loss:.4},{a},{vl:.4}").unwrap();
    }
    write(name, &csv)
}

#[test]
fn keras_binary_classifier_at_chance_is_not_learning_without_classes() {
    // Training loss starts at 0.80 (not ln 2) and creeps down; val accuracy 0.40–0.56, val loss ≈ ln 2.
    let path = keras_at_chance("keras_chance.csv", |e| (0.5 + 0.01 * e, 0.80 - 0.01 * e));
    let run = fteval(&["curves", &path, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let all = findings(&run.json());
    let m = message(&all, "not_learning", "eval/loss");
    assert!(m.contains("ln 2") && m.contains("eval/accuracy 0.") && m.contains("≈ 1/2"), "{m}");
    assert!(!all.iter().any(|f| f.0 == "healthy"), "{all:?}");
}

/// A binary classifier whose training loss falls from 1.05 to ln 2 while the validation accuracy
/// stays at chance: the finding says the loss fell and stopped at chance level, with the
/// accuracy and loss that show it, never that it did not fall.
#[test]
fn a_loss_that_fell_to_chance_level_is_not_called_flat() {
    let path = keras_at_chance("keras_fell_to_chance.csv", |e| (0.5 + 0.005 * e, 0.6914 + 0.361 * 0.6f64.powf(e)));
    let run = fteval(&["curves", &path, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let all = findings(&run.json());
    let m = message(&all, "not_learning", "train/loss");
    assert!(!m.contains("did not fall"), "{m}");
    assert!(m.contains("fell from") && m.contains("stopped at chance level (ln 2 = 0.6931"), "{m}");
    assert!(m.contains("eval/accuracy 0.") && m.contains("≈ 1/2") && m.contains("eval/loss 0.69"), "{m}");
}

#[test]
fn keras_fit_in_a_loop_is_read_by_row_order_and_appended_runs_are_split() {
    // CSVLogger(append=True) around fit(epochs=1) in a loop: epoch 0 on all 20 rows, the loss
    // falling; then a second training appended to the file, counting epochs 0..9.
    let mut csv = String::from("epoch,accuracy,loss,val_accuracy,val_loss\n");
    for i in 0..20 {
        let l = 1.2 * (-0.15 * i as f64).exp();
        writeln!(csv, "0,{:.3},{l:.4},{:.3},{:.4}", 0.5 + 0.02 * i as f64, 0.5 + 0.015 * i as f64, l + 0.1).unwrap();
    }
    for e in 0..10 {
        let l = 1.3 * (-0.2 * e as f64).exp();
        writeln!(csv, "{e},{:.3},{l:.4},{:.3},{:.4}", 0.5 + 0.03 * e as f64, 0.5 + 0.02 * e as f64, l + 0.1).unwrap();
    }
    let path = write("keras_loop_log.csv", &csv);
    let run = fteval(&["curves", &path, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["runs"].as_array().unwrap().len(), 2);
    assert_eq!(doc["runs"][0]["format"], "keras");
    let all = findings(&doc);
    assert!(!all.iter().any(|f| f.0 == "diverging"), "{all:?}");
    assert!(all.iter().any(|f| f.0 == "multiple_runs"), "{all:?}");
    // No location is "epoch 0" for every point: the first run's minimum is at its last row.
    let loss = doc["runs"][0]["series"].as_array().unwrap().iter().find(|s| s["name"] == "loss").unwrap().clone();
    assert_eq!(loss["argmin"]["epoch"], 19.0);
    let checks = doc["checks"].as_array().unwrap();
    let note = checks.iter().find(|c| c["id"] == "log_read_note").expect("a note about the epoch column");
    assert!(note["message"].as_str().unwrap().contains("stays at 0 on 20 rows"), "{note}");
}

#[test]
fn lightning_learning_rate_monitor_decay_is_seen_by_the_plateau_advice() {
    // The loss levels off while LearningRateMonitor's lr-AdamW decays 40×.
    let mut csv = String::from("epoch,lr-AdamW,step,train_loss,val_loss\n");
    for i in 0..60u64 {
        let t = i as f64 / 59.0;
        let loss = 0.5 + 1.5 * (-12.0 * t).exp() + if i % 2 == 0 { 0.004 } else { -0.004 };
        writeln!(csv, "{},{:e},{},{loss:.4},", i / 6, 1e-3 * (1.0 - 0.975 * t), 10 * i + 9).unwrap();
        if i % 6 == 5 {
            writeln!(csv, "{},,{},,{:.4}", i / 6, 10 * i + 9, 0.6 + 1.4 * (-12.0 * t).exp()).unwrap();
        }
    }
    let path = write("lightning_logs/version_0/metrics.csv", &csv);
    let doc = fteval(&["curves", &path, "--format", "json"]).json();
    let all = findings(&doc);
    let m = message(&all, "plateau", "train/loss");
    assert!(m.contains("converged") && !m.contains("decay the learning rate"), "{m}");
    assert!(doc["runs"][0]["series"].as_array().unwrap().iter().any(|s| s["name"] == "learning_rate"));
}

#[test]
fn a_training_loss_rising_as_the_learning_rate_warms_up_is_a_finding() {
    // Warm-up to a high peak at step 600: the loss rises 60% meanwhile, then comes back down.
    let mut entries = Vec::new();
    for step in (10..=2000).step_by(10) {
        let t = step as f64 / 2000.0;
        let loss = if t < 0.1 {
            1.5 - 5.0 * t
        } else if t < 0.3 {
            1.0 + 3.0 * (t - 0.1)
        } else {
            1.6 - 1.1 * (t - 0.3)
        };
        let lr = if t < 0.3 { 1e-3 * t / 0.3 } else { 1e-3 * (1.0 - t) / 0.7 };
        entries.push((step, format!(r#""loss": {loss:.4}, "learning_rate": {lr:e}"#)));
        if step % 200 == 0 {
            entries.push((step, format!(r#""eval_loss": {:.4}"#, 1.2 - 0.3 * t)));
        }
    }
    let path = write("warmup/trainer_state.json", &trainer_state(&entries));
    let doc = fteval(&["curves", &path, "--format", "json"]).json();
    let all = findings(&doc);
    let m = message(&all, "warmup_instability", "train/loss");
    assert!(m.contains("warmed up") && m.contains("peak"), "{m}");
    assert!(!has(&doc, "healthy"));
}

#[test]
fn plot_legends_name_only_what_the_log_has() {
    // A training loss only: no eval or test loss, no best checkpoint, no overfitting onset.
    let mut csv = String::from("step,train_loss\n");
    for i in 1..=60 {
        writeln!(csv, "{i},{:.4}", 2.0 * (-0.03 * i as f64).exp()).unwrap();
    }
    let path = write("train_only.csv", &csv);
    for format in ["terminal", "markdown"] {
        let out = fteval(&["curves", &path, "--format", format]).stdout;
        assert!(out.contains("run 0): train loss ⣿"), "{out}");
        for absent in ["test loss", "eval loss ●", "best ┊", "overfitting onset", "lower is better"] {
            assert!(!out.contains(absent), "{format}: {absent} in\n{out}");
        }
    }
    let html = fteval(&["curves", &path, "--format", "html"]).stdout;
    assert!(html.contains("<p class=\"meta\">Train loss solid.</p>"), "{html}");
    for absent in ["test loss", "eval loss", "best checkpoint", "overfitting onset", "lower is better"] {
        assert!(!html.contains(absent), "html: {absent}");
    }
    // With an eval loss that overfits, the legend names it, the best checkpoint and the onset.
    let path = write("legend_full/trainer_state.json", &overfitting_trainer_state());
    let out = fteval(&["curves", &path, "--format", "terminal"]).stdout;
    assert!(out.contains("train loss ⣿, eval loss ●, best ┊, overfitting onset ╎"), "{out}");
}

#[test]
fn git_lfs_pointers_and_progress_only_logs_are_refused_saying_so() {
    let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 88231\n";
    let tb = write("lfs_tb/events.out.tfevents.1700000000.host.1.0", pointer);
    let dir = std::path::Path::new(&tb).parent().unwrap().to_string_lossy().into_owned();
    let metrics = write("lfs_pl/metrics.csv", pointer);
    for path in [&tb, &dir, &metrics] {
        let run = fteval(&["curves", path]);
        assert_eq!(run.code, 2, "{path}: {}", run.stdout);
        assert!(run.stderr.contains("Git LFS pointer") && run.stderr.contains("git lfs pull"), "{}", run.stderr);
        assert!(!run.stderr.contains("corrupt"), "{}", run.stderr);
    }
    let progress = write(
        "progress/trainer_log.jsonl",
        "{\"current_steps\": 10, \"total_steps\": 100, \"percentage\": 10.0, \"elapsed_time\": \"0:01:00\", \"remaining_time\": \"0:09:00\"}\n",
    );
    let run = fteval(&["curves", &progress]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("only progress fields") && run.stderr.contains("hint: "), "{}", run.stderr);
}

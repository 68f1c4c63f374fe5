//! Training-log readers: one synthetic fixture per format and quirk (tests/data/logs/), and
//! every training log of the shared real corpus (../shared/realcorpus), when it is there.

use std::path::{Path, PathBuf};

use fteval_core::curves::{Series, Split, TrainingRun};
use fteval_io::logs::{self, detect, join_runs, normalize_name, read_log, read_log_bytes, read_logs, LogFormat};
use fteval_io::InputError;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/logs").join(name)
}

fn read(name: &str) -> Vec<TrainingRun> {
    read_log(&fixture(name), None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_err(name: &str) -> InputError {
    match read_log(&fixture(name), None) {
        Ok(runs) => panic!("{name}: expected an error, read {} runs", runs.len()),
        Err(e) => e,
    }
}

fn series<'a>(run: &'a TrainingRun, name: &str, split: Split) -> &'a Series {
    run.series
        .iter()
        .find(|s| s.name == name && s.split == split)
        .unwrap_or_else(|| panic!("no {} series '{name}' in {:?}", split.as_str(), names(run)))
}

fn names(run: &TrainingRun) -> Vec<String> {
    run.series
        .iter()
        .map(|s| format!("{}:{}{}", s.split.as_str(), s.name, if s.per_epoch { "/epoch" } else { "" }))
        .collect()
}

fn values(s: &Series) -> Vec<f64> {
    s.points.iter().map(|p| p.value).collect()
}

fn steps(s: &Series) -> Vec<Option<u64>> {
    s.points.iter().map(|p| p.step).collect()
}

fn epochs(s: &Series) -> Vec<Option<f64>> {
    s.points.iter().map(|p| p.epoch).collect()
}

// ---------------------------------------------------------------- formats and detection

#[test]
fn log_format_names_round_trip() {
    for f in LogFormat::ALL {
        assert_eq!(LogFormat::parse(f.as_str()), Some(f));
        assert_eq!(f.as_str().parse::<LogFormat>(), Ok(f));
    }
    assert_eq!(LogFormat::parse("HF"), Some(LogFormat::HuggingFace));
    assert_eq!(LogFormat::parse("pytorch-lightning"), Some(LogFormat::Lightning));
    assert_eq!(LogFormat::parse("tb"), Some(LogFormat::TensorBoard));
    assert!("wandb".parse::<LogFormat>().unwrap_err().contains("huggingface, keras"));
}

#[test]
fn detection_by_name_and_content() {
    let cases = [
        ("hf_basic/trainer_state.json", LogFormat::HuggingFace),
        ("hf_restarted_state.json", LogFormat::HuggingFace),
        ("keras_append.csv", LogFormat::Keras),
        ("keras_append.csv.gz", LogFormat::Keras),
        ("keras_no_epoch.csv", LogFormat::Keras),
        ("keras_multi_output.csv", LogFormat::Keras),
        ("lightning/metrics.csv", LogFormat::Lightning),
        ("lightning_restart.csv", LogFormat::Lightning),
        ("trainer_log.jsonl", LogFormat::Jsonl),
        ("table_iteration.csv", LogFormat::Table),
        ("flair_loss.tsv", LogFormat::Table),
        ("history.json", LogFormat::Table),
        ("records.json", LogFormat::Table),
        ("events.out.tfevents.1700000000.host.1.0", LogFormat::TensorBoard),
    ];
    for (file, want) in cases {
        assert_eq!(detect(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}")), want, "{file}");
    }
    // JSON Lines in a file named .json.
    let text = b"{\"step\": 1, \"loss\": 0.5}\n{\"step\": 2, \"loss\": 0.4}\n";
    let runs = read_log_bytes("log.json", text, None).unwrap();
    assert_eq!(runs[0].format, "jsonl");
}

#[test]
fn git_lfs_pointer_is_refused_saying_so() {
    let path = fixture("hf_lfs/trainer_state.json");
    for e in [
        detect(&path).unwrap_err(),
        read_log(&path, None).unwrap_err(),
        read_log(&path, Some(LogFormat::HuggingFace)).unwrap_err(),
    ] {
        assert!(e.file.ends_with("hf_lfs/trainer_state.json"), "{e}");
        assert!(e.message.contains("Git LFS pointer"), "{e}");
        assert!(e.message.contains("2351 bytes"), "{e}");
        assert!(e.hint.contains("git lfs pull"), "{e}");
    }
}

// ---------------------------------------------------------------- Hugging Face

#[test]
fn hugging_face_trainer_state() {
    let runs = read("hf_basic/trainer_state.json");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!((run.format.as_str(), run.restart), ("huggingface", 0));
    assert!(run.source.ends_with("hf_basic/trainer_state.json"));
    assert_eq!(
        names(run),
        ["train:grad_norm", "train:learning_rate", "train:loss", "eval:accuracy", "eval:loss"],
        "runtime/speed keys, the nested per_class dict, the note and the summary are not series"
    );
    // The summary's train_loss (an average over training) is not a point of the loss curve.
    let loss = series(run, "loss", Split::Train);
    assert_eq!(steps(loss), [Some(5), Some(10), Some(15)]);
    assert_eq!(epochs(loss), [Some(0.5), Some(1.0), Some(1.5)]);
    assert!(!loss.per_epoch);
    let v = values(loss);
    assert_eq!((v[0], v[2]), (0.9, 0.4));
    assert!(v[1].is_nan(), "bare NaN is read");
    let grad = values(series(run, "grad_norm", Split::Train));
    assert_eq!(grad, [3.25, f64::INFINITY, f64::NEG_INFINITY], "bare Infinity / -Infinity are read");
    let eval = series(run, "loss", Split::Eval);
    assert_eq!(values(eval), [0.7, 0.55]);
    assert_eq!(steps(eval), [Some(10), Some(20)]);
    assert_eq!(values(series(run, "accuracy", Split::Eval)), [0.64, 0.71]);
    assert_eq!(values(series(run, "learning_rate", Split::Train)), [5e-5, 4e-5, 2e-5]);
}

#[test]
fn hugging_face_empty_history_is_a_run_without_series() {
    let runs = read("hf_empty/trainer_state.json");
    assert_eq!(runs.len(), 1);
    assert!(runs[0].series.is_empty());
    assert_eq!(runs[0].format, "huggingface");
}

#[test]
fn hugging_face_step_going_back_is_a_restart() {
    let runs = read("hf_restarted_state.json");
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].restart, runs[1].restart), (0, 1));
    assert_eq!(values(series(&runs[0], "loss", Split::Train)), [2.0, 1.5]);
    assert_eq!(values(series(&runs[1], "loss", Split::Train)), [1.9, 1.2]);
    assert_eq!(values(series(&runs[1], "loss", Split::Eval)), [1.3]);
}

#[test]
fn final_metrics_json_is_refused_with_a_pointer_to_trainer_state() {
    let e = read_err("all_results.json");
    assert!(e.message.contains("no 'log_history'"), "{e}");
    assert!(e.hint.contains("trainer_state.json"), "{e}");
    let e = read_log(&fixture("all_results.json"), Some(LogFormat::HuggingFace)).unwrap_err();
    assert!(e.message.contains("eval_loss"), "lists the keys found: {e}");
}

#[test]
fn truncated_json_names_the_line() {
    let e = read_err("truncated_state.json");
    assert!(e.file.ends_with("truncated_state.json"));
    assert!(e.location.starts_with("line 3"), "{e}");
    assert!(e.message.contains("truncated"), "{e}");
    let e = read_err("truncated.jsonl");
    assert!(e.location.starts_with("line 2") || e.location.starts_with("line 3"), "{e}");
}

// ---------------------------------------------------------------- Keras

#[test]
fn keras_append_restarts_are_separate_runs() {
    for file in ["keras_append.csv", "keras_append.csv.gz"] {
        let runs = read(file);
        assert_eq!(runs.len(), 2, "{file}");
        assert_eq!((runs[0].restart, runs[1].restart), (0, 1));
        let first = &runs[0];
        assert_eq!(first.format, "keras");
        assert_eq!(
            names(first),
            [
                "train:accuracy/epoch",
                "train:loss/epoch",
                "train:learning_rate/epoch",
                "eval:accuracy/epoch",
                "eval:loss/epoch"
            ]
        );
        let loss = series(first, "loss", Split::Train);
        assert_eq!(epochs(loss), [Some(0.0), Some(1.0), Some(2.0)], "the file's 0-based epochs");
        assert_eq!(steps(loss), [None, None, None]);
        assert_eq!(values(loss), [1.2, 0.9, f64::INFINITY]);
        assert!(values(series(first, "loss", Split::Eval))[1].is_nan());
        let second = &runs[1];
        assert_eq!(values(series(second, "loss", Split::Eval)), [1.05, f64::NEG_INFINITY, f64::INFINITY, 0.9]);
        assert_eq!(values(series(second, "learning_rate", Split::Train)), [0.001, 0.001, 0.001, 0.0001]);
    }
}

#[test]
fn keras_without_epoch_column_counts_rows() {
    let runs = read("keras_no_epoch.csv");
    assert_eq!(runs.len(), 1);
    let loss = series(&runs[0], "loss", Split::Eval);
    assert_eq!(epochs(loss), [Some(0.0), Some(1.0), Some(2.0)]);
    assert_eq!(values(loss), [1.1, 1.0, 0.95]);
}

#[test]
fn keras_multi_output_heads() {
    let run = &read("keras_multi_output.csv")[0];
    assert_eq!(values(series(run, "audio_pred_loss", Split::Train)), [0.21, 0.20]);
    assert_eq!(values(series(run, "fused_pred_loss", Split::Eval)), [0.11, 0.10]);
    assert_eq!(values(series(run, "fused_pred_accuracy", Split::Eval)), [0.69, 0.66]);
    assert_eq!(values(series(run, "loss", Split::Train)), [0.75, 0.68]);
    assert_eq!(values(series(run, "learning_rate", Split::Train)), [3e-5, 3e-5]);
}

#[test]
fn a_text_value_in_a_metric_column_names_line_and_column() {
    let e = read_err("keras_bad_value.csv");
    assert!(e.file.ends_with("keras_bad_value.csv"));
    assert_eq!(e.location, "line 3");
    assert!(e.message.contains("'loss'") && e.message.contains("'oops'"), "{e}");
    assert!(!e.hint.is_empty());
}

// ---------------------------------------------------------------- Lightning

#[test]
fn lightning_sparse_rows() {
    let runs = read("lightning/metrics.csv");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.format, "lightning");
    let step_loss = run.series.iter().find(|s| s.name == "loss" && s.split == Split::Train && !s.per_epoch).unwrap();
    assert_eq!(steps(step_loss), [Some(49), Some(99), Some(149), Some(199)]);
    assert_eq!(epochs(step_loss), [Some(0.0), Some(0.0), Some(1.0), Some(1.0)]);
    assert!(step_loss.points[3].value.is_nan());
    let epoch_loss = run.series.iter().find(|s| s.name == "loss" && s.split == Split::Train && s.per_epoch).unwrap();
    assert_eq!(values(epoch_loss), [2.6, 1.8]);
    assert_eq!(steps(epoch_loss), [Some(99), Some(199)]);
    // get() prefers the step-level series.
    assert!(!run.get("loss", Split::Train).unwrap().per_epoch);
    // val_ and valid_ are both the eval split; unsuffixed eval columns are epoch values.
    let val_acc = series(run, "accuracy", Split::Eval);
    assert_eq!(values(val_acc), [0.41, 0.55]);
    assert!(val_acc.per_epoch);
    assert_eq!(values(series(run, "f1", Split::Eval)), [0.38, 0.52]);
    // train_acc only appears on the rows with train_loss_epoch: an epoch value.
    assert!(series(run, "accuracy", Split::Train).per_epoch);
}

#[test]
fn lightning_step_going_back_is_a_restart() {
    let runs = read("lightning_restart.csv");
    assert_eq!(runs.len(), 2);
    assert_eq!(values(series(&runs[0], "loss", Split::Train)), [0.9, 0.7]);
    assert_eq!(values(series(&runs[1], "loss", Split::Train)), [0.95]);
    assert_eq!(values(series(&runs[1], "loss", Split::Eval)), [0.85]);
}

// ---------------------------------------------------------------- JSONL and tables

#[test]
fn jsonl_trainer_log() {
    let runs = read("trainer_log.jsonl");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.format, "jsonl");
    assert_eq!(names(run), ["train:loss", "train:learning_rate", "eval:loss"], "progress keys are not series");
    let loss = series(run, "loss", Split::Train);
    assert_eq!(steps(loss), [Some(10), Some(20), Some(30)]);
    assert!(loss.points[1].value.is_nan());
    assert_eq!(epochs(series(run, "loss", Split::Eval)), [Some(0.67)]);
}

#[test]
fn generic_table_with_iteration_column() {
    let run = &read("table_iteration.csv")[0];
    assert_eq!(run.format, "table");
    let loss = series(run, "loss", Split::Train);
    assert_eq!(steps(loss), [Some(100), Some(200), Some(300)]);
    assert!(!loss.per_epoch);
    assert_eq!(values(series(run, "loss", Split::Eval)), [0.85]);
    assert_eq!(values(series(run, "accuracy", Split::Train)), [0.5, 0.6, 0.7]);
}

#[test]
fn flair_loss_tsv() {
    let run = &read("flair_loss.tsv")[0];
    assert_eq!(run.format, "table");
    assert_eq!(
        names(run),
        [
            "train:learning_rate/epoch",
            "train:loss/epoch",
            "eval:loss/epoch",
            "eval:precision/epoch",
            "eval:recall/epoch",
            "eval:f1/epoch"
        ],
        "TIMESTAMP is text, BAD_EPOCHS a counter, TEST_LOSS all '_'"
    );
    let dev = series(run, "loss", Split::Eval);
    assert_eq!(values(dev), [1.81, 0.68, 0.60]);
    assert_eq!(epochs(dev), [Some(1.0), Some(2.0), Some(3.0)]);
    // Old Flair wrote a stray tab after TRAIN_LOSS on every row.
    let run = &read("flair_stray_tab.tsv")[0];
    assert_eq!(values(series(run, "loss", Split::Eval)), [11.48, 8.00]);
    assert_eq!(values(series(run, "f-score", Split::Eval)), [0.01, 0.40]);
}

#[test]
fn json_tables() {
    let run = &read("history.json")[0];
    assert_eq!(run.format, "table");
    let val = series(run, "loss", Split::Eval);
    assert_eq!(epochs(val), [Some(0.0), Some(1.0), Some(2.0)]);
    assert!(val.per_epoch && val.points[2].value.is_nan());
    assert_eq!(values(series(run, "accuracy", Split::Eval)), [0.8, 0.84, 0.86]);
    assert_eq!(values(series(run, "learning_rate", Split::Train)), [0.001, 0.001, 0.0005]);

    let run = &read("records.json")[0];
    let f1 = series(run, "f1_macro", Split::Eval);
    assert_eq!(epochs(f1), [Some(1.0), Some(2.0)]);
    assert!(f1.per_epoch);
}

#[test]
fn a_table_without_step_or_epoch_is_refused() {
    let e = read_err("no_position.csv");
    assert!(e.message.contains("no step or epoch column"), "{e}");
    assert!(e.message.contains("name, score, count"), "{e}");
    assert!(e.hint.contains("epoch"), "{e}");
}

#[test]
fn tensorboard_files_go_to_the_tensorboard_reader() {
    // Not a real event file: whichever TensorBoard reader is built refuses it, naming it.
    let e = read_err("events.out.tfevents.1700000000.host.1.0");
    assert!(e.file.contains("tfevents"), "{e}");
}

#[test]
fn bad_paths() {
    let e = read_log(&fixture("no_such_file.csv"), None).unwrap_err();
    assert!(e.message.contains("cannot open"), "{e}");
    let e = read_log(&fixture("hf_basic"), None).unwrap_err();
    assert!(e.message.contains("directory"), "{e}");
    assert!(e.hint.contains("trainer_state.json"), "{e}");
    let e = read_log_bytes("empty.csv", b"\n\n", None).unwrap_err();
    assert!(e.message.contains("empty"), "{e}");
    let e = read_log_bytes("model.bin", b"\x00\x01\x02garbage", None).unwrap_err();
    assert!(e.message.contains("binary"), "{e}");
}

// ---------------------------------------------------------------- several files

#[test]
fn several_files_one_run_each_or_one_run_joined() {
    let files = [fixture("lightning_restart.csv"), fixture("table_iteration.csv")];
    let runs = read_logs(&files, None, false).unwrap();
    assert_eq!(runs.len(), 3);

    // A resumed training: the second part goes back to step 20 and re-logs from there.
    let a = read_log_bytes(
        "part1.jsonl",
        b"{\"step\":10,\"loss\":1.0}\n{\"step\":20,\"loss\":0.9}\n{\"step\":30,\"loss\":0.8}\n",
        None,
    )
    .unwrap();
    let b = read_log_bytes("part2.jsonl", b"{\"step\":20,\"loss\":0.85}\n{\"step\":40,\"loss\":0.7}\n", None).unwrap();
    let joined = join_runs(a.into_iter().chain(b).collect());
    assert_eq!(joined.source, "part1.jsonl + part2.jsonl");
    assert_eq!(joined.format, "jsonl");
    let loss = series(&joined, "loss", Split::Train);
    assert_eq!(steps(loss), [Some(10), Some(20), Some(40)]);
    assert_eq!(values(loss), [1.0, 0.85, 0.7]);

    // A later checkpoint's trainer_state.json repeats the history: kept once.
    let state = std::fs::read(fixture("hf_basic/trainer_state.json")).unwrap();
    let parts: Vec<TrainingRun> = ["checkpoint-10", "checkpoint-20"]
        .iter()
        .flat_map(|n| read_log_bytes(&format!("{n}/trainer_state.json"), &state, None).unwrap())
        .collect();
    let joined = join_runs(parts);
    assert_eq!(steps(series(&joined, "loss", Split::Train)), [Some(5), Some(10), Some(15)]);
}

#[test]
fn name_normalisation_is_shared() {
    let m = normalize_name("valid_acc_epoch").unwrap();
    assert_eq!((m.name.as_str(), m.split, m.per_epoch), ("accuracy", Split::Eval, Some(true)));
    assert!(normalize_name("eval_steps_per_second").is_none());
    let _ = logs::LOG_FORMAT_NAMES;
}

// ---------------------------------------------------------------- the real corpus

/// Every training log of ../shared/realcorpus (per SOURCES.tsv): read into at least one run
/// with a non-empty series, or refused with an InputError that says what to do.
#[test]
fn real_corpus_training_logs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realcorpus");
    let Ok(sources) = std::fs::read_to_string(dir.join("SOURCES.tsv")) else {
        eprintln!("skipping: no real corpus at {}", dir.display());
        return;
    };
    let log_kinds = ["trainer_state", "keras_csvlogger", "lightning_metrics", "other_log"];
    let log_prefixes =
        ["hf_trainer_state_", "keras_log_", "lightning_metrics_", "trainer_log_", "flair_log_", "history_"];
    let mut read_ok = 0;
    let mut refused = Vec::new();
    for line in sources.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(kind)) = (fields.first(), fields.get(4)) else { continue };
        if !log_kinds.contains(kind) || !log_prefixes.iter().any(|p| file.starts_with(p)) {
            continue;
        }
        let path = dir.join(file);
        match read_log(&path, None) {
            Ok(runs) => {
                assert!(!runs.is_empty(), "{file}: no runs");
                let empty_history = runs.len() == 1 && runs[0].series.is_empty() && runs[0].format == "huggingface";
                if empty_history {
                    eprintln!("{file}: huggingface, empty log_history (a run without series)");
                    read_ok += 1;
                    continue;
                }
                let best =
                    runs.iter().map(|r| r.series.iter().filter(|s| !s.points.is_empty()).count()).max().unwrap_or(0);
                assert!(best > 0, "{file}: no run has a non-empty series");
                let points: usize = runs.iter().flat_map(|r| &r.series).map(|s| s.points.len()).sum();
                eprintln!(
                    "{file}: {} · {} run(s) · series {:?} · {points} points",
                    runs[0].format,
                    runs.len(),
                    names(&runs[0])
                );
                read_ok += 1;
            }
            Err(e) => {
                assert!(e.file.ends_with(file), "{file}: the error names the file: {e}");
                assert!(!e.message.is_empty() && !e.hint.is_empty(), "{file}: the error says what to do: {e}");
                eprintln!("{file}: REFUSED: {e}");
                refused.push(file.to_string());
            }
        }
    }
    eprintln!("real corpus: {read_ok} read, {} refused {refused:?}", refused.len());
    assert!(read_ok >= 30, "only {read_ok} logs read");
}

// ---------------------------------------------------------------- issue 15: real-world shapes

#[test]
fn lightning_learning_rate_monitor_columns_are_the_learning_rate() {
    let mut csv = String::from("epoch,step,lr-AdamW,lr-AdamW/pg2,lr-AdamW-momentum,train_loss,val_loss\n");
    for i in 0..10u32 {
        let lr = 1e-3 / (1.0 + 4.0 * i as f64);
        csv.push_str(&format!("0,{},{lr},{},0.9,{},\n", 10 * i + 9, lr / 10.0, 1.0 - 0.05 * i as f64));
    }
    csv.push_str("0,99,,,,,0.7\n");
    let runs = read_log_bytes("lightning_logs/version_0/metrics.csv", csv.as_bytes(), None).unwrap();
    assert_eq!(runs[0].format, "lightning");
    let run = &runs[0];
    let lr = series(run, "learning_rate", Split::Train);
    assert_eq!(lr.points.len(), 10);
    assert_eq!(steps(lr)[0], Some(9));
    assert!((values(lr)[9] - 1e-3 / 37.0).abs() < 1e-12);
    assert_eq!(series(run, "learning_rate_pg2", Split::Train).points.len(), 10);
    assert_eq!(series(run, "momentum", Split::Train).points.len(), 10);
}

#[test]
fn keras_epoch_column_that_stays_at_zero_is_replaced_by_the_row_order() {
    // `fit(epochs=1)` called in a loop with CSVLogger(append=True): epoch 0 on every row; then a
    // second training appended to the same file, counting its epochs.
    let mut csv = String::from("epoch,accuracy,loss,val_accuracy,val_loss\n");
    for i in 0..8 {
        csv.push_str(&format!("0,{:.3},{:.4},{:.3},{:.4}\n", 0.5 + 0.04 * i as f64, 1.0 - 0.08 * i as f64, 0.5, 0.9));
    }
    for e in 0..5 {
        csv.push_str(&format!("{e},{:.3},{:.4},{:.3},{:.4}\n", 0.6, 1.2 - 0.1 * e as f64, 0.6, 1.1 - 0.1 * e as f64));
    }
    let runs = read_log_bytes("training_log.csv", csv.as_bytes(), None).unwrap();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[0].format, "keras");
    let loss = series(&runs[0], "loss", Split::Train);
    assert_eq!(epochs(loss), (0..8).map(|i| Some(i as f64)).collect::<Vec<_>>());
    assert_eq!(runs[0].notes.len(), 1);
    assert!(
        runs[0].notes[0].contains("stays at 0 on 8 rows") && runs[0].notes[0].contains("placed by their order"),
        "{:?}",
        runs[0].notes
    );
    // The appended run keeps the epochs it wrote.
    assert_eq!(epochs(series(&runs[1], "loss", Split::Train)), (0..5).map(|e| Some(e as f64)).collect::<Vec<_>>());
    assert!(runs[1].notes.is_empty());
    // Read as a generic table (--log-format table), the same rule holds.
    let runs = read_log_bytes("log.csv", csv.as_bytes(), Some(LogFormat::Table)).unwrap();
    assert_eq!(epochs(series(&runs[0], "loss", Split::Train))[7], Some(7.0));
}

#[test]
fn a_log_of_progress_fields_only_says_so() {
    let jsonl = b"{\"current_steps\": 10, \"total_steps\": 100, \"percentage\": 10.0, \"elapsed_time\": \"0:01:00\", \"remaining_time\": \"0:09:00\"}\n{\"current_steps\": 20, \"total_steps\": 100, \"percentage\": 20.0, \"elapsed_time\": \"0:02:00\", \"remaining_time\": \"0:08:00\"}\n";
    let csv = b"epoch,step,elapsed_time,samples_per_second\n0,10,1.5,300\n0,20,3.0,310\n";
    let hf = br#"{"log_history": [{"epoch": 0.5, "step": 10, "total_flos": 1.0e12}, {"epoch": 1.0, "step": 20}]}"#;
    for (name, bytes) in
        [("trainer_log.jsonl", &jsonl[..]), ("progress.csv", &csv[..]), ("trainer_state.json", &hf[..])]
    {
        let e = read_log_bytes(name, bytes, None).unwrap_err();
        assert!(e.message.contains("only progress fields") && e.message.contains("no loss or metric"), "{name}: {e}");
        assert!(!e.message.contains("no numeric metric") && !e.message.contains("no metric columns"), "{name}: {e}");
        assert!(e.hint.contains("training loss"), "{name}: {e}");
    }
    // A log with a metric is read as before.
    let ok = b"{\"current_steps\": 10, \"loss\": 2.5}\n{\"current_steps\": 20, \"loss\": 2.4}\n";
    assert_eq!(read_log_bytes("trainer_log.jsonl", ok, None).unwrap()[0].series.len(), 1);
}

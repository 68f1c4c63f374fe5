//! The TensorBoard event-file reader: on event files these tests write themselves (prost
//! messages framed as TFRecords), on one written by tensorboardX
//! (tests/data/tensorboard/make_tensorboardx_fixture.py), and on the real event files in
//! ../shared/realcorpus (skipped, saying so, when that folder is absent), whose values are
//! checked against the trainer_state.json / eval_results.txt published beside them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use fteval_core::curves::{Split, TrainingRun};
use fteval_io::logs::tensorboard::proto::{
    Event, PluginData, Summary, SummaryMetadata, SummaryValue, TensorProto, TensorShapeDim, TensorShapeProto,
    DT_DOUBLE, DT_FLOAT, DT_INT32, DT_STRING,
};
use fteval_io::logs::tensorboard::{masked_crc32c, read_tensorboard, read_tensorboard_from, read_tensorboard_log};
use prost::Message;

// ---------------------------------------------------------------------------------------------
// Writing event files

/// Appends one TFRecord holding `data`.
fn frame(out: &mut Vec<u8>, data: &[u8]) {
    let len = (data.len() as u64).to_le_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
}

/// An event file: a file_version record, then `events`.
fn event_file(events: &[Event]) -> Vec<u8> {
    let mut out = Vec::new();
    frame(&mut out, &version_event().encode_to_vec());
    for e in events {
        frame(&mut out, &e.encode_to_vec());
    }
    out
}

fn version_event() -> Event {
    Event { wall_time: 1.7e9, file_version: Some("brain.Event:2".into()), ..Default::default() }
}

fn summary_event(step: i64, values: Vec<SummaryValue>) -> Event {
    Event { wall_time: 1.7e9 + step as f64, step, summary: Some(Summary { value: values }), ..Default::default() }
}

fn simple(tag: &str, x: f32) -> SummaryValue {
    SummaryValue { tag: tag.into(), simple_value: Some(x), ..Default::default() }
}

fn metadata(plugin: &str) -> Option<SummaryMetadata> {
    Some(SummaryMetadata { plugin_data: Some(PluginData { plugin_name: plugin.into(), content: vec![] }) })
}

fn shape(dims: &[i64]) -> Option<TensorShapeProto> {
    Some(TensorShapeProto {
        dim: dims.iter().map(|&size| TensorShapeDim { size, name: String::new() }).collect(),
        unknown_rank: false,
    })
}

fn tensor(tag: &str, plugin: Option<&str>, t: TensorProto) -> SummaryValue {
    SummaryValue { tag: tag.into(), tensor: Some(t), metadata: plugin.and_then(metadata), ..Default::default() }
}

/// TF2's `tf.summary.scalar`: a 0-dimensional DT_FLOAT tensor in `tensor_content`.
fn tf2_scalar(tag: &str, x: f32, with_metadata: bool) -> SummaryValue {
    let t = TensorProto {
        dtype: DT_FLOAT,
        tensor_shape: shape(&[]),
        tensor_content: x.to_le_bytes().to_vec(),
        ..Default::default()
    };
    tensor(tag, with_metadata.then_some("scalars"), t)
}

/// A file under this test binary's scratch folder, unique per call.
fn write_temp(name: &str, bytes: &[u8]) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tensorboard-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A protobuf length-delimited field, encoded by hand (for fields the reader's structs lack).
fn length_delimited(field: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    prost::encoding::encode_key(field, prost::encoding::WireType::LengthDelimited, &mut out);
    prost::encoding::encode_varint(body.len() as u64, &mut out);
    out.extend_from_slice(body);
    out
}

fn points(run: &TrainingRun, name: &str, split: Split) -> Vec<(Option<u64>, f64)> {
    let series = run.get(name, split).unwrap_or_else(|| panic!("no series {name} of {split:?} in {:?}", names(run)));
    series
        .points
        .iter()
        .map(|p| {
            assert_eq!(p.epoch, None);
            (p.step, p.value)
        })
        .collect()
}

fn names(run: &TrainingRun) -> Vec<(String, Split, bool)> {
    run.series.iter().map(|s| (s.name.clone(), s.split, s.per_epoch)).collect()
}

// ---------------------------------------------------------------------------------------------
// Written by these tests

#[test]
fn simple_value_scalars_in_hf_trainer_tags() {
    let events = vec![
        summary_event(
            10,
            vec![simple("train/loss", 0.9), simple("train/learning_rate", 5e-5), simple("train/epoch", 0.1)],
        ),
        summary_event(
            20,
            vec![simple("train/loss", 0.7), simple("train/learning_rate", 4e-5), simple("train/epoch", 0.2)],
        ),
        summary_event(20, vec![simple("eval/loss", 0.8), simple("eval/accuracy", 0.75)]),
        summary_event(30, vec![simple("train/loss", 0.0), simple("train/learning_rate", 3e-5)]),
        summary_event(30, vec![simple("eval/loss", f32::NAN), simple("eval/accuracy", f32::INFINITY)]),
    ];
    let path = write_temp("events.out.tfevents.1700000000.host.1.0", &event_file(&events));
    let run = read_tensorboard(&path, None).unwrap();
    assert_eq!(run.format, "tensorboard");
    assert_eq!(run.source, path.display().to_string());
    assert_eq!(run.restart, 0);
    assert_eq!(
        names(&run),
        vec![
            ("loss".to_string(), Split::Train, false),
            ("learning_rate".to_string(), Split::Train, false),
            ("loss".to_string(), Split::Eval, false),
            ("accuracy".to_string(), Split::Eval, false),
        ]
    );
    // f32 values come back as the decimal that was logged, 0.0 included (it has presence).
    assert_eq!(points(&run, "loss", Split::Train), vec![(Some(10), 0.9), (Some(20), 0.7), (Some(30), 0.0)]);
    assert_eq!(points(&run, "learning_rate", Split::Train), vec![(Some(10), 5e-5), (Some(20), 4e-5), (Some(30), 3e-5)]);
    let eval = points(&run, "loss", Split::Eval);
    assert_eq!(eval[0], (Some(20), 0.8));
    assert!(eval[1].1.is_nan());
    assert_eq!(points(&run, "accuracy", Split::Eval)[1].1, f64::INFINITY);
    let log = read_tensorboard_log(&path, None).unwrap();
    assert!(log.notes.is_empty(), "{:?}", log.notes);
}

#[test]
fn tensor_scalars_float_and_double() {
    let double_content = TensorProto {
        dtype: DT_DOUBLE,
        tensor_content: 0.123456789012345f64.to_le_bytes().to_vec(),
        ..Default::default()
    };
    let events = vec![
        summary_event(
            1,
            vec![
                tf2_scalar("epoch_loss", 0.5, true),
                tensor(
                    "epoch_accuracy",
                    Some("scalars"),
                    TensorProto {
                        dtype: DT_FLOAT,
                        tensor_shape: shape(&[]),
                        float_val: vec![0.25],
                        ..Default::default()
                    },
                ),
                tensor(
                    "lr",
                    Some("scalars"),
                    TensorProto {
                        dtype: DT_DOUBLE,
                        tensor_shape: shape(&[1]),
                        double_val: vec![1e-3],
                        ..Default::default()
                    },
                ),
                // No shape at all: 0-dimensional.
                tensor("precise", Some("scalars"), double_content.clone()),
            ],
        ),
        // Later values without metadata, as TensorBoard's writers send them.
        summary_event(
            2,
            vec![
                tf2_scalar("epoch_loss", 0.375, false),
                tensor(
                    "epoch_accuracy",
                    None,
                    TensorProto {
                        dtype: DT_FLOAT,
                        tensor_shape: shape(&[1, 1]),
                        tensor_content: 0.5f32.to_le_bytes().to_vec(),
                        ..Default::default()
                    },
                ),
                tensor(
                    "lr",
                    None,
                    TensorProto {
                        dtype: DT_DOUBLE,
                        tensor_shape: shape(&[]),
                        tensor_content: 5e-4f64.to_le_bytes().to_vec(),
                        ..Default::default()
                    },
                ),
                tensor("precise", None, double_content),
            ],
        ),
    ];
    let run = read_tensorboard_from(&event_file(&events)[..], "mem", None).unwrap().run;
    assert_eq!(
        names(&run),
        vec![
            ("loss".to_string(), Split::Train, true),
            ("accuracy".to_string(), Split::Train, true),
            ("learning_rate".to_string(), Split::Train, false),
            ("precise".to_string(), Split::Train, false),
        ]
    );
    assert_eq!(points(&run, "loss", Split::Train), vec![(Some(1), 0.5), (Some(2), 0.375)]);
    assert_eq!(points(&run, "accuracy", Split::Train), vec![(Some(1), 0.25), (Some(2), 0.5)]);
    assert_eq!(points(&run, "learning_rate", Split::Train), vec![(Some(1), 1e-3), (Some(2), 5e-4)]);
    // Doubles are kept exactly.
    assert_eq!(points(&run, "precise", Split::Train), vec![(Some(1), 0.123456789012345), (Some(2), 0.123456789012345)]);
}

#[test]
fn non_scalar_records_are_skipped() {
    let text = TensorProto {
        dtype: DT_STRING,
        tensor_shape: shape(&[]),
        string_val: vec![b"hello".to_vec()],
        ..Default::default()
    };
    let histogram = TensorProto {
        dtype: DT_DOUBLE,
        tensor_shape: shape(&[1, 3]),
        double_val: vec![0.0, 1.0, 5.0],
        ..Default::default()
    };
    let vector =
        TensorProto { dtype: DT_FLOAT, tensor_shape: shape(&[2]), float_val: vec![1.0, 2.0], ..Default::default() };
    let int_scalar = TensorProto { dtype: DT_INT32, tensor_shape: shape(&[]), int_val: vec![7], ..Default::default() };
    let one_float = |x: f32| TensorProto { dtype: DT_FLOAT, float_val: vec![x], ..Default::default() };
    // An image value (Summary.Value field 4), which the reader's structs do not declare.
    let image_value = [
        length_delimited(1, b"images/sample"),
        length_delimited(4, &[length_delimited(4, b"\x89PNG fake").as_slice(), &[0x08, 0x02, 0x10, 0x02]].concat()),
    ]
    .concat();
    let image_event = [
        vec![0x10, 0x05], // step 5
        length_delimited(5, &length_delimited(1, &image_value)),
    ]
    .concat();

    let mut bytes = Vec::new();
    frame(&mut bytes, &version_event().encode_to_vec());
    frame(&mut bytes, &Event { graph_def: Some(vec![0x0a; 5000]), ..Default::default() }.encode_to_vec());
    frame(
        &mut bytes,
        &summary_event(1, vec![tensor("notes/text_summary", Some("text"), text.clone())]).encode_to_vec(),
    );
    frame(&mut bytes, &image_event);
    frame(
        &mut bytes,
        &summary_event(
            5,
            vec![
                tensor("weights", Some("histograms"), histogram),
                tensor("vector", None, vector),
                tensor("count", None, int_scalar),
                // A single float under another plugin is that plugin's data, not a scalar,
                // also later when its metadata is no longer sent.
                tensor("custom", Some("my_plugin"), one_float(1.0)),
                simple("train/loss", 1.25),
                // No value at all (hparams-style metadata-only summaries).
                SummaryValue {
                    tag: "_hparams_/session_start_info".into(),
                    metadata: metadata("hparams"),
                    ..Default::default()
                },
            ],
        )
        .encode_to_vec(),
    );
    frame(
        &mut bytes,
        &summary_event(6, vec![tensor("custom", None, one_float(2.0)), tensor("notes/text_summary", None, text)])
            .encode_to_vec(),
    );
    let path = write_temp("events.out.tfevents.skips", &bytes);
    let log = read_tensorboard_log(&path, None).unwrap();
    assert_eq!(names(&log.run), vec![("loss".to_string(), Split::Train, false)]);
    assert_eq!(points(&log.run, "loss", Split::Train), vec![(Some(5), 1.25)]);
    assert!(log.notes.is_empty(), "{:?}", log.notes);

    // Only non-scalars: a run without series, and a note saying why.
    let mut bytes = Vec::new();
    frame(&mut bytes, &version_event().encode_to_vec());
    frame(&mut bytes, &Event { graph_def: Some(vec![1, 2, 3]), ..Default::default() }.encode_to_vec());
    let log = read_tensorboard_from(&bytes[..], "graph-only", None).unwrap();
    assert!(log.run.series.is_empty());
    assert_eq!(log.notes.len(), 1);
    assert!(log.notes[0].contains("none of the file's 2 events holds a scalar"), "{:?}", log.notes);
}

#[test]
fn keras_train_and_validation_files() {
    let train = event_file(&[
        summary_event(0, vec![tf2_scalar("epoch_loss", 0.9, true), tf2_scalar("epoch_accuracy", 0.6, true)]),
        summary_event(1, vec![tf2_scalar("epoch_loss", 0.6, false), tf2_scalar("epoch_accuracy", 0.7, false)]),
    ]);
    let validation = event_file(&[
        summary_event(
            0,
            vec![tf2_scalar("epoch_loss", 1.0, true), tf2_scalar("evaluation_loss_vs_iterations", 1.0, true)],
        ),
        summary_event(1, vec![tf2_scalar("epoch_loss", 0.8, false)]),
    ]);
    let run = read_tensorboard(&write_temp("events.out.tfevents.train.v2", &train), None).unwrap();
    assert_eq!(
        names(&run),
        vec![("loss".to_string(), Split::Train, true), ("accuracy".to_string(), Split::Train, true)]
    );
    assert_eq!(points(&run, "accuracy", Split::Train), vec![(Some(0), 0.6), (Some(1), 0.7)]);
    let run =
        read_tensorboard(&write_temp("events.out.tfevents.validation.v2", &validation), Some(Split::Eval)).unwrap();
    assert_eq!(names(&run), vec![("loss".to_string(), Split::Eval, true)]);
    assert_eq!(points(&run, "loss", Split::Eval), vec![(Some(0), 1.0), (Some(0), 1.0), (Some(1), 0.8)]);
}

fn three_record_file() -> (Vec<u8>, Vec<u64>) {
    let events = [
        version_event(),
        summary_event(1, vec![simple("loss", 3.0)]),
        summary_event(2, vec![simple("loss", 2.0)]),
        summary_event(3, vec![simple("loss", 1.0)]),
    ];
    let mut bytes = Vec::new();
    let mut offsets = Vec::new();
    for e in &events {
        offsets.push(bytes.len() as u64);
        frame(&mut bytes, &e.encode_to_vec());
    }
    (bytes, offsets)
}

#[test]
fn bad_data_crc_is_an_error_at_the_record() {
    let (mut bytes, offsets) = three_record_file();
    let at = offsets[2] as usize + 12 + 3;
    bytes[at] ^= 0x40;
    let path = write_temp("events.out.tfevents.corrupt", &bytes);
    let err = read_tensorboard(&path, None).unwrap_err();
    assert_eq!(err.file, path.display().to_string());
    assert_eq!(err.location, format!("byte {}", offsets[2]));
    assert!(err.message.contains("CRC"), "{err}");
    assert!(err.to_string().starts_with(&format!("{}: byte {}: corrupt record", path.display(), offsets[2])), "{err}");
}

#[test]
fn bad_length_crc_is_an_error_at_the_record() {
    let (mut bytes, offsets) = three_record_file();
    bytes[offsets[3] as usize + 9] ^= 0x01;
    let err = read_tensorboard_from(&bytes[..], "events.out.tfevents.x", None).unwrap_err();
    assert_eq!(err.location, format!("byte {}", offsets[3]));
    assert!(err.message.contains("CRC of its length"), "{err}");
    assert!(err.hint.contains("damaged"), "{err}");
}

#[test]
fn a_file_that_is_not_an_event_file() {
    let path = write_temp("events.out.tfevents.csv", b"step,loss\n1,0.5\n2,0.4\n3,0.3\n");
    let err = read_tensorboard(&path, None).unwrap_err();
    assert_eq!(err.location, "byte 0");
    assert!(err.hint.contains("does not look like a TensorBoard event file"), "{err}");

    // Valid framing around something that is not an Event.
    let mut bytes = Vec::new();
    frame(&mut bytes, &[0x0a, 0x05, 0x01]);
    let err = read_tensorboard_from(&bytes[..], "framed-garbage", None).unwrap_err();
    assert_eq!(err.location, "byte 0");
    assert!(err.message.contains("not a TensorBoard event"), "{err}");

    let err = read_tensorboard(Path::new("/nonexistent/events.out.tfevents.1"), None).unwrap_err();
    assert!(err.message.starts_with("cannot open"), "{err}");
    let err = read_tensorboard(Path::new(env!("CARGO_TARGET_TMPDIR")), None).unwrap_err();
    assert!(err.message.contains("directory"), "{err}");
}

#[test]
fn a_truncated_last_record_is_skipped_with_a_note() {
    let (bytes, offsets) = three_record_file();
    // Cut inside the last record's data, then inside its header: the first two summaries stay.
    for cut in [bytes.len() - 1, offsets[3] as usize + 20, offsets[3] as usize + 5] {
        let path = write_temp("events.out.tfevents.growing", &bytes[..cut]);
        let log = read_tensorboard_log(&path, None).unwrap();
        assert_eq!(points(&log.run, "loss", Split::Train), vec![(Some(1), 3.0), (Some(2), 2.0)]);
        assert_eq!(log.notes.len(), 1, "{:?}", log.notes);
        assert!(
            log.notes[0].contains(&format!("last record (at byte {}) is incomplete", offsets[3])),
            "{:?}",
            log.notes
        );
        assert_eq!(read_tensorboard(&path, None).unwrap(), log.run);
        // The run carries the note too, for `fteval curves` to show.
        assert_eq!(log.run.notes, log.notes);
    }
    // Cut exactly between records: a complete file, nothing to say.
    let log = read_tensorboard_from(&bytes[..offsets[3] as usize], "cut", None).unwrap();
    assert_eq!(log.run.series[0].points.len(), 2);
    assert!(log.notes.is_empty());
}

#[test]
fn a_git_lfs_pointer_in_place_of_an_event_file_says_so() {
    let pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 88231\n";
    let path = write_temp("events.out.tfevents.1700000000.host.1.0", pointer);
    for err in
        [read_tensorboard(&path, None).unwrap_err(), read_tensorboard_from(&pointer[..], "tb", None).unwrap_err()]
    {
        assert!(err.message.contains("Git LFS pointer") && err.message.contains("88231 bytes"), "{err}");
        assert!(err.hint.contains("git lfs pull"), "{err}");
        assert!(!err.message.contains("corrupt"), "{err}");
    }
    // Through the log reader, chosen by name or by --log-format.
    let err = fteval_io::logs::read_log(&path, None).unwrap_err();
    assert!(err.message.contains("Git LFS pointer"), "{err}");
    // Text that only starts like a pointer is still no event file.
    let err = read_tensorboard_from(&b"version https://example.com/not-lfs\n"[..], "tb", None).unwrap_err();
    assert!(err.message.contains("corrupt record"), "{err}");
}

#[test]
fn an_empty_file() {
    let path = write_temp("events.out.tfevents.empty", b"");
    let log = read_tensorboard_log(&path, None).unwrap();
    assert!(log.run.series.is_empty());
    assert_eq!(log.notes, vec!["the file holds no events".to_string()]);
}

#[test]
fn fifty_megabytes_parse_quickly() {
    // Scalars every step (HF-like tags), a graph, and a text summary now and then.
    let target = if cfg!(debug_assertions) { 5 << 20 } else { 50 << 20 };
    let mut bytes = Vec::with_capacity(target + (1 << 20));
    frame(&mut bytes, &version_event().encode_to_vec());
    frame(&mut bytes, &Event { graph_def: Some(vec![7; 2 << 20]), ..Default::default() }.encode_to_vec());
    let text = TensorProto { dtype: DT_STRING, string_val: vec![vec![b'x'; 2000]], ..Default::default() };
    let mut step = 0i64;
    while bytes.len() < target {
        step += 1;
        let x = 1.0 / step as f32;
        let event = summary_event(
            step,
            vec![simple("train/loss", x), simple("train/learning_rate", x * 1e-4), simple("train/grad_norm", x * 3.0)],
        );
        frame(&mut bytes, &event.encode_to_vec());
        frame(&mut bytes, &summary_event(step, vec![tf2_scalar("eval/loss", x, step == 1)]).encode_to_vec());
        if step % 1000 == 0 {
            frame(&mut bytes, &summary_event(step, vec![tensor("notes", Some("text"), text.clone())]).encode_to_vec());
        }
    }
    let path = write_temp("events.out.tfevents.big", &bytes);
    let start = Instant::now();
    let run = read_tensorboard(&path, None).unwrap();
    let elapsed = start.elapsed();
    std::fs::remove_file(&path).unwrap();
    eprintln!("tensorboard: {} MB, {step} steps, read in {elapsed:?}", bytes.len() >> 20);
    assert_eq!(run.series.len(), 4);
    assert!(run.series.iter().all(|s| s.points.len() == step as usize));
    assert_eq!(run.get("loss", Split::Eval).unwrap().points[step as usize - 1].step, Some(step as u64));
    if !cfg!(debug_assertions) {
        assert!(elapsed.as_secs_f64() < 2.0, "50 MB took {elapsed:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Written by tensorboardX

#[test]
fn tensorboardx_fixture() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tensorboard/events.out.tfevents.tensorboardx");
    let log = read_tensorboard_log(&path, None).unwrap();
    assert!(log.notes.is_empty(), "{:?}", log.notes);
    let run = log.run;
    // Text, histograms and the PR curve are skipped; val_accuracy joins eval/accuracy.
    assert_eq!(
        names(&run),
        vec![
            ("loss".to_string(), Split::Train, false),
            ("learning_rate".to_string(), Split::Train, false),
            ("loss".to_string(), Split::Eval, false),
            ("accuracy".to_string(), Split::Eval, false),
        ]
    );
    let f32_of = |x: f64| (x as f32) as f64;
    let steps: Vec<u64> = (10..110).step_by(10).collect();
    let expect = |f: &dyn Fn(f64) -> f64, steps: &[u64]| -> Vec<(Option<u64>, f64)> {
        steps.iter().map(|&s| (Some(s), f32_of(f(s as f64)))).collect()
    };
    let as_f32 = |v: Vec<(Option<u64>, f64)>| -> Vec<(Option<u64>, f64)> {
        v.into_iter().map(|(s, x)| (s, f32_of(x))).collect()
    };
    assert_eq!(as_f32(points(&run, "loss", Split::Train)), expect(&|s| 2.0 / (1.0 + 0.01 * s), &steps));
    assert_eq!(as_f32(points(&run, "learning_rate", Split::Train)), expect(&|s| 5e-5 * (1.0 - s / 200.0), &steps));
    assert_eq!(as_f32(points(&run, "loss", Split::Eval)), expect(&|s| 1.5 / (1.0 + 0.01 * s), &[50, 100]));
    let accuracy = points(&run, "accuracy", Split::Eval);
    assert_eq!(as_f32(accuracy[..2].to_vec()), expect(&|s| 0.5 + s / 250.0, &[50, 100]));
    assert_eq!(accuracy[2].0, Some(100));
    assert!(accuracy[2].1.is_nan());
    // The shortest-decimal reading: 2 / 1.1 logged as f32 reads 1.8181819.
    assert_eq!(points(&run, "loss", Split::Train)[0].1, 1.8181819);
}

// ---------------------------------------------------------------------------------------------
// Real files (../shared/realcorpus)

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("FTEVAL_REALCORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realcorpus"));
    if dir.join("tfevents_01.tfevents").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: real-data corpus not found at {} (set FTEVAL_REALCORPUS)", dir.display());
        None
    }
}

fn close(a: f64, b: f64) -> bool {
    // The event file holds f32, the JSON the f64 the trainer had.
    (a - b).abs() <= 1e-6 * b.abs().max(1e-30) || (a as f32) == (b as f32)
}

/// Every HF Trainer value in the event file up to the state's last step equals the one at the
/// same step in trainer_state.json's log_history, and every logged value is there. (A
/// checkpoint's state ends at that checkpoint; the event file goes on to the end of training.)
fn check_against_trainer_state(run: &TrainingRun, state: &Path) -> usize {
    let state: serde_json::Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    let history = state["log_history"].as_array().unwrap();
    let last = history.iter().filter_map(|h| h["step"].as_u64()).max().unwrap();
    let mut compared = 0;
    for series in &run.series {
        let key = match series.split {
            Split::Train => series.name.clone(),
            Split::Eval => format!("eval_{}", series.name),
            Split::Test => format!("test_{}", series.name),
        };
        let logged: Vec<(u64, f64)> =
            history.iter().filter_map(|h| Some((h["step"].as_u64()?, h.get(&key)?.as_f64()?))).collect();
        if series.name == "epoch" {
            // HF logs the epoch with every entry, and TensorBoard gets it once per call.
            continue;
        }
        // At the checkpoint's own step, only what was logged before the checkpoint was saved.
        let in_state = |step: u64| step < last || logged.iter().any(|(s, _)| *s == step);
        let points: Vec<_> = series.points.iter().filter(|p| in_state(p.step.unwrap())).collect();
        assert_eq!(points.len(), logged.len(), "{key}: {points:?} vs {logged:?}");
        for (p, (step, value)) in points.iter().zip(&logged) {
            assert_eq!(p.step, Some(*step), "{key}");
            assert!(close(p.value, *value), "{key} at step {step}: {} vs {value}", p.value);
            compared += 1;
        }
    }
    assert!(compared > 0);
    compared
}

#[test]
fn real_hf_trainer_event_files_match_their_trainer_state() {
    let Some(dir) = corpus() else { return };
    // SOURCES.tsv: tfevents_01 and hf_trainer_state_05 are one run (aryan1112003/hate_speech_detection);
    // tfevents_03 (runs/run4) is the run whose checkpoint-1200 state is hf_trainer_state_20
    // (AguLeon/LoRA_RoBERTa_AGNews); tfevents_05 is the training of hf_trainer_state_22
    // (10844110/t5-summarization-demo).
    for (events, state) in [
        ("tfevents_01.tfevents", "hf_trainer_state_05.json"),
        ("tfevents_03.tfevents", "hf_trainer_state_20.json"),
        ("tfevents_05.tfevents", "hf_trainer_state_22.json"),
    ] {
        let log = read_tensorboard_log(&dir.join(events), None).unwrap();
        assert!(log.notes.is_empty(), "{events}: {:?}", log.notes);
        let compared = check_against_trainer_state(&log.run, &dir.join(state));
        eprintln!("{events}: {compared} values equal to {state}'s");
    }
    let run = read_tensorboard(&dir.join("tfevents_01.tfevents"), None).unwrap();
    assert_eq!(points(&run, "loss", Split::Train).len(), 300);
    assert_eq!(points(&run, "loss", Split::Eval).len(), 2);
    let run = read_tensorboard(&dir.join("tfevents_03.tfevents"), None).unwrap();
    assert_eq!(points(&run, "accuracy", Split::Eval).last(), Some(&(Some(1200), 0.91358024)));
}

#[test]
fn real_event_files_match_published_results() {
    let Some(dir) = corpus() else { return };
    // t5-summarization-demo's final evaluation (eval_results.json beside it).
    let run = read_tensorboard(&dir.join("tfevents_04.tfevents"), None).unwrap();
    let published: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("hf_trainer_state_22.eval_results.json")).unwrap()).unwrap();
    for name in ["loss", "rouge1", "rouge2", "rougel", "rougelsum", "gen_len"] {
        let key = published.as_object().unwrap().keys().find(|k| k.to_lowercase() == format!("eval_{name}")).unwrap();
        let want = published[key].as_f64().unwrap();
        let got = points(&run, name, Split::Eval);
        assert_eq!(got.len(), 1, "{name}");
        assert_eq!(got[0].0, Some(215337), "{name}");
        assert!(close(got[0].1, want), "{name}: {} vs {want}", got[0].1);
    }

    // BERT's run_classifier (TF1 Estimator) eval directory: an event file holding the graph and
    // the scalars of eval_results.txt. Estimator's `loss` there is the evaluation loss, so the
    // caller passes the folder's split.
    let log = read_tensorboard_log(&dir.join("tfevents_06.tfevents"), Some(Split::Eval)).unwrap();
    assert!(log.notes.is_empty(), "{:?}", log.notes);
    let text = std::fs::read_to_string(dir.join("predictions_11.published_dev_eval_results.txt")).unwrap();
    let published: Vec<(&str, f64)> =
        text.lines().filter_map(|l| l.split_once(" = ")).map(|(k, v)| (k.trim(), v.trim().parse().unwrap())).collect();
    let step = published.iter().find(|(k, _)| *k == "global_step").unwrap().1 as u64;
    assert_eq!(
        names(&log.run),
        vec![("accuracy".to_string(), Split::Eval, false), ("loss".to_string(), Split::Eval, false)]
    );
    for (key, value) in published.iter().filter(|(k, _)| *k != "global_step") {
        let name = key.strip_prefix("eval_").unwrap_or(key);
        // eval_loss and loss are both the evaluation loss: one series, two points.
        for point in points(&log.run, name, Split::Eval) {
            assert_eq!(point, (Some(step), *value), "{key}");
        }
    }
}

#[test]
fn every_real_event_file_reads() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains("tfevents"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in &files {
        let log = read_tensorboard_log(f, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(!log.run.series.is_empty(), "{}: {:?}", f.display(), log.notes);
        assert!(log.run.series.iter().all(|s| !s.points.is_empty() && s.points.iter().all(|p| p.step.is_some())));
    }
    eprintln!("realcorpus: {} TensorBoard event files read", files.len());
}

#[test]
fn estimator_eval_files_do_not_invent_a_training_loss() {
    // TF Estimator's evaluation file logs the eval loss twice: as eval_loss and as a bare loss.
    let eval = event_file(&[summary_event(
        343,
        vec![simple("eval_accuracy", 0.8676), simple("eval_loss", 0.4116), simple("loss", 0.4116)],
    )]);
    let run = read_tensorboard(&write_temp("events.out.tfevents.estimator", &eval), None).unwrap();
    assert_eq!(
        names(&run),
        vec![("accuracy".to_string(), Split::Eval, false), ("loss".to_string(), Split::Eval, false)]
    );
    // A bare tag in a file under eval/ is an eval value (the folder names the split).
    let bare = event_file(&[summary_event(10, vec![simple("loss", 0.5), simple("accuracy", 0.7)])]);
    let path = write_temp("eval/events.out.tfevents.1", &bare);
    let runs = fteval_io::logs::read_log(&path, None).unwrap();
    assert!(names(&runs[0]).iter().all(|(_, split, _)| *split == Split::Eval), "{:?}", names(&runs[0]));
    // Different values under the same name stay two series.
    let both = event_file(&[summary_event(10, vec![simple("loss", 0.6), simple("eval_loss", 0.5)])]);
    let run = read_tensorboard(&write_temp("events.out.tfevents.both", &both), None).unwrap();
    assert_eq!(names(&run).len(), 2);
}

//! Hostile and huge input (issue 16, readers): nesting, size limits, pipes, empty paths, and
//! decoding errors end in exit 2 with the file, the line and the flag to change; a score list
//! without a prediction column is predicted by arg-max.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::{fteval, Run};

fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::File::create(&path).unwrap().write_all(content).unwrap();
    path.to_string_lossy().into_owned()
}

/// Exit 2 with an `error:` line holding every needle, and no panic or signal death.
fn assert_error(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, 2, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    for needle in needles {
        assert!(run.stderr.contains(needle), "expected {needle:?} in:\n{}", run.stderr);
    }
    for bad in ["panicked", "internal error", "overflowed its stack", "memory allocation"] {
        assert!(!run.stderr.contains(bad), "{}", run.stderr);
    }
}

fn metrics(path: &str, extra: &[&str]) -> Run {
    let mut args = vec!["metrics", path, "--format", "json"];
    args.extend_from_slice(extra);
    fteval(&args)
}

/// `[[[…]]]` nested `depth` deep.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn cells_nested_100k_deep_are_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let deep = nested(100_000);
    let dict = format!("{}1{}", "{'a': ".repeat(100_000), "}".repeat(100_000));
    let json = |v: &serde_json::Value| format!("{v}\n");
    let cases = [
        ("labels.csv", format!("label,pred\n\"{deep}\",a\n"), "column 'label'", "line 2"),
        ("scores.csv", format!("label,pred,probs\na,a,\"{deep}\"\n"), "column 'probs'", "line 2"),
        ("dict.csv", format!("label,pred,probs\na,a,\"{dict}\"\n"), "column 'probs'", "line 2"),
        ("string.jsonl", json(&serde_json::json!({"label": deep, "pred": "a"})), "column 'label'", "line 1"),
        (
            "generation.jsonl",
            json(&serde_json::json!({"prediction": "the cat sat", "references": deep})),
            "column 'references'",
            "line 1",
        ),
    ];
    for (name, text, column, line) in cases {
        let path = write(&dir, name, text.as_bytes());
        let start = Instant::now();
        let run = metrics(&path, &[]);
        assert_error(&run, &[name, line, column, "nested deeper than 128 levels"]);
        assert!(start.elapsed() < Duration::from_secs(10), "{name}: {:?}", start.elapsed());
    }
    // A JSON Lines line that is itself nested too deeply.
    let path = write(&dir, "line.jsonl", format!("{{\"label\": {deep}}}\n").as_bytes());
    assert_error(&metrics(&path, &[]), &["line.jsonl", "line 1", "nested deeper than 128 levels"]);
    // As deep as the limit still reads (a multilabel cell of one list).
    let ok = write(&dir, "ok.csv", b"label,pred\n\"['a', 'b']\",\"['a']\"\n\"['b']\",\"['b']\"\n");
    assert_eq!(metrics(&ok, &[]).code, 0);
}

/// A gzip file of `rows` rows after a header, made in the test.
fn gzip_csv(dir: &tempfile::TempDir, name: &str, header: &str, row: &str, rows: usize) -> String {
    let path = dir.path().join(name);
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
    gz.write_all(header.as_bytes()).unwrap();
    let block = row.repeat(1000);
    for _ in 0..rows / 1000 {
        gz.write_all(block.as_bytes()).unwrap();
    }
    gz.finish().unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_gzip_bomb_stops_at_the_input_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB of rows from a few hundred KB of gzip; the limit lowered to 8M so the test is quick.
    let rows = gzip_csv(&dir, "rows.csv.gz", "id,label,pred\n", "1,1,0\n", 11_000_000);
    let run = metrics(&rows, &["--max-input-size", "8M"]);
    assert_error(&run, &["rows.csv.gz", "larger than the 8 MiB limit", "--max-input-size"]);
    // Raised, it reads.
    let small = gzip_csv(&dir, "small.csv.gz", "id,label,pred\n", "1,1,0\n0,0,0\n", 2000);
    assert_eq!(metrics(&small, &["--max-input-size", "8M"]).code, 0);
    // One huge cell: the row limit stops it while streaming, naming the line and the flag.
    let cell = dir.path().join("cell.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&cell).unwrap(), flate2::Compression::fast());
    gz.write_all(b"label,pred,text\n1,1,ok\n0,1,\"").unwrap();
    let block = vec![b'a'; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&block).unwrap();
    }
    gz.finish().unwrap();
    let cell = cell.to_string_lossy().into_owned();
    let run = metrics(&cell, &["--max-row-size", "1M"]);
    assert_error(&run, &["cell.csv.gz", "line 3", "longer than the 1 MiB row-size limit", "--max-row-size"]);
    // The same file in curves: the whole-file read stops at the input limit.
    let run = fteval(&["curves", &cell, "--format", "json", "--max-input-size", "4M"]);
    assert_error(&run, &["cell.csv.gz", "larger than the 4 MiB limit", "--max-input-size"]);
    // A training log whose row is too long.
    let log = gzip_csv(&dir, "log.csv.gz", "step,loss\n", "1,0.5\n", 1000);
    let run = fteval(&["curves", &log, "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let run = fteval(&["curves", &cell, "--format", "json", "--max-row-size", "1M"]);
    assert_error(&run, &["cell.csv.gz", "line 3", "--max-row-size"]);
    // Sizes are parsed, and a bad one names the flag.
    let run = metrics(&small, &["--max-input-size", "lots"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--max-input-size"), "{}", run.stderr);
}

#[test]
fn every_reader_has_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let big_line = format!("{{\"label\": \"1\", \"pred\": \"1\", \"text\": \"{}\"}}\n", "a".repeat(4000));
    let jsonl = write(&dir, "big.jsonl", big_line.repeat(3).as_bytes());
    assert_error(&metrics(&jsonl, &["--max-row-size", "1K"]), &["big.jsonl", "line 1", "--max-row-size"]);
    assert_error(&metrics(&jsonl, &["--max-input-size", "10K"]), &["big.jsonl", "--max-input-size"]);
    let json = write(&dir, "big.json", format!("[{}]", big_line.trim().repeat(1)).as_bytes());
    assert_error(&metrics(&json, &["--max-input-size", "1K"]), &["big.json", "--max-input-size"]);
    let conll = write(&dir, "big.conll", "EU B-ORG B-ORG\n".repeat(1000).as_bytes());
    assert_error(&metrics(&conll, &["--max-input-size", "1K"]), &["big.conll", "--max-input-size"]);
    let train = write(&dir, "train.csv", "text,label\n".to_string().repeat(1).as_bytes());
    let test = write(&dir, "test.csv", format!("text,label\n{}", "some words here,1\n".repeat(1000)).as_bytes());
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--format", "json", "--max-input-size", "1K"]);
    assert_error(&run, &["test.csv", "--max-input-size"]);
}

#[test]
fn a_named_pipe_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("preds.csv");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        // Blocks until fteval opens the pipe; the pipe can be read only once.
        let mut f = std::fs::OpenOptions::new().write(true).open(&writer_path).unwrap();
        f.write_all(b"label,pred\n1,1\n0,1\n0,0\n1,1\n").unwrap();
    });
    let start = Instant::now();
    let run = metrics(&fifo.to_string_lossy(), &[]);
    writer.join().unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["n"], 4);
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn an_empty_path_says_so_and_names_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(&dir, "p.csv", b"label,pred\n1,1\n0,0\n");
    for (args, argument) in [
        (vec!["metrics", ""], "<FILE>"),
        (vec!["metrics", &ok, "--gold", ""], "--gold"),
        (vec!["compare", &ok, ""], "CANDIDATE"),
        (vec!["curves", ""], "<LOG>"),
        (vec!["leakage", "--train", "", "--test", &ok], "--train"),
        (vec!["metrics", &ok, "--output", ""], "--output"),
        (vec!["compare", &ok, &ok, "--config", ""], "--config"),
        (vec!["check", "", "--junit", "x.xml"], "[CONFIG]"),
        (vec!["demo", "--out", ""], "--out"),
    ] {
        let run = fteval(&args);
        assert_error(&run, &[&format!("{argument}"), "the value is empty", "unset shell variable"]);
        assert!(!run.stderr.contains("no extension"), "{}", run.stderr);
    }
    // A value left out (not given empty) is still clap's "a value is required".
    let run = fteval(&["metrics", &ok, "--gold"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("a value is required") && !run.stderr.contains("is empty"), "{}", run.stderr);
}

#[test]
fn an_endless_stream_stops_at_the_input_limit_and_says_so() {
    // /dev/zero never ends: the read stops one byte past the limit (it used to grow to twice the
    // limit and fail as "out of memory"), for the inputs and for fteval.toml alike.
    let run = metrics("/dev/zero", &["--input-format", "csv", "--max-input-size", "1M"]);
    assert_error(&run, &["/dev/zero", "larger than the 1 MiB limit", "--max-input-size"]);
    let run = fteval(&["check", "/dev/zero", "--max-input-size", "1M"]);
    assert_error(&run, &["--config /dev/zero", "larger than the 1 MiB limit", "--max-input-size"]);
}

#[test]
fn a_gold_file_without_an_extension_takes_the_input_format() {
    // `--gold <(cut …)` is /dev/fd/N: no extension, so --input-format says its format too.
    let dir = tempfile::tempdir().unwrap();
    let preds = write(&dir, "preds", b"id,pred\na,1\nb,0\nc,1\n");
    let gold = write(&dir, "gold", b"id,label\na,1\nb,1\nc,1\n");
    let run = metrics(&preds, &["--gold", &gold, "--input-format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["n"], 3);
    // A gold file's own extension still wins over --input-format.
    let gold_jsonl = write(
        &dir,
        "gold.jsonl",
        b"{\"id\": \"a\", \"label\": 1}\n{\"id\": \"b\", \"label\": 1}\n{\"id\": \"c\", \"label\": 0}\n",
    );
    let run = metrics(&preds, &["--gold", &gold_jsonl, "--input-format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["n"], 3);
}

#[test]
fn decoding_errors_name_the_file_line_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl =
        write(&dir, "bad.jsonl", b"{\"label\": \"a\", \"pred\": \"a\"}\n{\"label\": \"\xff\", \"pred\": \"a\"}\n");
    assert_error(&metrics(&jsonl, &[]), &["bad.jsonl", "line 2", "not valid UTF-8", "byte 12 of the line"]);
    let ner = write(
        &dir,
        "ner.jsonl",
        b"{\"tokens\": [\"EU\"], \"labels\": [\"B-ORG\"], \"predictions\": [\"B-ORG\"]}\n{\"tokens\": [\"\xff\"], \"labels\": [\"O\"], \"predictions\": [\"O\"]}\n",
    );
    assert_error(&metrics(&ner, &[]), &["ner.jsonl", "line 2", "not valid UTF-8"]);
    let csv = write(&dir, "bad.csv", b"label,pred\n1,1\n0,\xff\n");
    assert_error(&metrics(&csv, &[]), &["bad.csv", "line 3", "column 'pred'", "not valid UTF-8"]);
}

#[test]
fn a_tag_field_that_is_not_a_list_is_named_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let first =
        write(&dir, "first.jsonl", b"{\"tokens\": [\"EU\"], \"labels\": \"B-ORG\", \"predictions\": [\"B-ORG\"]}\n");
    assert_error(
        &metrics(&first, &["--task", "ner"]),
        &["first.jsonl", "line 1", "field 'labels' holds \"B-ORG\", not a list of tags"],
    );
    let later = write(
        &dir,
        "later.jsonl",
        b"{\"tokens\": [\"EU\"], \"labels\": [\"B-ORG\"], \"predictions\": [\"B-ORG\"]}\n{\"tokens\": [\"EU\"], \"labels\": [\"B-ORG\"], \"predictions\": {\"x\": 1}}\n",
    );
    assert_error(&metrics(&later, &[]), &["later.jsonl", "line 2", "'predictions' is not a list"]);
}

#[test]
fn a_score_list_without_a_prediction_column_is_predicted_by_arg_max() {
    let dir = tempfile::tempdir().unwrap();
    let three = write(
        &dir,
        "probs.csv",
        b"label,probs\n0,\"[0.9, 0.05, 0.05]\"\n1,\"[0.2, 0.7, 0.1]\"\n2,\"[0.3, 0.3, 0.4]\"\n1,\"[0.6, 0.3, 0.1]\"\n",
    );
    let run = metrics(&three, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(common::close(run.metric("accuracy"), 0.75), "{}", run.stdout);
    let doc = run.json();
    let note = doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == "predictions_from_scores").unwrap();
    assert!(note["message"].as_str().unwrap().contains("sorted order: 0, 1, 2"), "{note}");
    // The same predictions written out give the same metrics.
    let explicit = write(&dir, "pred.csv", b"label,pred\n0,0\n1,1\n2,2\n1,0\n");
    let other = metrics(&explicit, &[]);
    assert!(common::close(other.metric("f1_macro"), run.metric("f1_macro")));
    // Scores that cannot be matched to the labels: exit 2 saying how to name them.
    let short = write(&dir, "short.csv", b"label,probs\n0,\"[0.9, 0.05, 0.05]\"\n1,\"[0.2, 0.7, 0.1]\"\n");
    assert_error(&metrics(&short, &[]), &["short.csv", "3 scores per row", "--label-names"]);
}

/// One TFRecord: length, masked CRC of the length, data, masked CRC of the data.
fn tf_record(data: &[u8]) -> Vec<u8> {
    use fteval_io::logs::tensorboard::masked_crc32c;
    let len = (data.len() as u64).to_le_bytes();
    let mut out = len.to_vec();
    out.extend(masked_crc32c(&len).to_le_bytes());
    out.extend(data);
    out.extend(masked_crc32c(data).to_le_bytes());
    out
}

/// A protobuf varint.
fn varint(mut x: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
    out
}

/// A length-delimited protobuf field.
fn field(tag: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![(tag << 3) | 2];
    out.extend(varint(bytes.len() as u64));
    out.extend(bytes);
    out
}

/// A `tensorflow.Event` at `step` holding the scalar `loss`.
fn scalar_event(step: u64, loss: f32) -> Vec<u8> {
    let mut value = field(1, b"loss");
    value.push((2 << 3) | 5);
    value.extend(loss.to_le_bytes());
    let mut event = vec![2 << 3];
    event.extend(varint(step));
    event.extend(field(5, &field(1, &value)));
    event
}

#[test]
fn tensorboard_records_past_the_row_limit_are_checked_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = tf_record(&scalar_event(1, 0.5));
    bytes.extend(tf_record(&field(4, &vec![7u8; 2 << 20]))); // a 2 MiB graph
    bytes.extend(tf_record(&scalar_event(2, 0.4)));
    let path = write(&dir, "events.out.tfevents.1", &bytes);
    let run = fteval(&["curves", &path, "--format", "json", "--max-row-size", "1M"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(run.stdout.contains("row-size limit") && run.stdout.contains("--max-row-size"), "{}", run.stdout);
    // A length that claims 3 GiB in a small file: the record is cut short, not allocated.
    let mut claim = tf_record(&scalar_event(1, 0.5));
    let len = (3u64 << 30).to_le_bytes();
    claim.extend(len);
    claim.extend(fteval_io::logs::tensorboard::masked_crc32c(&len).to_le_bytes());
    claim.extend([0u8; 100]);
    let path = write(&dir, "events.out.tfevents.2", &claim);
    let run = fteval(&["curves", &path, "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(run.stdout.contains("incomplete"), "{}", run.stdout);
}

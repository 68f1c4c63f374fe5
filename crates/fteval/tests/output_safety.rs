//! Outputs never destroy inputs (issue 16): every output path of every command is refused when it
//! is one of the run's inputs (by identity: the same path, a symbolic or a hard link, standard
//! input or output), files are written whole or not at all, demo and init never replace files they
//! did not write nor write through links, and standard output is written without panics: a closed
//! pipe exits 0, a full disk exits 2 with a message.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{fteval, fteval_in, words, Run};

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("fteval")
}

/// A small project in a tempdir: binary predictions of two models, gold-labelled train/test
/// splits, a training log and an fteval.toml naming them.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let preds = |name: &str, flip: usize| {
            let mut text = String::from("id,label,pred,score\n");
            for i in 0..200 {
                let label = i % 3 == 0;
                let pred = if i % flip == 0 { !label } else { label };
                let score = if pred { 0.8 } else { 0.2 } + (i % 10) as f64 / 100.0;
                text.push_str(&format!("{i},{},{},{score:.2}\n", label as u8, pred as u8));
            }
            fs::write(dir.path().join(name), text).unwrap();
        };
        preds("baseline.csv", 5);
        preds("candidate.csv", 9);
        let mut seed = 7u64;
        let mut split = |name: &str, rows: usize| {
            let mut text = String::from("id,text,label\n");
            for i in 0..rows {
                text.push_str(&format!("{name}{i},{},{}\n", words(&mut seed, 20), i % 2));
            }
            fs::write(dir.path().join(format!("{name}.csv")), text).unwrap();
        };
        split("train", 300);
        split("test", 100);
        let log: Vec<String> = (1..=10)
            .flat_map(|e| {
                [
                    format!(r#"{{"epoch": {e}, "step": {}, "loss": {:.3}}}"#, e * 100, 1.0 / e as f64),
                    format!(r#"{{"epoch": {e}, "step": {}, "eval_loss": {:.3}}}"#, e * 100, 1.2 / e as f64),
                ]
            })
            .collect();
        fs::write(dir.path().join("trainer_state.json"), format!(r#"{{"log_history": [{}]}}"#, log.join(","))).unwrap();
        fs::write(
            dir.path().join("fteval.toml"),
            "[files]\nbaseline = \"baseline.csv\"\ncandidate = \"candidate.csv\"\ntrain = \"train.csv\"\ntest = \"test.csv\"\nlogs = [\"trainer_state.json\"]\n",
        )
        .unwrap();
        Project { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        s(&self.path(name))
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        fs::read(self.path(name)).unwrap()
    }
}

/// Asserts a refusal: exit 2, the message naming every part of `names`, and `file` unchanged.
fn refused(run: &Run, names: &[&str], file: &Path, before: &[u8]) {
    assert_eq!(run.code, 2, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    for n in names {
        assert!(run.stderr.contains(n), "the message does not name {n:?}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
    assert_eq!(fs::read(file).unwrap(), before, "{} changed", file.display());
}

#[test]
fn leakage_never_writes_over_its_splits() {
    let p = Project::new();
    let (train, test) = (p.p("train.csv"), p.p("test.csv"));
    for (flag, target, input_flag) in [
        ("--write-clean", "test.csv", "--test"),
        ("--write-clean", "train.csv", "--train"),
        ("--output", "train.csv", "--train"),
        ("--output", "test.csv", "--test"),
    ] {
        let before = p.bytes(target);
        let run = fteval(&["leakage", "--train", &train, "--test", &test, flag, &p.p(target), "--format", "json"]);
        refused(&run, &[flag, input_flag, target, "same file"], &p.path(target), &before);
    }
    // --write-clean and --output on one new file.
    let clean = p.p("clean.csv");
    let run = fteval(&["leakage", "--train", &train, "--test", &test, "--write-clean", &clean, "--output", &clean]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--write-clean") && run.stderr.contains("--output"), "{}", run.stderr);
    assert!(!p.path("clean.csv").exists());
}

#[test]
fn write_clean_replaces_an_old_file_whole() {
    let p = Project::new();
    let clean = p.path("clean.jsonl");
    fs::write(&clean, "an old, longer file that must not leave a tail behind\n".repeat(1000)).unwrap();
    let run = fteval(&[
        "leakage",
        "--train",
        &p.p("train.csv"),
        "--test",
        &p.p("test.csv"),
        "--write-clean",
        &s(&clean),
        "--format",
        "json",
    ]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let text = fs::read_to_string(&clean).unwrap();
    let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 100, "no test row leaks");
    assert!(run.stderr.contains("wrote 100 clean test rows"), "{}", run.stderr);
    assert!(leftovers(p.dir.path()).is_empty());
}

#[test]
fn reports_never_overwrite_a_prediction_file_by_any_path() {
    let p = Project::new();
    let (baseline, candidate) = (p.p("baseline.csv"), p.p("candidate.csv"));
    let before = p.bytes("baseline.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(p.path("baseline.csv"), p.path("soft.csv")).unwrap();
    fs::hard_link(p.path("baseline.csv"), p.path("hard.csv")).unwrap();
    let dotted = s(&p.dir.path().join(".").join("baseline.csv"));
    let mut outs = vec![(baseline.clone(), ""), (dotted, ""), (p.p("hard.csv"), "(a hard link to it)")];
    if cfg!(unix) {
        outs.push((p.p("soft.csv"), "(through a symbolic link)"));
    }
    for (out, how) in &outs {
        for format in ["json", "html", "markdown"] {
            let cases: Vec<Vec<&str>> = vec![
                vec!["metrics", &baseline],
                vec!["compare", &baseline, &candidate],
                vec!["rank", &candidate, &baseline],
            ];
            for mut argv in cases {
                argv.extend(["--output", out.as_str(), "--format", format, "--bootstrap", "20"]);
                let run = fteval(&argv);
                refused(&run, &["--output", out, "baseline.csv", how], &p.path("baseline.csv"), &before);
            }
        }
    }
    // --gold is an input too.
    let run = fteval(&["metrics", &candidate, "--gold", &baseline, "--output", &baseline]);
    refused(&run, &["--output", "--gold"], &p.path("baseline.csv"), &before);
    // So is the settings file a comparison reads.
    let config = p.bytes("fteval.toml");
    let run =
        fteval(&["compare", &baseline, &candidate, "--config", &p.p("fteval.toml"), "--output", &p.p("fteval.toml")]);
    refused(&run, &["--output", "--config"], &p.path("fteval.toml"), &config);
    let run = fteval_in(p.dir.path(), &["compare", "baseline.csv", "candidate.csv", "--output", "fteval.toml"]);
    refused(&run, &["--output fteval.toml", "the settings file"], &p.path("fteval.toml"), &config);
}

#[test]
fn curves_never_overwrite_a_log_or_an_event_file_in_a_folder() {
    let p = Project::new();
    let log = p.p("trainer_state.json");
    let before = p.bytes("trainer_state.json");
    let run = fteval(&["curves", &log, "--output", &log, "--format", "html"]);
    refused(&run, &["--output", "LOG", "trainer_state.json"], &p.path("trainer_state.json"), &before);
    let runs = p.path("runs/train");
    fs::create_dir_all(&runs).unwrap();
    let events = runs.join("events.out.tfevents.1.host");
    fs::write(&events, b"not read: refused first").unwrap();
    let run = fteval(&["curves", &p.p("runs"), "--output", &s(&events)]);
    refused(&run, &["--output", "LOG", "events.out.tfevents.1.host"], &events, b"not read: refused first");
}

#[test]
fn check_never_overwrites_what_its_config_names() {
    let p = Project::new();
    let config = p.p("fteval.toml");
    for (flag, target, key) in [
        ("--junit", "baseline.csv", "[files] baseline"),
        ("--output", "candidate.csv", "[files] candidate"),
        ("--junit", "test.csv", "[files] test"),
        ("--output", "train.csv", "[files] train"),
        ("--output", "trainer_state.json", "[files] logs"),
        ("--output", "fteval.toml", "CONFIG"),
        ("--junit", "fteval.toml", "CONFIG"),
    ] {
        let before = p.bytes(target);
        let run = fteval(&["check", &config, flag, &p.p(target), "--format", "html", "--bootstrap", "20"]);
        refused(&run, &[flag, target, key, "same file"], &p.path(target), &before);
    }
    // The default config, from the project's folder.
    let before = p.bytes("fteval.toml");
    let run = fteval_in(p.dir.path(), &["check", "--junit", "fteval.toml"]);
    refused(&run, &["--junit fteval.toml", "the config fteval.toml"], &p.path("fteval.toml"), &before);
    // --output and --junit on one file.
    let run = fteval(&["check", &config, "--output", &p.p("r.xml"), "--junit", &p.p("r.xml")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--output") && run.stderr.contains("--junit"), "{}", run.stderr);
    // The GitHub job summary a run appends to.
    let before = p.bytes("baseline.csv");
    let out = Command::new(bin())
        .args(["check", &config, "--format", "json"])
        .env("GITHUB_STEP_SUMMARY", p.path("baseline.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("$GITHUB_STEP_SUMMARY") && stderr.contains("[files] baseline"), "{stderr}");
    assert_eq!(p.bytes("baseline.csv"), before);
}

#[test]
fn standard_input_and_output_count_as_the_files_they_are() {
    let p = Project::new();
    let candidate = p.path("candidate.csv");
    let before = p.bytes("candidate.csv");
    // `fteval metrics - --output f < f`
    let out = Command::new(bin())
        .args(["metrics", "-", "--input-format", "csv", "--output", &s(&candidate)])
        .stdin(fs::File::open(&candidate).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--output") && stderr.contains("standard input"), "{stderr}");
    assert_eq!(p.bytes("candidate.csv"), before);
    // `fteval metrics f >> f`
    let append = fs::OpenOptions::new().append(true).open(&candidate).unwrap();
    let out =
        Command::new(bin()).args(["metrics", &s(&candidate), "--format", "json"]).stdout(append).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("standard output is the same file as FILE"), "{stderr}");
    assert_eq!(p.bytes("candidate.csv"), before);
}

/// The temporary files a write leaves behind (none, ever).
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".fteval-") && n.ends_with(".tmp"))
        .collect()
}

/// A report that fails halfway (here: the file-size limit, as a full disk would) leaves the
/// previous report intact and no temporary file.
#[cfg(unix)]
#[test]
fn a_report_that_fails_halfway_leaves_the_previous_one() {
    use std::os::unix::fs::FileTypeExt;
    let p = Project::new();
    let config = p.p("fteval.toml");
    for (flag, name) in [("--output", "report.html"), ("--junit", "junit.xml")] {
        let report = p.path(name);
        fs::write(&report, "the good report").unwrap();
        let report_s = s(&report);
        // The other report goes to standard output, /dev/null: a device has no size limit.
        let argv = ["check", config.as_str(), "--bootstrap", "20", "--format", "html", flag, report_s.as_str()];
        // 512 bytes (sh counts 512-byte blocks; bash 1 KB): less than either report.
        let script = "trap '' XFSZ; ulimit -f 1; exec \"$@\" > /dev/null";
        let out = Command::new("sh").arg("-c").arg(script).arg("sh").arg(bin()).args(argv).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(stderr.contains(&format!("{flag} {report_s}: cannot write")), "{stderr}");
        assert!(stderr.contains("left as it was"), "{stderr}");
        assert_eq!(fs::read_to_string(&report).unwrap(), "the good report", "{flag}");
        assert!(leftovers(p.dir.path()).is_empty(), "{:?}", leftovers(p.dir.path()));
    }
    // A device is written in place: /dev/full says so; /dev/null takes the report and stays a device.
    if Path::new("/dev/full").exists() {
        let run = fteval(&["metrics", &p.p("candidate.csv"), "--output", "/dev/full"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("--output /dev/full: cannot write") && run.stderr.contains("No space left"));
    }
    let run = fteval(&["metrics", &p.p("candidate.csv"), "--output", "/dev/null", "--bootstrap", "20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}

#[test]
fn a_complete_report_replaces_the_previous_one() {
    let p = Project::new();
    let report = p.path("report.json");
    fs::write(&report, "x".repeat(1_000_000)).unwrap();
    let run = fteval(&["metrics", &p.p("candidate.csv"), "--output", &s(&report), "--bootstrap", "20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(doc["n"], 200, "{doc}");
    assert!(leftovers(p.dir.path()).is_empty());
}

#[test]
fn demo_never_replaces_files_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("baseline.csv"), "id,label,pred\n1,1,1\n").unwrap();
    fs::write(mine.join("report.html"), "my report").unwrap();
    let run = fteval(&["demo", "--out", &s(&mine), "--bootstrap", "20"]);
    refused(
        &run,
        &["--out", "baseline.csv", "report.html", "--force"],
        &mine.join("baseline.csv"),
        b"id,label,pred\n1,1,1\n",
    );
    assert_eq!(fs::read(mine.join("report.html")).unwrap(), b"my report");
    assert_eq!(fs::read_dir(&mine).unwrap().count(), 2, "nothing was written");

    // A folder a demo wrote is the demo's: a second run replaces its files, and a file of the
    // user's own there is left alone.
    let out = dir.path().join("demo");
    let first = fteval(&["demo", "--out", &s(&out), "--bootstrap", "20"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(out.join(".fteval-demo").is_file());
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::write(out.join("baseline.csv"), "edited").unwrap();
    let again = fteval(&["demo", "--out", &s(&out), "--bootstrap", "20"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
    assert!(fs::read_to_string(out.join("baseline.csv")).unwrap().starts_with("id,"));

    // --force writes into the user's folder.
    let forced = fteval(&["demo", "--out", &s(&mine), "--bootstrap", "20", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(fs::read_to_string(mine.join("report.html")).unwrap().starts_with("<!doctype html>"));
    assert!(leftovers(&mine).is_empty() && leftovers(&out).is_empty());
}

#[cfg(unix)]
#[test]
fn demo_and_init_never_write_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let out = dir.path().join("demo");
    let first = fteval(&["demo", "--out", &s(&out), "--bootstrap", "20"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    for name in ["report.html", "baseline.csv"] {
        fs::remove_file(out.join(name)).unwrap();
        std::os::unix::fs::symlink(&victim, out.join(name)).unwrap();
        let run = fteval(&["demo", "--out", &s(&out), "--bootstrap", "20"]);
        refused(&run, &[name, "symbolic link", "victim.txt"], &victim, b"precious");
        fs::remove_file(out.join(name)).unwrap();
    }

    let project = dir.path().join("project");
    fs::create_dir(&project).unwrap();
    fs::write(project.join("candidate.csv"), "id,label,pred\n1,1,1\n2,0,0\n").unwrap();
    let toml = project.join("fteval.toml");
    // A dangling link: init must not create its target.
    let nowhere = dir.path().join("nowhere.toml");
    std::os::unix::fs::symlink(&nowhere, &toml).unwrap();
    for force in [false, true] {
        let mut argv = vec!["init".to_string(), s(&project)];
        if force {
            argv.push("--force".into());
        }
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let run = fteval(&argv);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("fteval.toml: is a symbolic link") && run.stderr.contains("nowhere.toml"));
        assert!(!nowhere.exists());
    }
    // A link to an existing file, even with --force.
    fs::remove_file(&toml).unwrap();
    std::os::unix::fs::symlink(&victim, &toml).unwrap();
    let run = fteval(&["init", &s(&project), "--force"]);
    refused(&run, &["fteval.toml: is a symbolic link", "victim.txt"], &victim, b"precious");
    // Without a link, init writes.
    fs::remove_file(&toml).unwrap();
    let run = fteval(&["init", &s(&project)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(fs::read_to_string(&toml).unwrap().contains("candidate = \"candidate.csv\""));
}

/// Runs the binary with its standard output a pipe whose reader is already gone.
fn into_closed_pipe(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child =
        Command::new(bin()).current_dir(dir).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_pipe_is_not_an_error_in_any_command_or_format() {
    let p = Project::new();
    let d = p.dir.path();
    let cases: Vec<Vec<&str>> = vec![
        vec!["metrics", "candidate.csv"],
        vec!["compare", "baseline.csv", "candidate.csv"],
        vec!["rank", "baseline.csv", "candidate.csv"],
        vec!["curves", "trainer_state.json"],
        vec!["leakage", "--train", "train.csv", "--test", "test.csv"],
        vec!["check"],
    ];
    for case in &cases {
        for format in ["json", "markdown", "html", "terminal"] {
            let mut argv = case.clone();
            argv.extend(["--format", format]);
            if case[0] != "curves" && case[0] != "leakage" {
                argv.extend(["--bootstrap", "20"]);
            }
            let (code, stderr) = into_closed_pipe(d, &argv);
            assert!(code == Some(0) || code == Some(1), "{argv:?}: {code:?} {stderr}");
            assert!(!stderr.contains("Broken pipe") && !stderr.contains("internal error"), "{argv:?}: {stderr}");
        }
    }
    let (code, stderr) = into_closed_pipe(d, &["init", "--force"]);
    assert_eq!(code, Some(0), "init: {stderr}");
    let (code, stderr) = into_closed_pipe(d, &["demo", "--out", "demo", "--bootstrap", "20"]);
    assert_eq!(code, Some(0), "demo: {stderr}");
}

#[cfg(unix)]
#[test]
fn a_full_standard_output_is_an_error_with_a_message_not_a_panic() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let p = Project::new();
    let d = p.dir.path();
    for args in [
        vec!["demo", "--out", "demo", "--bootstrap", "20"],
        vec!["init", "--force"],
        vec!["metrics", "candidate.csv", "--format", "json"],
        vec!["curves", "trainer_state.json", "--format", "terminal"],
    ] {
        let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = Command::new(bin()).current_dir(d).args(&args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write to standard output: No space left on device"), "{args:?}: {stderr}");
        assert!(!stderr.contains("internal error") && !stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

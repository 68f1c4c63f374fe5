//! Control characters in the data (labels, ids, texts, column and series names) cannot act on
//! a terminal: the terminal and Markdown reports, the HTML report, the JUnit XML and every error
//! message show them as visible escapes; JSON keeps the exact strings.

mod common;

use std::path::Path;

use common::{fteval, fteval_in, Run};

/// Labels that clear the screen, set the window title (OSC … BEL), ring the bell, return the
/// carriage, backspace, open a C1 CSI (U+009B), override the text direction (U+202E), break a
/// Markdown cell (`|`) or a line.
const HOSTILE: [&str; 9] = [
    "clear\x1b[2J",
    "title\x1b]0;pwned\x07",
    "bell\x07",
    "cr\rX",
    "bs\x08W",
    "csi\u{9b}31m",
    "rtl\u{202e}txt",
    "pi|pe",
    "new\nline",
];

/// The characters that must not reach a terminal raw: C0 controls but the line break, DEL, C1
/// controls and the bidirectional controls.
fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

fn assert_clean(what: &str, run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let raw = raw_controls(text);
        assert!(raw.is_empty(), "{what}: raw control characters {raw:?} in {stream}:\n{text}");
    }
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A multiclass file of the hostile labels, with ids and texts holding escapes too; `shift`
/// changes which rows are wrong.
fn predictions(dir: &Path, name: &str, shift: usize) -> String {
    let mut s = String::from("id,label,pred,text\n");
    for i in 0..90 {
        let gold = HOSTILE[i % HOSTILE.len()];
        let pred = if i % (3 + shift) == 0 { HOSTILE[(i + 1) % HOSTILE.len()] } else { gold };
        let id = format!("id\x1b]0;x\x07{i}");
        let text = format!("text \x1b[2J{i}\u{202e}");
        s.push_str(&format!("{},{},{},{}\n", csv_field(&id), csv_field(gold), csv_field(pred), csv_field(&text)));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p.to_string_lossy().into_owned()
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    fteval_in(dir, args)
}

#[test]
fn terminal_and_markdown_reports_escape_control_characters_and_json_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = predictions(d, "base.csv", 0);
    let cand = predictions(d, "cand.csv", 2);
    for format in ["terminal", "markdown", "html"] {
        for args in [
            vec!["metrics", &base],
            vec!["compare", &base, &cand, "--require", "f1_macro>=0.99"],
            vec!["rank", &base, &cand],
        ] {
            let mut args = args;
            args.extend(["--format", format, "--bootstrap", "50"]);
            let run = run_in(d, &args);
            assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
            assert_clean(&format!("{args:?}"), &run);
        }
    }
    // The escapes are visible, in the forms the reports use.
    let run = run_in(d, &["metrics", &base, "--format", "terminal", "--bootstrap", "0"]);
    for shown in [
        "clear\\x1b[2J",
        "title\\x1b]0;pwned\\x07",
        "bell\\x07",
        "cr\\rX",
        "bs\\x08W",
        "csi\\u{9b}31m",
        "rtl\\u{202e}txt",
    ] {
        assert!(run.stdout.contains(shown), "{shown} not in:\n{}", run.stdout);
    }
    // JSON is exact: the labels are the strings of the file (serde escapes them in JSON).
    let json = run_in(d, &["metrics", &base, "--format", "json", "--bootstrap", "0"]).json();
    let labels: Vec<&str> = json["labels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    for h in HOSTILE {
        assert!(labels.contains(&h), "{h:?} not in {labels:?}");
        assert!(json["per_class"].get(h).is_some(), "{h:?}");
    }
}

#[test]
fn markdown_tables_keep_their_cells() {
    let dir = tempfile::tempdir().unwrap();
    let base = predictions(dir.path(), "base.csv", 0);
    let run = fteval(&["metrics", &base, "--format", "markdown", "--bootstrap", "0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Cells are separated by pipes not escaped with a backslash.
    let cells = |line: &str| line.match_indices('|').filter(|(i, _)| !line[..*i].ends_with('\\')).count();
    let mut tables = 0;
    let mut header = None;
    for line in run.stdout.lines() {
        match (line.starts_with('|'), header) {
            (true, None) => {
                header = Some(cells(line));
                tables += 1;
            }
            (true, Some(n)) => assert_eq!(cells(line), n, "a row with another number of cells: {line}"),
            (false, _) => header = None,
        }
    }
    assert!(tables >= 3, "{}", run.stdout);
    assert!(run.stdout.contains("pi\\|pe") && run.stdout.contains("new line"), "{}", run.stdout);
}

#[test]
fn leakage_curves_and_check_reports_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut train = String::from("id,text,label\n");
    let mut test = String::from("id,text,label\n");
    for i in 0..30 {
        let text = format!("the quick \x1b[2J brown fox {i} jumps over the lazy dog \u{202e} again and again {i}");
        let label = HOSTILE[i % HOSTILE.len()];
        train.push_str(&format!("tr\x1b]0;x\x07{i},{},{}\n", csv_field(&text), csv_field(label)));
        // Even rows leak (the same text); odd rows are new, and are the clean rows written.
        let text =
            if i % 2 == 0 { text } else { format!("an unrelated \x1b[2J sentence {i} about cats and \u{9b} birds") };
        let label = HOSTILE[(i + 1) % HOSTILE.len()];
        test.push_str(&format!("te\u{9b}{i},{},{}\n", csv_field(&text), csv_field(label)));
    }
    std::fs::write(d.join("train.csv"), train).unwrap();
    std::fs::write(d.join("test.csv"), test).unwrap();
    let mut log = String::from("epoch,loss,val_loss,acc\x1b]0;pwned\x07\n");
    for e in 0..8 {
        log.push_str(&format!("{e},{},{},{}\n", 1.0 / (e as f64 + 1.0), 1.1 / (e as f64 + 1.0), 0.5 + e as f64 / 20.0));
    }
    std::fs::write(d.join("log.csv"), log).unwrap();
    predictions(d, "base.csv", 0);
    predictions(d, "cand.csv", 2);
    std::fs::write(
        d.join("fteval.toml"),
        "[files]\nbaseline = \"base.csv\"\ncandidate = \"cand.csv\"\ntrain = \"train.csv\"\ntest = \"test.csv\"\nlogs = [\"log.csv\"]\n[gates]\nrequire = [\"f1_macro>=0.99\"]\n",
    )
    .unwrap();
    for format in ["terminal", "markdown", "html"] {
        for args in [
            vec!["leakage", "--train", "train.csv", "--test", "test.csv", "--write-clean", "clean.csv"],
            vec!["curves", "log.csv"],
            vec!["check", "--junit", "junit.xml", "--bootstrap", "50"],
        ] {
            let mut args = args;
            args.extend(["--format", format]);
            let run = run_in(d, &args);
            assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
            assert_clean(&format!("{args:?}"), &run);
        }
    }
    let xml = std::fs::read_to_string(d.join("junit.xml")).unwrap();
    assert!(raw_controls(&xml).is_empty(), "{xml}");
    // The clean test rows keep their data exactly: only what is shown is escaped.
    let clean = std::fs::read_to_string(d.join("clean.csv")).unwrap();
    assert!(clean.contains("\x1b[2J") && clean.contains('\u{9b}'), "{clean}");
}

#[test]
fn error_messages_escape_control_characters_from_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Column names quoted in the hint, a value quoted in the message, a label named by --positive.
    std::fs::write(d.join("cols.csv"), "label\x1b[2J,pred\x1b]0;t\x07\na,b\nb,a\n").unwrap();
    std::fs::write(d.join("score.csv"), "label,pred,prob\na,b,0.5\x1b[2J\nb,a,0.5\n").unwrap();
    std::fs::write(d.join("two.csv"), "label,pred\nclear\x1b[2J,x\u{9b}\nx\u{9b},x\u{9b}\n").unwrap();
    std::fs::write(d.join("fteval.toml"), "[columns]\nlabel = \"gold\x1b[2J\"\n").unwrap();
    for args in [
        vec!["metrics", "cols.csv"],
        vec!["metrics", "cols.csv", "--label-col", "nope\x1b[2J"],
        vec!["metrics", "score.csv", "--score-col", "prob"],
        vec!["metrics", "two.csv"],
        vec!["metrics", "two.csv", "--positive", "\u{202e}zzz"],
        vec!["compare", "two.csv", "two.csv"],
    ] {
        let mut args = args;
        args.extend(["--format", "json"]);
        let run = run_in(d, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
        assert_clean(&format!("{args:?}"), &run);
    }
    let run = run_in(d, &["metrics", "two.csv", "--positive", "zzz", "--format", "json"]);
    assert!(run.stderr.contains("clear\\x1b[2J") && run.stderr.contains("x\\u{9b}"), "{}", run.stderr);
}

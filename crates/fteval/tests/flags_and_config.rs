//! Every numeric flag is checked by its range (negative numbers, NaN and infinities included),
//! naming the flag; every bad value of fteval.toml is named by its file, key and line.

mod common;

use std::path::Path;

use common::{fteval, fteval_in, Run};

/// Exit 2, `error: …` naming every needle, a hint, and neither clap's "unexpected argument" nor
/// a panic.
fn assert_usage_error(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, 2, "{needles:?}\nstdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("\n  hint: "), "{}", run.stderr);
    for n in needles {
        assert!(run.stderr.contains(n), "expected {n:?} in:\n{}", run.stderr);
    }
    for bad in ["unexpected argument", "panicked", "internal error"] {
        assert!(!run.stderr.contains(bad), "{}", run.stderr);
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// A binary prediction file with scores: 60 rows, some errors.
fn binary(dir: &Path, name: &str, flip_every: usize) -> String {
    let mut s = String::from("id,label,pred,prob\n");
    for i in 0..60 {
        let g = i % 2;
        let p = if i % flip_every == 0 { 1 - g } else { g };
        s.push_str(&format!("{i},{g},{p},{}\n", if p == 1 { 0.8 } else { 0.2 }));
    }
    write(dir, name, &s)
}

struct Files {
    dir: tempfile::TempDir,
    base: String,
    cand: String,
    log: String,
    train: String,
    test: String,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = binary(d, "base.csv", 5);
    let cand = binary(d, "cand.csv", 7);
    let log = write(
        d,
        "log.csv",
        "epoch,loss,val_loss\n0,1.0,1.1\n1,0.8,0.9\n2,0.7,0.85\n3,0.6,0.8\n4,0.5,0.8\n5,0.45,0.82\n",
    );
    let rows = |shift: usize| {
        let mut s = String::from("id,text,label\n");
        for i in 0..20 {
            s.push_str(&format!(
                "{i},the quick brown fox number {} jumps over the lazy dog again,{}\n",
                i + shift,
                i % 2
            ));
        }
        s
    };
    let train = write(d, "train.csv", &rows(0));
    let test = write(d, "test.csv", &rows(10));
    Files { dir, base, cand, log, train, test }
}

#[test]
fn every_numeric_flag_is_checked_by_its_range_naming_the_flag() {
    let f = files();
    let metrics = |flag: &str, v: &str| fteval(&["metrics", &f.base, "--format", "json", flag, v]);
    let compare = |flag: &str, v: &str| fteval(&["compare", &f.base, &f.cand, "--format", "json", flag, v]);
    let curves = |flag: &str, v: &str| fteval(&["curves", &f.log, "--format", "json", flag, v]);
    let leakage =
        |flag: &str, v: &str| fteval(&["leakage", "--train", &f.train, "--test", &f.test, "--format", "json", flag, v]);
    type Cmd<'a> = &'a dyn Fn(&str, &str) -> Run;
    let cases: &[(Cmd, &str, &[&str], &str)] = &[
        (&metrics, "--bootstrap", &["-1", "1000001", "1.5", "x", "99999999999999999999999"], "from 0 to 1000000"),
        (&metrics, "--seed", &["-1", "18446744073709551616", "0.5"], "a whole number, 0 or more"),
        (&metrics, "--ci", &["0", "1", "-0.5", "nan", "inf", "-inf", "95"], "a number in (0, 1)"),
        (&compare, "--bootstrap", &["-1"], "from 0 to 1000000"),
        (&compare, "--margin", &["-1", "-0.01", "nan", "inf", "-inf"], "a finite number, 0 or more"),
        (&compare, "--min-recall", &["2", "-0.1", "nan"], "a number in [0, 1]"),
        (&compare, "--min-precision", &["1.01", "-1", "inf"], "a number in [0, 1]"),
        (&compare, "--examples", &["-1", "1000001"], "from 0 to 1000000"),
        (&curves, "--classes", &["0", "1", "-3", "2.5"], "a whole number, at least 2"),
        (&curves, "--seed", &["-7"], "a whole number, 0 or more"),
        (&leakage, "--num-perm", &["0", "-3", "65537", "4000000000", "10000000"], "from 1 to 65536"),
        (&leakage, "--ngram", &["0", "-1", "1025"], "from 1 to 1024"),
        (&leakage, "--threshold", &["0", "1.5", "-0.2", "nan"], "a number in (0, 1]"),
        (&leakage, "--max-leak", &["-0.1", "2", "inf", "nan"], "a number in [0, 1]"),
    ];
    for (cmd, flag, values, range) in cases {
        for v in *values {
            assert_usage_error(&cmd(flag, v), &[&format!("{flag} {v}: must be"), range]);
        }
    }
    let check = fteval(&["check", "nonexistent.toml", "--bootstrap", "-5"]);
    assert_usage_error(&check, &["--bootstrap -5: must be", "from 0 to 1000000"]);
    let demo = fteval(&["demo", "--out", &f.dir.path().join("demo").to_string_lossy(), "--seed", "-1"]);
    assert_usage_error(&demo, &["--seed -1: must be"]);
    assert!(!f.dir.path().join("demo").exists(), "a rejected flag writes nothing");
    // --cost names the cost that is wrong.
    for v in ["fp=-1,fn=2", "fp=1,fn=nan", "fp=inf,fn=1"] {
        assert_usage_error(&compare("--cost", v), &[&format!("--cost {v}:"), "a finite number, 0 or more"]);
    }
    assert_usage_error(&compare("--cost", "fp=1"), &["--cost fp=1: expected fp=COST,fn=COST"]);
}

#[test]
fn the_ends_of_every_range_are_accepted() {
    let f = files();
    for args in [
        vec!["metrics", &f.base, "--bootstrap", "0", "--ci", "0.5", "--seed", "18446744073709551615"],
        vec!["metrics", &f.base, "--bootstrap", "20", "--ci", "0.999"],
        vec!["compare", &f.base, &f.cand, "--margin", "0", "--min-recall", "0", "--examples", "0", "--bootstrap", "50"],
        vec!["compare", &f.base, &f.cand, "--min-precision", "1", "--cost", "fp=0,fn=0", "--bootstrap", "50"],
        vec!["curves", &f.log, "--classes", "2"],
        vec!["leakage", "--train", &f.train, "--test", &f.test, "--threshold", "1", "--max-leak", "1", "--ngram", "1"],
        vec!["leakage", "--train", &f.train, "--test", &f.test, "--num-perm", "1", "--max-leak", "1"],
    ] {
        let mut args = args;
        args.extend(["--format", "json"]);
        let run = fteval(&args);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        run.json();
    }
}

/// `fteval check` and `fteval compare` on a config holding `config`, in the folder of `f`.
fn with_config(f: &Files, config: &str) -> (Run, Run) {
    let files = "[files]\nbaseline = \"base.csv\"\ncandidate = \"cand.csv\"\n";
    std::fs::write(f.dir.path().join("fteval.toml"), config.replace("FILES\n", files)).unwrap();
    let check = fteval_in(f.dir.path(), &["check", "--format", "json", "--bootstrap", "50"]);
    let compare =
        fteval_in(f.dir.path(), &["compare", "base.csv", "cand.csv", "--format", "json", "--bootstrap", "50"]);
    (check, compare)
}

#[test]
fn every_bad_config_value_is_named_by_file_key_and_line() {
    let f = files();
    // (config, what check and compare must both say); FILES stands for three lines of [files].
    let cases: &[(&str, &[&str])] = &[
        ("primary = \"nope\"\nFILES\n", &["fteval.toml: line 1: primary = \"nope\": no metric 'nope'"]),
        (
            "margin = inf\nFILES\n",
            &["fteval.toml: line 1: margin = inf: must be a finite number, 0 or more", "fix margin on line 1"],
        ),
        ("\nmargin = nan\nFILES\n", &["fteval.toml: line 2: margin = nan: must be"]),
        ("margin = -0.5\nFILES\n", &["fteval.toml: line 1: margin = -0.5: must be"]),
        ("min_recall = 2\nFILES\n", &["fteval.toml: line 1: min_recall = 2: must be a number in [0, 1]"]),
        ("min_precision = -1\nFILES\n", &["fteval.toml: line 1: min_precision = -1: must be"]),
        (
            "FILES\n[cost]\nfp = 1\nfn = -20\n",
            &["fteval.toml: line 6: [cost] fn = -20: must be a finite number, 0 or more"],
        ),
        ("cost = { fp = nan, fn = 1 }\nFILES\n", &["fteval.toml: line 1: [cost] fp = nan: must be"]),
        ("profile = \"spamm\"\nFILES\n", &["fteval.toml: line 1: profile = \"spamm\": unknown profile"]),
        (
            "positive = \"zzz\"\nFILES\n",
            &["positive = \"zzz\" (fteval.toml, line 1): no such label", "fix positive on line 1"],
        ),
        (
            "FILES\n[columns]\nlabel = \"nope\"\n",
            &[
                "[columns] label = \"nope\" (fteval.toml, line 5): no such column",
                "the columns are: id, label, pred, prob",
            ],
        ),
        ("FILES\n[columns]\nscore = \"nope\"\n", &["[columns] score = \"nope\" (fteval.toml, line 5)"]),
        (
            "FILES\n[gates]\nrequire = [\n  \"recall>=0.5\",\n  \"nope>=0.1\",\n]\n",
            &["fteval.toml: line 7: [gates] require = \"nope>=0.1\": no metric 'nope'"],
        ),
        (
            "FILES\n[gates]\nrequire = [\"recall>=x\"]\n",
            &["fteval.toml: line 5: [gates] require = \"recall>=x\": 'recall>=x' is not a requirement"],
        ),
        (
            "FILES\n[gates]\nmax_regression = { f1 = -0.1 }\n",
            &["fteval.toml: line 5: [gates] max_regression.f1 = -0.1:"],
        ),
        (
            "FILES\n[gates]\nmax_regression = { nope = 0.1 }\n",
            &["fteval.toml: line 5: [gates] max_regression.nope = 0.1: no metric 'nope'"],
        ),
        ("margin = \"x\"\nFILES\n", &["fteval.toml: line 1: margin: invalid type: string \"x\", expected f64"]),
    ];
    for (config, needles) in cases {
        let (check, compare) = with_config(&f, config);
        assert_usage_error(&check, needles);
        assert_usage_error(&compare, needles);
        for run in [&check, &compare] {
            // Named as the config key, never as a flag the user did not type.
            for flag in [
                "--primary",
                "--margin",
                "--min-recall",
                "--min-precision",
                "--cost",
                "--profile",
                "--positive",
                "--label-col",
                "--score-col",
            ] {
                assert!(!run.stderr.lines().next().unwrap().contains(flag), "{config}: {}", run.stderr);
            }
        }
    }
    // A flag still wins over the config, and a bad flag is named as the flag.
    let (_, compare) = with_config(&f, "primary = \"nope\"\nFILES\n");
    assert!(compare.stderr.contains("primary = \"nope\""));
    let run = fteval_in(
        f.dir.path(),
        &["compare", "base.csv", "cand.csv", "--primary", "f1", "--format", "json", "--bootstrap", "50"],
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let run = fteval_in(f.dir.path(), &["compare", "base.csv", "cand.csv", "--primary", "zap", "--bootstrap", "50"]);
    assert_usage_error(&run, &["--primary: no metric 'zap'"]);
}

#[test]
fn the_keys_only_check_reads_are_named_by_file_key_and_line() {
    let f = files();
    let cases: &[(&str, &[&str])] = &[
        (
            "FILES\n[overfitting]\nmax_gap = 2\n",
            &[
                "fteval.toml: line 5: [overfitting] max_gap = 2: must be a number in [0, 1]",
                "max_gap = 0.05 (the default)",
            ],
        ),
        (
            "FILES\ntrain = \"train.csv\"\ntest = \"test.csv\"\n[leakage]\nthreshold = 0\n",
            &["fteval.toml: line 7: [leakage] threshold = 0: must be a number in (0, 1]"],
        ),
        (
            "FILES\ntrain = \"train.csv\"\ntest = \"test.csv\"\n[leakage]\nmax_leaked_fraction = -1\n",
            &["fteval.toml: line 7: [leakage] max_leaked_fraction = -1:"],
        ),
        (
            "FILES\ntrain = \"train.csv\"\ntest = \"test.csv\"\n[columns]\ntext = \"nope\"\n",
            &["[columns] text = \"nope\" (fteval.toml, line 7)"],
        ),
        (
            "FILES\ntrain = \"train.csv\"\n",
            &["fteval.toml: line 4: [files] train = \"train.csv\": [files] names only one of train and test"],
        ),
        (
            "[files]\nbaseline = \"base.csv\"\ncandidate = \"missing.csv\"\n",
            &["fteval.toml: line 3: [files] candidate = \"missing.csv\": no such file or folder"],
        ),
        (
            "[files]\nbaseline = \"base.csv\"\ncandidate = \"\"\n",
            &["fteval.toml: line 3: [files] candidate = \"\": the path is empty"],
        ),
        (
            "FILES\nlogs = [\n  \"log.csv\",\n  \"gone.json\",\n]\n",
            &["fteval.toml: line 6: [files] logs = \"gone.json\": no such file or folder"],
        ),
    ];
    for (config, needles) in cases {
        let (check, _) = with_config(&f, config);
        assert_usage_error(&check, needles);
    }
}

#[test]
fn a_one_label_file_with_its_label_as_positive_says_the_other_class_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let one = write(
        dir.path(),
        "one.csv",
        &"label,pred\n".chars().chain("spam,spam\n".repeat(20).chars()).collect::<String>(),
    );
    let run = fteval(&["metrics", &one, "--positive", "spam", "--format", "json"]);
    assert_usage_error(
        &run,
        &["one.csv", "--positive spam", "'spam' is the only label", "no negative class", "--task multiclass"],
    );
    assert!(!run.stderr.contains("pass --positive"), "{}", run.stderr);
    // Without --positive, the hint says what --positive would do.
    let run = fteval(&["metrics", &one, "--format", "json"]);
    assert_usage_error(&run, &["only one label ('spam')", "--positive LABEL", "if it is not 'spam'"]);
    // The positive label of the config is named as its key.
    write(dir.path(), "fteval.toml", "positive = \"spam\"\n");
    let run = fteval_in(dir.path(), &["compare", "one.csv", "one.csv", "--format", "json"]);
    assert_usage_error(
        &run,
        &["positive = \"spam\" (fteval.toml, line 1): 'spam' is the only label", "fix positive on line 1"],
    );
}

//! The NER reader: CoNLL (one file, or predictions plus --gold), JSON Lines and JSON, its
//! error messages, the conformance cases of ../shared/conformance/text.jsonl (ner_0..2,
//! copied to data/ner) computed through the reader and the core, and the real NER files of
//! ../shared/realcorpus (skipped, saying so, when that folder is absent).

use std::path::{Path, PathBuf};

use fteval_core::metrics::ner::{evaluate_ner, NerMode, NerOptions, NerScores, Scheme};
use fteval_io::ner::{read_ner, NerFormat, NerInput, NerReadOptions, Truncation};
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn scores(input: &NerInput, mode: NerMode) -> (Vec<String>, NerScores) {
    let stats = evaluate_ner(&input.sequences, &NerOptions { mode, suffix: false }).unwrap();
    let s = stats.totals().scores();
    (stats.types, s)
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{what}: fteval {a}, expected {b}");
}

#[test]
fn conll_with_gold_and_prediction_columns() {
    let dir = tempfile::tempdir().unwrap();
    let text = "-DOCSTART- -X- O O\r\n\r\nEU NNP B-ORG B-ORG\r\nrejects VBZ O O\r\nGerman JJ B-MISC B-PER\r\n\r\n\r\nPeter NNP B-PER B-PER\r\nBlackburn NNP I-PER I-PER\r\n";
    let p = write(dir.path(), "a.conll", text);
    let input = read_ner(&p, &NerReadOptions::default()).unwrap();
    assert_eq!(input.n_sentences(), 2);
    assert_eq!(input.sequences.n_tokens(), 5);
    assert_eq!(input.sentence_preview(1, 6), "'Peter Blackburn'");
    let (types, s) = scores(&input, NerMode::Default);
    assert_eq!(types, ["MISC", "ORG", "PER"]);
    assert_eq!((s.tp, s.predicted, s.support), (2, 3, 3));
    assert_eq!(input.locations[1].to_string(), "line 8");
}

#[test]
fn conll_predictions_with_gold_file() {
    let dir = tempfile::tempdir().unwrap();
    let gold = write(dir.path(), "gold.txt", "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n");
    let pred = write(dir.path(), "pred.txt", "EU B-ORG\nrejects O\n\nPeter B-LOC\n");
    let input = read_ner(&pred, &NerReadOptions { gold: Some(gold.clone()), ..Default::default() }).unwrap();
    let (_, s) = scores(&input, NerMode::Default);
    assert_eq!((s.tp, s.predicted, s.support), (1, 2, 2));

    // A predictions file without --gold: the message says how to give the gold tags.
    let err = read_ner(&pred, &NerReadOptions::default()).unwrap_err();
    assert!(err.hint.contains("--gold"), "{err}");

    // Tokens that differ: named with the line in both files.
    let bad = write(dir.path(), "bad.txt", "EU B-ORG\naccepts O\n\nPeter B-LOC\n");
    let err = read_ner(&bad, &NerReadOptions { gold: Some(gold.clone()), ..Default::default() }).unwrap_err();
    assert_eq!(err.location, "line 2");
    assert!(
        err.message.contains("'accepts'") && err.message.contains("'rejects'") && err.message.contains("line 2"),
        "{err}"
    );
    let ok = NerReadOptions { gold: Some(gold.clone()), ignore_token_mismatch: true, ..Default::default() };
    assert!(read_ner(&bad, &ok).is_ok());

    // A sentence cut short: an error naming it, unless the prefix is to be scored.
    let cut = write(dir.path(), "cut.txt", "EU B-ORG\n\nPeter B-PER\n");
    let err = read_ner(&cut, &NerReadOptions { gold: Some(gold.clone()), ..Default::default() }).unwrap_err();
    assert!(
        err.message.contains("sentence 1 ('EU rejects')") && err.message.contains("1 predicted tokens but 2 gold"),
        "{err}"
    );
    assert!(err.hint.contains("--allow-truncated"), "{err}");
    let opts = NerReadOptions { gold: Some(gold.clone()), truncation: Truncation::Prefix, ..Default::default() };
    let input = read_ner(&cut, &opts).unwrap();
    assert_eq!(input.truncated.len(), 1);
    assert_eq!(input.dropped_gold_tokens, 1);
    let (_, s) = scores(&input, NerMode::Default);
    assert_eq!((s.tp, s.predicted, s.support), (2, 2, 2));

    // A missing sentence.
    let short = write(dir.path(), "short.txt", "EU B-ORG\nrejects O\n");
    let err = read_ner(&short, &NerReadOptions { gold: Some(gold), ..Default::default() }).unwrap_err();
    assert!(err.message.contains("1 sentences of predictions but 2"), "{err}");
}

#[test]
fn conll_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.conll", "EU B-ORG B-ORG\nrejects O\n");
    let err = read_ner(&p, &NerReadOptions::default()).unwrap_err();
    assert_eq!(err.location, "line 2");
    assert!(err.message.contains("2 columns") && err.message.contains("line 1"), "{err}");
    let p = write(dir.path(), "b.conll", "EU\n");
    let err = read_ner(&p, &NerReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("line 1: one column"), "{err}");
    let p = write(dir.path(), "c.conll", "\n\n-DOCSTART- O O\n");
    assert!(read_ner(&p, &NerReadOptions::default()).unwrap_err().message.contains("no tokens"));
    let p = write(dir.path(), "d.csv", "tokens,labels\n");
    assert!(read_ner(&p, &NerReadOptions::default()).unwrap_err().message.contains("no token-level tags"));
    std::fs::write(dir.path().join("e.conll"), b"EU B-ORG B-ORG\n\xff O O\n").unwrap();
    let err = read_ner(&dir.path().join("e.conll").to_string_lossy(), &NerReadOptions::default()).unwrap_err();
    assert_eq!(err.location, "line 2");
}

#[test]
fn json_lines_and_json_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.jsonl",
        "{\"id\": 1, \"tokens\": [\"EU\", \"re\\u006aects\"], \"tags\": [\"B-ORG\", \"O\"], \"pred_tags\": [\"B-ORG\", \"O\"]}\n\n{\"id\": 2, \"tokens\": [], \"tags\": [], \"pred_tags\": []}\n",
    );
    let input = read_ner(&a, &NerReadOptions::default()).unwrap();
    assert_eq!(input.n_sentences(), 2);
    assert_eq!(input.tokens.get(1), "rejects");
    assert_eq!((input.gold_source.as_str(), input.pred_source.as_str()), ("'tags'", "'pred_tags'"));
    let j = write(dir.path(), "a.json", "[{\"labels\": [\"B-PER\"], \"predictions\": [\"B-PER\"]}]");
    let input = read_ner(&j, &NerReadOptions::default()).unwrap();
    assert_eq!(scores(&input, NerMode::Default).1.f1, 1.0);

    let bad = write(
        dir.path(),
        "b.jsonl",
        "{\"tokens\": [\"a\", \"b\"], \"labels\": [\"O\", \"O\"], \"predictions\": [\"O\"]}\n",
    );
    let err = read_ner(&bad, &NerReadOptions::default()).unwrap_err();
    assert!(err.message.contains("sentence 1 ('a b') has 2 gold tags"), "{err}");
    assert_eq!(err.location, "line 1");
    let ints = write(dir.path(), "c.jsonl", "{\"tokens\": [\"a\"], \"ner_tags\": [3], \"predictions\": [\"O\"]}\n");
    let err = read_ner(&ints, &NerReadOptions::default()).unwrap_err();
    assert!(err.message.contains("numbers") && err.hint.contains("names"), "{err}");
    let none = write(dir.path(), "d.jsonl", "{\"tokens\": [\"a\"], \"predictions\": [\"O\"]}\n");
    let err = read_ner(&none, &NerReadOptions::default()).unwrap_err();
    assert!(err.message.contains("gold") && err.hint.contains("--label-col"), "{err}");
    let broken = write(
        dir.path(),
        "e.jsonl",
        "{\"tokens\": [\"a\"], \"labels\": [\"O\"], \"predictions\": [\"O\"]}\n{\"tokens\": [\n",
    );
    assert_eq!(read_ner(&broken, &NerReadOptions::default()).unwrap_err().location, "line 2, column 12");
    // JSON predictions with a CoNLL gold file.
    let gold = write(dir.path(), "gold.conll", "EU B-ORG\nrejects O\n");
    let pred =
        write(dir.path(), "p.jsonl", "{\"tokens\": [\"EU\", \"rejects\"], \"predictions\": [\"B-LOC\", \"O\"]}\n");
    let input = read_ner(&pred, &NerReadOptions { gold: Some(gold), ..Default::default() }).unwrap();
    assert_eq!(scores(&input, NerMode::Default).1.tp, 0);
    assert_eq!(NerFormat::detect("x.conll.gz", None).unwrap(), NerFormat::Conll);
}

/// The three NER cases of the conformance suite, through the reader and the core.
#[test]
fn conformance_ner_cases() {
    let text = include_str!("data/ner/conformance_ner.jsonl");
    let mut n = 0;
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["name"].as_str().unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (file, body) in case["files"].as_object().unwrap() {
            write(dir.path(), file, body.as_str().unwrap());
        }
        let args: Vec<&str> = case["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        assert_eq!(args[0], "metrics");
        let path = dir.path().join(args[1]).to_string_lossy().into_owned();
        let mut mode = NerMode::Default;
        if args.contains(&"--strict") {
            let k = args.iter().position(|a| *a == "--scheme").unwrap();
            mode = NerMode::Strict(Scheme::parse(args[k + 1]).unwrap());
        }
        let input = read_ner(&path, &NerReadOptions::default()).unwrap();
        let (types, s) = scores(&input, mode);
        for (key, want) in case["expect"].as_object().unwrap() {
            let parts: Vec<&str> = key.split('.').collect();
            let what = format!("{name}: {key}");
            match parts.as_slice() {
                ["task"] => assert_eq!(want, "ner"),
                ["n"] => assert_eq!(input.n_sentences() as u64, want.as_u64().unwrap(), "{what}"),
                ["metrics", metric, "value"] => {
                    let got = match *metric {
                        "precision" => s.precision,
                        "recall" => s.recall,
                        "f1" => s.f1,
                        "f1_macro" => s.f1_macro.unwrap(),
                        "f1_weighted" => s.f1_weighted,
                        "token_accuracy" => s.token_accuracy.unwrap(),
                        other => panic!("{name}: unknown metric {other}"),
                    };
                    close(got, want.as_f64().unwrap(), &what);
                }
                ["per_class", ty, field] => {
                    let k = types.iter().position(|t| t == ty).unwrap_or_else(|| panic!("{what}: no type {ty}"));
                    let t = s.per_type.iter().find(|t| t.type_id == k as u32).unwrap();
                    match *field {
                        "precision" => close(t.precision, want.as_f64().unwrap(), &what),
                        "recall" => close(t.recall, want.as_f64().unwrap(), &what),
                        "f1" => close(t.f1, want.as_f64().unwrap(), &what),
                        "support" => assert_eq!(t.support, want.as_u64().unwrap(), "{what}"),
                        other => panic!("{name}: unknown field {other}"),
                    }
                }
                _ => panic!("{name}: unexpected key {key}"),
            }
        }
        n += 1;
    }
    assert_eq!(n, 3);
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("FTEVAL_REALCORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realcorpus"));
    if dir.join("ner_01.txt").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: real NER files not found in {} (set FTEVAL_REALCORPUS)", dir.display());
        None
    }
}

/// Micro, macro, weighted (p, r, f1), accuracy and per type (p, r, f1, support), as seqeval
/// 1.2.2 printed them for these files.
struct Expected {
    micro: [f64; 3],
    macro_: [f64; 3],
    weighted: [f64; 3],
    accuracy: f64,
    per_type: &'static [(&'static str, f64, f64, f64, u64)],
}

fn check(name: &str, types: &[String], s: &NerScores, e: &Expected) {
    let trio = |a: [f64; 3], b: [f64; 3], what: &str| {
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            close(*x, y, &format!("{name} {what}[{k}]"));
        }
    };
    trio([s.precision, s.recall, s.f1], e.micro, "micro");
    trio([s.precision_macro.unwrap(), s.recall_macro.unwrap(), s.f1_macro.unwrap()], e.macro_, "macro");
    trio([s.precision_weighted, s.recall_weighted, s.f1_weighted], e.weighted, "weighted");
    close(s.token_accuracy.unwrap(), e.accuracy, &format!("{name} accuracy"));
    assert_eq!(s.per_type.len(), e.per_type.len(), "{name}: types");
    for (t, (ty, p, r, f, sup)) in s.per_type.iter().zip(e.per_type) {
        assert_eq!(&types[t.type_id as usize], ty, "{name}");
        trio([t.precision, t.recall, t.f1], [*p, *r, *f], &format!("{name} {ty}"));
        assert_eq!(t.support, *sup, "{name} {ty} support");
    }
}

#[test]
fn realcorpus_ner_files() {
    let Some(dir) = corpus() else { return };
    let f = |n: &str| dir.join(n).to_string_lossy().into_owned();

    // ner_01: a CoNLL-2003 test-set predictions file (token, tag), gold in ner_02 (four columns).
    let err = read_ner(&f("ner_01.txt"), &NerReadOptions::default()).unwrap_err();
    assert!(err.hint.contains("--gold"), "{err}");
    let input =
        read_ner(&f("ner_01.txt"), &NerReadOptions { gold: Some(f("ner_02.txt")), ..Default::default() }).unwrap();
    assert_eq!((input.n_sentences(), input.sequences.n_tokens()), (3453, 46435));
    let (types, s) = scores(&input, NerMode::Default);
    check(
        "ner_01+02",
        &types,
        &s,
        &Expected {
            micro: [0.6701429123213596, 0.6143767705382436, 0.6410493256973951],
            macro_: [0.5020932039871172, 0.5272376288601623, 0.5119272696551108],
            weighted: [0.5850235589221304, 0.6143767705382436, 0.5964765860529092],
            accuracy: 0.937417895983633,
            per_type: &[
                ("LOC", 0.604799, 0.740408, 0.665768, 1668),
                ("MISC", 0.0, 0.0, 0.0, 702),
                ("ORG", 0.587033, 0.501505, 0.540909, 1661),
                ("PER", 0.816540, 0.867038, 0.841032, 1617),
            ],
        },
    );

    // ner_03: Flair output (token, gold, predicted) in IOBES with -DOCSTART- lines.
    let input = read_ner(&f("ner_03.txt"), &NerReadOptions::default()).unwrap();
    assert_eq!((input.n_sentences(), input.sequences.n_tokens()), (341, 4432));
    let (types, s) = scores(&input, NerMode::Default);
    check(
        "ner_03",
        &types,
        &s,
        &Expected {
            micro: [0.8809523809523809, 0.8176795580110497, 0.8481375358166189],
            macro_: [0.8779167652522916, 0.793541908633372, 0.8296348230106191],
            weighted: [0.8825726892570451, 0.8176795580110497, 0.8453424535938523],
            accuracy: 0.9607400722021661,
            per_type: &[
                ("LOC", 0.846154, 0.916667, 0.880000, 156),
                ("MISC", 0.854167, 0.650794, 0.738739, 63),
                ("ORG", 0.902256, 0.731707, 0.808081, 164),
                ("PER", 0.909091, 0.875000, 0.891720, 160),
            ],
        },
    );
    let (types, s) = scores(&input, NerMode::Strict(Scheme::Iobes));
    check(
        "ner_03 strict IOBES",
        &types,
        &s,
        &Expected {
            micro: [0.882703777335984, 0.8176795580110497, 0.8489483747609944],
            macro_: [0.8791759227614491, 0.793541908633372, 0.8303138353562981],
            weighted: [0.884019676891878, 0.8176795580110497, 0.8461227550739697],
            accuracy: 0.9607400722021661,
            per_type: &[
                ("LOC", 0.8511904761904762, 0.9166666666666666, 0.882716049382716, 156),
                ("MISC", 0.8541666666666666, 0.6507936507936508, 0.7387387387387387, 63),
                ("ORG", 0.9022556390977443, 0.7317073170731707, 0.8080808080808081, 164),
                ("PER", 0.9090909090909091, 0.875, 0.8917197452229298, 160),
            ],
        },
    );
    // IOBES tags are not IOB2: strict IOB2 refuses them, naming the tag.
    let err =
        evaluate_ner(&input.sequences, &NerOptions { mode: NerMode::Strict(Scheme::Iob2), suffix: false }).unwrap_err();
    assert!(err.to_string().contains("S-LOC") || err.to_string().contains("E-"), "{err}");

    // ner_04: a tagger that predicts O everywhere: every score 0, accuracy from the O tokens.
    let input = read_ner(&f("ner_04.txt"), &NerReadOptions::default()).unwrap();
    let (types, s) = scores(&input, NerMode::Default);
    assert_eq!(types.len(), 10);
    assert_eq!((s.precision, s.recall, s.f1, s.f1_macro, s.support), (0.0, 0.0, 0.0, Some(0.0), 316));
    close(s.token_accuracy.unwrap(), 0.9094856379425518, "ner_04 accuracy");

    // ner_05.csv: a published per-label metrics table, not predictions.
    let err = read_ner(&f("ner_05.csv"), &NerReadOptions::default()).unwrap_err();
    assert!(err.message.contains("no token-level tags"), "{err}");
    let err = read_ner(&f("ner_05.csv"), &NerReadOptions { format: Some(NerFormat::Conll), ..Default::default() })
        .unwrap_err();
    assert!(err.message.contains("table of metrics"), "{err}");

    // ner_06 is the gold file (token, tag) of ner_07's predictions (CRLF line ends).
    let err = read_ner(&f("ner_06.txt"), &NerReadOptions::default()).unwrap_err();
    assert!(err.hint.contains("--gold"), "{err}");
    // ner_07's sentence 565 was cut at the model's maximum length (105 of 116 tokens).
    let with_gold = NerReadOptions { gold: Some(f("ner_06.txt")), ..Default::default() };
    let err = read_ner(&f("ner_07.txt"), &with_gold).unwrap_err();
    assert!(err.message.contains("sentence 565") && err.message.contains("105 predicted tokens but 116 gold"), "{err}");
    assert!(err.hint.contains("11 tokens"), "{err}");
    eprintln!("ner_07 without truncation: {err}");
    // Scored on the predicted prefix, as the training script did: its published report
    // (ner_07.published_test_results.txt, 3 digits) and seqeval's exact numbers.
    let input = read_ner(&f("ner_07.txt"), &NerReadOptions { truncation: Truncation::Prefix, ..with_gold }).unwrap();
    assert_eq!((input.truncated.len(), input.dropped_gold_tokens), (1, 11));
    let (types, s) = scores(&input, NerMode::Default);
    check(
        "ner_07+06",
        &types,
        &s,
        &Expected {
            micro: [0.0017159073410035859, 0.0208, 0.003170280651126872],
            macro_: [0.0015350966952820406, 0.025733172254408777, 0.002858957776030136],
            weighted: [0.001362057045407542, 0.0208, 0.002493795869197254],
            accuracy: 0.045781261287293214,
            per_type: &[
                ("bien_phap_chan_doan", 0.0014779781259237363, 0.016233766233766232, 0.00270929287455974, 308),
                ("bien_phap_dieu_tri", 0.003631345776744862, 0.07911392405063292, 0.006943962224845498, 632),
                ("nguyen_nhan_benh", 0.00016979370065370574, 0.007246376811594203, 0.00033181252592285357, 276),
                ("ten_benh", 0.0005445140212360468, 0.0021953896816684962, 0.0008726003490401397, 1822),
                ("trieu_chung_benh", 0.001851851851851852, 0.023876404494382022, 0.003437120905782451, 712),
            ],
        },
    );
    let published = std::fs::read_to_string(dir.join("ner_07.published_test_results.txt")).unwrap();
    for (ty, line) in types.iter().zip(&s.per_type) {
        let row = published.lines().find(|l| l.trim_start().starts_with(ty.as_str())).unwrap();
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[1], format!("{:.3}", line.precision), "{ty}");
        assert_eq!(cols[2], format!("{:.3}", line.recall), "{ty}");
        assert_eq!(cols[3], format!("{:.3}", line.f1), "{ty}");
        assert_eq!(cols[4], line.support.to_string(), "{ty}");
    }
    let micro = published.lines().find(|l| l.contains("micro avg")).unwrap();
    assert!(micro.contains(&format!("{:.3}     {:.3}     {:.3}", s.precision, s.recall, s.f1)), "{micro}");
}

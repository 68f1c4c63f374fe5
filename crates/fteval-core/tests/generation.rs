//! Generation metrics against their Python references, from fixtures written by
//! `tests/data/generation/make_fixtures.py` (sacrebleu 2.6.0, rouge-score 0.1.2, nltk 3.10.4,
//! SQuAD v1.1's script, CPython 3.11): every number to 1e-6 (BLEU and chrF on 0–100, the others on
//! 0–1), every count and token exactly. No Python is needed to run them.

use std::io::Read;

use fteval_core::metrics::generation::bleu::{
    bleu_score, bleu_signature, bleu_stats, tokenize_13a, BleuConfig, BleuStats, Smoothing,
};
use fteval_core::metrics::generation::chrf::{
    chrf_name, chrf_score, chrf_signature, chrf_stats, chrf_stats_for, ChrfConfig, ChrfStats,
};
use fteval_core::metrics::generation::porter::porter_stem;
use fteval_core::metrics::generation::pytext::{py_isalnum, py_isspace, py_lower, py_rstrip};
use fteval_core::metrics::generation::rouge::{rouge_scores, rouge_tokenize, Prf, RougeScores};
use fteval_core::metrics::generation::significance::{paired_approximate_randomization, paired_ar_with_masks};
use fteval_core::metrics::generation::squad::{normalize_answer, squad_scores};
use fteval_core::metrics::generation::{sum_over, NRefs, SufficientStats};
use serde_json::Value;

const TOL: f64 = 1e-6;

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/generation/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn references() -> Value {
    serde_json::from_str(&data("references.json")).expect("references.json")
}

fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(|x| s(x).to_string()).collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

fn u(v: &Value) -> u64 {
    v.as_u64().expect("count")
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() <= TOL * want.abs().max(1.0), "{what}: got {got}, want {want}");
}

fn bleu_config(name: &str) -> BleuConfig {
    let d = BleuConfig::default();
    match name {
        "default" => d,
        "lowercase" => BleuConfig { lowercase: true, ..d },
        "smooth_none" => BleuConfig { smoothing: Smoothing::None, ..d },
        "smooth_floor" => BleuConfig { smoothing: Smoothing::Floor(0.1), ..d },
        "smooth_floor_0.5" => BleuConfig { smoothing: Smoothing::Floor(0.5), ..d },
        "smooth_addk" => BleuConfig { smoothing: Smoothing::AddK(1.0), ..d },
        "effective_order" => BleuConfig { effective_order: true, ..d },
        _ => panic!("unknown BLEU config {name}"),
    }
}

fn chrf_config(name: &str) -> ChrfConfig {
    let c = ChrfConfig::chrf();
    match name {
        "chrf" => c,
        "chrf_pp" => ChrfConfig::chrf_pp(),
        "chrf_eps" => ChrfConfig { eps_smoothing: true, ..c },
        "chrf_pp_eps" => ChrfConfig { eps_smoothing: true, ..ChrfConfig::chrf_pp() },
        "chrf_lowercase" => ChrfConfig { lowercase: true, ..c },
        "chrf_whitespace" => ChrfConfig { whitespace: true, ..c },
        "chrf_beta1_order4" => ChrfConfig { beta: 1.0, char_order: 4, word_order: 1, ..c },
        _ => panic!("unknown chrF config {name}"),
    }
}

/// sacreBLEU's segment statistics `[hyp_len, ref_len, correct x4, total x4]`.
fn bleu_from_python(v: &Value) -> BleuStats {
    let x: Vec<u64> = v.as_array().unwrap().iter().map(u).collect();
    BleuStats { hyp_len: x[0], ref_len: x[1], matches: [x[2], x[3], x[4], x[5]], totals: [x[6], x[7], x[8], x[9]] }
}

/// sacreBLEU's chrF segment statistics: `[hyp, ref, match]` per order.
fn chrf_from_python(v: &Value) -> ChrfStats {
    let x: Vec<u64> = v.as_array().unwrap().iter().map(u).collect();
    let mut out = ChrfStats::default();
    for (o, t) in x.chunks(3).enumerate() {
        out.hyp[o] = t[0];
        out.refs[o] = t[1];
        out.matches[o] = t[2];
    }
    out
}

#[test]
fn python_string_semantics_over_all_code_points() {
    let t: Value = serde_json::from_str(&data("unicode_python.json")).unwrap();
    let in_ranges = |key: &str| -> Vec<(u32, u32)> {
        t[key].as_array().unwrap().iter().map(|r| (u(&r[0]) as u32, u(&r[1]) as u32)).collect()
    };
    // a table of all code points for each property
    let table = |key: &str| -> Vec<bool> {
        let mut t = vec![false; 0x110000];
        for r in in_ranges(key) {
            t[r.0 as usize..=r.1 as usize].iter_mut().for_each(|x| *x = true);
        }
        t
    };
    let (assigned, alnum, space) = (in_ranges("assigned"), table("isalnum"), table("isspace"));
    let lower: std::collections::HashMap<u32, String> =
        t["lower"].as_array().unwrap().iter().map(|p| (u(&p[0]) as u32, s(&p[1]).to_string())).collect();
    let mut checked = 0;
    for &(a, b) in &assigned {
        for cp in a..=b {
            let Some(c) = char::from_u32(cp) else { continue };
            assert_eq!(py_isalnum(c), alnum[cp as usize], "isalnum U+{cp:04X}");
            assert_eq!(py_isspace(c), space[cp as usize], "isspace U+{cp:04X}");
            let want = lower.get(&cp).cloned().unwrap_or_else(|| c.to_string());
            assert_eq!(py_lower(&c.to_string()), want, "lower U+{cp:04X}");
            checked += 1;
        }
    }
    assert!(checked > 280_000, "{checked}");
}

#[test]
fn tokenisers_and_normalisation_match_the_references() {
    let r = references();
    let texts = r["texts"].as_array().unwrap();
    assert!(texts.len() > 900);
    for t in texts {
        let text = s(&t["text"]);
        assert_eq!(tokenize_13a(text), s(&t["tok13a"]), "13a of {text:?}");
        assert_eq!(tokenize_13a(py_rstrip(text)), s(&t["tok13a_bleu"]), "BLEU preprocessing of {text:?}");
        assert_eq!(rouge_tokenize(text, false), strings(&t["rouge_tokens"]), "rouge tokens of {text:?}");
        assert_eq!(rouge_tokenize(text, true), strings(&t["rouge_tokens_stem"]), "stemmed rouge tokens of {text:?}");
        assert_eq!(normalize_answer(text), s(&t["squad_normalized"]), "normalize_answer of {text:?}");
    }
}

fn check_prf(got: Prf, want: &Value, what: &str) {
    close(got.precision, f(&want[0]), &format!("{what} precision"));
    close(got.recall, f(&want[1]), &format!("{what} recall"));
    close(got.fmeasure, f(&want[2]), &format!("{what} fmeasure"));
}

fn check_rouge(got: &RougeScores, want: &Value, what: &str) {
    check_prf(got.rouge1, &want["rouge1"], &format!("{what} rouge1"));
    check_prf(got.rouge2, &want["rouge2"], &format!("{what} rouge2"));
    check_prf(got.rouge_l, &want["rougeL"], &format!("{what} rougeL"));
    check_prf(got.rouge_lsum, &want["rougeLsum"], &format!("{what} rougeLsum"));
}

#[test]
fn per_example_statistics_and_scores_match_the_references() {
    let r = references();
    let examples = r["examples"].as_array().unwrap();
    assert!(examples.len() > 400);
    for (i, e) in examples.iter().enumerate() {
        let (hyp, refs) = (s(&e["hyp"]), strings(&e["refs"]));
        let what = format!("example {i} {hyp:?} vs {refs:?}");
        assert_eq!(bleu_stats(hyp, &refs, &BleuConfig::default()), bleu_from_python(&e["bleu_stats"]), "BLEU {what}");
        let lc = BleuConfig { lowercase: true, ..BleuConfig::default() };
        assert_eq!(bleu_stats(hyp, &refs, &lc), bleu_from_python(&e["bleu_stats_lowercase"]), "BLEU lc {what}");
        for (name, want) in e["chrf_stats"].as_object().unwrap() {
            let got = chrf_stats(hyp, &refs, &chrf_config(name));
            assert_eq!(got, chrf_from_python(want), "{name} {what}");
        }
        // chrF and chrF++ (and their eps variants) in one pass
        let names = ["chrf", "chrf_pp", "chrf_eps", "chrf_pp_eps", "chrf_beta1_order4"];
        let together = chrf_stats_for(hyp, &refs, &names.map(chrf_config));
        for (name, got) in names.iter().zip(together) {
            assert_eq!(got, chrf_from_python(&e["chrf_stats"][*name]), "{name} (together) {what}");
        }
        check_rouge(&rouge_scores(hyp, &refs, false), &e["rouge"]["nostem"], &what);
        check_rouge(&rouge_scores(hyp, &refs, true), &e["rouge"]["stem"], &format!("stemmed {what}"));
        let q = squad_scores(hyp, &refs);
        assert_eq!(q.exact_match, f(&e["squad"]["exact_match"]), "EM {what}");
        close(q.token_f1, f(&e["squad"]["token_f1"]), &format!("F1 {what}"));
    }
}

#[test]
fn corpus_scores_and_signatures_match_sacrebleu() {
    let r = references();
    let examples = r["examples"].as_array().unwrap();
    let refs: Vec<Vec<String>> = examples.iter().map(|e| strings(&e["refs"])).collect();
    let corpora = r["corpora"].as_array().unwrap();
    let hyps: Vec<&str> = examples.iter().map(|e| s(&e["hyp"])).collect();
    let names = |key: &str| -> Vec<String> { corpora[0][key].as_object().unwrap().keys().cloned().collect() };
    // per-example statistics once per configuration; each corpus sums its (repeated) indices
    let bleu: Vec<(String, BleuConfig, Vec<BleuStats>)> = names("bleu")
        .into_iter()
        .map(|n| {
            let cfg = bleu_config(&n);
            let st = hyps.iter().zip(&refs).map(|(h, r)| bleu_stats(h, r, &cfg)).collect();
            (n, cfg, st)
        })
        .collect();
    let chrf: Vec<(String, ChrfConfig, Vec<ChrfStats>)> = names("chrf")
        .into_iter()
        .map(|n| {
            let cfg = chrf_config(&n);
            let st = hyps.iter().zip(&refs).map(|(h, r)| chrf_stats(h, r, &cfg)).collect();
            (n, cfg, st)
        })
        .collect();
    let mut n_checked = 0;
    for c in corpora {
        let name = s(&c["name"]);
        let idx: Vec<usize> = c["indices"].as_array().unwrap().iter().map(|i| u(i) as usize).collect();
        let nrefs = NRefs::from_counts(idx.iter().map(|&i| refs[i].len()));
        for (cname, cfg, stats) in &bleu {
            let want = &c["bleu"][cname];
            let got = bleu_score(&sum_over(stats, idx.iter().copied()), cfg);
            let what = format!("{name} BLEU {cname}");
            close(got.score, f(&want["score"]), &what);
            close(got.bp, f(&want["bp"]), &format!("{what} bp"));
            for n in 0..4 {
                close(got.precisions[n], f(&want["precisions"][n]), &format!("{what} precision {n}"));
            }
            assert_eq!((got.hyp_len, got.ref_len), (u(&want["sys_len"]), u(&want["ref_len"])), "{what}");
            assert_eq!(bleu_signature(nrefs, cfg), s(&want["signature"]), "{what}");
            n_checked += 1;
        }
        for (cname, cfg, stats) in &chrf {
            let want = &c["chrf"][cname];
            close(
                chrf_score(&sum_over(stats, idx.iter().copied()), cfg),
                f(&want["score"]),
                &format!("{name} {cname}"),
            );
            assert_eq!(chrf_signature(nrefs, cfg), s(&want["signature"]), "{name} {cname}");
            assert_eq!(chrf_name(cfg), s(&want["name"]), "{name} {cname}");
            n_checked += 1;
        }
    }
    assert!(n_checked > 600, "{n_checked}");
}

#[test]
fn paired_approximate_randomisation_matches_sacrebleu() {
    let r = references();
    for case in r["paired_ar"].as_array().unwrap() {
        let refs: Vec<Vec<String>> = case["refs"].as_array().unwrap().iter().map(strings).collect();
        let (base, sys) = (strings(&case["baseline"]), strings(&case["system"]));
        let masks: Vec<Vec<bool>> =
            case["masks"].as_array().unwrap().iter().map(|m| s(m).bytes().map(|b| b == b'1').collect()).collect();
        assert_eq!(masks.len() as u64, u(&case["trials"]));
        let name = s(&case["name"]);

        fn check<S: SufficientStats>(
            base: Vec<S>,
            sys: Vec<S>,
            score: impl Fn(&S) -> f64 + Sync + Copy,
            masks: &[Vec<bool>],
            want: f64,
            want_10000: f64,
            what: &str,
        ) {
            // With sacreBLEU's own numpy masks the p-value is the same number.
            let exact = paired_ar_with_masks(&base, &sys, score, masks);
            assert!((exact.p_value - want).abs() < 1e-12, "{what}: {exact:?} vs {want}");
            // With fteval's generator, the same up to Monte Carlo error (sd <= 0.005 each).
            let own = paired_approximate_randomization(&base, &sys, score, 10_000, 0);
            assert!((own.p_value - want_10000).abs() < 0.03, "{what}: {own:?} vs {want_10000}");
        }
        let b = BleuConfig::default();
        let bleu = |h: &[String]| h.iter().zip(&refs).map(|(h, r)| bleu_stats(h, r, &b)).collect::<Vec<_>>();
        let p = &case["p_values"];
        let p10 = &case["p_values_10000"];
        check(bleu(&base), bleu(&sys), |x| bleu_score(x, &b).score, &masks, f(&p["BLEU"]), f(&p10["BLEU"]), name);
        for (key, cfg) in [("chrF2", ChrfConfig::chrf()), ("chrF2++", ChrfConfig::chrf_pp())] {
            let st = |h: &[String]| h.iter().zip(&refs).map(|(h, r)| chrf_stats(h, r, &cfg)).collect::<Vec<_>>();
            check(st(&base), st(&sys), |x| chrf_score(x, &cfg), &masks, f(&p[key]), f(&p10[key]), name);
        }
    }
}

#[test]
fn porter_stemmer_matches_nltk_on_a_large_word_list() {
    let path = format!("{}/tests/data/generation/porter_words.tsv.gz", env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
    let mut n = 0;
    let mut wrong = Vec::new();
    for line in text.lines() {
        let (word, stem) = line.split_once('\t').expect("word<TAB>stem");
        let got = porter_stem(word);
        if got != stem {
            wrong.push(format!("{word}: {got} (NLTK {stem})"));
        }
        n += 1;
    }
    assert!(n > 70_000, "{n} words");
    assert!(wrong.is_empty(), "{} of {n} words differ: {:?}", wrong.len(), &wrong[..wrong.len().min(20)]);
}

/// The generation cases of the shared conformance suite (`text.jsonl`), recomputed through the
/// core: means of the per-example metrics, corpus BLEU/chrF from summed statistics.
#[test]
fn shared_conformance_generation_cases() {
    let text = data("conformance_generation.jsonl");
    let mut n_cases = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = s(&case["name"]);
        let args: Vec<&str> = case["args"].as_array().unwrap().iter().map(s).collect();
        let stem = args.contains(&"--rouge-stemmer");
        let rows: Vec<Value> = s(&case["files"]["gen.jsonl"])
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let preds: Vec<String> = rows.iter().map(|r| s(&r["prediction"]).to_string()).collect();
        let refs: Vec<Vec<String>> =
            rows.iter()
                .map(|r| {
                    if let Some(one) = r.get("reference") {
                        vec![s(one).to_string()]
                    } else {
                        strings(&r["references"])
                    }
                })
                .collect();
        let n = rows.len() as f64;
        let mean = |f: &dyn Fn(usize) -> f64| (0..rows.len()).map(f).sum::<f64>() / n;
        let mut got = std::collections::HashMap::new();
        got.insert("exact_match", mean(&|i| squad_scores(&preds[i], &refs[i]).exact_match));
        got.insert("token_f1", mean(&|i| squad_scores(&preds[i], &refs[i]).token_f1));
        let b = BleuConfig::default();
        let bs: Vec<BleuStats> = (0..rows.len()).map(|i| bleu_stats(&preds[i], &refs[i], &b)).collect();
        got.insert("bleu", bleu_score(&sum_over(&bs, 0..bs.len()), &b).score);
        for (key, cfg) in [("chrf", ChrfConfig::chrf()), ("chrf_pp", ChrfConfig::chrf_pp())] {
            let cs: Vec<ChrfStats> = (0..rows.len()).map(|i| chrf_stats(&preds[i], &refs[i], &cfg)).collect();
            got.insert(key, chrf_score(&sum_over(&cs, 0..cs.len()), &cfg));
        }
        let rs: Vec<RougeScores> = (0..rows.len()).map(|i| rouge_scores(&preds[i], &refs[i], stem)).collect();
        got.insert("rouge1", mean(&|i| rs[i].rouge1.fmeasure));
        got.insert("rouge2", mean(&|i| rs[i].rouge2.fmeasure));
        got.insert("rougeL", mean(&|i| rs[i].rouge_l.fmeasure));
        got.insert("rougeLsum", mean(&|i| rs[i].rouge_lsum.fmeasure));

        let expect = case["expect"].as_object().unwrap();
        assert_eq!(expect["task"], "generation");
        assert_eq!(u(&expect["n"]) as usize, rows.len(), "{name}");
        let mut checked = 0;
        for (path, want) in expect {
            let Some(key) = path.strip_prefix("metrics.").and_then(|p| p.strip_suffix(".value")) else { continue };
            let value = got.get(key).unwrap_or_else(|| panic!("{name}: no metric {key}"));
            close(*value, f(want), &format!("{name} {key}"));
            checked += 1;
        }
        assert_eq!(checked, 9, "{name}");
        n_cases += 1;
    }
    assert_eq!(n_cases, 4);
}

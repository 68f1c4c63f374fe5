use super::*;
use crate::compare::{verdict, Verdict};
use crate::metrics::generation::bleu::{bleu_score, bleu_stats};
use crate::metrics::generation::chrf::{chrf_score, chrf_stats_for};
use crate::metrics::generation::resample::bootstrap_sums;
use crate::metrics::generation::significance::paired_approximate_randomization;
use crate::metrics::ner::{evaluate_ner, NerOptions, NerSequences, NerStats};
use crate::stats::rng::Rng;

fn options(resamples: usize, seed: u64) -> TextOptions {
    TextOptions {
        bootstrap: BootstrapConfig { resamples, level: 0.95, seed },
        ar_trials: 500,
        ar_masks: None,
        max_examples: 5,
    }
}

fn ner(gold: &[Vec<&str>], pred: &[Vec<&str>]) -> NerStats {
    evaluate_ner(&NerSequences::from_lists(gold, pred).unwrap(), &NerOptions::default()).unwrap()
}

/// `n` sentences "B-PER I-PER O B-LOC"; a model gets each right with probability `acc`
/// (else it tags the LOC as ORG, a false positive and a false negative).
fn ner_model(rng: &mut Rng, n: usize, acc: f64) -> (Vec<Vec<&'static str>>, Vec<Vec<&'static str>>) {
    let gold: Vec<Vec<&str>> = (0..n).map(|_| vec!["B-PER", "I-PER", "O", "B-LOC"]).collect();
    let pred = (0..n)
        .map(|_| {
            if rng.uniform() < acc {
                vec!["B-PER", "I-PER", "O", "B-LOC"]
            } else {
                vec!["B-PER", "I-PER", "O", "B-ORG"]
            }
        })
        .collect();
    (gold, pred)
}

#[test]
fn identical_ner_models_show_no_change() {
    let mut rng = Rng::new(1, 0);
    let (gold, pred) = ner_model(&mut rng, 300, 0.8);
    let a = ner(&gold, &pred);
    let cmp = compare_ner(&a, &a, &options(200, 3));
    assert_eq!(cmp.n, 300);
    for d in &cmp.deltas {
        assert_eq!(d.delta, 0.0, "{}", d.key);
        assert_eq!((d.ci_low, d.ci_high), (Some(0.0), Some(0.0)), "{}", d.key);
        assert_eq!(d.p_value, Some(1.0), "{}", d.key);
    }
    let f1 = cmp.delta("f1").unwrap();
    assert_eq!(verdict(f1, 0.0, 0.95).0, Verdict::NoSignificantChange);
    assert_eq!((cmp.flips.broken, cmp.flips.fixed, cmp.flips.unchanged), (0, 0, 300));
    assert!(cmp.paired_ar.is_empty());
    // The point values are seqeval's on the whole corpus.
    let s = a.totals().scores();
    let v = |k: &str| cmp.delta(k).unwrap().baseline;
    assert_eq!((v("precision"), v("recall"), v("f1")), (s.precision, s.recall, s.f1));
    assert_eq!(v("f1_macro"), s.f1_macro.unwrap());
    assert_eq!(v("token_accuracy"), s.token_accuracy.unwrap());
}

#[test]
fn ner_point_values_flips_and_types_of_one_model_only() {
    // Sentence 0: both right. Sentence 1: baseline right, candidate misses the LOC (broken).
    // Sentence 2: baseline predicts a MISC that is not there, candidate right (fixed).
    let gold = vec![vec!["B-PER", "O"], vec!["B-LOC", "O"], vec!["O", "O"]];
    let base = vec![vec!["B-PER", "O"], vec!["B-LOC", "O"], vec!["B-MISC", "O"]];
    let cand = vec![vec!["B-PER", "O"], vec!["O", "O"], vec!["O", "O"]];
    let (a, b) = (ner(&gold, &base), ner(&gold, &cand));
    assert_ne!(a.types, b.types);
    let cmp = compare_ner(&a, &b, &options(0, 0));
    let f1 = cmp.delta("f1").unwrap();
    // Baseline: tp 2, pred 3, gold 2 → p 2/3, r 1, f1 0.8. Candidate: tp 1, pred 1, gold 2 → f1 2/3.
    assert!((f1.baseline - 0.8).abs() < 1e-12 && (f1.candidate - 2.0 / 3.0).abs() < 1e-12, "{f1:?}");
    assert!(f1.ci_low.is_none() && f1.p_value.is_none());
    assert_eq!(cmp.delta("f1_macro").unwrap().baseline, a.totals().scores().f1_macro.unwrap());
    assert_eq!(cmp.delta("f1_macro").unwrap().candidate, b.totals().scores().f1_macro.unwrap());
    let f = &cmp.flips;
    assert_eq!((f.broken, f.fixed, f.unchanged), (1, 1, 1));
    assert_eq!(f.broken_rows[0].row, 1);
    assert_eq!(f.broken_rows[0].baseline_errors, Some((1, 0, 0)));
    assert_eq!(f.broken_rows[0].candidate_errors, Some((0, 0, 1)));
    assert_eq!((f.broken_rows[0].baseline, f.broken_rows[0].candidate), (1.0, 0.0));
    assert_eq!(f.fixed_rows[0].row, 2);
    assert_eq!((f.fixed_rows[0].baseline, f.fixed_rows[0].candidate), (0.0, 1.0));
}

#[test]
fn a_clearly_better_ner_model_is_improved_and_a_worse_one_regressed() {
    let mut rng = Rng::new(2, 0);
    let (gold, pa) = ner_model(&mut rng, 2000, 0.7);
    let (_, pb) = ner_model(&mut rng, 2000, 0.85);
    let (a, b) = (ner(&gold, &pa), ner(&gold, &pb));
    let up = compare_ner(&a, &b, &options(500, 1));
    assert_eq!(verdict(up.delta("f1").unwrap(), 0.0, 0.95).0, Verdict::Improved);
    assert!(up.delta("f1").unwrap().p_value.unwrap() < 0.01);
    let down = compare_ner(&b, &a, &options(500, 1));
    assert_eq!(verdict(down.delta("f1").unwrap(), 0.0, 0.95).0, Verdict::Regressed);
    // Broken sentences are the ones the candidate got wrong and the baseline right.
    assert!(down.flips.broken > 100 && down.flips.broken_rows.len() == 5);
    for fl in &down.flips.broken_rows {
        assert_eq!(pb[fl.row][3], "B-LOC");
        assert_eq!(pa[fl.row][3], "B-ORG");
    }
    // Per-model intervals contain their values.
    for (_, m) in up.baseline.iter().chain(&up.candidate) {
        let v = m.value.unwrap();
        assert!(m.ci_low.unwrap() <= v && v <= m.ci_high.unwrap());
    }
}

const WORDS: [&str; 12] = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "park", "big", "red"];

fn sentence(rng: &mut Rng, len: usize) -> String {
    (0..len).map(|_| WORDS[rng.below(WORDS.len() as u64) as usize]).collect::<Vec<_>>().join(" ")
}

/// A prediction that keeps each reference word with probability `keep`.
fn degrade(rng: &mut Rng, reference: &str, keep: f64) -> String {
    reference
        .split(' ')
        .map(|w| if rng.uniform() < keep { w.to_string() } else { WORDS[rng.below(12) as usize].to_string() })
        .collect::<Vec<_>>()
        .join(" ")
}

fn generation(preds: &[String], refs: &[String], cfg: &GenerationConfigs) -> GenerationExamples {
    let bleu = preds.iter().zip(refs).map(|(p, r)| bleu_stats(p, &[r], &cfg.bleu)).collect();
    let (mut chrf, mut chrf_pp) = (Vec::new(), Vec::new());
    for (p, r) in preds.iter().zip(refs) {
        let both = chrf_stats_for(p, &[r], &[cfg.chrf, cfg.chrf_pp]);
        chrf.push(both[0]);
        chrf_pp.push(both[1]);
    }
    let em = preds.iter().zip(refs).map(|(p, r)| (p == r) as u8 as f64).collect();
    GenerationExamples {
        bleu: Some(bleu),
        chrf: Some(chrf),
        chrf_pp: Some(chrf_pp),
        means: vec![("exact_match".into(), em)],
        tokens: None,
    }
}

fn corpus(seed: u64, n: usize, keep_a: f64, keep_b: f64) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut rng = Rng::new(seed, 0);
    let refs: Vec<String> = (0..n)
        .map(|_| {
            let len = 4 + rng.below(8) as usize;
            sentence(&mut rng, len)
        })
        .collect();
    let a = refs.iter().map(|r| degrade(&mut rng, r, keep_a)).collect();
    let b = refs.iter().map(|r| degrade(&mut rng, r, keep_b)).collect();
    (refs, a, b)
}

#[test]
fn generation_matches_the_single_model_machinery() {
    let cfg = GenerationConfigs::default();
    let (refs, pa, pb) = corpus(4, 300, 0.6, 0.8);
    let (a, b) = (generation(&pa, &refs, &cfg), generation(&pb, &refs, &cfg));
    let opts = options(300, 9);
    let cmp = compare_generation(&a, &b, &cfg, &opts);
    let keys: Vec<&str> = cmp.deltas.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, ["exact_match", "bleu", "chrf", "chrf_pp"]);
    // Point values: corpus scores of the summed statistics.
    let bleu = |x: &GenerationExamples| {
        bleu_score(&crate::metrics::generation::sum_all(x.bleu.as_ref().unwrap()), &cfg.bleu).score
    };
    let d = cmp.delta("bleu").unwrap();
    assert_eq!((d.baseline, d.candidate), (bleu(&a), bleu(&b)));
    // Replicates: the same resamples as bootstrap_sums draws, for both models.
    let ra: Vec<f64> =
        bootstrap_sums(a.bleu.as_ref().unwrap(), 300, 9).iter().map(|s| bleu_score(s, &cfg.bleu).score).collect();
    let rb: Vec<f64> =
        bootstrap_sums(b.bleu.as_ref().unwrap(), 300, 9).iter().map(|s| bleu_score(s, &cfg.bleu).score).collect();
    let want = Delta::from_replicates(
        "bleu",
        bleu(&a),
        bleu(&b),
        true,
        Some(PairedReplicates { baseline: &ra, candidate: &rb }),
        0.95,
    );
    // The interval is the bootstrap's; the p-value the paired randomisation test's.
    assert_eq!(Delta { p_value: None, p_method: None, ..d.clone() }, want);
    assert_eq!(d.p_method, Some("paired_randomisation"));
    assert!(d.p_value.unwrap() < 0.01);
    assert_eq!(verdict(d, 0.0, 0.95).0, Verdict::Improved);
    // Paired approximate randomisation: the same p-values as the generation core's test.
    assert_eq!(cmp.paired_ar.len(), 3);
    let ar = |k: &str| cmp.paired_ar.iter().find(|t| t.key == k).unwrap();
    let want = paired_approximate_randomization(
        a.bleu.as_ref().unwrap(),
        b.bleu.as_ref().unwrap(),
        |s| bleu_score(s, &cfg.bleu).score,
        500,
        9,
    );
    assert_eq!((ar("bleu").exceed, ar("bleu").p_value), (want.exceed, want.p_value));
    for (key, c, sa, sb) in [
        ("chrf", cfg.chrf, a.chrf.as_ref().unwrap(), b.chrf.as_ref().unwrap()),
        ("chrf_pp", cfg.chrf_pp, a.chrf_pp.as_ref().unwrap(), b.chrf_pp.as_ref().unwrap()),
    ] {
        let want = paired_approximate_randomization(sa, sb, |s| chrf_score(s, &c), 500, 9);
        assert_eq!(
            (ar(key).exceed, ar(key).baseline, ar(key).candidate),
            (want.exceed, want.baseline, want.system),
            "{key}"
        );
    }
}

#[test]
fn identical_generation_models_show_no_change() {
    let cfg = GenerationConfigs::default();
    let (refs, pa, _) = corpus(5, 200, 0.7, 0.7);
    let a = generation(&pa, &refs, &cfg);
    let cmp = compare_generation(&a, &a, &cfg, &options(200, 1));
    for d in &cmp.deltas {
        assert_eq!((d.delta, d.ci_low, d.ci_high, d.p_value), (0.0, Some(0.0), Some(0.0), Some(1.0)), "{}", d.key);
        assert_eq!(verdict(d, 0.0, 0.95).0, Verdict::NoSignificantChange);
    }
    // sacreBLEU's test: no trial exceeds an observed difference of 0, p = 1 / (trials + 1).
    for t in &cmp.paired_ar {
        assert_eq!((t.exceed, t.p_value), (0, 1.0 / 501.0), "{}", t.key);
    }
    assert_eq!((cmp.flips.broken, cmp.flips.fixed), (0, 0));
}

#[test]
fn means_perplexity_flips_and_missing_metrics() {
    let ex = |em: [f64; 6], f1: [f64; 6], loss: [f64; 6], tokens: bool| GenerationExamples {
        means: vec![
            ("token_f1".into(), f1.to_vec()),
            ("exact_match".into(), em.to_vec()),
            ("loss".into(), loss.to_vec()),
        ],
        tokens: tokens.then(|| vec![1.0, 2.0, 3.0, 4.0, 5.0, 5.0]),
        ..Default::default()
    };
    let a = ex([1., 1., 0., 0., 1., 0.], [1., 1., 0.5, 0.2, 1., 0.], [1., 1., 2., 2., 1., 3.], true);
    let b = ex([1., 0., 1., 0., 0., 1.], [1., 0.3, 1., 0.2, 0.6, 1.], [1., 2., 1., 2., 2., 1.], true);
    let cmp = compare_generation(&a, &b, &GenerationConfigs::default(), &options(0, 0));
    let keys: Vec<&str> = cmp.deltas.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, ["exact_match", "token_f1", "loss", "perplexity"]);
    assert_eq!(cmp.delta("exact_match").unwrap().baseline, 0.5);
    assert!((cmp.delta("token_f1").unwrap().candidate - 4.1 / 6.0).abs() < 1e-12);
    let ppl = cmp.delta("perplexity").unwrap();
    assert!(!ppl.higher_is_better && !cmp.delta("loss").unwrap().higher_is_better);
    // Σ loss·tokens / Σ tokens = (1 + 2 + 6 + 8 + 5 + 15) / 20.
    assert!((ppl.baseline - (37.0f64 / 20.0).exp()).abs() < 1e-12);
    // Flips on exact match; ties broken by the token F1 change: row 1 fell 0.7, row 4 0.4.
    let f = &cmp.flips;
    assert_eq!((f.metric.as_str(), f.broken, f.fixed, f.unchanged), ("exact_match", 2, 2, 2));
    let rows: Vec<usize> = f.broken_rows.iter().map(|x| x.row).collect();
    assert_eq!(rows, [1, 4]);
    let rows: Vec<usize> = f.fixed_rows.iter().map(|x| x.row).collect();
    assert_eq!(rows, [5, 2]);
    // On loss (lower is better) the flips follow the loss.
    let cmp = compare_generation_on(&a, &b, &GenerationConfigs::default(), &options(0, 0), Some("loss"));
    assert_eq!(cmp.flips.broken_rows[0].row, 1);
    assert!(!cmp.flips.higher_is_better);
    // A metric only one model has is not compared, and a check says so.
    let c = ex([1.; 6], [1.; 6], [1.; 6], false);
    let cmp = compare_generation(&a, &c, &GenerationConfigs::default(), &options(0, 0));
    assert!(cmp.delta("perplexity").is_none());
    assert_eq!(cmp.checks[0].id, "metric_not_in_every_model");
    assert!(cmp.checks[0].message.contains("perplexity (only baseline)"), "{}", cmp.checks[0].message);
}

/// Per-example values with a known population delta: the 95% interval covers it in about 95%
/// of runs.
#[test]
fn delta_interval_covers_the_true_delta() {
    let mut rng = Rng::new(11, 0);
    let runs = 200;
    let mut covered = 0;
    for r in 0..runs {
        // Baseline right with probability 0.6; the candidate fixes 25% of its errors and breaks
        // 5% of its right answers: true delta 0.4·0.25 − 0.6·0.05 = 0.07.
        let n = 400;
        let (mut ea, mut eb) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let a = rng.uniform() < 0.6;
            let b = if a { rng.uniform() >= 0.05 } else { rng.uniform() < 0.25 };
            ea.push(a as u8 as f64);
            eb.push(b as u8 as f64);
        }
        let ex = |v: Vec<f64>| GenerationExamples { means: vec![("exact_match".into(), v)], ..Default::default() };
        let cmp = compare_generation(&ex(ea), &ex(eb), &GenerationConfigs::default(), &options(400, r));
        let d = cmp.delta("exact_match").unwrap();
        if d.ci_low.unwrap() <= 0.07 && 0.07 <= d.ci_high.unwrap() {
            covered += 1;
        }
    }
    let rate = covered as f64 / runs as f64;
    assert!((0.9..=0.985).contains(&rate), "coverage {rate}");
}

#[test]
fn ranks_text_models_with_holm() {
    let mut rng = Rng::new(7, 0);
    let (gold, p_low) = ner_model(&mut rng, 1500, 0.6);
    let (_, p_high) = ner_model(&mut rng, 1500, 0.9);
    // Nearly the high model: wrong on 3 more sentences.
    let mut p_close = p_high.clone();
    let mut changed = 0;
    for s in p_close.iter_mut() {
        if changed < 3 && s[3] == "B-LOC" {
            s[3] = "B-ORG";
            changed += 1;
        }
    }
    let (low, high, close) = (ner(&gold, &p_low), ner(&gold, &p_high), ner(&gold, &p_close));
    let r = rank_ner(&[&low, &high, &close], "f1", &options(400, 2)).unwrap();
    let order: Vec<usize> = r.entries.iter().map(|e| e.index).collect();
    assert_eq!(order, [1, 2, 0]);
    assert_eq!(r.entries[1].tied_with_best, Some(true));
    assert_eq!(r.entries[2].tied_with_best, Some(false));
    assert!(r.entries[2].p_holm.unwrap() < 0.01);
    assert_eq!(r.pairwise.len(), 3);
    assert_eq!((r.pairwise[0].better, r.pairwise[0].worse), (1, 2));
    assert!(r.pairwise.iter().all(|p| p.p_holm.unwrap() >= p.delta.p_value.unwrap()));
    assert!(r.entries[0].metrics.iter().any(|(k, m)| k == "f1" && m.ci_low.is_some()));
    assert!(rank_ner(&[&low, &high], "bleu", &options(10, 0)).is_err());

    // Generation: the better system first, its BLEU tested with paired AR against the others.
    let cfg = GenerationConfigs::default();
    let (refs, pa, pb) = corpus(8, 300, 0.5, 0.9);
    let (a, b) = (generation(&pa, &refs, &cfg), generation(&pb, &refs, &cfg));
    let r = rank_generation(&[&a, &b], "bleu", &cfg, &options(200, 1)).unwrap();
    assert_eq!(r.entries[0].index, 1);
    assert_eq!(r.entries[1].paired_ar.len(), 3);
    assert!(r.entries[1].paired_ar[0].p_value < 0.01);
}

/// 100,000 examples of 20–40 words, two models, BLEU + chrF + chrF++ + six means: 1000 paired
/// resamples and 10,000 randomisation trials. The statistics are random but shaped like real
/// ones (one shared reference per example; chrF++'s character orders are chrF's). Run with
/// `cargo test --release -p fteval-core speed_of_100k -- --ignored --nocapture`.
#[test]
#[ignore]
fn speed_of_100k_examples() {
    use crate::metrics::generation::bleu::BleuStats;
    use crate::metrics::generation::chrf::ChrfStats;
    use std::time::Instant;
    let n = 100_000;
    let mut r = Rng::new(3, 0);
    let ref_len: Vec<u64> = (0..n).map(|_| 20 + r.below(20)).collect();
    let ref_chars: Vec<[u64; 8]> = (0..n).map(|i| std::array::from_fn(|o| 6 * ref_len[i] - o as u64)).collect();
    let make = |seed: u64| {
        let mut r = Rng::new(seed, 1);
        let (mut bleu, mut chrf, mut chrf_pp) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            let len = 20 + r.below(20);
            let mut s = BleuStats { hyp_len: len, ref_len: ref_len[i], ..Default::default() };
            for o in 0..4 {
                s.totals[o] = len - o as u64;
                s.matches[o] = r.below(s.totals[o] + 1);
            }
            bleu.push(s);
            let mut c = ChrfStats::default();
            #[allow(clippy::needless_range_loop)]
            for o in 0..8 {
                let words = o >= 6;
                c.hyp[o] = if words { len - (o - 6) as u64 } else { 6 * len - o as u64 };
                c.refs[o] = if words { ref_len[i] - (o - 6) as u64 } else { ref_chars[i][o] };
                c.matches[o] = r.below(c.hyp[o].min(c.refs[o]) + 1);
            }
            chrf_pp.push(c);
            let mut c6 = c;
            for o in 6..8 {
                (c6.hyp[o], c6.refs[o], c6.matches[o]) = (0, 0, 0);
            }
            chrf.push(c6);
        }
        let means = ["exact_match", "token_f1", "rouge1", "rouge2", "rougeL", "rougeLsum"]
            .iter()
            .map(|k| (k.to_string(), (0..n).map(|_| r.uniform()).collect()))
            .collect();
        GenerationExamples { bleu: Some(bleu), chrf: Some(chrf), chrf_pp: Some(chrf_pp), means, tokens: None }
    };
    let (a, b) = (make(1), make(2));
    let cfg = GenerationConfigs::default();
    let mut o = options(1000, 0);
    o.ar_trials = 0;
    let t = Instant::now();
    let cmp = compare_generation(&a, &b, &cfg, &o);
    let boot = t.elapsed();
    o.ar_trials = 10_000;
    o.bootstrap.resamples = 0;
    let t = Instant::now();
    let cmp2 = compare_generation(&a, &b, &cfg, &o);
    let ar = t.elapsed();
    println!(
        "100k examples, {} metrics: 1000 paired resamples in {boot:.2?}; 10,000 AR trials (3 metrics) in {ar:.2?}",
        cmp.deltas.len()
    );
    assert_eq!(cmp2.paired_ar.len(), 3);
}

/// Every pattern of swapping the two systems on the `rows` where they differ: the share whose
/// |delta| is at least the observed one (`delta(swapped)` gets the swap flags of `rows`).
fn brute_force_p(d: usize, delta: impl Fn(&[bool]) -> f64) -> f64 {
    let observed = delta(&vec![false; d]);
    let mut count = 0;
    for t in 0..1u32 << d {
        let swapped: Vec<bool> = (0..d).map(|j| t >> j & 1 == 1).collect();
        let x = delta(&swapped);
        if x.is_nan() || x.abs() >= observed.abs() * (1.0 - 1e-9) {
            count += 1;
        }
    }
    count as f64 / (1u64 << d) as f64
}

/// NER: with 11 differing sentences the f1 p-value equals the enumeration over sentences
/// (micro F1 = 2·tp / (predicted + gold) of each pseudo-system's sentences).
#[test]
fn ner_p_value_equals_brute_force_enumeration() {
    let mut rng = Rng::new(12, 0);
    let (gold, pred_a) = ner_model(&mut rng, 200, 0.7);
    let mut pred_b = pred_a.clone();
    let mut changed = Vec::new();
    for (i, s) in pred_b.iter_mut().enumerate() {
        if changed.len() < 11 && i % 7 == 0 {
            s[3] = if s[3] == "B-LOC" && changed.len() % 3 == 2 { "B-ORG" } else { "B-LOC" };
            if s[3] != pred_a[i][3] {
                changed.push(i);
            } else {
                s[0] = "O";
                s[1] = "O";
                changed.push(i);
            }
        }
    }
    let (a, b) = (ner(&gold, &pred_a), ner(&gold, &pred_b));
    let cmp = compare_ner(&a, &b, &options(100, 1));
    let f1 = cmp.delta("f1").unwrap();
    let micro = |stats: &[&NerStats]| -> f64 {
        let (mut tp, mut pg) = (0u64, 0u64);
        for (i, s) in stats.iter().enumerate() {
            for r in s.sentence_rows(i) {
                tp += r.tp as u64;
                pg += (r.pred + r.gold) as u64;
            }
        }
        2.0 * tp as f64 / pg as f64
    };
    let want = brute_force_p(changed.len(), |sw| {
        let mut p: Vec<&NerStats> = vec![&b; 200];
        let mut q: Vec<&NerStats> = vec![&a; 200];
        for (j, &i) in changed.iter().enumerate() {
            if sw[j] {
                p[i] = &a;
                q[i] = &b;
            }
        }
        micro(&p) - micro(&q)
    });
    assert_eq!(f1.p_method, Some("paired_randomisation_exact"));
    assert!((f1.p_value.unwrap() - want).abs() < 1e-12, "{:?} vs {want}", f1.p_value);
    assert!(want > 0.0 && want < 1.0);
}

/// Generation: with 9 differing examples the exact_match and BLEU p-values equal the
/// enumeration over examples (corpus BLEU of each pseudo-system's summed statistics).
#[test]
fn generation_p_values_equal_brute_force_enumeration() {
    let cfg = GenerationConfigs::default();
    let (refs, pa, _) = corpus(5, 80, 0.7, 0.7);
    let mut pb = pa.clone();
    let rows: Vec<usize> = (0..9).map(|j| j * 8 + 1).collect();
    for (j, &i) in rows.iter().enumerate() {
        // Mostly fixes (the reference itself), some other changes.
        pb[i] = if j % 3 == 2 { format!("{} red", pa[i]) } else { refs[i].clone() };
        if pb[i] == pa[i] {
            pb[i] = format!("{} big", pa[i]);
        }
    }
    let (a, b) = (generation(&pa, &refs, &cfg), generation(&pb, &refs, &cfg));
    let cmp = compare_generation(&a, &b, &cfg, &options(100, 2));
    let pick = |sw: &[bool]| -> (Vec<usize>, Vec<usize>) {
        // Which system each example of P (and Q) comes from: 1 = b, 0 = a.
        let mut p = vec![1usize; 80];
        for (j, &i) in rows.iter().enumerate() {
            if sw[j] {
                p[i] = 0;
            }
        }
        let q = p.iter().map(|x| 1 - x).collect();
        (p, q)
    };
    let sys = [&a, &b];
    let em = |from: &[usize]| from.iter().enumerate().map(|(i, &s)| sys[s].means[0].1[i]).sum::<f64>() / 80.0;
    let bleu = |from: &[usize]| {
        let stats: Vec<_> = from.iter().enumerate().map(|(i, &s)| sys[s].bleu.as_ref().unwrap()[i]).collect();
        bleu_score(&crate::metrics::generation::sum_all(&stats), &cfg.bleu).score
    };
    for (key, f) in [("exact_match", &em as &dyn Fn(&[usize]) -> f64), ("bleu", &bleu)] {
        let want = brute_force_p(rows.len(), |sw| {
            let (p, q) = pick(sw);
            f(&p) - f(&q)
        });
        let d = cmp.delta(key).unwrap();
        assert_eq!(d.p_method, Some("paired_randomisation_exact"), "{key}");
        assert!((d.p_value.unwrap() - want).abs() < 1e-12, "{key}: {:?} vs {want}", d.p_value);
    }
}

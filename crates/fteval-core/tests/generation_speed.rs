//! Timing of the generation metrics on 100,000 generated pairs of 20–40 words: per-example BLEU,
//! chrF, chrF++, ROUGE-1/2/L/Lsum and SQuAD statistics in parallel, then 1000 bootstrap resamples
//! of every corpus metric. Ignored by default; run it in release mode:
//!
//! ```sh
//! cargo test --release -p fteval-core --test generation_speed -- --ignored --nocapture
//! ```
//!
//! With `FTEVAL_GEN_BENCH_OUT=path.jsonl` it also writes the pairs (one `{"prediction",
//! "reference"}` object a line) so the Python references can be timed on the same data.

use std::io::Write;
use std::time::Instant;

use fteval_core::metrics::generation::bleu::{bleu_score, bleu_stats, BleuConfig, BleuStats};
use fteval_core::metrics::generation::chrf::{chrf_score, chrf_stats, chrf_stats_for, ChrfConfig, ChrfStats};
use fteval_core::metrics::generation::resample::bootstrap_sums;
use fteval_core::metrics::generation::rouge::rouge_scores;
use fteval_core::metrics::generation::squad::squad_scores;
use fteval_core::metrics::generation::{sum_all, Sums};
use fteval_core::stats::rng::Rng;
use rayon::prelude::*;

const WORDS: &[&str] = &[
    "the",
    "a",
    "model",
    "training",
    "loss",
    "improved",
    "validation",
    "accuracy",
    "precision",
    "recall",
    "network",
    "layer",
    "epoch",
    "batch",
    "data",
    "set",
    "test",
    "quickly",
    "running",
    "runs",
    "ran",
    "better",
    "worse",
    "state-of-the-art",
    "well-known",
    "don't",
    "it's",
    "U.S.A.",
    "3.5",
    "1,000",
    "café",
    "naïve",
    "résumé",
    "Paris",
    "London",
    "overfitting",
    "generalizes",
    "generalization",
    "fine-tuned",
    "evaluation",
    "diagnosis",
    "patient",
    "email",
    "spam",
    "fraud",
    "detection",
    "token",
    "label",
    "class",
    "(see)",
    "42",
    "of",
    "and",
    "to",
    "in",
    "is",
    "was",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "learning",
    "rate",
    "score",
    "scores",
    "weights",
    "gradient",
];

fn pairs(n: usize) -> Vec<(String, String)> {
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng::new(2025, i as u64);
            let len = 20 + rng.below(21) as usize;
            let reference: Vec<&str> = (0..len).map(|_| WORDS[rng.below(WORDS.len() as u64) as usize]).collect();
            let mut prediction = Vec::with_capacity(len + 4);
            for &w in &reference {
                match rng.below(10) {
                    0 => {}
                    1 => prediction.push(WORDS[rng.below(WORDS.len() as u64) as usize]),
                    2 => {
                        prediction.push(w);
                        prediction.push(WORDS[rng.below(WORDS.len() as u64) as usize]);
                    }
                    _ => prediction.push(w),
                }
            }
            let end = if rng.below(2) == 0 { "." } else { "" };
            (format!("{}{end}", prediction.join(" ")), format!("{}.", reference.join(" ")))
        })
        .collect()
}

/// Per-example statistics of every generation metric: BLEU, chrF, chrF++ and the sums of exact
/// match, token F1, ROUGE-1/2/L/Lsum.
type Example = (BleuStats, ChrfStats, ChrfStats, Sums<6>);

#[test]
#[ignore = "timing; run with --release --ignored --nocapture"]
fn generation_metrics_on_100k_pairs() {
    let n = 100_000;
    let data = pairs(n);
    if let Ok(path) = std::env::var("FTEVAL_GEN_BENCH_OUT") {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for (p, r) in &data {
            let p = p.replace('\\', "\\\\").replace('"', "\\\"");
            let r = r.replace('\\', "\\\\").replace('"', "\\\"");
            writeln!(f, "{{\"prediction\": \"{p}\", \"reference\": \"{r}\"}}").unwrap();
        }
    }
    let (b, c, cpp) = (BleuConfig::default(), ChrfConfig::chrf(), ChrfConfig::chrf_pp());

    let t0 = Instant::now();
    let examples: Vec<Example> = data
        .par_iter()
        .map(|(p, r)| {
            let refs = [r.as_str()];
            let q = squad_scores(p, &refs);
            let rg = rouge_scores(p, &refs, false);
            let ch = chrf_stats_for(p, &refs, &[c, cpp]);
            let means = [
                q.exact_match,
                q.token_f1,
                rg.rouge1.fmeasure,
                rg.rouge2.fmeasure,
                rg.rouge_l.fmeasure,
                rg.rouge_lsum.fmeasure,
            ];
            (bleu_stats(p, &refs, &b), ch[0], ch[1], Sums(means))
        })
        .collect();
    let per_example = t0.elapsed();

    let t1 = Instant::now();
    let total = sum_all(&examples);
    let point = (bleu_score(&total.0, &b).score, chrf_score(&total.1, &c));
    let resamples = 1000;
    let sums = bootstrap_sums(&examples, resamples, 0);
    let boot: Vec<[f64; 9]> = sums
        .par_iter()
        .map(|(bs, cs, ps, m)| {
            let m = |i: usize| m.0[i] / n as f64;
            [bleu_score(bs, &b).score, chrf_score(cs, &c), chrf_score(ps, &cpp), m(0), m(1), m(2), m(3), m(4), m(5)]
        })
        .collect();
    let bootstrap = t1.elapsed();

    let mut bleu_boot: Vec<f64> = boot.iter().map(|x| x[0]).collect();
    bleu_boot.sort_by(f64::total_cmp);
    println!(
        "{n} pairs: per-example statistics {:.2} s, {resamples} bootstrap resamples of 9 metrics {:.2} s, total {:.2} s \
         ({} threads); BLEU {:.2} [{:.2}, {:.2}], chrF {:.2}",
        per_example.as_secs_f64(),
        bootstrap.as_secs_f64(),
        (per_example + bootstrap).as_secs_f64(),
        rayon::current_num_threads(),
        point.0,
        bleu_boot[24],
        bleu_boot[974],
        point.1,
    );
    assert!(bleu_boot[24] <= point.0 && point.0 <= bleu_boot[974]);
}

#[test]
#[ignore = "timing; run with --release --ignored --nocapture"]
fn per_metric_timing() {
    let data = pairs(20_000);
    let time = |name: &str, f: &dyn Fn(&str, &str) -> f64| {
        let t = Instant::now();
        let s: f64 = data.iter().map(|(p, r)| f(p, r)).sum();
        println!("{name}: {:.1} us/example ({s:.1})", t.elapsed().as_secs_f64() * 1e6 / data.len() as f64);
    };
    let (b, c, cpp) = (BleuConfig::default(), ChrfConfig::chrf(), ChrfConfig::chrf_pp());
    time("bleu", &|p, r| bleu_stats(p, &[r], &b).hyp_len as f64);
    time("chrf", &|p, r| chrf_stats(p, &[r], &c).hyp[0] as f64);
    time("chrf++", &|p, r| chrf_stats(p, &[r], &cpp).hyp[0] as f64);
    time("rouge", &|p, r| rouge_scores(p, &[r], false).rouge1.fmeasure);
    time("rouge stem", &|p, r| rouge_scores(p, &[r], true).rouge1.fmeasure);
    time("squad", &|p, r| squad_scores(p, &[r]).token_f1);
}

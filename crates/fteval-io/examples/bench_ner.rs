//! Times the NER path on one file: read (CoNLL or JSON Lines, optionally with --gold),
//! find and match entities, and a sentence bootstrap; prints one JSON object with the
//! timings and seqeval's numbers (bench/bench_ner.py compares them with seqeval).
//!
//!     cargo run --release -p fteval-io --example bench_ner -- FILE [--gold FILE]
//!         [--strict SCHEME] [--bootstrap 1000]

use std::time::Instant;

use fteval_core::metrics::ner::{evaluate_ner, NerCounts, NerMode, NerOptions, Scheme};
use fteval_core::stats::rng::Rng;
use fteval_io::ner::{read_ner, NerReadOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let mut read = NerReadOptions::default();
    let mut mode = NerMode::Default;
    let mut resamples = 1000usize;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--gold" => {
                read.gold = Some(args[i + 1].clone());
                i += 1;
            }
            "--strict" => {
                mode = NerMode::Strict(Scheme::parse(&args[i + 1]).expect("a scheme: IOB1 IOB2 IOE1 IOE2 IOBES BILOU"));
                i += 1;
            }
            "--bootstrap" => {
                resamples = args[i + 1].parse().expect("a number of resamples");
                i += 1;
            }
            p => path = Some(p.to_string()),
        }
        i += 1;
    }
    let path = path.expect("usage: bench_ner FILE [--gold FILE] [--strict SCHEME] [--bootstrap N]");

    let t0 = Instant::now();
    let input = match read_ner(&path, &read) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let t1 = Instant::now();
    let stats = evaluate_ner(&input.sequences, &NerOptions { mode, suffix: false }).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2);
    });
    let scores = stats.totals().scores();
    let t2 = Instant::now();
    // Percentile bootstrap of micro F1 over sentences.
    let n = stats.n_sentences();
    let mut weights = vec![0u32; n];
    let mut buf = NerCounts::default();
    let mut f1s = Vec::with_capacity(resamples);
    for b in 0..resamples {
        let mut rng = Rng::new(0, b as u64);
        weights.iter_mut().for_each(|w| *w = 0);
        for _ in 0..n {
            weights[rng.below(n as u64) as usize] += 1;
        }
        stats.resample_into(&weights, &mut buf);
        f1s.push(buf.scores().f1);
    }
    f1s.sort_by(|a, b| a.total_cmp(b));
    let t3 = Instant::now();
    let q = |p: f64| if f1s.is_empty() { f64::NAN } else { f1s[((f1s.len() - 1) as f64 * p).round() as usize] };
    let per_type: serde_json::Map<String, serde_json::Value> = scores
        .per_type
        .iter()
        .map(|t| {
            (
                stats.types[t.type_id as usize].clone(),
                serde_json::json!({"precision": t.precision, "recall": t.recall, "f1": t.f1, "support": t.support}),
            )
        })
        .collect();
    let doc = serde_json::json!({
        "sentences": n,
        "tokens": input.sequences.n_tokens(),
        "read_s": (t1 - t0).as_secs_f64(),
        "evaluate_s": (t2 - t1).as_secs_f64(),
        "bootstrap_s": (t3 - t2).as_secs_f64(),
        "bootstrap": resamples,
        "f1_ci": [q(0.025), q(0.975)],
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
        "f1_macro": scores.f1_macro,
        "f1_weighted": scores.f1_weighted,
        "token_accuracy": scores.token_accuracy,
        "per_type": per_type,
    });
    println!("{doc}");
}

//! Generation coverage: references drawn from a small Zipf-weighted vocabulary, predictions the
//! reference with per-token substitutions, deletions and insertions.

use fteval_core::evaluate::generation::{corpus_statistics, generation_stats, GENERATION_METRIC_KEYS};
use fteval_core::evaluate::{evaluate_generation, GenerationOptions};
use fteval_core::metrics::generation::{sum_all, SufficientStats};
use fteval_core::stats::rng::Rng;

use crate::coverage::{outcomes, tally, CoverageRow};
use crate::draw::categorical;
use crate::{data_rng, par_runs, SimConfig};

/// Vocabulary size and reference lengths.
pub const VOCAB: usize = 40;
pub const MIN_LEN: usize = 5;
pub const MAX_LEN: usize = 12;

/// How predictions corrupt the reference, per token.
#[derive(Clone, Debug)]
pub struct Process {
    pub name: String,
    pub substitute: f64,
    pub delete: f64,
    pub insert: f64,
}

pub fn settings() -> Vec<Process> {
    vec![Process { name: "token corruption".into(), substitute: 0.06, delete: 0.03, insert: 0.03 }]
}

fn weights() -> Vec<f64> {
    (1..=VOCAB).map(|r| 1.0 / r as f64).collect()
}

/// One (prediction, references) pair.
fn example(p: &Process, w: &[f64], rng: &mut Rng) -> (String, Vec<String>) {
    let len = MIN_LEN + rng.below((MAX_LEN - MIN_LEN + 1) as u64) as usize;
    let reference: Vec<usize> = (0..len).map(|_| categorical(rng, w)).collect();
    let mut pred = Vec::with_capacity(len + 2);
    for &t in &reference {
        let u = rng.uniform();
        if u < p.substitute {
            pred.push(categorical(rng, w));
        } else if u >= p.substitute + p.delete {
            pred.push(t);
        }
        if rng.uniform() < p.insert {
            pred.push(categorical(rng, w));
        }
    }
    let words = |v: &[usize]| v.iter().map(|t| format!("w{t}")).collect::<Vec<_>>().join(" ");
    (words(&pred), vec![words(&reference)])
}

/// `n` examples: predictions and their one-reference lists.
pub fn draw(p: &Process, n: usize, rng: &mut Rng) -> (Vec<String>, Vec<Vec<String>>) {
    let w = weights();
    (0..n).map(|_| example(p, &w, rng)).unzip()
}

const TRUTH_CHUNK: usize = 100_000;

/// The population corpus values: the library's statistics summed over `draws` examples (in
/// chunks), then scored once.
pub fn truth(p: &Process, draws: usize, seed: u64) -> Vec<(String, f64)> {
    let options = GenerationOptions::default();
    let mut rng = Rng::new(seed, u64::MAX - 2);
    let mut total = None;
    let mut left = draws;
    while left > 0 {
        let chunk = left.min(TRUTH_CHUNK);
        left -= chunk;
        let (pred, refs) = draw(p, chunk, &mut rng);
        let s = sum_all(&generation_stats(&pred, &refs, None, &options));
        match &mut total {
            None => total = Some(s),
            Some(t) => SufficientStats::add_assign(t, &s),
        }
    }
    let values = corpus_statistics(&total.unwrap_or_default(), draws, &options);
    GENERATION_METRIC_KEYS.iter().zip(values).map(|(k, v)| (k.to_string(), v)).collect()
}

pub const SIZES: [(usize, f64); 3] = [(50, 1.0), (200, 1.0), (2000, 1.0)];

/// Coverage of every generation metric per setting and n.
pub fn run(config: &SimConfig, settings: &[Process], sizes: &[(usize, f64)]) -> Vec<CoverageRow> {
    let options = GenerationOptions::default();
    let mut rows = Vec::new();
    for p in settings {
        let truth = truth(p, config.truth_draws, config.seed);
        for &(n, share) in sizes {
            let salt = format!("generation/{}/{n}", p.name);
            let runs = par_runs(config.runs_scaled(share), |r| {
                let (pred, refs) = draw(p, n, &mut data_rng(config, &salt, r));
                let e = evaluate_generation(&pred, &refs, None, &options, &config.bootstrap(r));
                outcomes(&e.evaluation, false)
            });
            rows.extend(tally(&p.name, n, &truth, &runs));
        }
    }
    rows
}

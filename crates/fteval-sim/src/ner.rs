//! NER coverage: sentences of BIO tags with four entity types, dense or sparse, and a tagger
//! that misses, mislabels and splits entities and invents a few, with set probabilities.

use fteval_core::evaluate::evaluate_ner_metrics;
use fteval_core::evaluate::ner::{ner_statistics, NER_METRIC_KEYS};
use fteval_core::metrics::ner::{evaluate_ner, NerCounts, NerOptions, NerSequences, NerStats, TypeCounts};
use fteval_core::stats::rng::Rng;

use crate::coverage::{outcomes, tally, CoverageRow};
use crate::draw::{bernoulli, categorical};
use crate::{data_rng, par_runs, SimConfig};

/// Entity types and how often each occurs.
pub const TYPES: [&str; 4] = ["LOC", "MISC", "ORG", "PER"];
pub const TYPE_WEIGHTS: [f64; 4] = [0.25, 0.1, 0.3, 0.35];

/// How entities occur and how the tagger errs.
#[derive(Clone, Debug)]
pub struct Process {
    pub name: String,
    /// Probability that an entity starts at a token outside an entity.
    pub entity_start: f64,
    /// Sentence lengths are uniform on this range.
    pub min_len: usize,
    pub max_len: usize,
    /// Probability that the entity continues past each of its tokens (length is geometric).
    pub continue_prob: f64,
    pub miss: f64,
    pub mislabel: f64,
    /// Probability that an entity of two or more tokens is split in two.
    pub split: f64,
    /// Probability that a token outside entities starts a spurious one-token entity.
    pub spurious: f64,
}

/// Dense and sparse entities with the same tagger.
pub fn settings() -> Vec<Process> {
    let dense = Process {
        name: "dense entities".into(),
        entity_start: 0.15,
        min_len: 8,
        max_len: 20,
        continue_prob: 0.4,
        miss: 0.1,
        mislabel: 0.08,
        split: 0.05,
        spurious: 0.01,
    };
    let sparse = Process { name: "sparse entities".into(), entity_start: 0.015, ..dense.clone() };
    vec![dense, sparse]
}

/// One sentence's gold and predicted tags.
fn sentence(p: &Process, rng: &mut Rng) -> (Vec<String>, Vec<String>) {
    let len = p.min_len + rng.below((p.max_len - p.min_len + 1) as u64) as usize;
    let (mut gold, mut pred) = (Vec::with_capacity(len), Vec::with_capacity(len));
    while gold.len() < len {
        if !bernoulli(rng, p.entity_start) {
            gold.push("O".to_string());
            let spurious = bernoulli(rng, p.spurious);
            pred.push(if spurious { format!("B-{}", TYPES[categorical(rng, &TYPE_WEIGHTS)]) } else { "O".into() });
            continue;
        }
        let t = categorical(rng, &TYPE_WEIGHTS);
        let mut n = 1;
        while gold.len() + n < len && bernoulli(rng, p.continue_prob) {
            n += 1;
        }
        let missed = bernoulli(rng, p.miss);
        let pt = if bernoulli(rng, p.mislabel) { (t + 1 + rng.below(3) as usize) % 4 } else { t };
        let split_at = (n >= 2 && bernoulli(rng, p.split)).then(|| 1 + rng.below(n as u64 - 1) as usize);
        for i in 0..n {
            gold.push(format!("{}-{}", if i == 0 { "B" } else { "I" }, TYPES[t]));
            pred.push(if missed {
                "O".to_string()
            } else {
                let begin = i == 0 || split_at == Some(i);
                format!("{}-{}", if begin { "B" } else { "I" }, TYPES[pt])
            });
        }
    }
    (gold, pred)
}

/// seqeval's statistics of `n` sentences drawn from `p`.
pub fn draw(p: &Process, n: usize, rng: &mut Rng) -> NerStats {
    let mut seqs = NerSequences::new();
    for _ in 0..n {
        let (g, q) = sentence(p, rng);
        seqs.push_sentence(&g, &q).expect("equal lengths");
    }
    evaluate_ner(&seqs, &NerOptions::default()).expect("default mode never fails")
}

/// Sentences per chunk when computing the truth.
const TRUTH_CHUNK: usize = 100_000;

/// The population value of every corpus metric: the library's statistics of the summed counts of
/// `draws` sentences (drawn in chunks, counts added by type name).
pub fn truth(p: &Process, draws: usize, seed: u64) -> Vec<(String, f64)> {
    let mut rng = Rng::new(seed, u64::MAX - 1);
    let mut totals = NerCounts::zeros(TYPES.len());
    let mut left = draws;
    while left > 0 {
        let chunk = left.min(TRUTH_CHUNK);
        left -= chunk;
        let stats = draw(p, chunk, &mut rng);
        let t = stats.totals();
        for (name, c) in stats.types.iter().zip(&t.per_type) {
            let j = TYPES.iter().position(|x| x == name).expect("known type");
            let TypeCounts { tp, pred, gold } = *c;
            let a = &mut totals.per_type[j];
            a.tp += tp;
            a.pred += pred;
            a.gold += gold;
        }
        totals.token_correct += t.token_correct;
        totals.token_total += t.token_total;
    }
    let mut out = vec![0.0; NER_METRIC_KEYS.len() + 3 * TYPES.len()];
    ner_statistics(&totals, TYPES.len(), &mut out);
    NER_METRIC_KEYS.iter().zip(out).filter(|(_, v)| v.is_finite()).map(|(k, v)| (k.to_string(), v)).collect()
}

/// Sentences per test set and the share of runs spent on each.
pub const SIZES: [(usize, f64); 3] = [(50, 1.0), (200, 1.0), (2000, 1.0)];

/// Coverage of every corpus metric per setting and number of sentences.
pub fn run(config: &SimConfig, settings: &[Process], sizes: &[(usize, f64)]) -> Vec<CoverageRow> {
    let mut rows = Vec::new();
    for p in settings {
        let truth = truth(p, config.truth_draws, config.seed);
        for &(n, share) in sizes {
            let salt = format!("ner/{}/{n}", p.name);
            let runs = par_runs(config.runs_scaled(share), |r| {
                let stats = draw(p, n, &mut data_rng(config, &salt, r));
                outcomes(&evaluate_ner_metrics(&stats, &config.bootstrap(r)), false)
            });
            rows.extend(tally(&p.name, n, &truth, &runs));
        }
    }
    rows
}

//! Classification coverage: binary (balanced, 5% positives) and 5-class test sets from a model
//! with a latent score, mildly overconfident so the population ECE is a few points.
//!
//! Process: gold y from the class priors; per class c a latent z_c = SEPARATION·[c = y] + N(0, 1)
//! (binary: one latent for the positive class). The Bayes posterior logit is
//! ln prior_c + SEPARATION·z_c; the model reports softmax(OVERCONFIDENCE · logit) (binary:
//! sigmoid of the logit ratio) and predicts its argmax (binary: score ≥ 0.5).

use fteval_core::evaluate::Evaluation;
use fteval_core::stats::rng::Rng;
use fteval_core::{evaluate_classification, BootstrapConfig, ClassificationInput, Scores, Task};

use crate::coverage::{outcomes, tally, values, CoverageRow};
use crate::draw::{bernoulli, categorical, normal, sigmoid, softmax};
use crate::{data_rng, par_runs, SimConfig};

/// Shift of the latent score of the true class, in noise SDs.
pub const SEPARATION: f64 = 2.0;
/// The model's logits are this many times the Bayes logits: overconfident, ECE ≈ 0.03–0.04.
pub const OVERCONFIDENCE: f64 = 1.3;

/// A classification data-generating process.
#[derive(Clone, Debug)]
pub enum Process {
    /// Binary with this share of positives.
    Binary { positive_rate: f64 },
    /// Multiclass with these class priors.
    Multiclass { priors: Vec<f64> },
}

/// A named process.
#[derive(Clone, Debug)]
pub struct Setting {
    pub name: String,
    pub process: Process,
}

/// The three settings: balanced binary, 5% positives, 5-class with skewed priors.
pub fn settings() -> Vec<Setting> {
    vec![
        Setting { name: "binary, balanced".into(), process: Process::Binary { positive_rate: 0.5 } },
        Setting { name: "binary, 5% positives".into(), process: Process::Binary { positive_rate: 0.05 } },
        Setting {
            name: "5-class, skewed".into(),
            process: Process::Multiclass { priors: vec![0.4, 0.25, 0.15, 0.12, 0.08] },
        },
    ]
}

/// A test set of `n` rows from `process`.
pub fn draw(process: &Process, n: usize, rng: &mut Rng) -> ClassificationInput {
    match process {
        Process::Binary { positive_rate } => {
            let prior_logit = (positive_rate / (1.0 - positive_rate)).ln();
            let mut gold = Vec::with_capacity(n);
            let mut scores = Vec::with_capacity(n);
            for _ in 0..n {
                let y = bernoulli(rng, *positive_rate);
                let z = SEPARATION * f64::from(u8::from(y)) + normal(rng);
                // Bayes logit of y = 1 given z: prior logit + SEPARATION·z − SEPARATION²/2.
                let logit = prior_logit + SEPARATION * z - SEPARATION * SEPARATION / 2.0;
                gold.push(u32::from(y));
                scores.push(sigmoid(OVERCONFIDENCE * logit));
            }
            let pred = scores.iter().map(|&s| u32::from(s >= 0.5)).collect();
            ClassificationInput {
                task: Task::Binary,
                labels: vec!["neg".into(), "pos".into()],
                positive: Some(1),
                gold,
                pred,
                scores: Some(Scores::Positive(scores)),
                model_classes: None,
            }
        }
        Process::Multiclass { priors } => {
            let k = priors.len();
            let mut gold = Vec::with_capacity(n);
            let mut pred = Vec::with_capacity(n);
            let mut probs = vec![0.0; n * k];
            let mut logits = vec![0.0; k];
            for row in probs.chunks_mut(k) {
                let y = categorical(rng, priors);
                for (c, l) in logits.iter_mut().enumerate() {
                    let z = SEPARATION * f64::from(u8::from(c == y)) + normal(rng);
                    *l = OVERCONFIDENCE * (priors[c].ln() + SEPARATION * z);
                }
                softmax(&logits, row);
                let top = (0..k).fold(0, |b, c| if row[c] > row[b] { c } else { b });
                gold.push(y as u32);
                pred.push(top as u32);
            }
            ClassificationInput {
                task: Task::Multiclass,
                labels: (0..k).map(|c| format!("c{c}")).collect(),
                positive: None,
                gold,
                pred,
                scores: Some(Scores::PerClass(probs)),
                model_classes: None,
            }
        }
    }
}

/// The population value of every metric: the library's values on `draws` rows, no intervals.
pub fn truth(process: &Process, draws: usize, seed: u64) -> Vec<(String, f64)> {
    let input = draw(process, draws, &mut Rng::new(seed, u64::MAX));
    values(&evaluate(&input, 0, 0), per_class(process))
}

fn per_class(process: &Process) -> bool {
    matches!(process, Process::Multiclass { .. })
}

fn evaluate(input: &ClassificationInput, resamples: usize, seed: u64) -> Evaluation {
    evaluate_classification(input, &BootstrapConfig { resamples, seed, ..BootstrapConfig::default() })
}

/// Sample sizes and the share of runs spent on each: all runs everywhere (500 runs at n = 2000 left a
/// coverage estimate 1 point of standard error, and 97.6% for a Wilson interval whose exact coverage is 95.3%).
pub const SIZES: [(usize, f64); 3] = [(50, 1.0), (200, 1.0), (2000, 1.0)];

/// Coverage of every metric with an interval, per setting and n.
pub fn run(config: &SimConfig, settings: &[Setting], sizes: &[(usize, f64)]) -> Vec<CoverageRow> {
    let mut rows = Vec::new();
    for s in settings {
        let truth = truth(&s.process, config.truth_draws, config.seed);
        for &(n, share) in sizes {
            let salt = format!("classification/{}/{n}", s.name);
            let runs = par_runs(config.runs_scaled(share), |r| {
                let input = draw(&s.process, n, &mut data_rng(config, &salt, r));
                let BootstrapConfig { resamples, seed, .. } = config.bootstrap(r);
                outcomes(&evaluate(&input, resamples, seed), per_class(&s.process))
            });
            rows.extend(tally(&s.name, n, &truth, &runs));
        }
    }
    rows
}

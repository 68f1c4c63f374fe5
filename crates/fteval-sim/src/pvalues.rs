//! Paired p-values with few discordant examples against the exact paired randomisation test,
//! enumerated here by brute force: every one of the 2^d ways of swapping the two models'
//! predictions on the d rows where they differ.

use fteval_core::compare::compare_classification;
use fteval_core::evaluate::{cm_metric_keys, cm_stats};
use fteval_core::{ClassificationInput, Task};

use crate::draw::bernoulli;
use crate::{data_rng, SimConfig};

/// A constructed pair: the candidate fixes `fixed` of the baseline's errors and breaks `broken`
/// of its correct rows.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub n: usize,
    pub classes: usize,
    pub fixed: usize,
    pub broken: usize,
}

pub fn cases() -> Vec<Case> {
    let c = |name: &str, n, classes, fixed, broken| Case { name: name.into(), n, classes, fixed, broken };
    vec![
        c("issue 14: 5 fixed, 0 broken", 401, 2, 5, 0),
        c("2 fixed, 1 broken", 100, 2, 2, 1),
        c("8 fixed, 3 broken", 200, 2, 8, 3),
        c("12 fixed, 6 broken", 1000, 2, 12, 6),
        c("15 fixed, 5 broken", 500, 2, 15, 5),
        c("3-class, 9 fixed, 4 broken", 300, 3, 9, 4),
    ]
}

/// Gold, baseline and candidate predictions of a case.
pub fn build(case: &Case, config: &SimConfig) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let mut rng = data_rng(config, &format!("pvalues/{}", case.name), 0);
    let k = case.classes as u64;
    let gold: Vec<u32> = (0..case.n).map(|_| rng.below(k) as u32).collect();
    let other = |g: u32, rng: &mut fteval_core::stats::rng::Rng| ((g as u64 + 1 + rng.below(k - 1)) % k) as u32;
    let base: Vec<u32> = gold.iter().map(|&g| if bernoulli(&mut rng, 0.85) { g } else { other(g, &mut rng) }).collect();
    let mut cand = base.clone();
    let (mut fixed, mut broken) = (0, 0);
    for i in 0..case.n {
        if base[i] != gold[i] && fixed < case.fixed {
            cand[i] = gold[i];
            fixed += 1;
        } else if base[i] == gold[i] && broken < case.broken && i % 3 == 0 {
            cand[i] = other(gold[i], &mut rng);
            broken += 1;
        }
    }
    (gold, base, cand)
}

/// The metric `key` of a full k×k count matrix (row = gold, column = prediction).
fn metric_of(counts: &[u64], k: usize, task: Task, j: usize, out: &mut [f64]) -> f64 {
    let cells: Vec<(u32, u32)> = (0..k * k).map(|c| ((c / k) as u32, (c % k) as u32)).collect();
    cm_stats(&cells, counts, k, task, (task == Task::Binary).then_some(1), out);
    out[j]
}

/// The exact two-sided randomisation p-value of the delta (candidate − baseline) of
/// confusion-matrix metric `key`: the share of the 2^d swaps of the discordant rows whose |delta|
/// is at least the observed one. None for more than 24 discordant rows or an unknown key.
pub fn exact_p(gold: &[u32], base: &[u32], cand: &[u32], k: usize, key: &str) -> Option<f64> {
    let task = if k == 2 { Task::Binary } else { Task::Multiclass };
    let j = cm_metric_keys(task).iter().position(|x| *x == key)?;
    let discordant: Vec<usize> = (0..gold.len()).filter(|&i| base[i] != cand[i]).collect();
    let d = discordant.len();
    if d > 24 {
        return None;
    }
    let mut common = vec![0u64; k * k];
    for i in (0..gold.len()).filter(|&i| base[i] == cand[i]) {
        common[gold[i] as usize * k + base[i] as usize] += 1;
    }
    let mut out = vec![0.0; cm_metric_keys(task).len() + 3 * k];
    let delta_of = |mask: u64, out: &mut [f64]| {
        let (mut a, mut b) = (common.clone(), common.clone());
        for (bit, &i) in discordant.iter().enumerate() {
            let (pa, pb) = if mask >> bit & 1 == 1 { (cand[i], base[i]) } else { (base[i], cand[i]) };
            a[gold[i] as usize * k + pa as usize] += 1;
            b[gold[i] as usize * k + pb as usize] += 1;
        }
        metric_of(&b, k, task, j, out) - metric_of(&a, k, task, j, out)
    };
    let observed = delta_of(0, &mut out).abs();
    let at_least = (0..1u64 << d).filter(|&m| delta_of(m, &mut out).abs() >= observed - 1e-12).count();
    Some(at_least as f64 / (1u64 << d) as f64)
}

/// The library's p-value next to the exact one, for one case and metric.
#[derive(Clone, Debug)]
pub struct PRow {
    pub case: String,
    pub n: usize,
    pub discordant: usize,
    pub metric: String,
    pub library: Option<f64>,
    pub exact: Option<f64>,
}

impl PRow {
    pub fn abs_diff(&self) -> Option<f64> {
        Some((self.library? - self.exact?).abs())
    }
}

/// Every case's accuracy and primary-metric p-values.
pub fn run(config: &SimConfig, cases: &[Case]) -> Vec<PRow> {
    let mut rows = Vec::new();
    for case in cases {
        let (gold, base, cand) = build(case, config);
        let k = case.classes;
        let mk = |pred: &[u32]| ClassificationInput {
            task: if k == 2 { Task::Binary } else { Task::Multiclass },
            labels: (0..k).map(|c| format!("c{c}")).collect(),
            positive: (k == 2).then_some(1),
            gold: gold.clone(),
            pred: pred.to_vec(),
            scores: None,
            model_classes: None,
        };
        let cmp = compare_classification(&mk(&base), &mk(&cand), &config.bootstrap(0), 0);
        let discordant = (0..case.n).filter(|&i| base[i] != cand[i]).count();
        let keys: &[&str] = if k == 2 { &["accuracy", "f1"] } else { &["accuracy", "f1_macro"] };
        for key in keys {
            rows.push(PRow {
                case: case.name.clone(),
                n: case.n,
                discordant,
                metric: key.to_string(),
                library: cmp.deltas.iter().find(|d| d.key == *key).and_then(|d| d.p_value),
                exact: exact_p(&gold, &base, &cand, k, key),
            });
        }
    }
    rows
}

/// The largest |library − exact| over the rows.
pub fn max_abs_diff(rows: &[PRow]) -> Option<f64> {
    rows.iter().filter_map(PRow::abs_diff).reduce(f64::max)
}

//! `compare` under the null (two models of equal quality, errors independent or correlated
//! through a shared difficulty) and under a true +3-point change: the verdict rates on each
//! metric, power, and the coverage of the true delta by the delta's interval.
//!
//! Process: balanced binary gold; per row a shared difficulty u ~ N(0, 1); model m sees
//! z = ±h_m + √ρ·u + √(1−ρ)·ε_m, predicts z > 0 and scores sigmoid(2·h_m·z) (its own Bayes
//! posterior). Accuracy is Φ(h_m), and with balanced classes F1 equals accuracy, so a +3-point
//! change moves both by 3 points. Scores are rounded to 0.01.

use fteval_core::compare::{compare_classification, verdict, Verdict};
use fteval_core::stats::rng::Rng;
use fteval_core::stats::special::normal_quantile;
use fteval_core::{evaluate_classification, BootstrapConfig, ClassificationInput, Scores, Task};

use crate::draw::{bernoulli, normal, sigmoid};
use crate::{data_rng, par_runs, SimConfig};

/// The metric the verdict is on (compare's default for binary).
pub const PRIMARY: &str = "f1";
/// Metrics whose verdicts are counted.
pub const KEYS: [&str; 4] = ["f1", "accuracy", "roc_auc", "log_loss"];
pub const BASELINE_ACCURACY: f64 = 0.80;

/// Two models on the same rows.
#[derive(Clone, Debug)]
pub struct PairProcess {
    pub name: String,
    pub baseline_accuracy: f64,
    pub candidate_accuracy: f64,
    /// Share of each model's noise variance that is shared difficulty (0 = independent errors).
    pub shared: f64,
}

impl PairProcess {
    pub fn is_null(&self) -> bool {
        self.baseline_accuracy == self.candidate_accuracy
    }
}

/// Equal models (independent, correlated errors), then the candidate 3 points better.
pub fn settings() -> Vec<PairProcess> {
    let p = |name: &str, gain: f64, shared: f64| PairProcess {
        name: name.into(),
        baseline_accuracy: BASELINE_ACCURACY,
        candidate_accuracy: BASELINE_ACCURACY + gain,
        shared,
    };
    vec![
        p("null, independent errors", 0.0, 0.0),
        p("null, correlated errors", 0.0, 0.6),
        p("+3 points, independent errors", 0.03, 0.0),
        p("+3 points, correlated errors", 0.03, 0.6),
    ]
}

/// A score rounded to 0.01 within [0.01, 0.99]: at most 99 distinct scores keep the score
/// bootstrap cheap at n = 10 000 (the truth is computed on the same rounded scores).
fn rounded_score(p: f64) -> f64 {
    ((p * 100.0).round() / 100.0).clamp(0.01, 0.99)
}

fn input(gold: &[u32], pred: Vec<u32>, scores: Vec<f64>) -> ClassificationInput {
    ClassificationInput {
        task: Task::Binary,
        labels: vec!["neg".into(), "pos".into()],
        positive: Some(1),
        gold: gold.to_vec(),
        pred,
        scores: Some(Scores::Positive(scores)),
        model_classes: None,
    }
}

/// Baseline and candidate on `n` rows.
pub fn draw(p: &PairProcess, n: usize, rng: &mut Rng) -> (ClassificationInput, ClassificationInput) {
    let h = [normal_quantile(p.baseline_accuracy), normal_quantile(p.candidate_accuracy)];
    let mut gold = Vec::with_capacity(n);
    let mut preds = [Vec::with_capacity(n), Vec::with_capacity(n)];
    let mut scores = [Vec::with_capacity(n), Vec::with_capacity(n)];
    for _ in 0..n {
        let y = bernoulli(rng, 0.5);
        let u = normal(rng);
        let sign = if y { 1.0 } else { -1.0 };
        for m in 0..2 {
            let z = sign * h[m] + p.shared.sqrt() * u + (1.0 - p.shared).sqrt() * normal(rng);
            preds[m].push(u32::from(z > 0.0));
            scores[m].push(rounded_score(sigmoid(2.0 * h[m] * z)));
        }
        gold.push(u32::from(y));
    }
    let [pa, pb] = preds;
    let [sa, sb] = scores;
    (input(&gold, pa, sa), input(&gold, pb, sb))
}

/// The population delta (candidate − baseline) of each of [`KEYS`], from `draws` rows.
pub fn true_deltas(p: &PairProcess, draws: usize, seed: u64) -> Vec<f64> {
    let (a, b) = draw(p, draws, &mut Rng::new(seed, u64::MAX - 3));
    let none = BootstrapConfig { resamples: 0, ..BootstrapConfig::default() };
    let (ea, eb) = rayon::join(|| evaluate_classification(&a, &none), || evaluate_classification(&b, &none));
    let value = |e: &fteval_core::Evaluation, key: &str| {
        e.metrics.iter().find(|(k, _)| k == key).and_then(|(_, m)| m.value).unwrap_or(f64::NAN)
    };
    KEYS.iter().map(|k| value(&eb, k) - value(&ea, k)).collect()
}

/// One metric's verdicts (and delta-interval coverage) over the runs of one setting and n.
#[derive(Clone, Debug, Default)]
pub struct VerdictRow {
    pub setting: String,
    pub n: usize,
    pub metric: String,
    pub null: bool,
    pub true_delta: f64,
    pub runs: usize,
    pub improved: usize,
    pub regressed: usize,
    /// Runs whose delta interval holds the true delta, and runs with an interval.
    pub covered: usize,
    pub with_ci: usize,
    pub width_sum: f64,
}

impl VerdictRow {
    /// Share of runs with a verdict of improved or regressed (the false-verdict rate under the null).
    pub fn significant_rate(&self) -> f64 {
        (self.improved + self.regressed) as f64 / self.runs.max(1) as f64
    }

    /// Share of runs called improved (power, under a true gain).
    pub fn improved_rate(&self) -> f64 {
        self.improved as f64 / self.runs.max(1) as f64
    }

    pub fn coverage(&self) -> Option<f64> {
        (self.with_ci > 0).then(|| self.covered as f64 / self.with_ci as f64)
    }

    pub fn mean_width(&self) -> Option<f64> {
        (self.with_ci > 0).then(|| self.width_sum / self.with_ci as f64)
    }
}

/// Per metric: the verdict and, when there is one, the delta's interval.
type RunOutcome = Vec<(Verdict, Option<(f64, f64)>)>;

fn one_run(p: &PairProcess, n: usize, config: &SimConfig, salt: &str, r: u64) -> RunOutcome {
    let (a, b) = draw(p, n, &mut data_rng(config, salt, r));
    let bc = config.bootstrap(r);
    let cmp = compare_classification(&a, &b, &bc, 0);
    KEYS.iter()
        .map(|key| match cmp.deltas.iter().find(|d| d.key == *key) {
            Some(d) => (verdict(d, 0.0, bc.level).0, d.ci_low.zip(d.ci_high)),
            None => (Verdict::Inconclusive, None),
        })
        .collect()
}

/// Test-set sizes and the share of runs spent on each.
pub const SIZES: [(usize, f64); 3] = [(100, 1.0), (1000, 0.5), (10_000, 0.2)];

/// Verdict rates per setting, n and metric.
pub fn run(config: &SimConfig, settings: &[PairProcess], sizes: &[(usize, f64)]) -> Vec<VerdictRow> {
    let mut rows = Vec::new();
    for p in settings {
        let truth = if p.is_null() { vec![0.0; KEYS.len()] } else { true_deltas(p, config.truth_draws, config.seed) };
        for &(n, share) in sizes {
            let salt = format!("compare/{}/{n}", p.name);
            let runs = par_runs(config.runs_scaled(share), |r| one_run(p, n, config, &salt, r));
            for (j, key) in KEYS.iter().enumerate() {
                let mut row = VerdictRow {
                    setting: p.name.clone(),
                    n,
                    metric: key.to_string(),
                    null: p.is_null(),
                    true_delta: truth[j],
                    ..Default::default()
                };
                for run in &runs {
                    let (v, ci) = run[j];
                    row.runs += 1;
                    row.improved += usize::from(v == Verdict::Improved);
                    row.regressed += usize::from(v == Verdict::Regressed);
                    if let Some((lo, hi)) = ci {
                        row.with_ci += 1;
                        row.width_sum += hi - lo;
                        row.covered += usize::from(lo - 1e-12 <= truth[j] && truth[j] <= hi + 1e-12);
                    }
                }
                rows.push(row);
            }
        }
    }
    rows
}

/// The pooled false-verdict rate on the primary metric over every null setting and n.
pub fn pooled_null_rate(rows: &[VerdictRow]) -> Option<f64> {
    let (called, runs) = rows
        .iter()
        .filter(|r| r.null && r.metric == PRIMARY)
        .fold((0, 0), |(c, n), r| (c + r.improved + r.regressed, n + r.runs));
    (runs > 0).then(|| called as f64 / runs as f64)
}

/// The small case over several seeds: how often each verdict says improved, and the
/// mean p-values.
#[derive(Clone, Debug, Default)]
pub struct SmallCase {
    pub n: usize,
    pub fixed: usize,
    pub broken: usize,
    pub runs: usize,
    pub f1_improved: usize,
    pub accuracy_improved: usize,
    pub f1_p_mean: f64,
    pub accuracy_p_mean: f64,
}

/// 401 rows, a candidate that fixes 5 of the baseline's errors and breaks none (no scores): the
/// verdict must not be "improved".
pub fn small_case(config: &SimConfig) -> SmallCase {
    let (n, fixed) = (401usize, 5usize);
    let runs = par_runs(config.runs, |r| {
        let mut rng = data_rng(config, "compare/small case", r);
        let gold: Vec<u32> = (0..n).map(|_| u32::from(bernoulli(&mut rng, 0.5))).collect();
        let base: Vec<u32> = gold.iter().map(|&g| if bernoulli(&mut rng, 0.85) { g } else { 1 - g }).collect();
        let mut cand = base.clone();
        let mut wrong: Vec<usize> = (0..n).filter(|&i| base[i] != gold[i]).collect();
        for k in 0..fixed.min(wrong.len()) {
            let j = k + rng.below((wrong.len() - k) as u64) as usize;
            wrong.swap(k, j);
            cand[wrong[k]] = gold[wrong[k]];
        }
        let mk = |pred: Vec<u32>| ClassificationInput { scores: None, ..input(&gold, pred, Vec::new()) };
        let bc = config.bootstrap(r);
        let cmp = compare_classification(&mk(base), &mk(cand), &bc, 0);
        let get = |key: &str| {
            let d = cmp.deltas.iter().find(|d| d.key == key).expect("cm metric");
            (verdict(d, 0.0, bc.level).0 == Verdict::Improved, d.p_value.unwrap_or(f64::NAN))
        };
        (get("f1"), get("accuracy"))
    });
    let m = runs.len() as f64;
    SmallCase {
        n,
        fixed,
        broken: 0,
        runs: runs.len(),
        f1_improved: runs.iter().filter(|r| r.0 .0).count(),
        accuracy_improved: runs.iter().filter(|r| r.1 .0).count(),
        f1_p_mean: runs.iter().map(|r| r.0 .1).sum::<f64>() / m,
        accuracy_p_mean: runs.iter().map(|r| r.1 .1).sum::<f64>() / m,
    }
}

//! Two models on the same examples: paired deltas of every metric with intervals and p-values,
//! McNemar's and DeLong's tests, the examples that flipped, and a verdict on the primary metric.

mod cm;
mod flips;
mod scores;
pub mod text;

pub use cm::{cm_metric_p, compare_cm_metrics, PairedPredictions};
pub use flips::{confidence, flips, ClassFlips, Flips};
pub use scores::compare_score_metrics;

use crate::data::ClassificationInput;
use crate::evaluate::{evaluate_classification, Evaluation};
use crate::stats::bootstrap::{percentile_interval, BootstrapConfig};
use crate::stats::delong::PairedAuc;
use crate::stats::mcnemar::mcnemar_exact;
pub use crate::stats::randomisation::method as p_method;
use crate::stats::randomisation::RandomisationP;
use crate::stats::special::{normal_quantile, normal_two_sided_p};

/// Metrics where smaller is better (losses and calibration error).
pub fn lower_is_better(key: &str) -> bool {
    matches!(
        key,
        "log_loss"
            | "brier_score"
            | "ece"
            | "hamming_loss"
            | "loss"
            | "perplexity"
            | "wer"
            | "cer"
            | "mae"
            | "mse"
            | "rmse"
    ) || key.ends_with("_loss")
        || key.ends_with("_wer")
        || key.ends_with("_cer")
}

/// How a delta's interval was obtained (the JSON `ci_method`).
pub mod delta_method {
    /// Percentile bootstrap resampling examples jointly for both models.
    pub const PAIRED_BOOTSTRAP: &str = "paired_bootstrap_percentile";
    /// Normal interval from DeLong's variance of the AUC difference (for averaged multiclass
    /// AUCs, from the row-wise difference of the two models' influence values).
    pub const DELONG: &str = "delong_paired";
    /// Normal interval for the mean of per-example differences (large n).
    pub const NORMAL: &str = "paired_normal_mean";
}

/// One metric of both models, the paired delta (candidate − baseline), its interval and the
/// two-sided p-value of "no difference".
#[derive(Clone, Debug, PartialEq)]
pub struct Delta {
    pub key: String,
    pub baseline: f64,
    pub candidate: f64,
    pub delta: f64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
    /// Standard error of the delta (bootstrap or analytic).
    pub se: Option<f64>,
    /// False for losses (log loss, Brier, ECE): a negative delta is an improvement.
    pub higher_is_better: bool,
    pub ci_method: Option<&'static str>,
    /// The test behind `p_value` ([`p_method`]): the paired randomisation test, exact
    /// (`paired_randomisation_exact`) or Monte Carlo (`paired_randomisation`); DeLong's test
    /// for ROC AUC (`delong`); the normal test of a mean difference above the row limit of the
    /// randomisation (`paired_normal_mean`).
    pub p_method: Option<&'static str>,
    /// Why the interval (or a value) is missing, or why it was extended to 0.
    pub reason: Option<String>,
}

/// Both models' bootstrap replicates of one metric, resample by resample.
pub struct PairedReplicates<'a> {
    pub baseline: &'a [f64],
    pub candidate: &'a [f64],
}

impl Delta {
    /// A delta without an interval, saying why.
    pub fn point_only(
        key: &str,
        baseline: f64,
        candidate: f64,
        higher_is_better: bool,
        reason: Option<String>,
    ) -> Delta {
        Delta {
            key: key.to_string(),
            baseline,
            candidate,
            delta: candidate - baseline,
            ci_low: None,
            ci_high: None,
            p_value: None,
            se: None,
            higher_is_better,
            ci_method: None,
            p_method: None,
            reason,
        }
    }

    /// The percentile interval of the paired replicate deltas and their standard error. The
    /// p-value comes from a paired randomisation test ([`Delta::with_p`]).
    pub fn from_replicates(
        key: &str,
        baseline: f64,
        candidate: f64,
        higher_is_better: bool,
        reps: Option<PairedReplicates>,
        level: f64,
    ) -> Delta {
        let mut d = Delta::point_only(key, baseline, candidate, higher_is_better, None);
        let Some(reps) = reps else { return d };
        let mut deltas: Vec<f64> = reps.candidate.iter().zip(reps.baseline).map(|(c, b)| c - b).collect();
        let total = deltas.len();
        deltas.retain(|x| !x.is_nan());
        if deltas.len() < total {
            d.reason = Some(format!(
                "undefined on {} of {total} bootstrap resamples; the interval uses the others",
                total - deltas.len()
            ));
        }
        if deltas.is_empty() || d.delta.is_nan() {
            return d;
        }
        let m = deltas.len() as f64;
        let mean = deltas.iter().sum::<f64>() / m;
        d.se = Some((deltas.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (m - 1.0).max(1.0)).sqrt());
        if let Some(iv) = percentile_interval(&mut deltas, level, d.delta).interval {
            d.ci_low = Some(iv.low);
            d.ci_high = Some(iv.high);
            d.ci_method = Some(delta_method::PAIRED_BOOTSTRAP);
        }
        d
    }

    /// Sets the paired randomisation p-value (None: no test, no p-value) and makes the
    /// interval agree with it ([`Delta::reconcile`]); `differing` counts the examples on which
    /// the two models' outputs differ, named `unit` ("examples", "sentences").
    pub fn with_p(mut self, p: Option<RandomisationP>, differing: u64, unit: &str, level: f64) -> Delta {
        match p {
            Some(r) if !self.delta.is_nan() => {
                self.p_value = Some(r.p);
                self.p_method = Some(r.method());
                let why = format!(
                    "the {} paired randomisation test cannot exclude no difference with {differing} differing {unit} (p = {})",
                    if r.exact { "exact" } else { "Monte Carlo" },
                    format_p(r.p)
                );
                self.reconcile(level, &why);
            }
            _ => {
                self.p_value = None;
                self.p_method = None;
            }
        }
        self
    }

    /// The interval and the p-value must not contradict each other: when the interval
    /// excludes 0 but p ≥ α (= 1 − level; with few differing examples the exact test is
    /// stricter than the bootstrap), the interval is extended to reach 0 and `reason` says
    /// why (`why`). The reverse (p < α, interval through 0) is left alone: the verdict then
    /// follows the interval.
    pub fn reconcile(&mut self, level: f64, why: &str) {
        let (Some(p), Some(low), Some(high)) = (self.p_value, self.ci_low, self.ci_high) else { return };
        if p < 1.0 - level || (low <= 0.0 && high >= 0.0) {
            return;
        }
        self.ci_low = Some(low.min(0.0));
        self.ci_high = Some(high.max(0.0));
        let note = format!("{why}; the interval is extended to 0");
        self.reason = Some(match self.reason.take() {
            Some(r) => format!("{r}; {note}"),
            None => note,
        });
    }

    /// A normal interval delta ± z·se and the two-sided normal p-value.
    pub fn from_normal(
        key: &str,
        baseline: f64,
        candidate: f64,
        higher_is_better: bool,
        se: f64,
        level: f64,
        method: &'static str,
    ) -> Delta {
        let mut d = Delta::point_only(key, baseline, candidate, higher_is_better, None);
        if !se.is_finite() || d.delta.is_nan() {
            return d;
        }
        let z = normal_quantile(0.5 + level / 2.0);
        d.ci_low = Some(d.delta - z * se);
        d.ci_high = Some(d.delta + z * se);
        d.p_value = Some(if se > 0.0 {
            normal_two_sided_p(d.delta / se)
        } else if d.delta == 0.0 {
            1.0
        } else {
            0.0
        });
        d.se = Some(se);
        d.ci_method = Some(method);
        d.p_method = Some(if method == delta_method::DELONG { p_method::DELONG } else { p_method::NORMAL });
        d
    }

    /// The interval of the improvement (delta for higher-is-better metrics, −delta for losses).
    fn gain_interval(&self) -> Option<(f64, f64)> {
        let (low, high) = (self.ci_low?, self.ci_high?);
        Some(if self.higher_is_better { (low, high) } else { (-high, -low) })
    }
}

/// What the comparison says about the primary metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Improved,
    Regressed,
    NoSignificantChange,
    /// The test set is too small to tell a change of the margin from noise.
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Regressed => "regressed",
            Verdict::NoSignificantChange => "no_significant_change",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// The smallest true delta this test set detects with 80% power at the interval's level
/// (two-sided): (z_{1−α/2} + z_{0.8}) · SE.
pub fn minimum_detectable_effect(se: f64, level: f64) -> f64 {
    (normal_quantile(0.5 + level / 2.0) + normal_quantile(0.8)) * se
}

/// The verdict on a delta: improved when the interval of the improvement lies above `margin`,
/// regressed when it lies below 0, in both cases only with the delta's p-value (the paired
/// randomisation test, where there is one) below α = 1 − level; otherwise inconclusive if the
/// minimum detectable effect exceeds a positive margin (a change of that size could hide in the
/// noise), else no significant change.
pub fn verdict(d: &Delta, margin: f64, level: f64) -> (Verdict, Option<f64>) {
    let mde = d.se.map(|se| minimum_detectable_effect(se, level));
    let Some((low, high)) = d.gain_interval() else { return (Verdict::Inconclusive, mde) };
    let significant = d.p_value.is_none_or(|p| p < 1.0 - level);
    if low > margin && significant {
        return (Verdict::Improved, mde);
    }
    if high < 0.0 && significant {
        return (Verdict::Regressed, mde);
    }
    match mde {
        Some(m) if m > margin.max(0.0) + 1e-12 && margin > 0.0 => (Verdict::Inconclusive, mde),
        _ => (Verdict::NoSignificantChange, mde),
    }
}

/// A p-value for a reason: 4 significant digits.
pub(crate) fn format_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.4}")
    } else {
        format!("{p:.3e}")
    }
}

/// McNemar's exact test on the examples exactly one model got right.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McNemarResult {
    pub baseline_only_correct: u64,
    pub candidate_only_correct: u64,
    pub statistic: u64,
    pub p_value: f64,
}

/// Everything `fteval compare` reports about two classifiers on the same rows.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub n: u64,
    /// Every metric both models have: confusion-matrix metrics, then score metrics.
    pub deltas: Vec<Delta>,
    pub mcnemar: McNemarResult,
    pub delong: Option<PairedAuc>,
    pub flips: Flips,
    pub baseline: Evaluation,
    pub candidate: Evaluation,
}

/// McNemar's exact test on the examples exactly one of the two models gets right.
fn mcnemar(baseline: &ClassificationInput, candidate: &ClassificationInput) -> McNemarResult {
    let (mut only_a, mut only_b) = (0u64, 0u64);
    for ((&g, &a), &b) in baseline.gold.iter().zip(&baseline.pred).zip(&candidate.pred) {
        match (a == g, b == g) {
            (true, false) => only_a += 1,
            (false, true) => only_b += 1,
            _ => {}
        }
    }
    let test = mcnemar_exact(only_a, only_b);
    McNemarResult {
        baseline_only_correct: only_a,
        candidate_only_correct: only_b,
        statistic: test.statistic,
        p_value: test.p_value,
    }
}

/// Paired deltas before they are matched with the per-model evaluations.
pub struct PairedDeltas {
    /// McNemar's exact test (equal to the accuracy delta's exact randomisation p-value).
    mcnemar: McNemarResult,
    cm: Vec<Delta>,
    scores: Vec<Delta>,
    delong: Option<PairedAuc>,
}

/// Every paired delta of `candidate` against `baseline` (same rows, labels, gold, positive).
pub fn paired_deltas(
    baseline: &ClassificationInput,
    candidate: &ClassificationInput,
    config: &BootstrapConfig,
) -> PairedDeltas {
    let paired = PairedPredictions {
        task: baseline.task,
        k: baseline.labels.len(),
        positive: baseline.positive,
        gold: baseline.gold.clone(),
        baseline: baseline.pred.clone(),
        candidate: candidate.pred.clone(),
    };
    let (cm, (scores, delong)) =
        rayon::join(|| compare_cm_metrics(&paired, config), || compare_score_metrics(baseline, candidate, config));
    PairedDeltas { mcnemar: mcnemar(baseline, candidate), cm, scores, delong }
}

impl PairedDeltas {
    /// The deltas in report order, score metrics carrying the exact per-model values that
    /// `fteval metrics` reports, plus point-only deltas for metrics no paired test covers.
    pub fn finish(self, eval_a: &Evaluation, eval_b: &Evaluation) -> (Vec<Delta>, Option<PairedAuc>) {
        let value = |e: &Evaluation, key: &str| e.metrics.iter().find(|(k, _)| k == key).and_then(|(_, m)| m.value);
        let mut deltas = self.cm;
        for mut d in self.scores {
            if let (Some(a), Some(b)) = (value(eval_a, &d.key), value(eval_b, &d.key)) {
                d.baseline = a;
                d.candidate = b;
                d.delta = b - a;
            }
            deltas.push(d);
        }
        for (key, a) in &eval_a.metrics {
            if let (Some(a), Some(b), false) = (a.value, value(eval_b, key), deltas.iter().any(|d| &d.key == key)) {
                let reason = format!("no paired test for {key} yet; compare the per-model intervals");
                deltas.push(Delta::point_only(key, a, b, !lower_is_better(key), Some(reason)));
            }
        }
        (deltas, self.delong)
    }
}

/// Compares `candidate` with `baseline` (same rows, labels, gold and positive class).
pub fn compare_classification(
    baseline: &ClassificationInput,
    candidate: &ClassificationInput,
    config: &BootstrapConfig,
    max_examples: usize,
) -> Comparison {
    let ((eval_a, eval_b), raw) = rayon::join(
        || rayon::join(|| evaluate_classification(baseline, config), || evaluate_classification(candidate, config)),
        || paired_deltas(baseline, candidate, config),
    );
    let mcnemar = raw.mcnemar;
    let (deltas, delong) = raw.finish(&eval_a, &eval_b);
    let flips = flips(baseline, candidate, max_examples);
    Comparison { n: baseline.gold.len() as u64, deltas, mcnemar, delong, flips, baseline: eval_a, candidate: eval_b }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Scores, Task};
    use crate::stats::rng::Rng;

    /// Gold with 40% positives and a model right with probability `acc` on each example
    /// (errors independent between models), with a score that ranks right answers higher.
    fn model(rng: &mut Rng, gold: &[u32], acc: f64) -> ClassificationInput {
        let pred: Vec<u32> = gold.iter().map(|&g| if rng.uniform() < acc { g } else { 1 - g }).collect();
        let scores =
            pred.iter().map(|&p| if p == 1 { 0.5 + 0.5 * rng.uniform() } else { 0.5 * rng.uniform() }).collect();
        ClassificationInput {
            task: Task::Binary,
            labels: vec!["0".into(), "1".into()],
            positive: Some(1),
            gold: gold.to_vec(),
            pred,
            scores: Some(Scores::Positive(scores)),
            model_classes: None,
        }
    }

    /// Population F1 of such a model: TP = 0.4·acc, FP = 0.6·(1 − acc), FN = 0.4·(1 − acc).
    fn true_f1(acc: f64) -> f64 {
        let (tp, fp, fn_) = (0.4 * acc, 0.6 * (1.0 - acc), 0.4 * (1.0 - acc));
        2.0 * tp / (2.0 * tp + fp + fn_)
    }

    /// Equal-quality models through the whole comparison: improved/regressed verdicts on F1
    /// (the default primary), accuracy (McNemar), ROC AUC (DeLong) and log loss (paired row
    /// bootstrap) in about 5% of runs or fewer.
    #[test]
    fn equal_models_get_few_significant_verdicts() {
        let mut rng = Rng::new(31, 0);
        let runs = 200;
        let keys = ["f1", "accuracy", "roc_auc", "log_loss"];
        let mut called = [0usize; 4];
        for r in 0..runs {
            let gold: Vec<u32> = (0..500).map(|_| (rng.uniform() < 0.4) as u32).collect();
            let (a, b) = (model(&mut rng, &gold, 0.8), model(&mut rng, &gold, 0.8));
            let cmp = compare_classification(&a, &b, &BootstrapConfig { resamples: 300, level: 0.95, seed: r }, 0);
            for (j, key) in keys.iter().enumerate() {
                let d = cmp.deltas.iter().find(|d| d.key == *key).unwrap();
                if matches!(verdict(d, 0.0, 0.95).0, Verdict::Improved | Verdict::Regressed) {
                    called[j] += 1;
                }
            }
        }
        for (key, c) in keys.iter().zip(called) {
            let rate = c as f64 / runs as f64;
            eprintln!("{key}: significant in {:.1}% of {runs} equal-model comparisons", rate * 100.0);
            assert!(rate <= 0.075, "{key}: false positive rate {rate}");
        }
    }

    /// The 95% interval of the F1 delta covers the true (population) delta in 93–97% of runs.
    #[test]
    fn f1_delta_interval_covers_the_true_delta() {
        let mut rng = Rng::new(32, 0);
        let runs = 300;
        let truth = true_f1(0.85) - true_f1(0.8);
        let mut covered = 0;
        for r in 0..runs {
            let gold: Vec<u32> = (0..600).map(|_| (rng.uniform() < 0.4) as u32).collect();
            let (a, b) = (model(&mut rng, &gold, 0.8), model(&mut rng, &gold, 0.85));
            let deltas = compare_cm_metrics(
                &PairedPredictions {
                    task: Task::Binary,
                    k: 2,
                    positive: Some(1),
                    gold,
                    baseline: a.pred,
                    candidate: b.pred,
                },
                &BootstrapConfig { resamples: 400, level: 0.95, seed: r },
            );
            let f1 = deltas.iter().find(|d| d.key == "f1").unwrap();
            if f1.ci_low.unwrap() <= truth && truth <= f1.ci_high.unwrap() {
                covered += 1;
            }
        }
        let rate = covered as f64 / runs as f64;
        eprintln!("f1 delta: 95% interval covered the true delta in {:.1}% of {runs} runs", rate * 100.0);
        assert!((0.92..=0.975).contains(&rate), "coverage {rate}");
    }
}

#[cfg(test)]
mod timing {
    use super::*;
    use crate::data::{Scores, Task};
    use crate::stats::rng::Rng;

    /// `cargo test --release -p fteval-core compare::timing -- --ignored --nocapture`: the time of
    /// compare_classification on two binary models with scores over 1,000,000 rows.
    #[test]
    #[ignore]
    fn compare_classification_1m_rows() {
        let mut rng = Rng::new(77, 0);
        let n = 1_000_000;
        let gold: Vec<u32> = (0..n).map(|_| (rng.uniform() < 0.4) as u32).collect();
        let mut model = |acc: f64| {
            let pred: Vec<u32> = gold.iter().map(|&g| if rng.uniform() < acc { g } else { 1 - g }).collect();
            let scores =
                pred.iter().map(|&p| if p == 1 { 0.5 + 0.5 * rng.uniform() } else { 0.5 * rng.uniform() }).collect();
            ClassificationInput {
                task: Task::Binary,
                labels: vec!["0".into(), "1".into()],
                positive: Some(1),
                gold: gold.clone(),
                pred,
                scores: Some(Scores::Positive(scores)),
                model_classes: None,
            }
        };
        let (a, b) = (model(0.8), model(0.81));
        let cfg = BootstrapConfig::default();
        let _ = compare_classification(&a, &b, &cfg, 10);
        let mut times = Vec::new();
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let c = compare_classification(&a, &b, &cfg, 10);
            times.push(t.elapsed().as_secs_f64());
            assert_eq!(c.n, n as u64);
        }
        times.sort_by(f64::total_cmp);
        eprintln!("compare_classification, 2 x {n} rows: median {:.3} s of {times:?}", times[1]);
    }
}

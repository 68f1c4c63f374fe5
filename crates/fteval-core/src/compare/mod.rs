//! Two models on the same examples: paired deltas of every metric with intervals and p-values,
//! McNemar's and DeLong's tests, the examples that flipped, and a verdict on the primary metric.

mod cm;
mod flips;
mod scores;

pub use cm::{compare_cm_metrics, PairedPredictions};
pub use flips::{flips, ClassFlips, Flips};
pub use scores::compare_score_metrics;

use crate::data::ClassificationInput;
use crate::evaluate::{evaluate_classification, Evaluation};
use crate::stats::bootstrap::{percentile_interval, BootstrapConfig};
use crate::stats::delong::PairedAuc;
use crate::stats::mcnemar::mcnemar_exact;
use crate::stats::special::{normal_quantile, normal_two_sided_p};

/// Metrics where smaller is better (losses and calibration error).
pub fn lower_is_better(key: &str) -> bool {
    matches!(key, "log_loss" | "brier_score" | "ece" | "hamming_loss" | "loss" | "perplexity")
}

/// How a delta's interval was obtained (the JSON `ci_method`).
pub mod delta_method {
    /// Percentile bootstrap resampling examples jointly for both models.
    pub const PAIRED_BOOTSTRAP: &str = "paired_bootstrap_percentile";
    /// Normal interval from DeLong's variance of the AUC difference.
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
    /// Why the interval (or a value) is missing.
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
            reason,
        }
    }

    /// The percentile interval of the paired replicate deltas, their standard error, and the
    /// bootstrap p-value (twice the smaller share of replicate deltas on either side of 0,
    /// counted as (1 + k) / (1 + B) so it never claims more than B resamples can show).
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
        let below = deltas.iter().filter(|&&x| x <= 0.0).count() as f64;
        let above = deltas.iter().filter(|&&x| x >= 0.0).count() as f64;
        // (1 + count) / (1 + B): a bootstrap cannot show a p-value below its resolution.
        d.p_value = Some((2.0 * (1.0 + below.min(above)) / (m + 1.0)).min(1.0));
        let mean = deltas.iter().sum::<f64>() / m;
        d.se = Some((deltas.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (m - 1.0).max(1.0)).sqrt());
        if let Some(iv) = percentile_interval(&mut deltas, level, d.delta).interval {
            d.ci_low = Some(iv.low);
            d.ci_high = Some(iv.high);
            d.ci_method = Some(delta_method::PAIRED_BOOTSTRAP);
        }
        d
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
/// regressed when it lies below 0, otherwise inconclusive if the minimum detectable effect
/// exceeds a positive margin (a change of that size could hide in the noise), else no
/// significant change.
pub fn verdict(d: &Delta, margin: f64, level: f64) -> (Verdict, Option<f64>) {
    let mde = d.se.map(|se| minimum_detectable_effect(se, level));
    let Some((low, high)) = d.gain_interval() else { return (Verdict::Inconclusive, mde) };
    if low > margin {
        return (Verdict::Improved, mde);
    }
    if high < 0.0 {
        return (Verdict::Regressed, mde);
    }
    match mde {
        Some(m) if m > margin.max(0.0) + 1e-12 && margin > 0.0 => (Verdict::Inconclusive, mde),
        _ => (Verdict::NoSignificantChange, mde),
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

/// Paired deltas before they are matched with the per-model evaluations.
pub struct PairedDeltas {
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
    PairedDeltas { cm, scores, delong }
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
    let (deltas, delong) = raw.finish(&eval_a, &eval_b);
    let flips = flips(baseline, candidate, max_examples);
    let test = mcnemar_exact(flips.broken, flips.fixed);
    let mcnemar = McNemarResult {
        baseline_only_correct: flips.broken,
        candidate_only_correct: flips.fixed,
        statistic: test.statistic,
        p_value: test.p_value,
    };
    Comparison { n: baseline.gold.len() as u64, deltas, mcnemar, delong, flips, baseline: eval_a, candidate: eval_b }
}

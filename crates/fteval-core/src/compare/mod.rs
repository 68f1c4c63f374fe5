//! Two models on the same examples: paired deltas of every metric with intervals and p-values,
//! McNemar's and DeLong's tests, the examples that flipped, and a verdict on the primary metric.

mod cm;
mod flips;
mod scores;
pub mod text;

pub use cm::{compare_cm_metrics, PairedPredictions};
pub use flips::{confidence, flips, ClassFlips, Flips};
pub use scores::compare_score_metrics;

use crate::data::ClassificationInput;
use crate::evaluate::{evaluate_classification, Evaluation};
use crate::stats::bootstrap::{percentile_interval, BootstrapConfig};
use crate::stats::delong::PairedAuc;
use crate::stats::mcnemar::mcnemar_exact;
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
    /// Set when `p_value` comes from an exact test rather than from the interval's method
    /// (McNemar's for accuracy); the verdict then needs both to agree.
    pub p_method: Option<&'static str>,
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
            p_method: None,
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
/// regressed when it lies below 0 (in both cases with an exact test's p-value, where there is
/// one, below 1 − level), otherwise inconclusive if the minimum detectable effect
/// exceeds a positive margin (a change of that size could hide in the noise), else no
/// significant change.
pub fn verdict(d: &Delta, margin: f64, level: f64) -> (Verdict, Option<f64>) {
    let mde = d.se.map(|se| minimum_detectable_effect(se, level));
    let Some((low, high)) = d.gain_interval() else { return (Verdict::Inconclusive, mde) };
    // An exact test reported next to the interval (McNemar's for accuracy, stricter with few
    // discordant examples) must agree with it.
    let significant = d.p_method.is_none() || d.p_value.is_none_or(|p| p < 1.0 - level);
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
    /// McNemar's exact test: the p-value of the accuracy delta (exact where the bootstrap is
    /// anti-conservative, with few discordant examples).
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
        if let Some(acc) = deltas.iter_mut().find(|d| d.key == "accuracy") {
            acc.p_value = Some(self.mcnemar.p_value);
            acc.p_method = Some("mcnemar_exact");
        }
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

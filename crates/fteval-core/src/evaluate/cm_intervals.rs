//! Intervals of the confusion-matrix metrics, each by the method that measured closest to
//! nominal coverage: Wilson's score interval for the proportions (accuracy, precision, recall,
//! specificity and the micro averages, which are accuracy for single-label data); for the
//! macro averages of precision and recall (and balanced accuracy), the per-class Wilson
//! intervals combined by MOVER — each class's proportion rests on its own rows (predicted as
//! the class, or gold of the class), and the bootstrap of their mean covered only 87% with 5%
//! positives at n = 200; and the bias-corrected cell bootstrap for everything else (F1, MCC,
//! kappa, F1 and weighted averages) — BC measured closer to 95% than both the percentile method and BCa
//! with the cells' jackknife acceleration, which over-covers with few positives (0.99 for F1
//! at 5% positives, n = 200). Where the bootstrap cannot
//! vary (every row correct, a class never predicted) a bound from plausibly changed rows
//! replaces the zero-width interval, and the cause is reported.

use super::{ci_method, cm_stats, CmStatistics};
use crate::data::{ClassificationInput, Task};
use crate::metrics::classification::{self as cls, ClassCounts};
use crate::stats::bootstrap::{bca_interval, bootstrap_degenerate, BootstrapConfig, Interval};
use crate::stats::mover::mover;
use crate::stats::proportion::{plausible_failures, wilson};

/// Gold rows of the rarest class below which no interval method reaches nominal coverage for
/// metrics that depend on it (measured: balanced accuracy, macro F1, MCC, AUC at 5% positives).
pub(crate) const MIN_MINORITY: u64 = 10;

/// Rows predicted as the rarest predicted class below which its precision (and everything
/// built on it) rests on too few rows. Measured: with 5% positives at n = 200, about 5 rows
/// are predicted positive, and marking below 10 marked 98% of runs whose intervals covered
/// 94–96%; below 3 marks the runs where a class is all but never predicted.
pub(crate) const MIN_PREDICTED: u64 = 3;

/// One statistic's interval and what the report should say about it.
#[derive(Clone, Debug, Default)]
pub(crate) struct StatInterval {
    pub interval: Option<Interval>,
    pub method: &'static str,
    /// Resamples on which the statistic was undefined.
    pub undefined: usize,
    /// Why there is no interval although there is a value.
    pub missing: Option<String>,
    /// Why the interval should not be trusted.
    pub unreliable: Option<String>,
    /// Why the bootstrap could not vary (the interval is a fallback bound).
    pub degenerate: Option<&'static str>,
}

/// A proportion: `successes` of `trials`, reported through `map` (e.g. Jaccard = a / (2 − a)).
#[derive(Clone, Copy, Debug)]
struct Proportion {
    successes: u64,
    trials: u64,
    /// What the trials are, for the note when there are none.
    trials_are: &'static str,
    jaccard: bool,
}

impl Proportion {
    fn of(successes: u64, trials: u64, trials_are: &'static str) -> Option<Proportion> {
        Some(Proportion { successes, trials, trials_are, jaccard: false })
    }
}

/// The statistics (in `cm_stats` order) that are binomial proportions, with their counts.
fn proportions(keys: &[&str], classes: &[ClassCounts], task: Task, positive: Option<usize>) -> Vec<Option<Proportion>> {
    let n: u64 = classes.iter().map(|c| c.support).sum();
    let correct: u64 = classes.iter().map(|c| c.tp).sum();
    let k = classes.len();
    let pos = positive.unwrap_or(k.saturating_sub(1));
    let mut out: Vec<Option<Proportion>> = keys
        .iter()
        .map(|&key| match key {
            "accuracy" | "recall_weighted" => Proportion::of(correct, n, "rows"),
            "precision_micro" | "recall_micro" | "f1_micro" if task != Task::Binary => {
                Proportion::of(correct, n, "rows")
            }
            "jaccard_micro" if task != Task::Binary => {
                Some(Proportion { successes: correct, trials: n, trials_are: "rows", jaccard: true })
            }
            "precision" if task == Task::Binary => {
                Proportion::of(classes[pos].tp, classes[pos].tp + classes[pos].fp, "rows predicted positive")
            }
            "recall" if task == Task::Binary => {
                Proportion::of(classes[pos].tp, classes[pos].support, "positive rows in gold")
            }
            "specificity" if task == Task::Binary => {
                let neg = n - classes[pos].support;
                Proportion::of(neg - classes[pos].fp, neg, "negative rows in gold")
            }
            _ => None,
        })
        .collect();
    for c in classes {
        out.push(Proportion::of(c.tp, c.tp + c.fp, "rows predicted as the class"));
        out.push(Proportion::of(c.tp, c.support, "gold rows of the class"));
        out.push(None);
    }
    out
}

/// Why the rows give no variation to resample, when they do not.
fn degenerate_cause(cells: &[(u32, u32)], counts: &[u64]) -> &'static str {
    let n: u64 = counts.iter().sum();
    let diagonal = cells.iter().zip(counts).filter(|((g, p), _)| g == p).map(|(_, c)| *c).sum::<u64>();
    if n == 1 {
        "a single row"
    } else if diagonal == n {
        "every row is predicted correctly"
    } else if diagonal == 0 {
        "every row is predicted wrongly"
    } else if cells.len() == 1 {
        "every row falls in one confusion-matrix cell"
    } else {
        "the statistic takes the same value on (nearly) every resample (e.g. a class is rarely predicted)"
    }
}

/// Evaluations of changed predictions tried by the fallback bound, at most.
const MAX_PERTURBATIONS: usize = 4096;

/// For statistics the bootstrap cannot vary: the range they take when a plausible number of
/// rows (Wilson's bound on an unseen error rate, about 4) change their prediction, from any
/// cell to any other predicted class.
fn perturbed_range(
    input: &ClassificationInput,
    cells: &[(u32, u32)],
    counts: &[u64],
    n_stats: usize,
    level: f64,
) -> Vec<(f64, f64)> {
    let k = input.labels.len();
    let n: u64 = counts.iter().sum();
    let e = plausible_failures(n, level);
    let mut range = vec![(f64::INFINITY, f64::NEG_INFINITY); n_stats];
    let mut out = vec![0.0; n_stats];
    let mut tried = 0;
    let index: std::collections::HashMap<(u32, u32), usize> = cells.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    for i in 0..cells.len() {
        if tried >= MAX_PERTURBATIONS {
            break;
        }
        let (g, p) = cells[i];
        for q in (0..k as u32).filter(|&q| q != p) {
            if tried >= MAX_PERTURBATIONS {
                break;
            }
            tried += 1;
            let moved = e.min(counts[i]);
            let mut c2 = counts.to_vec();
            let mut cells2 = cells.to_vec();
            c2[i] -= moved;
            match index.get(&(g, q)) {
                Some(&j) => c2[j] += moved,
                None => {
                    cells2.push((g, q));
                    c2.push(moved);
                }
            }
            cm_stats(&cells2, &c2, k, input.task, input.positive, &mut out);
            for (r, &v) in range.iter_mut().zip(&out) {
                if v.is_finite() {
                    r.0 = r.0.min(v);
                    r.1 = r.1.max(v);
                }
            }
        }
    }
    range
}

/// The values a confusion-matrix statistic can take (`None`: a per-class number).
fn natural_range(key: Option<&str>) -> (f64, f64) {
    match key {
        Some("matthews_corrcoef") | Some("cohen_kappa") => (-1.0, 1.0),
        _ => (0.0, 1.0),
    }
}

/// The `unreliable` note for `count` `what` (singular, plural) below the `min` at which
/// intervals reach coverage.
pub(crate) fn too_few_note(count: u64, [one, many]: [&str; 2], min: u64) -> String {
    let count = crate::checks::count(count as f64, one, many);
    format!("only {count}: with fewer than {min}, no interval method reaches 95% coverage")
}

/// Why intervals of metrics that depend on the rarest class should not be trusted, when the
/// counts are too small: gold rows of the rarest class present (binary: positives or
/// negatives) below [`MIN_MINORITY`], or rows predicted as it below [`MIN_PREDICTED`].
fn minority_note(classes: &[ClassCounts], task: Task, positive: Option<usize>) -> Option<String> {
    let note = too_few_note;
    if task == Task::Binary {
        let pos = positive.unwrap_or(classes.len().saturating_sub(1));
        let n: u64 = classes.iter().map(|c| c.support).sum();
        let (m, predicted) = (classes[pos].support, classes[pos].tp + classes[pos].fp);
        let gold = [
            (m, ["positive row in gold", "positive rows in gold"]),
            (n - m, ["negative row in gold", "negative rows in gold"]),
        ];
        let pred = [
            (predicted, ["row predicted positive", "rows predicted positive"]),
            (n - predicted, ["row predicted negative", "rows predicted negative"]),
        ];
        let (g, g_what) = gold.into_iter().min_by_key(|(c, _)| *c)?;
        let (p, p_what) = pred.into_iter().min_by_key(|(c, _)| *c)?;
        return if g < MIN_MINORITY {
            Some(note(g, g_what, MIN_MINORITY))
        } else {
            (p < MIN_PREDICTED).then(|| note(p, p_what, MIN_PREDICTED))
        };
    }
    let present: Vec<&ClassCounts> = classes.iter().filter(|c| c.support > 0).collect();
    let rarest = present.iter().map(|c| c.support).min()?;
    let predicted = present.iter().map(|c| c.tp + c.fp).min()?;
    if rarest < MIN_MINORITY {
        Some(note(rarest, ["gold row in the rarest class", "gold rows in the rarest class"], MIN_MINORITY))
    } else {
        (predicted < MIN_PREDICTED).then(|| {
            note(
                predicted,
                ["row predicted as a class present in gold", "rows predicted as a class present in gold"],
                MIN_PREDICTED,
            )
        })
    }
}

/// The statistic (in `cm_stats` order) that is a mean of per-class proportions over disjoint
/// rows: the macro averages of precision and recall, and balanced accuracy (mean recall over
/// the classes present in gold).
fn class_mean(key: Option<&str>) -> Option<ClassMean> {
    match key? {
        "precision_macro" => Some(ClassMean::Precision),
        "recall_macro" => Some(ClassMean::Recall { present_only: false }),
        "balanced_accuracy" => Some(ClassMean::Recall { present_only: true }),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug)]
enum ClassMean {
    Precision,
    Recall { present_only: bool },
}

/// MOVER for a mean of independent proportions, from their Wilson intervals. A class without
/// rows to divide by (0/0, which scikit-learn scores 0) adds no width; the minority note marks
/// such runs.
fn mover_class_mean(classes: &[ClassCounts], which: ClassMean, level: f64, point: f64) -> Option<Interval> {
    let parts: Vec<(u64, u64)> = classes
        .iter()
        .filter(|c| !matches!(which, ClassMean::Recall { present_only: true }) || c.support > 0)
        .map(|c| match which {
            ClassMean::Precision => (c.tp, c.tp + c.fp),
            ClassMean::Recall { .. } => (c.tp, c.support),
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    let w = 1.0 / parts.len() as f64;
    // A class without rows to divide by has no interval and adds no width.
    let terms: Vec<(f64, f64, Interval)> =
        parts.iter().filter_map(|&(x, t)| wilson(x, t, level).map(|iv| (w, x as f64 / t as f64, iv))).collect();
    // `point` is the statistic itself: the mean of the per-class proportions.
    let iv = mover(point, &terms);
    Some(Interval { low: iv.low.clamp(0.0, point), high: iv.high.clamp(point, 1.0) })
}

/// Replicates held at once, at most (numbers): statistics needing the bootstrap are drawn in
/// groups of `REPLICATE_BUDGET / resamples`, each group by the same resamples, so 30 000
/// per-class F1 bootstraps of 1000 resamples take 256 MiB in one group; 100 000 take four.
const REPLICATE_BUDGET: usize = 1 << 25;

/// How one statistic's interval is obtained.
#[derive(Clone, Copy, Debug)]
enum Rule {
    Wilson(Proportion),
    Mover(ClassMean),
    Bootstrap,
}

/// The interval of the first `wanted` confusion-matrix statistics (`cm_stats` order, `keys`
/// first).
pub(crate) fn cm_intervals(
    input: &ClassificationInput,
    keys: &[&str],
    stats: &CmStatistics,
    config: &BootstrapConfig,
    wanted: usize,
) -> Vec<StatInterval> {
    let wanted = wanted.min(stats.point.len());
    if config.resamples == 0 {
        return vec![StatInterval::default(); wanted];
    }
    let n_stats = stats.point.len();
    let k = input.labels.len();
    let classes = cls::class_counts(&stats.cells, &stats.counts, k);
    let props = proportions(keys, &classes, input.task, input.positive);
    let minority = minority_note(&classes, input.task, input.positive);
    let cause = degenerate_cause(&stats.cells, &stats.counts);
    let rules: Vec<Rule> = (0..wanted)
        .map(|j| match (props[j], class_mean(keys.get(j).copied())) {
            (Some(p), _) => Rule::Wilson(p),
            (None, Some(which)) => Rule::Mover(which),
            (None, None) => Rule::Bootstrap,
        })
        .collect();
    let mut out = vec![StatInterval::default(); wanted];
    let mut fallback: Option<Vec<(f64, f64)>> = None;
    let mut interval_of = |j: usize, replicates: Option<&mut Vec<f64>>| -> StatInterval {
        let point = stats.point[j];
        match (rules[j], replicates) {
            (Rule::Wilson(p), _) => {
                let iv = wilson(p.successes, p.trials, config.level).map(|iv| {
                    if p.jaccard {
                        let f = |a: f64| a / (2.0 - a);
                        Interval { low: f(iv.low), high: f(iv.high) }
                    } else {
                        iv
                    }
                });
                let missing = iv.is_none().then(|| {
                    format!(
                        "no interval: there are no {} (0/0; the value is scikit-learn's zero_division=0)",
                        p.trials_are
                    )
                });
                let unreliable = missing.clone();
                StatInterval { interval: iv, method: ci_method::WILSON, missing, unreliable, ..Default::default() }
            }
            (Rule::Mover(which), _) => StatInterval {
                interval: mover_class_mean(&classes, which, config.level, point),
                method: ci_method::WILSON_MOVER,
                unreliable: minority.clone(),
                ..Default::default()
            },
            (Rule::Bootstrap, None) => StatInterval::default(),
            (Rule::Bootstrap, Some(replicates)) => {
                // Bias-corrected percentile (BCa with acceleration 0): measured closest to 95%.
                let bc = bca_interval(replicates, config.level, point, 0.0);
                if bootstrap_degenerate(bc.interval, replicates, point) && point.is_finite() {
                    let range = fallback.get_or_insert_with(|| {
                        perturbed_range(input, &stats.cells, &stats.counts, n_stats, config.level)
                    })[j];
                    let (mut low, mut high) = (range.0.min(point), range.1.max(point));
                    if !(high > low) {
                        // Nothing in these rows bounds the metric: its whole range.
                        (low, high) = natural_range(keys.get(j).copied());
                    }
                    return StatInterval {
                        interval: Some(Interval { low, high }),
                        method: ci_method::CHANGED_ROWS_BOUND,
                        unreliable: Some(format!(
                            "the bootstrap cannot vary ({cause}); the interval is the range when {} row(s) change their prediction",
                            plausible_failures(stats.counts.iter().sum(), config.level)
                        )),
                        degenerate: Some(cause),
                        ..Default::default()
                    };
                }
                StatInterval {
                    interval: bc.interval,
                    method: ci_method::BOOTSTRAP_BC,
                    undefined: bc.undefined,
                    unreliable: minority.clone(),
                    ..Default::default()
                }
            }
        }
    };
    for (j, slot) in out.iter_mut().enumerate() {
        if !matches!(rules[j], Rule::Bootstrap) {
            *slot = interval_of(j, None);
        }
    }
    let boot: Vec<usize> = (0..wanted).filter(|&j| matches!(rules[j], Rule::Bootstrap)).collect();
    let group = (REPLICATE_BUDGET / config.resamples).max(1);
    for chunk in boot.chunks(group) {
        let mut replicates = stats.replicates(config, chunk);
        for (&j, r) in chunk.iter().zip(replicates.iter_mut()) {
            out[j] = interval_of(j, Some(r));
        }
    }
    out
}

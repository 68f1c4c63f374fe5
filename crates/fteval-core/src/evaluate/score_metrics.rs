//! Metrics of predicted probabilities with their intervals: binary (ROC AUC, average
//! precision, log loss, Brier, ECE) and multiclass (log loss, one-vs-rest and one-vs-one AUC,
//! Brier, ECE, top-2 accuracy).

use rayon::prelude::*;

use super::calibration::{ece_interval, CalibrationGroups};
use super::cm_intervals::{too_few_note, MIN_MINORITY};
use super::intervals::{
    auc_interval, bootstrap_means, end_bound, mean_acceleration, mean_se, normal_interval, score_cell_replicates,
};
use super::{ci_method, MetricResult, MAX_SCORE_CELLS, MEAN_BOOTSTRAP_MAX_ROWS};
use crate::checks::{self, Check, NormalisationFacts, Severity};
use crate::data::{ClassificationInput, Scores, Task};
use crate::metrics::scores::{self, multiclass as mc, ScoreGroups};
use crate::stats::bootstrap::{bca_interval, bootstrap_degenerate, BootstrapConfig, Interval};
use crate::stats::delong::{class_aucs, class_influence, delong_variance_groups, sorted_by_score};
use crate::stats::proportion::wilson;

/// Metrics whose interval had to fall back because the resampling cannot vary, with the cause.
pub(super) type Degenerate = Vec<(String, &'static str)>;

pub(super) fn score_metrics(
    input: &ClassificationInput,
    scores: &Scores,
    config: &BootstrapConfig,
) -> (Vec<(String, MetricResult)>, Vec<Check>, Degenerate) {
    let mut degenerate = Vec::new();
    match (input.task, scores) {
        (Task::Binary, Scores::Positive(s)) => {
            (binary_score_metrics(input, s, config, &mut degenerate), Vec::new(), degenerate)
        }
        (Task::Binary, Scores::PerClass(p)) => {
            let k = input.labels.len();
            let pos = input.positive.unwrap_or(k - 1);
            let s: Vec<f64> = p.chunks(k).map(|row| row[pos]).collect();
            let mut checks = Vec::new();
            checks.extend(normalisation_check(p, k, false));
            (binary_score_metrics(input, &s, config, &mut degenerate), checks, degenerate)
        }
        (_, Scores::PerClass(p)) => {
            let k = input.labels.len();
            let metrics = multiclass_score_metrics(input, p, config, &mut degenerate);
            (metrics, normalisation_check(p, k, true).into_iter().collect(), degenerate)
        }
        (_, Scores::Positive(_)) => (
            Vec::new(),
            vec![Check::new(
                "scores_ignored",
                Severity::Warn,
                "A single score column cannot describe a multiclass model; score-based metrics were skipped. \
                 Give one probability column per class (prob_<label>) or a list column (--probs-col).",
            )],
            degenerate,
        ),
    }
}

/// The rows of per-class probabilities that do not sum to 1, by the loose tolerance of the
/// warning (1e-3) and by scikit-learn's multiclass ROC AUC test.
fn normalisation_facts(probs: &[f64], k: usize, multiclass: bool) -> NormalisationFacts {
    let mut f = NormalisationFacts {
        bad_rows: 0,
        refused_rows: 0,
        first: None,
        max_deviation: 0.0,
        rows: probs.len() / k.max(1),
        multiclass,
        top_k: multiclass && k > 2,
    };
    for (i, row) in probs.chunks(k.max(1)).enumerate() {
        let s: f64 = row.iter().sum();
        let deviation = (s - 1.0).abs();
        f.max_deviation = f.max_deviation.max(deviation);
        f.bad_rows += usize::from(deviation > 1e-3);
        if !mc::sum_accepted_by_sklearn_auc(s) {
            f.refused_rows += 1;
            f.first.get_or_insert((i, s));
        }
    }
    f
}

fn normalisation_check(probs: &[f64], k: usize, multiclass: bool) -> Option<Check> {
    checks::probabilities_not_normalised(&normalisation_facts(probs, k, multiclass))
}

fn binary_score_metrics(
    input: &ClassificationInput,
    s: &[f64],
    config: &BootstrapConfig,
    degenerate: &mut Degenerate,
) -> Vec<(String, MetricResult)> {
    let pos = input.positive.unwrap_or(input.labels.len() - 1) as u32;
    let is_pos = |i: usize| input.gold[i] == pos;
    let groups = ScoreGroups::build(s, is_pos);
    let (g_s, g_p, g_n) = (&groups.score, &groups.pos, &groups.neg);
    let n_pos: u64 = g_p.iter().sum();
    let n_neg: u64 = g_n.iter().sum();
    let mut out = Vec::new();
    let boot = config.resamples > 0;

    // ROC AUC with DeLong's variance on the logit scale, computed on the score groups.
    let auc = if n_pos == 0 || n_neg == 0 {
        MetricResult::undefined(format!(
            "ROC AUC needs both classes in gold; this test set has {} positive and {} negative rows",
            n_pos, n_neg
        ))
    } else {
        let auc = scores::roc_auc(g_p, g_n);
        let mut r = MetricResult::point(auc);
        if boot {
            let var = delong_variance_groups(g_p, g_n, auc);
            let a = auc_interval(auc, var, n_pos, n_neg, config.level, ["positive", "negative"]);
            r = r.with_interval(Some(a.interval), ci_method::DELONG_LOGIT);
            r.unreliable = a.unreliable;
            if let Some(c) = a.degenerate {
                degenerate.push(("roc_auc".to_string(), c));
            }
        }
        r
    };
    out.push(("roc_auc".to_string(), auc));

    let calibration = CalibrationGroups::binary(g_s);
    let exact = [
        scores::average_precision(g_p, g_n),
        calibration.debiased_ece(g_p, g_n),
        scores::log_loss_binary(g_s, g_p, g_n),
        scores::brier_binary(g_s, g_p, g_n),
    ];
    let ece = scores::ece_binary(g_s, g_p, g_n);
    let exact_cells = groups.score.len() <= MAX_SCORE_CELLS || s.len() <= MEAN_BOOTSTRAP_MAX_ROWS;
    let replicates = if !boot {
        vec![Vec::new(); 4]
    } else {
        let coarse;
        let used = if exact_cells {
            &groups
        } else {
            coarse = groups.coarsen(MAX_SCORE_CELLS);
            &coarse
        };
        let cal = CalibrationGroups::binary(&used.score);
        let logs = scores::LogTerms::of(&used.score);
        let stat = |sc: &[f64], p: &[u64], n: &[u64], o: &mut [f64]| {
            o[0] = scores::average_precision(p, n);
            o[1] = cal.debiased_ece(p, n);
            o[2] = scores::log_loss_binary_terms(&logs, p, n);
            o[3] = scores::brier_binary(sc, p, n);
        };
        score_cell_replicates(used, &exact, config, stat)
    };
    let mut replicates = replicates.into_iter();
    let mut next = || replicates.next().unwrap_or_default();
    let minority = auc_unreliable(n_pos, n_neg);

    let mut ap_reps = next();
    out.push((
        "average_precision".to_string(),
        if exact[0].is_nan() {
            MetricResult::undefined("average precision needs at least one positive example in gold")
        } else if !boot {
            MetricResult::point(exact[0])
        } else {
            let method = if exact_cells { ci_method::BOOTSTRAP_BC } else { ci_method::BOOTSTRAP_BC_BINNED };
            let iv = bca_interval(&mut ap_reps, config.level, exact[0], 0.0).interval;
            if bootstrap_degenerate(iv, &ap_reps, exact[0]) {
                // Every resample ranks the positives first (AP 1): Wilson's bound over the
                // positives, as for an AUC of 1 (seen at n = 50: zero width in 1 of 1000 runs).
                let cause = "every resample ranks all positives first";
                degenerate.push(("average_precision".to_string(), cause));
                let bound = end_bound(exact[0], n_pos, 1.0, config.level);
                let mut r = MetricResult::point(exact[0]).with_interval(bound, ci_method::CHANGED_ROWS_BOUND);
                r.unreliable = Some(format!("the bootstrap cannot vary: {cause}"));
                r
            } else {
                let mut r = MetricResult::point(exact[0]).with_interval(iv, method);
                r.unreliable = minority.clone();
                r
            }
        },
    ));
    let mut ece_reps = next();
    // Means: BCa bootstrap at small n (skewed per-row losses), normal interval at large n.
    let n = s.len() as f64;
    for (j, key) in [(2usize, "log_loss"), (3, "brier_score")] {
        let mut reps = next();
        let iv = if !boot {
            None
        } else if exact_cells {
            let a = mean_acceleration(row_values(g_s, g_p, g_n, j == 2));
            bca_interval(&mut reps, config.level, exact[j], a).interval
        } else {
            let (mean, mean_sq) = group_moments(g_s, g_p, g_n, j == 2);
            let var = (mean_sq - mean * mean).max(0.0) * n / (n - 1.0);
            Some(normal_interval(exact[j], (var / n).sqrt(), config.level, Some((0.0, f64::INFINITY))))
        };
        let method = if exact_cells { ci_method::BOOTSTRAP_BCA } else { ci_method::NORMAL };
        let mut r = MetricResult::point(exact[j]).with_interval(iv, method);
        if boot {
            r.unreliable = minority.clone();
        }
        out.push((key.to_string(), r));
    }
    let mut ece_result = MetricResult::point(ece);
    if boot {
        let method = if exact_cells { ci_method::ECE_DEBIASED } else { ci_method::ECE_DEBIASED_BINNED };
        ece_result = ece_result.with_interval(ece_interval(&mut ece_reps, config.level, exact[1], ece), method);
    }
    out.push(("ece".to_string(), ece_result));
    // Keep the key order of SPEC: roc_auc, average_precision, log_loss, brier_score, ece.
    out
}

/// Why intervals of metrics driven by the rarer gold class are unreliable, when they are.
fn auc_unreliable(n_pos: u64, n_neg: u64) -> Option<String> {
    let few = n_pos.min(n_neg);
    let side = if n_pos <= n_neg {
        ["positive row in gold", "positive rows in gold"]
    } else {
        ["negative row in gold", "negative rows in gold"]
    };
    (few < MIN_MINORITY).then(|| too_few_note(few, side, MIN_MINORITY))
}

/// Each score group's per-row log loss (or Brier) of its positives and of its negatives, with
/// their counts as weights.
fn row_values<'a>(
    sc: &'a [f64],
    p: &'a [u64],
    n: &'a [u64],
    log_loss: bool,
) -> impl Iterator<Item = (f64, f64)> + Clone + 'a {
    (0..sc.len()).flat_map(move |i| {
        let (lp, ln) = row_losses(sc[i], log_loss);
        [(lp, p[i] as f64), (ln, n[i] as f64)]
    })
}

/// Per-row log loss (or Brier) of a positive and of a negative row scored `s`.
fn row_losses(s: f64, log_loss: bool) -> (f64, f64) {
    if log_loss {
        (-s.clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln(), -(1.0 - s).clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln())
    } else {
        ((1.0 - s) * (1.0 - s), s * s)
    }
}

/// Mean and mean square of per-row log loss (or Brier) over score groups.
fn group_moments(sc: &[f64], p: &[u64], n: &[u64], log_loss: bool) -> (f64, f64) {
    let (mut sum, mut sq, mut count) = (0.0, 0.0, 0.0);
    for i in 0..sc.len() {
        let (lp, ln) = row_losses(sc[i], log_loss);
        let (wp, wn) = (p[i] as f64, n[i] as f64);
        sum += wp * lp + wn * ln;
        sq += wp * lp * lp + wn * ln * ln;
        count += wp + wn;
    }
    (sum / count, sq / count)
}

fn multiclass_score_metrics(
    input: &ClassificationInput,
    probs: &[f64],
    config: &BootstrapConfig,
    degenerate: &mut Degenerate,
) -> Vec<(String, MetricResult)> {
    let k = input.labels.len();
    let n = input.gold.len();
    let boot = config.resamples > 0;
    let rows = || probs.chunks_exact(k);
    let gold = &input.gold;

    let losses: Vec<f64> = rows().zip(gold).map(|(r, &g)| mc::row_log_loss(r, g as usize)).collect();
    let briers: Vec<f64> = rows().zip(gold).map(|(r, &g)| mc::row_brier(r, g as usize)).collect();
    let mean_intervals: Vec<Option<Interval>> = if !boot {
        vec![None, None]
    } else if n <= MEAN_BOOTSTRAP_MAX_ROWS {
        bootstrap_means(&[&losses, &briers], config, 0x5C0E)
    } else {
        [&losses, &briers]
            .iter()
            .map(|v| {
                let (m, se) = mean_se(v);
                Some(normal_interval(m, se, config.level, Some((0.0, f64::INFINITY))))
            })
            .collect()
    };
    let mean_method = if n <= MEAN_BOOTSTRAP_MAX_ROWS { ci_method::BOOTSTRAP_BCA } else { ci_method::NORMAL };
    let mut out = Vec::new();
    let (ll, _) = mean_se(&losses);
    out.push(("log_loss".to_string(), MetricResult::point(ll).with_interval(mean_intervals[0], mean_method)));

    out.extend(multiclass_auc_metrics(input, probs, config, degenerate));

    let (br, _) = mean_se(&briers);
    out.push(("brier_score".to_string(), MetricResult::point(br).with_interval(mean_intervals[1], mean_method)));

    // ECE on (confidence, correct) groups; top-2 accuracy on hit/miss counts.
    let mut conf_rows: Vec<(f64, bool)> = rows()
        .zip(gold)
        .map(|(r, &g)| {
            let (c, arg) = mc::row_top(r);
            (c, arg == g as usize)
        })
        .collect();
    conf_rows.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut groups = ScoreGroups::default();
    for (c, ok) in conf_rows {
        if groups.score.last() != Some(&c) {
            groups.score.push(c);
            groups.pos.push(0);
            groups.neg.push(0);
        }
        let last = groups.score.len() - 1;
        if ok {
            groups.pos[last] += 1;
        } else {
            groups.neg[last] += 1;
        }
    }
    let ece = scores::ece_groups(&groups.score, &groups.pos, &groups.neg);
    let exact_cells = groups.score.len() <= MAX_SCORE_CELLS || n <= MEAN_BOOTSTRAP_MAX_ROWS;
    let ece_iv = if !boot {
        None
    } else {
        let coarse;
        let used = if exact_cells {
            &groups
        } else {
            coarse = groups.coarsen(MAX_SCORE_CELLS);
            &coarse
        };
        let debiased = CalibrationGroups::top_label(&groups.score).debiased_ece(&groups.pos, &groups.neg);
        let cal = CalibrationGroups::top_label(&used.score);
        let stat = |_: &[f64], p: &[u64], q: &[u64], o: &mut [f64]| o[0] = cal.debiased_ece(p, q);
        let mut reps = score_cell_replicates(used, &[debiased], config, stat).pop().unwrap_or_default();
        ece_interval(&mut reps, config.level, debiased, ece)
    };
    let ece_method = if exact_cells { ci_method::ECE_DEBIASED } else { ci_method::ECE_DEBIASED_BINNED };
    out.push(("ece".to_string(), MetricResult::point(ece).with_interval(ece_iv, ece_method)));

    if k > 2 {
        let hits = rows().zip(gold).filter(|(r, &g)| mc::row_in_top_k(r, g as usize, 2)).count() as u64;
        let top2 = hits as f64 / n as f64;
        let iv = if boot { wilson(hits, n as u64, config.level) } else { None };
        out.push(("top_2_accuracy".to_string(), MetricResult::point(top2).with_interval(iv, ci_method::WILSON)));
    }
    out
}

pub(crate) const MULTICLASS_AUC_KEYS: [&str; 3] = ["roc_auc_ovr", "roc_auc_ovr_weighted", "roc_auc_ovo"];

/// The averaged multiclass AUCs (`MULTICLASS_AUC_KEYS` order) and each row's influence on
/// them, so that Var(AUC_j) ≈ Σ_rows infl[row][j]²; paired comparisons difference the
/// influences of two models row by row.
pub(crate) struct AucInfluence {
    pub values: [f64; 3],
    pub infl: Vec<[f64; 3]>,
    /// Labels without gold examples (their one-vs-rest AUC is undefined).
    pub absent: Vec<String>,
}

/// None when fewer than two classes have gold examples.
pub(crate) fn auc_influence(input: &ClassificationInput, probs: &[f64]) -> Option<AucInfluence> {
    let k = input.labels.len();
    let n = input.gold.len();
    let gold = &input.gold;
    let mut support = vec![0u64; k];
    gold.iter().for_each(|&g| support[g as usize] += 1);
    // As scikit-learn with `labels=`: classes absent from gold leave the one-vs-rest macro
    // average undefined, weigh 0 in the prevalence-weighted one, and one-vs-one pairs are
    // formed among the classes present.
    let present: Vec<usize> = (0..k).filter(|&c| support[c] > 0).collect();
    if k < 2 || present.len() < 2 {
        return None;
    }
    let absent: Vec<String> = (0..k).filter(|&c| support[c] == 0).map(|c| input.labels[c].clone()).collect();
    let n_pairs = (present.len() * (present.len() - 1) / 2) as f64;
    let work = |classes: &[usize]| {
        let mut infl = vec![[0.0f64; 3]; n];
        let mut sums = [0.0f64; 3];
        for &c in classes {
            let sorted = sorted_by_score(n, |i| probs[i * k + c]);
            let aucs = class_aucs(&sorted, gold, c, &support);
            let w = support[c] as f64 / n as f64;
            sums[0] += aucs.ovr / k as f64;
            sums[1] += aucs.ovr * w;
            sums[2] += aucs.ovo.iter().filter(|x| !x.is_nan()).sum::<f64>() / (2.0 * n_pairs);
            let weights = [1.0 / k as f64, w, 1.0 / (2.0 * n_pairs)];
            class_influence(&sorted, gold, &aucs, &support, |row, ovr, ovo| {
                let slot = &mut infl[row];
                slot[0] += weights[0] * ovr;
                slot[1] += weights[1] * ovr;
                slot[2] += weights[2] * ovo;
            });
        }
        (infl, sums)
    };
    let (first, second) = present.split_at(present.len() / 2);
    let ((mut infl, sums_a), (infl_b, sums_b)) = rayon::join(|| work(first), || work(second));
    for (a, b) in infl.iter_mut().zip(&infl_b) {
        for j in 0..3 {
            a[j] += b[j];
        }
    }
    let values = [sums_a[0] + sums_b[0], sums_a[1] + sums_b[1], sums_a[2] + sums_b[2]];
    Some(AucInfluence { values, infl, absent })
}

/// Why the multiclass ROC AUCs are empty for scores whose rows do not sum to 1: scikit-learn's
/// `roc_auc_score(multi_class='ovr'/'ovo')` raises there, so there is no reference value.
pub(crate) fn unnormalised_auc_reason(row: usize, sum: f64) -> String {
    format!(
        "the class probabilities of data row {} sum to {sum:.6}, not 1: scikit-learn's multiclass roc_auc_score refuses such scores (numpy.allclose, 1e-5); apply softmax or divide each row by its sum",
        row + 1
    )
}

/// One-vs-rest (macro and prevalence-weighted) and one-vs-one (Hand & Till) ROC AUC, with
/// DeLong-type intervals from per-row influence values.
fn multiclass_auc_metrics(
    input: &ClassificationInput,
    probs: &[f64],
    config: &BootstrapConfig,
    degenerate: &mut Degenerate,
) -> Vec<(String, MetricResult)> {
    if let Some((row, sum)) = mc::first_row_refused_by_sklearn_auc(probs, input.labels.len()) {
        return MULTICLASS_AUC_KEYS
            .iter()
            .map(|key| (key.to_string(), MetricResult::undefined(unnormalised_auc_reason(row, sum))))
            .collect();
    }
    let Some(AucInfluence { values, infl, absent }) = auc_influence(input, probs) else {
        let reason = "ROC AUC needs at least two classes with examples in gold";
        return MULTICLASS_AUC_KEYS.iter().map(|key| (key.to_string(), MetricResult::undefined(reason))).collect();
    };
    let boot = config.resamples > 0;
    let k = input.labels.len();
    let mut support = vec![0u64; k];
    input.gold.iter().for_each(|&g| support[g as usize] += 1);
    let rarest = support.iter().copied().filter(|&c| c > 0).min().unwrap_or(0);
    let n = input.gold.len() as u64;
    MULTICLASS_AUC_KEYS
        .iter()
        .enumerate()
        .map(|(j, key)| {
            if j == 0 && !absent.is_empty() {
                return (
                    key.to_string(),
                    MetricResult::undefined(format!(
                        "no gold examples of {}: their one-vs-rest AUC is undefined, and so is the macro average (scikit-learn gives NaN)",
                        crate::checks::listing(&absent.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>())
                    )),
                );
            }
            let value = values[j];
            let mut r = MetricResult::point(value);
            if boot {
                let var: f64 = infl.iter().map(|x| x[j] * x[j]).sum();
                let a = auc_interval(value, var, rarest, n - rarest, config.level, ["rarest-class", "other"]);
                r = r.with_interval(Some(a.interval), ci_method::DELONG_AVERAGE_LOGIT);
                r.unreliable = a.unreliable;
                if let Some(c) = a.degenerate {
                    degenerate.push((key.to_string(), c));
                }
            }
            (key.to_string(), r)
        })
        .collect()
}

//! Paired deltas of the score metrics: DeLong's test for ROC AUC; a paired row bootstrap for
//! log loss, Brier, average precision, ECE and top-2 accuracy up to 20,000 rows; above that a
//! normal interval for the mean per-example difference of the losses.
//!
//! p-values: DeLong's for ROC AUC (and the influence-based normal test for the averaged
//! multiclass AUCs); the paired randomisation test for the rest. For the means (log loss,
//! Brier, top-2 accuracy) a swap flips the sign of a row's difference: exact over the 2^d sign
//! patterns of d ≤ 20 nonzero differences at any n, Monte Carlo up to 20,000 rows, the normal
//! test above. For AP and ECE a swap exchanges a row's scores between the two pseudo-models:
//! exact when 2^d · n is small, Monte Carlo up to 20,000 rows.

use rayon::prelude::*;

use super::{delta_method, Delta, PairedReplicates};
use crate::data::{ClassificationInput, Scores, Task};
use crate::evaluate::{auc_influence, MEAN_BOOTSTRAP_MAX_ROWS, MULTICLASS_AUC_KEYS};
use crate::metrics::scores::{self, multiclass as mc, EceBins};
use crate::stats::bootstrap::BootstrapConfig;
use crate::stats::delong::{delong_paired, sorted_by_score, PairedAuc};
use crate::stats::randomisation::{
    at_least_as_extreme, p_from_patterns, sign_flip_p, swap_mask, swapped, RandomisationP, MAX_EXACT_EXAMPLES,
};
use crate::stats::rng::Rng;

/// Most row-metric evaluations (2^d patterns × 2n rows) of an exact row-swap enumeration for
/// AP and ECE; beyond it, Monte Carlo.
const MAX_EXACT_ROW_WORK: u64 = 1 << 28;

/// Per-example quantities of one model's scores, and how to compute its score metrics from
/// row weights (1 for every row, or how often a bootstrap resample drew it).
struct RowScores {
    /// Binary: positive-class scores and each row's tie group (ascending by score).
    binary: Option<(Vec<f64>, Vec<u32>)>,
    loss: Vec<f64>,
    brier: Vec<f64>,
    /// Multiclass: top-label confidence, whether the arg-max is gold, gold in the top 2.
    conf: Vec<f64>,
    correct: Vec<bool>,
    top2: Vec<bool>,
}

/// Metric keys computed from row weights, in output order, with "higher is better".
fn weighted_keys(task: Task, k: usize) -> Vec<(&'static str, bool)> {
    let mut keys = vec![("log_loss", false), ("brier_score", false), ("ece", false)];
    if task == Task::Binary {
        keys.insert(0, ("average_precision", true));
    } else if k > 2 {
        keys.push(("top_2_accuracy", true));
    }
    keys
}

impl RowScores {
    fn new(input: &ClassificationInput, is_pos: &[bool]) -> Option<RowScores> {
        let clip = |p: f64| p.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
        match input.scores.as_ref()? {
            // A positive-class score only means something for a binary task.
            Scores::Positive(_) if is_pos.len() != input.gold.len() => None,
            Scores::Positive(s) => {
                let sorted = sorted_by_score(s.len(), |i| s[i]);
                let mut group = vec![0u32; s.len()];
                let mut g = 0u32;
                for w in 0..sorted.len() {
                    if w > 0 && sorted[w].0 != sorted[w - 1].0 {
                        g += 1;
                    }
                    group[sorted[w].1 as usize] = g;
                }
                let loss =
                    s.iter().zip(is_pos).map(|(&p, &y)| -(if y { clip(p) } else { clip(1.0 - p) }).ln()).collect();
                let brier = s.iter().zip(is_pos).map(|(&p, &y)| (p - y as u8 as f64).powi(2)).collect();
                Some(RowScores {
                    binary: Some((s.clone(), group)),
                    loss,
                    brier,
                    conf: Vec::new(),
                    correct: Vec::new(),
                    top2: Vec::new(),
                })
            }
            Scores::PerClass(v) => {
                let k = input.labels.len();
                let rows = || v.chunks(k).zip(&input.gold).map(|(r, &g)| (r, g as usize));
                Some(RowScores {
                    binary: None,
                    loss: rows().map(|(r, g)| mc::row_log_loss(r, g)).collect(),
                    brier: rows().map(|(r, g)| mc::row_brier(r, g)).collect(),
                    conf: rows().map(|(r, _)| mc::row_top(r).0).collect(),
                    correct: rows().map(|(r, g)| mc::row_top(r).1 == g).collect(),
                    top2: rows().map(|(r, g)| mc::row_in_top_k(r, g, 2)).collect(),
                })
            }
        }
    }

    /// The weighted-key metrics under row weights `w`, written to `out`.
    fn stats(&self, w: &[u32], is_pos: &[bool], out: &mut [f64]) {
        let total: f64 = w.iter().map(|&x| x as f64).sum();
        let mean = |v: &[f64]| v.iter().zip(w).map(|(x, &c)| x * c as f64).sum::<f64>() / total;
        let mut i = 0;
        if let Some((s, group)) = &self.binary {
            let groups = group.iter().max().map_or(0, |&g| g as usize + 1);
            let (mut pos, mut neg, mut score) = (vec![0u64; groups], vec![0u64; groups], vec![0.0; groups]);
            for r in 0..s.len() {
                let g = group[r] as usize;
                score[g] = s[r];
                if is_pos[r] {
                    pos[g] += w[r] as u64;
                } else {
                    neg[g] += w[r] as u64;
                }
            }
            out[i] = scores::average_precision(&pos, &neg);
            i += 1;
            out[i] = mean(&self.loss);
            out[i + 1] = mean(&self.brier);
            out[i + 2] = scores::ece_binary(&score, &pos, &neg);
            return;
        }
        out[i] = mean(&self.loss);
        out[i + 1] = mean(&self.brier);
        let mut bins = EceBins::default();
        for ((&conf, &ok), &c) in self.conf.iter().zip(&self.correct).zip(w) {
            if c > 0 {
                bins.add(conf, if ok { c as f64 } else { 0.0 }, c as f64);
            }
        }
        out[i + 2] = bins.ece();
        if !self.top2.is_empty() && out.len() > i + 3 {
            out[i + 3] = self.top2.iter().zip(w).filter(|(t, _)| **t).map(|(_, &c)| c as f64).sum::<f64>() / total;
        }
    }
}

/// Resample row weights: `resamples` draws of n rows with replacement (resample i uses
/// generator stream i, so results do not depend on thread count).
fn row_bootstrap<F>(n: usize, config: &BootstrapConfig, n_stats: usize, stat: F) -> Vec<Vec<f64>>
where
    F: Fn(&[u32], &mut [f64]) + Sync,
{
    let per_resample: Vec<Vec<f64>> = (0..config.resamples)
        .into_par_iter()
        .map_init(
            || vec![0u32; n],
            |w, i| {
                let mut rng = Rng::new(config.seed ^ 0x9A1D_0000, i as u64 + 1);
                w.iter_mut().for_each(|x| *x = 0);
                for _ in 0..n {
                    w[rng.below(n as u64) as usize] += 1;
                }
                let mut out = vec![f64::NAN; n_stats];
                stat(w, &mut out);
                out
            },
        )
        .collect();
    (0..n_stats).map(|j| per_resample.iter().map(|r| r[j]).collect()).collect()
}

/// Normal-interval delta of a mean: per-example differences candidate − baseline.
fn mean_difference(key: &str, a: &[f64], b: &[f64], higher_is_better: bool, level: f64) -> Delta {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let d = mb - ma;
    let var = a.iter().zip(b).map(|(x, y)| (y - x - d).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    Delta::from_normal(key, ma, mb, higher_is_better, (var / n).sqrt(), level, delta_method::NORMAL)
}

/// Rows whose scores differ between the two models (a swap changes nothing elsewhere).
fn differing_rows(a: &ClassificationInput, b: &ClassificationInput) -> Vec<usize> {
    match (&a.scores, &b.scores) {
        (Some(Scores::Positive(x)), Some(Scores::Positive(y))) => (0..x.len()).filter(|&i| x[i] != y[i]).collect(),
        (Some(Scores::PerClass(x)), Some(Scores::PerClass(y))) => {
            let k = a.labels.len().max(1);
            (0..a.gold.len()).filter(|&i| x[i * k..(i + 1) * k] != y[i * k..(i + 1) * k]).collect()
        }
        _ => Vec::new(),
    }
}

/// Row-swap randomisation p-values of the weighted-key deltas (used for AP and ECE): both
/// models' rows in one 2n-row table, pseudo-model P taking row r's baseline scores where
/// the pattern swaps it and the candidate's elsewhere, Q the rest; T = stat(P) − stat(Q).
/// Exact over the 2^d patterns of the d differing rows when cheap, else Monte Carlo (None
/// above the row limit or without trials).
fn row_swap_p(
    a: &ClassificationInput,
    b: &ClassificationInput,
    is_pos: &[bool],
    observed: &[f64],
    rows: &[usize],
    config: &BootstrapConfig,
) -> Option<Vec<RandomisationP>> {
    let n = a.gold.len();
    let d = rows.len();
    let exact = d <= MAX_EXACT_EXAMPLES && (1u64 << d).saturating_mul(2 * n as u64) <= MAX_EXACT_ROW_WORK;
    if !exact && (n > MEAN_BOOTSTRAP_MAX_ROWS || config.resamples == 0) {
        return None;
    }
    let scores = match (&a.scores, &b.scores) {
        (Some(Scores::Positive(x)), Some(Scores::Positive(y))) => Scores::Positive([x.as_slice(), y].concat()),
        (Some(Scores::PerClass(x)), Some(Scores::PerClass(y))) => Scores::PerClass([x.as_slice(), y].concat()),
        _ => return None,
    };
    let both = ClassificationInput {
        gold: [a.gold.as_slice(), &a.gold].concat(),
        pred: [a.pred.as_slice(), &b.pred].concat(),
        scores: Some(scores),
        ..a.clone()
    };
    let pos2: Vec<bool> = [is_pos, is_pos].concat();
    let rs = RowScores::new(&both, &pos2)?;
    let m = observed.len();
    let patterns = if exact { 1usize << d } else { config.resamples };
    let extreme: Vec<Vec<bool>> = (0..patterns)
        .into_par_iter()
        .map_init(
            || (vec![0u32; 2 * n], vec![0u32; 2 * n], vec![f64::NAN; m], vec![f64::NAN; m]),
            |(wp, wq, sp, sq), t| {
                let mask = swap_mask(d, exact, config.seed, t);
                wp[..n].iter_mut().for_each(|x| *x = 0);
                wp[n..].iter_mut().for_each(|x| *x = 1);
                for (k, &r) in rows.iter().enumerate() {
                    if swapped(&mask, k) {
                        wp[r] = 1;
                        wp[n + r] = 0;
                    }
                }
                for (q, &p) in wq.iter_mut().zip(wp.iter()) {
                    *q = 1 - p;
                }
                rs.stats(wp, &pos2, sp);
                rs.stats(wq, &pos2, sq);
                (0..m).map(|j| at_least_as_extreme(sp[j] - sq[j], observed[j])).collect()
            },
        )
        .collect();
    Some(p_from_patterns(&extreme, m, exact))
}

/// Paired deltas of the averaged multiclass AUCs: the variance of a difference is the sum
/// over rows of the squared difference of the two models' influence values.
fn averaged_auc_deltas(
    a: &ClassificationInput,
    b: &ClassificationInput,
    pa: &[f64],
    pb: &[f64],
    level: f64,
) -> Vec<Delta> {
    // scikit-learn refuses multiclass AUCs of rows that do not sum to 1: no delta either.
    let k = a.labels.len();
    if [pa, pb].iter().any(|p| mc::first_row_refused_by_sklearn_auc(p, k).is_some()) {
        return Vec::new();
    }
    let (Some(ia), Some(ib)) = rayon::join(|| auc_influence(a, pa), || auc_influence(b, pb)) else {
        return Vec::new();
    };
    MULTICLASS_AUC_KEYS
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != 0 || ia.absent.is_empty())
        .map(|(j, key)| {
            let var: f64 = ia.infl.iter().zip(&ib.infl).map(|(x, y)| (y[j] - x[j]) * (y[j] - x[j])).sum();
            let mut d =
                Delta::from_normal(key, ia.values[j], ib.values[j], true, var.sqrt(), level, delta_method::DELONG);
            if let (Some(lo), Some(hi)) = (d.ci_low, d.ci_high) {
                d.ci_low = Some(lo.max(-1.0));
                d.ci_high = Some(hi.min(1.0));
            }
            d
        })
        .collect()
}

/// Score-metric deltas of two models with scores on the same rows, and DeLong's paired test
/// (binary). Empty when either model lacks scores.
pub fn compare_score_metrics(
    baseline: &ClassificationInput,
    candidate: &ClassificationInput,
    config: &BootstrapConfig,
) -> (Vec<Delta>, Option<PairedAuc>) {
    let is_pos: Vec<bool> = match baseline.task {
        Task::Binary => baseline.gold.iter().map(|&g| Some(g as usize) == baseline.positive).collect(),
        _ => Vec::new(),
    };
    let (Some(ra), Some(rb)) = (RowScores::new(baseline, &is_pos), RowScores::new(candidate, &is_pos)) else {
        return (Vec::new(), None);
    };
    let n = baseline.gold.len();
    let mut deltas = Vec::new();
    let mut delong = None;
    if let (Some((sa, _)), Some((sb, _))) = (&ra.binary, &rb.binary) {
        delong = delong_paired(sa, sb, &is_pos);
        if let Some(t) = &delong {
            let mut d = Delta::from_normal(
                "roc_auc",
                t.auc_a,
                t.auc_b,
                true,
                t.var_diff.sqrt(),
                config.level,
                delta_method::DELONG,
            );
            d.p_value = Some(t.p_value);
            if let (Some(lo), Some(hi)) = (d.ci_low, d.ci_high) {
                d.ci_low = Some(lo.max(-1.0));
                d.ci_high = Some(hi.min(1.0));
            }
            let why = format!("DeLong's test cannot exclude no difference (p = {})", super::format_p(t.p_value));
            d.reconcile(config.level, &why);
            deltas.push(d);
        }
    }
    if let (Some(Scores::PerClass(pa)), Some(Scores::PerClass(pb))) = (&baseline.scores, &candidate.scores) {
        deltas.extend(averaged_auc_deltas(baseline, candidate, pa, pb, config.level));
    }
    let keys = weighted_keys(baseline.task, baseline.labels.len());
    let m = keys.len();
    let ones = vec![1u32; n];
    let mut point = vec![f64::NAN; 2 * m];
    {
        let (a, b) = point.split_at_mut(m);
        ra.stats(&ones, &is_pos, a);
        rb.stats(&ones, &is_pos, b);
    }
    let boot = config.resamples > 0 && n <= MEAN_BOOTSTRAP_MAX_ROWS;
    let reps = if boot {
        row_bootstrap(n, config, 2 * m, |w, out| {
            let (a, b) = out.split_at_mut(m);
            ra.stats(w, &is_pos, a);
            rb.stats(w, &is_pos, b);
        })
    } else {
        Vec::new()
    };
    let rows = differing_rows(baseline, candidate);
    let observed: Vec<f64> = (0..m).map(|j| point[m + j] - point[j]).collect();
    let swap_p = if config.resamples > 0 && keys.iter().any(|(k, _)| matches!(*k, "average_precision" | "ece")) {
        row_swap_p(baseline, candidate, &is_pos, &observed, &rows, config)
    } else {
        None
    };
    for (j, &(key, higher)) in keys.iter().enumerate() {
        let per_row: Option<(Vec<f64>, Vec<f64>)> = match key {
            "log_loss" => Some((ra.loss.clone(), rb.loss.clone())),
            "brier_score" => Some((ra.brier.clone(), rb.brier.clone())),
            "top_2_accuracy" => Some((
                ra.top2.iter().map(|&t| t as u8 as f64).collect(),
                rb.top2.iter().map(|&t| t as u8 as f64).collect(),
            )),
            _ => None,
        };
        // The randomisation p of a mean: exact at any n with few differing rows, Monte Carlo
        // up to the row limit.
        let mean_p = |a: &[f64], b: &[f64]| -> Option<RandomisationP> {
            let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
            let nonzero = diffs.iter().filter(|&&x| x != 0.0).count();
            let trials = if n <= MEAN_BOOTSTRAP_MAX_ROWS { config.resamples } else { 0 };
            if nonzero > MAX_EXACT_EXAMPLES && trials == 0 {
                return None;
            }
            sign_flip_p(&diffs, trials, config.seed)
        };
        let d = if boot {
            let r = PairedReplicates { baseline: &reps[j], candidate: &reps[m + j] };
            let d = Delta::from_replicates(key, point[j], point[m + j], higher, Some(r), config.level);
            let p = match &per_row {
                Some((a, b)) => mean_p(a, b),
                None => swap_p.as_ref().map(|v| v[j]),
            };
            d.with_p(p, rows.len() as u64, "examples", config.level)
        } else if let (true, Some((a, b))) = (config.resamples > 0, &per_row) {
            let d = mean_difference(key, a, b, higher, config.level);
            match mean_p(a, b) {
                Some(p) => d.with_p(Some(p), rows.len() as u64, "examples", config.level),
                None => d,
            }
        } else {
            let reason = (config.resamples > 0).then(|| {
                format!("paired intervals of {key} are computed up to {MEAN_BOOTSTRAP_MAX_ROWS} rows; compare the per-model intervals instead")
            });
            Delta::point_only(key, point[j], point[m + j], higher, reason)
        };
        deltas.push(d);
    }
    (deltas, delong)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::Rng;

    /// Three classes; each model's probabilities favour gold with its own noise.
    fn model(rng: &mut Rng, gold: &[u32], signal: f64) -> ClassificationInput {
        let mut probs = Vec::with_capacity(gold.len() * 3);
        for &g in gold {
            let raw: Vec<f64> = (0..3).map(|c| rng.uniform() + if c == g { signal } else { 0.0 }).collect();
            let sum: f64 = raw.iter().sum();
            probs.extend(raw.iter().map(|x| x / sum));
        }
        let pred = probs.chunks(3).map(|r| mc::row_top(r).1 as u32).collect();
        ClassificationInput {
            task: Task::Multiclass,
            labels: vec!["a".into(), "b".into(), "c".into()],
            positive: None,
            gold: gold.to_vec(),
            pred,
            scores: Some(Scores::PerClass(probs)),
            model_classes: None,
        }
    }

    /// The influence-based SE of an averaged-AUC difference agrees with a paired row bootstrap.
    #[test]
    fn averaged_auc_difference_se_matches_the_bootstrap() {
        let mut rng = Rng::new(41, 0);
        let gold: Vec<u32> = (0..1500).map(|_| rng.below(3) as u32).collect();
        let (a, b) = (model(&mut rng, &gold, 0.3), model(&mut rng, &gold, 0.5));
        let (Some(Scores::PerClass(pa)), Some(Scores::PerClass(pb))) = (&a.scores, &b.scores) else { unreachable!() };
        let deltas = averaged_auc_deltas(&a, &b, pa, pb, 0.95);
        assert_eq!(deltas.len(), 3);
        let cfg = BootstrapConfig { resamples: 300, level: 0.95, seed: 3 };
        let n = gold.len();
        // Bootstrap: AUC influence recomputed on each resample of rows.
        let reps: Vec<[f64; 3]> = (0..cfg.resamples)
            .map(|i| {
                let mut r = Rng::new(cfg.seed, i as u64 + 1);
                let rows: Vec<usize> = (0..n).map(|_| r.below(n as u64) as usize).collect();
                let take = |x: &ClassificationInput, p: &[f64]| ClassificationInput {
                    gold: rows.iter().map(|&i| x.gold[i]).collect(),
                    pred: rows.iter().map(|&i| x.pred[i]).collect(),
                    scores: Some(Scores::PerClass(rows.iter().flat_map(|&i| p[i * 3..i * 3 + 3].to_vec()).collect())),
                    ..x.clone()
                };
                let (ra, rb) = (take(&a, pa), take(&b, pb));
                let (Some(Scores::PerClass(qa)), Some(Scores::PerClass(qb))) = (&ra.scores, &rb.scores) else {
                    unreachable!()
                };
                let (ia, ib) = (auc_influence(&ra, qa).unwrap(), auc_influence(&rb, qb).unwrap());
                [0, 1, 2].map(|j| ib.values[j] - ia.values[j])
            })
            .collect();
        for (j, d) in deltas.iter().enumerate() {
            let m = reps.iter().map(|r| r[j]).sum::<f64>() / reps.len() as f64;
            let sd = (reps.iter().map(|r| (r[j] - m).powi(2)).sum::<f64>() / (reps.len() - 1) as f64).sqrt();
            let ratio = d.se.unwrap() / sd;
            assert!((0.85..1.15).contains(&ratio), "{}: influence SE / bootstrap SE = {ratio}", d.key);
        }
        // A model against itself: no difference, p = 1.
        let same = averaged_auc_deltas(&a, &a, pa, pa, 0.95);
        assert!(same.iter().all(|d| d.delta == 0.0 && d.p_value == Some(1.0)));
    }
}

//! Paired deltas of the confusion-matrix metrics with a paired bootstrap. A resample draws
//! examples jointly, so it is drawn as multinomial counts over the joint (gold, baseline prediction, candidate prediction) cells — exactly the
//! distribution of resampling rows, in O(cells + K) per resample.
//!
//! The p-values come from the paired randomisation test on the same cells: swapping the two
//! models on a row moves it from cell (g, a, b) to (g, b, a), so with the rows of each pair of
//! mirror cells swapped at random the count in (g, a, b) is Binomial(m, ½), independently
//! across pairs — O(pairs) per trial, and exact by enumeration when there are few outcomes.

#[cfg(test)]
use super::{verdict, Verdict};
use super::{Delta, PairedReplicates};
use crate::data::Task;
use crate::evaluate::{cm_metric_keys, cm_stats};
use crate::stats::bootstrap::{cell_bootstrap_select, BootstrapConfig};
use crate::stats::mcnemar::mcnemar_exact;
use crate::stats::randomisation::{grouped_p, RandomisationP};

/// Gold labels and two models' predicted labels, codes into one sorted label list.
#[derive(Clone, Debug)]
pub struct PairedPredictions {
    pub task: Task,
    pub k: usize,
    pub positive: Option<usize>,
    pub gold: Vec<u32>,
    pub baseline: Vec<u32>,
    pub candidate: Vec<u32>,
}

/// The non-zero joint cells as (gold, baseline, candidate) and their counts, sorted: O(n log n)
/// time and O(cells) memory whatever K.
fn joint_cells(p: &PairedPredictions) -> (Vec<(u32, u32, u32)>, Vec<u64>) {
    let mut rows: Vec<(u32, u32, u32)> =
        (0..p.gold.len()).map(|i| (p.gold[i], p.baseline[i], p.candidate[i])).collect();
    rows.sort_unstable();
    let mut coords = Vec::new();
    let mut counts = Vec::new();
    for run in rows.chunk_by(|a, b| a == b) {
        coords.push(run[0]);
        counts.push(run.len() as u64);
    }
    (coords, counts)
}

/// Both models' confusion-matrix metrics from joint cell counts: the task's keys for the
/// baseline, then for the candidate.
fn both_stats(p: &PairedPredictions, coords: &[(u32, u32, u32)], counts: &[u64], out: &mut [f64]) {
    let a: Vec<(u32, u32)> = coords.iter().map(|&(g, a, _)| (g, a)).collect();
    let b: Vec<(u32, u32)> = coords.iter().map(|&(g, _, b)| (g, b)).collect();
    let n_keys = cm_metric_keys(p.task).len() + 3 * p.k;
    let (first, second) = out.split_at_mut(n_keys);
    cm_stats(&a, counts, p.k, p.task, p.positive, first);
    cm_stats(&b, counts, p.k, p.task, p.positive, second);
}

/// The joint cells arranged for the randomisation test: every cell with its mirror (g, b, a)
/// added when absent, and the pairs of mirror cells whose rows a swap exchanges.
struct SwapCells {
    /// (gold, baseline, candidate) of each cell.
    coords: Vec<(u32, u32, u32)>,
    /// Counts of the cells no swap changes (a = b); 0 in the paired cells.
    fixed: Vec<u64>,
    /// (cell (g, a, b) with a < b, its mirror (g, b, a)) and the rows in both.
    pairs: Vec<(usize, usize)>,
    sizes: Vec<u64>,
}

impl SwapCells {
    fn new(coords: &[(u32, u32, u32)], counts: &[u64]) -> SwapCells {
        let mut all = coords.to_vec();
        let mut fixed = counts.to_vec();
        let index: std::collections::HashMap<(u32, u32, u32), usize> =
            coords.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        let mut pairs = Vec::new();
        let mut sizes = Vec::new();
        for (i, &(g, a, b)) in coords.iter().enumerate() {
            if a == b {
                continue;
            }
            let mirror = (g, b, a);
            match index.get(&mirror) {
                // The pair is recorded from its a < b side.
                Some(&j) if a < b => {
                    pairs.push((i, j));
                    sizes.push(counts[i] + counts[j]);
                }
                Some(_) => {}
                None => {
                    all.push(mirror);
                    fixed.push(0);
                    let j = all.len() - 1;
                    pairs.push(if a < b { (i, j) } else { (j, i) });
                    sizes.push(counts[i]);
                }
            }
            fixed[i] = 0;
        }
        SwapCells { coords: all, fixed, pairs, sizes }
    }

    /// The cell counts when `x[j]` rows of pair j land in its first cell.
    fn counts(&self, x: &[u64], out: &mut [u64]) {
        out.copy_from_slice(&self.fixed);
        for ((&(i, j), &m), &xj) in self.pairs.iter().zip(&self.sizes).zip(x) {
            out[i] = xj;
            out[j] = m - xj;
        }
    }

    /// Rows on which the two models' predictions differ.
    fn discordant(&self) -> u64 {
        self.sizes.iter().sum()
    }
}

/// Paired randomisation p-values of the deltas (candidate − baseline) of `keys[..n_keys]`,
/// whose observed values are `observed`.
fn randomisation_p(
    p: &PairedPredictions,
    swap: &SwapCells,
    observed: &[f64],
    config: &BootstrapConfig,
) -> Vec<Option<RandomisationP>> {
    let n_keys = cm_metric_keys(p.task).len() + 3 * p.k;
    let n_tested = observed.len();
    let a: Vec<(u32, u32)> = swap.coords.iter().map(|&(g, a, _)| (g, a)).collect();
    let b: Vec<(u32, u32)> = swap.coords.iter().map(|&(g, _, b)| (g, b)).collect();
    grouped_p(&swap.sizes, observed, config.resamples, config.seed, |x, out| {
        let mut counts = vec![0u64; swap.coords.len()];
        swap.counts(x, &mut counts);
        let mut stats = vec![f64::NAN; 2 * n_keys];
        let (first, second) = stats.split_at_mut(n_keys);
        cm_stats(&a, &counts, p.k, p.task, p.positive, first);
        cm_stats(&b, &counts, p.k, p.task, p.positive, second);
        for s in 0..n_tested {
            out[s] = second[s] - first[s];
        }
    })
}

/// The exact paired randomisation p-value of the accuracy delta: McNemar's exact test on the
/// rows exactly one model gets right (the swaps of other rows leave accuracy unchanged).
fn accuracy_p(coords: &[(u32, u32, u32)], counts: &[u64]) -> RandomisationP {
    let (mut only_a, mut only_b) = (0u64, 0u64);
    for (&(g, a, b), &c) in coords.iter().zip(counts) {
        match (a == g, b == g) {
            (true, false) => only_a += c,
            (false, true) => only_b += c,
            _ => {}
        }
    }
    RandomisationP { p: mcnemar_exact(only_a, only_b).p_value, exact: true }
}

/// The paired randomisation p-value of one confusion-matrix metric's delta (for `rank`'s
/// pairwise tests); None for an unknown key or without resamples.
pub fn cm_metric_p(p: &PairedPredictions, key: &str, config: &BootstrapConfig) -> Option<RandomisationP> {
    let j = cm_metric_keys(p.task).iter().position(|k| *k == key)?;
    if config.resamples == 0 {
        return None;
    }
    let (coords, counts) = joint_cells(p);
    if key == "accuracy" {
        return Some(accuracy_p(&coords, &counts));
    }
    let n_keys = cm_metric_keys(p.task).len() + 3 * p.k;
    let mut point = vec![0.0; 2 * n_keys];
    both_stats(p, &coords, &counts, &mut point);
    let swap = SwapCells::new(&coords, &counts);
    // Statistics before j are computed too (cm_stats writes them all); only j is tested.
    let mut observed = vec![0.0; j + 1];
    observed[j] = point[n_keys + j] - point[j];
    randomisation_p(p, &swap, &observed, config)[j]
}

/// Paired deltas of every confusion-matrix metric with percentile-bootstrap intervals and
/// paired randomisation p-values (accuracy's is McNemar's exact test).
pub fn compare_cm_metrics(p: &PairedPredictions, config: &BootstrapConfig) -> Vec<Delta> {
    let keys = cm_metric_keys(p.task);
    let n_keys = keys.len() + 3 * p.k;
    let (coords, counts) = joint_cells(p);
    let mut point = vec![0.0; 2 * n_keys];
    both_stats(p, &coords, &counts, &mut point);
    // Only the task's keys of each model are reported: their replicates, not the per-class ones.
    let keep: Vec<usize> = (0..keys.len()).chain(n_keys..n_keys + keys.len()).collect();
    let reps = if config.resamples > 0 {
        cell_bootstrap_select(&counts, config, 2 * n_keys, &keep, |c, out| both_stats(p, &coords, c, out))
    } else {
        Vec::new()
    };
    let swap = SwapCells::new(&coords, &counts);
    let observed: Vec<f64> = (0..keys.len()).map(|j| point[n_keys + j] - point[j]).collect();
    let mut pvals =
        if config.resamples > 0 { randomisation_p(p, &swap, &observed, config) } else { vec![None; keys.len()] };
    if let (Some(j), true) = (keys.iter().position(|k| *k == "accuracy"), config.resamples > 0) {
        pvals[j] = Some(accuracy_p(&coords, &counts));
    }
    keys.iter()
        .enumerate()
        .map(|(j, key)| {
            let reps =
                (!reps.is_empty()).then(|| PairedReplicates { baseline: &reps[j], candidate: &reps[keys.len() + j] });
            Delta::from_replicates(key, point[j], point[n_keys + j], true, reps, config.level).with_p(
                pvals[j],
                swap.discordant(),
                "examples",
                config.level,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::Rng;

    /// Two binary models on the same n examples: each right with its own probability, errors
    /// independent between models.
    fn simulate(rng: &mut Rng, n: usize, acc_a: f64, acc_b: f64) -> PairedPredictions {
        let gold: Vec<u32> = (0..n).map(|_| (rng.uniform() < 0.4) as u32).collect();
        let model = |rng: &mut Rng, acc: f64| -> Vec<u32> {
            gold.iter().map(|&g| if rng.uniform() < acc { g } else { 1 - g }).collect()
        };
        let baseline = model(rng, acc_a);
        let candidate = model(rng, acc_b);
        PairedPredictions { task: Task::Binary, k: 2, positive: Some(1), gold, baseline, candidate }
    }

    fn accuracy(d: &[Delta]) -> &Delta {
        d.iter().find(|x| x.key == "accuracy").unwrap()
    }

    #[test]
    fn point_deltas_are_candidate_minus_baseline() {
        let p = PairedPredictions {
            task: Task::Binary,
            k: 2,
            positive: Some(1),
            gold: vec![1, 1, 0, 0],
            baseline: vec![1, 0, 0, 1],
            candidate: vec![1, 1, 0, 1],
        };
        let d = compare_cm_metrics(&p, &BootstrapConfig { resamples: 0, ..Default::default() });
        let acc = accuracy(&d);
        assert_eq!((acc.baseline, acc.candidate, acc.delta), (0.5, 0.75, 0.25));
        assert!(acc.ci_low.is_none() && acc.p_value.is_none());
    }

    #[test]
    fn verdicts() {
        let cfg = BootstrapConfig { resamples: 500, level: 0.95, seed: 1 };
        let mut rng = Rng::new(23, 0);
        let gain = compare_cm_metrics(&simulate(&mut rng, 2000, 0.75, 0.85), &cfg);
        assert_eq!(verdict(accuracy(&gain), 0.0, 0.95).0, Verdict::Improved);
        let loss = compare_cm_metrics(&simulate(&mut rng, 2000, 0.85, 0.75), &cfg);
        assert_eq!(verdict(accuracy(&loss), 0.0, 0.95).0, Verdict::Regressed);
        // 60 examples cannot tell a 1-point change from noise; 20,000 can.
        // Both models right on 48 of 60 examples, each on 6 the other gets wrong.
        let gold: Vec<u32> = (0..60).map(|i| (i % 2) as u32).collect();
        let flip = |range: std::ops::Range<usize>| -> Vec<u32> {
            gold.iter().enumerate().map(|(i, &g)| if range.contains(&i) { g } else { 1 - g }).collect()
        };
        let (baseline, candidate) = (flip(0..48), flip(6..54));
        let paired = PairedPredictions { task: Task::Binary, k: 2, positive: Some(1), gold, baseline, candidate };
        let small = compare_cm_metrics(&paired, &cfg);
        let (v, mde) = verdict(accuracy(&small), 0.01, 0.95);
        assert_eq!(v, Verdict::Inconclusive, "mde {mde:?}");
        assert!(mde.unwrap() > 0.05);
        let large = compare_cm_metrics(&simulate(&mut rng, 20_000, 0.8, 0.8), &cfg);
        let (v, mde) = verdict(accuracy(&large), 0.02, 0.95);
        assert_eq!(v, Verdict::NoSignificantChange, "mde {mde:?}");
    }

    /// A metric of one model from its rows: the confusion cells counted row by row, then
    /// `cm_stats`.
    fn metric_of_rows(task: Task, k: usize, gold: &[u32], pred: &[u32], key: &str) -> f64 {
        let mut cells: std::collections::BTreeMap<(u32, u32), u64> = Default::default();
        for (&g, &p) in gold.iter().zip(pred) {
            *cells.entry((g, p)).or_insert(0) += 1;
        }
        let (coords, counts): (Vec<(u32, u32)>, Vec<u64>) = cells.into_iter().unzip();
        let mut out = vec![f64::NAN; cm_metric_keys(task).len() + 3 * k];
        cm_stats(&coords, &counts, k, task, (task == Task::Binary).then_some(1), &mut out);
        out[cm_metric_keys(task).iter().position(|x| *x == key).unwrap()]
    }

    /// The exact p-value by brute force over rows: every one of the 2^d patterns of swapping
    /// the two models' predictions on the d rows where they differ.
    fn brute_force_p(p: &PairedPredictions, key: &str) -> f64 {
        let rows: Vec<usize> = (0..p.gold.len()).filter(|&i| p.baseline[i] != p.candidate[i]).collect();
        let d = rows.len();
        assert!(d <= 16);
        let delta = |a: &[u32], b: &[u32]| {
            metric_of_rows(p.task, p.k, &p.gold, b, key) - metric_of_rows(p.task, p.k, &p.gold, a, key)
        };
        let observed = delta(&p.baseline, &p.candidate);
        let mut count = 0;
        for t in 0..1u32 << d {
            let (mut a, mut b) = (p.baseline.clone(), p.candidate.clone());
            for (j, &r) in rows.iter().enumerate() {
                if t >> j & 1 == 1 {
                    std::mem::swap(&mut a[r], &mut b[r]);
                }
            }
            let x = delta(&a, &b);
            if x.is_nan() || x.abs() >= observed.abs() * (1.0 - 1e-9) {
                count += 1;
            }
        }
        count as f64 / (1u64 << d) as f64
    }

    /// With few differing rows the p-values equal the enumeration over rows, for accuracy, F1
    /// and the macro F1 of three classes.
    #[test]
    fn p_values_equal_brute_force_enumeration() {
        let cfg = BootstrapConfig { resamples: 100, level: 0.95, seed: 4 };
        let mut rng = Rng::new(8, 0);
        for (task, k, keys) in [
            (Task::Binary, 2usize, &["accuracy", "f1", "precision", "matthews_corrcoef"][..]),
            (Task::Multiclass, 3, &["accuracy", "f1_macro", "cohen_kappa"][..]),
        ] {
            for trial in 0..4 {
                let n = 120;
                let gold: Vec<u32> = (0..n).map(|_| rng.below(k as u64) as u32).collect();
                let baseline: Vec<u32> =
                    gold.iter().map(|&g| if rng.uniform() < 0.75 { g } else { rng.below(k as u64) as u32 }).collect();
                let mut candidate = baseline.clone();
                // 6 to 13 differing rows, mostly fixes.
                let d = 6 + trial * 2 + (k == 3) as usize;
                for i in 0..d {
                    let r = (i * 37 + trial * 11) % n;
                    candidate[r] = if i % 4 == 3 { (gold[r] + 1) % k as u32 } else { gold[r] };
                    if candidate[r] == baseline[r] {
                        candidate[r] = (baseline[r] + 1) % k as u32;
                    }
                }
                let p = PairedPredictions {
                    task,
                    k,
                    positive: (task == Task::Binary).then_some(1),
                    gold,
                    baseline,
                    candidate,
                };
                let deltas = compare_cm_metrics(&p, &cfg);
                for key in keys {
                    let got = deltas.iter().find(|x| x.key == *key).unwrap();
                    let want = brute_force_p(&p, key);
                    assert_eq!(got.p_method, Some("paired_randomisation_exact"), "{key}");
                    assert!((got.p_value.unwrap() - want).abs() < 1e-9, "{task:?} {key}: {:?} vs {want}", got.p_value);
                    let alone = cm_metric_p(&p, key, &cfg).unwrap();
                    assert!((alone.p - want).abs() < 1e-9, "{key} alone");
                }
            }
        }
    }

    /// 5 fixed, none broken among 401 rows: the bootstrap interval of F1 excludes 0, the
    /// exact test gives p = 2/32 = 0.0625, so the interval is extended to 0, the reason says
    /// why, and the verdict is no significant change.
    #[test]
    fn five_fixed_none_broken_is_not_an_improvement() {
        let n = 401;
        let gold: Vec<u32> = (0..n).map(|i| (i % 3 == 0) as u32).collect();
        // The baseline misses 5 positives and 20 other rows; the candidate fixes the 5.
        let mut baseline = gold.clone();
        let positives: Vec<usize> = (0..n).filter(|&i| gold[i] == 1).collect();
        for &i in &positives[..5] {
            baseline[i] = 0;
        }
        for i in (1..n).filter(|i| i % 3 != 0).take(20) {
            baseline[i] = 1;
        }
        let mut candidate = baseline.clone();
        for &i in &positives[..5] {
            candidate[i] = 1;
        }
        let p = PairedPredictions { task: Task::Binary, k: 2, positive: Some(1), gold, baseline, candidate };
        let d = compare_cm_metrics(&p, &BootstrapConfig { resamples: 1000, level: 0.95, seed: 0 });
        for key in ["f1", "accuracy", "recall"] {
            let x = d.iter().find(|x| x.key == key).unwrap();
            assert!((x.p_value.unwrap() - 0.0625).abs() < 1e-12, "{key}: {x:?}");
            assert_eq!(x.p_method, Some("paired_randomisation_exact"));
            assert!(x.delta > 0.0 && x.ci_low.unwrap() <= 0.0 && x.ci_high.unwrap() > 0.0, "{key}: {x:?}");
            assert_eq!(verdict(x, 0.0, 0.95).0, Verdict::NoSignificantChange, "{key}");
        }
        // The bootstrap alone would have excluded 0 for F1; the reason says what happened.
        let f1 = d.iter().find(|x| x.key == "f1").unwrap();
        assert_eq!(f1.ci_low, Some(0.0));
        let reason = f1.reason.as_deref().unwrap();
        assert!(reason.contains("5 differing examples") && reason.contains("p = 0.0625"), "{reason}");
    }

    /// Equal-quality models: "significant" differences in about 5% of comparisons or fewer
    /// (measured: 3.0% of 300).
    #[test]
    fn equal_models_are_rarely_called_different() {
        let mut rng = Rng::new(21, 0);
        let runs = 300;
        let mut significant = 0;
        for r in 0..runs {
            let p = simulate(&mut rng, 400, 0.8, 0.8);
            let d = compare_cm_metrics(&p, &BootstrapConfig { resamples: 400, level: 0.95, seed: r });
            let acc = accuracy(&d);
            if acc.ci_low.unwrap() > 0.0 || acc.ci_high.unwrap() < 0.0 {
                significant += 1;
            }
        }
        let rate = significant as f64 / runs as f64;
        assert!(rate <= 0.075, "false positive rate {rate}");
    }

    /// The 95% interval of the delta covers the true delta in 93–97% of runs (measured: 95.3%).
    #[test]
    fn delta_interval_covers_the_true_delta() {
        let mut rng = Rng::new(22, 0);
        let runs = 300;
        let mut covered = 0;
        for r in 0..runs {
            let p = simulate(&mut rng, 400, 0.8, 0.85);
            let d = compare_cm_metrics(&p, &BootstrapConfig { resamples: 400, level: 0.95, seed: r });
            let acc = accuracy(&d);
            if acc.ci_low.unwrap() <= 0.05 && 0.05 <= acc.ci_high.unwrap() {
                covered += 1;
            }
        }
        let rate = covered as f64 / runs as f64;
        assert!((0.92..=0.975).contains(&rate), "coverage {rate}");
    }
}

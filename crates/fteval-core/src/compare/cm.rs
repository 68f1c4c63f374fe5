//! Paired deltas of the confusion-matrix metrics with a paired bootstrap. A resample draws
//! examples jointly, so it is drawn as multinomial counts over the joint (gold, baseline prediction, candidate prediction) cells — exactly the
//! distribution of resampling rows, in O(cells + K) per resample.

#[cfg(test)]
use super::{verdict, Verdict};
use super::{Delta, PairedReplicates};
use crate::data::Task;
use crate::evaluate::{cm_metric_keys, cm_stats};
use crate::stats::bootstrap::{cell_bootstrap, BootstrapConfig};

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

/// The non-zero joint cells as (gold, baseline, candidate) and their counts.
fn joint_cells(p: &PairedPredictions) -> (Vec<(u32, u32, u32)>, Vec<u64>) {
    let k = p.k as u64;
    let mut map: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
    for i in 0..p.gold.len() {
        let key = (p.gold[i] as u64 * k + p.baseline[i] as u64) * k + p.candidate[i] as u64;
        *map.entry(key).or_insert(0) += 1;
    }
    let mut cells: Vec<(u64, u64)> = map.into_iter().collect();
    cells.sort_unstable();
    let coords =
        cells.iter().map(|&(key, _)| ((key / (k * k)) as u32, ((key / k) % k) as u32, (key % k) as u32)).collect();
    (coords, cells.iter().map(|&(_, c)| c).collect())
}

/// Both models' confusion-matrix metrics from joint cell counts: the task's keys for the
/// baseline, then for the candidate.
fn both_stats(p: &PairedPredictions, coords: &[(u32, u32, u32)], counts: &[u64], out: &mut [f64]) {
    let n_keys = cm_metric_keys(p.task).len() + 3 * p.k;
    let a: Vec<(u32, u32)> = coords.iter().map(|&(g, a, _)| (g, a)).collect();
    let b: Vec<(u32, u32)> = coords.iter().map(|&(g, _, b)| (g, b)).collect();
    let (first, second) = out.split_at_mut(n_keys);
    cm_stats(&a, counts, p.k, p.task, p.positive, first);
    cm_stats(&b, counts, p.k, p.task, p.positive, second);
}

/// Paired deltas of every confusion-matrix metric with percentile-bootstrap intervals and
/// p-values (2 × the smaller share of resampled deltas on either side of 0).
pub fn compare_cm_metrics(p: &PairedPredictions, config: &BootstrapConfig) -> Vec<Delta> {
    let keys = cm_metric_keys(p.task);
    let n_keys = keys.len() + 3 * p.k;
    let (coords, counts) = joint_cells(p);
    let mut point = vec![0.0; 2 * n_keys];
    both_stats(p, &coords, &counts, &mut point);
    let reps = if config.resamples > 0 {
        cell_bootstrap(&counts, config, 2 * n_keys, |c, out| both_stats(p, &coords, c, out))
    } else {
        Vec::new()
    };
    keys.iter()
        .enumerate()
        .map(|(j, key)| {
            let reps =
                (!reps.is_empty()).then(|| PairedReplicates { baseline: &reps[j], candidate: &reps[n_keys + j] });
            Delta::from_replicates(key, point[j], point[n_keys + j], true, reps, config.level)
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

//! Interval helpers: normal intervals for means and AUCs, row and cell bootstraps.

use rayon::prelude::*;

use crate::metrics::scores::ScoreGroups;
use crate::stats::bootstrap::{cell_bootstrap, percentile_interval, BootstrapConfig, Interval};
use crate::stats::rng::Rng;
use crate::stats::special::normal_quantile;

/// The z value of a two-sided interval at `level`.
pub(super) fn z_of(level: f64) -> f64 {
    normal_quantile(0.5 + level / 2.0)
}

/// A normal interval around `point` with standard error `se`, optionally clipped.
pub(super) fn normal_interval(point: f64, se: f64, level: f64, clip: Option<(f64, f64)>) -> Interval {
    let z = z_of(level);
    let (mut low, mut high) = (point - z * se, point + z * se);
    if let Some((a, b)) = clip {
        low = low.clamp(a, b);
        high = high.clamp(a, b);
    }
    Interval { low, high }
}

/// Mean and standard error of per-row values.
pub(super) fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, (var / n).sqrt())
}

/// Row-level percentile bootstrap of the means of several per-row value columns.
pub(super) fn bootstrap_means(columns: &[&[f64]], config: &BootstrapConfig, salt: u64) -> Vec<Option<Interval>> {
    let n = columns[0].len();
    let per_resample: Vec<Vec<f64>> = (0..config.resamples)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng::new(config.seed ^ salt, i as u64 + 1);
            let mut sums = vec![0.0; columns.len()];
            for _ in 0..n {
                let r = rng.below(n as u64) as usize;
                for (s, col) in sums.iter_mut().zip(columns) {
                    *s += col[r];
                }
            }
            sums.iter().map(|s| s / n as f64).collect()
        })
        .collect();
    (0..columns.len())
        .map(|j| {
            let mut reps: Vec<f64> = per_resample.iter().map(|r| r[j]).collect();
            let point = columns[j].iter().sum::<f64>() / n as f64;
            percentile_interval(&mut reps, config.level, point).interval
        })
        .collect()
}

/// Percentile bootstrap over score cells (positives then negatives per group) of the
/// statistics `f` computes; when the groups were coarsened the interval is shifted by
/// (exact − coarse) so it is centred on the exact value.
pub(super) fn score_cell_intervals<F>(
    groups: &ScoreGroups,
    exact_points: &[f64],
    config: &BootstrapConfig,
    f: F,
) -> Vec<Option<Interval>>
where
    F: Fn(&[f64], &[u64], &[u64], &mut [f64]) + Sync,
{
    let d = groups.score.len();
    let cells: Vec<u64> = groups.pos.iter().chain(&groups.neg).copied().collect();
    let n_stats = exact_points.len();
    let mut coarse_points = vec![0.0; n_stats];
    f(&groups.score, &groups.pos, &groups.neg, &mut coarse_points);
    let reps = cell_bootstrap(&cells, config, n_stats, |c, out| f(&groups.score, &c[..d], &c[d..], out));
    reps.into_iter()
        .enumerate()
        .map(|(j, r)| {
            let shift = exact_points[j] - coarse_points[j];
            let mut shifted: Vec<f64> = r.into_iter().map(|v| v + shift).collect();
            percentile_interval(&mut shifted, config.level, exact_points[j]).interval
        })
        .collect()
}

//! Bootstrap: resampling drivers, and the percentile and BCa intervals from a set of replicates.

use rayon::prelude::*;

use super::multinomial::Resampler;
use super::rng::Rng;
use super::special::{normal_cdf, normal_quantile};

/// A confidence interval and how it was obtained.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Bootstrap settings: number of resamples, confidence level, seed.
#[derive(Clone, Copy, Debug)]
pub struct BootstrapConfig {
    pub resamples: usize,
    pub level: f64,
    pub seed: u64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig { resamples: 1000, level: 0.95, seed: 0 }
    }
}

/// The q-quantile of sorted data with linear interpolation (numpy's default "linear" method).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let pos = q * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// Summary of one statistic's replicates: the percentile interval and how many were undefined.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Percentile {
    pub interval: Option<Interval>,
    /// Replicates where the statistic could not be computed (e.g. no positives drawn).
    pub undefined: usize,
}

/// Percentile interval of `replicates` (NaN = undefined on that resample), widened if needed so
/// it contains `point` (a percentile interval can miss the point estimate only through
/// discreteness; we never report an interval that excludes the value shown).
pub fn percentile_interval(replicates: &mut Vec<f64>, level: f64, point: f64) -> Percentile {
    let before = replicates.len();
    replicates.retain(|x| !x.is_nan());
    let undefined = before - replicates.len();
    if replicates.is_empty() {
        return Percentile { interval: None, undefined };
    }
    replicates.sort_unstable_by(f64::total_cmp);
    let alpha = (1.0 - level) / 2.0;
    let mut low = quantile_sorted(replicates, alpha);
    let mut high = quantile_sorted(replicates, 1.0 - alpha);
    if point.is_finite() {
        low = low.min(point);
        high = high.max(point);
    }
    Percentile { interval: Some(Interval { low, high }), undefined }
}

/// Bias-corrected and accelerated (BCa) interval of `replicates` (Efron 1987): the percentile
/// interval with its quantile levels moved by the bias `z0` (where `point` sits among the
/// replicates) and the `acceleration` (skewness of the statistic's influence), which corrects
/// the percentile method where skew or bias make it miss. Falls back to the percentile
/// interval when `point` lies outside the replicates (z0 undefined); always contains `point`.
pub fn bca_interval(replicates: &mut Vec<f64>, level: f64, point: f64, acceleration: f64) -> Percentile {
    let before = replicates.len();
    replicates.retain(|x| !x.is_nan());
    let undefined = before - replicates.len();
    if replicates.is_empty() {
        return Percentile { interval: None, undefined };
    }
    replicates.sort_unstable_by(f64::total_cmp);
    let b = replicates.len() as f64;
    let below = replicates.partition_point(|&x| x < point) as f64;
    let equal = replicates[below as usize..].partition_point(|&x| x <= point) as f64;
    let share = (below + 0.5 * equal) / b;
    let alpha = (1.0 - level) / 2.0;
    let a = if acceleration.is_finite() { acceleration } else { 0.0 };
    let levels = if point.is_finite() && share > 0.0 && share < 1.0 && alpha > 0.0 && alpha < 0.5 {
        let z0 = normal_quantile(share);
        let adjust = |q: f64| {
            let z = z0 + normal_quantile(q);
            let denom = 1.0 - a * z;
            if denom <= 0.0 {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            } else {
                normal_cdf(z0 + z / denom)
            }
        };
        (adjust(alpha), adjust(1.0 - alpha))
    } else {
        (alpha, 1.0 - alpha)
    };
    let mut low = quantile_sorted(replicates, levels.0.clamp(0.0, 1.0));
    let mut high = quantile_sorted(replicates, levels.1.clamp(0.0, 1.0));
    if point.is_finite() {
        low = low.min(point);
        high = high.max(point);
    }
    Percentile { interval: Some(Interval { low, high }), undefined }
}

/// Running central moments of leave-one-out estimates (Welford's update, stable in one pass),
/// for the BCa acceleration of a statistic that is not a plain mean.
#[derive(Clone, Copy, Debug, Default)]
pub struct JackknifeMoments {
    n: f64,
    mean: f64,
    m2: f64,
    m3: f64,
}

impl JackknifeMoments {
    /// Adds one leave-one-out estimate; NaN (undefined without that unit) is skipped.
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let n1 = self.n;
        self.n += 1.0;
        let delta = x - self.mean;
        let dn = delta / self.n;
        let term = delta * dn * n1;
        self.mean += dn;
        self.m3 += term * dn * (self.n - 2.0) - 3.0 * dn * self.m2;
        self.m2 += term;
    }

    /// Efron's jackknife acceleration Σ(θ̄ − θ₍ᵢ₎)³ / (6·(Σ(θ̄ − θ₍ᵢ₎)²)^1.5); 0 without spread.
    pub fn acceleration(&self) -> f64 {
        if self.m2 > 0.0 {
            -self.m3 / (6.0 * self.m2.powf(1.5))
        } else {
            0.0
        }
    }
}

/// True when the defined replicates do not vary (up to rounding, 1e-9 relative): every
/// resample gives the same value, so a bootstrap interval would have zero width.
pub fn replicates_constant(replicates: &[f64]) -> bool {
    let mut defined = replicates.iter().filter(|x| !x.is_nan());
    match defined.next() {
        Some(&first) => defined.all(|&x| (x - first).abs() <= 1e-9 * first.abs().max(1.0)),
        None => false,
    }
}

/// True when a bootstrap interval says nothing: its replicates do not vary, or the interval has
/// zero width (1e-12 relative to `point`) although they do (nearly every resample at one value).
pub fn bootstrap_degenerate(interval: Option<Interval>, replicates: &[f64], point: f64) -> bool {
    interval.is_some_and(|iv| iv.high - iv.low <= 1e-12 * point.abs().max(1.0)) || replicates_constant(replicates)
}

/// Runs `resamples` multinomial resamples of `counts` in parallel and returns, for each
/// statistic, its replicates: the statistics `stat` computes from the resampled counts, one
/// per resample. Resample i always uses generator stream i, so results do not depend on
/// thread count.
pub fn cell_bootstrap<F>(counts: &[u64], config: &BootstrapConfig, n_stats: usize, stat: F) -> Vec<Vec<f64>>
where
    F: Fn(&[u64], &mut [f64]) + Sync,
{
    let all: Vec<usize> = (0..n_stats).collect();
    cell_bootstrap_select(counts, config, n_stats, &all, stat)
}

/// Resamples handled per parallel block of [`cell_bootstrap_select`]: only one block's rows
/// are held beside the replicates.
const RESAMPLE_BLOCK: usize = 256;

/// [`cell_bootstrap`] keeping only the statistics `keep` (indices into the `n_stats` that
/// `stat` writes), in `keep`'s order: memory is `keep.len() · resamples` numbers however many
/// statistics `stat` computes. The replicates are the same as [`cell_bootstrap`]'s.
pub fn cell_bootstrap_select<F>(
    counts: &[u64],
    config: &BootstrapConfig,
    n_stats: usize,
    keep: &[usize],
    stat: F,
) -> Vec<Vec<f64>>
where
    F: Fn(&[u64], &mut [f64]) + Sync,
{
    let mut by_stat = vec![Vec::with_capacity(config.resamples); keep.len()];
    let resampler = Resampler::new(counts);
    for start in (0..config.resamples).step_by(RESAMPLE_BLOCK) {
        let end = (start + RESAMPLE_BLOCK).min(config.resamples);
        let rows: Vec<Vec<f64>> = (start..end)
            .into_par_iter()
            .map_init(
                || (vec![0u64; counts.len()], vec![f64::NAN; n_stats]),
                |(buf, out), i| {
                    let mut rng = Rng::new(config.seed, i as u64 + 1);
                    resampler.draw(&mut rng, buf);
                    out.fill(f64::NAN);
                    stat(buf, out);
                    keep.iter().map(|&j| out[j]).collect()
                },
            )
            .collect();
        for row in rows {
            for (r, v) in by_stat.iter_mut().zip(row) {
                r.push(v);
            }
        }
    }
    by_stat
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_matches_numpy_linear() {
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile_sorted(&xs, 0.5), 3.0);
        assert!((quantile_sorted(&xs, 0.975) - 9.4).abs() < 1e-12);
        assert!((quantile_sorted(&xs, 0.025) - 1.1).abs() < 1e-12);
    }

    #[test]
    fn interval_contains_point_and_counts_undefined() {
        let mut reps = vec![0.5, f64::NAN, 0.6, 0.7];
        let p = percentile_interval(&mut reps, 0.95, 0.9);
        assert_eq!(p.undefined, 1);
        let iv = p.interval.unwrap();
        assert!(iv.low <= 0.9 && iv.high >= 0.9);
    }

    /// A skewed mean: BCa (acceleration = skewness / (6√n), the jackknife's for a mean) moves
    /// the interval towards the long tail compared with the percentile interval.
    #[test]
    fn bca_shifts_towards_the_long_tail() {
        let n: f64 = 200.0;
        let mean: f64 = (10.0 * 10.0 + 0.1 * 190.0) / n;
        let m2 = (10.0 * (10.0 - mean) * (10.0 - mean) + 190.0 * (0.1 - mean) * (0.1 - mean)) / n;
        let m3 = (10.0 * (10.0 - mean).powi(3) + 190.0 * (0.1 - mean).powi(3)) / n;
        let a = m3 / m2.powf(1.5) / (6.0 * f64::sqrt(n));
        let cfg = BootstrapConfig { resamples: 2000, level: 0.95, seed: 1 };
        let stat = |c: &[u64], o: &mut [f64]| o[0] = (10.0 * c[0] as f64 + 0.1 * c[1] as f64) / 200.0;
        let mut reps = cell_bootstrap(&[10, 190], &cfg, 1, stat).pop().unwrap();
        let p = percentile_interval(&mut reps.clone(), 0.95, mean).interval.unwrap();
        let b = bca_interval(&mut reps, 0.95, mean, a).interval.unwrap();
        assert!(b.low >= p.low && b.high > p.high, "{b:?} vs {p:?}");
        assert!(b.low <= mean && mean <= b.high);
    }

    /// For a mean, the jackknife's acceleration from the leave-one-out means equals the
    /// closed form skewness / (6√n) of the values.
    #[test]
    fn jackknife_acceleration_of_a_mean_is_the_closed_form() {
        let xs: Vec<f64> = (0..50).map(|i| ((i * 37 % 11) as f64).powi(2) / 7.0).collect();
        let n = xs.len() as f64;
        let sum: f64 = xs.iter().sum();
        let mut jk = JackknifeMoments::default();
        for x in &xs {
            jk.push((sum - x) / (n - 1.0));
        }
        jk.push(f64::NAN);
        let mean = sum / n;
        let m2: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
        let m3: f64 = xs.iter().map(|x| (x - mean).powi(3)).sum();
        let closed = m3 / (6.0 * m2.powf(1.5));
        assert!(closed.abs() > 1e-3);
        assert!((jk.acceleration() - closed).abs() < 1e-12, "{} vs {closed}", jk.acceleration());
        assert_eq!(JackknifeMoments::default().acceleration(), 0.0);
    }

    #[test]
    fn constant_replicates_are_detected() {
        assert!(replicates_constant(&[1.0, f64::NAN, 1.0]));
        assert!(!replicates_constant(&[1.0, 0.9]));
        assert!(!replicates_constant(&[f64::NAN]));
    }

    #[test]
    fn cell_bootstrap_is_reproducible() {
        let cfg = BootstrapConfig { resamples: 50, level: 0.95, seed: 9 };
        let f = |c: &[u64], out: &mut [f64]| out[0] = c[0] as f64 / c.iter().sum::<u64>() as f64;
        let a = cell_bootstrap(&[30, 70], &cfg, 1, f);
        let b = cell_bootstrap(&[30, 70], &cfg, 1, f);
        assert_eq!(a, b);
        let mean = a[0].iter().sum::<f64>() / 50.0;
        assert!((mean - 0.3).abs() < 0.03);
    }

    /// Keeping some statistics gives exactly their replicates of the full bootstrap, across
    /// more resamples than one block.
    #[test]
    fn selected_replicates_equal_the_full_ones() {
        let cfg = BootstrapConfig { resamples: 600, level: 0.95, seed: 3 };
        let f = |c: &[u64], out: &mut [f64]| {
            let n = c.iter().sum::<u64>() as f64;
            for (o, &x) in out.iter_mut().zip(c) {
                *o = x as f64 / n;
            }
        };
        let counts = [5u64, 40, 1, 300];
        let all = cell_bootstrap(&counts, &cfg, 4, f);
        let some = cell_bootstrap_select(&counts, &cfg, 4, &[3, 1], f);
        assert_eq!(some, vec![all[3].clone(), all[1].clone()]);
        assert_eq!(all[0].len(), 600);
    }
}

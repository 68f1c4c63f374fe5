//! Exact binomial and multinomial draws, so a bootstrap resample of n rows can be drawn as
//! cell counts in O(cells) instead of O(n) row indices — the same distribution, far less work.

use super::rng::Rng;
use super::special::ln_factorial;

/// One draw from Binomial(n, p): inversion for small means, Hörmann's BTRS otherwise.
pub fn binomial(rng: &mut Rng, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - binomial(rng, n, 1.0 - p);
    }
    if (n as f64) * p < 10.0 {
        binomial_inversion(rng, n, p)
    } else {
        binomial_btrs(rng, n, p)
    }
}

/// Sequential search through the CDF; expected cost O(n·p), used when n·p < 10.
fn binomial_inversion(rng: &mut Rng, n: u64, p: f64) -> u64 {
    let q = 1.0 - p;
    let s = p / q;
    let a = (n as f64 + 1.0) * s;
    let mut r = q.powf(n as f64);
    let mut u = rng.uniform();
    let mut x = 0u64;
    while u > r {
        u -= r;
        x += 1;
        if x > n {
            // Rounding left a sliver of mass; restart the draw.
            x = 0;
            r = q.powf(n as f64);
            u = rng.uniform();
            continue;
        }
        r *= a / (x as f64) - s;
    }
    x
}

/// Transformed rejection with squeeze (Hörmann 1993), for n·p >= 10 and p <= 0.5.
fn binomial_btrs(rng: &mut Rng, n: u64, p: f64) -> u64 {
    let nf = n as f64;
    let q = 1.0 - p;
    let spq = (nf * p * q).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let v_r = 0.92 - 4.2 / b;
    let alpha = (2.83 + 5.1 / b) * spq;
    let lpq = (p / q).ln();
    let m = ((nf + 1.0) * p).floor();
    let h = ln_factorial(m as u64) + ln_factorial(n - m as u64);
    loop {
        let u = rng.uniform() - 0.5;
        let v = rng.uniform();
        let us = 0.5 - u.abs();
        let kf = ((2.0 * a / us + b) * u + c).floor();
        if kf < 0.0 || kf > nf {
            continue;
        }
        if us >= 0.07 && v <= v_r {
            return kf as u64;
        }
        let k = kf as u64;
        let lhs = (v * alpha / (a / (us * us) + b)).ln();
        let rhs = h - ln_factorial(k) - ln_factorial(n - k) + (kf - m) * lpq;
        if lhs <= rhs {
            return k;
        }
    }
}

/// Multinomial(n, counts/total) into `out`: the cell counts of one bootstrap resample of the
/// rows summarised by `counts`. Uses conditional binomials; when there are more cells than
/// rows it draws rows directly.
pub fn resample_counts(rng: &mut Rng, counts: &[u64], out: &mut [u64]) {
    Resampler::new(counts).draw(rng, out)
}

/// Draws resamples of fixed cell counts, as [`resample_counts`] does, with the work that does
/// not depend on the draw (the total; the row-to-cell table when rows are drawn directly) done
/// once for all resamples.
pub struct Resampler<'a> {
    counts: &'a [u64],
    total: u64,
    /// Row r (in cell order) belongs to cell owner[r]: set when there are few rows per cell.
    owner: Option<Vec<u32>>,
}

impl<'a> Resampler<'a> {
    pub fn new(counts: &'a [u64]) -> Resampler<'a> {
        let total: u64 = counts.iter().sum();
        // Few rows per cell: drawing rows is cheaper than one binomial per cell, and a table of
        // each row's cell makes every draw O(1) instead of a binary search.
        let owner = (total > 0 && counts.len() as u64 > total / 4 + 16)
            .then(|| counts.iter().enumerate().flat_map(|(i, &c)| std::iter::repeat_n(i as u32, c as usize)).collect());
        Resampler { counts, total, owner }
    }

    /// One resample's cell counts into `out`.
    pub fn draw(&self, rng: &mut Rng, out: &mut [u64]) {
        let (counts, total) = (self.counts, self.total);
        debug_assert_eq!(counts.len(), out.len());
        out.iter_mut().for_each(|o| *o = 0);
        if total == 0 {
            return;
        }
        if let Some(owner) = &self.owner {
            for _ in 0..total {
                let r = rng.below(total);
                out[owner[r as usize] as usize] += 1;
            }
            return;
        }
        let mut remaining_n = total;
        let mut remaining_mass = total;
        for (i, &c) in counts.iter().enumerate() {
            if remaining_n == 0 {
                break;
            }
            if c == 0 {
                continue;
            }
            if c == remaining_mass {
                out[i] = remaining_n;
                break;
            }
            let k = binomial(rng, remaining_n, c as f64 / remaining_mass as f64);
            out[i] = k;
            remaining_n -= k;
            remaining_mass -= c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_var(samples: &[u64]) -> (f64, f64) {
        let n = samples.len() as f64;
        let m = samples.iter().map(|&x| x as f64).sum::<f64>() / n;
        let v = samples.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / (n - 1.0);
        (m, v)
    }

    #[test]
    fn binomial_moments_match_theory() {
        let mut rng = Rng::new(3, 0);
        for &(n, p) in &[(20u64, 0.1f64), (1000, 0.3), (1_000_000, 0.02), (50, 0.9), (7, 0.5)] {
            let draws: Vec<u64> = (0..40_000).map(|_| binomial(&mut rng, n, p)).collect();
            assert!(draws.iter().all(|&k| k <= n));
            let (m, v) = mean_var(&draws);
            let (tm, tv) = (n as f64 * p, n as f64 * p * (1.0 - p));
            assert!((m - tm).abs() < 5.0 * (tv / 40_000.0).sqrt() + 1e-9, "n={n} p={p} mean {m} vs {tm}");
            assert!((v / tv - 1.0).abs() < 0.05, "n={n} p={p} var {v} vs {tv}");
        }
    }

    #[test]
    fn resample_preserves_total_and_expected_shares() {
        let mut rng = Rng::new(5, 0);
        let counts = [90u64, 10, 15, 85];
        let mut out = [0u64; 4];
        let mut sums = [0f64; 4];
        for _ in 0..20_000 {
            resample_counts(&mut rng, &counts, &mut out);
            assert_eq!(out.iter().sum::<u64>(), 200);
            for i in 0..4 {
                sums[i] += out[i] as f64;
            }
        }
        for i in 0..4 {
            assert!((sums[i] / 20_000.0 - counts[i] as f64).abs() < 0.3, "{sums:?}");
        }
        // The many-cells path too.
        let counts = vec![1u64; 50];
        resample_counts(&mut rng, &counts, &mut vec![0; 50]);
        let mut out = vec![0u64; 50];
        resample_counts(&mut rng, &counts, &mut out);
        assert_eq!(out.iter().sum::<u64>(), 50);
    }

    /// The many-cells path draws row r into the cell whose cumulative range holds r, as a
    /// binary search over the cumulative counts does.
    #[test]
    fn row_draws_land_in_the_cell_holding_the_row() {
        let counts: Vec<u64> = (0..40).map(|i| 1 + u64::from(i % 3 == 0) + u64::from(i % 7 == 0)).collect();
        let total: u64 = counts.iter().sum();
        assert!(counts.len() as u64 > total / 4 + 16);
        let cumulative: Vec<u64> = counts
            .iter()
            .scan(0u64, |acc, &c| {
                *acc += c;
                Some(*acc)
            })
            .collect();
        for seed in 0..20 {
            let mut want = vec![0u64; counts.len()];
            let mut rng = Rng::new(seed, 1);
            for _ in 0..total {
                let r = rng.below(total);
                want[cumulative.partition_point(|&c| c <= r)] += 1;
            }
            let mut got = vec![0u64; counts.len()];
            resample_counts(&mut Rng::new(seed, 1), &counts, &mut got);
            assert_eq!(got, want);
        }
    }
}

//! Paired randomisation tests. Under "no difference" the two models are exchangeable on each
//! example, so swapping their outputs on any example is as likely as not; the two-sided
//! p-value is the probability, over the swap patterns, that |statistic| is at least the
//! observed |statistic| (the observed pattern, no swap, counts). Computed exactly by
//! enumeration when few examples differ, by Monte Carlo otherwise.

use rayon::prelude::*;

use super::multinomial::binomial;
use super::rng::Rng;
use super::special::ln_factorial;

/// The names of the p-value methods (the JSON `p_method`).
pub mod method {
    /// Every swap pattern enumerated: the p-value is exact.
    pub const EXACT: &str = "paired_randomisation_exact";
    /// Monte Carlo over random swap patterns: (1 + count) / (1 + trials).
    pub const MONTE_CARLO: &str = "paired_randomisation";
    /// Large n without a randomisation: the normal p of the mean per-example difference.
    pub const NORMAL: &str = "paired_normal_mean";
    /// DeLong's test of two correlated ROC AUCs.
    pub const DELONG: &str = "delong";
}

/// Most swap outcomes enumerated exactly (2^20: every pattern of 20 differing examples).
pub const MAX_EXACT_OUTCOMES: u64 = 1 << 20;
/// Most differing examples whose 2^d swap patterns are enumerated exactly.
pub const MAX_EXACT_EXAMPLES: usize = 20;
/// Generator salt of the Monte Carlo trials (trial i uses stream i + 1 of seed ^ SALT), so
/// they are not the bootstrap's draws.
pub const SALT: u64 = 0x5A1D_7E57_0000_0000;

/// A randomisation p-value and whether it is exact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomisationP {
    pub p: f64,
    pub exact: bool,
}

impl RandomisationP {
    /// The method name for the JSON `p_method`.
    pub fn method(&self) -> &'static str {
        if self.exact {
            method::EXACT
        } else {
            method::MONTE_CARLO
        }
    }
}

/// Whether a statistic under some swap pattern is at least as extreme as the observed one:
/// |t| ≥ |observed| up to a relative 1e-9, so that float ties (the same counts summed in
/// another order) count. An undefined statistic counts too (the conservative choice).
#[inline]
pub fn at_least_as_extreme(t: f64, observed: f64) -> bool {
    let o = observed.abs();
    t.is_nan() || t.abs() >= o - 1e-9 * o
}

/// The Monte Carlo p-value from `count` extreme trials of `trials`: (1 + count)/(1 + trials),
/// the observed pattern counted as one more trial so p is never 0.
pub fn monte_carlo_p(count: usize, trials: usize) -> f64 {
    ((1 + count) as f64 / (1 + trials) as f64).min(1.0)
}

/// Binomial(m, ½) probabilities of 0..=m.
fn half_binomial_pmf(m: u64) -> Vec<f64> {
    let ln_half = m as f64 * std::f64::consts::LN_2;
    (0..=m).map(|x| (ln_factorial(m) - ln_factorial(x) - ln_factorial(m - x) - ln_half).exp()).collect()
}

/// The number of outcomes of independent Binomial(m_j, ½) groups, ∏(m_j + 1), saturating.
pub fn outcomes(sizes: &[u64]) -> u64 {
    sizes.iter().fold(1u64, |acc, &m| acc.saturating_mul(m.saturating_add(1)))
}

/// Outcomes per parallel task of an exact enumeration.
const ENUM_CHUNK: u64 = 1 << 12;

/// Two-sided randomisation p-values of several statistics when the swaps act on groups: group
/// j holds `sizes[j]` examples that can land on either side, and the count landing on the
/// first side is Binomial(m_j, ½), independently across groups (the paired cells of a
/// confusion matrix). `stat(x, out)` writes every statistic for the first-side counts `x`;
/// `observed[s]` is statistic s with every example where it was observed.
///
/// Exact (weighted enumeration of ∏(m_j + 1) outcomes) when that is at most
/// [`MAX_EXACT_OUTCOMES`]; else Monte Carlo with `trials` draws (trial i from stream i + 1 of
/// `seed ^ SALT`); None for a statistic whose observed value is undefined, and for all when
/// neither is possible (no trials).
pub fn grouped_p<F>(sizes: &[u64], observed: &[f64], trials: usize, seed: u64, stat: F) -> Vec<Option<RandomisationP>>
where
    F: Fn(&[u64], &mut [f64]) + Sync,
{
    let n_stats = observed.len();
    let total = outcomes(sizes);
    let wrap = |exact: bool, p: Vec<f64>| -> Vec<Option<RandomisationP>> {
        p.into_iter()
            .zip(observed)
            .map(|(p, o)| (!o.is_nan()).then_some(RandomisationP { p: p.min(1.0), exact }))
            .collect()
    };
    if total <= MAX_EXACT_OUTCOMES {
        let pmf: Vec<Vec<f64>> = sizes.iter().map(|&m| half_binomial_pmf(m)).collect();
        let mass = (0..total.div_ceil(ENUM_CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut acc = vec![0.0; n_stats];
                let mut out = vec![f64::NAN; n_stats];
                // Mixed-radix digits of the chunk's first outcome.
                let mut x = vec![0u64; sizes.len()];
                let mut rest = c * ENUM_CHUNK;
                for (d, &m) in x.iter_mut().zip(sizes) {
                    *d = rest % (m + 1);
                    rest /= m + 1;
                }
                for _ in c * ENUM_CHUNK..((c + 1) * ENUM_CHUNK).min(total) {
                    let w: f64 = x.iter().zip(&pmf).map(|(&d, p)| p[d as usize]).product();
                    stat(&x, &mut out);
                    for s in 0..n_stats {
                        if at_least_as_extreme(out[s], observed[s]) {
                            acc[s] += w;
                        }
                    }
                    for (d, &m) in x.iter_mut().zip(sizes) {
                        if *d < m {
                            *d += 1;
                            break;
                        }
                        *d = 0;
                    }
                }
                acc
            })
            .reduce(|| vec![0.0; n_stats], |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect());
        return wrap(true, mass);
    }
    if trials == 0 {
        return vec![None; n_stats];
    }
    let counts = (0..trials)
        .into_par_iter()
        .map_init(
            || (vec![0u64; sizes.len()], vec![f64::NAN; n_stats]),
            |(x, out), i| {
                let mut rng = Rng::new(seed ^ SALT, i as u64 + 1);
                for (d, &m) in x.iter_mut().zip(sizes) {
                    *d = binomial(&mut rng, m, 0.5);
                }
                stat(x, out);
                out.iter().zip(observed).map(|(&t, &o)| at_least_as_extreme(t, o) as usize).collect::<Vec<_>>()
            },
        )
        .reduce(|| vec![0; n_stats], |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect());
    wrap(false, counts.into_iter().map(|c| monte_carlo_p(c, trials)).collect())
}

/// Trial t's swap pattern of `d` examples as mask words (example i in bit i % 64 of word
/// i / 64): pattern t itself when enumerating (`exact`), else random bits from stream t + 1
/// of `seed ^ SALT`.
pub fn swap_mask(d: usize, exact: bool, seed: u64, t: usize) -> Vec<u64> {
    if exact {
        return vec![t as u64];
    }
    let mut rng = Rng::new(seed ^ SALT, t as u64 + 1);
    let mut w: Vec<u64> = (0..d.div_ceil(64)).map(|_| rng.next_u64()).collect();
    if d % 64 != 0 {
        if let Some(last) = w.last_mut() {
            *last &= (1u64 << (d % 64)) - 1;
        }
    }
    w
}

/// Whether example i is swapped in mask `w`.
#[inline]
pub fn swapped(w: &[u64], i: usize) -> bool {
    (w[i / 64] >> (i % 64)) & 1 == 1
}

/// Randomisation p-values from per-pattern outcomes: `extreme[t][s]` says whether statistic s
/// under pattern t was at least as extreme as observed. Exact: the share of the 2^d patterns;
/// Monte Carlo: (1 + count)/(1 + trials).
pub fn p_from_patterns(extreme: &[Vec<bool>], n_stats: usize, exact: bool) -> Vec<RandomisationP> {
    (0..n_stats)
        .map(|s| {
            let count = extreme.iter().filter(|e| e[s]).count();
            let p =
                if exact { count as f64 / extreme.len().max(1) as f64 } else { monte_carlo_p(count, extreme.len()) };
            RandomisationP { p: p.min(1.0), exact }
        })
        .collect()
}

/// Two-sided sign-flip randomisation p of a mean of per-example differences (swapping the
/// models on an example flips its difference's sign): exact over the 2^d sign patterns of the
/// d nonzero differences when d ≤ [`MAX_EXACT_EXAMPLES`], else Monte Carlo with `trials`
/// patterns (None without trials). The statistic is the sum, so n does not matter.
pub fn sign_flip_p(diffs: &[f64], trials: usize, seed: u64) -> Option<RandomisationP> {
    let nz: Vec<f64> = diffs.iter().copied().filter(|&x| x != 0.0).collect();
    if nz.iter().any(|x| x.is_nan()) {
        return None;
    }
    let observed: f64 = nz.iter().sum();
    let d = nz.len();
    let exact = d <= MAX_EXACT_EXAMPLES;
    let patterns = if exact { 1usize << d } else { trials };
    if patterns == 0 {
        return None;
    }
    let count: usize = (0..patterns)
        .into_par_iter()
        .with_min_len(1024)
        .map(|t| {
            let w = swap_mask(d, exact, seed, t);
            let s: f64 = nz.iter().enumerate().map(|(i, &x)| if swapped(&w, i) { -x } else { x }).sum();
            at_least_as_extreme(s, observed) as usize
        })
        .sum();
    let p = if exact { count as f64 / patterns as f64 } else { monte_carlo_p(count, trials) };
    Some(RandomisationP { p: p.min(1.0), exact })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::mcnemar::mcnemar_exact;

    /// One group of discordant rows, the statistic (#first side − #second side): McNemar's test.
    #[test]
    fn one_group_is_mcnemar() {
        for (b, c) in [(5u64, 0u64), (8, 14), (3, 3), (0, 0), (40, 25)] {
            let m = b + c;
            let obs = c as f64 - b as f64;
            let got = grouped_p(&[m], &[obs], 0, 1, |x, out| out[0] = 2.0 * x[0] as f64 - m as f64)[0].unwrap();
            assert!(got.exact);
            assert!((got.p - mcnemar_exact(b, c).p_value).abs() < 1e-12, "{b} {c}: {got:?}");
        }
        // 5 fixed, none broken: 2/32.
        let p = grouped_p(&[5], &[5.0], 0, 1, |x, out| out[0] = 2.0 * x[0] as f64 - 5.0)[0].unwrap();
        assert!((p.p - 0.0625).abs() < 1e-12);
    }

    #[test]
    fn monte_carlo_agrees_with_exact() {
        // Two groups too big to enumerate; the exact p of the sum is McNemar's on m1 + m2.
        let sizes = [1500u64, 1400];
        assert!(outcomes(&sizes) > MAX_EXACT_OUTCOMES);
        let obs = 120.0;
        let stat = |x: &[u64], out: &mut [f64]| out[0] = 2.0 * (x[0] + x[1]) as f64 - 2900.0;
        let got = grouped_p(&sizes, &[obs], 4000, 3, stat)[0].unwrap();
        let want = mcnemar_exact(1390, 1510).p_value;
        assert!(!got.exact && (got.p - want).abs() < 0.015, "{got:?} vs {want}");
        assert_eq!(grouped_p(&sizes, &[obs], 4000, 3, stat), grouped_p(&sizes, &[obs], 4000, 3, stat));
        assert_eq!(grouped_p(&sizes, &[obs], 0, 3, stat), vec![None]);
    }

    #[test]
    fn sign_flip_exact_and_monte_carlo() {
        // Brute force over the 2^d patterns.
        let diffs = [0.5, -0.2, 0.0, 0.9, 0.3, -0.1, 0.0, 0.7];
        let nz: Vec<f64> = diffs.iter().copied().filter(|&x| x != 0.0).collect();
        let obs: f64 = nz.iter().sum();
        let mut count = 0;
        for t in 0..(1u32 << nz.len()) {
            let s: f64 = nz.iter().enumerate().map(|(i, &x)| if t >> i & 1 == 1 { -x } else { x }).sum();
            count += (s.abs() >= obs.abs() - 1e-9) as usize;
        }
        let got = sign_flip_p(&diffs, 0, 1).unwrap();
        assert!(got.exact && (got.p - count as f64 / 64.0).abs() < 1e-12, "{got:?}");
        // 40 differences of +1 and −1 (a binomial): Monte Carlo near McNemar.
        let diffs: Vec<f64> = (0..40).map(|i| if i < 27 { 1.0 } else { -1.0 }).collect();
        let got = sign_flip_p(&diffs, 5000, 2).unwrap();
        let want = mcnemar_exact(13, 27).p_value;
        assert!(!got.exact && (got.p - want).abs() < 0.01, "{got:?} vs {want}");
        assert_eq!(sign_flip_p(&[0.0, 0.0], 0, 1).unwrap().p, 1.0);
    }
}

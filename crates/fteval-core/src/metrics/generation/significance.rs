//! sacreBLEU's paired approximate randomisation test (`--paired-ar`, `_paired_ar_test` in
//! `sacrebleu/significance.py`) over per-example sufficient statistics.
//!
//! Each trial swaps the two systems' outputs on a random half of the examples (each example
//! independently with probability 1/2), giving two pseudo-systems A and B; the p-value is
//! `(c + 1) / (trials + 1)` where c counts the trials with `|score(A) − score(B)|` strictly greater
//! than the observed `|score(baseline) − score(system)|` (multeval's stratified test, which
//! sacreBLEU follows).
//!
//! sacreBLEU draws the swaps with numpy; here they come from the project's seeded generator
//! ([`crate::stats::rng::Rng`], one stream per trial), so p-values are reproducible from the seed
//! and identical across thread counts, and agree with sacreBLEU's up to Monte Carlo error.
//! [`paired_ar_with_masks`] takes explicit swap masks, which is how the tests reproduce
//! sacreBLEU's p-values exactly from numpy's masks.

use rayon::prelude::*;

use super::{sum_all, SufficientStats};
use crate::stats::rng::Rng;

/// sacreBLEU's default number of approximate-randomisation trials.
pub const DEFAULT_AR_TRIALS: usize = 10_000;

/// The outcome of a paired approximate randomisation test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairedArResult {
    /// Corpus score of the baseline.
    pub baseline: f64,
    /// Corpus score of the system compared with it.
    pub system: f64,
    /// `(c + 1) / (trials + 1)`.
    pub p_value: f64,
    /// Trials whose absolute score difference exceeded the observed one (c).
    pub exceed: usize,
    pub trials: usize,
}

/// Scores of the two pseudo-systems of one trial: A takes the baseline's statistics where `swap`
/// is true and the system's elsewhere; B the reverse (B = total − A, so one pass suffices).
fn trial_scores<S: SufficientStats>(
    baseline: &[S],
    system: &[S],
    total: &S,
    swap: impl Fn(usize) -> bool,
    score: &impl Fn(&S) -> f64,
) -> (f64, f64) {
    let mut a = S::default();
    for i in 0..baseline.len() {
        a.add_assign(if swap(i) { &baseline[i] } else { &system[i] });
    }
    let mut b = total.clone();
    b.sub_assign(&a);
    (score(&a), score(&b))
}

fn check_pair<S>(baseline: &[S], system: &[S]) {
    assert_eq!(baseline.len(), system.len(), "paired test needs the same examples for both systems");
}

/// Both systems' observed corpus scores and the statistics of both summed (what each trial splits).
fn observed<S: SufficientStats, F: Fn(&S) -> f64>(baseline: &[S], system: &[S], score: &F) -> (f64, f64, S) {
    check_pair(baseline, system);
    let (sum_b, sum_s) = (sum_all(baseline), sum_all(system));
    let (bl, sys) = (score(&sum_b), score(&sum_s));
    let mut total = sum_b;
    total.add_assign(&sum_s);
    (bl, sys, total)
}

/// sacreBLEU's p-value: (exceed + 1) / (trials + 1).
fn ar_result(baseline: f64, system: f64, exceed: usize, trials: usize) -> PairedArResult {
    PairedArResult { baseline, system, p_value: (exceed + 1) as f64 / (trials + 1) as f64, exceed, trials }
}

/// The paired approximate randomisation test with `trials` random swap masks drawn from `seed`
/// (trial t uses stream t of [`Rng`], one random bit per example).
///
/// `score` turns summed statistics into the corpus score, e.g.
/// `|s| bleu_score(s, &config).score`.
pub fn paired_approximate_randomization<S, F>(
    baseline: &[S],
    system: &[S],
    score: F,
    trials: usize,
    seed: u64,
) -> PairedArResult
where
    S: SufficientStats,
    F: Fn(&S) -> f64 + Sync,
{
    let (bl, sys, total) = observed(baseline, system, &score);
    let diff = (bl - sys).abs();
    let n = baseline.len();
    let exceed = (0..trials)
        .into_par_iter()
        .filter(|&t| {
            let mut rng = Rng::new(seed, t as u64);
            let words: Vec<u64> = (0..n.div_ceil(64)).map(|_| rng.next_u64()).collect();
            let (a, b) = trial_scores(baseline, system, &total, |i| words[i / 64] >> (i % 64) & 1 == 1, &score);
            (a - b).abs() > diff
        })
        .count();
    ar_result(bl, sys, exceed, trials)
}

/// The same test with the swap masks given: `masks[t][i]` says whether trial t gives example i's
/// baseline statistics to pseudo-system A (sacreBLEU's `pos_sel`).
pub fn paired_ar_with_masks<S, F>(baseline: &[S], system: &[S], score: F, masks: &[Vec<bool>]) -> PairedArResult
where
    S: SufficientStats,
    F: Fn(&S) -> f64 + Sync,
{
    let (bl, sys, total) = observed(baseline, system, &score);
    let diff = (bl - sys).abs();
    let exceed = masks
        .par_iter()
        .filter(|m| {
            assert_eq!(m.len(), baseline.len(), "one mask bit per example");
            let (a, b) = trial_scores(baseline, system, &total, |i| m[i], &score);
            (a - b).abs() > diff
        })
        .count();
    let trials = masks.len();
    ar_result(bl, sys, exceed, trials)
}

#[cfg(test)]
mod tests {
    use super::super::bleu::{bleu_score, bleu_stats, BleuConfig};
    use super::*;

    #[test]
    fn identical_systems_are_never_significant() {
        let c = BleuConfig::default();
        let refs = ["a b c d e", "f g h i", "j k l m n o"];
        let hyps = ["a b c x e", "f g y i", "j k l m z o"];
        let s: Vec<_> = hyps.iter().zip(refs).map(|(h, r)| bleu_stats(h, &[r], &c)).collect();
        let r = paired_approximate_randomization(&s, &s, |x| bleu_score(x, &c).score, 200, 1);
        // every trial has difference 0, which never exceeds the observed 0
        assert_eq!(r.exceed, 0);
        assert!((r.p_value - 1.0 / 201.0).abs() < 1e-15);
    }

    #[test]
    fn reproducible_from_the_seed() {
        let c = BleuConfig::default();
        let refs: Vec<String> =
            (0..50).map(|i| format!("w{} w{} w{} w{} w{}", i, i + 1, i + 2, i + 3, i + 4)).collect();
        let a: Vec<_> = refs.iter().map(|r| bleu_stats(r, &[r], &c)).collect();
        let b: Vec<_> =
            refs.iter().enumerate().map(|(i, r)| bleu_stats(if i % 3 == 0 { "x y" } else { r }, &[r], &c)).collect();
        let f = |x: &_| bleu_score(x, &c).score;
        let r1 = paired_approximate_randomization(&a, &b, f, 500, 7);
        let r2 = paired_approximate_randomization(&a, &b, f, 500, 7);
        assert_eq!(r1, r2);
        assert!(r1.p_value < 0.01, "{r1:?}");
    }
}

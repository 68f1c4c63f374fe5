//! Bootstrap resampling of corpus statistics: for each resample, the sum of the per-example
//! statistics over n examples drawn with replacement — the input of the corpus BLEU / chrF
//! score (or a ROUGE / SQuAD mean) of that resample.
//!
//! Resample b is the multiset of n indices drawn uniformly, one after another, from stream b of
//! [`Rng`] (Lemire's bounded draw), so the replicates depend only on the seed, never on the
//! thread count. The work is arranged for memory locality: resamples are handled in groups
//! whose drawn indices are bucketed by block of examples, so each block of statistics is read
//! from memory once per group rather than once per resample.

use rayon::prelude::*;

use super::SufficientStats;
#[cfg(test)]
use super::Sums;
use crate::stats::rng::Rng;

/// Examples per block (a block's statistics should stay in cache while a group is summed).
const BLOCK_BITS: u32 = 10;
/// Resamples handled together.
const GROUP: usize = 16;

/// The summed statistics of `resamples` bootstrap resamples of `stats` (a row per resample, in
/// resample order), drawn from `seed`.
pub fn bootstrap_sums<S: SufficientStats>(stats: &[S], resamples: usize, seed: u64) -> Vec<S> {
    let n = stats.len();
    if n == 0 {
        return vec![S::default(); resamples];
    }
    assert!(n <= u32::MAX as usize, "at most 2^32 - 1 examples");
    let n_blocks = ((n - 1) >> BLOCK_BITS) + 1;
    let groups: Vec<Vec<S>> = (0..resamples.div_ceil(GROUP))
        .into_par_iter()
        .map(|g| {
            let members: Vec<usize> = (g * GROUP..((g + 1) * GROUP).min(resamples)).collect();
            // Draw each member's indices and bucket them by block (a counting sort).
            let mut buckets: Vec<(Vec<u32>, Vec<usize>)> = Vec::with_capacity(members.len());
            let mut drawn = vec![0u32; n];
            for &b in &members {
                let mut rng = Rng::new(seed, b as u64);
                let mut starts = vec![0usize; n_blocks + 1];
                for d in drawn.iter_mut() {
                    *d = rng.below(n as u64) as u32;
                    starts[(*d >> BLOCK_BITS) as usize + 1] += 1;
                }
                for k in 0..n_blocks {
                    starts[k + 1] += starts[k];
                }
                let mut fill = starts.clone();
                let mut sorted = vec![0u32; n];
                for &d in &drawn {
                    let slot = &mut fill[(d >> BLOCK_BITS) as usize];
                    sorted[*slot] = d;
                    *slot += 1;
                }
                buckets.push((sorted, starts));
            }
            let mut sums = vec![S::default(); members.len()];
            for k in 0..n_blocks {
                for ((sorted, starts), sum) in buckets.iter().zip(sums.iter_mut()) {
                    for &i in &sorted[starts[k]..starts[k + 1]] {
                        sum.add_assign(&stats[i as usize]);
                    }
                }
            }
            sums
        })
        .collect();
    groups.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resample_is_n_draws_from_its_stream() {
        let stats: Vec<Sums<1>> = (0..3000).map(|i| Sums([i as f64])).collect();
        let sums = bootstrap_sums(&stats, 40, 9);
        assert_eq!(sums.len(), 40);
        for (b, s) in sums.iter().enumerate() {
            let mut rng = Rng::new(9, b as u64);
            let want: f64 = (0..3000).map(|_| rng.below(3000) as f64).sum();
            assert_eq!(s.0[0], want, "resample {b}");
        }
        // each resample draws n examples
        let ones = vec![Sums([1.0]); 1500];
        assert!(bootstrap_sums(&ones, 5, 1).iter().all(|s| s.0[0] == 1500.0));
    }
}

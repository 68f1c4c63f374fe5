//! fteval-sim: how honest fteval's intervals, p-values and flags are. Each section draws test
//! sets from a data-generating process whose truth is known (the metric computed by the same
//! library on [`SimConfig::truth_draws`] draws), runs fteval-core on them in-process and tallies
//! coverage or false-flag rates into plain result tables.
//!
//! Runs are parallel over rayon; run `r` draws its data from stream `r` of
//! [`fteval_core::stats::rng::Rng`] and bootstraps with seed `seed + r`, so every figure is
//! reproducible and independent of the thread count.

pub mod classification;
pub mod compare;
pub mod coverage;
pub mod draw;
pub mod gap;
pub mod generation;
pub mod ner;
pub mod pvalues;
pub mod rank;
pub mod table;

use fteval_core::stats::rng::Rng;
use fteval_core::BootstrapConfig;
use rayon::prelude::*;

/// How much simulation to do: runs per setting, bootstrap resamples per run, the seed, and the
/// number of draws the ground truth is computed on.
#[derive(Clone, Copy, Debug)]
pub struct SimConfig {
    pub runs: usize,
    pub resamples: usize,
    pub seed: u64,
    pub truth_draws: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig { runs: 1000, resamples: 1000, seed: 2024, truth_draws: 2_000_000 }
    }
}

impl SimConfig {
    /// The small configuration `--quick` and the honesty tests use.
    pub fn quick() -> SimConfig {
        SimConfig { runs: 200, resamples: 200, ..SimConfig::default() }
    }

    /// fteval's defaults (95% level) with this suite's resamples, seeded per run.
    pub fn bootstrap(&self, run: u64) -> BootstrapConfig {
        BootstrapConfig { resamples: self.resamples, seed: self.seed.wrapping_add(run), ..BootstrapConfig::default() }
    }

    /// `runs` scaled by `share` for the expensive settings (at least 50 runs, at most `runs`).
    pub fn runs_scaled(&self, share: f64) -> usize {
        ((self.runs as f64 * share).round() as usize).clamp(self.runs.min(50), self.runs)
    }
}

/// The data generator of run `run` in the setting named by `salt` (a different process per
/// setting, the same one for every metric of the setting).
pub fn data_rng(config: &SimConfig, salt: &str, run: u64) -> Rng {
    let h = salt.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    Rng::new(config.seed ^ h, run)
}

/// `f(run)` for every run, in parallel, in run order.
pub fn par_runs<T: Send, F: Fn(u64) -> T + Sync>(runs: usize, f: F) -> Vec<T> {
    (0..runs as u64).into_par_iter().map(|r| f(r)).collect()
}

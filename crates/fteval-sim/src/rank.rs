//! `rank` with k models of equal quality: the family-wise error, i.e. the share of runs where
//! any model is declared not tied with the best.

use fteval_core::rank::rank_models;
use fteval_core::stats::rng::Rng;
use fteval_core::{ClassificationInput, Task};

use crate::draw::bernoulli;
use crate::{data_rng, par_runs, SimConfig};

pub const PRIMARY: &str = "f1";
pub const POSITIVE_RATE: f64 = 0.3;
pub const ACCURACY: f64 = 0.8;
pub const N: usize = 1000;

/// `k` models each right with probability ACCURACY on each row, errors independent (no scores).
pub fn draw(k: usize, n: usize, rng: &mut Rng) -> Vec<ClassificationInput> {
    let gold: Vec<u32> = (0..n).map(|_| u32::from(bernoulli(rng, POSITIVE_RATE))).collect();
    (0..k)
        .map(|_| ClassificationInput {
            task: Task::Binary,
            labels: vec!["neg".into(), "pos".into()],
            positive: Some(1),
            gold: gold.clone(),
            pred: gold.iter().map(|&g| if bernoulli(rng, ACCURACY) { g } else { 1 - g }).collect(),
            scores: None,
            model_classes: None,
        })
        .collect()
}

/// Family-wise error of one k.
#[derive(Clone, Debug)]
pub struct RankRow {
    pub k: usize,
    pub n: usize,
    pub runs: usize,
    /// Runs where some model got tied_with_best == Some(false).
    pub any_not_tied: usize,
    /// Runs where some model had no test (tied_with_best == None).
    pub untested: usize,
}

impl RankRow {
    pub fn family_wise_error(&self) -> f64 {
        self.any_not_tied as f64 / self.runs.max(1) as f64
    }
}

/// Numbers of models and the share of runs spent on each.
pub const MODELS: [(usize, f64); 3] = [(3, 1.0), (5, 1.0), (10, 0.5)];

pub fn run(config: &SimConfig, models: &[(usize, f64)]) -> Vec<RankRow> {
    models
        .iter()
        .map(|&(k, share)| {
            let salt = format!("rank/{k}");
            let runs = par_runs(config.runs_scaled(share), |r| {
                let inputs = draw(k, N, &mut data_rng(config, &salt, r));
                match rank_models(&inputs, PRIMARY, &config.bootstrap(r)) {
                    Ok(ranking) => (
                        ranking.entries.iter().any(|e| e.tied_with_best == Some(false)),
                        ranking.entries.iter().any(|e| e.tied_with_best.is_none()),
                    ),
                    Err(_) => (false, true),
                }
            });
            RankRow {
                k,
                n: N,
                runs: runs.len(),
                any_not_tied: runs.iter().filter(|r| r.0).count(),
                untested: runs.iter().filter(|r| r.1).count(),
            }
        })
        .collect()
}

//! The train–test gap when nothing overfits: train and test drawn from the same process, so any
//! flag is false. The rule is `fteval check`'s: the tested metric's gap above `max_gap` with its
//! interval above 0.

use fteval_core::evaluate::gap::{is_large, tested_gap_key, train_test_gap};
use fteval_core::Task;

use crate::classification::{draw, Process};
use crate::{data_rng, par_runs, SimConfig};

pub const MAX_GAP: f64 = 0.05;
pub const PRIMARY: &str = "f1";
pub const N_TRAIN: usize = 800;
pub const N_TEST: usize = 200;

/// Flag rates in one setting.
#[derive(Clone, Debug)]
pub struct GapRow {
    pub setting: String,
    pub n_train: usize,
    pub n_test: usize,
    pub runs: usize,
    /// Runs flagged by the rule `fteval check` uses (the tested metric's gap).
    pub flagged: usize,
    /// Runs where any metric's gap would have been large (the rule before issue 14).
    pub any_metric: usize,
}

impl GapRow {
    pub fn flag_rate(&self) -> f64 {
        self.flagged as f64 / self.runs.max(1) as f64
    }

    pub fn any_metric_rate(&self) -> f64 {
        self.any_metric as f64 / self.runs.max(1) as f64
    }
}

pub fn settings() -> Vec<(String, Process)> {
    vec![
        ("binary, balanced".into(), Process::Binary { positive_rate: 0.5 }),
        ("binary, 5% positives".into(), Process::Binary { positive_rate: 0.05 }),
    ]
}

pub fn run(config: &SimConfig, settings: &[(String, Process)]) -> Vec<GapRow> {
    settings
        .iter()
        .map(|(name, process)| {
            let salt = format!("gap/{name}");
            let runs = par_runs(config.runs, |r| {
                let mut rng = data_rng(config, &salt, r);
                let mut train = draw(process, N_TRAIN, &mut rng);
                let mut test = draw(process, N_TEST, &mut rng);
                train.scores = None;
                test.scores = None;
                let gaps = train_test_gap(&train, &test, &config.bootstrap(r));
                let flagged = tested_gap_key(&gaps, PRIMARY, Task::Binary)
                    .and_then(|key| gaps.iter().find(|g| g.key == key))
                    .is_some_and(|g| is_large(g, MAX_GAP));
                (flagged, gaps.iter().any(|g| is_large(g, MAX_GAP)))
            });
            GapRow {
                setting: name.clone(),
                n_train: N_TRAIN,
                n_test: N_TEST,
                runs: runs.len(),
                flagged: runs.iter().filter(|r| r.0).count(),
                any_metric: runs.iter().filter(|r| r.1).count(),
            }
        })
        .collect()
}

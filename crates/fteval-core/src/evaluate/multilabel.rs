//! Multilabel evaluation: metrics over (gold set, predicted set) pair counts, bootstrapped on
//! those counts.

use super::{ci_method, class_facts, class_rows, Evaluation, MetricResult};
use crate::checks::{self, Check};
use crate::data::{MultilabelInput, Task};
use crate::metrics::multilabel::{self, SetPair};
use crate::stats::bootstrap::{cell_bootstrap, percentile_interval, BootstrapConfig, Interval};

/// Evaluates a multilabel test set.
pub fn evaluate_multilabel(input: &MultilabelInput, config: &BootstrapConfig) -> Evaluation {
    let l = input.labels.len();
    let n = input.rows.len() as u64;
    // Distinct (gold set, predicted set) pairs with their counts.
    let mut index: std::collections::HashMap<&SetPair, usize> = std::collections::HashMap::new();
    let mut pairs: Vec<SetPair> = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    for row in &input.rows {
        let next = pairs.len();
        let i = *index.entry(row).or_insert(next);
        if i == next {
            pairs.push(row.clone());
            counts.push(0);
        }
        counts[i] += 1;
    }
    let n_stats = multilabel::KEYS.len() + 3 * l;
    let mut point = vec![0.0; n_stats];
    multilabel::metrics(&pairs, &counts, l, &mut point);
    let intervals: Vec<Option<Interval>> = if config.resamples > 0 {
        cell_bootstrap(&counts, config, n_stats, |c, out| multilabel::metrics(&pairs, c, l, out))
            .into_iter()
            .enumerate()
            .map(|(j, mut r)| percentile_interval(&mut r, config.level, point[j]).interval)
            .collect()
    } else {
        vec![None; n_stats]
    };
    let metrics = multilabel::KEYS
        .iter()
        .enumerate()
        .map(|(j, key)| {
            (key.to_string(), MetricResult::point(point[j]).with_interval(intervals[j], ci_method::BOOTSTRAP))
        })
        .collect();
    let label_counts = multilabel::label_counts(&pairs, &counts, l);
    let base = multilabel::KEYS.len();
    let per_class = class_rows(&input.labels, &label_counts, &point[base..], &intervals[base..]);
    let facts = class_facts(&per_class);
    let mut checks: Vec<Check> = Vec::new();
    checks.extend(checks::class_never_predicted(&facts));
    checks.extend(checks::small_support(&facts));
    checks.extend(checks::label_space_mismatch(&facts, None));
    Evaluation {
        task: Task::Multilabel,
        n,
        labels: input.labels.clone(),
        positive_label: None,
        metrics,
        per_class,
        confusion: None,
        checks,
        config: *config,
    }
}

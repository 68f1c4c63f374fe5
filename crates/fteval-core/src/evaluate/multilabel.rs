//! Multilabel evaluation: metrics over (gold set, predicted set) pair counts, bootstrapped on
//! those counts (subset accuracy: Wilson's interval).

use super::{ci_method, class_facts, class_rows, Evaluation, MetricResult};
use crate::checks::{self, Check};
use crate::data::{MultilabelInput, Task};
use crate::metrics::multilabel::{self, SetPair};
use crate::stats::bootstrap::{bca_interval, cell_bootstrap, BootstrapConfig, Interval};
use crate::stats::proportion::wilson;

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
    // Subset accuracy is a proportion of examples (Wilson); the rest use the bias-corrected
    // bootstrap on pair counts, as the single-label confusion-matrix metrics do.
    let exact: u64 = pairs.iter().zip(&counts).filter(|(p, _)| p.gold == p.pred).map(|(_, c)| c).sum();
    let mut intervals: Vec<Option<Interval>> = if config.resamples > 0 {
        cell_bootstrap(&counts, config, n_stats, |c, out| multilabel::metrics(&pairs, c, l, out))
            .into_iter()
            .enumerate()
            .map(|(j, mut r)| bca_interval(&mut r, config.level, point[j], 0.0).interval)
            .collect()
    } else {
        vec![None; n_stats]
    };
    if config.resamples > 0 {
        intervals[0] = wilson(exact, n, config.level);
    }
    let metrics = multilabel::KEYS
        .iter()
        .enumerate()
        .map(|(j, key)| {
            let method = if j == 0 { ci_method::WILSON } else { ci_method::BOOTSTRAP_BC };
            (key.to_string(), MetricResult::point(point[j]).with_interval(intervals[j], method))
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

//! Flips: examples the candidate fixed (baseline wrong, candidate right) and broke (baseline
//! right, candidate wrong) — what a reviewer reads first.

use crate::data::{ClassificationInput, Scores};

/// Fixed and broken counts of one gold class.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassFlips {
    pub label: String,
    pub fixed: u64,
    pub broken: u64,
}

/// Flip counts, per class, and the rows of the most telling examples.
#[derive(Clone, Debug, PartialEq)]
pub struct Flips {
    pub fixed: u64,
    pub broken: u64,
    pub both_correct: u64,
    pub both_wrong: u64,
    pub per_class: Vec<ClassFlips>,
    /// Broken rows, most confidently wrong candidate first (row order without scores).
    pub broken_rows: Vec<usize>,
    /// Fixed rows, most confidently right candidate first.
    pub fixed_rows: Vec<usize>,
}

/// A model's probability for the label it predicted on `row`, when it has scores.
pub fn confidence(input: &ClassificationInput, row: usize) -> Option<f64> {
    let pred = input.pred[row] as usize;
    match &input.scores {
        Some(Scores::Positive(p)) => Some(if Some(pred) == input.positive { p[row] } else { 1.0 - p[row] }),
        Some(Scores::PerClass(v)) => {
            let k = input.labels.len();
            Some(v[row * k + pred])
        }
        None => None,
    }
}

/// Counts flips and picks up to `max_examples` broken and fixed rows.
pub fn flips(baseline: &ClassificationInput, candidate: &ClassificationInput, max_examples: usize) -> Flips {
    let k = baseline.labels.len();
    let mut per_class: Vec<ClassFlips> =
        baseline.labels.iter().map(|l| ClassFlips { label: l.clone(), fixed: 0, broken: 0 }).collect();
    let (mut both_correct, mut both_wrong) = (0u64, 0u64);
    let (mut broken_rows, mut fixed_rows) = (Vec::new(), Vec::new());
    for (i, &g) in baseline.gold.iter().enumerate() {
        let a = baseline.pred[i] == g;
        let b = candidate.pred[i] == g;
        match (a, b) {
            (true, true) => both_correct += 1,
            (false, false) => both_wrong += 1,
            (true, false) => {
                per_class[g as usize].broken += 1;
                broken_rows.push(i);
            }
            (false, true) => {
                per_class[g as usize].fixed += 1;
                fixed_rows.push(i);
            }
        }
    }
    debug_assert_eq!(per_class.len(), k);
    let fixed = fixed_rows.len() as u64;
    let broken = broken_rows.len() as u64;
    let top = |rows: &mut Vec<usize>| {
        if candidate.scores.is_some() {
            // Stable: equal confidences keep row order.
            rows.sort_by(|&x, &y| {
                let (cx, cy) = (confidence(candidate, x).unwrap_or(0.0), confidence(candidate, y).unwrap_or(0.0));
                cy.total_cmp(&cx)
            });
        }
        rows.truncate(max_examples);
    };
    top(&mut broken_rows);
    top(&mut fixed_rows);
    Flips { fixed, broken, both_correct, both_wrong, per_class, broken_rows, fixed_rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Task;

    fn input(pred: Vec<u32>, scores: Option<Vec<f64>>) -> ClassificationInput {
        ClassificationInput {
            task: Task::Binary,
            labels: vec!["0".into(), "1".into()],
            positive: Some(1),
            gold: vec![1, 1, 0, 0, 1],
            pred,
            scores: scores.map(Scores::Positive),
            model_classes: None,
        }
    }

    #[test]
    fn counts_and_orders_flips() {
        let a = input(vec![1, 1, 0, 1, 0], None);
        let b = input(vec![0, 1, 1, 0, 0], Some(vec![0.4, 0.9, 0.95, 0.2, 0.3]));
        let f = flips(&a, &b, 10);
        // Row 0: broken (gold 1); row 2: broken (gold 0); row 3: fixed (gold 0).
        assert_eq!((f.fixed, f.broken, f.both_correct, f.both_wrong), (1, 2, 1, 1));
        assert_eq!(f.per_class[0], ClassFlips { label: "0".into(), fixed: 1, broken: 1 });
        assert_eq!(f.per_class[1], ClassFlips { label: "1".into(), fixed: 0, broken: 1 });
        // Row 2 was predicted positive with 0.95; row 0 negative with 0.6.
        assert_eq!(f.broken_rows, vec![2, 0]);
        assert_eq!(f.fixed_rows, vec![3]);
        assert_eq!(flips(&a, &b, 1).broken_rows, vec![2]);
    }
}

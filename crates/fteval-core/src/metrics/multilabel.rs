//! Multilabel metrics (each example carries a set of labels), as scikit-learn computes them on
//! binarised indicator matrices with `zero_division=0`.
//!
//! Everything here is a function of how many examples share each distinct (gold set,
//! predicted set) pair, so the bootstrap resamples those pair counts.

use super::classification::{macro_avg, micro_avg, weighted_avg, ClassCounts, Quantity};

/// One distinct (gold set, predicted set) pair; sets are sorted label codes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SetPair {
    pub gold: Vec<u32>,
    pub pred: Vec<u32>,
}

impl SetPair {
    fn intersection(&self) -> u64 {
        crate::stats::sets::sorted_intersection(&self.gold, &self.pred) as u64
    }
}

/// Keys of the multilabel metrics, in output order.
pub const KEYS: [&str; 18] = [
    "accuracy",
    "hamming_loss",
    "precision_micro",
    "recall_micro",
    "f1_micro",
    "jaccard_micro",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "jaccard_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "jaccard_weighted",
    "precision_samples",
    "recall_samples",
    "f1_samples",
    "jaccard_samples",
];

/// Per-label tp/fp/fn/support from weighted set pairs.
pub fn label_counts(pairs: &[SetPair], weights: &[u64], n_labels: usize) -> Vec<ClassCounts> {
    let mut c = vec![ClassCounts::default(); n_labels];
    for (pair, &w) in pairs.iter().zip(weights) {
        if w == 0 {
            continue;
        }
        for &g in &pair.gold {
            c[g as usize].support += w;
            if pair.pred.binary_search(&g).is_ok() {
                c[g as usize].tp += w;
            } else {
                c[g as usize].fn_ += w;
            }
        }
        for &p in &pair.pred {
            if pair.gold.binary_search(&p).is_err() {
                c[p as usize].fp += w;
            }
        }
    }
    c
}

/// Writes the metrics of `KEYS` into `out`, then per-label precision, recall, F1.
pub fn metrics(pairs: &[SetPair], weights: &[u64], n_labels: usize, out: &mut [f64]) {
    let n: u64 = weights.iter().sum();
    let nf = n as f64;
    let classes = label_counts(pairs, weights, n_labels);
    let (mut exact, mut sym_diff) = (0u64, 0u64);
    let (mut ps, mut rs, mut fs, mut js) = (0.0, 0.0, 0.0, 0.0);
    for (pair, &w) in pairs.iter().zip(weights) {
        if w == 0 {
            continue;
        }
        let wf = w as f64;
        let inter = pair.intersection();
        let (g, p) = (pair.gold.len() as u64, pair.pred.len() as u64);
        if pair.gold == pair.pred {
            exact += w;
        }
        sym_diff += w * (g + p - 2 * inter);
        let div = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        ps += wf * div(inter, p);
        rs += wf * div(inter, g);
        fs += wf * div(2 * inter, g + p);
        js += wf * div(inter, g + p - inter);
    }
    let values = [
        exact as f64 / nf,
        sym_diff as f64 / (nf * n_labels as f64),
        micro_avg(&classes, Quantity::Precision),
        micro_avg(&classes, Quantity::Recall),
        micro_avg(&classes, Quantity::F1),
        micro_avg(&classes, Quantity::Jaccard),
        macro_avg(&classes, Quantity::Precision),
        macro_avg(&classes, Quantity::Recall),
        macro_avg(&classes, Quantity::F1),
        macro_avg(&classes, Quantity::Jaccard),
        weighted_avg(&classes, Quantity::Precision),
        weighted_avg(&classes, Quantity::Recall),
        weighted_avg(&classes, Quantity::F1),
        weighted_avg(&classes, Quantity::Jaccard),
        ps / nf,
        rs / nf,
        fs / nf,
        js / nf,
    ];
    out[..KEYS.len()].copy_from_slice(&values);
    for (i, c) in classes.iter().enumerate() {
        let base = KEYS.len() + 3 * i;
        out[base] = c.precision();
        out[base + 1] = c.recall();
        out[base + 2] = c.f1();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_multilabel_example() {
        // y_true = [{0,1},{1},{}], y_pred = [{0},{1,2},{}]
        let pairs = vec![
            SetPair { gold: vec![0, 1], pred: vec![0] },
            SetPair { gold: vec![1], pred: vec![1, 2] },
            SetPair { gold: vec![], pred: vec![] },
        ];
        let mut out = vec![0.0; KEYS.len() + 9];
        metrics(&pairs, &[1, 1, 1], 3, &mut out);
        assert!((out[0] - 1.0 / 3.0).abs() < 1e-12); // subset accuracy
        assert!((out[1] - 2.0 / 9.0).abs() < 1e-12); // hamming
        assert!((out[2] - 2.0 / 3.0).abs() < 1e-12); // precision_micro 2 tp / 3 predicted
        assert!((out[3] - 2.0 / 3.0).abs() < 1e-12); // recall_micro
    }
}

//! The curves behind the score metrics, for plots: ROC and precision-recall points at every
//! distinct threshold (as scikit-learn's roc_curve and precision_recall_curve find them), a
//! reliability diagram, and thinning to a few hundred points so reports stay small.

use crate::data::{ClassificationInput, Scores};
use crate::metrics::scores::multiclass::row_top;
use crate::stats::sort_key::{sort_key, sort_keys};

/// Bins of the reliability diagram (equal width, as calibration_curve's "uniform").
pub const RELIABILITY_BINS: usize = 10;

/// One bin of a reliability diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    pub count: u64,
    pub mean_predicted: f64,
    pub observed: f64,
}

/// What a model's scores look like as curves.
#[derive(Clone, Debug, Default)]
pub struct ScoreCurves {
    /// (false positive rate, true positive rate), from (0, 0) to (1, 1); binary only.
    pub roc: Vec<(f64, f64)>,
    /// (recall, precision) by decreasing threshold, starting at (0, 1); binary only.
    pub pr: Vec<(f64, f64)>,
    pub positive_rate: Option<f64>,
    pub calibration: Vec<ReliabilityBin>,
    /// True when calibration compares the top-class confidence with accuracy (multiclass).
    pub calibration_is_accuracy: bool,
}

/// Cumulative (true positives, false positives) after each distinct finite score, highest
/// first. The positives' and the negatives' scores are sorted apart as integer keys (in
/// parallel; an index sort by float compare took 2 of 5 s on 10M rows) and merged.
fn threshold_counts(scores: &[f64], is_pos: &[bool]) -> Vec<(u64, u64)> {
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for (&x, &p) in scores.iter().zip(is_pos) {
        if x.is_finite() {
            // + 0.0 makes -0.0 the same threshold as 0.0.
            if p { &mut pos } else { &mut neg }.push(sort_key(x + 0.0));
        }
    }
    rayon::join(|| sort_keys(&mut pos), || sort_keys(&mut neg));
    let mut out = Vec::new();
    let (mut i, mut j) = (pos.len(), neg.len());
    while i > 0 || j > 0 {
        let key = match (i, j) {
            (0, _) => neg[j - 1],
            (_, 0) => pos[i - 1],
            _ => pos[i - 1].max(neg[j - 1]),
        };
        while i > 0 && pos[i - 1] == key {
            i -= 1;
        }
        while j > 0 && neg[j - 1] == key {
            j -= 1;
        }
        out.push(((pos.len() - i) as u64, (neg.len() - j) as u64));
    }
    out
}

/// ROC points at every distinct threshold, starting at (0, 0). Empty when a class is missing.
pub fn roc_points(scores: &[f64], is_pos: &[bool]) -> Vec<(f64, f64)> {
    roc_from_counts(&threshold_counts(scores, is_pos))
}

fn roc_from_counts(counts: &[(u64, u64)]) -> Vec<(f64, f64)> {
    let Some(&(p, n)) = counts.last() else { return Vec::new() };
    if p == 0 || n == 0 {
        return Vec::new();
    }
    let mut out = vec![(0.0, 0.0)];
    out.extend(counts.iter().map(|&(tp, fp)| (fp as f64 / n as f64, tp as f64 / p as f64)));
    out
}

/// Precision-recall points by decreasing threshold, starting at (recall 0, precision 1) as
/// scikit-learn's curve ends. Empty without positives.
pub fn pr_points(scores: &[f64], is_pos: &[bool]) -> Vec<(f64, f64)> {
    pr_from_counts(&threshold_counts(scores, is_pos))
}

fn pr_from_counts(counts: &[(u64, u64)]) -> Vec<(f64, f64)> {
    let Some(&(p, _)) = counts.last() else { return Vec::new() };
    if p == 0 {
        return Vec::new();
    }
    let mut out = vec![(0.0, 1.0)];
    out.extend(counts.iter().map(|&(tp, fp)| (tp as f64 / p as f64, tp as f64 / (tp + fp) as f64)));
    out
}

/// The bin of `p` as scikit-learn's calibration_curve finds it: bins are right-closed, (a, b],
/// the first also holds 0, and the edges are numpy's linspace(0, 1, bins + 1) (i · (1 / bins)).
fn reliability_bin(p: f64, bins: usize) -> usize {
    let step = 1.0 / bins as f64;
    (1..bins).take_while(|&i| i as f64 * step < p).count()
}

/// Equal-width bins of `predicted` in [0, 1] with the mean prediction and the share of
/// `hit` in each; empty bins are left out.
pub fn reliability(predicted: &[f64], hit: &[bool], bins: usize) -> Vec<ReliabilityBin> {
    let mut count = vec![0u64; bins];
    let mut sum = vec![0.0; bins];
    let mut hits = vec![0u64; bins];
    for (&p, &h) in predicted.iter().zip(hit) {
        if !p.is_finite() {
            continue;
        }
        let b = reliability_bin(p, bins);
        count[b] += 1;
        sum[b] += p;
        hits[b] += h as u64;
    }
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| ReliabilityBin {
            low: b as f64 / bins as f64,
            high: (b + 1) as f64 / bins as f64,
            count: count[b],
            mean_predicted: sum[b] / count[b] as f64,
            observed: hits[b] as f64 / count[b] as f64,
        })
        .collect()
}

/// At most `max` points of a curve, spaced evenly along its length; the first and last are kept.
pub fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 2 {
        return points.to_vec();
    }
    let dist = |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let total: f64 = points.windows(2).map(|w| dist(w[0], w[1])).sum();
    let step = total / (max - 1) as f64;
    let mut out = vec![points[0]];
    let mut travelled = 0.0;
    for w in points.windows(2) {
        travelled += dist(w[0], w[1]);
        if travelled >= step && out.len() < max - 1 {
            out.push(w[1]);
            travelled = 0.0;
        }
    }
    let last = points[points.len() - 1];
    if out.last() != Some(&last) {
        out.push(last);
    }
    out
}

/// The curves of a classification input's scores, or None without scores.
pub fn score_curves(input: &ClassificationInput, max_points: usize) -> Option<ScoreCurves> {
    match input.scores.as_ref()? {
        Scores::Positive(s) => {
            let pos = input.positive?;
            let is_pos: Vec<bool> = input.gold.iter().map(|&g| g as usize == pos).collect();
            let positives = is_pos.iter().filter(|&&p| p).count();
            let counts = threshold_counts(s, &is_pos);
            Some(ScoreCurves {
                roc: thin(&roc_from_counts(&counts), max_points),
                pr: thin(&pr_from_counts(&counts), max_points),
                positive_rate: (!is_pos.is_empty()).then(|| positives as f64 / is_pos.len() as f64),
                calibration: reliability(s, &is_pos, RELIABILITY_BINS),
                calibration_is_accuracy: false,
            })
        }
        Scores::PerClass(probs) => {
            let k = input.labels.len();
            if k == 0 {
                return None;
            }
            let (conf, correct): (Vec<f64>, Vec<bool>) = probs
                .chunks(k)
                .zip(&input.gold)
                .map(|(row, &g)| {
                    let (p, top) = row_top(row);
                    (p, top == g as usize)
                })
                .unzip();
            Some(ScoreCurves {
                calibration: reliability(&conf, &correct, RELIABILITY_BINS),
                calibration_is_accuracy: true,
                ..Default::default()
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// scikit-learn 1.5: roc_curve([0,0,1,1], [0.1,0.4,0.35,0.8], drop_intermediate=False)
    /// gives fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1].
    #[test]
    fn roc_points_match_scikit_learn() {
        let pts = roc_points(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]);
        assert_eq!(pts, vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]);
    }

    /// precision_recall_curve([0,0,1,1], [0.1,0.4,0.35,0.8]): precision [0.5, 0.667, 0.5, 1, 1],
    /// recall [1, 1, 0.5, 0.5, 0], read from the end.
    #[test]
    fn pr_points_match_scikit_learn() {
        let pts = pr_points(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]);
        let want = [(0.0, 1.0), (0.5, 1.0), (0.5, 0.5), (1.0, 2.0 / 3.0), (1.0, 0.5)];
        assert_eq!(pts.len(), want.len());
        for (a, b) in pts.iter().zip(want) {
            assert!((a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn ties_are_one_threshold() {
        let pts = roc_points(&[0.5, 0.5, 0.5, 0.9], &[true, false, true, false]);
        assert_eq!(pts, vec![(0.0, 0.0), (0.5, 0.0), (1.0, 1.0)]);
    }

    /// calibration_curve puts a probability on an edge into the lower bin: 0.1 → bin 0, and
    /// 0.3 → bin 2 (the edge is 0.30000000000000004).
    #[test]
    fn edges_close_bins_on_the_right_as_scikit_learn() {
        assert_eq!(reliability_bin(0.0, 10), 0);
        assert_eq!(reliability_bin(0.1, 10), 0);
        assert_eq!(reliability_bin(0.10001, 10), 1);
        assert_eq!(reliability_bin(0.3, 10), 2);
        assert_eq!(reliability_bin(1.0, 10), 9);
    }

    #[test]
    fn reliability_bins_hold_their_rows() {
        let bins = reliability(&[0.05, 0.15, 0.95, 1.0, 0.95], &[false, true, true, true, false], 10);
        assert_eq!(bins.len(), 3);
        assert_eq!((bins[0].count, bins[1].count, bins[2].count), (1, 1, 3));
        assert!((bins[2].observed - 2.0 / 3.0).abs() < 1e-12);
        assert!((bins[2].mean_predicted - 2.9 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn thinning_keeps_ends_and_bounds_size() {
        let pts: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64 / 9999.0, (i as f64 / 9999.0).sqrt())).collect();
        let t = thin(&pts, 200);
        assert!(t.len() <= 200 && t.len() > 150, "{}", t.len());
        assert_eq!(t[0], pts[0]);
        assert_eq!(*t.last().unwrap(), *pts.last().unwrap());
        assert!(t.windows(2).all(|w| w[1].0 >= w[0].0));
    }

    #[test]
    fn one_class_has_no_roc() {
        assert!(roc_points(&[0.2, 0.3], &[true, true]).is_empty());
        assert!(pr_points(&[0.2, 0.3], &[false, false]).is_empty());
    }
}

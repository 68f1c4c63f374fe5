//! Which mistakes cost more: decision thresholds for a binary classifier's scores chosen by the
//! cost of its errors or by a recall or precision floor. The rule is "predict positive when
//! score ≥ threshold"; every candidate comes from one sort and one walk, O(n log n) in all.

use crate::metrics::classification::ratio;
use crate::stats::sort_key::{from_sort_key, sort_key};

/// Relative slack within which two total costs count as tied, so that rounding in fractional
/// costs (3 × 0.1 against 0.3) does not decide between thresholds.
const COST_TIE: f64 = 1e-12;

/// The cost of each kind of mistake; correct predictions cost 0. Costs are non-negative.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostMatrix {
    /// Cost of one false positive.
    pub fp: f64,
    /// Cost of one false negative.
    pub fn_: f64,
}

/// Mean cost per example of `fp` false positives and `fn_` false negatives among `n` examples;
/// 0 when `n` is 0, and a count of 0 adds nothing even at an infinite cost (so ∞ can forbid a mistake).
pub fn expected_cost(fp: u64, fn_: u64, n: u64, cost: &CostMatrix) -> f64 {
    let term = |count: u64, unit: f64| if count == 0 { 0.0 } else { count as f64 * unit };
    if n == 0 {
        return 0.0;
    }
    (term(fp, cost.fp) + term(fn_, cost.fn_)) / n as f64
}

/// One decision threshold and what it does on the data: the confusion counts, precision and
/// recall (0 when their denominator is 0, scikit-learn's `zero_division=0`) and the mean cost per
/// example. `threshold` is `f64::INFINITY` for "predict nothing positive".
#[derive(Clone, Debug, PartialEq)]
pub struct ThresholdChoice {
    pub threshold: f64,
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    pub fn_: u64,
    pub precision: f64,
    pub recall: f64,
    pub expected_cost: f64,
}

impl ThresholdChoice {
    /// The choice at `threshold` from its true and false positives and the class totals.
    fn from_counts(threshold: f64, tp: u64, fp: u64, positives: u64, negatives: u64, cost: &CostMatrix) -> Self {
        let fn_ = positives - tp;
        ThresholdChoice {
            threshold,
            tp,
            fp,
            tn: negatives - fp,
            fn_,
            precision: ratio(tp, tp + fp),
            recall: ratio(tp, positives),
            expected_cost: expected_cost(fp, fn_, positives + negatives, cost),
        }
    }
}

/// Every candidate threshold, highest first: `f64::INFINITY` (nothing predicted positive), then
/// each distinct score in descending order. Scores must be finite and `is_pos` as long as `scores`.
pub fn threshold_sweep(scores: &[f64], is_pos: &[bool], cost: &CostMatrix) -> Vec<ThresholdChoice> {
    assert_eq!(scores.len(), is_pos.len(), "scores and labels must have the same length");
    // Complemented keys sort ascending in descending score order.
    let mut rows: Vec<(u64, bool)> = scores.iter().zip(is_pos).map(|(&s, &p)| (!sort_key(s), p)).collect();
    rows.sort_unstable();
    let positives = is_pos.iter().filter(|&&p| p).count() as u64;
    let negatives = is_pos.len() as u64 - positives;
    let mut out = Vec::with_capacity(rows.len() + 1);
    out.push(ThresholdChoice::from_counts(f64::INFINITY, 0, 0, positives, negatives, cost));
    let (mut tp, mut fp, mut i) = (0u64, 0u64, 0usize);
    while i < rows.len() {
        // Group by numeric equality, so -0.0 and 0.0 are one threshold.
        let score = from_sort_key(!rows[i].0);
        while i < rows.len() && from_sort_key(!rows[i].0) == score {
            if rows[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        out.push(ThresholdChoice::from_counts(score, tp, fp, positives, negatives, cost));
    }
    out
}

/// The qualifying candidate with the largest `value`, the earliest (highest threshold) on ties.
fn best_qualifying(
    sweep: Vec<ThresholdChoice>,
    qualifies: impl Fn(&ThresholdChoice) -> bool,
    value: impl Fn(&ThresholdChoice) -> f64,
) -> Option<ThresholdChoice> {
    sweep.into_iter().filter(|c| qualifies(c)).reduce(|best, c| if value(&c) > value(&best) { c } else { best })
}

/// The threshold with the least total cost under `cost`. Costs within a relative 1e-12 of the
/// least count as tied; ties go to the threshold closest to 0.5 (the default decision rule, so a
/// tie keeps the usual behaviour), then to the higher threshold.
pub fn cost_minimising_threshold(scores: &[f64], is_pos: &[bool], cost: &CostMatrix) -> ThresholdChoice {
    let sweep = threshold_sweep(scores, is_pos, cost);
    let least = sweep.iter().map(|c| c.expected_cost).fold(f64::INFINITY, f64::min);
    let limit = least + COST_TIE * least.abs();
    let fallback = sweep[0].clone();
    best_qualifying(sweep, |c| c.expected_cost <= limit, |c| -(c.threshold - 0.5).abs()).unwrap_or(fallback)
}

/// Among thresholds whose recall is at least `min_recall`, the one with the highest precision
/// (ties: the higher threshold); `None` when there are no positives or none qualifies.
/// `expected_cost` is filled under `cost`.
pub fn threshold_for_min_recall(
    scores: &[f64],
    is_pos: &[bool],
    min_recall: f64,
    cost: &CostMatrix,
) -> Option<ThresholdChoice> {
    if !is_pos.iter().any(|&p| p) {
        return None;
    }
    best_qualifying(threshold_sweep(scores, is_pos, cost), |c| c.recall >= min_recall, |c| c.precision)
}

/// Among thresholds that predict at least one positive with precision at least `min_precision`,
/// the one with the highest recall (ties: the higher threshold); `None` when none qualifies.
/// `expected_cost` is filled under `cost`.
pub fn threshold_for_min_precision(
    scores: &[f64],
    is_pos: &[bool],
    min_precision: f64,
    cost: &CostMatrix,
) -> Option<ThresholdChoice> {
    let qualifies = |c: &ThresholdChoice| c.tp + c.fp > 0 && c.precision >= min_precision;
    best_qualifying(threshold_sweep(scores, is_pos, cost), qualifies, |c| c.recall)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::Rng;

    const UNIT: CostMatrix = CostMatrix { fp: 1.0, fn_: 1.0 };

    /// Scores 0.9, 0.8, 0.8, 0.4, 0.3, 0.1 with labels +, +, −, +, −, −.
    fn example() -> (Vec<f64>, Vec<bool>) {
        (vec![0.4, 0.9, 0.1, 0.8, 0.3, 0.8], vec![true, true, false, false, false, true])
    }

    #[test]
    fn expected_cost_is_mean_cost() {
        let c = CostMatrix { fp: 1.0, fn_: 5.0 };
        assert_eq!(expected_cost(2, 1, 10, &c), 0.7);
        assert_eq!(expected_cost(0, 0, 10, &c), 0.0);
        assert_eq!(expected_cost(3, 4, 0, &c), 0.0);
        let forbid_fp = CostMatrix { fp: f64::INFINITY, fn_: 1.0 };
        assert_eq!(expected_cost(0, 2, 4, &forbid_fp), 0.5);
        assert_eq!(expected_cost(1, 2, 4, &forbid_fp), f64::INFINITY);
    }

    #[test]
    fn hand_checked_sweep() {
        let (s, y) = example();
        let got: Vec<(f64, u64, u64, u64, u64)> =
            threshold_sweep(&s, &y, &UNIT).iter().map(|c| (c.threshold, c.tp, c.fp, c.tn, c.fn_)).collect();
        let want = vec![
            (f64::INFINITY, 0, 0, 3, 3),
            (0.9, 1, 0, 3, 2),
            (0.8, 2, 1, 2, 1),
            (0.4, 3, 1, 2, 0),
            (0.3, 3, 2, 1, 0),
            (0.1, 3, 3, 0, 0),
        ];
        assert_eq!(got, want);
        let sweep = threshold_sweep(&s, &y, &UNIT);
        assert_eq!(sweep[0].precision, 0.0);
        assert_eq!(sweep[2].precision, 2.0 / 3.0);
        assert_eq!(sweep[3].precision, 0.75);
        assert_eq!(sweep[2].recall, 2.0 / 3.0);
        assert_eq!(sweep[3].expected_cost, 1.0 / 6.0);
    }

    #[test]
    fn hand_checked_cost_choice() {
        let (s, y) = example();
        let pick = |fp: f64, fn_: f64| cost_minimising_threshold(&s, &y, &CostMatrix { fp, fn_ });
        // Total costs by threshold (∞, 0.9, 0.8, 0.4, 0.3, 0.1) under fp=1, fn=1: 3, 2, 2, 1, 2, 3.
        assert_eq!(pick(1.0, 1.0).threshold, 0.4);
        assert_eq!(pick(1.0, 1.0).expected_cost, 1.0 / 6.0);
        // fp=10, fn=1: 3, 2, 11, 10, 20, 30.
        let c = pick(10.0, 1.0);
        assert_eq!((c.threshold, c.tp, c.fp, c.expected_cost), (0.9, 1, 0, 2.0 / 6.0));
        // fp=2, fn=1: 3, 2, 3, 2, 4, 6 — 0.9 and 0.4 tie, 0.4 is closer to 0.5.
        assert_eq!(pick(2.0, 1.0).threshold, 0.4);
        // Free false positives: predicting everything positive costs 0 at 0.1, 0.3 and 0.4.
        assert_eq!(pick(0.0, 1.0).threshold, 0.4);
    }

    #[test]
    fn cost_ties_prefer_near_half_then_higher() {
        // Thresholds 0.6 and 0.4 both cost 1 and lie 0.1 from 0.5: the higher wins.
        let c = cost_minimising_threshold(&[0.6, 0.4, 0.4], &[true, true, false], &UNIT);
        assert_eq!(c.threshold, 0.6);
        // 3 × 0.1 and 1 × 0.3 differ only by rounding: a tie, and 0.2 is nearer 0.5 than ∞.
        let fractional = CostMatrix { fp: 0.1, fn_: 0.3 };
        let c = cost_minimising_threshold(&[0.2; 4], &[true, false, false, false], &fractional);
        assert_eq!((c.threshold, c.fp, c.fn_), (0.2, 3, 0));
        // Everything costs 0 when mistakes are free: 0.5 itself is a candidate.
        let free = CostMatrix { fp: 0.0, fn_: 0.0 };
        assert_eq!(cost_minimising_threshold(&[0.9, 0.5, 0.1], &[true, false, true], &free).threshold, 0.5);
        // An infinite false-positive cost rules out every threshold that admits one.
        let forbid_fp = CostMatrix { fp: f64::INFINITY, fn_: 1.0 };
        let c = cost_minimising_threshold(&[0.9, 0.7, 0.2], &[true, false, true], &forbid_fp);
        assert_eq!((c.threshold, c.fp, c.expected_cost), (0.9, 0, 1.0 / 3.0));
    }

    #[test]
    fn hand_checked_recall_floor() {
        let (s, y) = example();
        let pick = |m: f64| threshold_for_min_recall(&s, &y, m, &UNIT).map(|c| c.threshold);
        assert_eq!(pick(0.5), Some(0.4));
        assert_eq!(pick(1.0), Some(0.4));
        assert_eq!(pick(1.0 / 3.0), Some(0.9));
        assert_eq!(pick(0.0), Some(0.9));
        assert_eq!(pick(1.1), None);
        let c = threshold_for_min_recall(&s, &y, 0.9, &CostMatrix { fp: 1.0, fn_: 5.0 }).unwrap();
        assert_eq!((c.precision, c.recall, c.expected_cost), (0.75, 1.0, 1.0 / 6.0));
    }

    #[test]
    fn hand_checked_precision_floor() {
        let (s, y) = example();
        let pick = |m: f64| threshold_for_min_precision(&s, &y, m, &UNIT).map(|c| c.threshold);
        assert_eq!(pick(0.7), Some(0.4));
        assert_eq!(pick(0.75), Some(0.4));
        assert_eq!(pick(0.8), Some(0.9));
        assert_eq!(pick(1.0), Some(0.9));
        assert_eq!(pick(0.5), Some(0.4));
        assert_eq!(pick(0.0), Some(0.4));
        assert_eq!(pick(1.01), None);
    }

    #[test]
    fn edge_cases() {
        // All positive: the lowest score catches everything at no cost.
        let c = cost_minimising_threshold(&[0.3, 0.9, 0.7], &[true; 3], &UNIT);
        assert_eq!((c.threshold, c.tp, c.fp, c.tn, c.fn_, c.precision, c.recall), (0.3, 3, 0, 0, 0, 1.0, 1.0));
        assert_eq!(threshold_for_min_recall(&[0.3, 0.9, 0.7], &[true; 3], 0.5, &UNIT).unwrap().threshold, 0.7);
        assert_eq!(threshold_for_min_precision(&[0.3, 0.9, 0.7], &[true; 3], 1.0, &UNIT).unwrap().threshold, 0.3);

        // All negative: predicting nothing positive is free; recall is 0 (zero_division=0).
        let c = cost_minimising_threshold(&[0.3, 0.9, 0.7], &[false; 3], &UNIT);
        assert_eq!((c.threshold, c.tp, c.fp, c.tn, c.fn_, c.recall), (f64::INFINITY, 0, 0, 3, 0, 0.0));
        assert_eq!(threshold_for_min_recall(&[0.3, 0.9, 0.7], &[false; 3], 0.0, &UNIT), None);
        assert_eq!(threshold_for_min_precision(&[0.3, 0.9, 0.7], &[false; 3], 0.1, &UNIT), None);
        // A floor of 0 is met by any threshold predicting a positive; all recalls are 0, so the highest.
        assert_eq!(threshold_for_min_precision(&[0.3, 0.9, 0.7], &[false; 3], 0.0, &UNIT).unwrap().threshold, 0.9);

        // One row.
        let c = cost_minimising_threshold(&[0.8], &[true], &UNIT);
        assert_eq!((c.threshold, c.tp, c.expected_cost), (0.8, 1, 0.0));
        let c = cost_minimising_threshold(&[0.8], &[false], &UNIT);
        assert_eq!((c.threshold, c.tn, c.expected_cost), (f64::INFINITY, 1, 0.0));
        assert_eq!(threshold_for_min_recall(&[0.8], &[true], 1.0, &UNIT).unwrap().threshold, 0.8);
        assert_eq!(threshold_for_min_precision(&[0.8], &[false], 0.5, &UNIT), None);

        // No rows: only "predict nothing", at no cost.
        let c = cost_minimising_threshold(&[], &[], &UNIT);
        assert_eq!((c.threshold, c.tp + c.fp + c.tn + c.fn_, c.expected_cost), (f64::INFINITY, 0, 0.0));
        assert_eq!(threshold_for_min_recall(&[], &[], 0.0, &UNIT), None);
        assert_eq!(threshold_for_min_precision(&[], &[], 0.0, &UNIT), None);

        // -0.0 and 0.0 are one threshold.
        let sweep = threshold_sweep(&[0.0, -0.0, 1.0], &[true, false, true], &UNIT);
        assert_eq!(sweep.len(), 3);
        assert_eq!((sweep[2].threshold, sweep[2].tp, sweep[2].fp), (0.0, 2, 1));
    }

    /// Every candidate threshold with its counts computed by rescanning all rows.
    fn naive_sweep(scores: &[f64], is_pos: &[bool], cost: &CostMatrix) -> Vec<ThresholdChoice> {
        let mut thresholds = scores.to_vec();
        thresholds.sort_by(|a, b| b.total_cmp(a));
        thresholds.dedup_by(|a, b| a == b);
        thresholds.insert(0, f64::INFINITY);
        let n = scores.len() as u64;
        thresholds
            .into_iter()
            .map(|t| {
                let count = |pred: bool, gold: bool| {
                    scores.iter().zip(is_pos).filter(|&(&s, &p)| (s >= t) == pred && p == gold).count() as u64
                };
                let (tp, fp, tn, fn_) =
                    (count(true, true), count(true, false), count(false, false), count(false, true));
                ThresholdChoice {
                    threshold: t,
                    tp,
                    fp,
                    tn,
                    fn_,
                    precision: if tp + fp == 0 { 0.0 } else { tp as f64 / (tp + fp) as f64 },
                    recall: if tp + fn_ == 0 { 0.0 } else { tp as f64 / (tp + fn_) as f64 },
                    expected_cost: expected_cost(fp, fn_, n, cost),
                }
            })
            .collect()
    }

    /// Among `candidates`, those maximising `value`, then the one with the highest threshold.
    fn naive_best(
        candidates: Vec<&ThresholdChoice>,
        value: impl Fn(&ThresholdChoice) -> f64,
    ) -> Option<ThresholdChoice> {
        let top = candidates.iter().map(|c| value(c)).fold(f64::NEG_INFINITY, f64::max);
        let best: Vec<&ThresholdChoice> = candidates.into_iter().filter(|c| value(c) == top).collect();
        best.into_iter().max_by(|a, b| a.threshold.total_cmp(&b.threshold)).cloned()
    }

    /// A random data set with many tied scores: 2-decimal or coarser scores, varied base rates.
    fn random_data(rng: &mut Rng) -> (Vec<f64>, Vec<bool>) {
        let n = 1 + rng.below(300) as usize;
        let coarse = rng.below(3) == 0;
        let base_rate = match rng.below(6) {
            0 => 0.0,
            1 => 1.0,
            _ => rng.uniform(),
        };
        let mut scores = Vec::with_capacity(n);
        let mut is_pos = Vec::with_capacity(n);
        for _ in 0..n {
            let s = if coarse { rng.below(5) as f64 / 4.0 } else { (rng.uniform() * 100.0).round() / 100.0 };
            // Labels lean toward high scores so the sweep has a real trade-off.
            let p = if base_rate == 0.0 || base_rate == 1.0 { base_rate } else { 0.5 * base_rate + 0.5 * s };
            scores.push(s);
            is_pos.push(rng.uniform() < p);
        }
        (scores, is_pos)
    }

    fn random_cost(rng: &mut Rng) -> CostMatrix {
        let draw = |rng: &mut Rng| match rng.below(3) {
            0 => [0.0, 1.0, 2.0, 5.0, 10.0][rng.below(5) as usize],
            1 => (1 + rng.below(10)) as f64 / 10.0,
            _ => rng.uniform() * 3.0,
        };
        CostMatrix { fp: draw(rng), fn_: draw(rng) }
    }

    #[test]
    fn agrees_with_brute_force_on_random_data() {
        for seed in 0..1500 {
            let mut rng = Rng::new(seed, 0);
            let (scores, is_pos) = random_data(&mut rng);
            let cost = random_cost(&mut rng);
            let naive = naive_sweep(&scores, &is_pos, &cost);
            assert_eq!(threshold_sweep(&scores, &is_pos, &cost), naive, "seed {seed}");

            // Cost: least cost up to rounding, then nearest to 0.5, then the higher threshold.
            let least = naive.iter().map(|c| c.expected_cost).fold(f64::INFINITY, f64::min);
            let tied: Vec<&ThresholdChoice> =
                naive.iter().filter(|c| c.expected_cost <= least + COST_TIE * least).collect();
            let want = naive_best(tied, |c| -(c.threshold - 0.5).abs()).unwrap();
            let got = cost_minimising_threshold(&scores, &is_pos, &cost);
            assert_eq!(got, want, "seed {seed}");
            assert!(got.expected_cost <= least * (1.0 + 1e-9), "seed {seed}");
            for c in &naive {
                let fp_fn = c.fp as f64 * cost.fp + c.fn_ as f64 * cost.fn_;
                let got_total = got.fp as f64 * cost.fp + got.fn_ as f64 * cost.fn_;
                assert!(got_total <= fp_fn * (1.0 + 1e-9) + 1e-12, "seed {seed}: {got:?} vs {c:?}");
            }

            // Floors: random values and values hit exactly by some candidate.
            let exact = &naive[rng.below(naive.len() as u64) as usize];
            let positives = is_pos.iter().filter(|&&p| p).count();
            for floor in [rng.uniform(), 0.0, 1.0, exact.recall, exact.precision] {
                let want = if positives == 0 {
                    None
                } else {
                    naive_best(naive.iter().filter(|c| c.recall >= floor).collect(), |c| c.precision)
                };
                assert_eq!(threshold_for_min_recall(&scores, &is_pos, floor, &cost), want, "seed {seed} {floor}");

                let qualifying = naive.iter().filter(|c| c.tp + c.fp > 0 && c.precision >= floor).collect();
                let want = naive_best(qualifying, |c| c.recall);
                assert_eq!(threshold_for_min_precision(&scores, &is_pos, floor, &cost), want, "seed {seed} {floor}");
            }
        }
    }

    #[test]
    fn large_input_is_one_pass() {
        // 200k rows with 1001 distinct scores: the sweep has 1002 candidates and finishes quickly.
        let mut rng = Rng::new(42, 0);
        let scores: Vec<f64> = (0..200_000).map(|_| rng.below(1001) as f64 / 1000.0).collect();
        let is_pos: Vec<bool> = scores.iter().map(|&s| rng.uniform() < s).collect();
        let sweep = threshold_sweep(&scores, &is_pos, &UNIT);
        assert_eq!(sweep.len(), 1002);
        let last = sweep.last().unwrap();
        assert_eq!((last.tp + last.fp, last.tn + last.fn_), (200_000, 0));
        let c = cost_minimising_threshold(&scores, &is_pos, &UNIT);
        assert!((c.threshold - 0.5).abs() < 0.05, "{c:?}");
    }
}

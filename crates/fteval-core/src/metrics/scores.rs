//! Metrics of predicted probabilities: ranking (ROC AUC, average precision), proper scoring
//! rules (log loss, Brier) and calibration (ECE), as scikit-learn defines them.
//!
//! Binary metrics are written over *score groups* — distinct scores with their positive and
//! negative counts — because every one of them depends only on those counts. The bootstrap
//! resamples the counts, never the rows.

use crate::stats::sort_key::{from_sort_key, sort_key, sort_keys};

/// Distinct scores ascending with how many positive and negative rows carry each.
#[derive(Clone, Debug, Default)]
pub struct ScoreGroups {
    pub score: Vec<f64>,
    pub pos: Vec<u64>,
    pub neg: Vec<u64>,
}

impl ScoreGroups {
    /// Groups rows by score: positives' and negatives' scores are sorted separately (as
    /// order-preserving integer keys, in parallel when large) and merged.
    pub fn build(scores: &[f64], is_pos: impl Fn(usize) -> bool) -> ScoreGroups {
        let (mut pos, mut neg): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
        for (i, &s) in scores.iter().enumerate() {
            if is_pos(i) {
                pos.push(sort_key(s));
            } else {
                neg.push(sort_key(s));
            }
        }
        rayon::join(|| sort_keys(&mut pos), || sort_keys(&mut neg));
        let mut g = ScoreGroups::default();
        let (mut i, mut j) = (0, 0);
        while i < pos.len() || j < neg.len() {
            let key = match (pos.get(i), neg.get(j)) {
                (Some(&a), Some(&b)) => a.min(b),
                (Some(&a), None) => a,
                (None, Some(&b)) => b,
                (None, None) => unreachable!(),
            };
            let (i0, j0) = (i, j);
            while i < pos.len() && pos[i] == key {
                i += 1;
            }
            while j < neg.len() && neg[j] == key {
                j += 1;
            }
            g.score.push(from_sort_key(key));
            g.pos.push((i - i0) as u64);
            g.neg.push((j - j0) as u64);
        }
        g
    }

    /// Merges scores onto a uniform grid of `levels` points over [0, 1] (each group keeps the
    /// grid point nearest its score). Used only to bound bootstrap work on huge inputs.
    pub fn coarsen(&self, levels: usize) -> ScoreGroups {
        let mut g = ScoreGroups::default();
        let step = (levels - 1) as f64;
        for i in 0..self.score.len() {
            let s = (self.score[i].clamp(0.0, 1.0) * step).round() / step;
            if g.score.last() != Some(&s) {
                g.score.push(s);
                g.pos.push(0);
                g.neg.push(0);
            }
            let last = g.score.len() - 1;
            g.pos[last] += self.pos[i];
            g.neg[last] += self.neg[i];
        }
        g
    }
}

/// Machine epsilon clipping used by scikit-learn's log loss.
fn clip_prob(p: f64) -> f64 {
    p.clamp(f64::EPSILON, 1.0 - f64::EPSILON)
}

/// ROC AUC by the Mann–Whitney count with ties counted ½; NaN without both classes.
pub fn roc_auc(score_pos: &[u64], score_neg: &[u64]) -> f64 {
    let (p, n): (u64, u64) = (score_pos.iter().sum(), score_neg.iter().sum());
    if p == 0 || n == 0 {
        return f64::NAN;
    }
    let mut neg_below = 0u64;
    let mut acc = 0.0f64;
    for (&tp, &tn) in score_pos.iter().zip(score_neg) {
        acc += tp as f64 * (neg_below as f64 + 0.5 * tn as f64);
        neg_below += tn;
    }
    acc / (p as f64 * n as f64)
}

/// Average precision as scikit-learn: Σ (R_k − R_{k−1})·P_k over descending distinct
/// thresholds; NaN without positives.
pub fn average_precision(score_pos: &[u64], score_neg: &[u64]) -> f64 {
    let total_pos: u64 = score_pos.iter().sum();
    if total_pos == 0 {
        return f64::NAN;
    }
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut ap = 0.0;
    for i in (0..score_pos.len()).rev() {
        if score_pos[i] == 0 && score_neg[i] == 0 {
            continue;
        }
        tp += score_pos[i];
        fp += score_neg[i];
        if score_pos[i] > 0 {
            ap += (score_pos[i] as f64 / total_pos as f64) * (tp as f64 / (tp + fp) as f64);
        }
    }
    ap
}

/// Binary log loss over score groups.
pub fn log_loss_binary(scores: &[f64], pos: &[u64], neg: &[u64]) -> f64 {
    log_loss_binary_terms(&LogTerms::of(scores), pos, neg)
}

/// Each score group's log-probability of the positive and of the negative class, computed
/// once for the many resamples of a bootstrap.
pub struct LogTerms {
    pub pos: Vec<f64>,
    pub neg: Vec<f64>,
}

impl LogTerms {
    pub fn of(scores: &[f64]) -> LogTerms {
        LogTerms {
            pos: scores.iter().map(|&s| clip_prob(s).ln()).collect(),
            neg: scores.iter().map(|&s| clip_prob(1.0 - s).ln()).collect(),
        }
    }
}

/// Binary log loss over score groups from their log terms ([`log_loss_binary`]'s sums).
pub fn log_loss_binary_terms(terms: &LogTerms, pos: &[u64], neg: &[u64]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0u64;
    for i in 0..pos.len() {
        if pos[i] > 0 {
            sum -= pos[i] as f64 * terms.pos[i];
        }
        if neg[i] > 0 {
            sum -= neg[i] as f64 * terms.neg[i];
        }
        n += pos[i] + neg[i];
    }
    sum / n as f64
}

/// Binary Brier score (mean squared error of the positive-class probability).
pub fn brier_binary(scores: &[f64], pos: &[u64], neg: &[u64]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0u64;
    for i in 0..scores.len() {
        let s = scores[i];
        sum += pos[i] as f64 * (1.0 - s) * (1.0 - s) + neg[i] as f64 * s * s;
        n += pos[i] + neg[i];
    }
    sum / n as f64
}

/// Number of calibration bins (Guo et al. 2017).
pub const ECE_BINS: usize = 15;

/// The ECE bin of a confidence: bin i holds (i/15, (i+1)/15], bin 0 also holds 0.
/// Edges are computed as numpy's linspace(0, 1, 16) computes them.
pub fn ece_bin(conf: f64) -> usize {
    let step = 1.0 / ECE_BINS as f64;
    let mut b = ((conf * ECE_BINS as f64).ceil() as i64 - 1).clamp(0, ECE_BINS as i64 - 1) as usize;
    let edge = |i: usize| if i == ECE_BINS { 1.0 } else { i as f64 * step };
    while b > 0 && conf <= edge(b) {
        b -= 1;
    }
    while b + 1 < ECE_BINS && conf > edge(b + 1) {
        b += 1;
    }
    b
}

/// Accumulates per-bin sums for the ECE.
#[derive(Clone, Debug, Default)]
pub struct EceBins {
    pub count: [f64; ECE_BINS],
    pub conf_sum: [f64; ECE_BINS],
    pub correct: [f64; ECE_BINS],
}

impl EceBins {
    pub fn add(&mut self, conf: f64, correct: f64, weight: f64) {
        let b = ece_bin(conf);
        self.count[b] += weight;
        self.conf_sum[b] += weight * conf;
        self.correct[b] += correct;
    }

    /// Σ_b (n_b / N)·|accuracy_b − confidence_b|.
    pub fn ece(&self) -> f64 {
        let total: f64 = self.count.iter().sum();
        if total == 0.0 {
            return f64::NAN;
        }
        (0..ECE_BINS).filter(|&b| self.count[b] > 0.0).map(|b| (self.correct[b] - self.conf_sum[b]).abs() / total).sum()
    }
}

/// Binary ECE: confidence max(p, 1−p), predicted positive when p ≥ 0.5.
pub fn ece_binary(scores: &[f64], pos: &[u64], neg: &[u64]) -> f64 {
    let mut bins = EceBins::default();
    for i in 0..scores.len() {
        let s = scores[i];
        let (p, n) = (pos[i] as f64, neg[i] as f64);
        if p + n == 0.0 {
            continue;
        }
        let predicts_pos = s >= 0.5;
        let correct = if predicts_pos { p } else { n };
        bins.add(s.max(1.0 - s), correct, p + n);
    }
    bins.ece()
}

/// ECE from (confidence, correct, wrong) groups — the multiclass top-label form.
pub fn ece_groups(conf: &[f64], correct: &[u64], wrong: &[u64]) -> f64 {
    let mut bins = EceBins::default();
    for i in 0..conf.len() {
        let n = (correct[i] + wrong[i]) as f64;
        if n > 0.0 {
            bins.add(conf[i], correct[i] as f64, n);
        }
    }
    bins.ece()
}

/// Per-row multiclass quantities for probability matrices (row-major n×K, class order = labels).
pub mod multiclass {
    use super::clip_prob;

    /// −ln p(gold), clipped as scikit-learn clips.
    pub fn row_log_loss(row: &[f64], gold: usize) -> f64 {
        -clip_prob(row[gold]).ln()
    }

    /// Σ_k (p_k − [k = gold])², the unhalved multiclass Brier score of one row.
    pub fn row_brier(row: &[f64], gold: usize) -> f64 {
        row.iter()
            .enumerate()
            .map(|(k, &p)| {
                let y = if k == gold { 1.0 } else { 0.0 };
                (p - y) * (p - y)
            })
            .sum()
    }

    /// Whether gold is among the top `k` scores, breaking ties as scikit-learn's stable
    /// argsort reversed does (a later class ranks above an earlier one with the same score).
    pub fn row_in_top_k(row: &[f64], gold: usize, k: usize) -> bool {
        let s = row[gold];
        let ahead = row.iter().enumerate().filter(|&(j, &p)| p > s || (p == s && j > gold)).count();
        ahead < k
    }

    /// Whether a row sum passes scikit-learn's test before a multiclass ROC AUC,
    /// `numpy.allclose(1, sum)`: |1 − sum| ≤ 1e-8 + 1e-5·|sum| (it raises otherwise).
    pub fn sum_accepted_by_sklearn_auc(sum: f64) -> bool {
        (1.0 - sum).abs() <= 1e-8 + 1e-5 * sum.abs()
    }

    /// The first row (0-based) whose sum scikit-learn's multiclass ROC AUC refuses, with the sum.
    pub fn first_row_refused_by_sklearn_auc(probs: &[f64], k: usize) -> Option<(usize, f64)> {
        probs
            .chunks(k.max(1))
            .map(|r| r.iter().sum::<f64>())
            .enumerate()
            .find(|&(_, s)| !sum_accepted_by_sklearn_auc(s))
    }

    /// Top-label confidence and the arg-max class (the first maximum).
    pub fn row_top(row: &[f64]) -> (f64, usize) {
        let mut best = 0;
        for j in 1..row.len() {
            if row[j] > row[best] {
                best = j;
            }
        }
        (row[best], best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ap_and_auc_small_example() {
        // sklearn: average_precision_score([0,0,1,1], [.1,.4,.35,.8]) = 0.8333333
        let scores = [0.1, 0.35, 0.4, 0.8];
        let pos = [0, 1, 0, 1];
        let neg = [1, 0, 1, 0];
        assert!((average_precision(&pos, &neg) - 0.8333333333333333).abs() < 1e-12);
        assert!((roc_auc(&pos, &neg) - 0.75).abs() < 1e-12);
        let ll = log_loss_binary(&scores, &pos, &neg);
        let want = -((0.9f64).ln() + 0.35f64.ln() + 0.6f64.ln() + 0.8f64.ln()) / 4.0;
        assert!((ll - want).abs() < 1e-12);
    }

    #[test]
    fn ece_bins_follow_the_spec_edges() {
        assert_eq!(ece_bin(0.0), 0);
        assert_eq!(ece_bin(1.0 / 15.0), 0);
        assert_eq!(ece_bin(0.0667), 1);
        assert_eq!(ece_bin(0.4), 5);
        assert_eq!(ece_bin(1.0), 14);
        assert_eq!(ece_bin(0.5), 7);
    }

    #[test]
    fn top_k_ties_follow_sklearn() {
        use multiclass::row_in_top_k;
        // Scores tie: stable argsort reversed puts class 2 before class 1 before class 0.
        let row = [0.2, 0.4, 0.4];
        assert!(row_in_top_k(&row, 2, 1));
        assert!(!row_in_top_k(&row, 1, 1));
        assert!(row_in_top_k(&row, 1, 2));
    }

    #[test]
    fn auc_normalisation_tolerance_is_numpy_allclose() {
        use multiclass::{first_row_refused_by_sklearn_auc, sum_accepted_by_sklearn_auc};
        // scikit-learn 1.9: a row off by 5e-6 is accepted, one off by 1.5e-5 raises.
        assert!(sum_accepted_by_sklearn_auc(1.0 + 5e-6));
        assert!(!sum_accepted_by_sklearn_auc(1.0 + 1.5e-5));
        assert!(!sum_accepted_by_sklearn_auc(0.9999));
        let probs = [0.7, 0.2, 0.1, 0.3333, 0.3333, 0.3333, 0.5, 0.5, 0.0];
        assert_eq!(first_row_refused_by_sklearn_auc(&probs, 3).map(|(r, _)| r), Some(1));
        assert_eq!(first_row_refused_by_sklearn_auc(&probs[..3], 3), None);
    }
}

//! Metrics that depend only on confusion-matrix counts, as scikit-learn computes them with
//! `zero_division=0`. Everything is computed from per-class counts (tp, fp, fn, support),
//! which come from the non-zero cells of the matrix — O(cells + K), not O(K²), so the
//! bootstrap stays fast with a thousand classes.

/// Per-class counts derived from a confusion matrix.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClassCounts {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
    pub support: u64,
}

impl ClassCounts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// F1 as scikit-learn ≥ 1.3 computes it: 2·tp / (2·tp + fp + fn), 0 when that is 0/0.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    pub fn jaccard(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp + self.fn_)
    }
}

/// a / b, or 0 when b is 0 (scikit-learn's `zero_division=0`).
pub fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// tp/fp/fn/support for every class from confusion-matrix cells: `cells[i]` = (gold, predicted)
/// holding `counts[i]` rows.
pub fn class_counts(cells: &[(u32, u32)], counts: &[u64], k: usize) -> Vec<ClassCounts> {
    let mut out = vec![ClassCounts::default(); k];
    for (&(g, p), &c) in cells.iter().zip(counts) {
        let (g, p) = (g as usize, p as usize);
        out[g].support += c;
        if g == p {
            out[g].tp += c;
        } else {
            out[g].fn_ += c;
            out[p].fp += c;
        }
    }
    out
}

/// Which per-class quantity an average is taken over.
#[derive(Clone, Copy, Debug)]
pub enum Quantity {
    Precision,
    Recall,
    F1,
    Jaccard,
}

impl Quantity {
    pub fn of(self, c: &ClassCounts) -> f64 {
        match self {
            Quantity::Precision => c.precision(),
            Quantity::Recall => c.recall(),
            Quantity::F1 => c.f1(),
            Quantity::Jaccard => c.jaccard(),
        }
    }
}

/// Unweighted mean over all classes.
pub fn macro_avg(classes: &[ClassCounts], q: Quantity) -> f64 {
    classes.iter().map(|c| q.of(c)).sum::<f64>() / classes.len() as f64
}

/// Support-weighted mean; 0 when no class has support.
pub fn weighted_avg(classes: &[ClassCounts], q: Quantity) -> f64 {
    let total: u64 = classes.iter().map(|c| c.support).sum();
    if total == 0 {
        return 0.0;
    }
    classes.iter().map(|c| q.of(c) * c.support as f64).sum::<f64>() / total as f64
}

/// Micro average: the quantity computed on summed counts.
pub fn micro_avg(classes: &[ClassCounts], q: Quantity) -> f64 {
    let sum = classes.iter().fold(ClassCounts::default(), |a, c| ClassCounts {
        tp: a.tp + c.tp,
        fp: a.fp + c.fp,
        fn_: a.fn_ + c.fn_,
        support: a.support + c.support,
    });
    q.of(&sum)
}

pub fn accuracy(classes: &[ClassCounts]) -> f64 {
    let total: u64 = classes.iter().map(|c| c.support).sum();
    ratio(classes.iter().map(|c| c.tp).sum(), total)
}

/// Mean recall over classes present in gold (scikit-learn drops classes with no support).
pub fn balanced_accuracy(classes: &[ClassCounts]) -> f64 {
    let present: Vec<f64> = classes.iter().filter(|c| c.support > 0).map(|c| c.recall()).collect();
    if present.is_empty() {
        return 0.0;
    }
    present.iter().sum::<f64>() / present.len() as f64
}

/// Gold totals t, predicted totals p, correct rows and all rows, as exact integers.
fn marginals(classes: &[ClassCounts]) -> (Vec<i128>, Vec<i128>, i128, i128) {
    let t: Vec<i128> = classes.iter().map(|c| c.support as i128).collect();
    let p: Vec<i128> = classes.iter().map(|c| (c.tp + c.fp) as i128).collect();
    let correct = classes.iter().map(|c| c.tp as i128).sum();
    let n = t.iter().sum();
    (t, p, correct, n)
}

/// Matthews correlation (Gorodkin's K-class form, as scikit-learn); 0 when a marginal is constant.
pub fn matthews_corrcoef(classes: &[ClassCounts]) -> f64 {
    let (t, p, correct, n) = marginals(classes);
    let tp: i128 = t.iter().zip(&p).map(|(a, b)| a * b).sum();
    let pp: i128 = p.iter().map(|b| b * b).sum();
    let tt: i128 = t.iter().map(|a| a * a).sum();
    let cov_ytyp = correct * n - tp;
    let cov_ypyp = n * n - pp;
    let cov_ytyt = n * n - tt;
    if cov_ypyp == 0 || cov_ytyt == 0 {
        return 0.0;
    }
    cov_ytyp as f64 / ((cov_ytyt as f64) * (cov_ypyp as f64)).sqrt()
}

/// Cohen's kappa, unweighted; NaN when chance agreement is total (scikit-learn returns NaN
/// there). Expected disagreement Σ_{i≠j} p_i·t_j / n = (n² − Σ_i p_i·t_i) / n.
pub fn cohen_kappa(classes: &[ClassCounts]) -> f64 {
    let (t, p, correct, n) = marginals(classes);
    if n == 0 {
        return f64::NAN;
    }
    let observed_disagree = (n - correct) as f64;
    let expected_disagree = (n * n - t.iter().zip(&p).map(|(a, b)| a * b).sum::<i128>()) as f64 / n as f64;
    if expected_disagree == 0.0 {
        return f64::NAN;
    }
    1.0 - observed_disagree / expected_disagree
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per-class counts of a dense row-major K×K matrix.
    fn dense(cm: &[u64], k: usize) -> Vec<ClassCounts> {
        let cells: Vec<(u32, u32)> = (0..k * k).map(|i| ((i / k) as u32, (i % k) as u32)).collect();
        class_counts(&cells, cm, k)
    }

    // The primer's spam example: TP 85, FN 15, FP 10, TN 90; labels [ham, spam].
    const CM: [u64; 4] = [90, 10, 15, 85];

    #[test]
    fn primer_example() {
        let c = dense(&CM, 2);
        assert!((c[1].precision() - 85.0 / 95.0).abs() < 1e-15);
        assert!((c[1].recall() - 0.85).abs() < 1e-15);
        assert!((c[1].f1() - 0.8717948717948718).abs() < 1e-15);
        assert!((accuracy(&c) - 0.875).abs() < 1e-15);
        assert!((matthews_corrcoef(&c) - 0.7509392614826382).abs() < 1e-12);
        assert!((cohen_kappa(&c) - 0.75).abs() < 1e-12);
        assert!((macro_avg(&c, Quantity::F1) - 0.8749218261413383).abs() < 1e-12);
    }

    #[test]
    fn degenerate_predictions() {
        // Everything predicted negative: precision of the positive class is 0/0 -> 0, MCC 0.
        let c = dense(&[0, 18, 0, 982], 2);
        assert_eq!(c[0].precision(), 0.0);
        assert_eq!(matthews_corrcoef(&c), 0.0);
        assert_eq!(cohen_kappa(&c), 0.0);
        assert_eq!(balanced_accuracy(&c), 0.5);
        // Gold and predictions all one class: kappa undefined.
        assert!(cohen_kappa(&dense(&[0, 0, 0, 10], 2)).is_nan());
    }

    #[test]
    fn balanced_accuracy_skips_classes_without_support() {
        let c = dense(&[40, 0, 0, 10, 5, 25, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0], 4);
        assert!((balanced_accuracy(&c) - 0.5444444444444444).abs() < 1e-12);
    }
}

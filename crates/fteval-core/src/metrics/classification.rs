//! Metrics that depend only on confusion-matrix counts, as scikit-learn computes them with
//! `zero_division=0`. They take a flat K×K count slice so the bootstrap can call them on
//! resampled counts without building anything.

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

/// tp/fp/fn/support for every class of a flat K×K matrix.
pub fn class_counts(cm: &[u64], k: usize) -> Vec<ClassCounts> {
    let mut out = vec![ClassCounts::default(); k];
    for g in 0..k {
        for p in 0..k {
            let c = cm[g * k + p];
            out[g].support += c;
            if g == p {
                out[g].tp += c;
            } else {
                out[g].fn_ += c;
                out[p].fp += c;
            }
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

pub fn accuracy(cm: &[u64], k: usize) -> f64 {
    let total: u64 = cm.iter().sum();
    ratio((0..k).map(|i| cm[i * k + i]).sum(), total)
}

/// Mean recall over classes present in gold (scikit-learn drops classes with no support).
pub fn balanced_accuracy(classes: &[ClassCounts]) -> f64 {
    let present: Vec<f64> = classes.iter().filter(|c| c.support > 0).map(|c| c.recall()).collect();
    if present.is_empty() {
        return 0.0;
    }
    present.iter().sum::<f64>() / present.len() as f64
}

/// Row (gold) and column (predicted) totals.
fn marginals(cm: &[u64], k: usize) -> (Vec<u64>, Vec<u64>) {
    let mut t = vec![0u64; k];
    let mut p = vec![0u64; k];
    for g in 0..k {
        for q in 0..k {
            t[g] += cm[g * k + q];
            p[q] += cm[g * k + q];
        }
    }
    (t, p)
}

/// Matthews correlation (Gorodkin's K-class form, as scikit-learn); 0 when a marginal is constant.
pub fn matthews_corrcoef(cm: &[u64], k: usize) -> f64 {
    let (t, p) = marginals(cm, k);
    let n: i128 = cm.iter().map(|&c| c as i128).sum();
    let correct: i128 = (0..k).map(|i| cm[i * k + i] as i128).sum();
    let tp: i128 = t.iter().zip(&p).map(|(&a, &b)| a as i128 * b as i128).sum();
    let pp: i128 = p.iter().map(|&b| b as i128 * b as i128).sum();
    let tt: i128 = t.iter().map(|&a| a as i128 * a as i128).sum();
    let cov_ytyp = correct * n - tp;
    let cov_ypyp = n * n - pp;
    let cov_ytyt = n * n - tt;
    if cov_ypyp == 0 || cov_ytyt == 0 {
        return 0.0;
    }
    cov_ytyp as f64 / ((cov_ytyt as f64) * (cov_ypyp as f64)).sqrt()
}

/// Cohen's kappa, unweighted; NaN when chance agreement is total (scikit-learn returns NaN there).
pub fn cohen_kappa(cm: &[u64], k: usize) -> f64 {
    let (t, p) = marginals(cm, k);
    let n: u64 = t.iter().sum();
    if n == 0 {
        return f64::NAN;
    }
    let observed_disagree: u64 =
        (0..k).flat_map(|g| (0..k).map(move |q| (g, q))).filter(|(g, q)| g != q).map(|(g, q)| cm[g * k + q]).sum();
    let mut expected_disagree = 0.0;
    for g in 0..k {
        for q in 0..k {
            if g != q {
                expected_disagree += p[g] as f64 * t[q] as f64 / n as f64;
            }
        }
    }
    if expected_disagree == 0.0 {
        return f64::NAN;
    }
    1.0 - observed_disagree as f64 / expected_disagree
}

#[cfg(test)]
mod tests {
    use super::*;

    // The primer's spam example: TP 85, FN 15, FP 10, TN 90; labels [ham, spam].
    const CM: [u64; 4] = [90, 10, 15, 85];

    #[test]
    fn primer_example() {
        let c = class_counts(&CM, 2);
        assert!((c[1].precision() - 85.0 / 95.0).abs() < 1e-15);
        assert!((c[1].recall() - 0.85).abs() < 1e-15);
        assert!((c[1].f1() - 0.8717948717948718).abs() < 1e-15);
        assert!((accuracy(&CM, 2) - 0.875).abs() < 1e-15);
        assert!((matthews_corrcoef(&CM, 2) - 0.7509392614826382).abs() < 1e-12);
        assert!((cohen_kappa(&CM, 2) - 0.75).abs() < 1e-12);
        assert!((macro_avg(&c, Quantity::F1) - 0.8749218261413383).abs() < 1e-12);
    }

    #[test]
    fn degenerate_predictions() {
        // Everything predicted negative: precision of the positive class is 0/0 -> 0, MCC 0.
        let cm = [0, 18, 0, 982];
        let c = class_counts(&cm, 2);
        assert_eq!(c[0].precision(), 0.0);
        assert_eq!(matthews_corrcoef(&cm, 2), 0.0);
        assert_eq!(cohen_kappa(&cm, 2), 0.0);
        assert_eq!(balanced_accuracy(&c), 0.5);
        // Gold and predictions all one class: kappa undefined.
        assert!(cohen_kappa(&[0, 0, 0, 10], 2).is_nan());
    }

    #[test]
    fn balanced_accuracy_skips_classes_without_support() {
        let cm = [40, 0, 0, 10, 5, 25, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0];
        let c = class_counts(&cm, 4);
        assert!((balanced_accuracy(&c) - 0.5444444444444444).abs() < 1e-12);
    }
}

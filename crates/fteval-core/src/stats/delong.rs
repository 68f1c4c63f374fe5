//! ROC AUC through its structural components (DeLong, DeLong & Clarke-Pearson 1988), computed
//! with one sort per score vector (Sun & Xu 2014): the AUC, its variance, and per-row influence
//! values that let averaged AUCs (one-vs-rest, one-vs-one) get an analytic variance too.

/// AUC of `scores` for rows where `is_pos` is true against rows where it is false, with the
/// DeLong components. `order` must sort `scores` ascending (ties adjacent); rows with
/// `include[i] == false` are ignored (used for one-vs-one pairs).
#[derive(Clone, Debug)]
pub struct AucComponents {
    pub auc: f64,
    pub n_pos: usize,
    pub n_neg: usize,
    /// For each included row: V10 (share of negatives below it, ties ½) for positives,
    /// V01 (share of positives above it, ties ½) for negatives; NaN for excluded rows.
    pub component: Vec<f64>,
}

impl AucComponents {
    /// DeLong's variance of the AUC: S10/m + S01/n with unbiased sample variances.
    pub fn variance(&self, is_pos: impl Fn(usize) -> bool) -> f64 {
        let (m, n) = (self.n_pos as f64, self.n_neg as f64);
        let (mut s10, mut s01) = (0.0, 0.0);
        for (i, &v) in self.component.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let d = v - self.auc;
            if is_pos(i) {
                s10 += d * d;
            } else {
                s01 += d * d;
            }
        }
        let s10 = if m > 1.0 { s10 / (m - 1.0) } else { 0.0 };
        let s01 = if n > 1.0 { s01 / (n - 1.0) } else { 0.0 };
        s10 / m + s01 / n
    }

    /// Influence of each row on the AUC, scaled so that Var(Σ w_k AUC_k) ≈ Σ_i (Σ_k w_k ψ_k(i))².
    /// Matches DeLong's variance for one AUC up to the (m-1)/m small-sample factor.
    pub fn add_influence(&self, weight: f64, is_pos: impl Fn(usize) -> bool, out: &mut [f64]) {
        let (m, n) = (self.n_pos as f64, self.n_neg as f64);
        for (i, &v) in self.component.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let scale = if is_pos(i) { 1.0 / m } else { 1.0 / n };
            out[i] += weight * (v - self.auc) * scale;
        }
    }
}

/// Row indices sorting `scores` ascending (NaN last).
pub fn ascending_order(scores: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..scores.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| scores[a as usize].total_cmp(&scores[b as usize]));
    order
}

/// Computes the AUC and its DeLong components in O(n) given the ascending `order`.
/// Returns None when either class is empty (the AUC is undefined).
pub fn auc_components(
    scores: &[f64],
    order: &[u32],
    is_pos: impl Fn(usize) -> bool,
    include: impl Fn(usize) -> bool,
) -> Option<AucComponents> {
    let (mut n_pos, mut n_neg) = (0usize, 0usize);
    for &i in order {
        let i = i as usize;
        if include(i) {
            if is_pos(i) {
                n_pos += 1;
            } else {
                n_neg += 1;
            }
        }
    }
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut component = vec![f64::NAN; scores.len()];
    let (mut neg_below, mut pos_below) = (0usize, 0usize);
    let mut auc_sum = 0.0f64;
    let mut start = 0;
    while start < order.len() {
        let s = scores[order[start] as usize];
        let mut end = start;
        let (mut tie_pos, mut tie_neg) = (0usize, 0usize);
        while end < order.len() && scores[order[end] as usize] == s {
            let i = order[end] as usize;
            if include(i) {
                if is_pos(i) {
                    tie_pos += 1;
                } else {
                    tie_neg += 1;
                }
            }
            end += 1;
        }
        let v10 = (neg_below as f64 + 0.5 * tie_neg as f64) / n_neg as f64;
        let pos_above = n_pos - pos_below - tie_pos;
        let v01 = (pos_above as f64 + 0.5 * tie_pos as f64) / n_pos as f64;
        for &i in &order[start..end] {
            let i = i as usize;
            if include(i) {
                component[i] = if is_pos(i) { v10 } else { v01 };
            }
        }
        auc_sum += v10 * tie_pos as f64;
        neg_below += tie_neg;
        pos_below += tie_pos;
        start = end;
    }
    Some(AucComponents {
        auc: auc_sum / n_pos as f64,
        n_pos,
        n_neg,
        component,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_with_ties_and_variance_match_hand_computation() {
        let y = [false, false, true, true, false, true];
        let s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4];
        let order = ascending_order(&s);
        let c = auc_components(&s, &order, |i| y[i], |_| true).unwrap();
        assert!((c.auc - 2.0 / 3.0).abs() < 1e-12);
        // V10 = [1/3+... ] computed by hand: pos .35 -> 1/3, .8 -> 1, .4 -> (1+ .5*2)/3 = 2/3
        let var = c.variance(|i| y[i]);
        let v10 = [1.0 / 3.0, 1.0, 2.0 / 3.0];
        let v01 = [1.0, 0.5 / 3.0 * 1.0 + 1.0 / 3.0, 0.5 / 3.0 + 1.0 / 3.0];
        let mean = 2.0 / 3.0;
        let s10: f64 = v10.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 2.0;
        let s01: f64 = v01.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 2.0;
        assert!((var - (s10 / 3.0 + s01 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn undefined_without_both_classes() {
        let s = [0.1, 0.2];
        assert!(auc_components(&s, &ascending_order(&s), |_| true, |_| true).is_none());
    }
}

//! ROC AUC through its structural components (DeLong, DeLong & Clarke-Pearson 1988), computed
//! from scores sorted once (Sun & Xu 2014): the AUC, DeLong's variance, and per-row influence
//! values that give averaged AUCs (one-vs-rest, one-vs-one) an analytic variance too.
//!
//! Structural components: V10 of a positive is the share of negatives scored below it, V01
//! of a negative the share of positives scored above it (ties count ½). The AUC is the mean of
//! either; DeLong's variance is S10/m + S01/n with their sample variances.

use rayon::prelude::*;

use super::sort_key::sort_key;

/// DeLong's variance of the binary AUC from score groups (distinct scores ascending with their
/// positive and negative counts): all positives of a group share V10, all negatives V01.
pub fn delong_variance_groups(pos: &[u64], neg: &[u64], auc: f64) -> f64 {
    let (m, n): (u64, u64) = (pos.iter().sum(), neg.iter().sum());
    let (mf, nf) = (m as f64, n as f64);
    let (mut neg_below, mut pos_below) = (0u64, 0u64);
    let (mut s10, mut s01) = (0.0, 0.0);
    for i in 0..pos.len() {
        let v10 = (neg_below as f64 + 0.5 * neg[i] as f64) / nf;
        let pos_above = m - pos_below - pos[i];
        let v01 = (pos_above as f64 + 0.5 * pos[i] as f64) / mf;
        s10 += pos[i] as f64 * (v10 - auc) * (v10 - auc);
        s01 += neg[i] as f64 * (v01 - auc) * (v01 - auc);
        neg_below += neg[i];
        pos_below += pos[i];
    }
    let s10 = if m > 1 { s10 / (mf - 1.0) } else { 0.0 };
    let s01 = if n > 1 { s01 / (nf - 1.0) } else { 0.0 };
    s10 / mf + s01 / nf
}

/// Rows sorted by `score(row)` ascending, as (order key, row). Equal keys ⇔ equal scores
/// (−0 is read as +0), so ties can be found by comparing keys.
pub fn sorted_by_score(n: usize, score: impl Fn(usize) -> f64 + Sync) -> Vec<(u64, u32)> {
    let mut pairs: Vec<(u64, u32)> = (0..n)
        .map(|i| {
            let s = score(i);
            (sort_key(if s == 0.0 { 0.0 } else { s }), i as u32)
        })
        .collect();
    if n > 1 << 16 {
        pairs.par_sort_unstable();
    } else {
        pairs.sort_unstable();
    }
    pairs
}

/// All AUCs scored by one class's column of a multiclass probability table: one-vs-rest
/// (class `c` against every other row) and one-vs-one (`c` against each other class, on the
/// rows of those two classes).
#[derive(Clone, Debug)]
pub struct ClassAucs {
    pub c: usize,
    pub ovr: f64,
    /// AUC of `c` against each class (NaN at `c` itself and at classes without rows).
    pub ovo: Vec<f64>,
}

/// Walks the tie groups of `sorted`, giving each group's range of positions, its rows' class
/// counts, and the class counts of all rows below it.
fn for_each_tie_group(sorted: &[(u64, u32)], gold: &[u32], k: usize, mut f: impl FnMut(usize, usize, &[u64], &[u64])) {
    let mut below = vec![0u64; k];
    let mut tie = vec![0u64; k];
    let mut start = 0;
    while start < sorted.len() {
        let key = sorted[start].0;
        let mut end = start;
        tie.iter_mut().for_each(|t| *t = 0);
        while end < sorted.len() && sorted[end].0 == key {
            tie[gold[sorted[end].1 as usize] as usize] += 1;
            end += 1;
        }
        f(start, end, &tie, &below);
        for (b, t) in below.iter_mut().zip(&tie) {
            *b += t;
        }
        start = end;
    }
}

/// The one-vs-rest and one-vs-one AUCs of class `c`, in one pass over the rows sorted by c's
/// score (`gold` indexed by row; `support[j]` = rows of class j; class c must have rows).
pub fn class_aucs(sorted: &[(u64, u32)], gold: &[u32], c: usize, support: &[u64]) -> ClassAucs {
    let k = support.len();
    let n: u64 = support.iter().sum();
    let (n_c, n_rest) = (support[c] as f64, (n - support[c]) as f64);
    let mut ovr_sum = 0.0;
    let mut pair_sum = vec![0.0; k];
    for_each_tie_group(sorted, gold, k, |_, _, tie, below| {
        let tie_pos = tie[c] as f64;
        if tie_pos == 0.0 {
            return;
        }
        let neg_below: u64 = below.iter().sum::<u64>() - below[c];
        let tie_neg: u64 = tie.iter().sum::<u64>() - tie[c];
        ovr_sum += tie_pos * (neg_below as f64 + 0.5 * tie_neg as f64);
        for o in (0..k).filter(|&o| o != c) {
            pair_sum[o] += tie_pos * (below[o] as f64 + 0.5 * tie[o] as f64);
        }
    });
    let ovo = (0..k)
        .map(|o| if o == c || support[o] == 0 { f64::NAN } else { pair_sum[o] / (n_c * support[o] as f64) })
        .collect();
    ClassAucs { c, ovr: ovr_sum / (n_c * n_rest), ovo }
}

/// Each row's influence on class c's one-vs-rest AUC and on Σ_o (one-vs-one AUC of c vs o),
/// passed to `emit(row, ovr, ovo)`. Scaled so that Var(Σ_k w_k AUC_k) ≈ Σ_rows (Σ_k w_k ψ_k)²;
/// for a single AUC this is DeLong's variance up to the (m−1)/m small-sample factors.
pub fn class_influence(
    sorted: &[(u64, u32)],
    gold: &[u32],
    aucs: &ClassAucs,
    support: &[u64],
    mut emit: impl FnMut(usize, f64, f64),
) {
    let k = support.len();
    let c = aucs.c;
    let n: u64 = support.iter().sum();
    let (n_c, n_rest) = (support[c] as f64, (n - support[c]) as f64);
    let mut pos_below = 0u64;
    for_each_tie_group(sorted, gold, k, |start, end, tie, below| {
        let tie_pos = tie[c];
        let neg_below: u64 = below.iter().sum::<u64>() - below[c];
        let tie_neg: u64 = tie.iter().sum::<u64>() - tie[c];
        // Positives of this group: V10 against all negatives and against each class.
        let v10_ovr = (neg_below as f64 + 0.5 * tie_neg as f64) / n_rest;
        let pos_ovr = (v10_ovr - aucs.ovr) / n_c;
        let mut pos_ovo = 0.0;
        if tie_pos > 0 {
            for o in (0..k).filter(|&o| o != c && support[o] > 0) {
                let v10 = (below[o] as f64 + 0.5 * tie[o] as f64) / support[o] as f64;
                pos_ovo += (v10 - aucs.ovo[o]) / n_c;
            }
        }
        // Negatives of this group: V01 = share of c's rows above them (ties ½), the same for
        // one-vs-rest and for the pair (c, their class).
        let pos_above = support[c] - pos_below - tie_pos;
        let v01 = (pos_above as f64 + 0.5 * tie_pos as f64) / n_c;
        for &(_, row) in &sorted[start..end] {
            let gp = gold[row as usize] as usize;
            if gp == c {
                emit(row as usize, pos_ovr, pos_ovo);
            } else {
                emit(row as usize, (v01 - aucs.ovr) / n_rest, (v01 - aucs.ovo[gp]) / support[gp] as f64);
            }
        }
        pos_below += tie_pos;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute-force Mann–Whitney AUC and DeLong components of positives vs negatives.
    fn brute(scores: &[f64], pos: &[usize], neg: &[usize]) -> (f64, Vec<f64>, Vec<f64>) {
        let h = |a: f64, b: f64| {
            if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            }
        };
        let v10: Vec<f64> =
            pos.iter().map(|&i| neg.iter().map(|&j| h(scores[i], scores[j])).sum::<f64>() / neg.len() as f64).collect();
        let v01: Vec<f64> =
            neg.iter().map(|&j| pos.iter().map(|&i| h(scores[i], scores[j])).sum::<f64>() / pos.len() as f64).collect();
        (v10.iter().sum::<f64>() / pos.len() as f64, v10, v01)
    }

    #[test]
    fn binary_variance_from_groups_matches_brute_force_delong() {
        // Scores 0.1, 0.35, 0.4 (x3), 0.8; positives at .35, .8 and one .4.
        let scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4];
        let (pos, neg) = ([2usize, 3, 5], [0usize, 1, 4]);
        let (auc, v10, v01) = brute(&scores, &pos, &neg);
        let var = |v: &[f64]| v.iter().map(|x| (x - auc).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
        let want = var(&v10) / 3.0 + var(&v01) / 3.0;
        // Groups ascending: 0.1 (neg), 0.35 (pos), 0.4 (1 pos, 2 neg), 0.8 (pos).
        let got = delong_variance_groups(&[0, 1, 1, 1], &[1, 0, 2, 0], auc);
        assert!((auc - 2.0 / 3.0).abs() < 1e-12);
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }

    #[test]
    fn one_pass_aucs_and_influences_match_pairwise_brute_force() {
        // Class 0's scores for 8 rows of 3 classes, with ties (and a −0 tied with +0).
        let scores = [0.1, 0.2, 0.2, 0.3, 0.5, 0.5, -0.0, 0.0];
        let gold = [1u32, 0, 2, 1, 0, 2, 0, 2];
        let support = [3u64, 2, 3];
        let sorted = sorted_by_score(8, |i| scores[i]);
        let a = class_aucs(&sorted, &gold, 0, &support);
        let rows_of = |f: &dyn Fn(u32) -> bool| (0..8).filter(|&i| f(gold[i])).collect::<Vec<usize>>();
        let (ovr, v10, v01) = brute(&scores, &rows_of(&|g| g == 0), &rows_of(&|g| g != 0));
        assert!((a.ovr - ovr).abs() < 1e-12);
        // Influence of the one-vs-rest AUC: (V − A)/m for positives, (V − A)/n for negatives.
        let mut got = vec![(0.0, 0.0); 8];
        class_influence(&sorted, &gold, &a, &support, |row, x, y| got[row] = (x, y));
        let mut want_ovr = vec![0.0; 8];
        for (i, &r) in rows_of(&|g| g == 0).iter().enumerate() {
            want_ovr[r] = (v10[i] - ovr) / 3.0;
        }
        for (j, &r) in rows_of(&|g| g != 0).iter().enumerate() {
            want_ovr[r] = (v01[j] - ovr) / 5.0;
        }
        let mut want_ovo = vec![0.0; 8];
        for o in 1..3u32 {
            let (pair, v10, v01) = brute(&scores, &rows_of(&|g| g == 0), &rows_of(&|g| g == o));
            assert!((a.ovo[o as usize] - pair).abs() < 1e-12);
            for (i, &r) in rows_of(&|g| g == 0).iter().enumerate() {
                want_ovo[r] += (v10[i] - pair) / 3.0;
            }
            for (j, &r) in rows_of(&|g| g == o).iter().enumerate() {
                want_ovo[r] += (v01[j] - pair) / support[o as usize] as f64;
            }
        }
        for r in 0..8 {
            assert!((got[r].0 - want_ovr[r]).abs() < 1e-12, "ovr row {r}");
            assert!((got[r].1 - want_ovo[r]).abs() < 1e-12, "ovo row {r}");
        }
    }
}

/// Two models' ROC AUCs on the same rows and the fast DeLong test of their difference
/// (DeLong et al. 1988; Sun & Xu 2014), two-sided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairedAuc {
    pub auc_a: f64,
    pub auc_b: f64,
    /// Variance of auc_b − auc_a.
    pub var_diff: f64,
    pub z: f64,
    pub p_value: f64,
}

/// Each row's DeLong component (V10 for positives, V01 for negatives) and the AUC.
fn binary_components(scores: &[f64], is_pos: &[bool], m: usize, n: usize) -> (Vec<f64>, f64) {
    let sorted = sorted_by_score(scores.len(), |i| scores[i]);
    let mut v = vec![0.0; scores.len()];
    let (mut neg_below, mut pos_below) = (0usize, 0usize);
    let mut auc_sum = 0.0;
    let mut start = 0;
    while start < sorted.len() {
        let key = sorted[start].0;
        let mut end = start;
        let (mut tie_pos, mut tie_neg) = (0usize, 0usize);
        while end < sorted.len() && sorted[end].0 == key {
            if is_pos[sorted[end].1 as usize] {
                tie_pos += 1;
            } else {
                tie_neg += 1;
            }
            end += 1;
        }
        let v10 = (neg_below as f64 + 0.5 * tie_neg as f64) / n as f64;
        let v01 = ((m - pos_below - tie_pos) as f64 + 0.5 * tie_pos as f64) / m as f64;
        for &(_, row) in &sorted[start..end] {
            v[row as usize] = if is_pos[row as usize] { v10 } else { v01 };
        }
        auc_sum += v10 * tie_pos as f64;
        neg_below += tie_neg;
        pos_below += tie_pos;
        start = end;
    }
    (v, auc_sum / m as f64)
}

/// The paired DeLong test of AUC(b) − AUC(a) on the same rows; None without both classes.
pub fn delong_paired(a: &[f64], b: &[f64], is_pos: &[bool]) -> Option<PairedAuc> {
    let m = is_pos.iter().filter(|&&p| p).count();
    let n = is_pos.len() - m;
    if m < 2 || n < 2 {
        return None;
    }
    let (va, auc_a) = binary_components(a, is_pos, m, n);
    let (vb, auc_b) = binary_components(b, is_pos, m, n);
    let (mut s10, mut s01) = (0.0, 0.0);
    for i in 0..is_pos.len() {
        let d = (vb[i] - auc_b) - (va[i] - auc_a);
        if is_pos[i] {
            s10 += d * d;
        } else {
            s01 += d * d;
        }
    }
    let var_diff = s10 / ((m - 1) as f64 * m as f64) + s01 / ((n - 1) as f64 * n as f64);
    let diff = auc_b - auc_a;
    let (z, p_value) = if var_diff > 0.0 {
        let z = diff / var_diff.sqrt();
        (z, super::special::normal_two_sided_p(z))
    } else if diff == 0.0 {
        (0.0, 1.0)
    } else {
        (diff.signum() * f64::INFINITY, 0.0)
    };
    Some(PairedAuc { auc_a, auc_b, var_diff, z, p_value })
}

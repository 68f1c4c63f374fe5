//! ROC AUC through its structural components (DeLong, DeLong & Clarke-Pearson 1988), computed
//! in one pass over scores sorted once (Sun & Xu 2014): the AUC, DeLong's variance, and
//! per-row influence values that give averaged AUCs (one-vs-rest, one-vs-one) an analytic
//! variance too.

use rayon::prelude::*;

use super::sort_key::{from_sort_key, sort_key};

/// One score column sorted ascending, with the row each score came from.
#[derive(Clone, Debug, Default)]
pub struct SortedScores {
    pub scores: Vec<f64>,
    pub rows: Vec<u32>,
    pairs: Vec<(u64, u32)>,
}

impl SortedScores {
    pub fn new(scores: &[f64]) -> SortedScores {
        let mut s = SortedScores::default();
        s.sort_from(scores);
        s.pairs = Vec::new();
        s
    }

    /// Re-sorts into the existing buffers (no fresh allocation when sizes repeat).
    pub fn sort_from(&mut self, scores: &[f64]) {
        self.pairs.clear();
        self.pairs.extend(scores.iter().enumerate().map(|(i, &s)| (sort_key(s), i as u32)));
        if self.pairs.len() > 1 << 16 {
            self.pairs.par_sort_unstable();
        } else {
            self.pairs.sort_unstable();
        }
        self.scores.clear();
        self.scores.extend(self.pairs.iter().map(|&(key, _)| from_sort_key(key)));
        self.rows.clear();
        self.rows.extend(self.pairs.iter().map(|&(_, r)| r));
    }
}

/// The AUC of one comparison and how many positives and negatives it had.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Auc {
    pub auc: f64,
    pub n_pos: usize,
    pub n_neg: usize,
}

/// AUC over ascending `scores` where `class(p)` says whether sorted position `p` is a
/// positive (Some(true)), a negative (Some(false)) or left out (None). Writes each included
/// position's DeLong component into `v`: V10 (share of negatives below, ties ½) for positives,
/// V01 (share of positives above, ties ½) for negatives. None without both classes.
pub fn auc_sorted(scores: &[f64], class: impl Fn(usize) -> Option<bool>, v: &mut Vec<f64>) -> Option<Auc> {
    v.clear();
    v.resize(scores.len(), f64::NAN);
    let (mut n_pos, mut n_neg) = (0usize, 0usize);
    for p in 0..scores.len() {
        match class(p) {
            Some(true) => n_pos += 1,
            Some(false) => n_neg += 1,
            None => {}
        }
    }
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let (mut neg_below, mut pos_below) = (0usize, 0usize);
    let mut auc_sum = 0.0f64;
    let mut start = 0;
    while start < scores.len() {
        let s = scores[start];
        let mut end = start;
        let (mut tie_pos, mut tie_neg) = (0usize, 0usize);
        while end < scores.len() && scores[end] == s {
            match class(end) {
                Some(true) => tie_pos += 1,
                Some(false) => tie_neg += 1,
                None => {}
            }
            end += 1;
        }
        let v10 = (neg_below as f64 + 0.5 * tie_neg as f64) / n_neg as f64;
        let pos_above = n_pos - pos_below - tie_pos;
        let v01 = (pos_above as f64 + 0.5 * tie_pos as f64) / n_pos as f64;
        for (p, slot) in v.iter_mut().enumerate().take(end).skip(start) {
            match class(p) {
                Some(true) => *slot = v10,
                Some(false) => *slot = v01,
                None => {}
            }
        }
        auc_sum += v10 * tie_pos as f64;
        neg_below += tie_neg;
        pos_below += tie_pos;
        start = end;
    }
    Some(Auc { auc: auc_sum / n_pos as f64, n_pos, n_neg })
}

/// DeLong's variance S10/m + S01/n (unbiased sample variances) from the components.
pub fn delong_variance(a: &Auc, v: &[f64], class: impl Fn(usize) -> Option<bool>) -> f64 {
    let (mut s10, mut s01) = (0.0, 0.0);
    for (p, &x) in v.iter().enumerate() {
        let d = x - a.auc;
        match class(p) {
            Some(true) => s10 += d * d,
            Some(false) => s01 += d * d,
            None => {}
        }
    }
    let (m, n) = (a.n_pos as f64, a.n_neg as f64);
    let s10 = if a.n_pos > 1 { s10 / (m - 1.0) } else { 0.0 };
    let s01 = if a.n_neg > 1 { s01 / (n - 1.0) } else { 0.0 };
    s10 / m + s01 / n
}

/// Adds `weight` × each sorted position's influence on the AUC into `out` (indexed like
/// `v`), scaled so that Var(Σ w_k AUC_k) ≈ Σ_rows (Σ_k w_k ψ_k)². For one AUC this is
/// DeLong's variance up to the (m−1)/m small-sample factor.
/// `out[p][slot]` receives position p's share.
pub fn add_influence<const S: usize>(
    a: &Auc,
    v: &[f64],
    class: impl Fn(usize) -> Option<bool>,
    weight: f64,
    out: &mut [[f64; S]],
    slot: usize,
) {
    let (wp, wn) = (weight / a.n_pos as f64, weight / a.n_neg as f64);
    for (p, (&x, o)) in v.iter().zip(out.iter_mut()).enumerate() {
        match class(p) {
            Some(true) => o[slot] += wp * (x - a.auc),
            Some(false) => o[slot] += wn * (x - a.auc),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_with_ties_and_variance_match_hand_computation() {
        let y = [false, false, true, true, false, true];
        let s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4];
        let sorted = SortedScores::new(&s);
        let class = |p: usize| Some(y[sorted.rows[p] as usize]);
        let mut v = Vec::new();
        let a = auc_sorted(&sorted.scores, class, &mut v).unwrap();
        assert!((a.auc - 2.0 / 3.0).abs() < 1e-12);
        // V10 of positives .35, .8, .4: 1/3, 1, 2/3; V01 of negatives .1, .4, .4: 1, 1/2, 1/2.
        let mean = 2.0 / 3.0;
        let s10: f64 = [1.0 / 3.0, 1.0, 2.0 / 3.0].iter().map(|v: &f64| (v - mean).powi(2)).sum::<f64>() / 2.0;
        let s01: f64 = [1.0, 0.5, 0.5].iter().map(|v: &f64| (v - mean).powi(2)).sum::<f64>() / 2.0;
        let var = delong_variance(&a, &v, class);
        assert!((var - (s10 / 3.0 + s01 / 3.0)).abs() < 1e-12);
        // Influence squared sums to the biased version of the same variance.
        let mut infl = vec![[0.0]; 6];
        add_influence(&a, &v, class, 1.0, &mut infl, 0);
        let biased = s10 * 2.0 / 9.0 + s01 * 2.0 / 9.0;
        assert!((infl.iter().map(|x| x[0] * x[0]).sum::<f64>() - biased).abs() < 1e-12);
    }

    #[test]
    fn undefined_without_both_classes_and_sort_handles_negatives() {
        let s = [0.1, -0.2, 0.0];
        let sorted = SortedScores::new(&s);
        assert_eq!(sorted.scores, vec![-0.2, 0.0, 0.1]);
        assert!(auc_sorted(&sorted.scores, |_| Some(true), &mut Vec::new()).is_none());
    }
}

/// All AUCs scored by one class's column of a multiclass probability table: one-vs-rest
/// (class `c` against every other row) and one-vs-one (`c` against each other class, on the
/// rows of those two classes), in one pass over the column sorted once.
#[derive(Clone, Debug)]
pub struct ClassAucs {
    pub c: usize,
    pub ovr: f64,
    /// AUC of `c` against each class (NaN at `c` itself).
    pub ovo: Vec<f64>,
}

/// Walks tie groups of ascending `scores`, giving each group's range, its rows' class
/// counts, and the class counts of all rows below it.
fn for_each_tie_group(scores: &[f64], gold: &[u32], k: usize, mut f: impl FnMut(usize, usize, &[u64], &[u64])) {
    let mut below = vec![0u64; k];
    let mut tie = vec![0u64; k];
    let mut start = 0;
    while start < scores.len() {
        let s = scores[start];
        let mut end = start;
        tie.iter_mut().for_each(|t| *t = 0);
        while end < scores.len() && scores[end] == s {
            tie[gold[end] as usize] += 1;
            end += 1;
        }
        f(start, end, &tie, &below);
        for (b, t) in below.iter_mut().zip(&tie) {
            *b += t;
        }
        start = end;
    }
}

/// The one-vs-rest and one-vs-one AUCs of class `c` (`support[j]` = rows of class j; every
/// class must have support).
pub fn class_aucs(scores: &[f64], gold: &[u32], c: usize, support: &[u64]) -> ClassAucs {
    let k = support.len();
    let n: u64 = support.iter().sum();
    let (n_c, n_rest) = (support[c] as f64, (n - support[c]) as f64);
    let mut ovr_sum = 0.0;
    let mut pair_sum = vec![0.0; k];
    for_each_tie_group(scores, gold, k, |_, _, tie, below| {
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
    let ovo = (0..k).map(|o| if o == c { f64::NAN } else { pair_sum[o] / (n_c * support[o] as f64) }).collect();
    ClassAucs { c, ovr: ovr_sum / (n_c * n_rest), ovo }
}

/// Each sorted position's influence on (one-vs-rest AUC of `c`, Σ_o one-vs-one AUC of c vs o),
/// passed to `emit(position, ovr_influence, ovo_influence)`. Scaled as `add_influence`.
pub fn class_influence(
    scores: &[f64],
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
    for_each_tie_group(scores, gold, k, |start, end, tie, below| {
        let tie_pos = tie[c];
        let neg_below: u64 = below.iter().sum::<u64>() - below[c];
        let tie_neg: u64 = tie.iter().sum::<u64>() - tie[c];
        // Positives of this group: V10 against all negatives and against each class.
        let v10_ovr = (neg_below as f64 + 0.5 * tie_neg as f64) / n_rest;
        let pos_ovr = (v10_ovr - aucs.ovr) / n_c;
        let mut pos_ovo = 0.0;
        if tie_pos > 0 {
            for o in (0..k).filter(|&o| o != c) {
                let v10 = (below[o] as f64 + 0.5 * tie[o] as f64) / support[o] as f64;
                pos_ovo += (v10 - aucs.ovo[o]) / n_c;
            }
        }
        // Negatives of this group: V01 = share of c's rows above them (ties ½), the same for
        // one-vs-rest and for the pair (c, their class).
        let pos_above = support[c] - pos_below - tie_pos;
        let v01 = (pos_above as f64 + 0.5 * tie_pos as f64) / n_c;
        for p in start..end {
            let gp = gold[p] as usize;
            if gp == c {
                emit(p, pos_ovr, pos_ovo);
            } else {
                emit(p, (v01 - aucs.ovr) / n_rest, (v01 - aucs.ovo[gp]) / support[gp] as f64);
            }
        }
        pos_below += tie_pos;
    });
}

#[cfg(test)]
mod multiclass_tests {
    use super::*;

    #[test]
    fn one_pass_matches_pairwise_passes() {
        // 3 classes, scores of class 0's column with ties.
        let scores = [0.1, 0.2, 0.2, 0.3, 0.5, 0.5, 0.7, 0.9];
        let gold = [1u32, 0, 2, 1, 0, 2, 0, 2];
        let support = [3u64, 2, 3];
        let a = class_aucs(&scores, &gold, 0, &support);
        let mut v = Vec::new();
        let ovr = auc_sorted(&scores, |p| Some(gold[p] == 0), &mut v).unwrap();
        assert!((a.ovr - ovr.auc).abs() < 1e-12);
        // Class 0 against class o on the rows of those two classes.
        let pair_class = |o: u32| move |p: usize| (gold[p] == 0 || gold[p] == o).then_some(gold[p] == 0);
        for o in 1..3u32 {
            let pair = auc_sorted(&scores, pair_class(o), &mut v).unwrap();
            assert!((a.ovo[o as usize] - pair.auc).abs() < 1e-12);
        }
        // Influences agree with add_influence on the separate passes.
        let mut want = vec![[0.0; 2]; 8];
        let class = |p: usize| Some(gold[p] == 0);
        let ovr = auc_sorted(&scores, class, &mut v).unwrap();
        add_influence(&ovr, &v, class, 1.0, &mut want, 0);
        for o in 1..3u32 {
            let pair = auc_sorted(&scores, pair_class(o), &mut v).unwrap();
            add_influence(&pair, &v, pair_class(o), 1.0, &mut want, 1);
        }
        let mut got = vec![[0.0; 2]; 8];
        class_influence(&scores, &gold, &a, &support, |p, x, y| got[p] = [x, y]);
        for p in 0..8 {
            assert!(
                (got[p][0] - want[p][0]).abs() < 1e-12 && (got[p][1] - want[p][1]).abs() < 1e-12,
                "{p}: {got:?} vs {want:?}"
            );
        }
    }
}

//! Duplicates within one split: exact copies after normalisation, verified near duplicates,
//! and texts that occur with more than one label. Duplicated training rows weight some
//! examples more than others; duplicated test rows count one example several times; the same
//! input with different labels is label noise or a label the input does not determine.

use rayon::prelude::*;

use super::exact::differ;
use super::features::{jaccard, RowFeatures};
use super::minhash::MinHasher;

/// Duplicates within one split.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SplitDuplicates {
    pub rows: usize,
    /// Rows whose normalised text occurs more than once in the split (every copy counted).
    pub duplicated_rows: usize,
    /// Rows beyond the first of each text: what deduplication would remove.
    pub redundant_rows: usize,
    /// Distinct texts that occur with more than one label.
    pub conflicting_texts: usize,
    /// Rows carrying those texts.
    pub conflicting_rows: usize,
    /// Rows with a near duplicate (verified Jaccard at or above the threshold, not an exact
    /// copy) elsewhere in the split, exact copies of such rows included.
    pub near_duplicated_rows: usize,
    /// Rows in groups of near duplicates that carry more than one label.
    pub near_conflicting_rows: usize,
}

impl SplitDuplicates {
    /// Share of the split's rows that deduplication would remove.
    pub fn duplicate_rate(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.redundant_rows as f64 / self.rows as f64
        }
    }

    /// Share of the split's rows that have a near duplicate in it.
    pub fn near_duplicate_rate(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.near_duplicated_rows as f64 / self.rows as f64
        }
    }
}

/// One split as the within-split check needs it: normalised texts, their [`super::exact::text_hash`]es,
/// `bands` LSH band keys per row (row-major), and labels (empty when there are none).
pub struct SplitRows<'a> {
    pub texts: &'a [String],
    pub hashes: &'a [Option<u128>],
    pub band_keys: &'a [u64],
    pub bands: usize,
    pub labels: &'a [Option<&'a str>],
}

/// A bucket of rows sharing a band key contributes, per member, a pair with the bucket's first
/// member and one with the previous member: linear in the bucket size, so a template repeated
/// a million times costs two million checks, not 10^12, while chains of near copies still join.
fn band_pairs(rows: &SplitRows, reps: &[u32], band: usize) -> Vec<(u32, u32)> {
    let mut entries: Vec<(u64, u32)> =
        reps.iter().filter_map(|&r| rows.band_keys.get(r as usize * rows.bands + band).map(|&k| (k, r))).collect();
    entries.sort_unstable();
    let mut pairs = Vec::new();
    for run in entries.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        let first = run[0].1;
        for w in run.windows(2) {
            pairs.push((first, w[1].1));
            if w[0].1 != first {
                pairs.push((w[0].1, w[1].1));
            }
        }
    }
    pairs
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// Exact and near duplicates within one split; near pairs are LSH candidates verified by exact
/// Jaccard of their shingle sets (at `threshold`, shingles of `shingle` words).
pub fn split_duplicates(rows: &SplitRows, hasher: &MinHasher, shingle: usize, threshold: f64) -> SplitDuplicates {
    let n = rows.texts.len();
    let label = |i: usize| rows.labels.get(i).copied().flatten();
    let mut d = SplitDuplicates { rows: n, ..Default::default() };

    // Exact copies: rows sorted by text hash; `rep[i]` is the first row with row i's text.
    let mut order: Vec<u32> = (0..n as u32).filter(|&i| rows.hashes[i as usize].is_some()).collect();
    order.par_sort_unstable_by_key(|&i| (rows.hashes[i as usize], i));
    let mut rep: Vec<u32> = (0..n as u32).collect();
    let mut reps = Vec::new();
    for group in order.chunk_by(|a, b| rows.hashes[*a as usize] == rows.hashes[*b as usize]) {
        reps.push(group[0]);
        for &r in group {
            rep[r as usize] = group[0];
        }
        if group.len() > 1 {
            d.duplicated_rows += group.len();
            d.redundant_rows += group.len() - 1;
            let first = group.iter().find_map(|&r| label(r as usize));
            if group.iter().any(|&r| differ(first, label(r as usize))) {
                d.conflicting_texts += 1;
                d.conflicting_rows += group.len();
            }
        }
    }
    reps.sort_unstable();

    // Near duplicates among distinct texts: band collisions, verified.
    let mut pairs: Vec<(u32, u32)> =
        (0..rows.bands).into_par_iter().flat_map_iter(|b| band_pairs(rows, &reps, b)).collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    let verified: Vec<(u32, u32)> = pairs
        .par_iter()
        .map_init(
            || (RowFeatures::default(), RowFeatures::default()),
            |(fa, fb), &(a, b)| {
                fa.compute(hasher, &rows.texts[a as usize], shingle);
                fb.compute(hasher, &rows.texts[b as usize], shingle);
                (jaccard(&fa.shingles, &fb.shingles).0 >= threshold).then_some((a, b))
            },
        )
        .flatten()
        .collect();
    if verified.is_empty() {
        return d;
    }
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for (a, b) in verified {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    // Per cluster root: distinct texts in it, its first label, whether labels differ.
    let mut texts_in = vec![0u32; n];
    for &r in &reps {
        let root = find(&mut parent, r);
        texts_in[root as usize] += 1;
    }
    let mut first_label: Vec<Option<&str>> = vec![None; n];
    let mut mixed = vec![false; n];
    let roots: Vec<u32> =
        (0..n).map(|i| if rows.hashes[i].is_some() { find(&mut parent, rep[i]) } else { u32::MAX }).collect();
    for (i, &root) in roots.iter().enumerate() {
        if root == u32::MAX || texts_in[root as usize] < 2 {
            continue;
        }
        let l = label(i);
        match first_label[root as usize] {
            None => first_label[root as usize] = l,
            Some(_) if differ(first_label[root as usize], l) => mixed[root as usize] = true,
            Some(_) => {}
        }
    }
    for &root in &roots {
        if root != u32::MAX && texts_in[root as usize] >= 2 {
            d.near_duplicated_rows += 1;
            if mixed[root as usize] {
                d.near_conflicting_rows += 1;
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leakage::exact::text_hash;
    use crate::leakage::lsh::{choose_bands, LshIndex};
    use crate::leakage::minhash::Scheme;

    fn check(texts: &[&str], labels: &[Option<&str>]) -> SplitDuplicates {
        let hasher = MinHasher::new(128, 1, Scheme::Fast);
        let (bands, r) = choose_bands(128, 0.8);
        let index = LshIndex::new(128, bands, r);
        let texts: Vec<String> = texts.iter().map(|s| s.to_string()).collect();
        let hashes: Vec<Option<u128>> = texts.iter().map(|t| text_hash(t)).collect();
        let mut keys = Vec::new();
        let mut f = RowFeatures::default();
        for t in &texts {
            f.compute(&hasher, t, 5);
            index.band_keys(&hasher.signature(&f.shingles), &mut keys);
        }
        let rows = SplitRows { texts: &texts, hashes: &hashes, band_keys: &keys, bands, labels };
        split_duplicates(&rows, &hasher, 5, 0.8)
    }

    #[test]
    fn exact_near_and_conflicts_within_a_split() {
        let long: Vec<String> = (0..130).map(|i| format!("w{i}")).collect();
        let base = long.join(" ");
        let mut edited = long.clone();
        edited[60] = "changed".into();
        let edited = edited.join(" ");
        let texts = [base.as_str(), "a b c", edited.as_str(), "a b c", "", "x y z", base.as_str()];
        let labels = [Some("p"), Some("p"), Some("n"), Some("n"), Some("p"), Some("p"), Some("p")];
        let d = check(&texts, &labels);
        // Exact: "a b c" twice (labels differ) and `base` twice.
        assert_eq!((d.duplicated_rows, d.redundant_rows, d.conflicting_texts, d.conflicting_rows), (4, 2, 1, 2));
        // Near: `edited` with both copies of `base`; its label differs.
        assert_eq!((d.near_duplicated_rows, d.near_conflicting_rows), (3, 3));
        assert!((d.duplicate_rate() - 2.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn distinct_texts_have_no_duplicates() {
        let texts: Vec<String> =
            (0..50).map(|i| (0..60).map(|j| format!("t{}", i * 1000 + j)).collect::<Vec<_>>().join(" ")).collect();
        let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
        let d = check(&refs, &[]);
        assert_eq!(d, SplitDuplicates { rows: 50, ..Default::default() });
    }
}

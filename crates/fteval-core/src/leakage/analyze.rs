//! The whole leakage check of a test split against a training split: exact copies after
//! normalisation, near duplicates (MinHash + LSH candidates, verified by exact Jaccard on the
//! shingle sets, so no false flag survives), n-gram contamination, and label conflicts.

use rayon::prelude::*;

use crate::stats::sets::sorted_intersection;

use super::exact::{differ, exact_matches, group_by_text, split_duplicates, SplitDuplicates};
use super::lsh::{choose_bands, LshIndex};
use super::minhash::{estimate_jaccard, MinHasher, Scheme};
use super::ngrams::{Contamination, NgramIndex};
use super::normalize::{normalize, shingles, words, Normalize};

/// The settings of one leakage check.
#[derive(Clone, Debug)]
pub struct LeakageOptions {
    pub normalize: Normalize,
    /// Jaccard similarity of word shingle sets at or above which a pair is a near duplicate.
    pub threshold: f64,
    pub num_perm: usize,
    pub seed: u64,
    pub scheme: Scheme,
    /// Words per shingle (texts shorter than this are one shingle).
    pub shingle: usize,
    /// Contamination: a shared n-gram of this many words flags a row (GPT-3 used 13).
    pub ngram: usize,
    /// Contamination: the share of a row's n-grams of this many words found in training text.
    pub share_ngram: usize,
}

impl Default for LeakageOptions {
    fn default() -> LeakageOptions {
        LeakageOptions {
            normalize: Normalize::Default,
            threshold: 0.8,
            num_perm: 128,
            seed: 1,
            scheme: Scheme::Fast,
            shingle: 5,
            ngram: 13,
            share_ngram: 8,
        }
    }
}

/// How a flagged test row leaks, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LeakKind {
    Exact,
    Near,
    Contaminated,
}

impl LeakKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LeakKind::Exact => "exact",
            LeakKind::Near => "near",
            LeakKind::Contaminated => "contaminated",
        }
    }
}

/// One flagged test row, at its strongest kind.
#[derive(Clone, Debug, PartialEq)]
pub struct LeakedRow {
    pub test: usize,
    pub kind: LeakKind,
    /// The training row it matches (none for contamination, which is against all training text).
    pub train: Option<usize>,
    /// Exact Jaccard similarity of the two shingle sets (1 for exact copies).
    pub jaccard: Option<f64>,
    /// The MinHash estimate that made the pair a candidate.
    pub estimated_jaccard: Option<f64>,
    /// Share of the test row's shingles found in the training row.
    pub containment: Option<f64>,
    /// The matched training row has a different label.
    pub label_conflict: bool,
    pub contamination: Contamination,
}

/// Everything the check found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Leakage {
    pub train_rows: usize,
    pub test_rows: usize,
    /// Flagged test rows in test order.
    pub flagged: Vec<LeakedRow>,
    pub train_duplicates: SplitDuplicates,
    pub test_duplicates: SplitDuplicates,
    /// The (bands, rows) of the LSH index.
    pub lsh: (usize, usize),
}

impl Leakage {
    pub fn count(&self, kind: LeakKind) -> usize {
        self.flagged.iter().filter(|f| f.kind == kind).count()
    }

    /// Flagged rows whose training match has a different label.
    pub fn label_conflicts(&self) -> usize {
        self.flagged.iter().filter(|f| f.label_conflict).count()
    }

    /// Share of test rows flagged.
    pub fn leaked_fraction(&self) -> f64 {
        if self.test_rows == 0 {
            0.0
        } else {
            self.flagged.len() as f64 / self.test_rows as f64
        }
    }
}

/// Sorted, deduplicated base hashes of a text's shingles: the set exact Jaccard is computed on.
fn shingle_set(hasher: &MinHasher, text: &str, k: usize) -> Vec<u64> {
    let mut set: Vec<u64> = shingles(&words(text), k).iter().map(|s| hasher.base_hash(s.as_bytes())).collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// Checks `test` against `train`. Labels may be empty slices (no label column).
pub fn find_leakage(
    train: &[String],
    train_labels: &[Option<&str>],
    test: &[String],
    test_labels: &[Option<&str>],
    opts: &LeakageOptions,
) -> Leakage {
    let norm = |texts: &[String]| -> Vec<String> { texts.par_iter().map(|t| normalize(t, opts.normalize)).collect() };
    let (train_n, test_n) = (norm(train), norm(test));
    let train_groups = group_by_text(&train_n);
    let test_groups = group_by_text(&test_n);
    let mut out = Leakage {
        train_rows: train.len(),
        test_rows: test.len(),
        train_duplicates: split_duplicates(&train_groups, train.len(), train_labels),
        test_duplicates: split_duplicates(&test_groups, test.len(), test_labels),
        ..Default::default()
    };
    let no_contamination = Contamination { any_ngram: false, share: 0.0, longest_run: 0, ngrams: 0 };
    let mut kind: Vec<Option<LeakedRow>> = vec![None; test.len()];
    for m in exact_matches(&train_groups, &test_n, train_labels, test_labels) {
        kind[m.test] = Some(LeakedRow {
            test: m.test,
            kind: LeakKind::Exact,
            train: Some(m.train),
            jaccard: Some(1.0),
            estimated_jaccard: None,
            containment: Some(1.0),
            label_conflict: m.label_conflict,
            contamination: no_contamination.clone(),
        });
    }

    // Near duplicates among the rows that are not exact copies.
    let hasher = MinHasher::new(opts.num_perm, opts.seed, opts.scheme);
    let (bands, rows) = choose_bands(opts.num_perm, opts.threshold);
    out.lsh = (bands, rows);
    let train_sets: Vec<Vec<u64>> = train_n.par_iter().map(|t| shingle_set(&hasher, t, opts.shingle)).collect();
    let train_sigs: Vec<Vec<u32>> = train_sets.par_iter().map(|s| hasher.signature(s)).collect();
    let mut index = LshIndex::new(opts.num_perm, bands, rows);
    index.insert_all(0, &train_sigs);
    let near: Vec<Option<LeakedRow>> = (0..test.len())
        .into_par_iter()
        .map(|i| {
            if kind[i].is_some() || test_n[i].is_empty() {
                return None;
            }
            let set = shingle_set(&hasher, &test_n[i], opts.shingle);
            let sig = hasher.signature(&set);
            let mut cands = Vec::new();
            index.candidates(&sig, &mut cands);
            let mut best: Option<(f64, usize, usize)> = None;
            for &c in &cands {
                let other = &train_sets[c as usize];
                let common = sorted_intersection(&set, other);
                let union = set.len() + other.len() - common;
                let j = if union == 0 { 0.0 } else { common as f64 / union as f64 };
                if j >= opts.threshold && best.is_none_or(|b| j > b.0) {
                    best = Some((j, c as usize, common));
                }
            }
            let (j, t, common) = best?;
            let label = test_labels.get(i).copied().flatten();
            Some(LeakedRow {
                test: i,
                kind: LeakKind::Near,
                train: Some(t),
                jaccard: Some(j),
                estimated_jaccard: Some(estimate_jaccard(&sig, &train_sigs[t])),
                containment: Some(common as f64 / set.len().max(1) as f64),
                label_conflict: differ(label, train_labels.get(t).copied().flatten()),
                contamination: no_contamination.clone(),
            })
        })
        .collect();
    for (slot, n) in kind.iter_mut().zip(near) {
        if slot.is_none() {
            *slot = n;
        }
    }

    // Contamination: shared long n-grams with any training text.
    let train_words: Vec<Vec<&str>> = train_n.iter().map(|t| words(t)).collect();
    let ngrams = NgramIndex::build(&train_words, opts.ngram, opts.share_ngram);
    let test_words: Vec<Vec<&str>> = test_n.iter().map(|t| words(t)).collect();
    let contamination = ngrams.check_all(&test_words);
    for (i, c) in contamination.into_iter().enumerate() {
        match &mut kind[i] {
            Some(row) => row.contamination = c,
            None if c.any_ngram => {
                kind[i] = Some(LeakedRow {
                    test: i,
                    kind: LeakKind::Contaminated,
                    train: None,
                    jaccard: None,
                    estimated_jaccard: None,
                    containment: None,
                    label_conflict: false,
                    contamination: c,
                })
            }
            None => {}
        }
    }
    out.flagged = kind.into_iter().flatten().collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::Rng;

    /// Random "sentences" over a 5000-word vocabulary: independent rows share no long n-grams.
    fn text(rng: &mut Rng, n: usize) -> String {
        (0..n).map(|_| format!("w{}", rng.below(5000))).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn planted_leaks_of_every_kind_are_found_and_nothing_else() {
        let mut rng = Rng::new(42, 0);
        let mut train: Vec<String> = (0..2000)
            .map(|_| {
                let n = 50 + rng.below(150) as usize;
                text(&mut rng, n)
            })
            .collect();
        let train_labels: Vec<Option<&str>> = (0..2000).map(|i| Some(if i % 2 == 0 { "a" } else { "b" })).collect();
        let mut test: Vec<String> = (0..1000)
            .map(|_| {
                let n = 50 + rng.below(150) as usize;
                text(&mut rng, n)
            })
            .collect();
        let mut test_labels: Vec<Option<&str>> = vec![Some("a"); 1000];
        // Exact copies differing in case, whitespace and punctuation: test 0..10 ← train 0..10.
        for i in 0..10 {
            test[i] = format!("  {}!!", train[i].to_uppercase().replace(' ', ",   "));
            test_labels[i] = train_labels[i];
        }
        // One-word edits of 120+-word rows: test 10..20 ← train 100..110.
        for i in 10..20 {
            let mut w: Vec<String> = (0..130).map(|_| format!("w{}", rng.below(5000))).collect();
            train[100 + i] = w.join(" ");
            w[65] = "edited".into();
            test[i] = w.join(" ");
            test_labels[i] = train_labels[100 + i];
        }
        // 30-word verbatim spans inside new text: test 20..30 ← train 200..210.
        for i in 20..30 {
            let span: Vec<&str> = train[200 + i].split(' ').skip(5).take(30).collect();
            test[i] = format!("{} {} {}", text(&mut rng, 40), span.join(" "), text(&mut rng, 40));
        }
        // Conflicting labels: test 30..35 are exact copies of train rows with the other label.
        for i in 30..35 {
            test[i] = train[300 + i].clone();
            test_labels[i] = Some(if train_labels[300 + i] == Some("a") { "b" } else { "a" });
        }
        let l = find_leakage(&train, &train_labels, &test, &test_labels, &LeakageOptions::default());
        let kinds: Vec<(usize, LeakKind)> = l.flagged.iter().map(|f| (f.test, f.kind)).collect();
        for i in 0..10 {
            assert!(kinds.contains(&(i, LeakKind::Exact)), "exact {i}: {kinds:?}");
        }
        for i in 10..20 {
            let f = l.flagged.iter().find(|f| f.test == i).unwrap_or_else(|| panic!("near {i}: {kinds:?}"));
            assert_eq!((f.kind, f.train), (LeakKind::Near, Some(100 + i)));
            assert!(f.jaccard.unwrap() >= 0.8 && f.jaccard.unwrap() < 1.0, "{f:?}");
        }
        for i in 20..30 {
            let f = l.flagged.iter().find(|f| f.test == i).unwrap_or_else(|| panic!("contaminated {i}: {kinds:?}"));
            assert_eq!(f.kind, LeakKind::Contaminated);
            assert!(f.contamination.longest_run >= 30, "{f:?}");
        }
        for i in 30..35 {
            let f = l.flagged.iter().find(|f| f.test == i).unwrap();
            assert!(f.label_conflict && f.kind == LeakKind::Exact, "{f:?}");
        }
        // No false flags on the independent rows.
        assert_eq!(l.flagged.len(), 35, "{kinds:?}");
        assert_eq!(l.label_conflicts(), 5);
        assert!((l.leaked_fraction() - 0.035).abs() < 1e-12);
        assert_eq!(l.lsh, (18, 7));
    }
}

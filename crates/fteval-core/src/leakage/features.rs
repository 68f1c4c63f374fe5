//! Each row's hashed features, computed once per row and shared by every leakage check: its
//! words' hashes (n-gram contamination) and its sorted, deduplicated shingle hashes (MinHash
//! signatures and exact Jaccard).

use super::minhash::{MinHasher, Scheme};
use super::ngrams::{for_each_gram, word_hash};

/// The hashed words and shingles of one normalised text; reused between rows to avoid allocating.
#[derive(Clone, Debug, Default)]
pub struct RowFeatures {
    /// [`word_hash`] of each word, in order.
    pub words: Vec<u64>,
    /// Base hashes of the word `k`-gram shingles (the whole text as one shingle when it has at
    /// most `k` words), sorted and deduplicated: the set Jaccard similarity is computed on.
    pub shingles: Vec<u64>,
    /// Byte ranges of the words (Datasketch scheme only, which hashes shingle bytes).
    spans: Vec<(usize, usize)>,
}

impl RowFeatures {
    /// Fills in the features of `normalized` (words separated by single spaces, as
    /// [`super::normalize::normalize`] writes them) for shingles of `k` words.
    ///
    /// The Datasketch scheme hashes each shingle's UTF-8 bytes (its words joined by single
    /// spaces: a slice of the normalised text), as a datasketch user would; the Fast scheme
    /// rolls the shingle hash from the word hashes.
    pub fn compute(&mut self, hasher: &MinHasher, normalized: &str, k: usize) {
        self.words.clear();
        self.shingles.clear();
        self.spans.clear();
        if normalized.is_empty() {
            return;
        }
        self.words.extend(normalized.split(' ').map(word_hash));
        let k = k.max(1);
        match hasher.scheme() {
            Scheme::Fast => {
                let shingles = &mut self.shingles;
                for_each_gram(&self.words, k, |g| {
                    shingles.push(hasher.gram_base_hash(g));
                    true
                });
            }
            Scheme::Datasketch => {
                let mut start = 0;
                for (i, b) in normalized.bytes().enumerate() {
                    if b == b' ' {
                        self.spans.push((start, i));
                        start = i + 1;
                    }
                }
                self.spans.push((start, normalized.len()));
                let bytes = normalized.as_bytes();
                if self.spans.len() <= k {
                    self.shingles.push(hasher.base_hash(bytes));
                } else {
                    for w in self.spans.windows(k) {
                        self.shingles.push(hasher.base_hash(&bytes[w[0].0..w[k - 1].1]));
                    }
                }
            }
        }
        self.shingles.sort_unstable();
        self.shingles.dedup();
    }
}

/// Exact Jaccard similarity of two sorted, deduplicated sets and the size of their intersection.
pub fn jaccard(a: &[u64], b: &[u64]) -> (f64, usize) {
    let common = crate::stats::sets::sorted_intersection(a, b);
    let union = a.len() + b.len() - common;
    (if union == 0 { 0.0 } else { common as f64 / union as f64 }, common)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leakage::normalize::{shingles, words};

    #[test]
    fn datasketch_shingles_are_the_joined_words() {
        let hasher = MinHasher::new(16, 1, Scheme::Datasketch);
        for (text, k) in [("a b c d e f g", 5), ("a b c", 5), ("one", 5), ("x y z w v u", 1), ("a b c d e", 5)] {
            let mut f = RowFeatures::default();
            f.compute(&hasher, text, k);
            let mut want: Vec<u64> = shingles(&words(text), k).iter().map(|s| hasher.base_hash(s.as_bytes())).collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(f.shingles, want, "{text}");
            assert_eq!(f.words.len(), words(text).len());
        }
    }

    #[test]
    fn fast_shingles_count_distinct_grams() {
        let hasher = MinHasher::new(16, 1, Scheme::Fast);
        let mut f = RowFeatures::default();
        f.compute(&hasher, "a b a b a b a b", 2);
        assert_eq!(f.shingles.len(), 2, "'a b' and 'b a'");
        f.compute(&hasher, "", 5);
        assert!(f.words.is_empty() && f.shingles.is_empty());
        f.compute(&hasher, "short text", 5);
        assert_eq!(f.shingles.len(), 1);
        let mut g = RowFeatures::default();
        g.compute(&MinHasher::new(16, 2, Scheme::Fast), "short text", 5);
        assert_ne!(f.shingles, g.shingles, "the seed changes the base hashes");
    }

    #[test]
    fn jaccard_of_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), (0.5, 2));
        assert_eq!(jaccard(&[], &[]), (0.0, 0));
    }
}

//! N-gram contamination: whether a test row shares a word n-gram with the training text (GPT-3's
//! 13-gram test), what share of its 8-grams occur there, and the longest run they cover.
//!
//! Words are hashed once to 64 bits and every n-gram hash is rolled from the previous one in O(1).
//! The index holds the *test* rows' n-grams (sorted 64-bit hashes, a bucket table and a filter) and
//! the training text streams past it, marking the test n-grams it contains: memory grows with the
//! test split, not with the (usually ten times larger) training split. Matching is by hash: two different n-grams collide with
//! probability about 2^-64 per pair, so with 10^8 train n-grams and 10^8 test n-grams the expected
//! number of false matches is below 10^-3 — acceptable for a contamination report, but not a proof.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

/// GPT-3's contamination n-gram size, used for `any_ngram`.
pub const DEFAULT_N_ANY: usize = 13;
/// The n-gram size used for the overlap share and the longest run.
pub const DEFAULT_N_SHARE: usize = 8;

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;
const LEN_MUL: u64 = 0xc2b2_ae3d_27d4_eb4f;
const CHUNK_MUL: u64 = 0x1656_67b1_9e37_79f9;
/// Odd, so every power of it is invertible mod 2^64 and a one-word change always changes the sum.
const POLY_BASE: u64 = 0xa076_1d64_78bd_642f;
/// Average keys per bucket of the lookup table is between this and twice this.
const BUCKET_TARGET: usize = 8;

/// MurmurHash3's 64-bit finaliser: a bijection that spreads every input bit over the output.
#[inline]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// A well-mixed 64-bit hash of one word's bytes (not cryptographic; equal words hash equal).
#[inline]
pub fn word_hash(word: &str) -> u64 {
    let bytes = word.as_bytes();
    let mut h = SEED ^ (bytes.len() as u64).wrapping_mul(LEN_MUL);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(buf)).wrapping_mul(CHUNK_MUL).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(buf)).wrapping_mul(CHUNK_MUL).rotate_left(29);
    }
    fmix64(h)
}

/// The final key of a gram from its polynomial sum and word count, so grams of different lengths differ.
#[inline]
fn gram_key(poly: u64, len: usize) -> u64 {
    fmix64(poly ^ (len as u64).wrapping_mul(LEN_MUL))
}

/// How many grams of size `n` a document of `len` words yields (its whole text if shorter than `n`).
#[inline]
fn gram_count(len: usize, n: usize) -> usize {
    if len == 0 {
        0
    } else if len < n {
        1
    } else {
        len - n + 1
    }
}

/// Calls `f` with the key of each `n`-gram of the word hashes in order (or of the whole sequence if
/// shorter than `n`), stopping early when `f` returns false.
pub(crate) fn for_each_gram(hashes: &[u64], n: usize, mut f: impl FnMut(u64) -> bool) {
    let n = n.max(1);
    if hashes.is_empty() {
        return;
    }
    if hashes.len() < n {
        let poly = hashes.iter().fold(0u64, |acc, &w| acc.wrapping_mul(POLY_BASE).wrapping_add(w));
        f(gram_key(poly, hashes.len()));
        return;
    }
    // poly = sum_j w[i+j] * B^(n-1-j); top = B^(n-1) removes the outgoing word.
    let top = (1..n).fold(1u64, |acc, _| acc.wrapping_mul(POLY_BASE));
    let mut poly = hashes[..n].iter().fold(0u64, |acc, &w| acc.wrapping_mul(POLY_BASE).wrapping_add(w));
    if !f(gram_key(poly, n)) {
        return;
    }
    for (&out, &inc) in hashes.iter().zip(&hashes[n..]) {
        poly = poly.wrapping_sub(out.wrapping_mul(top)).wrapping_mul(POLY_BASE).wrapping_add(inc);
        if !f(gram_key(poly, n)) {
            return;
        }
    }
}

/// A compact set of 64-bit keys: sorted, deduplicated, with a table of bucket starts by top bits
/// and a blocked filter (two bits in one 64-bit word per key, about 8 bits per key, ~5% false
/// positives), so most absent keys cost one cache line of a filter small enough to stay cached.
#[derive(Debug, Default)]
struct KeySet {
    keys: Vec<u64>,
    /// `starts[b]..starts[b + 1]` are the keys whose top `bits` bits equal `b`.
    starts: Vec<u32>,
    bits: u32,
    /// For every key `k`, the two bits [`KeySet::filter_bits`] of word `k & filter_mask` are set.
    filter: Vec<u64>,
    filter_mask: u64,
}

impl KeySet {
    /// Sorts and deduplicates `keys` in place (in parallel) and indexes them by their top bits.
    fn from_keys(mut keys: Vec<u64>) -> Self {
        keys.par_sort_unstable();
        keys.dedup();
        keys.shrink_to_fit();
        let mut bits = 0u32;
        while bits < 40 && (keys.len() >> (bits + 1)) >= BUCKET_TARGET {
            bits += 1;
        }
        let buckets = 1usize << bits;
        let mut starts = vec![0u32; buckets + 1];
        for &k in &keys {
            if let Some(c) = starts.get_mut(Self::bucket_of(k, bits) + 1) {
                *c += 1;
            }
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        let words = (keys.len().max(1) / 8).next_power_of_two();
        let filter_mask = words as u64 - 1;
        let mut filter = vec![0u64; words];
        for &k in &keys {
            filter[(k & filter_mask) as usize] |= Self::filter_bits(k);
        }
        KeySet { keys, starts, bits, filter, filter_mask }
    }

    /// Two bits chosen by key bits that neither the word index (low bits) nor the bucket
    /// (top bits) use.
    #[inline]
    fn filter_bits(key: u64) -> u64 {
        (1u64 << ((key >> 32) & 63)) | (1u64 << ((key >> 40) & 63))
    }

    #[inline]
    fn bucket_of(key: u64, bits: u32) -> usize {
        if bits == 0 {
            0
        } else {
            (key >> (64 - bits)) as usize
        }
    }

    /// The index of `key` among the sorted keys, if present.
    #[inline]
    fn position(&self, key: u64) -> Option<usize> {
        let bits = Self::filter_bits(key);
        if self.filter.get((key & self.filter_mask) as usize).is_none_or(|&w| w & bits != bits) {
            return None;
        }
        let b = Self::bucket_of(key, self.bits);
        let (&lo, &hi) = (self.starts.get(b)?, self.starts.get(b + 1)?);
        let (lo, hi) = (lo as usize, hi as usize);
        self.keys.get(lo..hi)?.binary_search(&key).ok().map(|i| lo + i)
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn memory_bytes(&self) -> usize {
        self.keys.capacity() * 8 + self.starts.capacity() * 4 + self.filter.capacity() * 8
    }
}

/// One bit per key of a [`KeySet`], set concurrently.
#[derive(Debug, Default)]
struct Marks(Vec<AtomicU64>);

impl Marks {
    fn new(len: usize) -> Marks {
        Marks((0..len.div_ceil(64)).map(|_| AtomicU64::new(0)).collect())
    }

    #[inline]
    fn set(&self, i: usize) {
        if let Some(w) = self.0.get(i / 64) {
            let bit = 1u64 << (i % 64);
            // Reading first keeps the cache line shared when the bit is already set.
            if w.load(Ordering::Relaxed) & bit == 0 {
                w.fetch_or(bit, Ordering::Relaxed);
            }
        }
    }

    #[inline]
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w.load(Ordering::Relaxed) & (1u64 << (i % 64)) != 0)
    }
}

/// The test rows' hashed word n-grams at two sizes, each marked when it occurs in training
/// text: the training split streams past once and is never stored, so memory grows with the
/// test split only (about 10.5 bytes per distinct test n-gram, two sizes).
#[derive(Debug, Default)]
pub struct NgramIndex {
    n_any: usize,
    n_share: usize,
    any: KeySet,
    share: KeySet,
    any_marks: Marks,
    share_marks: Marks,
    test_docs: usize,
}

/// How much one test row overlaps the training text, measured by hashed word n-grams.
#[derive(Clone, Debug, PartialEq)]
pub struct Contamination {
    /// Some `n_any`-gram of the row (the whole row if it is shorter than `n_any` words) occurs in
    /// train; a short row matches only a train document that is exactly equal to it.
    pub any_ngram: bool,
    /// Fraction of the row's `n_share`-grams (the whole row as one gram if shorter) found in train;
    /// 0 for an empty row.
    pub share: f64,
    /// Words covered by the longest run of consecutive matched `n_share`-grams (m consecutive
    /// matched start positions cover m + n_share − 1 words; the whole row if it is shorter and
    /// matched). It comes from n-gram matches, not from aligning texts, so when it is at least
    /// `n_share` it is a lower bound on the longest span shared with the training text.
    pub longest_run: usize,
    /// Number of `n_share`-grams checked (0 for an empty row, 1 for a row shorter than `n_share`).
    pub ngrams: usize,
}

impl NgramIndex {
    /// Hashes every test row's `n_any`- and `n_share`-grams into two sets (sizes below 1 are
    /// taken as 1; rows shorter than n words give their whole text as one gram).
    pub fn build<D, W>(test: &[D], n_any: usize, n_share: usize) -> NgramIndex
    where
        D: AsRef<[W]> + Sync,
        W: AsRef<str>,
    {
        let hashes: Vec<Vec<u64>> =
            test.par_iter().map(|d| d.as_ref().iter().map(|w| word_hash(w.as_ref())).collect()).collect();
        Self::from_word_hashes(&hashes, n_any, n_share)
    }

    /// As [`NgramIndex::build`], from each test row's [`word_hash`]es.
    pub fn from_word_hashes(test: &[Vec<u64>], n_any: usize, n_share: usize) -> NgramIndex {
        let n_any = n_any.max(1);
        let n_share = n_share.max(1);
        let collect = |n: usize| -> Vec<u64> {
            let mut keys = Vec::with_capacity(test.iter().map(|d| gram_count(d.len(), n)).sum());
            for d in test {
                for_each_gram(d, n, |k| {
                    keys.push(k);
                    true
                });
            }
            keys
        };
        let (any, share) = rayon::join(|| KeySet::from_keys(collect(n_any)), || KeySet::from_keys(collect(n_share)));
        let (any_marks, share_marks) = (Marks::new(any.len()), Marks::new(share.len()));
        NgramIndex { n_any, n_share, any, share, any_marks, share_marks, test_docs: test.len() }
    }

    /// The n-gram size behind `any_ngram`.
    pub fn n_any(&self) -> usize {
        self.n_any
    }

    /// The n-gram size behind `share` and `longest_run`.
    pub fn n_share(&self) -> usize {
        self.n_share
    }

    /// Number of test documents indexed.
    pub fn test_docs(&self) -> usize {
        self.test_docs
    }

    /// Distinct test `n_any`-grams stored.
    pub fn distinct_any(&self) -> usize {
        self.any.len()
    }

    /// Distinct test `n_share`-grams stored.
    pub fn distinct_share(&self) -> usize {
        self.share.len()
    }

    /// Heap bytes held by the index, to report memory per n-gram.
    pub fn memory_bytes(&self) -> usize {
        self.any.memory_bytes() + self.share.memory_bytes() + (self.any_marks.0.len() + self.share_marks.0.len()) * 8
    }

    /// Marks the test n-grams that occur in one training document, given its words' [`word_hash`]es.
    /// Safe to call from many threads at once.
    pub fn mark_hashes(&self, train_word_hashes: &[u64]) {
        for_each_gram(train_word_hashes, self.n_any, |k| {
            if let Some(i) = self.any.position(k) {
                self.any_marks.set(i);
            }
            true
        });
        for_each_gram(train_word_hashes, self.n_share, |k| {
            if let Some(i) = self.share.position(k) {
                self.share_marks.set(i);
            }
            true
        });
    }

    /// Marks the test n-grams of every training document, in parallel.
    pub fn mark_all<D, W>(&self, train: &[D])
    where
        D: AsRef<[W]> + Sync,
        W: AsRef<str>,
    {
        train.par_iter().for_each_init(Vec::new, |hashes, d| {
            hashes.clear();
            hashes.extend(d.as_ref().iter().map(|w| word_hash(w.as_ref())));
            self.mark_hashes(hashes);
        });
    }

    /// Measures one test row's overlap with the training text marked so far.
    pub fn check<W: AsRef<str>>(&self, test_words: &[W]) -> Contamination {
        let hashes: Vec<u64> = test_words.iter().map(|w| word_hash(w.as_ref())).collect();
        self.check_hashes(&hashes)
    }

    /// Measures every test row's overlap in parallel, in the rows' order.
    pub fn check_all<D, W>(&self, tests: &[D]) -> Vec<Contamination>
    where
        D: AsRef<[W]> + Sync,
        W: AsRef<str>,
    {
        tests.par_iter().map(|t| self.check(t.as_ref())).collect()
    }

    /// As [`NgramIndex::check`], from the row's [`word_hash`]es.
    pub fn check_hashes(&self, hashes: &[u64]) -> Contamination {
        let any_hit = |k| self.any.position(k).is_some_and(|i| self.any_marks.get(i));
        let share_hit = |k| self.share.position(k).is_some_and(|i| self.share_marks.get(i));
        let mut any_ngram = false;
        for_each_gram(hashes, self.n_any, |k| {
            any_ngram = any_hit(k);
            !any_ngram
        });
        let (mut ngrams, mut matched, mut run, mut best) = (0usize, 0usize, 0usize, 0usize);
        for_each_gram(hashes, self.n_share, |k| {
            ngrams += 1;
            if share_hit(k) {
                matched += 1;
                run += 1;
                best = best.max(run);
            } else {
                run = 0;
            }
            true
        });
        let longest_run = if best == 0 {
            0
        } else if hashes.len() < self.n_share {
            hashes.len()
        } else {
            best + self.n_share - 1
        };
        let share = if ngrams == 0 { 0.0 } else { matched as f64 / ngrams as f64 };
        Contamination { any_ngram, share, longest_run, ngrams }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// SplitMix64: a small deterministic generator for test texts.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            fmix64(self.0)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn vocab(rng: &mut Rng, size: usize) -> Vec<String> {
        let mut words: Vec<String> = (0..size)
            .map(|_| {
                let len = 4 + rng.below(7);
                (0..len).map(|_| (b'a' + rng.below(26) as u8) as char).collect()
            })
            .collect();
        words.sort();
        words.dedup();
        words
    }

    fn doc<'a>(rng: &mut Rng, vocab: &'a [String], len: usize) -> Vec<&'a str> {
        (0..len).map(|_| vocab[rng.below(vocab.len())].as_str()).collect()
    }

    fn docs<'a>(rng: &mut Rng, vocab: &'a [String], n: usize, len: usize) -> Vec<Vec<&'a str>> {
        (0..n).map(|_| doc(rng, vocab, len)).collect()
    }

    /// The index of `tests`, with `train` marked.
    fn marked<'a>(train: &[Vec<&'a str>], tests: &[Vec<&'a str>], n_any: usize, n_share: usize) -> NgramIndex {
        let index = NgramIndex::build(tests, n_any, n_share);
        index.mark_all(train);
        index
    }

    #[test]
    fn rolling_hash_equals_direct_hash() {
        let mut rng = Rng(1);
        let v = vocab(&mut rng, 1000);
        let words = doc(&mut rng, &v, 40);
        let hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
        for n in [1, 2, 8, 13, 40] {
            let mut rolled = Vec::new();
            for_each_gram(&hashes, n, |k| {
                rolled.push(k);
                true
            });
            let direct: Vec<u64> = hashes
                .windows(n)
                .map(|w| {
                    let mut single = Vec::new();
                    for_each_gram(w, n, |k| {
                        single.push(k);
                        true
                    });
                    single[0]
                })
                .collect();
            assert_eq!(rolled, direct, "n = {n}");
        }
    }

    #[test]
    fn word_hashes_do_not_collide_on_a_vocabulary() {
        let mut rng = Rng(2);
        let mut v = vocab(&mut rng, 50_000);
        v.extend(["", "a", "ab", "abcdefgh", "abcdefghi", "abcdefgh\0"].map(String::from));
        v.sort();
        v.dedup();
        let mut h: Vec<u64> = v.iter().map(|w| word_hash(w)).collect();
        h.sort_unstable();
        h.dedup();
        assert_eq!(h.len(), v.len());
    }

    #[test]
    fn verbatim_span_inside_new_text() {
        let mut rng = Rng(3);
        let v = vocab(&mut rng, 20_000);
        let train = docs(&mut rng, &v, 50, 150);
        let mut test = doc(&mut rng, &v, 50);
        test.extend_from_slice(&train[7][40..70]);
        test.extend(doc(&mut rng, &v, 50));
        let index = marked(&train, std::slice::from_ref(&test), DEFAULT_N_ANY, DEFAULT_N_SHARE);
        let c = index.check(&test);
        assert!(c.any_ngram);
        assert_eq!(c.longest_run, 30);
        assert_eq!(c.ngrams, 130 - 8 + 1);
        assert!((c.share - 23.0 / 123.0).abs() < 1e-12, "{}", c.share);
    }

    #[test]
    fn independent_texts_do_not_match() {
        let mut rng = Rng(4);
        let v = vocab(&mut rng, 20_000);
        let train = docs(&mut rng, &v, 200, 150);
        let tests = docs(&mut rng, &v, 200, 100);
        let index = marked(&train, &tests, DEFAULT_N_ANY, DEFAULT_N_SHARE);
        for t in &tests {
            let c = index.check(t);
            assert_eq!(c, Contamination { any_ngram: false, share: 0.0, longest_run: 0, ngrams: 93 });
        }
    }

    #[test]
    fn short_rows_match_equal_short_train_rows() {
        let train = vec![
            vec!["the", "cat", "sat", "on", "the", "mat"],
            "a long document whose words go on and on for more than thirteen words in total".split(' ').collect(),
        ];
        let tests: Vec<Vec<&str>> = vec![
            vec!["the", "cat", "sat", "on", "the", "mat"],
            vec!["the", "cat", "sat", "on", "the"],
            vec!["the", "dog", "sat", "on", "the", "mat"],
            train[1][2..12].to_vec(),
        ];
        let index = marked(&train, &tests, 13, 8);
        let c = index.check(&tests[0]);
        assert_eq!(c, Contamination { any_ngram: true, share: 1.0, longest_run: 6, ngrams: 1 });
        // A prefix of a short train row, or a different short row, is not the same gram.
        assert!(!index.check(&tests[1]).any_ngram);
        assert!(!index.check(&tests[2]).any_ngram);
        // A 10-word piece of a long train row: no 13-gram, but its 8-grams all occur.
        let c = index.check(&tests[3]);
        assert!(!c.any_ngram);
        assert_eq!((c.share, c.longest_run, c.ngrams), (1.0, 10, 3));
    }

    #[test]
    fn one_word_edit_in_a_copy() {
        let mut rng = Rng(5);
        let v = vocab(&mut rng, 20_000);
        let train = docs(&mut rng, &v, 20, 150);
        let mut test = train[11][..120].to_vec();
        test[60] = "zzzzzzzzzzzz";
        let index = marked(&train, std::slice::from_ref(&test), 13, 8);
        let c = index.check(&test);
        assert!(c.any_ngram);
        assert_eq!(c.ngrams, 113);
        assert!((c.share - 105.0 / 113.0).abs() < 1e-12, "{}", c.share);
        assert_eq!(c.longest_run, 60);
    }

    #[test]
    fn unmarked_index_finds_nothing_and_marking_is_cumulative() {
        let train = vec![vec!["a", "b", "c"], vec!["x", "y", "z"]];
        let tests = vec![vec!["a", "b", "c"], vec!["x", "y", "z"]];
        let index = NgramIndex::build(&tests, 13, 8);
        assert!(!index.check(&tests[0]).any_ngram);
        index.mark_all(&train[..1]);
        assert!(index.check(&tests[0]).any_ngram && !index.check(&tests[1]).any_ngram);
        index.mark_all(&train[1..]);
        assert!(index.check(&tests[1]).any_ngram);
    }

    #[test]
    fn empty_inputs_do_not_panic() {
        let none: Vec<Vec<&str>> = Vec::new();
        let index = marked(&none, &none, 13, 8);
        let zero = Contamination { any_ngram: false, share: 0.0, longest_run: 0, ngrams: 0 };
        assert_eq!(index.check::<&str>(&[]), zero);
        assert!(!index.check(&["a", "b"]).any_ngram);
        assert!(index.check_all(&none).is_empty());

        let train = vec![vec![], vec!["x"], vec![""], vec!["a"; 20]];
        let tests = vec![vec![], vec!["x"], vec![""], vec!["a"; 25]];
        for (na, ns) in [(0, 0), (1, 1), (13, 8), (8, 13), (100, 100)] {
            let index = marked(&train, &tests, na, ns);
            assert_eq!(index.check::<&str>(&[]), zero);
            assert!(index.check(&["x"]).any_ngram);
            assert!(index.check(&[""]).any_ngram);
            assert!(index.check(&vec!["a"; 25]).share > 0.0 || ns > 20);
        }
    }

    #[test]
    fn check_all_matches_check() {
        let mut rng = Rng(6);
        let v = vocab(&mut rng, 5_000);
        let train = docs(&mut rng, &v, 100, 60);
        let mut tests = docs(&mut rng, &v, 100, 40);
        for (i, t) in tests.iter_mut().enumerate().step_by(3) {
            let src = &train[i];
            t.splice(5..5, src[i % 30..i % 30 + 15].iter().copied());
        }
        let index = marked(&train, &tests, 13, 8);
        let all = index.check_all(&tests);
        let one: Vec<Contamination> = tests.iter().map(|t| index.check(t)).collect();
        assert_eq!(all, one);
        assert_eq!(all.iter().filter(|c| c.any_ngram).count(), 34);
    }

    #[test]
    fn simulation_has_no_false_positives_or_negatives() {
        let mut rng = Rng(7);
        let v = vocab(&mut rng, 30_000);
        let train: Vec<Vec<&str>> = (0..2000)
            .map(|_| {
                let len = rng.below(200);
                doc(&mut rng, &v, len)
            })
            .collect();
        let mut tests = Vec::new();
        let mut planted = Vec::new();
        for i in 0..2000 {
            let len = 1 + rng.below(150);
            let mut t = doc(&mut rng, &v, len);
            let src = &train[rng.below(train.len())];
            let plant = i % 2 == 0 && src.len() >= 13;
            if plant {
                let start = rng.below(src.len() - 12);
                let at = rng.below(t.len() + 1);
                t.splice(at..at, src[start..start + 13].iter().copied());
            }
            tests.push(t);
            planted.push(plant);
        }
        let index = marked(&train, &tests, 13, 8);
        for (i, (t, &plant)) in tests.iter().zip(&planted).enumerate() {
            let c = index.check(t);
            assert_eq!(c.any_ngram, plant, "row {i}");
            if plant {
                assert!(c.longest_run >= 13 && c.share > 0.0, "row {i}");
            } else {
                assert_eq!((c.share, c.longest_run), (0.0, 0), "row {i}");
            }
        }
        assert!(planted.iter().filter(|&&p| p).count() > 900);
    }

    /// Prints build, mark and check speed on 10k test rows against 100k train × 150 words (release only).
    #[test]
    fn timing_100k_train_docs() {
        if cfg!(debug_assertions) {
            eprintln!("ngrams timing: skipped in debug builds");
            return;
        }
        let mut rng = Rng(8);
        let v = vocab(&mut rng, 50_000);
        let train = docs(&mut rng, &v, 100_000, 150);
        let mut tests = docs(&mut rng, &v, 10_000, 150);
        for t in tests.iter_mut().step_by(10) {
            let src = &train[rng.below(train.len())];
            t.splice(50..80, src[10..40].iter().copied());
        }
        let start = Instant::now();
        let index = NgramIndex::build(&tests, 13, 8);
        let build_s = start.elapsed().as_secs_f64();
        let start = Instant::now();
        index.mark_all(&train);
        let mark_s = start.elapsed().as_secs_f64();
        let results = index.check_all(&tests);
        let grams = index.distinct_any() + index.distinct_share();
        eprintln!(
            "ngrams timing ({} threads): build from {} test docs in {:.3}s, mark {} train docs in {:.2}s \
             ({:.0} docs/s); {} distinct test n-grams, {:.1} MB, {:.2} bytes per n-gram; {} contaminated",
            rayon::current_num_threads(),
            tests.len(),
            build_s,
            train.len(),
            mark_s,
            train.len() as f64 / mark_s,
            grams,
            index.memory_bytes() as f64 / 1e6,
            index.memory_bytes() as f64 / grams as f64,
            results.iter().filter(|c| c.any_ngram).count(),
        );
        assert_eq!(results.iter().filter(|c| c.any_ngram).count(), 1000);
    }
}

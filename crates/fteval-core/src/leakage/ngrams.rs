//! N-gram contamination: whether a test row shares a word n-gram with the training text (GPT-3's
//! 13-gram test), what share of its 8-grams occur there, and the longest run they cover.
//!
//! Words are hashed once to 64 bits and every n-gram hash is rolled from the previous one in O(1);
//! the training side is kept only as sorted, deduplicated 64-bit n-gram hashes with a bucket table
//! (about 8.5–9 bytes per distinct n-gram). Matching is by hash: two different n-grams collide with
//! probability about 2^-64 per pair, so with 10^8 train n-grams and 10^8 test n-grams the expected
//! number of false matches is below 10^-3 — acceptable for a contamination report, but not a proof.

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
/// Train documents per parallel work unit when building.
const BUILD_BLOCK: usize = 512;
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
fn for_each_gram(hashes: &[u64], n: usize, mut f: impl FnMut(u64) -> bool) {
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

/// A compact set of 64-bit keys: sorted, deduplicated, with a table of bucket starts by top bits.
#[derive(Clone, Debug, Default)]
struct KeySet {
    keys: Vec<u64>,
    /// `starts[b]..starts[b + 1]` are the keys whose top `bits` bits equal `b`.
    starts: Vec<usize>,
    bits: u32,
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
        let mut starts = vec![0usize; buckets + 1];
        for &k in &keys {
            if let Some(c) = starts.get_mut(Self::bucket_of(k, bits) + 1) {
                *c += 1;
            }
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        KeySet { keys, starts, bits }
    }

    #[inline]
    fn bucket_of(key: u64, bits: u32) -> usize {
        if bits == 0 {
            0
        } else {
            (key >> (64 - bits)) as usize
        }
    }

    #[inline]
    fn contains(&self, key: u64) -> bool {
        let b = Self::bucket_of(key, self.bits);
        match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&lo), Some(&hi)) => self.keys.get(lo..hi).is_some_and(|s| s.binary_search(&key).is_ok()),
            _ => false,
        }
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn memory_bytes(&self) -> usize {
        self.keys.capacity() * std::mem::size_of::<u64>() + self.starts.capacity() * std::mem::size_of::<usize>()
    }
}

/// The training set's hashed word n-grams at two sizes, to test rows for contamination without
/// keeping the training text.
#[derive(Clone, Debug, Default)]
pub struct NgramIndex {
    n_any: usize,
    n_share: usize,
    any: KeySet,
    share: KeySet,
    train_docs: usize,
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
    /// Hashes every train document's `n_any`- and `n_share`-grams in parallel into two sets
    /// (sizes below 1 are taken as 1; documents shorter than n words give their whole text as one gram).
    ///
    /// Peak memory is one 8-byte slot per train n-gram of each size, sorted in place: the train
    /// text itself is read through the given word slices and never copied.
    pub fn build<D, W>(train: &[D], n_any: usize, n_share: usize) -> NgramIndex
    where
        D: AsRef<[W]> + Sync,
        W: AsRef<str>,
    {
        let n_any = n_any.max(1);
        let n_share = n_share.max(1);
        let blocks: Vec<&[D]> = train.chunks(BUILD_BLOCK).collect();
        let counts: Vec<(usize, usize)> = blocks
            .par_iter()
            .map(|block| {
                block.iter().fold((0, 0), |(a, s), d| {
                    let len = d.as_ref().len();
                    (a + gram_count(len, n_any), s + gram_count(len, n_share))
                })
            })
            .collect();
        let total_any: usize = counts.iter().map(|c| c.0).sum();
        let total_share: usize = counts.iter().map(|c| c.1).sum();
        let mut any_keys = vec![0u64; total_any];
        let mut share_keys = vec![0u64; total_share];
        let any_slices = split_by(&mut any_keys, counts.iter().map(|c| c.0));
        let share_slices = split_by(&mut share_keys, counts.iter().map(|c| c.1));

        blocks.par_iter().zip(any_slices).zip(share_slices).for_each(|((block, any_out), share_out)| {
            let mut hashes = Vec::new();
            let mut any_slots = any_out.iter_mut();
            let mut share_slots = share_out.iter_mut();
            for doc in block.iter() {
                hashes.clear();
                hashes.extend(doc.as_ref().iter().map(|w| word_hash(w.as_ref())));
                for_each_gram(&hashes, n_any, |k| {
                    if let Some(slot) = any_slots.next() {
                        *slot = k;
                    }
                    true
                });
                for_each_gram(&hashes, n_share, |k| {
                    if let Some(slot) = share_slots.next() {
                        *slot = k;
                    }
                    true
                });
            }
        });

        let (any, share) = rayon::join(|| KeySet::from_keys(any_keys), || KeySet::from_keys(share_keys));
        NgramIndex { n_any, n_share, any, share, train_docs: train.len() }
    }

    /// The n-gram size behind `any_ngram`.
    pub fn n_any(&self) -> usize {
        self.n_any
    }

    /// The n-gram size behind `share` and `longest_run`.
    pub fn n_share(&self) -> usize {
        self.n_share
    }

    /// Number of train documents indexed.
    pub fn train_docs(&self) -> usize {
        self.train_docs
    }

    /// Distinct train `n_any`-grams stored.
    pub fn distinct_any(&self) -> usize {
        self.any.len()
    }

    /// Distinct train `n_share`-grams stored.
    pub fn distinct_share(&self) -> usize {
        self.share.len()
    }

    /// Heap bytes held by the index, to report memory per n-gram.
    pub fn memory_bytes(&self) -> usize {
        self.any.memory_bytes() + self.share.memory_bytes()
    }

    /// Measures one test row's overlap with the training text.
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

    fn check_hashes(&self, hashes: &[u64]) -> Contamination {
        let mut any_ngram = false;
        for_each_gram(hashes, self.n_any, |k| {
            any_ngram = self.any.contains(k);
            !any_ngram
        });
        let (mut ngrams, mut matched, mut run, mut best) = (0usize, 0usize, 0usize, 0usize);
        for_each_gram(hashes, self.n_share, |k| {
            ngrams += 1;
            if self.share.contains(k) {
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

/// Splits `buf` into consecutive mutable pieces of the given lengths (short pieces if it runs out).
fn split_by(buf: &mut [u64], lens: impl Iterator<Item = usize>) -> Vec<&mut [u64]> {
    let mut rest = buf;
    let mut out = Vec::new();
    for len in lens {
        let whole = std::mem::take(&mut rest);
        let (head, tail) = whole.split_at_mut(len.min(whole.len()));
        out.push(head);
        rest = tail;
    }
    out
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
        let index = NgramIndex::build(&train, DEFAULT_N_ANY, DEFAULT_N_SHARE);
        let mut test = doc(&mut rng, &v, 50);
        test.extend_from_slice(&train[7][40..70]);
        test.extend(doc(&mut rng, &v, 50));
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
        let index = NgramIndex::build(&train, DEFAULT_N_ANY, DEFAULT_N_SHARE);
        for t in docs(&mut rng, &v, 200, 100) {
            let c = index.check(&t);
            assert_eq!(c, Contamination { any_ngram: false, share: 0.0, longest_run: 0, ngrams: 93 });
        }
    }

    #[test]
    fn short_rows_match_equal_short_train_rows() {
        let train = vec![
            vec!["the", "cat", "sat", "on", "the", "mat"],
            "a long document whose words go on and on for more than thirteen words in total".split(' ').collect(),
        ];
        let index = NgramIndex::build(&train, 13, 8);
        let c = index.check(&["the", "cat", "sat", "on", "the", "mat"]);
        assert_eq!(c, Contamination { any_ngram: true, share: 1.0, longest_run: 6, ngrams: 1 });
        // A prefix of a short train row, or a different short row, is not the same gram.
        assert!(!index.check(&["the", "cat", "sat", "on", "the"]).any_ngram);
        assert!(!index.check(&["the", "dog", "sat", "on", "the", "mat"]).any_ngram);
        // A 10-word piece of a long train row: no 13-gram, but its 8-grams all occur.
        let piece = &train[1][2..12];
        let c = index.check(piece);
        assert!(!c.any_ngram);
        assert_eq!((c.share, c.longest_run, c.ngrams), (1.0, 10, 3));
    }

    #[test]
    fn one_word_edit_in_a_copy() {
        let mut rng = Rng(5);
        let v = vocab(&mut rng, 20_000);
        let train = docs(&mut rng, &v, 20, 150);
        let index = NgramIndex::build(&train, 13, 8);
        let mut test = train[11][..120].to_vec();
        test[60] = "zzzzzzzzzzzz";
        let c = index.check(&test);
        assert!(c.any_ngram);
        assert_eq!(c.ngrams, 113);
        assert!((c.share - 105.0 / 113.0).abs() < 1e-12, "{}", c.share);
        assert_eq!(c.longest_run, 60);
    }

    #[test]
    fn empty_inputs_do_not_panic() {
        let none: Vec<Vec<&str>> = Vec::new();
        let index = NgramIndex::build(&none, 13, 8);
        let zero = Contamination { any_ngram: false, share: 0.0, longest_run: 0, ngrams: 0 };
        assert_eq!(index.check::<&str>(&[]), zero);
        assert!(!index.check(&["a", "b"]).any_ngram);
        assert!(index.check_all(&none).is_empty());

        let train = vec![vec![], vec!["x"], vec![""], vec!["a"; 20]];
        for (na, ns) in [(0, 0), (1, 1), (13, 8), (8, 13), (100, 100)] {
            let index = NgramIndex::build(&train, na, ns);
            assert_eq!(index.check::<&str>(&[]), zero);
            assert!(index.check(&["x"]).any_ngram);
            assert!(index.check(&[""]).any_ngram);
            assert!(index.check(&vec!["a"; 25]).share > 0.0 || ns > 25);
        }
    }

    #[test]
    fn check_all_matches_check() {
        let mut rng = Rng(6);
        let v = vocab(&mut rng, 5_000);
        let train = docs(&mut rng, &v, 100, 60);
        let index = NgramIndex::build(&train, 13, 8);
        let mut tests = docs(&mut rng, &v, 100, 40);
        for (i, t) in tests.iter_mut().enumerate().step_by(3) {
            let src = &train[i];
            t.splice(5..5, src[i % 30..i % 30 + 15].iter().copied());
        }
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
        let index = NgramIndex::build(&train, 13, 8);
        let mut planted = 0;
        for i in 0..2000 {
            let len = 1 + rng.below(150);
            let mut t = doc(&mut rng, &v, len);
            let src = &train[rng.below(train.len())];
            let plant = i % 2 == 0 && src.len() >= 13;
            if plant {
                let start = rng.below(src.len() - 12);
                let at = rng.below(t.len() + 1);
                t.splice(at..at, src[start..start + 13].iter().copied());
                planted += 1;
            }
            let c = index.check(&t);
            assert_eq!(c.any_ngram, plant, "row {i}");
            if plant {
                assert!(c.longest_run >= 13 && c.share > 0.0, "row {i}");
            } else {
                assert_eq!((c.share, c.longest_run), (0.0, 0), "row {i}");
            }
        }
        assert!(planted > 900);
    }

    /// Prints build and check speed on 100k train × 150 words and 10k test rows (release only).
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
        let index = NgramIndex::build(&train, 13, 8);
        let build_s = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let results = index.check_all(&tests);
        let check_s = start.elapsed().as_secs_f64();
        let grams = index.distinct_any() + index.distinct_share();
        eprintln!(
            "ngrams timing ({} threads): build {} docs in {:.2}s ({:.0} docs/s), check {} docs in \
             {:.3}s ({:.0} docs/s); {} distinct n-grams, {:.1} MB, {:.2} bytes per n-gram; {} contaminated",
            rayon::current_num_threads(),
            train.len(),
            build_s,
            train.len() as f64 / build_s,
            tests.len(),
            check_s,
            tests.len() as f64 / check_s,
            grams,
            index.memory_bytes() as f64 / 1e6,
            index.memory_bytes() as f64 / grams as f64,
            results.iter().filter(|c| c.any_ngram).count(),
        );
        assert_eq!(results.iter().filter(|c| c.any_ngram).count(), 1000);
        // The same checks against a cache-sized index separate hashing cost from memory latency.
        let small = NgramIndex::build(&train[..1000], 13, 8);
        let start = Instant::now();
        let small_results = small.check_all(&tests);
        let small_s = start.elapsed().as_secs_f64();
        eprintln!(
            "ngrams timing: check {} docs against a 1000-doc index in {:.3}s ({:.0} docs/s, {} contaminated)",
            tests.len(),
            small_s,
            tests.len() as f64 / small_s,
            small_results.iter().filter(|c| c.any_ngram).count(),
        );
    }
}

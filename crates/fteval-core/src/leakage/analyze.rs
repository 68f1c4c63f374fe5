//! The whole leakage check of a test split against a training split: exact copies after
//! normalisation, near duplicates (MinHash + LSH candidates, verified by exact Jaccard on the
//! shingle sets, so no false flag survives), n-gram contamination, and label conflicts.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;

use super::exact::{differ, text_hash, TrainCopies};
use super::features::{jaccard, RowFeatures};
use super::lsh::{choose_bands, Buckets, LshIndex};
use super::minhash::{estimate_jaccard, MinHasher, Scheme};
use super::ngrams::{word_hash, Contamination, NgramIndex};
use super::normalize::{normalize, Normalize};
use super::within_split::{split_duplicates, SplitDuplicates, SplitRows};

/// Bytes the MinHash index may take: the test rows' signatures (`4 · num_perm` bytes each)
/// and every row's band keys (`8 · bands` bytes each). 1 GiB holds the default 128
/// permutations for 2M test rows; `--num-perm 65536` (the flag's maximum) is refused above
/// about 4000 test rows instead of failing to allocate.
pub const MAX_INDEX_BYTES: u64 = 1 << 30;

/// Candidate test texts verified per training row at most (see [`Buckets::candidates`]): a
/// bucket of more distinct near copies than this is read in windows that move from row to row,
/// so every member is still checked against some training rows, and the check says so.
pub const MAX_CANDIDATES: usize = 64;

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

impl LeakageOptions {
    /// Bytes of the MinHash index for `test_rows` and `train_rows`: signatures of the test
    /// rows and band keys of every row ([`MAX_INDEX_BYTES`] bounds it).
    pub fn index_bytes(&self, test_rows: usize, train_rows: usize) -> u64 {
        let (bands, _) = choose_bands(self.num_perm, self.threshold);
        let sigs = (test_rows as u64).saturating_mul(4 * self.num_perm as u64);
        let keys = ((test_rows + train_rows) as u64).saturating_mul(8 * bands as u64);
        sigs.saturating_add(keys)
    }

    /// Refuses settings whose index would take more than [`MAX_INDEX_BYTES`] on these splits,
    /// naming the sizes, before anything is allocated.
    pub fn validate(&self, test_rows: usize, train_rows: usize) -> Result<(), String> {
        let bytes = self.index_bytes(test_rows, train_rows);
        if bytes > MAX_INDEX_BYTES {
            return Err(format!(
                "{} permutations on {test_rows} test and {train_rows} training rows need {} MiB of MinHash signatures and band keys, above the {} MiB allowed",
                self.num_perm,
                bytes >> 20,
                MAX_INDEX_BYTES >> 20
            ));
        }
        Ok(())
    }
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
    /// Training rows whose LSH candidates were more than [`MAX_CANDIDATES`] distinct test texts,
    /// of which only that many were verified (near duplicates of other test rows may be missed).
    pub capped_train_rows: usize,
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

/// Where a long check is, for a progress display; the core stays free of terminals.
pub trait Progress: Sync {
    /// A stage of `total` rows begins.
    fn stage(&self, _name: &str, _total: usize) {}
    /// `rows` more rows of the current stage are done.
    fn advance(&self, _rows: usize) {}
}

/// No progress display.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Training rows per parallel work unit of the scan (and per progress update).
const SCAN_CHUNK: usize = 2048;

/// The test split, indexed for the scan of the training split: everything the checks keep is
/// sized by the test split, so memory stays bounded however large the training split is.
struct TestSide {
    hashes: Vec<Option<u128>>,
    /// Text hash → the first test row with that text (its representative).
    by_text: HashMap<u128, u32>,
    /// Per test row, the first test row with the same text (itself when unique or empty).
    rep: Vec<u32>,
    shingles: Vec<Vec<u64>>,
    /// Signatures, `num_perm` slots per row.
    sigs: Vec<u32>,
    band_keys: Vec<u64>,
    /// Computes band keys (nothing is inserted into it).
    lsh: LshIndex,
    /// The band buckets of the distinct test texts.
    buckets: Buckets,
    ngrams: NgramIndex,
}

/// What one chunk of training rows found.
#[derive(Default)]
struct ChunkFinds {
    /// (representative test row, train row) with equal normalised texts: one per train row.
    exact: Vec<(u32, usize)>,
    hashes: Vec<Option<u128>>,
    band_keys: Vec<u64>,
    /// Train rows whose candidates were capped.
    capped: usize,
}

/// A near-duplicate match of a test text: (Jaccard, train row, shared shingles).
type NearMatch = (f64, usize, usize);

/// Keeps the better of two matches: the higher Jaccard, then the earlier train row.
fn better(slot: &mut Option<NearMatch>, m: NearMatch) {
    if slot.is_none_or(|b| m.0 > b.0 || (m.0 == b.0 && m.1 < b.1)) {
        *slot = Some(m);
    }
}

/// One test row's text hash, word hashes, shingle hashes and signature.
type TestRow = (Option<u128>, Vec<u64>, Vec<u64>, Vec<u32>);

fn index_test(test: &mut [String], hasher: &MinHasher, opts: &LeakageOptions, bands: usize, rows: usize) -> TestSide {
    let per_row: Vec<TestRow> = test
        .par_iter_mut()
        .map_init(RowFeatures::default, |f, text| {
            *text = normalize(text, opts.normalize);
            f.compute(hasher, text, opts.shingle);
            let sig = hasher.signature(&f.shingles);
            (text_hash(text), f.words.clone(), f.shingles.clone(), sig)
        })
        .collect();
    let lsh = LshIndex::new(opts.num_perm, bands, rows);
    let mut side = TestSide {
        hashes: Vec::with_capacity(test.len()),
        by_text: HashMap::new(),
        rep: Vec::with_capacity(test.len()),
        shingles: Vec::with_capacity(test.len()),
        sigs: Vec::with_capacity(test.len() * opts.num_perm),
        band_keys: Vec::with_capacity(test.len() * lsh.bands()),
        lsh: LshIndex::new(0, 0, 0),
        buckets: Buckets::default(),
        ngrams: NgramIndex::default(),
    };
    let mut words = Vec::with_capacity(test.len());
    // Only the first row of each distinct non-empty text goes into the LSH index: copies of a
    // text have the same candidates and the same Jaccard with every train row, so a mass of
    // identical rows is one bucket entry, not a bucket that grows with the square of its size.
    let mut distinct: Vec<u32> = Vec::new();
    for (i, (hash, w, shingles, sig)) in per_row.into_iter().enumerate() {
        let rep = match hash {
            Some(h) => *side.by_text.entry(h).or_insert(i as u32),
            None => i as u32,
        };
        if hash.is_some() && rep == i as u32 {
            distinct.push(i as u32);
        }
        side.rep.push(rep);
        side.hashes.push(hash);
        words.push(w);
        side.shingles.push(shingles);
        lsh.band_keys(&sig, &mut side.band_keys);
        side.sigs.extend(sig);
    }
    let bands = lsh.bands();
    let entries: Vec<(u64, u32)> = distinct
        .iter()
        .flat_map(|&i| side.band_keys[i as usize * bands..(i as usize + 1) * bands].iter().map(move |&k| (k, i)))
        .collect();
    side.buckets = Buckets::new(entries);
    side.lsh = lsh;
    side.ngrams = NgramIndex::from_word_hashes(&words, opts.ngram, opts.share_ngram);
    side
}

/// Normalises one chunk of training rows in place and checks each against the test side;
/// near-duplicate matches are merged into `near` (per representative test row, the best).
/// A training row whose text already occurred earlier in the chunk repeats that row's band
/// keys and is not checked again: it has the same matches at a later row, which never win.
fn scan_chunk(
    chunk: &mut [String],
    first: usize,
    side: &TestSide,
    hasher: &MinHasher,
    opts: &LeakageOptions,
    f: &mut RowFeatures,
    near: &Mutex<Vec<Option<NearMatch>>>,
) -> ChunkFinds {
    let mut out = ChunkFinds { hashes: Vec::with_capacity(chunk.len()), ..Default::default() };
    let mut cands = Vec::new();
    let bands = side.lsh.bands();
    let mut keys = Vec::with_capacity(bands);
    let mut sig = vec![u32::MAX; hasher.num_perm()];
    let mut seen: HashMap<u128, usize> = HashMap::new();
    let mut found: HashMap<u32, NearMatch> = HashMap::new();
    for (offset, text) in chunk.iter_mut().enumerate() {
        let row = first + offset;
        *text = normalize(text, opts.normalize);
        let hash = text_hash(text);
        out.hashes.push(hash);
        if let Some(&t) = hash.and_then(|h| side.by_text.get(&h)) {
            out.exact.push((t, row));
        }
        if let Some(&earlier) = hash.and_then(|h| seen.get(&h)) {
            out.band_keys.extend_from_within(earlier * bands..(earlier + 1) * bands);
            continue;
        }
        if let Some(h) = hash {
            seen.insert(h, offset);
        }
        f.compute(hasher, text, opts.shingle);
        side.ngrams.mark_hashes(&f.words);
        sig.fill(u32::MAX);
        hasher.update(&mut sig, &f.shingles);
        keys.clear();
        side.lsh.band_keys(&sig, &mut keys);
        out.band_keys.extend_from_slice(&keys);
        if f.shingles.is_empty() {
            continue;
        }
        if side.buckets.candidates(&keys, row as u64, MAX_CANDIDATES, &mut cands) {
            out.capped += 1;
        }
        for &c in &cands {
            let (j, common) = jaccard(&side.shingles[c as usize], &f.shingles);
            if j >= opts.threshold {
                let mut slot = found.get(&c).copied();
                better(&mut slot, (j, row, common));
                found.insert(c, slot.expect("set above"));
            }
        }
    }
    let mut near = near.lock().unwrap_or_else(|e| e.into_inner());
    for (c, m) in found {
        better(&mut near[c as usize], m);
    }
    out
}

/// Checks `test` against `train`, normalising both in place (the texts are left normalised).
/// Labels may be empty slices (no label column).
///
/// The training split is scanned once, in parallel chunks: each row is normalised, hashed,
/// checked against the indexed test split, and only its text hash and LSH band keys are kept
/// (for duplicates within the split), so memory is the texts plus about 160 bytes per training row.
/// Settings [`LeakageOptions::validate`] refuses are an error, before anything is allocated.
pub fn find_leakage(
    train: &mut [String],
    train_labels: &[Option<&str>],
    test: &mut [String],
    test_labels: &[Option<&str>],
    opts: &LeakageOptions,
    progress: &dyn Progress,
) -> Result<Leakage, String> {
    opts.validate(test.len(), train.len())?;
    let hasher = MinHasher::new(opts.num_perm, opts.seed, opts.scheme);
    let (bands, rows) = choose_bands(opts.num_perm, opts.threshold);
    progress.stage("indexing test rows", test.len());
    let side = index_test(test, &hasher, opts, bands, rows);
    progress.advance(test.len());

    progress.stage("scanning train rows", train.len());
    let near = Mutex::new(vec![None; test.len()]);
    let finds: Vec<ChunkFinds> = train
        .par_chunks_mut(SCAN_CHUNK)
        .enumerate()
        .map_init(RowFeatures::default, |f, (c, chunk)| {
            let found = scan_chunk(chunk, c * SCAN_CHUNK, &side, &hasher, opts, f, &near);
            progress.advance(chunk.len());
            found
        })
        .collect();
    let mut train_hashes = Vec::with_capacity(train.len());
    let mut train_keys = Vec::with_capacity(train.len() * side.lsh.bands());
    // Per representative test row, the training rows with its text (in train order).
    let mut copies: HashMap<u32, TrainCopies> = HashMap::new();
    let mut capped_train_rows = 0;
    for f in finds {
        train_hashes.extend(f.hashes);
        train_keys.extend(f.band_keys);
        capped_train_rows += f.capped;
        for (t, r) in f.exact {
            copies.entry(t).or_default().push(r, train_labels.get(r).copied().flatten());
        }
    }
    let near = near.into_inner().unwrap_or_else(|e| e.into_inner());

    progress.stage("duplicates within each split", train.len() + test.len());
    let within = |texts: &[String], hashes: &[Option<u128>], keys: &[u64], labels: &[Option<&str>]| {
        let split = SplitRows { texts, hashes, band_keys: keys, bands: side.lsh.bands(), labels };
        let d = split_duplicates(&split, &hasher, opts.shingle, opts.threshold);
        progress.advance(texts.len());
        d
    };
    let train_duplicates = within(train, &train_hashes, &train_keys, train_labels);
    drop(train_keys);
    let test_duplicates = within(test, &side.hashes, &side.band_keys, test_labels);

    let mut out = Leakage {
        train_rows: train.len(),
        test_rows: test.len(),
        train_duplicates,
        test_duplicates,
        lsh: (bands, rows),
        capped_train_rows,
        ..Default::default()
    };
    let no_contamination = Contamination { any_ngram: false, share: 0.0, longest_run: 0, ngrams: 0 };
    let mut kind: Vec<Option<LeakedRow>> = vec![None; test.len()];
    let exact = (0..test.len()).filter_map(|t| {
        let copies = copies.get(&side.rep[t])?;
        copies.match_for(t, test_labels.get(t).copied().flatten())
    });
    for m in exact {
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
    // Near duplicates: per test row that is not an exact copy, the most similar train row
    // (the first in train order among equals), found for the first row with its text.
    let mut estimates: HashMap<u32, f64> = HashMap::new();
    for (t, slot) in kind.iter_mut().enumerate() {
        let rep = side.rep[t];
        let (Some((j, r, common)), None) = (near[rep as usize], &slot) else { continue };
        let num_perm = opts.num_perm;
        let estimate = *estimates.entry(rep).or_insert_with(|| {
            let sig = &side.sigs[rep as usize * num_perm..(rep as usize + 1) * num_perm];
            let mut f = RowFeatures::default();
            f.compute(&hasher, &train[r], opts.shingle);
            estimate_jaccard(sig, &hasher.signature(&f.shingles))
        });
        *slot = Some(LeakedRow {
            test: t,
            kind: LeakKind::Near,
            train: Some(r),
            jaccard: Some(j),
            estimated_jaccard: Some(estimate),
            containment: Some(common as f64 / side.shingles[t].len().max(1) as f64),
            label_conflict: differ(test_labels.get(t).copied().flatten(), train_labels.get(r).copied().flatten()),
            contamination: no_contamination.clone(),
        });
    }

    // Contamination: the test n-grams the scan marked.
    let contamination: Vec<Contamination> = test
        .par_iter()
        .map(|t| {
            let words: Vec<u64> = if t.is_empty() { Vec::new() } else { t.split(' ').map(word_hash).collect() };
            side.ngrams.check_hashes(&words)
        })
        .collect();
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
    Ok(out)
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
        let (mut train, mut test) = (train, test);
        let l =
            find_leakage(&mut train, &train_labels, &mut test, &test_labels, &LeakageOptions::default(), &NoProgress)
                .unwrap();
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

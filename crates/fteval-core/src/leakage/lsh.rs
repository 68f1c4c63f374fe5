//! LSH banding over MinHash signatures, so near-duplicate candidates are found in about
//! linear time: two documents become candidates when all `r` rows of at least one of the
//! `b` bands agree, which happens with probability `1 - (1 - s^r)^b` at Jaccard `s`.
//! Candidates are then verified by exact Jaccard elsewhere, so recall is what matters here.
//!
//! For 128 permutations and threshold 0.8, [`choose_bands`] gives b = 18 bands of r = 7
//! rows (126 of the 128 slots); a pair becomes a candidate with probability 0.132 at
//! s = 0.5, 0.787 at 0.7, 0.986 at 0.8 and 0.9990 at 0.85 (16 × 8 would give
//! 0.9938 at 0.85, short of the 0.995 target).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::minhash::{fold_mul, splitmix64};

/// The probability that a pair at Jaccard `s` shares at least one of `bands` bands of
/// `rows` rows: `1 - (1 - s^r)^b`.
pub fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    let s = s.clamp(0.0, 1.0);
    let band_match = s.powi(rows.min(i32::MAX as usize) as i32);
    1.0 - (1.0 - band_match).powi(bands.min(i32::MAX as usize) as i32)
}

/// Picks (bands, rows) with bands·rows ≤ `num_perm` favouring recall: among the layouts that
/// make a pair at `threshold + 0.05` a candidate with probability ≥ 0.995 (else ≥ 0.99,
/// else the most likely), the one with the fewest candidates at `threshold - 0.3`.
///
/// `num_perm == 0` gives (0, 0): no bands, no candidates.
pub fn choose_bands(num_perm: usize, threshold: f64) -> (usize, usize) {
    let threshold = if threshold.is_nan() { 0.0 } else { threshold };
    let (high, low) = (threshold + 0.05, threshold - 0.3);
    let layouts = || (1..=num_perm).map(|r| (num_perm / r, r));
    let best_under = |target: f64| {
        layouts().filter(|&(b, r)| candidate_probability(high, b, r) >= target).min_by(|&(b1, r1), &(b2, r2)| {
            let fp = |b, r| candidate_probability(low, b, r);
            fp(b1, r1)
                .total_cmp(&fp(b2, r2))
                .then(candidate_probability(high, b2, r2).total_cmp(&candidate_probability(high, b1, r1)))
        })
    };
    best_under(0.995)
        .or_else(|| best_under(0.99))
        .or_else(|| {
            layouts().max_by(|&(b1, r1), &(b2, r2)| {
                candidate_probability(high, b1, r1).total_cmp(&candidate_probability(high, b2, r2))
            })
        })
        .unwrap_or((0, 0))
}

/// The key of band `band` of a signature: its rows and the band number hashed to 64 bits,
/// so equal keys mean equal bands (up to 2^-64 collisions, harmless before verification).
fn band_key(band: usize, rows: &[u32]) -> u64 {
    let mut h = splitmix64(band as u64 ^ 0x243F_6A88_85A3_08D3);
    for pair in rows.chunks(2) {
        let lo = u64::from(pair[0]);
        let hi = pair.get(1).map_or(0xFFFF_FFFF_0000_0000, |&v| u64::from(v) << 32);
        h = fold_mul(h ^ lo ^ hi, 0x9E37_79B9_7F4A_7C15);
    }
    splitmix64(h)
}

/// A `Hasher` passing a u64 key through: band keys are already uniform hashes.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) ^ u64::from(byte) ^ (self.0 >> 56);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// End of a bucket's chain.
const NONE: u32 = u32::MAX;

/// An LSH index of MinHash signatures, so each document's near-duplicate candidates are
/// found by a few hash lookups instead of a scan.
///
/// Memory: per inserted document, one u32 id plus per band one u32 chain link and (for
/// each distinct band key) one map slot of 16 bytes + 1 control byte at 44–87% load:
/// about 4 + bands·(4 + 20..39) bytes, ≈ 0.45–0.75 KB at 18 bands, ≈ 0.5–0.75 GB per
/// million documents. Buckets are chains through one array, not one Vec per key.
#[derive(Debug, Clone)]
pub struct LshIndex {
    num_perm: usize,
    bands: usize,
    rows: usize,
    /// Band key → newest entry of its bucket; entry `e` is band `e % bands` of doc `e / bands`.
    heads: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    /// Per entry, the next (older) entry of the same bucket, or `NONE`.
    next: Vec<u32>,
    /// Per inserted document (in insertion order), its caller-given id.
    ids: Vec<u32>,
}

impl LshIndex {
    /// An empty index over signatures of `num_perm` slots split into `bands` bands of `rows`
    /// rows (only the bands that fit in `num_perm` slots are used).
    pub fn new(num_perm: usize, bands: usize, rows: usize) -> LshIndex {
        debug_assert!(bands * rows <= num_perm, "bands·rows exceeds num_perm");
        let bands = num_perm.checked_div(rows).map_or(0, |fit| bands.min(fit));
        LshIndex { num_perm, bands, rows, heads: HashMap::default(), next: Vec::new(), ids: Vec::new() }
    }

    /// The number of bands in use.
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// The number of rows per band.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The number of inserted signatures.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The band keys of a signature, appended to `keys`; a signature shorter than
    /// `num_perm` contributes only its complete bands.
    pub fn band_keys(&self, sig: &[u32], keys: &mut Vec<u64>) {
        debug_assert_eq!(sig.len(), self.num_perm, "signature length");
        if self.rows == 0 {
            return;
        }
        let usable = sig.chunks_exact(self.rows).take(self.bands);
        keys.extend(usable.enumerate().map(|(band, rows)| band_key(band, rows)));
    }

    /// Adds a signature under `id`, so later queries sharing a band with it return `id`.
    pub fn insert(&mut self, id: u32, sig: &[u32]) {
        let mut keys = Vec::with_capacity(self.bands);
        self.band_keys(sig, &mut keys);
        self.insert_keys(id, &keys);
    }

    /// Links one document's band keys into their buckets; missing bands (a short
    /// signature) get no entry but keep the entry layout.
    fn insert_keys(&mut self, id: u32, keys: &[u64]) {
        if self.bands == 0 {
            self.ids.push(id);
            return;
        }
        let first = self.ids.len() * self.bands;
        if first + self.bands > NONE as usize {
            debug_assert!(false, "LshIndex holds at most 2^32 band entries");
            return;
        }
        self.ids.push(id);
        for band in 0..self.bands {
            let entry = (first + band) as u32;
            let link = match keys.get(band) {
                Some(&key) => self.heads.insert(key, entry).unwrap_or(NONE),
                None => NONE,
            };
            self.next.push(link);
        }
    }

    /// Adds signatures `sigs[i]` under ids `first_id + i`, hashing bands in parallel.
    pub fn insert_all<S: AsRef<[u32]> + Sync>(&mut self, first_id: u32, sigs: &[S]) {
        let keys: Vec<Vec<u64>> = sigs
            .par_iter()
            .map(|sig| {
                let mut keys = Vec::with_capacity(self.bands);
                self.band_keys(sig.as_ref(), &mut keys);
                keys
            })
            .collect();
        self.heads.reserve(sigs.len() * self.bands);
        self.next.reserve(sigs.len() * self.bands);
        self.ids.reserve(sigs.len());
        for (i, keys) in keys.iter().enumerate() {
            self.insert_keys(first_id.wrapping_add(i as u32), keys);
        }
    }

    /// Fills `out` with the ids of inserted signatures sharing at least one band with `sig`,
    /// sorted and deduplicated (a signature inserted earlier finds itself).
    pub fn candidates(&self, sig: &[u32], out: &mut Vec<u32>) {
        let mut keys = Vec::with_capacity(self.bands);
        self.band_keys(sig, &mut keys);
        self.candidates_by_keys(&keys, out);
    }

    /// As [`LshIndex::candidates`], from the signature's [`LshIndex::band_keys`].
    pub fn candidates_by_keys(&self, keys: &[u64], out: &mut Vec<u32>) {
        out.clear();
        for key in keys {
            let mut entry = self.heads.get(key).copied().unwrap_or(NONE);
            while entry != NONE {
                let e = entry as usize;
                out.push(self.ids[e / self.bands]);
                entry = self.next[e];
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// The buckets of a fixed set of documents' band keys, each bucket one sorted slice of ids,
/// so a query can read any part of a bucket: [`Buckets::candidates`] reads a bounded window
/// of an oversized bucket, moved along by the querying row, so that many queries together
/// still cover every member while each does bounded work.
#[derive(Debug, Clone, Default)]
pub struct Buckets {
    /// Band key → (start, length) in `ids`.
    slices: HashMap<u64, (u32, u32), BuildHasherDefault<KeyHasher>>,
    ids: Vec<u32>,
}

impl Buckets {
    /// The buckets of `(band key, id)` entries (any order).
    pub fn new(mut entries: Vec<(u64, u32)>) -> Buckets {
        entries.sort_unstable();
        let mut slices = HashMap::default();
        let mut ids = Vec::with_capacity(entries.len());
        for run in entries.chunk_by(|a, b| a.0 == b.0) {
            slices.insert(run[0].0, (ids.len() as u32, run.len() as u32));
            ids.extend(run.iter().map(|e| e.1));
        }
        Buckets { slices, ids }
    }

    /// Fills `out` with the sorted, distinct ids sharing a band key with `keys`, at most `max`
    /// of them: a bucket of up to `max` ids is read whole; of a larger one, `max` consecutive
    /// ids (wrapping) from a start set by `salt`; if more than `max` remain, `max` of them from
    /// a start set by `salt`. Returns whether anything was left out. The work is O(keys · max)
    /// whatever the bucket sizes; buckets of real data hold a few ids, so nothing is left out.
    pub fn candidates(&self, keys: &[u64], salt: u64, max: usize, out: &mut Vec<u32>) -> bool {
        out.clear();
        let mut capped = false;
        let spread = |len: usize| (splitmix64(salt) % len as u64) as usize;
        for key in keys {
            let Some(&(start, len)) = self.slices.get(key) else { continue };
            let bucket = &self.ids[start as usize..(start + len) as usize];
            if bucket.len() <= max {
                out.extend_from_slice(bucket);
            } else {
                capped = true;
                let from = spread(bucket.len());
                let (tail, head) = bucket.split_at(from);
                out.extend(head.iter().chain(tail).take(max));
            }
        }
        out.sort_unstable();
        out.dedup();
        if out.len() > max {
            capped = true;
            let from = spread(out.len());
            out.rotate_left(from);
            out.truncate(max);
            out.sort_unstable();
        }
        capped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leakage::minhash::{MinHasher, Scheme};

    #[test]
    fn chosen_bands_for_128_perms_at_08() {
        let (b, r) = choose_bands(128, 0.8);
        assert_eq!((b, r), (18, 7));
        let p = |s| candidate_probability(s, b, r);
        assert!(p(0.85) >= 0.995);
        assert!((p(0.5) - 0.1317).abs() < 0.001, "{}", p(0.5));
        assert!((p(0.7) - 0.787).abs() < 0.001, "{}", p(0.7));
        assert!((p(0.8) - 0.9855).abs() < 0.001, "{}", p(0.8));
        assert!((p(0.85) - 0.9990).abs() < 0.0001, "{}", p(0.85));
    }

    #[test]
    fn choose_bands_edge_cases() {
        assert_eq!(choose_bands(0, 0.8), (0, 0));
        assert_eq!(choose_bands(1, 0.8), (1, 1));
        for (n, t) in [(128, 0.5), (64, 0.9), (256, 0.95), (16, f64::NAN), (128, 2.0), (128, -1.0)] {
            let (b, r) = choose_bands(n, t);
            assert!(b * r <= n && b >= 1 && r >= 1, "{n} {t}: {b} {r}");
        }
        // Recall first: at 0.5 the layout must still catch s = 0.55 pairs.
        let (b, r) = choose_bands(128, 0.5);
        assert!(candidate_probability(0.55, b, r) >= 0.995);
    }

    fn index_of(sigs: &[Vec<u32>], num_perm: usize, b: usize, r: usize) -> LshIndex {
        let mut index = LshIndex::new(num_perm, b, r);
        for (id, sig) in sigs.iter().enumerate() {
            index.insert(id as u32 * 10, sig);
        }
        index
    }

    #[test]
    fn identical_near_and_unrelated_signatures() {
        let m = MinHasher::new(128, 1, Scheme::Fast);
        let set = |range: std::ops::Range<u32>| -> Vec<u32> {
            let h: Vec<u64> = range.map(|i| m.base_hash(&i.to_le_bytes())).collect();
            m.signature(&h)
        };
        let sigs = vec![set(0..200), set(1000..1200), set(5000..5100)];
        let index = index_of(&sigs, 128, 18, 7);
        let mut out = Vec::new();
        index.candidates(&set(0..200), &mut out);
        assert_eq!(out, [0]);
        index.candidates(&set(2..200), &mut out); // Jaccard 0.99
        assert_eq!(out, [0]);
        index.candidates(&set(1005..1200), &mut out); // Jaccard 0.975
        assert_eq!(out, [10]);
        index.candidates(&set(9000..9300), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn insert_all_equals_insert() {
        let sigs: Vec<Vec<u32>> = (0..50u32).map(|i| (0..16).map(|k| (i / 3) * 100 + k).collect()).collect();
        let one = index_of(&sigs, 16, 4, 4);
        let mut all = LshIndex::new(16, 4, 4);
        all.insert_all(0, &sigs[..20]);
        all.insert_all(20, &sigs[20..]);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for sig in &sigs {
            one.candidates(sig, &mut a);
            all.candidates(sig, &mut b);
            let scaled: Vec<u32> = b.iter().map(|id| id * 10).collect();
            assert_eq!(a, scaled);
            assert_eq!(a.len(), 3.min(50 - (a[0] / 10) as usize));
        }
        assert_eq!(all.len(), 50);
    }

    /// Small buckets are read whole (as the chained index reads them); an oversized bucket
    /// gives each query a bounded window, and the windows of many queries cover it.
    #[test]
    fn buckets_read_small_buckets_whole_and_windows_of_large_ones() {
        let entries: Vec<(u64, u32)> =
            (0..5u32).map(|i| (7, i * 3)).chain((0..1000u32).map(|i| (9, 100 + i))).chain([(7, 1)]).collect();
        let b = Buckets::new(entries);
        let mut out = Vec::new();
        assert!(!b.candidates(&[7, 8], 1, 64, &mut out));
        assert_eq!(out, [0, 1, 3, 6, 9, 12]);
        let mut covered = std::collections::HashSet::new();
        for salt in 0..200 {
            assert!(b.candidates(&[9, 7], salt, 64, &mut out));
            assert_eq!(out.len(), 64);
            assert!(out.windows(2).all(|w| w[0] < w[1]));
            covered.extend(out.iter().copied().filter(|&id| id >= 100));
        }
        assert_eq!(covered.len(), 1000, "200 windows of 64 cover the bucket");
    }

    #[test]
    fn degenerate_shapes_do_not_panic() {
        let mut out = vec![7];
        for (n, b, r) in [(0, 0, 0), (1, 1, 1), (4, 0, 3), (4, 2, 0), (4, 4, 1)] {
            let mut index = LshIndex::new(n, b, r);
            let sig = vec![5u32; n];
            index.insert(1, &sig);
            index.insert_all(2, &[sig.clone()]);
            index.candidates(&sig, &mut out);
            assert!(out.is_empty() || out == [1, 2], "{n} {b} {r}: {out:?}");
        }
        let mut index = LshIndex::new(1, 1, 1);
        index.insert(3, &[9]);
        index.candidates(&[9], &mut out);
        assert_eq!(out, [3]);
    }

    #[test]
    fn recall_at_085_with_fast_scheme() {
        let m = MinHasher::new(128, 11, Scheme::Fast);
        let (b, r) = choose_bands(128, 0.8);
        let mut index = LshIndex::new(128, b, r);
        let pairs = 2000u32;
        let mut queries = Vec::new();
        // Sets of 200 shingles sharing 184 of 216: Jaccard 184/216 ≈ 0.852.
        for p in 0..pairs {
            let shingle = |i: u32| m.base_hash(format!("pair {p} shingle {i}").as_bytes());
            let a: Vec<u64> = (0..200).map(shingle).collect();
            let b: Vec<u64> = (0..184).chain(200..216).map(shingle).collect();
            index.insert(p, &m.signature(&a));
            queries.push(m.signature(&b));
        }
        let mut out = Vec::new();
        let mut found = 0;
        let mut spurious = 0;
        for (p, q) in queries.iter().enumerate() {
            index.candidates(q, &mut out);
            found += usize::from(out.contains(&(p as u32)));
            spurious += out.iter().filter(|&&id| id != p as u32).count();
        }
        assert!(found as f64 >= 0.99 * pairs as f64, "found {found} of {pairs}");
        assert!(spurious < 20, "{spurious} unrelated candidates");
    }
}

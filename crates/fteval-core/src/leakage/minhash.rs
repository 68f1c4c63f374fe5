//! MinHash signatures of shingle sets, so near-duplicate documents can be found without
//! comparing every pair: the fraction of equal signature slots estimates the Jaccard
//! similarity of the two sets.
//!
//! Two schemes: [`Scheme::Datasketch`] reproduces datasketch 2.0's default MinHash
//! (scheme "affine32": SHA-1 base hash, MurmurHash3 fmix32 pre-mix, permutations
//! `a·h + b mod 2^32` drawn from numpy's `RandomState(seed)`) bit for bit, so signatures
//! can be checked against or exchanged with Python; [`Scheme::Fast`] uses a 64-bit
//! multiply-mix byte hash and 64-bit affine permutations keeping the high 32 bits, for speed.

use sha1::{Digest, Sha1};

/// Which base hash and permutation family a [`MinHasher`] uses; signatures of different
/// schemes (or seeds) are not comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Bit-for-bit datasketch 2.0 `MinHash(num_perm, seed)` (scheme "affine32").
    Datasketch,
    /// A fast 64-bit byte hash with 64-bit affine permutations (high 32 bits kept).
    Fast,
}

/// A fixed family of `num_perm` hash permutations that turns a set of shingle hashes into a
/// MinHash signature.
#[derive(Debug, Clone)]
pub struct MinHasher {
    scheme: Scheme,
    seed: u64,
    perms: Perms,
}

/// Permutation parameters, per scheme: `a` is always odd so each map is a bijection.
#[derive(Debug, Clone)]
enum Perms {
    /// `a·h + b mod 2^32` (datasketch "affine32").
    Affine32 { a: Vec<u32>, b: Vec<u32> },
    /// `(a·h + b mod 2^64) >> 32`.
    Affine64High { a: Vec<u64>, b: Vec<u64> },
}

impl MinHasher {
    /// Draws the `num_perm` permutations of `scheme` from `seed`, deterministically.
    ///
    /// For [`Scheme::Datasketch`] numpy only accepts seeds up to `u32::MAX`; larger seeds
    /// seed MT19937 from the two 32-bit halves `[low, high]`, as `RandomState([low, high])`.
    pub fn new(num_perm: usize, seed: u64, scheme: Scheme) -> MinHasher {
        let perms = match scheme {
            Scheme::Datasketch => datasketch_permutations(num_perm, seed),
            Scheme::Fast => fast_permutations(num_perm, seed),
        };
        MinHasher { scheme, seed, perms }
    }

    /// The number of permutations, i.e. the signature length.
    pub fn num_perm(&self) -> usize {
        match &self.perms {
            Perms::Affine32 { a, .. } => a.len(),
            Perms::Affine64High { a, .. } => a.len(),
        }
    }

    /// The scheme these permutations belong to.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The hash of one shingle that [`MinHasher::signature`] permutes; computed once per
    /// shingle so callers can hash, deduplicate and cache shingles as plain integers.
    ///
    /// Datasketch: `fmix32(first 4 bytes of SHA-1, little endian)` (the pre-mix datasketch
    /// applies before permuting, folded in here), widened to u64. Fast: a 64-bit hash.
    pub fn base_hash(&self, shingle: &[u8]) -> u64 {
        match self.scheme {
            Scheme::Datasketch => u64::from(fmix32(sha1_hash32(shingle))),
            Scheme::Fast => bytes_hash64(shingle, self.seed),
        }
    }

    /// The base hash of a shingle given by the rolled hash of its words (see
    /// [`super::features`]): the Fast scheme hashes shingles through their words so each word's
    /// bytes are read once, not once per shingle it is in. Seed-dependent like [`MinHasher::base_hash`].
    pub fn gram_base_hash(&self, gram: u64) -> u64 {
        splitmix64(gram ^ self.seed.wrapping_mul(K1) ^ K2)
    }

    /// The MinHash signature of a set given by its base hashes (duplicates are harmless);
    /// an empty set gives all `u32::MAX`, the initial value of both schemes.
    pub fn signature(&self, base_hashes: &[u64]) -> Vec<u32> {
        let mut sig = vec![u32::MAX; self.num_perm()];
        self.update(&mut sig, base_hashes);
        sig
    }

    /// Lowers `sig` (a signature of this hasher) by more base hashes: the signature of the
    /// union, without allocating.
    pub fn update(&self, sig: &mut [u32], base_hashes: &[u64]) {
        debug_assert_eq!(sig.len(), self.num_perm());
        match &self.perms {
            Perms::Affine32 { a, b } => update_affine32(sig, a, b, base_hashes),
            Perms::Affine64High { a, b } => update_affine64_high(sig, a, b, base_hashes),
        }
    }

    /// The permutation parameters `(a, b)` of the Datasketch scheme (None for Fast), to
    /// compare with datasketch's `MinHash.permutations`.
    pub fn datasketch_permutations(&self) -> Option<(&[u32], &[u32])> {
        match &self.perms {
            Perms::Affine32 { a, b } => Some((a, b)),
            Perms::Affine64High { .. } => None,
        }
    }
}

/// The fraction of equal slots of two signatures, the MinHash estimate of the Jaccard
/// similarity of their sets (0 for empty signatures).
///
/// Precondition: both come from the same [`MinHasher`] (same length); otherwise only the
/// common prefix is compared.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / n as f64
}

/// Shingle-outer, permutation-inner, four shingles per pass: the signature stays in L1,
/// the inner loop vectorises, and each slot is loaded and stored once per four shingles
/// (measured faster than permutation-outer and than one shingle per pass, see
/// `bench_signature`).
fn update_affine32(sig: &mut [u32], a: &[u32], b: &[u32], base_hashes: &[u64]) {
    let n = sig.len().min(a.len()).min(b.len());
    let (sig, a, b) = (&mut sig[..n], &a[..n], &b[..n]);
    let mut quads = base_hashes.chunks_exact(4);
    for q in &mut quads {
        let (h0, h1, h2, h3) = (q[0] as u32, q[1] as u32, q[2] as u32, q[3] as u32);
        for ((s, &a), &b) in sig.iter_mut().zip(a).zip(b) {
            let p0 = a.wrapping_mul(h0).wrapping_add(b);
            let p1 = a.wrapping_mul(h1).wrapping_add(b);
            let p2 = a.wrapping_mul(h2).wrapping_add(b);
            let p3 = a.wrapping_mul(h3).wrapping_add(b);
            *s = (*s).min(p0.min(p1)).min(p2.min(p3));
        }
    }
    for &h in quads.remainder() {
        let h = h as u32;
        for ((s, &a), &b) in sig.iter_mut().zip(a).zip(b) {
            *s = (*s).min(a.wrapping_mul(h).wrapping_add(b));
        }
    }
}

/// As [`update_affine32`], with 64-bit arithmetic keeping the well-mixed high half.
fn update_affine64_high(sig: &mut [u32], a: &[u64], b: &[u64], base_hashes: &[u64]) {
    let n = sig.len().min(a.len()).min(b.len());
    let (sig, a, b) = (&mut sig[..n], &a[..n], &b[..n]);
    let high = |a: u64, h: u64, b: u64| (a.wrapping_mul(h).wrapping_add(b) >> 32) as u32;
    let mut quads = base_hashes.chunks_exact(4);
    for q in &mut quads {
        for ((s, &a), &b) in sig.iter_mut().zip(a).zip(b) {
            let (p0, p1) = (high(a, q[0], b), high(a, q[1], b));
            let (p2, p3) = (high(a, q[2], b), high(a, q[3], b));
            *s = (*s).min(p0.min(p1)).min(p2.min(p3));
        }
    }
    for &h in quads.remainder() {
        for ((s, &a), &b) in sig.iter_mut().zip(a).zip(b) {
            *s = (*s).min(high(a, h, b));
        }
    }
}

/// datasketch's `sha1_hash32`: the first four bytes of the SHA-1 digest, little endian.
fn sha1_hash32(data: &[u8]) -> u32 {
    let digest = Sha1::digest(data);
    u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// MurmurHash3's 32-bit finaliser, the bijective pre-mix of datasketch's affine32 scheme.
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// datasketch's `_init_permutations` for affine32: numpy `RandomState(seed)`, then
/// `a = randint(0, 2^31, n, uint32)·2 + 1` and `b = randint(0, 2^32, n, uint32)`.
fn datasketch_permutations(num_perm: usize, seed: u64) -> Perms {
    let mut rng = match u32::try_from(seed) {
        Ok(seed) => Mt19937::new(seed),
        Err(_) => Mt19937::from_key(&[seed as u32, (seed >> 32) as u32]),
    };
    let a = (0..num_perm).map(|_| randint_u32(&mut rng, 1 << 31).wrapping_mul(2).wrapping_add(1)).collect();
    let b = (0..num_perm).map(|_| randint_u32(&mut rng, u64::from(u32::MAX) + 1)).collect();
    Perms::Affine32 { a, b }
}

/// numpy legacy `RandomState.randint(0, high, dtype=uint32)` for one value: the full
/// 32-bit draw when the range is 2^32, else masked rejection sampling.
fn randint_u32(rng: &mut Mt19937, high: u64) -> u32 {
    let max = high.saturating_sub(1).min(u64::from(u32::MAX)) as u32;
    if max == u32::MAX {
        return rng.next_u32();
    }
    if max == 0 {
        return 0;
    }
    let mask = u32::MAX >> max.leading_zeros();
    loop {
        let x = rng.next_u32() & mask;
        if x <= max {
            return x;
        }
    }
}

/// The Fast scheme's permutations: odd `a` and any `b`, from a splitmix64 stream.
fn fast_permutations(num_perm: usize, seed: u64) -> Perms {
    let mut state = seed ^ 0x6A09_E667_F3BC_C909;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(state)
    };
    let a = (0..num_perm).map(|_| next() | 1).collect();
    let b = (0..num_perm).map(|_| next()).collect();
    Perms::Affine64High { a, b }
}

/// The splitmix64 finaliser: a strong 64-bit bijective mix.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 128-bit product folded to 64 bits (low xor high): a fast, well-spreading mix step.
pub(crate) fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

const K0: u64 = 0xA076_1D64_78BD_642F;
const K1: u64 = 0xE703_7ED1_A0B4_28DB;
const K2: u64 = 0x8EBC_6AF0_9C88_C6E3;

/// The Fast scheme's byte hash: 8-byte words folded in by multiply-fold steps, the length
/// and seed mixed in first, a splitmix64 finish.
pub(crate) fn bytes_hash64(data: &[u8], seed: u64) -> u64 {
    let mut h = fold_mul(seed ^ K0, (data.len() as u64) ^ K1);
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        h = fold_mul(h ^ word, K1);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        h = fold_mul(h ^ u64::from_le_bytes(tail), K2);
    }
    splitmix64(h)
}

/// MT19937 as numpy's legacy `RandomState` runs it (32-bit output `genrand_int32`).
struct Mt19937 {
    state: [u32; 624],
    index: usize,
}

impl Mt19937 {
    /// `init_genrand(seed)`: numpy's `RandomState(seed)` for an integer seed.
    fn new(seed: u32) -> Mt19937 {
        let mut state = [0u32; 624];
        state[0] = seed;
        for i in 1..624 {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        Mt19937 { state, index: 624 }
    }

    /// `init_by_array(key)`: numpy's `RandomState(array_of_uint32)`.
    fn from_key(key: &[u32]) -> Mt19937 {
        let mut mt = Mt19937::new(19_650_218);
        let s = &mut mt.state;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..624.max(key.len()) {
            let prev = s[i - 1];
            s[i] = (s[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key.get(j).copied().unwrap_or(0))
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= 624 {
                s[0] = s[623];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..623 {
            let prev = s[i - 1];
            s[i] = (s[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= 624 {
                s[0] = s[623];
                i = 1;
            }
        }
        s[0] = 0x8000_0000;
        mt
    }

    /// The next tempered 32-bit output.
    fn next_u32(&mut self) -> u32 {
        if self.index >= 624 {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C_5680;
        y ^= (y << 15) & 0xEFC6_0000;
        y ^ (y >> 18)
    }

    /// Regenerates the 624-word state.
    fn twist(&mut self) {
        for i in 0..624 {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % 624] & 0x7FFF_FFFF);
            let mag = if y & 1 == 1 { 0x9908_B0DF } else { 0 };
            self.state[i] = self.state[(i + 397) % 624] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasketch_seed1_four_permutations() {
        let m = MinHasher::new(4, 1, Scheme::Datasketch);
        let (a, b) = m.datasketch_permutations().unwrap();
        assert_eq!(a, [3582191691, 4270784983, 1892572953, 3715639441]);
        assert_eq!(b, [491263, 550290313, 1298508491, 4290846341]);
        let sig = m.signature(&[m.base_hash(b"hello")]);
        assert_eq!(sig, [625790555, 194865109, 3904131391, 1324736089]);
    }

    #[test]
    fn mt19937_matches_reference_outputs() {
        // numpy: np.random.RandomState(5489).randint(0, 2**32, 3, dtype=np.uint32)
        let mut mt = Mt19937::new(5489);
        assert_eq!([mt.next_u32(), mt.next_u32(), mt.next_u32()], [3499211612, 581869302, 3890346734]);
        // The reference mt19937ar.c init_by_array({0x123, 0x234, 0x345, 0x456}) output.
        let mut mt = Mt19937::from_key(&[0x123, 0x234, 0x345, 0x456]);
        assert_eq!([mt.next_u32(), mt.next_u32()], [1067595299, 955945823]);
    }

    #[test]
    fn empty_set_gives_initial_values() {
        for scheme in [Scheme::Datasketch, Scheme::Fast] {
            let m = MinHasher::new(7, 3, scheme);
            assert_eq!(m.signature(&[]), vec![u32::MAX; 7]);
            assert_eq!(m.num_perm(), 7);
        }
        let m = MinHasher::new(0, 3, Scheme::Fast);
        assert!(m.signature(&[1, 2, 3]).is_empty());
        assert_eq!(estimate_jaccard(&[], &[]), 0.0);
    }

    #[test]
    fn signature_is_set_semantics() {
        for scheme in [Scheme::Datasketch, Scheme::Fast] {
            let m = MinHasher::new(32, 9, scheme);
            let h: Vec<u64> = ["a", "b", "c"].iter().map(|s| m.base_hash(s.as_bytes())).collect();
            let dup = [h[2], h[0], h[1], h[0], h[2]];
            assert_eq!(m.signature(&h), m.signature(&dup));
            let mut sig = m.signature(&h[..1]);
            m.update(&mut sig, &h[1..]);
            assert_eq!(sig, m.signature(&h));
            assert_eq!(estimate_jaccard(&sig, &m.signature(&dup)), 1.0);
        }
    }

    #[test]
    fn fast_hash_depends_on_every_byte_and_length() {
        let m = MinHasher::new(1, 0, Scheme::Fast);
        let inputs: [&[u8]; 6] = [b"", b"\0", b"\0\0", b"abcdefgh", b"abcdefgh\0", b"abcdefgi"];
        let hashes: Vec<u64> = inputs.iter().map(|s| m.base_hash(s)).collect();
        for i in 0..hashes.len() {
            for j in 0..i {
                assert_ne!(hashes[i], hashes[j], "{:?} vs {:?}", inputs[i], inputs[j]);
            }
        }
        assert_ne!(MinHasher::new(1, 1, Scheme::Fast).base_hash(b"x"), m.base_hash(b"x"));
    }

    /// Sets of `union` random hashes sharing `shared` of them: Jaccard = shared / union.
    fn synthetic_pair(rng: &mut u64, union: usize, shared: usize) -> (Vec<u64>, Vec<u64>) {
        let mut next = || {
            *rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
            splitmix64(*rng)
        };
        let common: Vec<u64> = (0..shared).map(|_| next()).collect();
        let only = union - shared;
        let mut a = common.clone();
        let mut b = common;
        a.extend((0..only / 2).map(|_| next()));
        b.extend((0..only - only / 2).map(|_| next()));
        (a, b)
    }

    #[test]
    fn fast_estimates_are_unbiased() {
        let m = MinHasher::new(128, 7, Scheme::Fast);
        let mut rng = 12345u64;
        for (union, shared) in [(200, 60), (200, 100), (150, 120), (200, 190)] {
            let truth = shared as f64 / union as f64;
            let trials = 400;
            let mut total = 0.0;
            for _ in 0..trials {
                let (a, b) = synthetic_pair(&mut rng, union, shared);
                total += estimate_jaccard(&m.signature(&a), &m.signature(&b));
            }
            let mean = total / trials as f64;
            assert!((mean - truth).abs() < 0.02, "J={truth}: mean estimate {mean}");
        }
    }

    #[test]
    fn fast_estimates_on_real_shingles_are_unbiased() {
        // Base hashes from the byte hash itself (sequential, structured shingles).
        let m = MinHasher::new(128, 1, Scheme::Fast);
        let mut total = 0.0;
        let trials = 200;
        for t in 0..trials {
            let a: Vec<u64> = (0..100).map(|i| m.base_hash(format!("doc {t} word {i}").as_bytes())).collect();
            let b: Vec<u64> = (50..150).map(|i| m.base_hash(format!("doc {t} word {i}").as_bytes())).collect();
            total += estimate_jaccard(&m.signature(&a), &m.signature(&b));
        }
        let mean = total / trials as f64;
        assert!((mean - 1.0 / 3.0).abs() < 0.02, "mean estimate {mean}");
    }

    fn hex_bytes(hex: &str) -> Vec<u8> {
        (0..hex.len() / 2).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn datasketch_fixture_reproduced_exactly() {
        let text = include_str!("../../tests/data/leakage/datasketch_minhash.json");
        let fixture: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut checked = 0;
        for case in fixture["cases"].as_array().unwrap() {
            let shingles: Vec<Vec<u8>> =
                case["shingles_hex"].as_array().unwrap().iter().map(|h| hex_bytes(h.as_str().unwrap())).collect();
            for run in case["signatures"].as_array().unwrap() {
                let seed = run["seed"].as_u64().unwrap();
                let num_perm = run["num_perm"].as_u64().unwrap() as usize;
                let expected: Vec<u32> =
                    run["hashvalues"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
                let m = MinHasher::new(num_perm, seed, Scheme::Datasketch);
                let hashes: Vec<u64> = shingles.iter().map(|s| m.base_hash(s)).collect();
                assert_eq!(m.signature(&hashes), expected, "{} seed {seed}", case["name"]);
                checked += 1;
            }
        }
        assert!(checked >= 60, "only {checked} fixture signatures");
    }

    /// The permutation-outer loop order, kept to compare against `update_affine32`.
    fn perm_outer_affine32(a: &[u32], b: &[u32], hashes: &[u64]) -> Vec<u32> {
        a.iter()
            .zip(b)
            .map(|(&a, &b)| hashes.iter().map(|&h| a.wrapping_mul(h as u32).wrapping_add(b)).min().unwrap_or(u32::MAX))
            .collect()
    }

    /// The permutation-outer loop order for the Fast scheme.
    fn perm_outer_affine64(a: &[u64], b: &[u64], hashes: &[u64]) -> Vec<u32> {
        a.iter()
            .zip(b)
            .map(|(&a, &b)| {
                hashes.iter().map(|&h| (a.wrapping_mul(h).wrapping_add(b) >> 32) as u32).min().unwrap_or(u32::MAX)
            })
            .collect()
    }

    /// Timing, not a check: `cargo test --release -p fteval-core bench_signature -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_signature() {
        use std::hint::black_box;
        use std::time::Instant;
        let docs = 20_000;
        let per_doc = 150;
        let texts: Vec<Vec<Vec<u8>>> = (0..docs)
            .map(|d| (0..per_doc).map(|i| format!("the doc{d} has word{i} and more words").into_bytes()).collect())
            .collect();
        let units = (docs * per_doc * 128) as f64;
        for scheme in [Scheme::Datasketch, Scheme::Fast] {
            let m = MinHasher::new(128, 1, scheme);
            let start = Instant::now();
            let hashes: Vec<Vec<u64>> = texts.iter().map(|doc| doc.iter().map(|s| m.base_hash(s)).collect()).collect();
            let hash_ns = start.elapsed().as_nanos() as f64 / (docs * per_doc) as f64;
            let start = Instant::now();
            let mut check = 0u64;
            for h in &hashes {
                check += u64::from(black_box(m.signature(h))[0]);
            }
            let inner = start.elapsed().as_nanos() as f64 / units;
            let start = Instant::now();
            for h in &hashes {
                let sig = match &m.perms {
                    Perms::Affine32 { a, b } => perm_outer_affine32(a, b, h),
                    Perms::Affine64High { a, b } => perm_outer_affine64(a, b, h),
                };
                check -= u64::from(black_box(sig)[0]);
            }
            let outer = start.elapsed().as_nanos() as f64 / units;
            assert_eq!(check, 0);
            println!(
                "{scheme:?}: base hash {hash_ns:.1} ns/shingle; signature shingle-outer {inner:.3} \
                 ns/(shingle·perm), perm-outer {outer:.3} ns/(shingle·perm)"
            );
        }
    }
}

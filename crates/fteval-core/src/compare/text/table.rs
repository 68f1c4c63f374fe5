//! Per-example statistics of several systems as one dense table of columns, and the two
//! resampling kernels over it: the paired bootstrap (the same drawn examples for every system)
//! and paired approximate randomisation.
//!
//! Row i holds every system's statistics of example i side by side (system s in columns
//! `s·width..(s+1)·width`). Columns that are zero everywhere or equal to an earlier column
//! (the gold entity counts of NER, the reference n-gram counts of chrF, chrF++'s character
//! orders, which are chrF's) are stored once, so a resample adds fewer numbers. Values are f64:
//! the counts are integers far below 2⁵³, so their sums are exact.

use rayon::prelude::*;

use crate::stats::rng::Rng;

/// Resamples drawn and summed together (one pass over the table per group).
const GROUP: usize = 32;
/// Bytes of table rows a block should take (it stays in cache while a group is summed).
const BLOCK_BYTES: usize = 256 << 10;
/// Approximate-randomisation trials handled together (one pass over the table per group).
const AR_GROUP: usize = 512;

/// Columns of per-example statistics, deduplicated.
pub(crate) struct Table {
    n: usize,
    /// Columns before deduplication.
    full: usize,
    /// Stored columns.
    c: usize,
    /// Row-major n × c.
    data: Vec<f64>,
    /// Full column → stored column (None: zero everywhere).
    map: Vec<Option<usize>>,
}

/// A strong 64-bit mix (splitmix64's finaliser).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Rows handled per parallel task while building.
const BUILD_CHUNK: usize = 4096;

impl Table {
    /// The table of `n` rows of `full` columns; `fill(i, row)` writes row i (all columns; the
    /// row is zeroed first). `fill` is called twice per row (once to find the distinct columns,
    /// once to store them), so it should be cheap: copying precomputed statistics.
    pub fn new<F>(n: usize, full: usize, fill: F) -> Table
    where
        F: Fn(usize, &mut [f64]) + Sync,
    {
        // Pass 1: a per-column hash (order-dependent through the row index) and a nonzero flag.
        let (hashes, nonzero) = (0..n.div_ceil(BUILD_CHUNK))
            .into_par_iter()
            .map(|k| {
                let mut h = vec![0u64; full];
                let mut nz = vec![false; full];
                let mut row = vec![0.0; full];
                for i in k * BUILD_CHUNK..((k + 1) * BUILD_CHUNK).min(n) {
                    row.iter_mut().for_each(|x| *x = 0.0);
                    fill(i, &mut row);
                    let salt = mix(i as u64 ^ 0x5DEE_CE66_D1CE_4E5B);
                    for j in 0..full {
                        // +0.0 and −0.0 are the same value.
                        let v = row[j] + 0.0;
                        h[j] = h[j].wrapping_add(mix(v.to_bits() ^ salt));
                        nz[j] |= v != 0.0;
                    }
                }
                (h, nz)
            })
            .reduce(
                || (vec![0u64; full], vec![false; full]),
                |(mut h, mut nz), (h2, nz2)| {
                    h.iter_mut().zip(h2).for_each(|(a, b)| *a = a.wrapping_add(b));
                    nz.iter_mut().zip(nz2).for_each(|(a, b)| *a |= b);
                    (h, nz)
                },
            );
        let mut map = vec![None; full];
        let mut reps: Vec<usize> = Vec::new();
        for j in 0..full {
            if !nonzero[j] {
                continue;
            }
            match reps.iter().position(|&r| hashes[r] == hashes[j]) {
                Some(slot) => map[j] = Some(slot),
                None => {
                    map[j] = Some(reps.len());
                    reps.push(j);
                }
            }
        }
        // Pass 2: store the distinct columns, verifying the merged ones really are equal.
        if let Some(t) = Table::store(n, full, &map, &reps, &fill) {
            return t;
        }
        // A hash collision (never seen): store every nonzero column.
        let reps: Vec<usize> = (0..full).filter(|&j| nonzero[j]).collect();
        let mut map = vec![None; full];
        for (slot, &j) in reps.iter().enumerate() {
            map[j] = Some(slot);
        }
        Table::store(n, full, &map, &reps, &fill).expect("no merged columns")
    }

    fn store<F>(n: usize, full: usize, map: &[Option<usize>], reps: &[usize], fill: &F) -> Option<Table>
    where
        F: Fn(usize, &mut [f64]) + Sync,
    {
        let c = reps.len();
        let mut data = vec![0.0; n * c];
        let ok = data.par_chunks_mut((BUILD_CHUNK * c).max(1)).enumerate().all(|(k, chunk)| {
            let mut row = vec![0.0; full];
            for (r, out) in chunk.chunks_mut(c.max(1)).enumerate() {
                let i = k * BUILD_CHUNK + r;
                row.iter_mut().for_each(|x| *x = 0.0);
                fill(i, &mut row);
                for (j, m) in map.iter().enumerate() {
                    match m {
                        Some(slot) if reps[*slot] == j => out[*slot] = row[j],
                        Some(slot) if row[j] != row[reps[*slot]] => return false,
                        _ => {}
                    }
                }
            }
            true
        });
        ok.then(|| Table { n, full, c, data, map: map.to_vec() })
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// Stored columns (after deduplication).
    #[cfg(test)]
    pub fn stored_columns(&self) -> usize {
        self.c
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.c..(i + 1) * self.c]
    }

    /// Stored sums → full-width sums.
    fn expand(&self, stored: &[f64], out: &mut [f64]) {
        for (o, m) in out.iter_mut().zip(&self.map) {
            *o = m.map_or(0.0, |s| stored[s]);
        }
    }

    /// Column sums over all rows (full width).
    pub fn totals(&self) -> Vec<f64> {
        let stored = (0..self.n.div_ceil(BUILD_CHUNK))
            .into_par_iter()
            .map(|k| {
                let mut acc = vec![0.0; self.c];
                for i in k * BUILD_CHUNK..((k + 1) * BUILD_CHUNK).min(self.n) {
                    add(&mut acc, self.row(i));
                }
                acc
            })
            .reduce(
                || vec![0.0; self.c],
                |mut a, b| {
                    add(&mut a, &b);
                    a
                },
            );
        let mut out = vec![0.0; self.full];
        self.expand(&stored, &mut out);
        out
    }

    /// Rows per cache block, a power of two.
    fn block_bits(&self) -> u32 {
        let rows = (BLOCK_BYTES / (8 * self.c.max(1))).clamp(64, 1 << 14);
        usize::BITS - 1 - rows.leading_zeros()
    }

    /// Column sums (full width) of `resamples` bootstrap resamples: resample b draws n rows
    /// uniformly with replacement from stream b of `seed` (as
    /// [`bootstrap_sums`](crate::metrics::generation::resample::bootstrap_sums) draws them), and
    /// `each(b, sums)` receives its sums. Every system's columns see the same drawn rows.
    pub fn bootstrap<T, F>(&self, resamples: usize, seed: u64, each: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize, &[f64]) -> T + Sync,
    {
        let n = self.n;
        let c = self.c;
        if n == 0 {
            let zeros = vec![0.0; self.full];
            return (0..resamples).map(|b| each(b, &zeros)).collect();
        }
        assert!(n <= u32::MAX as usize, "at most 2^32 - 1 examples");
        let bits = self.block_bits();
        let n_blocks = ((n - 1) >> bits) + 1;
        let groups: Vec<Vec<T>> = (0..resamples.div_ceil(GROUP))
            .into_par_iter()
            .map(|g| {
                let members = g * GROUP..((g + 1) * GROUP).min(resamples);
                let m = members.len();
                // Each member's draws, bucketed by block (a counting sort).
                let mut sorted = vec![0u32; m * n];
                let mut starts = vec![0usize; m * (n_blocks + 1)];
                let mut drawn = vec![0u32; n];
                for (k, b) in members.clone().enumerate() {
                    let mut rng = Rng::new(seed, b as u64);
                    let st = &mut starts[k * (n_blocks + 1)..(k + 1) * (n_blocks + 1)];
                    for d in drawn.iter_mut() {
                        *d = rng.below(n as u64) as u32;
                        st[(*d >> bits) as usize + 1] += 1;
                    }
                    for j in 0..n_blocks {
                        st[j + 1] += st[j];
                    }
                    let mut fill: Vec<usize> = st[..n_blocks].to_vec();
                    let out = &mut sorted[k * n..(k + 1) * n];
                    for &d in &drawn {
                        let slot = &mut fill[(d >> bits) as usize];
                        out[*slot] = d;
                        *slot += 1;
                    }
                }
                let mut acc = vec![0.0; m * c];
                for blk in 0..n_blocks {
                    for k in 0..m {
                        let st = &starts[k * (n_blocks + 1)..];
                        let a = &mut acc[k * c..(k + 1) * c];
                        for &i in &sorted[k * n + st[blk]..k * n + st[blk + 1]] {
                            add(a, self.row(i as usize));
                        }
                    }
                }
                let mut full = vec![0.0; self.full];
                members
                    .enumerate()
                    .map(|(k, b)| {
                        self.expand(&acc[k * c..(k + 1) * c], &mut full);
                        each(b, &full)
                    })
                    .collect()
            })
            .collect();
        groups.into_iter().flatten().collect()
    }

    /// Paired approximate randomisation over a table of differences (baseline − system,
    /// per example): for each trial, the full-width sum of the rows its mask selects, passed
    /// to `each(trial, sums)`. `mask(t)` gives trial t's bits, example i in bit i % 64 of word
    /// i / 64.
    ///
    /// Examples are taken 8 at a time: the 256 subset sums of their rows are tabulated once
    /// per group of trials, and each trial adds one of them (the method of the Four Russians),
    /// instead of adding about 4 rows.
    pub fn randomisation<T, M, F>(&self, trials: usize, mask: M, each: F) -> Vec<T>
    where
        T: Send,
        M: Fn(usize) -> Vec<u64> + Sync,
        F: Fn(usize, &[f64]) -> T + Sync,
    {
        let (n, c) = (self.n, self.c);
        let words = n.div_ceil(64);
        let groups: Vec<Vec<T>> = (0..trials.div_ceil(AR_GROUP))
            .into_par_iter()
            .map(|g| {
                let members = g * AR_GROUP..((g + 1) * AR_GROUP).min(trials);
                let m = members.len();
                let masks: Vec<Vec<u64>> = members.clone().map(&mask).collect();
                assert!(masks.iter().all(|w| w.len() >= words), "one mask bit per example");
                let mut acc = vec![0.0; m * c];
                let mut table = vec![0.0; 256 * c];
                for chunk in 0..n.div_ceil(8) {
                    let rows = chunk * 8..(chunk * 8 + 8).min(n);
                    if c == 0 || rows.clone().all(|i| self.row(i).iter().all(|&x| x == 0.0)) {
                        continue;
                    }
                    for s in 1..256usize {
                        let low = s.trailing_zeros() as usize;
                        let (done, rest) = table.split_at_mut(s * c);
                        let cur = &mut rest[..c];
                        cur.copy_from_slice(&done[(s & (s - 1)) * c..(s & (s - 1)) * c + c]);
                        if rows.start + low < rows.end {
                            add(cur, self.row(rows.start + low));
                        }
                    }
                    let (word, shift) = (chunk / 8, (chunk % 8) * 8);
                    for (k, w) in masks.iter().enumerate() {
                        let byte = ((w[word] >> shift) & 0xFF) as usize;
                        if byte != 0 {
                            add(&mut acc[k * c..(k + 1) * c], &table[byte * c..(byte + 1) * c]);
                        }
                    }
                }
                let mut full = vec![0.0; self.full];
                members
                    .enumerate()
                    .map(|(k, t)| {
                        self.expand(&acc[k * c..(k + 1) * c], &mut full);
                        each(t, &full)
                    })
                    .collect()
            })
            .collect();
        groups.into_iter().flatten().collect()
    }
}

#[inline]
fn add(acc: &mut [f64], row: &[f64]) {
    for (a, x) in acc.iter_mut().zip(row) {
        *a += *x;
    }
}

/// Trial t's swap mask as [`paired_approximate_randomization`] draws it: n.div_ceil(64) words
/// from stream t of `seed`.
///
/// [`paired_approximate_randomization`]: crate::metrics::generation::significance::paired_approximate_randomization
pub(crate) fn seeded_mask(n: usize, seed: u64, t: usize) -> Vec<u64> {
    let mut rng = Rng::new(seed, t as u64);
    (0..n.div_ceil(64)).map(|_| rng.next_u64()).collect()
}

/// Boolean masks (sacreBLEU's `pos_sel`) as mask words.
pub(crate) fn mask_words(mask: &[bool]) -> Vec<u64> {
    let mut w = vec![0u64; mask.len().div_ceil(64)];
    for (i, &b) in mask.iter().enumerate() {
        if b {
            w[i / 64] |= 1 << (i % 64);
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::generation::resample::bootstrap_sums;
    use crate::metrics::generation::Sums;

    #[test]
    fn dedups_and_resamples_like_bootstrap_sums() {
        let n = 5000;
        let v = |i: usize| ((i * 7919) % 13) as f64;
        // Columns: v, zero, v again, 2v.
        let t = Table::new(n, 4, |i, row| {
            row[0] = v(i);
            row[2] = v(i);
            row[3] = 2.0 * v(i);
        });
        assert_eq!(t.stored_columns(), 2);
        let totals = t.totals();
        let want: f64 = (0..n).map(v).sum();
        assert_eq!(totals, vec![want, 0.0, want, 2.0 * want]);
        let stats: Vec<Sums<1>> = (0..n).map(|i| Sums([v(i)])).collect();
        let reference = bootstrap_sums(&stats, 70, 3);
        let got = t.bootstrap(70, 3, |_, s| s.to_vec());
        for (g, r) in got.iter().zip(&reference) {
            assert_eq!(g[0], r.0[0]);
            assert_eq!(g[2], r.0[0]);
            assert_eq!(g[3], 2.0 * r.0[0]);
            assert_eq!(g[1], 0.0);
        }
    }

    #[test]
    fn randomisation_sums_the_selected_rows() {
        for n in [1, 7, 8, 9, 130, 1000] {
            let t = Table::new(n, 2, |i, row| {
                row[0] = i as f64;
                row[1] = (i % 3) as f64 - 1.0;
            });
            let got = t.randomisation(600, |k| seeded_mask(n, 5, k), |_, s| s.to_vec());
            for (k, g) in got.iter().enumerate() {
                let w = seeded_mask(n, 5, k);
                let on = |i: usize| w[i / 64] >> (i % 64) & 1 == 1;
                let want0: f64 = (0..n).filter(|&i| on(i)).map(|i| i as f64).sum();
                let want1: f64 = (0..n).filter(|&i| on(i)).map(|i| (i % 3) as f64 - 1.0).sum();
                assert_eq!((g[0], g[1]), (want0, want1), "n {n} trial {k}");
            }
        }
    }
}

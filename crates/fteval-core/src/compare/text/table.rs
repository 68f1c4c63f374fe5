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
/// Rows per cache block (of one chunk of 8 columns: 32 KiB, the size of an L1 data cache).
const BLOCK_BITS: u32 = 9;
/// Approximate-randomisation trials handled together (one pass over the table per group).
const AR_GROUP: usize = 256;

/// Eight columns of one row, aligned to a cache line: the unit the kernels add, kept in
/// registers while a resample's or trial's rows are summed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, align(64))]
struct Chunk([f64; 8]);

impl Chunk {
    #[inline(always)]
    fn add(&mut self, o: &Chunk) {
        for k in 0..8 {
            self.0[k] += o.0[k];
        }
    }
}

/// Columns of per-example statistics, deduplicated.
pub(crate) struct Table {
    n: usize,
    /// Columns before deduplication.
    full: usize,
    /// Chunks of 8 stored columns (the last padded with zeros).
    cc: usize,
    /// Chunk-column-major: chunk j of row i at `j * n + i`.
    data: Vec<Chunk>,
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
        let cc = c.div_ceil(8);
        // Rows in chunks; each task writes its rows of every chunk column.
        let parts: Vec<Option<Vec<Chunk>>> = (0..n.div_ceil(BUILD_CHUNK))
            .into_par_iter()
            .map(|k| {
                let rows = k * BUILD_CHUNK..((k + 1) * BUILD_CHUNK).min(n);
                let mut out = vec![Chunk::default(); rows.len() * cc];
                let mut row = vec![0.0; full];
                for (r, i) in rows.clone().enumerate() {
                    row.iter_mut().for_each(|x| *x = 0.0);
                    fill(i, &mut row);
                    for (j, m) in map.iter().enumerate() {
                        match m {
                            Some(slot) if reps[*slot] == j => out[(slot / 8) * rows.len() + r].0[slot % 8] = row[j],
                            Some(slot) if row[j] != row[reps[*slot]] => return None,
                            _ => {}
                        }
                    }
                }
                Some(out)
            })
            .collect();
        let mut data = vec![Chunk::default(); n * cc];
        for (k, part) in parts.into_iter().enumerate() {
            let part = part?;
            let start = k * BUILD_CHUNK;
            let len = ((k + 1) * BUILD_CHUNK).min(n) - start;
            for j in 0..cc {
                data[j * n + start..j * n + start + len].copy_from_slice(&part[j * len..(j + 1) * len]);
            }
        }
        Some(Table { n, full, cc, data, map: map.to_vec() })
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// Stored columns (after deduplication).
    #[cfg(test)]
    pub fn stored_columns(&self) -> usize {
        self.map.iter().flatten().max().map_or(0, |m| m + 1)
    }

    /// Chunk column j.
    fn col(&self, j: usize) -> &[Chunk] {
        &self.data[j * self.n..(j + 1) * self.n]
    }

    /// Stored sums (chunks) → full-width sums.
    fn expand(&self, stored: &[Chunk], out: &mut [f64]) {
        for (o, m) in out.iter_mut().zip(&self.map) {
            *o = m.map_or(0.0, |s| stored[s / 8].0[s % 8]);
        }
    }

    /// Column sums over all rows (full width).
    pub fn totals(&self) -> Vec<f64> {
        let stored: Vec<Chunk> = (0..self.cc)
            .into_par_iter()
            .map(|j| {
                let mut acc = Chunk::default();
                for x in self.col(j) {
                    acc.add(x);
                }
                acc
            })
            .collect();
        let mut out = vec![0.0; self.full];
        self.expand(&stored, &mut out);
        out
    }

    /// Column sums (full width) of `resamples` bootstrap resamples: resample b draws n rows
    /// uniformly with replacement from stream b of `seed` (as
    /// [`bootstrap_sums`](crate::metrics::generation::resample::bootstrap_sums) draws them), and
    /// `each(b, sums)` receives its sums. Every system's columns see the same drawn rows.
    ///
    /// A group of resamples is summed block by block of rows (a block of one chunk column
    /// stays in the L1 cache), each resample's draws bucketed by block beforehand, the sums of
    /// one chunk kept in registers over a resample's draws in the block.
    pub fn bootstrap<T, F>(&self, resamples: usize, seed: u64, each: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize, &[f64]) -> T + Sync,
    {
        let (n, cc) = (self.n, self.cc);
        if n == 0 {
            let zeros = vec![0.0; self.full];
            return (0..resamples).map(|b| each(b, &zeros)).collect();
        }
        assert!(n <= u32::MAX as usize, "at most 2^32 - 1 examples");
        let n_blocks = ((n - 1) >> BLOCK_BITS) + 1;
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
                        st[(*d >> BLOCK_BITS) as usize + 1] += 1;
                    }
                    for j in 0..n_blocks {
                        st[j + 1] += st[j];
                    }
                    let mut fill: Vec<usize> = st[..n_blocks].to_vec();
                    let out = &mut sorted[k * n..(k + 1) * n];
                    for &d in &drawn {
                        let slot = &mut fill[(d >> BLOCK_BITS) as usize];
                        out[*slot] = d;
                        *slot += 1;
                    }
                }
                let mut acc = vec![Chunk::default(); m * cc];
                for blk in 0..n_blocks {
                    for j in 0..cc {
                        let col = self.col(j);
                        for k in 0..m {
                            let st = &starts[k * (n_blocks + 1)..];
                            let draws = &sorted[k * n + st[blk]..k * n + st[blk + 1]];
                            acc[k * cc + j].add(&sum_rows(col, draws));
                        }
                    }
                }
                let mut full = vec![0.0; self.full];
                members
                    .enumerate()
                    .map(|(k, b)| {
                        self.expand(&acc[k * cc..(k + 1) * cc], &mut full);
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
    /// Examples are taken 4 at a time: the 16 subset sums of their rows are tabulated once per
    /// group of trials (16 such tables per 64 examples, one mask word), and a trial adds one
    /// entry per 4 examples — the method of the Four Russians — with its sums in registers.
    pub fn randomisation<T, M, F>(&self, trials: usize, mask: M, each: F) -> Vec<T>
    where
        T: Send,
        M: Fn(usize) -> Vec<u64> + Sync,
        F: Fn(usize, &[f64]) -> T + Sync,
    {
        let (n, cc) = (self.n, self.cc);
        let words = n.div_ceil(64);
        let groups: Vec<Vec<T>> = (0..trials.div_ceil(AR_GROUP))
            .into_par_iter()
            .map(|g| {
                let members = g * AR_GROUP..((g + 1) * AR_GROUP).min(trials);
                let m = members.len();
                let masks: Vec<Vec<u64>> = members.clone().map(&mask).collect();
                assert!(masks.iter().all(|w| w.len() >= words), "one mask bit per example");
                let mut acc = vec![Chunk::default(); m * cc];
                // tables[j * 256 + q * 16 + s]: chunk j of the sum of the rows of nibble q
                // of the word selected by the bits of s.
                let mut tables = vec![Chunk::default(); cc * 256];
                for w in 0..words {
                    let rows = w * 64..(w * 64 + 64).min(n);
                    if (0..cc).all(|j| self.col(j)[rows.clone()].iter().all(|x| *x == Chunk::default())) {
                        continue;
                    }
                    for j in 0..cc {
                        let col = self.col(j);
                        let t = &mut tables[j * 256..(j + 1) * 256];
                        for q in 0..16 {
                            for s in 1..16usize {
                                let low = s.trailing_zeros() as usize;
                                let mut x = t[q * 16 + (s & (s - 1))];
                                let i = rows.start + 4 * q + low;
                                if i < rows.end {
                                    x.add(&col[i]);
                                }
                                t[q * 16 + s] = x;
                            }
                        }
                    }
                    for j in 0..cc {
                        let t = &tables[j * 256..(j + 1) * 256];
                        for (k, mk) in masks.iter().enumerate() {
                            let bits = mk[w];
                            // Four independent sums, so the additions do not wait on each other.
                            let mut r = [Chunk::default(); 4];
                            for q in (0..16).step_by(4) {
                                for (u, x) in r.iter_mut().enumerate() {
                                    x.add(&t[(q + u) * 16 + ((bits >> (4 * (q + u))) & 15) as usize]);
                                }
                            }
                            r[0].add(&{ r[1] });
                            r[2].add(&{ r[3] });
                            r[0].add(&{ r[2] });
                            acc[k * cc + j].add(&r[0]);
                        }
                    }
                }
                let mut full = vec![0.0; self.full];
                members
                    .enumerate()
                    .map(|(k, t)| {
                        self.expand(&acc[k * cc..(k + 1) * cc], &mut full);
                        each(t, &full)
                    })
                    .collect()
            })
            .collect();
        groups.into_iter().flatten().collect()
    }
}

/// The sum of the chunks of `col` at `rows`, in three independent running sums (an addition
/// takes several cycles; one running sum would make each wait on the last).
#[inline]
fn sum_rows(col: &[Chunk], rows: &[u32]) -> Chunk {
    let mut r = [Chunk::default(); 3];
    let mut it = rows.chunks_exact(3);
    for t in &mut it {
        r[0].add(&col[t[0] as usize]);
        r[1].add(&col[t[1] as usize]);
        r[2].add(&col[t[2] as usize]);
    }
    for &i in it.remainder() {
        r[0].add(&col[i as usize]);
    }
    r[0].add(&{ r[1] });
    r[0].add(&{ r[2] });
    r[0]
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

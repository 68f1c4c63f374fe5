//! Longest common subsequences of token-id sequences for ROUGE-L and ROUGE-Lsum, exact and
//! fast on any length: the bit-parallel DP of Allison–Dix / Hyyrö (64 columns of the DP table
//! per machine word, O(n·⌈m/64⌉) time), held one 64-column block at a time so that memory is
//! O(n + m + distinct ids) rather than O(n·m) — a 200 000-token example costs about a second,
//! not the 4·10^10 cell updates of the plain table.
//!
//! Row i of the DP table T (T[i][j] = LCS of `a[..i]` and `b[..j]`) is encoded as a bit vector
//! V_i over the columns: bit j is 0 exactly when T[i][j + 1] = T[i][j] + 1, so T[i][j] is the
//! number of zero bits below j. One row follows from the previous by V' = (V + (V & M)) | (V & !M),
//! M the columns where `b` holds the row's token.
//!
//! [`mark_lcs`] reads out the one LCS that rouge-score's `_backtrack_norec` reads out of its
//! full table, from checkpointed bit rows: every s-th row (s ≈ √n) is kept, and the rows of one
//! stretch of s are recomputed from its checkpoint when the backtrack reaches them, so memory is
//! O((n/s + s)·m/64) words and time about twice the forward pass.

/// Words of 64 columns needed for `m` columns.
fn words(m: usize) -> usize {
    m.div_ceil(64)
}

/// Per-token column masks of one 64-column block, built and cleared block by block so that a
/// mask table never holds more than 64 columns (dense over the ids, sparse in what is set).
struct BlockMasks {
    masks: Vec<u64>,
}

impl BlockMasks {
    fn new(n_ids: usize) -> BlockMasks {
        BlockMasks { masks: vec![0; n_ids] }
    }

    /// Sets the columns of block `w` of `b`.
    fn load(&mut self, b: &[u32], w: usize) {
        for (bit, &id) in b[w * 64..(w * 64 + 64).min(b.len())].iter().enumerate() {
            self.masks[id as usize] |= 1u64 << bit;
        }
    }

    /// Clears what [`BlockMasks::load`] set for block `w`.
    fn clear(&mut self, b: &[u32], w: usize) {
        for &id in &b[w * 64..(w * 64 + 64).min(b.len())] {
            self.masks[id as usize] = 0;
        }
    }

    fn get(&self, id: u32) -> u64 {
        self.masks.get(id as usize).copied().unwrap_or(0)
    }
}

/// One row step of one 64-column block: the new word and the carry into the next block.
#[inline(always)]
fn step(v: u64, m: u64, carry: bool) -> (u64, bool) {
    let u = v & m;
    let (s1, c1) = v.overflowing_add(u);
    let (s2, c2) = s1.overflowing_add(u64::from(carry));
    (s2 | (v & !m), c1 | c2)
}

/// The largest id in `a` or `b`, plus one.
fn id_bound(a: &[u32], b: &[u32]) -> usize {
    a.iter().chain(b).max().map_or(0, |&x| x as usize + 1)
}

/// Zero bits of the low `m` bits of `row` (m ≤ 64·row.len()).
fn zeros_below(row: &[u64], m: usize) -> usize {
    let full = m / 64;
    let mut ones: usize = row[..full].iter().map(|w| w.count_ones() as usize).sum();
    let rest = m % 64;
    if rest > 0 {
        ones += (row[full] & ((1u64 << rest) - 1)).count_ones() as usize;
    }
    m - ones
}

/// Length of the longest common subsequence of `a` and `b`.
pub fn lcs_length(a: &[u32], b: &[u32]) -> usize {
    // The longer side is the bit-packed one: fewer partly used words.
    let (a, b) = if a.len() > b.len() { (b, a) } else { (a, b) };
    if a.is_empty() {
        return 0;
    }
    let m = b.len();
    let mut masks = BlockMasks::new(id_bound(a, b));
    let mut carries = vec![false; a.len()];
    let mut lcs = 0;
    for w in 0..words(m) {
        masks.load(b, w);
        let mut v = u64::MAX;
        for (&x, carry) in a.iter().zip(carries.iter_mut()) {
            let (nv, c) = step(v, masks.get(x), *carry);
            v = nv;
            *carry = c;
        }
        masks.clear(b, w);
        let bits = (m - w * 64).min(64);
        lcs += zeros_below(&[v], bits);
    }
    lcs
}

/// Bit rows `from..=to` of the table of `a` (rows) against `b` (columns), starting from row
/// `from`'s bits `start` (W words), written row-major into `out` ((to − from + 1)·W words).
fn rows_from(a: &[u32], b: &[u32], masks: &mut BlockMasks, from: usize, to: usize, start: &[u64], out: &mut Vec<u64>) {
    let w_count = words(b.len());
    let n_rows = to - from + 1;
    out.clear();
    out.resize(n_rows * w_count, 0);
    out[..w_count].copy_from_slice(start);
    let mut carries = vec![false; n_rows];
    for w in 0..w_count {
        masks.load(b, w);
        let mut v = start[w];
        for r in 1..n_rows {
            let (nv, c) = step(v, masks.get(a[from + r - 1]), carries[r]);
            v = nv;
            carries[r] = c;
            out[r * w_count + w] = v;
        }
        masks.clear(b, w);
    }
}

/// Marks in `hit` the indices of `r` on the LCS of `r` (rows) and `c` (columns) that
/// rouge-score's backtrack reads out: from (|r|, |c|), a match first, else left when
/// T[i][j − 1] > T[i − 1][j], else up.
pub fn mark_lcs(r: &[u32], c: &[u32], hit: &mut [bool]) {
    let (n, m) = (r.len(), c.len());
    if n == 0 || m == 0 {
        return;
    }
    let w_count = words(m);
    let mut masks = BlockMasks::new(id_bound(r, c));
    let s = ((n as f64).sqrt().ceil() as usize).max(1);
    // Checkpoint rows 0, s, 2s, ... (row 0: every bit set).
    let n_checks = n / s + 1;
    let mut checks = vec![u64::MAX; n_checks * w_count];
    {
        let mut carries = vec![false; n];
        for w in 0..w_count {
            masks.load(c, w);
            let mut v = u64::MAX;
            for i in 1..=n {
                let (nv, carry) = step(v, masks.get(r[i - 1]), carries[i - 1]);
                v = nv;
                carries[i - 1] = carry;
                if i % s == 0 {
                    checks[(i / s) * w_count + w] = v;
                }
            }
            masks.clear(c, w);
        }
    }
    // The stretch of rows held: `seg_from..=seg_from + held - 1`.
    let mut seg = Vec::new();
    let mut seg_from = usize::MAX;
    let mut load = |i0: usize, seg: &mut Vec<u64>, seg_from: &mut usize| {
        if *seg_from != i0 {
            let to = (i0 + s).min(n);
            rows_from(r, c, &mut masks, i0, to, &checks[(i0 / s) * w_count..(i0 / s + 1) * w_count], seg);
            *seg_from = i0;
        }
    };
    let row = |seg_from: usize, i: usize| -> std::ops::Range<usize> {
        let k = i - seg_from;
        k * w_count..(k + 1) * w_count
    };
    let zero_at = |word_row: &[u64], p: usize| (word_row[p / 64] >> (p % 64)) & 1 == 0;
    // T at row `i` (held), column `j`.
    let t_at = |seg: &[u64], seg_from: usize, i: usize, j: usize| zeros_below(&seg[row(seg_from, i)], j);

    let (mut i, mut j) = (n, m);
    load(((i - 1) / s) * s, &mut seg, &mut seg_from);
    let mut ti = t_at(&seg, seg_from, i, j);
    let mut tu = t_at(&seg, seg_from, i - 1, j);
    while i > 0 && j > 0 {
        if r[i - 1] == c[j - 1] {
            hit[i - 1] = true;
            let z_up = zero_at(&seg[row(seg_from, i - 1)], j - 1);
            i -= 1;
            j -= 1;
            ti = tu - usize::from(z_up);
            if i == 0 || j == 0 {
                break;
            }
            load(((i - 1) / s) * s, &mut seg, &mut seg_from);
            tu = t_at(&seg, seg_from, i - 1, j);
            continue;
        }
        let left = ti - usize::from(zero_at(&seg[row(seg_from, i)], j - 1));
        if left > tu {
            let z_up = zero_at(&seg[row(seg_from, i - 1)], j - 1);
            j -= 1;
            ti = left;
            tu -= usize::from(z_up);
        } else {
            i -= 1;
            ti = tu;
            if i == 0 {
                break;
            }
            load(((i - 1) / s) * s, &mut seg, &mut seg_from);
            tu = t_at(&seg, seg_from, i - 1, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::rouge::{plain_lcs_table, plain_mark_lcs};
    use super::*;

    fn random_ids(state: &mut u64, len: usize, alphabet: u64) -> Vec<u32> {
        (0..len)
            .map(|_| {
                *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((*state >> 33) % alphabet) as u32
            })
            .collect()
    }

    /// Random sequences of every shape around the 64-column word boundaries: the bit-parallel
    /// length equals the table's, and the marked LCS equals rouge-score's backtrack.
    #[test]
    fn bit_parallel_lcs_equals_the_plain_table() {
        let mut state = 11u64;
        let lens = [0usize, 1, 2, 5, 31, 63, 64, 65, 127, 128, 129, 200, 300];
        for &n in &lens {
            for &m in &lens {
                for alphabet in [1u64, 2, 4, 30, 1000] {
                    let r = random_ids(&mut state, n, alphabet);
                    let c = random_ids(&mut state, m, alphabet);
                    let mut table = Vec::new();
                    let length = plain_lcs_table(&r, &c, &mut table) as usize;
                    assert_eq!(lcs_length(&r, &c), length, "n {n} m {m} alphabet {alphabet}");
                    assert_eq!(lcs_length(&c, &r), length);
                    let mut hit = vec![false; n];
                    mark_lcs(&r, &c, &mut hit);
                    let mut plain = vec![false; n];
                    plain_mark_lcs(&r, &c, &mut table, &mut plain);
                    assert_eq!(hit, plain, "n {n} m {m} alphabet {alphabet}");
                }
            }
        }
    }

    /// Marking adds to earlier marks (the union over candidate sentences).
    #[test]
    fn marks_accumulate() {
        let mut hit = vec![false; 4];
        mark_lcs(&[1, 2, 3, 4], &[1, 2], &mut hit);
        mark_lcs(&[1, 2, 3, 4], &[4], &mut hit);
        assert_eq!(hit, [true, true, false, true]);
    }

    /// 20 000 tokens against 20 000: 4·10^8 table cells, done in bit rows.
    #[test]
    fn long_sequences_are_fast() {
        let mut state = 5u64;
        let a = random_ids(&mut state, 20_000, 50);
        let b = random_ids(&mut state, 20_000, 50);
        let t = std::time::Instant::now();
        let l = lcs_length(&a, &b);
        let mut hit = vec![false; a.len()];
        mark_lcs(&a, &b, &mut hit);
        assert_eq!(hit.iter().filter(|&&h| h).count(), l);
        assert!(t.elapsed().as_secs_f64() < 10.0, "{:?}", t.elapsed());
    }
}

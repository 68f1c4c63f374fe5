//! Counting shared n-grams of every order at once, without hashing or allocating n-grams.
//!
//! Each position of a sequence (characters or word ids) gets one `u128` key holding the next K
//! units, one per slot of B bits, each stored as unit + 1 so that an empty slot (past the end)
//! is 0. Sorting the keys of a side sorts its n-grams of every order ≤ K at once: the n-grams
//! equal to a given one are contiguous, and two adjacent keys share exactly as many leading
//! units as their common prefix of slots. Walking the merged keys of two sides and closing an
//! order-n group whenever the common prefix drops below n yields, for every distinct n-gram,
//! its count on each side — all orders in one pass.

/// Layout of the keys: `SLOTS` units of `BITS` bits each (`SLOTS * BITS ≤ 128`), as constants so
/// that the slot arithmetic compiles to shifts and multiplications.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout<const SLOTS: usize, const BITS: u32>;

/// Characters as Unicode scalar values + 1 (at most 0x110000 < 2^21), six to a key.
pub(crate) const CHARS: Layout<6, 21> = Layout;
/// Word ids + 1, four to a key.
pub(crate) const WORDS: Layout<4, 32> = Layout;

impl<const SLOTS: usize, const BITS: u32> Layout<SLOTS, BITS> {
    const UNUSED: u32 = 128 - SLOTS as u32 * BITS;

    /// The sorted keys of every position of `units`.
    pub fn sorted_keys(self, units: &[u32], out: &mut Vec<u128>) {
        out.clear();
        out.resize(units.len(), 0);
        // key(i) = unit(i) in the first slot, then key(i + 1) shifted down one slot
        let mut next = 0u128;
        for (k, &u) in out.iter_mut().zip(units).rev() {
            next = ((u128::from(u) + 1) << (BITS * (SLOTS as u32 - 1))) | (next >> BITS);
            *k = next;
        }
        out.sort_unstable();
    }

    /// Units held by a key (its n-grams have orders 1..=len).
    #[inline]
    fn len(self, key: u128) -> usize {
        SLOTS - (key.trailing_zeros() / BITS) as usize
    }

    /// Number of leading units two keys share.
    #[inline]
    fn common_prefix(self, a: u128, b: u128) -> usize {
        if a == b {
            return SLOTS;
        }
        (((a ^ b).leading_zeros() - Self::UNUSED) / BITS) as usize
    }

    /// Walks the merged sorted keys of a hypothesis `h` and a reference `r`. For every n-gram
    /// (order index `o` = n − 1, orders up to `orders`) present on both sides it calls
    /// `shared(o, count_in_h, count_in_r, first)`, where `first` is the index in `h` of the
    /// n-gram's first occurrence in sorted order (the same for every reference, so it can
    /// identify the hypothesis n-gram across references).
    pub fn walk_shared(self, h: &[u128], r: &[u128], orders: usize, mut shared: impl FnMut(usize, u64, u64, usize)) {
        assert!(orders <= SLOTS && SLOTS <= 8);
        let mut hc = [0u64; 8];
        let mut rc = [0u64; 8];
        let mut first = [0usize; 8];
        let (mut i, mut j) = (0, 0);
        let mut prev: Option<u128> = None;
        while i < h.len() || j < r.len() {
            let from_h = j >= r.len() || (i < h.len() && h[i] <= r[j]);
            let key = if from_h { h[i] } else { r[j] };
            if let Some(p) = prev {
                let keep = self.common_prefix(p, key).min(orders);
                for o in keep..orders {
                    if hc[o] > 0 && rc[o] > 0 {
                        shared(o, hc[o], rc[o], first[o]);
                    }
                    hc[o] = 0;
                    rc[o] = 0;
                }
            }
            let len = self.len(key).min(orders);
            if from_h {
                for o in 0..len {
                    if hc[o] == 0 {
                        first[o] = i;
                    }
                    hc[o] += 1;
                }
                i += 1;
            } else {
                for c in rc.iter_mut().take(len) {
                    *c += 1;
                }
                j += 1;
            }
            prev = Some(key);
        }
        for o in 0..orders {
            if hc[o] > 0 && rc[o] > 0 {
                shared(o, hc[o], rc[o], first[o]);
            }
        }
    }

    /// `sum(min(count_h, count_r))` over the n-grams of each order (clipped matches).
    pub fn clipped_matches(self, h: &[u128], r: &[u128], orders: usize) -> [u64; 8] {
        let mut m = [0u64; 8];
        self.walk_shared(h, r, orders, |o, a, b, _| m[o] += a.min(b));
        m
    }
}

/// Number of n-grams of order `o + 1` in a sequence of `len` units.
#[inline]
pub(crate) fn ngram_count(len: usize, o: usize) -> u64 {
    len.saturating_sub(o) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clipped matches counted the slow way: every n-gram as a vector.
    fn brute(h: &[u32], r: &[u32], n: usize) -> u64 {
        let grams = |s: &[u32]| {
            let mut g: Vec<Vec<u32>> = if s.len() >= n { s.windows(n).map(<[u32]>::to_vec).collect() } else { vec![] };
            g.sort();
            g
        };
        let (gh, gr) = (grams(h), grams(r));
        let mut total = 0;
        let mut k = 0;
        while k < gh.len() {
            let e = gh[k..].iter().take_while(|x| **x == gh[k]).count();
            let c = gr.iter().filter(|x| **x == gh[k]).count();
            total += e.min(c) as u64;
            k += e;
        }
        total
    }

    #[test]
    fn matches_agree_with_brute_force() {
        let mut rng = crate::stats::rng::Rng::new(3, 0);
        check(CHARS, &mut rng);
        check(WORDS, &mut rng);
        fn check<const S: usize, const B: u32>(layout: Layout<S, B>, rng: &mut crate::stats::rng::Rng) {
            for _ in 0..300 {
                let alphabet = 1 + rng.below(4) as u32;
                let h: Vec<u32> = (0..rng.below(25)).map(|_| rng.below(u64::from(alphabet)) as u32).collect();
                let r: Vec<u32> = (0..rng.below(25)).map(|_| rng.below(u64::from(alphabet)) as u32).collect();
                let (mut kh, mut kr) = (Vec::new(), Vec::new());
                layout.sorted_keys(&h, &mut kh);
                layout.sorted_keys(&r, &mut kr);
                let m = layout.clipped_matches(&kh, &kr, S);
                for (o, &got) in m.iter().enumerate().take(S) {
                    assert_eq!(got, brute(&h, &r, o + 1), "{h:?} {r:?} order {}", o + 1);
                }
            }
        }
        // the largest units fit their slots
        let big = [0x10FFFF, 0, 0x10FFFF];
        let mut k = Vec::new();
        CHARS.sorted_keys(&big, &mut k);
        assert_eq!(CHARS.clipped_matches(&k, &k, 6)[..3], [3, 2, 1]);
    }
}

//! Sorting floats fast: an order-preserving integer key per float, so sorts compare integers.

/// A u64 whose unsigned order is the float's numeric order (NaN sorts last).
#[inline]
pub fn sort_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The float back from its key.
#[inline]
pub fn from_sort_key(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// Sorts keys ascending, in parallel when there are many.
pub fn sort_keys(v: &mut [u64]) {
    use rayon::slice::ParallelSliceMut;
    if v.len() > 1 << 16 {
        v.par_sort_unstable();
    } else {
        v.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_preserve_order_and_round_trip() {
        let xs = [-3.5, -0.0, 0.0, 1e-300, 0.25, 7.0];
        for w in xs.windows(2) {
            assert!(sort_key(w[0]) <= sort_key(w[1]));
        }
        for x in xs {
            assert_eq!(from_sort_key(sort_key(x)).to_bits(), x.to_bits());
        }
    }
}

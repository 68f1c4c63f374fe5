//! Set arithmetic on sorted, deduplicated slices (label sets, shingle hash sets).

/// |A ∩ B| of two sorted, deduplicated slices, in one merge pass.
pub fn sorted_intersection<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    #[test]
    fn intersections() {
        assert_eq!(super::sorted_intersection(&[1, 3, 5, 7], &[3, 4, 5, 8]), 2);
        assert_eq!(super::sorted_intersection::<u64>(&[], &[1]), 0);
    }
}

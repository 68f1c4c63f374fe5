//! Exact duplicates after normalisation: texts are compared by a 128-bit hash, so neither
//! split's text needs a hash map keyed by strings, and the same text with different labels.

use super::minhash::bytes_hash64;

/// A 128-bit hash of a normalised text, `None` for the empty text (two empty rows are not a
/// leak). Different texts collide with probability about 2^-128 per pair: with 10^6 × 10^6
/// pairs, about 10^-27.
pub fn text_hash(normalized: &str) -> Option<u128> {
    if normalized.is_empty() {
        return None;
    }
    let b = normalized.as_bytes();
    Some(u128::from(bytes_hash64(b, 0x5851_F42D_4C95_7F2D)) << 64 | u128::from(bytes_hash64(b, 0x1405_7B7E_F767_814F)))
}

/// Two labels conflict when both are known and differ.
pub fn differ(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

/// A test row whose normalised text is also a training row's.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactMatch {
    pub test: usize,
    /// The first training row with the same text, or the first with a different label when
    /// there is one (the match that matters most).
    pub train: usize,
    /// How many training rows have the text.
    pub train_copies: usize,
    /// Some training row with this text has a different label.
    pub label_conflict: bool,
}

/// Folds (test row, train row) pairs of equal texts, in ascending train order, into one
/// [`ExactMatch`] per test row, in test order.
pub fn exact_matches(
    pairs: impl IntoIterator<Item = (usize, usize)>,
    test_rows: usize,
    train_labels: &[Option<&str>],
    test_labels: &[Option<&str>],
) -> Vec<ExactMatch> {
    let mut by_test: Vec<Option<ExactMatch>> = vec![None; test_rows];
    for (test, train) in pairs {
        let Some(slot) = by_test.get_mut(test) else { continue };
        let conflict = differ(test_labels.get(test).copied().flatten(), train_labels.get(train).copied().flatten());
        match slot {
            None => *slot = Some(ExactMatch { test, train, train_copies: 1, label_conflict: conflict }),
            Some(m) => {
                m.train_copies += 1;
                if conflict && !m.label_conflict {
                    m.train = train;
                    m.label_conflict = true;
                }
            }
        }
    }
    by_test.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_matches_and_conflicts() {
        let train_labels = [Some("pos"), Some("neg"), Some("neg"), Some("pos")];
        let test_labels = [Some("pos"), Some("pos"), Some("neg"), Some("pos")];
        // Test 0 equals train 0 and 2 (train 2 labelled neg: a conflict); test 2 equals train 1.
        let m = exact_matches([(0, 0), (2, 1), (0, 2)], 4, &train_labels, &test_labels);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0], ExactMatch { test: 0, train: 2, train_copies: 2, label_conflict: true });
        assert_eq!(m[1], ExactMatch { test: 2, train: 1, train_copies: 1, label_conflict: false });
        // Unknown labels never conflict.
        assert!(!differ(None, Some("x")) && differ(Some("x"), Some("y")));
    }

    #[test]
    fn text_hashes() {
        assert_eq!(text_hash(""), None);
        assert_eq!(text_hash("a b"), text_hash("a b"));
        assert_ne!(text_hash("a b"), text_hash("a c"));
        assert_ne!(text_hash("ab"), text_hash("a b"));
    }
}

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

/// The training rows that carry one normalised text, summarised so that every test row with
/// that text gets its [`ExactMatch`] without one (test row, train row) pair per copy: the
/// first row, the number of rows, the first row with a known label and the first row whose
/// known label differs from that one. O(1) memory per distinct text, however many copies.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrainCopies<'a> {
    first: Option<usize>,
    copies: usize,
    first_known: Option<(usize, &'a str)>,
    other_known: Option<usize>,
}

impl<'a> TrainCopies<'a> {
    /// Adds training row `row` (rows arrive in ascending order) with `label`.
    pub fn push(&mut self, row: usize, label: Option<&'a str>) {
        self.first.get_or_insert(row);
        self.copies += 1;
        let Some(l) = label else { return };
        match self.first_known {
            None => self.first_known = Some((row, l)),
            Some((_, first)) if first != l && self.other_known.is_none() => self.other_known = Some(row),
            Some(_) => {}
        }
    }

    /// The match of test row `test` labelled `label`: the first training row with a different
    /// known label when there is one, else the first row ([`exact_matches`]' rule). None when
    /// no training row has the text.
    pub fn match_for(&self, test: usize, label: Option<&str>) -> Option<ExactMatch> {
        let first = self.first?;
        let conflicting = label.and_then(|l| match self.first_known {
            Some((row, known)) if known != l => Some(row),
            Some(_) => self.other_known,
            None => None,
        });
        Some(ExactMatch {
            test,
            train: conflicting.unwrap_or(first),
            train_copies: self.copies,
            label_conflict: conflicting.is_some(),
        })
    }
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

    /// The summary of a text's training copies gives every test row the match the pairwise
    /// fold gives, whatever the labels.
    #[test]
    fn train_copies_equal_the_pairwise_fold() {
        let labels = [None, Some("a"), Some("b"), Some("c")];
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        for _ in 0..500 {
            let n_train = 1 + next(6) as usize;
            let train_labels: Vec<Option<&str>> = (0..n_train).map(|_| labels[next(4) as usize]).collect();
            let test_labels: Vec<Option<&str>> = (0..4).map(|_| labels[next(4) as usize]).collect();
            let mut copies = TrainCopies::default();
            for (r, &l) in train_labels.iter().enumerate() {
                copies.push(r, l);
            }
            for (t, &l) in test_labels.iter().enumerate() {
                let pairs: Vec<(usize, usize)> = (0..n_train).map(|r| (t, r)).collect();
                let want = exact_matches(pairs, 4, &train_labels, &test_labels).pop();
                assert_eq!(copies.match_for(t, l), want, "{train_labels:?} {l:?}");
            }
        }
        assert_eq!(TrainCopies::default().match_for(0, Some("a")), None);
    }

    #[test]
    fn text_hashes() {
        assert_eq!(text_hash(""), None);
        assert_eq!(text_hash("a b"), text_hash("a b"));
        assert_ne!(text_hash("a b"), text_hash("a c"));
        assert_ne!(text_hash("ab"), text_hash("a b"));
    }
}

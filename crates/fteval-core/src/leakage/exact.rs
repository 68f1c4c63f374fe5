//! Exact duplicates after normalisation: test rows whose normalised text is a training row's,
//! duplicates within one split, and the same text with different labels.

use std::collections::HashMap;

/// Rows of one split grouped by normalised text: text → row indices, in row order. Empty texts
/// (nothing left after normalisation) are left out: two empty rows are not a leak.
pub fn group_by_text<'a>(normalized: &'a [String]) -> HashMap<&'a str, Vec<usize>> {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::with_capacity(normalized.len());
    for (i, t) in normalized.iter().enumerate() {
        if !t.is_empty() {
            groups.entry(t.as_str()).or_default().push(i);
        }
    }
    groups
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

/// Every test row whose normalised text occurs in the training split.
pub fn exact_matches(
    train_groups: &HashMap<&str, Vec<usize>>,
    test_normalized: &[String],
    train_labels: &[Option<&str>],
    test_labels: &[Option<&str>],
) -> Vec<ExactMatch> {
    let mut out = Vec::new();
    for (test, text) in test_normalized.iter().enumerate() {
        let Some(rows) = train_groups.get(text.as_str()).filter(|_| !text.is_empty()) else { continue };
        let label = test_labels.get(test).copied().flatten();
        let conflicting = rows.iter().copied().find(|&r| differ(label, train_labels.get(r).copied().flatten()));
        out.push(ExactMatch {
            test,
            train: conflicting.unwrap_or(rows[0]),
            train_copies: rows.len(),
            label_conflict: conflicting.is_some(),
        });
    }
    out
}

/// Two labels conflict when both are known and differ.
pub fn differ(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

/// Duplicates within one split.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SplitDuplicates {
    pub rows: usize,
    /// Rows whose normalised text occurs more than once in the split (every copy counted).
    pub duplicated_rows: usize,
    /// Rows beyond the first of each text: what deduplication would remove.
    pub redundant_rows: usize,
    /// Distinct texts that occur with more than one label.
    pub conflicting_texts: usize,
    /// Rows carrying those texts.
    pub conflicting_rows: usize,
}

impl SplitDuplicates {
    /// Share of the split's rows that deduplication would remove.
    pub fn duplicate_rate(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.redundant_rows as f64 / self.rows as f64
        }
    }
}

/// Duplicate and label-conflict counts within one split.
pub fn split_duplicates(groups: &HashMap<&str, Vec<usize>>, rows: usize, labels: &[Option<&str>]) -> SplitDuplicates {
    let mut d = SplitDuplicates { rows, ..Default::default() };
    for members in groups.values().filter(|m| m.len() > 1) {
        d.duplicated_rows += members.len();
        d.redundant_rows += members.len() - 1;
        let first = members.iter().find_map(|&r| labels.get(r).copied().flatten());
        if members.iter().any(|&r| differ(first, labels.get(r).copied().flatten())) {
            d.conflicting_texts += 1;
            d.conflicting_rows += members.len();
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn exact_matches_and_conflicts() {
        let train = strings(&["a b c", "d e f", "a b c", ""]);
        let train_labels = [Some("pos"), Some("neg"), Some("neg"), Some("pos")];
        let groups = group_by_text(&train);
        let test = strings(&["a b c", "x y", "d e f", ""]);
        let test_labels = [Some("pos"), Some("pos"), Some("neg"), Some("pos")];
        let m = exact_matches(&groups, &test, &train_labels, &test_labels);
        assert_eq!(m.len(), 2);
        // "a b c" is in train twice, once labelled neg: a conflict, reported against row 2.
        assert_eq!(m[0], ExactMatch { test: 0, train: 2, train_copies: 2, label_conflict: true });
        assert_eq!(m[1], ExactMatch { test: 2, train: 1, train_copies: 1, label_conflict: false });
        let d = split_duplicates(&groups, 4, &train_labels);
        assert_eq!((d.duplicated_rows, d.redundant_rows, d.conflicting_texts, d.conflicting_rows), (2, 1, 1, 2));
        assert!((d.duplicate_rate() - 0.25).abs() < 1e-12);
        // Unknown labels never conflict.
        assert!(!differ(None, Some("x")) && differ(Some("x"), Some("y")));
    }
}

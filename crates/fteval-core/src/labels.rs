//! Label spellings and order: one canonical spelling per label, scikit-learn's sort order,
//! and the positive class of a binary task.

use std::borrow::Cow;
use std::collections::HashMap;

/// The canonical spelling of a label: surrounding whitespace removed, integral decimals
/// written as integers (`1.0` → `1`, as pandas writes integer columns with missing values),
/// and booleans in lower case (`True` → `true`), so that files written by different tools agree.
pub fn canonical_label(raw: &str) -> Cow<'_, str> {
    let t = raw.trim();
    if let Some((int, frac)) = t.split_once('.') {
        let digits = int.strip_prefix('-').unwrap_or(int);
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|b| b == b'0')
        {
            return if digits.bytes().all(|b| b == b'0') { Cow::Borrowed("0") } else { Cow::Borrowed(int) };
        }
    }
    match t {
        "True" | "TRUE" => Cow::Borrowed("true"),
        "False" | "FALSE" => Cow::Borrowed("false"),
        _ if t.len() != raw.len() => Cow::Borrowed(t),
        _ => Cow::Borrowed(raw),
    }
}

/// Sorts labels as scikit-learn does: numerically when every label is a number, otherwise
/// by code point.
pub fn sort_labels(labels: &mut [String]) {
    let numeric: Option<Vec<f64>> = labels.iter().map(|l| l.parse::<f64>().ok().filter(|v| v.is_finite())).collect();
    match numeric {
        Some(_) => labels.sort_by(|a, b| {
            let (x, y) = (a.parse::<f64>().unwrap_or(0.0), b.parse::<f64>().unwrap_or(0.0));
            x.total_cmp(&y).then_with(|| a.cmp(b))
        }),
        None => labels.sort(),
    }
}

/// Labels taken to mean "the positive class" when `--positive` is not given, in order.
pub const POSITIVE_NAMES: [&str; 9] = ["1", "true", "yes", "pos", "positive", "spam", "fraud", "toxic", "1.0"];

/// The positive label among `labels`: exact match of a conventional name first, then a
/// case-insensitive one. None when no label looks positive.
pub fn infer_positive(labels: &[String]) -> Option<usize> {
    for name in POSITIVE_NAMES {
        if let Some(i) = labels.iter().position(|l| l == name) {
            return Some(i);
        }
    }
    for name in POSITIVE_NAMES {
        if let Some(i) = labels.iter().position(|l| l.eq_ignore_ascii_case(name)) {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_spellings() {
        assert_eq!(canonical_label("1.0"), "1");
        assert_eq!(canonical_label("-2.00"), "-2");
        assert_eq!(canonical_label("0.0"), "0");
        assert_eq!(canonical_label("0.5"), "0.5");
        assert_eq!(canonical_label(" spam "), "spam");
        assert_eq!(canonical_label("True"), "true");
        assert_eq!(canonical_label("01"), "01");
        assert_eq!(canonical_label("1."), "1.");
    }

    #[test]
    fn numeric_labels_sort_numerically() {
        let mut l = vec!["10".to_string(), "2".into(), "1".into()];
        sort_labels(&mut l);
        assert_eq!(l, ["1", "2", "10"]);
        let mut l = vec!["b".to_string(), "B".into(), "a".into(), "10".into()];
        sort_labels(&mut l);
        assert_eq!(l, ["10", "B", "a", "b"]);
    }

    #[test]
    fn positive_inference() {
        let l = vec!["ham".to_string(), "spam".into()];
        assert_eq!(infer_positive(&l), Some(1));
        assert_eq!(infer_positive(&["no".to_string(), "Yes".into()]), Some(1));
        assert_eq!(infer_positive(&["a".to_string(), "b".into()]), None);
    }
}

/// Distinct spellings (tags, labels) and their ids, in first-seen order.
#[derive(Clone, Debug, Default)]
pub struct Vocab {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Vocab {
    pub fn new() -> Vocab {
        Vocab::default()
    }

    /// The id of `label`, added when new (no allocation for a label already seen).
    pub fn intern(&mut self, label: &str) -> u32 {
        if let Some(&id) = self.index.get(label) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(label.to_string());
        self.index.insert(label.to_string(), id);
        id
    }

    pub fn get(&self, label: &str) -> Option<u32> {
        self.index.get(label).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// A vocabulary of `names` in that order; Err(the name) if one repeats.
    pub fn from_names(names: Vec<String>) -> Result<Vocab, String> {
        let mut v = Vocab::default();
        for n in names {
            if v.get(&n).is_some() {
                return Err(n);
            }
            v.intern(&n);
        }
        Ok(v)
    }
}

//! Exact match and token F1 as the official SQuAD v1.1 evaluation script computes them
//! (`evaluate-v1.1.py`): answers are normalised, then compared as strings (exact match) or as
//! bags of words (F1), and an example scores the best value over its references.
//!
//! The script reports both on 0–100; these functions return 0–1.

use super::pytext::{is_ascii_punctuation, py_is_word_char, py_lower, py_split};

/// SQuAD v1.1's `normalize_answer`: lowercase, drop `string.punctuation`, replace the whole words
/// `a`, `an`, `the` by a space, and collapse whitespace.
///
/// The steps run in the script's order, so "A-team" loses its hyphen before the article test
/// ("ateam" keeps its `a`), and word boundaries are `re`'s Unicode `\b`.
pub fn normalize_answer(s: &str) -> String {
    let lowered = py_lower(s);
    let no_punct: String = lowered.chars().filter(|&c| !is_ascii_punctuation(c)).collect();
    let no_articles = remove_articles(&no_punct);
    let mut out = String::with_capacity(no_articles.len());
    for (i, w) in py_split(&no_articles).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// `re.sub(r'\b(a|an|the)\b', ' ', text)`: each article standing as a whole word becomes one space.
fn remove_articles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_is_word = false; // the character before the scan position, in the input
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !prev_is_word && (c == 'a' || c == 't') {
            // The alternatives are tried in order; each needs a boundary after it.
            let matched = ["a", "an", "the"]
                .into_iter()
                .find(|art| rest.starts_with(art) && !rest[art.len()..].chars().next().is_some_and(py_is_word_char));
            if let Some(art) = matched {
                out.push(' ');
                rest = &rest[art.len()..];
                prev_is_word = true; // the article's last letter
                continue;
            }
        }
        out.push(c);
        prev_is_word = py_is_word_char(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// 1 when the normalised prediction equals the normalised reference, else 0 (the script's
/// `exact_match_score`).
pub fn exact_match(prediction: &str, reference: &str) -> f64 {
    f64::from(u8::from(normalize_answer(prediction) == normalize_answer(reference)))
}

/// The script's `f1_score`: harmonic mean of precision and recall of the normalised words, counted
/// with multiplicity; 0 when no word is shared (also when both answers normalise to nothing, as
/// in v1.1).
pub fn token_f1(prediction: &str, reference: &str) -> f64 {
    let p = normalize_answer(prediction);
    let r = normalize_answer(reference);
    let mut pred: Vec<&str> = py_split(&p).collect();
    pred.sort_unstable();
    f1_sorted(&pred, &r)
}

/// Token F1 of sorted prediction words against a normalised reference.
fn f1_sorted(pred_sorted: &[&str], reference_normalized: &str) -> f64 {
    let mut gold: Vec<&str> = py_split(reference_normalized).collect();
    gold.sort_unstable();
    let same = common_count(pred_sorted, &gold);
    if same == 0 {
        return 0.0;
    }
    let precision = same as f64 / pred_sorted.len() as f64;
    let recall = same as f64 / gold.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

/// `sum((Counter(a) & Counter(b)).values())` for two sorted lists.
fn common_count(a: &[&str], b: &[&str]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(b[j]) {
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

/// One example's SQuAD scores, each the best over its references (on 0–1).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SquadScores {
    pub exact_match: f64,
    pub token_f1: f64,
}

/// Exact match and token F1 of `prediction`, each maximised over `references` as the script's
/// `metric_max_over_ground_truths` does. No reference scores 0 (the script would fail).
pub fn squad_scores<S: AsRef<str>>(prediction: &str, references: &[S]) -> SquadScores {
    let p = normalize_answer(prediction);
    let mut pred: Vec<&str> = py_split(&p).collect();
    pred.sort_unstable();
    let mut best = SquadScores::default();
    for r in references {
        let r = normalize_answer(r.as_ref());
        if r == p {
            best.exact_match = 1.0;
        }
        best.token_f1 = best.token_f1.max(f1_sorted(&pred, &r));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_follows_the_script() {
        assert_eq!(normalize_answer("The  Cat's  hat!"), "cats hat");
        assert_eq!(normalize_answer("an apple, a pear and THE end"), "apple pear and end");
        assert_eq!(normalize_answer("A-team"), "ateam");
        assert_eq!(normalize_answer("thea the_a"), "thea thea"); // `_` is punctuation, removed first
        assert_eq!(normalize_answer("éa a"), "éa");
        assert_eq!(normalize_answer("the\u{301}"), "\u{301}"); // a combining mark is not a word char
    }

    #[test]
    fn scores_follow_the_script() {
        assert_eq!(exact_match("The Eiffel Tower.", "eiffel tower"), 1.0);
        assert_eq!(exact_match("", ""), 1.0);
        assert_eq!(token_f1("", ""), 0.0);
        let f = token_f1("the big red dog", "a red dog barks");
        // pred [big, red, dog], gold [red, dog, barks]: 2 common
        assert!((f - 2.0 / 3.0).abs() < 1e-15);
        let s = squad_scores("red dog", &["blue cat", "a red dog"]);
        assert_eq!(s, SquadScores { exact_match: 1.0, token_f1: 1.0 });
        assert_eq!(squad_scores::<&str>("x", &[]), SquadScores::default());
    }
}

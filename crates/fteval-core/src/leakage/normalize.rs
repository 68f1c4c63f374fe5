//! Text normalisation before comparing train and test rows, so that copies differing only in
//! case, Unicode form, punctuation or spacing count as the same text.

use unicode_normalization::UnicodeNormalization;

/// How texts are normalised before they are compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Normalize {
    /// Unicode NFKC, lowercase, punctuation and symbols replaced by spaces, whitespace collapsed.
    #[default]
    Default,
    /// Case and punctuation kept; only whitespace is collapsed.
    Strict,
}

/// `text` normalised by `mode`, its words separated by single spaces.
pub fn normalize(text: &str, mode: Normalize) -> String {
    let mut out = String::with_capacity(text.len());
    let push = |c: char, out: &mut String| {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    };
    match mode {
        Normalize::Strict => text.chars().for_each(|c| push(c, &mut out)),
        // ASCII is already NFKC: one pass over the bytes (most training text takes this path).
        Normalize::Default if text.is_ascii() => {
            for &b in text.as_bytes() {
                if b.is_ascii_alphanumeric() {
                    out.push(b.to_ascii_lowercase() as char);
                } else if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
        }
        Normalize::Default => default_unicode(text, &mut out, push),
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The default normalisation of any text, char by char through NFKC.
fn default_unicode(text: &str, out: &mut String, push: impl Fn(char, &mut String)) {
    for c in text.nfkc() {
        // Everything that is not a letter, digit or mark separates words: "don't" and
        // "don t", "state-of-the-art" and "state of the art" become the same words.
        if c.is_alphanumeric() || is_mark(c) {
            c.to_lowercase().for_each(|l| push(l, out));
        } else {
            push(' ', out);
        }
    }
}

/// Combining marks (accents left separate after NFKC, e.g. in Devanagari), kept inside words.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// The words of a normalised text.
pub fn words(normalized: &str) -> Vec<&str> {
    normalized.split(' ').filter(|w| !w.is_empty()).collect()
}

/// Word `k`-gram shingles of `words`, each as its words joined by single spaces (the bytes a
/// datasketch user would hash); a text shorter than `k` words is one shingle of all its words.
/// An empty text has no shingles.
pub fn shingles(words: &[&str], k: usize) -> Vec<String> {
    let k = k.max(1);
    if words.is_empty() {
        return Vec::new();
    }
    if words.len() <= k {
        return vec![words.join(" ")];
    }
    words.windows(k).map(|w| w.join(" ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_that_differ_in_case_spacing_punctuation_and_unicode_form_agree() {
        let a = normalize("The  QUICK brown fox — jumps!\n", Normalize::Default);
        assert_eq!(a, "the quick brown fox jumps");
        assert_eq!(normalize("the quick, brown fox: jumps", Normalize::Default), a);
        // NFKC: full-width letters and the "ﬁ" ligature.
        assert_eq!(normalize("ＡＢＣ ﬁne", Normalize::Default), "abc fine");
        assert_eq!(normalize("don't state-of-the-art", Normalize::Default), "don t state of the art");
        assert_eq!(normalize("Ünïcödé Straße", Normalize::Default), "ünïcödé straße");
        assert_eq!(normalize("  Keep  Case, please. ", Normalize::Strict), "Keep Case, please.");
        assert_eq!(normalize("", Normalize::Default), "");
        assert_eq!(normalize("?!…", Normalize::Default), "");
    }

    #[test]
    fn ascii_fast_path_equals_the_unicode_path() {
        let all: String = (0u8..128).map(char::from).collect();
        let push = |c: char, out: &mut String| {
            if c.is_whitespace() {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
        };
        for text in [all.clone(), all.chars().rev().collect(), format!("  {all} x{all}y "), "A_b-C\tD".into()] {
            let mut slow = String::new();
            default_unicode(&text, &mut slow, push);
            if slow.ends_with(' ') {
                slow.pop();
            }
            assert_eq!(normalize(&text, Normalize::Default), slow, "{text:?}");
        }
    }

    #[test]
    fn shingles_of_short_and_long_texts() {
        let w = words("a b c d e f");
        assert_eq!(shingles(&w, 5), vec!["a b c d e", "b c d e f"]);
        assert_eq!(shingles(&w[..3], 5), vec!["a b c"]);
        assert!(shingles(&[], 5).is_empty());
    }
}

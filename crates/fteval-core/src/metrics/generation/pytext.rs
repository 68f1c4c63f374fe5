//! The Python `str` semantics that the reference implementations depend on, so that "split on
//! whitespace", "lowercase" and "word boundary" mean here exactly what they mean in CPython 3.11.
//!
//! Rust's `char` predicates differ from Python's in a few places that matter for exactness:
//! Python counts U+001C..U+001F as whitespace, and Python's `\w` (hence `\b`) excludes combining
//! marks and the circled/squared Latin letters that Unicode's `Alphabetic` property includes.
//! Case mappings agree for every character assigned in Python 3.11's Unicode 14.0.

/// CPython's `str.isspace()` for one character: Unicode `White_Space` plus the information
/// separators U+001C..U+001F (bidirectional class B or S), which Rust's `char::is_whitespace`
/// leaves out.
#[inline]
pub fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `s.split()` with no argument: the maximal runs of non-whitespace characters.
pub fn py_split(s: &str) -> impl Iterator<Item = &str> {
    s.split(py_isspace).filter(|t| !t.is_empty())
}

/// `s.rstrip()` with no argument.
pub fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(py_isspace)
}

/// `' '.join(s.split())`: whitespace runs collapsed to one space, none at either end.
pub fn py_collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, w) in py_split(s).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// `s.lower()`: full Unicode lowercasing (including `İ` → `i̇` and the final-sigma rule), with an
/// allocation-light path for ASCII text.
pub fn py_lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// CPython's `str.isalnum()` for one character (`isalpha() or isdecimal() or isdigit() or
/// isnumeric()`): letters (general category L*) and characters with a numeric value.
///
/// Rust's `char::is_alphanumeric` uses the `Alphabetic` property, which also holds combining
/// marks (Mn/Mc, e.g. Devanagari vowel signs) and the circled/parenthesised Latin letters
/// (category So); Python does not count those, so they are removed here.
#[inline]
pub fn py_isalnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c) && !is_other_alphabetic_symbol(c)
}

/// `re`'s `\w` for a `str` pattern: `isalnum()` or the underscore.
#[inline]
pub fn py_is_word_char(c: char) -> bool {
    c == '_' || py_isalnum(c)
}

/// Symbols (category So) with Unicode's `Other_Alphabetic` property: Ⓐ..ⓩ and the squared,
/// circled and negative squared Latin capitals of the Enclosed Alphanumeric Supplement.
fn is_other_alphabetic_symbol(c: char) -> bool {
    matches!(c, '\u{24B6}'..='\u{24E9}' | '\u{1F130}'..='\u{1F149}' | '\u{1F150}'..='\u{1F169}' | '\u{1F170}'..='\u{1F189}')
}

/// Python's `string.punctuation`: the 32 ASCII punctuation characters.
#[inline]
pub fn is_ascii_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// Unicode punctuation (`\p{P}`: the seven general categories P*), as Python's `regex` and
/// sacreBLEU's international tokenizer read it.
pub fn is_unicode_punctuation(c: char) -> bool {
    use unicode_general_category::{get_general_category as cat, GeneralCategory as G};
    matches!(
        cat(c),
        G::ConnectorPunctuation
            | G::DashPunctuation
            | G::OpenPunctuation
            | G::ClosePunctuation
            | G::InitialPunctuation
            | G::FinalPunctuation
            | G::OtherPunctuation
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_strip_follow_python() {
        let s = "\u{1c}a\u{a0}b\tc\u{3000} \u{85}";
        assert_eq!(py_split(s).collect::<Vec<_>>(), vec!["a", "b", "c"]);
        assert_eq!(py_rstrip("x y \u{1f}\n"), "x y");
        assert_eq!(py_collapse_whitespace("  a   b "), "a b");
    }

    #[test]
    fn lower_and_word_chars_follow_python() {
        assert_eq!(py_lower("İ"), "i\u{307}");
        assert_eq!(py_lower("\u{39f}\u{394}\u{39f}\u{3a3}"), "\u{3bf}\u{3b4}\u{3bf}\u{3c2}");
        assert!(py_isalnum('é') && py_isalnum('٣') && py_isalnum('½'));
        assert!(!py_isalnum('\u{301}') && !py_isalnum('\u{93e}') && !py_isalnum('Ⓐ'));
        assert!(py_is_word_char('_'));
        // string.punctuation
        let punct: String = (0u8..128).map(char::from).filter(|&c| is_ascii_punctuation(c)).collect();
        assert_eq!(punct, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
    }
}

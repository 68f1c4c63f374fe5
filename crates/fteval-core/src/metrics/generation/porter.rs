//! The Porter stemmer exactly as NLTK's `nltk.stem.porter.PorterStemmer()` computes it in its
//! default `NLTK_EXTENSIONS` mode — the stemmer rouge-score 0.1.2 builds for `use_stemmer=True`
//! (`porter.PorterStemmer()`, no mode argument).
//!
//! Besides Porter's 1980 steps, that mode has NLTK's irregular forms (`dying` → `die`, `skies` →
//! `sky`, ...), `ies`/`ied` of four-letter words keeping `ie`, `y` → `i` only after a consonant
//! that is not the whole stem, `alli` → `al` tried first and re-stemmed, `bli` → `ble`, `fulli` →
//! `ful`, `logi` → `log` measuring the stem with its `l`, a two-letter vowel–consonant stem
//! counting as "cvc", and words of one or two letters left alone.
//!
//! The algorithm is written once over a slice of letters, run on bytes for ASCII words (all that
//! ROUGE passes) and on `char`s otherwise, where any character other than `a e i o u y` is a
//! consonant as in NLTK.

/// A letter of a word: a byte of an ASCII word or a `char`.
trait Letter: Copy + Eq + From<u8> {}
impl Letter for u8 {}
impl Letter for char {}

/// NLTK's stem of `word` (lowercased first, as `stem(word)` does by default).
pub fn porter_stem(word: &str) -> String {
    let lower = super::pytext::py_lower(word);
    let original_len = word.chars().count();
    if lower.is_ascii() && original_len == lower.len() {
        let mut out = Vec::new();
        stem_letters(lower.as_bytes(), original_len, &mut out);
        String::from_utf8(out).expect("ASCII in, ASCII out")
    } else {
        let letters: Vec<char> = lower.chars().collect();
        let mut out = Vec::new();
        stem_letters(&letters, original_len, &mut out);
        out.into_iter().collect()
    }
}

/// The stem of an ASCII word that is already lowercase, appended to `out` (the allocation-free
/// path ROUGE's tokeniser uses).
pub fn porter_stem_ascii_lower(word: &[u8], out: &mut Vec<u8>) {
    debug_assert!(word.iter().all(|b| b.is_ascii() && !b.is_ascii_uppercase()));
    stem_letters(word, word.len(), out);
}

const IRREGULAR: [(&str, &str); 16] = [
    ("sky", "sky"),
    ("skies", "sky"),
    ("dying", "die"),
    ("lying", "lie"),
    ("tying", "tie"),
    ("news", "news"),
    ("innings", "inning"),
    ("inning", "inning"),
    ("outings", "outing"),
    ("outing", "outing"),
    ("cannings", "canning"),
    ("canning", "canning"),
    ("howe", "howe"),
    ("proceed", "proceed"),
    ("exceed", "exceed"),
    ("succeed", "succeed"),
];

fn is(w: &[impl Letter], lit: &str) -> bool {
    w.len() == lit.len() && w.iter().zip(lit.bytes()).all(|(&a, b)| a == b.into())
}

fn ends<T: Letter>(w: &[T], suffix: &str) -> bool {
    w.len() >= suffix.len() && is(&w[w.len() - suffix.len()..], suffix)
}

fn push_str<T: Letter>(w: &mut Vec<T>, s: &str) {
    w.extend(s.bytes().map(T::from));
}

/// NLTK's `stem` after lowercasing: `original_len` is the length of the word as given, which
/// decides the "one or two letters" rule.
fn stem_letters<T: Letter>(word: &[T], original_len: usize, out: &mut Vec<T>) {
    if let Some((_, s)) = IRREGULAR.iter().find(|(form, _)| is(word, form)) {
        push_str(out, s);
        return;
    }
    if original_len <= 2 {
        out.extend_from_slice(word);
        return;
    }
    let mut w = word.to_vec();
    step1a(&mut w);
    step1b(&mut w);
    step1c(&mut w);
    step2(&mut w);
    step3(&mut w);
    step4(&mut w);
    step5a(&mut w);
    step5b(&mut w);
    out.extend_from_slice(&w);
}

fn is_vowel<T: Letter>(c: T) -> bool {
    [b'a', b'e', b'i', b'o', b'u'].into_iter().any(|v| c == v.into())
}

/// NLTK's `_is_consonant(word, i)`: not a vowel, and a `y` only when the letter before it is a
/// vowel (or it starts the word).
fn is_consonant<T: Letter>(w: &[T], i: usize) -> bool {
    let mut i = i;
    let mut negate = false;
    while i > 0 && w[i] == b'y'.into() {
        negate = !negate;
        i -= 1;
    }
    // w[i] is now the first non-`y` going back, or the first letter.
    let base = if w[i] == b'y'.into() { true } else { !is_vowel(w[i]) };
    base != negate
}

/// Porter's measure m: the number of vowel→consonant transitions (NLTK counts `vc` in the
/// word's consonant/vowel string).
fn measure<T: Letter>(stem: &[T]) -> usize {
    let mut m = 0;
    let mut prev_cons = true;
    for (i, &c) in stem.iter().enumerate() {
        // One pass over the consonant flags: a `y` is a consonant iff the letter before is not.
        let cons = if is_vowel(c) {
            false
        } else if c == b'y'.into() {
            i == 0 || !prev_cons
        } else {
            true
        };
        if i > 0 && cons && !prev_cons {
            m += 1;
        }
        prev_cons = cons;
    }
    m
}

fn contains_vowel<T: Letter>(stem: &[T]) -> bool {
    (0..stem.len()).any(|i| !is_consonant(stem, i))
}

/// `*d`: ends with a double consonant.
fn ends_double_consonant<T: Letter>(w: &[T]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1)
}

/// `*o`: ends consonant–vowel–consonant, the last not `w`, `x` or `y`; in NLTK's mode also a
/// two-letter vowel–consonant word.
fn ends_cvc<T: Letter>(w: &[T]) -> bool {
    let n = w.len();
    (n >= 3
        && is_consonant(w, n - 3)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 1)
        && ![b'w', b'x', b'y'].into_iter().any(|c| w[n - 1] == c.into()))
        || (n == 2 && !is_consonant(w, 0) && is_consonant(w, 1))
}

/// `_apply_rule_list`: the first rule whose suffix ends the word decides; if its condition on the
/// stem holds the suffix is replaced, otherwise the word is left as it is.
/// The condition sees the whole word and the suffix (the stem is the word without it).
fn apply_rules<T: Letter>(w: &mut Vec<T>, rules: &[(&str, &str)], condition: impl Fn(&[T], &str) -> bool) {
    for &(suffix, replacement) in rules {
        if ends(w, suffix) {
            let stem_len = w.len() - suffix.len();
            if condition(w, suffix) {
                w.truncate(stem_len);
                push_str(w, replacement);
            }
            return;
        }
    }
}

fn replace_suffix<T: Letter>(w: &mut Vec<T>, suffix_len: usize, replacement: &str) {
    w.truncate(w.len() - suffix_len);
    push_str(w, replacement);
}

fn step1a<T: Letter>(w: &mut Vec<T>) {
    if ends(w, "ies") && w.len() == 4 {
        replace_suffix(w, 3, "ie");
        return;
    }
    apply_rules(w, &[("sses", "ss"), ("ies", "i"), ("ss", "ss"), ("s", "")], |_, _| true);
}

fn step1b<T: Letter>(w: &mut Vec<T>) {
    if ends(w, "ied") {
        let rep = if w.len() == 4 { "ie" } else { "i" };
        replace_suffix(w, 3, rep);
        return;
    }
    if ends(w, "eed") {
        if measure(&w[..w.len() - 3]) > 0 {
            replace_suffix(w, 3, "ee");
        }
        return;
    }
    let mut succeeded = false;
    for suffix in ["ed", "ing"] {
        if ends(w, suffix) && contains_vowel(&w[..w.len() - suffix.len()]) {
            w.truncate(w.len() - suffix.len());
            succeeded = true;
            break;
        }
    }
    if !succeeded {
        return;
    }
    // Rules on the intermediate stem: at -> ate, bl -> ble, iz -> ize, then *d, then (m=1 and *o) -> e.
    for (suffix, rep) in [("at", "ate"), ("bl", "ble"), ("iz", "ize")] {
        if ends(w, suffix) {
            replace_suffix(w, 2, rep);
            return;
        }
    }
    if ends_double_consonant(w) {
        let last = w[w.len() - 1];
        if ![b'l', b's', b'z'].into_iter().any(|c| last == c.into()) {
            w.pop();
        }
        return;
    }
    if measure(w) == 1 && ends_cvc(w) {
        w.push(b'e'.into());
    }
}

fn step1c<T: Letter>(w: &mut Vec<T>) {
    apply_rules(w, &[("y", "i")], |w, _| {
        let stem = &w[..w.len() - 1];
        stem.len() > 1 && is_consonant(stem, stem.len() - 1)
    });
}

const STEP2_RULES: [(&str, &str); 22] = [
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("fulli", "ful"),
    ("logi", "log"),
];

fn step2<T: Letter>(w: &mut Vec<T>) {
    if ends(w, "alli") && measure(&w[..w.len() - 4]) > 0 {
        replace_suffix(w, 4, "al");
        step2(w);
        return;
    }
    // `logi` -> `log` measures the stem with its `l` (word[:-3]).
    apply_rules(w, &STEP2_RULES, |w, suffix| {
        let keep = if suffix == "logi" { 3 } else { suffix.len() };
        measure(&w[..w.len() - keep]) > 0
    });
}

fn step3<T: Letter>(w: &mut Vec<T>) {
    apply_rules(
        w,
        &[("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", "")],
        |w, suffix| measure(&w[..w.len() - suffix.len()]) > 0,
    );
}

fn step4<T: Letter>(w: &mut Vec<T>) {
    const RULES: [(&str, &str); 19] = [
        ("al", ""),
        ("ance", ""),
        ("ence", ""),
        ("er", ""),
        ("ic", ""),
        ("able", ""),
        ("ible", ""),
        ("ant", ""),
        ("ement", ""),
        ("ment", ""),
        ("ent", ""),
        ("ion", ""),
        ("ou", ""),
        ("ism", ""),
        ("ate", ""),
        ("iti", ""),
        ("ous", ""),
        ("ive", ""),
        ("ize", ""),
    ];
    apply_rules(w, &RULES, |w, suffix| {
        let stem = &w[..w.len() - suffix.len()];
        measure(stem) > 1 && (suffix != "ion" || stem.last().is_some_and(|&c| c == b's'.into() || c == b't'.into()))
    });
}

fn step5a<T: Letter>(w: &mut Vec<T>) {
    if ends(w, "e") {
        let stem = &w[..w.len() - 1];
        let m = measure(stem);
        if m > 1 || (m == 1 && !ends_cvc(stem)) {
            w.pop();
        }
    }
}

fn step5b<T: Letter>(w: &mut Vec<T>) {
    if ends(w, "ll") && measure(&w[..w.len() - 1]) > 1 {
        w.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_and_nltk_examples() {
        let cases = [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("ties", "tie"),
            ("cats", "cat"),
            ("feed", "feed"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("sing", "sing"),
            ("hopping", "hop"),
            ("falling", "fall"),
            ("filing", "file"),
            ("happy", "happi"),
            ("enjoy", "enjoy"),
            ("relational", "relat"),
            ("generalization", "gener"),
            ("dying", "die"),
            ("spied", "spi"),
            ("controlling", "control"),
            ("archaeology", "archaeolog"),
            ("by", "by"),
            ("Running", "run"),
            ("yyyy", "yyyi"),
        ];
        for (w, s) in cases {
            assert_eq!(porter_stem(w), s, "{w}");
        }
    }

    #[test]
    fn measure_examples() {
        for (w, m) in [("tr", 0), ("ee", 0), ("tree", 0), ("y", 0), ("by", 0), ("trouble", 1), ("oats", 1)] {
            assert_eq!(measure(w.as_bytes()), m, "{w}");
        }
        for (w, m) in [("trees", 1), ("ivy", 1), ("troubles", 2), ("private", 2), ("oaten", 2), ("orrery", 2)] {
            assert_eq!(measure(w.as_bytes()), m, "{w}");
        }
    }
}

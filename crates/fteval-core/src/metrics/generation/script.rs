//! Which writing system a text is in, as far as tokenisation cares: scripts written without
//! spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar, Tibetan) make every
//! whitespace or ASCII-word tokeniser (BLEU's 13a, rouge-score's, SQuAD's) see one long "word"
//! or nothing at all.

/// A script class of letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Devanagari,
    Hangul,
    /// Han ideographs (Chinese; also Japanese kanji).
    Han,
    /// Hiragana and Katakana (Japanese).
    Kana,
    Thai,
    /// Lao, Khmer, Myanmar, Tibetan: other scripts without word spaces.
    OtherUnspaced,
    Other,
}

impl Script {
    /// Whether words of this script are written without spaces between them.
    pub fn unspaced(self) -> bool {
        matches!(self, Script::Han | Script::Kana | Script::Thai | Script::OtherUnspaced)
    }

    pub fn name(self) -> &'static str {
        match self {
            Script::Latin => "Latin",
            Script::Cyrillic => "Cyrillic",
            Script::Greek => "Greek",
            Script::Arabic => "Arabic",
            Script::Hebrew => "Hebrew",
            Script::Devanagari => "Devanagari",
            Script::Hangul => "Hangul (Korean)",
            Script::Han => "Chinese characters",
            Script::Kana => "Japanese kana",
            Script::Thai => "Thai",
            Script::OtherUnspaced => "Lao/Khmer/Myanmar/Tibetan",
            Script::Other => "other",
        }
    }
}

/// The script of a letter; None for digits, punctuation, spaces and symbols.
pub fn script_of(c: char) -> Option<Script> {
    let u = c as u32;
    Some(match u {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
        0x400..=0x52F => Script::Cyrillic,
        0x590..=0x5FF => Script::Hebrew,
        0x600..=0x6FF | 0x750..=0x77F => Script::Arabic,
        0x900..=0x97F => Script::Devanagari,
        0xE00..=0xE7F => Script::Thai,
        0xE80..=0xEFF | 0xF00..=0xFFF | 0x1000..=0x109F | 0x1780..=0x17FF => Script::OtherUnspaced,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Script::Han,
        _ if c.is_alphabetic() => Script::Other,
        _ => return None,
    })
}

/// Letters per script over `texts`, most frequent first (ties in script order).
pub fn script_counts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<(Script, usize)> {
    let mut counts: std::collections::BTreeMap<Script, usize> = std::collections::BTreeMap::new();
    for t in texts {
        for c in t.chars() {
            if let Some(s) = script_of(c) {
                *counts.entry(s).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(Script, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The script most letters of `texts` are in, with its share of the letters; None without letters.
pub fn dominant_script<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<(Script, f64)> {
    let counts = script_counts(texts);
    let total: usize = counts.iter().map(|c| c.1).sum();
    counts.first().map(|&(s, n)| (s, n as f64 / total as f64))
}

/// Share of the letters of `texts` in unspaced scripts (Japanese counts kanji and kana together).
pub fn unspaced_share<'a>(texts: impl IntoIterator<Item = &'a str>) -> f64 {
    let counts = script_counts(texts);
    let total: usize = counts.iter().map(|c| c.1).sum();
    let unspaced: usize = counts.iter().filter(|c| c.0.unspaced()).map(|c| c.1).sum();
    if total == 0 {
        0.0
    } else {
        unspaced as f64 / total as f64
    }
}

/// The length of `text` in word-like units: whitespace-separated words, with each character of
/// an unspaced script counted as one unit (as sacreBLEU's `zh` tokeniser splits Chinese).
pub fn length_units(text: &str) -> usize {
    text.split_whitespace()
        .map(|w| {
            let unspaced = w.chars().filter(|&c| script_of(c).is_some_and(Script::unspaced)).count();
            let rest = w.chars().any(|c| !script_of(c).is_some_and(Script::unspaced));
            unspaced + usize::from(rest && unspaced == 0)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_lengths() {
        assert_eq!(dominant_script(["猫が座った", "猫"]).unwrap().0, Script::Han);
        assert!(unspaced_share(["今天天气很好"]) > 0.99);
        assert!(unspaced_share(["สวัสดีครับ"]) > 0.99);
        assert_eq!(unspaced_share(["the cat sat", "안녕하세요 세계"]), 0.0);
        assert_eq!(dominant_script(["Привет мир", "hi"]).unwrap().0, Script::Cyrillic);
        assert_eq!(dominant_script(["123 !!"]), None);
        assert_eq!(length_units("the cat sat"), 3);
        assert_eq!(length_units("今天天气 很好"), 6);
        assert_eq!(length_units("GPT-4 很好"), 3);
    }
}

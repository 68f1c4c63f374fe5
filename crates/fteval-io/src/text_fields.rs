//! Which columns of a train/test split hold the text the leakage scan compares.
//!
//! Instruction and chat data carry short categorical columns beside the text (topic, difficulty,
//! split, source, ids, numbers). Unrelated rows share their values, so joining them into the
//! compared text makes clean rows look like copies. The rule here keeps the text fields, takes
//! only the contents of lists and objects (chat turns), and leaves categorical columns out,
//! deciding on the values of both splits together so that both are compared on the same fields.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::Value;

use crate::cell::Cell;

/// Instruction, chat and text field names (compared case-insensitively): text unless their
/// values are empty, numbers or a few repeated values. Other columns must look like prose.
pub const TEXT_FIELD_NAMES: &[&str] = &[
    "instruction",
    "input",
    "output",
    "prompt",
    "response",
    "completion",
    "question",
    "answer",
    "context",
    "messages",
    "conversations",
    "text",
    "sentence",
    "content",
];

/// Non-empty values per column and split looked at to decide a column's role.
pub const SAMPLE_VALUES: usize = 10_000;

/// A column whose values each occur in this many rows on average (or more) is a category.
pub const ROWS_PER_DISTINCT_VALUE: usize = 20;

/// Median words at or below which the values of a column not named as text are not prose.
pub const SHORT_WORDS: usize = 3;

/// Keys of an object whose value is the object's text (chat turns: OpenAI `content`,
/// ShareGPT `value`; content parts: `text`). Other keys (`role`, `from`) are never compared.
const CONTENT_KEYS: &[&str] = &["content", "value", "text"];

/// True when `name` is one of [`TEXT_FIELD_NAMES`].
pub fn is_text_field_name(name: &str) -> bool {
    TEXT_FIELD_NAMES.iter().any(|n| name.trim().eq_ignore_ascii_case(n))
}

/// Separates the parts of a list or object cell (its turns) while the splits are read, so
/// that parts repeated across rows can be left out; replaced by a newline in the compared text.
pub const PART_SEPARATOR: char = '\u{1f}';

/// The text of a cell: strings as they are; lists and objects (chat turns, lists of answers,
/// also when a CSV cell holds them as JSON or as Python prints them) as their string contents
/// joined by [`PART_SEPARATOR`], never their keys or roles. The flag is true for lists and objects.
pub fn cell_text<'a>(cell: &Cell<'a>) -> (Option<Cow<'a, str>>, bool) {
    let joined = |v: &Value| {
        let parts = content_parts(v);
        (!parts.is_empty()).then(|| Cow::Owned(parts.join(&PART_SEPARATOR.to_string())))
    };
    match cell {
        Cell::Json(v) => (joined(v), true),
        Cell::Text(s) => match structured(s) {
            Some(v) => (joined(&v), true),
            None => (cell.to_text(), false),
        },
        other => (other.to_text(), false),
    }
}

/// A text cell that holds a JSON or Python list or object.
fn structured(s: &str) -> Option<Value> {
    let t = s.trim_start();
    if !(t.starts_with('[') || t.starts_with('{')) {
        return None;
    }
    // Nested too deeply to be a chat or a list of texts: compared as the text it is.
    crate::cell::parse_structured(s).ok().flatten().filter(|v| v.is_array() || v.is_object())
}

/// The non-empty strings inside `v`, in order: of an object with a content key (a chat turn)
/// only that content, of other objects their values, never keys.
pub fn content_parts(v: &Value) -> Vec<&str> {
    fn walk<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
        match v {
            Value::String(s) if !s.trim().is_empty() => out.push(s),
            Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            Value::Object(map) => match CONTENT_KEYS.iter().find_map(|k| map.get(*k)) {
                Some(c) => walk(c, out),
                None => map.values().for_each(|x| walk(x, out)),
            },
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}

/// The parts of list and object cells (see [`cell_text`]) that occur in
/// [`ROWS_PER_DISTINCT_VALUE`] rows or more of `cells`: a system prompt or a template turn
/// repeated in every conversation, which would make unrelated rows look alike.
pub fn repeated_parts<'a>(cells: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    let mut rows: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for cell in cells {
        let mut parts: Vec<&str> = cell.split(PART_SEPARATOR).collect();
        parts.sort_unstable();
        parts.dedup();
        for p in parts {
            *rows.entry(p).or_default() += 1;
        }
    }
    rows.into_iter().filter(|&(_, n)| n >= ROWS_PER_DISTINCT_VALUE).map(|(p, _)| p.to_string()).collect()
}

/// The compared text of a list or object cell: its parts but `repeated`, one per line.
pub fn joined_parts(cell: &str, repeated: &HashSet<String>) -> String {
    let kept: Vec<&str> = cell.split(PART_SEPARATOR).filter(|p| !repeated.contains(*p)).collect();
    kept.join("\n")
}

/// Words in `s`: whitespace-separated tokens, where each character of a script written
/// without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) counts as a word.
pub fn word_count(s: &str) -> usize {
    s.split(|c: char| c.is_whitespace() || c == PART_SEPARATOR)
        .filter(|t| !t.is_empty())
        .map(|token| {
            let unspaced = token.chars().filter(|&c| unspaced_script(c)).count();
            if unspaced == 0 {
                1
            } else {
                unspaced + usize::from(token.chars().any(|c| !unspaced_script(c) && c.is_alphanumeric()))
            }
        })
        .sum()
}

fn unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FFFF) // CJK extensions B–F
}

/// What a column's values look like, from a sample.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValueStats {
    /// Non-empty values looked at.
    pub values: usize,
    pub distinct: usize,
    /// Median of [`word_count`] over the values (the lower middle value).
    pub median_words: usize,
    /// Every value is a number or a boolean.
    pub numeric: bool,
}

impl ValueStats {
    /// The stats of `values` (non-empty texts).
    pub fn of<'a>(values: impl IntoIterator<Item = &'a str>) -> ValueStats {
        let mut seen = HashSet::new();
        let mut words = Vec::new();
        let mut numeric = true;
        for v in values {
            let t = v.trim();
            numeric &= t.parse::<f64>().is_ok() || t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false");
            seen.insert(t);
            words.push(word_count(t));
        }
        let n = words.len();
        let median_words = if n == 0 { 0 } else { *words.select_nth_unstable((n - 1) / 2).1 };
        ValueStats { values: n, distinct: seen.len(), median_words, numeric: numeric && n > 0 }
    }

    /// Each value occurs in [`ROWS_PER_DISTINCT_VALUE`] rows or more on average, or the
    /// column holds one value: a category, a template or a constant (a system prompt).
    pub fn few_distinct(&self) -> bool {
        self.distinct <= (self.values / ROWS_PER_DISTINCT_VALUE).max(1)
    }
}

/// Why a column is not part of the compared text.
#[derive(Clone, Debug, PartialEq)]
pub enum LeftOut {
    Id,
    Label,
    /// `--text-col` names the text.
    NotNamed,
    Empty,
    Numbers,
    FewDistinct {
        distinct: usize,
        values: usize,
    },
    Short {
        median_words: usize,
    },
    /// Parts of a list or object column (turns) repeated across rows; the column itself is compared.
    RepeatedParts {
        parts: usize,
    },
    /// A list or object column holding nothing but parts repeated across rows (class names).
    OnlyRepeatedParts,
}

impl LeftOut {
    /// The reason, written for the report.
    pub fn describe(&self) -> String {
        match self {
            LeftOut::Id => "the row id".into(),
            LeftOut::Label => "the label (compared for label conflicts)".into(),
            LeftOut::NotNamed => "--text-col names the text".into(),
            LeftOut::Empty => "empty in both splits".into(),
            LeftOut::Numbers => "numbers only".into(),
            LeftOut::FewDistinct { distinct, values } => format!("repeated values: {distinct} distinct in {values} rows"),
            LeftOut::OnlyRepeatedParts => {
                format!("lists or objects of values repeated in {ROWS_PER_DISTINCT_VALUE}+ rows (class names, a template)")
            }
            LeftOut::RepeatedParts { parts } => format!(
                "{parts} turn or item text(s) repeated in {ROWS_PER_DISTINCT_VALUE}+ rows, such as a system prompt, left out of its text"
            ),
            LeftOut::Short { median_words } => format!("short values (median {median_words} words), not named as text"),
        }
    }
}

/// Whether a column is compared, from its pooled values: a column named as a text field
/// ([`is_text_field_name`]) is text unless it is empty, numbers or [`ValueStats::few_distinct`];
/// any other column must also have values longer than [`SHORT_WORDS`] words (prose).
pub fn decide(named: bool, stats: &ValueStats) -> Result<(), LeftOut> {
    if stats.values == 0 {
        return Err(LeftOut::Empty);
    }
    if stats.numeric {
        return Err(LeftOut::Numbers);
    }
    if stats.few_distinct() {
        return Err(LeftOut::FewDistinct { distinct: stats.distinct, values: stats.values });
    }
    if !named && stats.median_words <= SHORT_WORDS {
        return Err(LeftOut::Short { median_words: stats.median_words });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(values: &[String]) -> ValueStats {
        ValueStats::of(values.iter().map(String::as_str))
    }

    #[test]
    fn categorical_columns_are_left_out_and_text_kept() {
        let rows = 100;
        let topic: Vec<String> = (0..rows).map(|i| ["math", "code", "history", "biology"][i % 4].into()).collect();
        let answer: Vec<String> = (0..rows).map(|i| format!("Paris {i}")).collect();
        let prose: Vec<String> = (0..rows).map(|i| format!("a sentence of several words number {i}")).collect();
        let ids: Vec<String> = (0..rows).map(|i| format!("q-{i:05}")).collect();
        let numbers: Vec<String> = (0..rows).map(|i| format!("{}.5", i)).collect();
        let system = vec!["You are a helpful assistant who answers questions well.".to_string(); rows];
        assert_eq!(decide(false, &stats(&topic)), Err(LeftOut::FewDistinct { distinct: 4, values: 100 }));
        assert_eq!(decide(true, &stats(&topic)), Err(LeftOut::FewDistinct { distinct: 4, values: 100 }));
        // A short answer is text when the column is named as a text field, not otherwise.
        assert_eq!(decide(true, &stats(&answer)), Ok(()));
        assert_eq!(decide(false, &stats(&answer)), Err(LeftOut::Short { median_words: 2 }));
        assert_eq!(decide(false, &stats(&prose)), Ok(()));
        assert_eq!(decide(false, &stats(&ids)), Err(LeftOut::Short { median_words: 1 }));
        assert_eq!(decide(true, &stats(&numbers)), Err(LeftOut::Numbers));
        // A constant system prompt is long but carries nothing about the row.
        assert!(matches!(decide(false, &stats(&system)), Err(LeftOut::FewDistinct { distinct: 1, .. })));
        assert_eq!(decide(true, &stats(&[])), Err(LeftOut::Empty));
        // Ten distinct topics in twelve rows: not repeated enough to be a category, but short.
        let small: Vec<String> = (0..12).map(|i| format!("topic {}", i % 10)).collect();
        assert_eq!(decide(false, &stats(&small)), Err(LeftOut::Short { median_words: 2 }));
    }

    #[test]
    fn stats_count_words_distinct_values_and_numbers() {
        let s = stats(&["one two three".into(), "one".into(), "one".into(), "a b c d e".into()]);
        assert_eq!((s.values, s.distinct, s.median_words, s.numeric), (4, 3, 1, false));
        assert!(stats(&["1".into(), "2.5".into(), "true".into(), "-3e4".into()]).numeric);
        // Chinese and Thai are written without spaces: their characters count as words.
        assert_eq!(word_count("机器学习是什么"), 7);
        assert_eq!(word_count("GPU 显存不够"), 5);
        assert_eq!(word_count("  hello   world "), 2);
        assert_eq!(word_count("ภาษาไทย"), 7);
    }

    #[test]
    fn lists_and_objects_give_their_contents_never_keys_or_roles() {
        let chat: Value = serde_json::json!([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "What is LoRA?"}]},
            {"role": "assistant", "content": "A low-rank adapter."}
        ]);
        assert_eq!(content_parts(&chat), ["Be brief.", "What is LoRA?", "A low-rank adapter."]);
        let sharegpt = serde_json::json!([{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]);
        assert_eq!(content_parts(&sharegpt), ["hi", "hello"]);
        let (text, structured) = cell_text(&Cell::Json(Cow::Owned(sharegpt)));
        assert_eq!((text.as_deref(), structured), (Some("hi\u{1f}hello"), true));
        // A CSV cell with a Python-printed list of turns, and one that only looks like a list.
        let (text, structured) = cell_text(&Cell::Text("[{'role': 'user', 'content': \"don't\"}]"));
        assert_eq!((text.as_deref(), structured), (Some("don't"), true));
        let (text, structured) = cell_text(&Cell::Text("[Intro] the paper"));
        assert_eq!((text.as_deref(), structured), (Some("[Intro] the paper"), false));
        // Lists of numbers have no text.
        assert_eq!(cell_text(&Cell::Json(Cow::Owned(serde_json::json!([0.1, 0.2])))).0, None);
        assert_eq!(cell_text(&Cell::Number(3.0)).0.as_deref(), Some("3"));
    }

    #[test]
    fn parts_repeated_in_many_rows_are_left_out() {
        let cells: Vec<String> = (0..25).map(|i| format!("Be brief.\u{1f}question {i}\u{1f}answer {i}")).collect();
        let repeated = repeated_parts(cells.iter().map(String::as_str));
        assert_eq!(repeated.into_iter().collect::<Vec<_>>(), ["Be brief."]);
        let few = repeated_parts(cells[..19].iter().map(String::as_str));
        assert!(few.is_empty(), "19 rows are not enough: {few:?}");
        let repeated: HashSet<String> = ["Be brief.".to_string()].into();
        assert_eq!(joined_parts(&cells[3], &repeated), "question 3\nanswer 3");
        assert_eq!(word_count(&cells[3]), 6, "the part separator separates words");
    }

    #[test]
    fn names_are_matched_case_insensitively() {
        assert!(is_text_field_name(" Instruction") && is_text_field_name("MESSAGES"));
        assert!(!is_text_field_name("topic") && !is_text_field_name("instructions_id"));
    }
}

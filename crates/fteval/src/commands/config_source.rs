//! Where each value of fteval.toml was written — the file, the key and its line — so that an
//! error caused by a config value names the key (`[columns] label`), not a flag the user never
//! typed.

use std::collections::BTreeMap;
use std::path::Path;

use toml_edit::{ImDocument, Item, TableLike, Value};

use crate::error::CliError;
use crate::ranges::OutOfRange;

/// A config file's path and the line of each of its keys.
#[derive(Clone, Debug, Default)]
pub struct ConfigSource {
    /// The path as given (`fteval.toml`, `path/to/fteval.toml`).
    pub path: String,
    /// Dotted key → 1-based line: `margin`, `cost.fp`, `gates.max_regression.f1`, and
    /// `gates.require.0` for the first element of an array.
    lines: BTreeMap<String, usize>,
}

/// An input flag whose value the config file supplied: the flag the readers' messages name,
/// the key that set it, and the value.
#[derive(Clone, Debug)]
pub struct Filled {
    pub flag: &'static str,
    pub key: &'static str,
    pub value: String,
}

/// How a dotted key is written in the file: `margin`, `[cost] fp`, `[gates] max_regression.f1`.
pub fn key_name(key: &str) -> String {
    match key.split_once('.') {
        Some((table, rest)) => format!("[{table}] {rest}"),
        None => key.to_string(),
    }
}

/// A string as TOML writes it: `"spam"`, control characters escaped.
pub fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// A number as TOML writes it: `inf`, `nan`, `0.5`.
pub fn toml_number(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else {
        v.to_string()
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Records the line of every key under `table` (and of every array element), prefixed by `prefix`.
fn record_lines(table: &dyn TableLike, prefix: &str, text: &str, lines: &mut BTreeMap<String, usize>) {
    for (name, _) in table.iter() {
        let Some((key, item)) = table.get_key_value(name) else { continue };
        let path = if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
        if let Some(span) = key.span() {
            lines.insert(path.clone(), line_of(text, span.start));
        }
        if let Some(t) = item.as_table_like() {
            record_lines(t, &path, text, lines);
        } else if let Item::Value(Value::Array(a)) = item {
            for (i, v) in a.iter().enumerate() {
                if let Some(span) = v.span() {
                    lines.insert(format!("{path}.{i}"), line_of(text, span.start));
                }
            }
        }
    }
}

impl ConfigSource {
    /// The lines of `text`'s keys (none when it is not valid TOML: its parse error has a line).
    pub fn parse(path: &Path, text: &str) -> ConfigSource {
        let mut lines = BTreeMap::new();
        if let Ok(doc) = ImDocument::parse(text) {
            record_lines(doc.as_table(), "", text, &mut lines);
        }
        ConfigSource { path: path.display().to_string(), lines }
    }

    /// The line `key` (dotted) is written on.
    pub fn line(&self, key: &str) -> Option<usize> {
        self.lines.get(key).copied()
    }

    /// The keys written on `line`, for a parse error that names only the line.
    pub fn keys_on_line(&self, line: usize) -> Vec<String> {
        self.lines
            .iter()
            .filter(|(k, &l)| l == line && !k.ends_with(|c: char| c.is_ascii_digit()))
            .map(|(k, _)| key_name(k))
            .collect()
    }

    /// `fteval.toml: line 3: margin = inf`: where `key` (dotted; `line_key` when the line is an
    /// array element's) was set to `value`, to start an error message.
    pub fn at(&self, key: &str, line_key: &str, value: &str) -> String {
        match self.line(line_key).or_else(|| self.line(key)) {
            Some(n) => format!("{}: line {n}: {} = {value}", self.path, key_name(key)),
            None => format!("{}: {} = {value}", self.path, key_name(key)),
        }
    }

    /// `[columns] label = "gold" (fteval.toml, line 7)`: the same, to stand inside the message
    /// of the data file the value was used on.
    pub fn inside(&self, key: &str, value: &str) -> String {
        match self.line(key) {
            Some(n) => format!("{} = {value} ({}, line {n})", key_name(key), self.path),
            None => format!("{} = {value} ({})", key_name(key), self.path),
        }
    }

    /// The hint's advice to fix `key` where it is written.
    pub fn fix(&self, key: &str) -> String {
        match self.line(key) {
            Some(n) => format!("fix {} on line {n} of {}", key_name(key), self.path),
            None => format!("fix {} in {}", key_name(key), self.path),
        }
    }

    /// The error for a number of `key` its rule rejects.
    pub fn out_of_range(&self, key: &str, value: f64, e: OutOfRange) -> CliError {
        CliError::usage(
            format!("{}: {}", self.at(key, key, &toml_number(value)), e.why),
            format!("{}; {}, or remove it for the default", e.advice, self.fix(key)),
        )
    }

    /// `e` with each flag the config filled named by its key instead: a reader's
    /// `--label-col gold: no such column` becomes `[columns] label = "gold" (fteval.toml, line
    /// 7): no such column`, and the hint says where to fix it.
    pub fn attribute(&self, filled: &[Filled], mut e: CliError) -> CliError {
        for f in filled {
            let said = format!("{} {}", f.flag, f.value);
            if e.message.contains(&said) {
                e.message = e.message.replacen(&said, &self.inside(f.key, &quoted(&f.value)), 1);
                let fix = self.fix(f.key);
                e.hint = if e.hint.is_empty() { fix } else { format!("{}; {fix}", e.hint) };
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "profile = \"fraud\"\nmargin = inf\n\n[cost]\nfp = -1\nfn = 2\n\n[gates]\nrequire = [\n  \"recall>=0.9\",\n  \"nope>=1\",\n]\nmax_regression = { f1 = 0.01 }\n\n[columns]\nlabel = \"gold\"\n";

    #[test]
    fn every_key_and_array_element_has_its_line() {
        let src = ConfigSource::parse(Path::new("fteval.toml"), TEXT);
        for (key, line) in [
            ("profile", 1),
            ("margin", 2),
            ("cost.fp", 5),
            ("cost.fn", 6),
            ("gates.require", 9),
            ("gates.require.0", 10),
            ("gates.require.1", 11),
            ("gates.max_regression.f1", 13),
            ("columns.label", 16),
        ] {
            assert_eq!(src.line(key), Some(line), "{key}");
        }
        assert_eq!(src.at("cost.fp", "cost.fp", "-1"), "fteval.toml: line 5: [cost] fp = -1");
        assert_eq!(
            src.at("gates.require", "gates.require.1", "\"nope>=1\""),
            "fteval.toml: line 11: [gates] require = \"nope>=1\""
        );
        assert_eq!(src.keys_on_line(2), vec!["margin"]);
    }

    #[test]
    fn a_readers_flag_is_renamed_to_the_key_that_set_it() {
        let src = ConfigSource::parse(Path::new("fteval.toml"), TEXT);
        let filled = [Filled { flag: "--label-col", key: "columns.label", value: "gold".into() }];
        let e = CliError::usage("base.csv: --label-col gold: no such column", "the columns are: a, b");
        let e = src.attribute(&filled, e);
        assert_eq!(e.message, "base.csv: [columns] label = \"gold\" (fteval.toml, line 16): no such column");
        assert_eq!(e.hint, "the columns are: a, b; fix [columns] label on line 16 of fteval.toml");
        // A message about another flag is left alone.
        let other = CliError::usage("base.csv: --pred-col gold: no such column", "");
        assert_eq!(src.attribute(&filled, other).message, "base.csv: --pred-col gold: no such column");
    }
}

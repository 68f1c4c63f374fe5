//! Reading the train and test splits for `fteval leakage`: each row's id, the text compared
//! (its text fields' contents), and its label when the file has one.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::columns::{ColumnOverrides, ColumnPlan};
use crate::error::{InputError, Result};
use crate::formats;
use crate::source::Format;
use crate::text_fields::{
    cell_text, decide, is_text_field_name, joined_parts, repeated_parts, LeftOut, ValueStats, PART_SEPARATOR,
    SAMPLE_VALUES,
};

/// One split, column by column.
#[derive(Clone, Debug, Default)]
pub struct SplitTable {
    /// The file as displayed in messages and reports.
    pub file: String,
    /// The id column's values, or row numbers (1-based) when the file has none.
    pub ids: Vec<String>,
    pub texts: Vec<String>,
    pub labels: Vec<Option<String>>,
    /// What was compared, for the report: the text fields, or `"all feature columns: a, b, c"`
    /// for tabular data.
    pub compared: String,
    /// The columns whose contents make up each row's text, in the order they are joined.
    pub text_fields: Vec<String>,
    /// The other columns and why each is not compared.
    pub left_out: Vec<(String, LeftOut)>,
    /// The label column, when there is one.
    pub label_column: Option<String>,
}

/// Columns named on the command line.
#[derive(Clone, Debug, Default)]
pub struct SplitColumns {
    pub id: Option<String>,
    pub label: Option<String>,
    pub text: Option<String>,
}

/// Reads both splits and chooses their text fields together, so that both are compared on the
/// same fields (see [`crate::text_fields`]).
///
/// `--text-col` names the one text column. Otherwise the text of a row is the contents of its
/// text fields joined by newlines, never the column names: columns named as instruction, chat
/// or text fields, and any other column whose values look like prose. Short categorical
/// columns (topic, difficulty, split, source), ids and numbers are left out. A file with no
/// text at all is compared on every column but the id and label, as `name=value` pairs
/// (tabular data).
pub fn read_splits(
    train: &str,
    test: &str,
    columns: &SplitColumns,
    format: Option<Format>,
) -> Result<(SplitTable, SplitTable)> {
    let mut held = HeldSize::new();
    let train = RawSplit::read(train, columns, format, &mut held)?;
    let test = RawSplit::read(test, columns, format, &mut held)?;
    let choice = FieldChoice::of(&[&train, &test], columns);
    Ok((train.into_table(&choice)?, test.into_table(&choice)?))
}

/// Memory the scan holds for one row beyond its text: the row's strings and vectors as read, its
/// text hash, shingle hashes, MinHash band keys and marks (measured: 5M rows of a 21-byte text
/// peak at 2.7 GB, about 530 bytes a row).
const SCAN_BYTES_PER_ROW: u64 = 512;

/// What both splits will hold in memory during the scan, counted as the rows are read against
/// twice the input-size limit (two inputs): a file of many short rows holds far more than its
/// size (a 512 MiB gzip bomb of one short row repeated is 20 million rows, about 10 GB), so the
/// size of each file alone bounds nothing.
struct HeldSize {
    bytes: u64,
    max: u64,
}

impl HeldSize {
    fn new() -> HeldSize {
        HeldSize { bytes: 0, max: crate::limits::current().max_input.saturating_mul(2) }
    }

    /// Counts one row of `file` with `text_bytes` of cells; an error at `at` once the splits hold
    /// more than the limit.
    fn add_row(&mut self, file: &str, text_bytes: usize, at: formats::Location) -> Result<()> {
        // Text is held about twice: as read and as normalised for the comparison.
        self.bytes += SCAN_BYTES_PER_ROW + 2 * text_bytes as u64;
        if self.bytes <= self.max {
            return Ok(());
        }
        let limit = crate::limits::show_size(self.max);
        Err(InputError::new(
            file,
            format!(
                "the leakage scan would hold more than {limit} in memory for the two splits (twice the {} input-size limit; about {SCAN_BYTES_PER_ROW} bytes a row plus twice its text), so this split was not read to the end",
                crate::limits::show_size(self.max / 2)
            ),
            format!(
                "raise the limit with {flag} (e.g. {flag} 4G) on a machine with the memory for it, or scan the training split in parts (each part against the same test split) and join the flagged rows",
                flag = crate::limits::INPUT_FLAG
            ),
        )
        .at(at.to_string()))
    }
}

/// One split as read, before its text is put together: every column but the id, as text.
struct RawSplit {
    file: String,
    names: Vec<String>,
    id: Option<usize>,
    label: Option<usize>,
    /// `--text-col`, when given: the only column kept.
    explicit_text: Option<usize>,
    ids: Vec<String>,
    /// Column-major cell texts (empty vectors for columns not kept).
    cells: Vec<Vec<Option<String>>>,
    /// Cells per column that held a list or an object (chat turns).
    structured: Vec<usize>,
}

impl RawSplit {
    fn read(path: &str, columns: &SplitColumns, format: Option<Format>, held: &mut HeldSize) -> Result<RawSplit> {
        let mut source = formats::open_table(path, format)?;
        let file = crate::source::display_name(path);
        // Only the explicit text column is a text role here: detection is by values below.
        let overrides = ColumnOverrides {
            id: columns.id.clone(),
            label: columns.label.clone(),
            text: columns.text.clone(),
            no_score_detection: true,
            ..Default::default()
        };
        let names = source.columns().to_vec();
        let plan = ColumnPlan::resolve(&file, &names, &overrides)?;
        let explicit_text = columns.text.as_ref().and(plan.text);
        let kept: Vec<bool> = (0..names.len())
            .map(|c| match explicit_text {
                Some(t) => c == t || Some(c) == plan.label,
                None => Some(c) != plan.id,
            })
            .collect();
        let mut split = RawSplit {
            file,
            cells: vec![Vec::new(); names.len()],
            structured: vec![0; names.len()],
            names,
            id: plan.id,
            label: plan.label,
            explicit_text,
            ids: Vec::new(),
        };
        let mut row_number = 0usize;
        source.for_each_row(&mut |row| {
            row_number += 1;
            let id = split.id.and_then(|c| row.cell(c).to_text().map(|t| t.into_owned()));
            let id = id.unwrap_or_else(|| row_number.to_string());
            let mut bytes = id.len();
            split.ids.push(id);
            for (c, column) in split.cells.iter_mut().enumerate() {
                if !kept[c] {
                    continue;
                }
                let (text, structured) = cell_text(&row.cell(c));
                split.structured[c] += usize::from(structured);
                bytes += text.as_ref().map_or(0, |t| t.len());
                column.push(text.map(Cow::into_owned));
            }
            held.add_row(&split.file, bytes, row.location())
        })?;
        Ok(split)
    }

    /// The first [`SAMPLE_VALUES`] non-empty values of column `c`.
    fn sample(&self, c: usize) -> impl Iterator<Item = &str> {
        self.cells[c].iter().filter_map(|v| v.as_deref()).filter(|v| !v.trim().is_empty()).take(SAMPLE_VALUES)
    }

    /// The column called `key` (a [`FieldChoice`] key) in this split.
    fn column(&self, key: &str) -> Option<usize> {
        self.names.iter().position(|n| name_key(n) == key)
    }

    fn into_table(mut self, choice: &FieldChoice) -> Result<SplitTable> {
        let label = self.label.filter(|&l| !choice.text.iter().any(|k| *k == name_key(&self.names[l])));
        let fields: Vec<usize> = if choice.tabular {
            (0..self.names.len()).filter(|&c| Some(c) != self.id && Some(c) != label).collect()
        } else {
            choice.text.iter().filter_map(|k| self.column(k)).collect()
        };
        if fields.is_empty() {
            let message = if choice.tabular {
                "no column to compare: the file has only an id and a label column".to_string()
            } else {
                format!("none of the text fields of the other split ({}) is in this file", choice.text.join(", "))
            };
            return Err(InputError::new(
                &self.file,
                message,
                "give the text with --text-col, or a file with text or feature columns",
            ));
        }
        let compared = if choice.tabular {
            format!("all feature columns: {}", self.joined_names(&fields))
        } else {
            fields
                .iter()
                .map(|&c| {
                    let name = self.names[c].clone();
                    if self.structured[c] > 0 {
                        format!("{name} (the contents of its turns, lists or objects)")
                    } else {
                        name
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let labels = match label {
            Some(l) => std::mem::take(&mut self.cells[l]).into_iter().map(|v| v.map(trimmed)).collect(),
            None => vec![None; self.ids.len()],
        };
        let texts = if choice.tabular {
            self.tabular_texts(&fields)
        } else if let ([only], false) = (&fields[..], fields.iter().any(|&c| self.structured[c] > 0)) {
            std::mem::take(&mut self.cells[*only]).into_iter().map(Option::unwrap_or_default).collect()
        } else {
            self.joined_texts(&fields, choice)
        };
        let left_out = (0..self.names.len())
            .filter(|c| !fields.contains(c))
            .filter_map(|c| {
                let why = if Some(c) == self.id {
                    LeftOut::Id
                } else if Some(c) == label {
                    LeftOut::Label
                } else if self.explicit_text.is_some() {
                    LeftOut::NotNamed
                } else {
                    choice.left_out.iter().find(|(k, _)| *k == name_key(&self.names[c]))?.1.clone()
                };
                Some((self.names[c].clone(), why))
            })
            .chain(fields.iter().filter(|&&c| self.structured[c] > 0).filter_map(|&c| {
                let parts = choice.repeated_parts(&self.names[c])?.len();
                Some((self.names[c].clone(), LeftOut::RepeatedParts { parts }))
            }))
            .collect();
        Ok(SplitTable {
            text_fields: fields.iter().map(|&c| self.names[c].clone()).collect(),
            label_column: label.map(|l| self.names[l].clone()),
            file: self.file,
            ids: self.ids,
            texts,
            labels,
            compared,
            left_out,
        })
    }

    fn joined_names(&self, fields: &[usize]) -> String {
        fields.iter().map(|&c| self.names[c].as_str()).collect::<Vec<_>>().join(", ")
    }

    /// Each row's text fields' contents, joined by newlines (whitespace to the comparison);
    /// of list and object cells, the parts not repeated across rows.
    fn joined_texts(&self, fields: &[usize], choice: &FieldChoice) -> Vec<String> {
        let none = HashSet::new();
        let repeated: Vec<&HashSet<String>> = fields
            .iter()
            .map(|&c| choice.repeated_parts(&self.names[c]).filter(|_| self.structured[c] > 0).unwrap_or(&none))
            .collect();
        (0..self.ids.len())
            .map(|r| {
                let mut s = String::new();
                for (i, &c) in fields.iter().enumerate() {
                    let Some(v) = self.cells[c][r].as_deref() else { continue };
                    let v = if self.structured[c] > 0 {
                        Cow::Owned(joined_parts(v, repeated[i]))
                    } else {
                        Cow::Borrowed(v)
                    };
                    if v.is_empty() {
                        continue;
                    }
                    if !s.is_empty() {
                        s.push('\n');
                    }
                    s.push_str(&v);
                }
                s
            })
            .collect()
    }

    /// Tabular rows as `name=value` pairs, so a value is compared in its own column only.
    fn tabular_texts(&self, fields: &[usize]) -> Vec<String> {
        (0..self.ids.len())
            .map(|r| {
                let mut s = String::new();
                for &c in fields {
                    if !s.is_empty() {
                        s.push_str(" ; ");
                    }
                    s.push_str(&self.names[c]);
                    s.push('=');
                    let value = self.cells[c][r].as_deref().unwrap_or("");
                    if self.structured[c] > 0 {
                        s.push_str(&value.replace(PART_SEPARATOR, "\n"));
                    } else {
                        s.push_str(value);
                    }
                }
                s
            })
            .collect()
    }
}

/// `s` without surrounding whitespace, reusing its allocation when it has none.
fn trimmed(s: String) -> String {
    if s.trim().len() == s.len() {
        s
    } else {
        s.trim().to_string()
    }
}

/// A column name as the two splits are matched on: trimmed and lowercased.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The text fields of both splits, decided on their pooled values.
#[derive(Clone, Debug, Default)]
struct FieldChoice {
    /// Name keys of the text fields, in the order their contents are joined.
    text: Vec<String>,
    /// Name keys of the other columns (not the id, label or explicit text) and why.
    left_out: Vec<(String, LeftOut)>,
    /// No text field: every column but the id and label is compared.
    tabular: bool,
    /// Per list or object text field (name key): the parts repeated across rows, left out.
    repeated: Vec<(String, HashSet<String>)>,
}

impl FieldChoice {
    fn of(splits: &[&RawSplit], columns: &SplitColumns) -> FieldChoice {
        if let Some(t) = &columns.text {
            return FieldChoice { text: vec![name_key(t)], ..Default::default() };
        }
        // Every column name of the splits, in the order first seen, but ids.
        let mut keys: Vec<String> = Vec::new();
        for s in splits {
            for (c, n) in s.names.iter().enumerate() {
                let k = name_key(n);
                if Some(c) != s.id && !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        let mut choice = FieldChoice::default();
        for key in keys {
            let mut values = Vec::new();
            let mut is_label = false;
            for s in splits {
                if let Some(c) = s.column(&key) {
                    values.extend(s.sample(c));
                    is_label |= Some(c) == s.label;
                }
            }
            let structured = splits.iter().any(|s| s.column(&key).is_some_and(|c| s.structured[c] > 0));
            // Lists and objects are judged on what is left of them without their repeated parts.
            let mut only_repeated = false;
            let stats = match structured.then(|| repeated_parts(values.iter().copied())) {
                Some(repeated) if !repeated.is_empty() => {
                    let kept: Vec<String> = values.iter().map(|v| joined_parts(v, &repeated)).collect();
                    let stats = ValueStats::of(kept.iter().map(String::as_str).filter(|v| !v.is_empty()));
                    only_repeated = stats.values == 0 && !values.is_empty();
                    choice.repeated.push((key.clone(), repeated));
                    stats
                }
                _ => ValueStats::of(values),
            };
            // A detected label column holding prose (a reference answer) is text, not a label.
            let named = is_text_field_name(&key) && !is_label;
            let decision =
                decide(named, &stats).map_err(|why| if only_repeated { LeftOut::OnlyRepeatedParts } else { why });
            match decision {
                Ok(()) if !(is_label && columns.label.is_some()) => choice.text.push(key),
                Ok(()) => {}
                Err(_) if is_label => {}
                Err(why) => choice.left_out.push((key, why)),
            }
        }
        choice.tabular = choice.text.is_empty();
        if choice.tabular {
            choice.left_out.clear();
        }
        choice.repeated.retain(|(k, _)| choice.text.contains(k));
        choice
    }

    /// The repeated parts left out of list or object column `name`.
    fn repeated_parts(&self, name: &str) -> Option<&HashSet<String>> {
        let key = name_key(name);
        self.repeated.iter().find(|(k, _)| *k == key).map(|(_, r)| r)
    }
}

/// Writes the rows of `path` whose `keep` entry is true to `out`, every column kept: JSON
/// Lines when `jsonl`, CSV otherwise; `shown` names the destination in errors. Returns the rows
/// written. The caller owns the destination (the binary writes it whole or not at all).
pub fn write_kept_rows(
    path: &str,
    format: Option<Format>,
    keep: &[bool],
    out: &mut dyn std::io::Write,
    jsonl: bool,
    shown: &str,
) -> Result<usize> {
    use std::io::Write;
    let write_error = |e: &dyn std::fmt::Display| {
        InputError::new(
            shown,
            format!("cannot write the clean test rows: {e}"),
            "check that the folder is writable and has free space; the previous file, if any, is left as it was",
        )
    };
    let mut source = formats::open_table(path, format)?;
    let names = source.columns().to_vec();
    enum Sink<'a> {
        Csv(Box<csv::Writer<&'a mut dyn std::io::Write>>),
        Jsonl(&'a mut dyn std::io::Write, Vec<u8>),
    }
    let mut sink =
        if jsonl { Sink::Jsonl(out, Vec::new()) } else { Sink::Csv(Box::new(csv::Writer::from_writer(out))) };
    if let Sink::Csv(w) = &mut sink {
        w.write_record(&names).map_err(|e| write_error(&e))?;
    }
    let (mut index, mut written) = (0usize, 0usize);
    source.for_each_row(&mut |row| {
        let kept = keep.get(index).copied().unwrap_or(false);
        index += 1;
        if !kept {
            return Ok(());
        }
        written += 1;
        match &mut sink {
            Sink::Csv(w) => {
                let cells: Vec<String> = (0..names.len())
                    .map(|c| row.cell(c).to_text().map(|t| t.into_owned()).unwrap_or_default())
                    .collect();
                w.write_record(&cells).map_err(|e| write_error(&e))?;
            }
            Sink::Jsonl(w, line) => {
                let mut obj = serde_json::Map::new();
                for (c, name) in names.iter().enumerate() {
                    let v = match row.cell(c) {
                        crate::cell::Cell::Missing | crate::cell::Cell::Null => serde_json::Value::Null,
                        crate::cell::Cell::Text(s) => serde_json::Value::String(s.to_string()),
                        crate::cell::Cell::Number(x) => {
                            serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
                        }
                        crate::cell::Cell::Bool(b) => serde_json::Value::Bool(b),
                        crate::cell::Cell::Json(v) => v.into_owned(),
                    };
                    obj.insert(name.clone(), v);
                }
                line.clear();
                serde_json::to_writer(&mut *line, &obj).map_err(|e| write_error(&e))?;
                line.push(b'\n');
                w.write_all(line).map_err(|e| write_error(&e))?;
            }
        }
        Ok(())
    })?;
    if let Sink::Csv(mut w) = sink {
        w.flush().map_err(|e| write_error(&e))?;
    }
    Ok(written)
}

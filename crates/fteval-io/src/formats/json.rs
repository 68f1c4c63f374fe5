//! JSON Lines (one object per line) and JSON arrays of objects.

use std::io::BufRead;

use serde_json::{Map, Value};

use super::{Location, Row, RowSource};
use crate::cell::Cell;
use crate::error::{InputError, Result};
use crate::source;

struct ObjectRow<'a> {
    object: &'a Map<String, Value>,
    columns: &'a [String],
    location: Location,
}

impl Row for ObjectRow<'_> {
    fn cell(&self, column: usize) -> Cell<'_> {
        match self.object.get(&self.columns[column]) {
            Some(v) => Cell::from_json(v),
            None => Cell::Missing,
        }
    }
    fn location(&self) -> Location {
        self.location
    }
}

/// Column names: the first object's keys, then keys first seen in later objects.
fn extend_columns(columns: &mut Vec<String>, object: &Map<String, Value>) {
    for k in object.keys() {
        if !columns.iter().any(|c| c == k) {
            columns.push(k.clone());
        }
    }
}

pub struct JsonLinesSource {
    name: String,
    lines: Vec<(u64, Map<String, Value>)>,
    pending: Option<Box<dyn BufRead>>,
    /// The number of the last line read, and the byte offset after it.
    next_line: u64,
    offset: u64,
    columns: Vec<String>,
}

/// Objects read before streaming starts, to find every column.
const PEEK_OBJECTS: usize = 1000;

const NOT_OBJECT_HINT: &str =
    "each line of a .jsonl file must be one JSON object, e.g. {\"id\": 1, \"label\": \"spam\", \"pred\": \"ham\"}";

impl JsonLinesSource {
    /// Reads the first objects (up to `PEEK_OBJECTS`) to learn the columns — a key may first
    /// appear after a row that lacks it; the rest is streamed.
    pub fn open(path: &str, name: &str) -> Result<JsonLinesSource> {
        let mut reader = source::open_rows(path, source::Rows::Lines)?;
        let mut src = JsonLinesSource {
            name: name.to_string(),
            lines: Vec::new(),
            pending: None,
            next_line: 0,
            offset: 0,
            columns: Vec::new(),
        };
        let mut buf = Vec::new();
        while let Some(text) = src.next_line(&mut *reader, &mut buf)? {
            if text.trim().is_empty() {
                continue;
            }
            let object = src.parse(text, src.next_line)?;
            extend_columns(&mut src.columns, &object);
            src.lines.push((src.next_line, object));
            if src.lines.len() >= PEEK_OBJECTS {
                break;
            }
        }
        if src.columns.is_empty() {
            return Err(InputError::new(name, "no JSON objects found: the file is empty", NOT_OBJECT_HINT));
        }
        src.pending = Some(reader);
        Ok(src)
    }

    /// The next line of `reader` as text (None at the end), read into `buf`; invalid UTF-8 is
    /// an error naming the line and the byte offset.
    fn next_line<'b>(&mut self, reader: &mut dyn BufRead, buf: &'b mut Vec<u8>) -> Result<Option<&'b str>> {
        buf.clear();
        let read = reader.read_until(b'\n', buf).map_err(|e| source::read_error(&self.name, &e))?;
        if read == 0 {
            return Ok(None);
        }
        self.next_line += 1;
        let start = self.offset;
        self.offset += read as u64;
        match std::str::from_utf8(buf) {
            Ok(text) => Ok(Some(text)),
            Err(e) => Err(InputError::new(
                &self.name,
                format!(
                    "the text is not valid UTF-8 (byte {} of the line, byte {} of the file)",
                    e.valid_up_to() + 1,
                    start + e.valid_up_to() as u64
                ),
                "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`); JSON must be UTF-8",
            )
            .at(format!("line {}", self.next_line))),
        }
    }

    fn parse(&self, text: &str, line: u64) -> Result<Map<String, Value>> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(other) => Err(InputError::new(
                &self.name,
                format!("expected a JSON object, found {}", kind(&other)),
                NOT_OBJECT_HINT,
            )
            .at(format!("line {line}"))),
            Err(e) => {
                let hint = if text.contains("NaN") || text.contains("Infinity") {
                    "JSON has no NaN or Infinity (Python's json module writes them anyway); write null for missing values"
                } else {
                    NOT_OBJECT_HINT
                };
                Err(InputError::new(&self.name, format!("not valid JSON ({})", json_reason(&e)), hint)
                    .at(format!("line {line}, column {}", e.column())))
            }
        }
    }
}

/// serde_json's message without its own "at line 1 column N" suffix (we give the file's line);
/// its recursion limit said as the nesting limit it is.
pub(crate) fn json_reason(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    if s == "recursion limit exceeded" {
        format!("nested deeper than {} levels", crate::limits::MAX_DEPTH)
    } else {
        s
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl RowSource for JsonLinesSource {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn for_each_row(&mut self, f: &mut dyn FnMut(&dyn Row) -> Result<()>) -> Result<()> {
        for (line, object) in std::mem::take(&mut self.lines) {
            f(&ObjectRow { object: &object, columns: &self.columns, location: Location::Line(line) })?;
        }
        let Some(mut reader) = self.pending.take() else {
            return Ok(());
        };
        let mut buf = Vec::new();
        loop {
            let Some(text) = self.next_line(&mut *reader, &mut buf)? else { return Ok(()) };
            if text.trim().is_empty() {
                continue;
            }
            let object = self.parse(text, self.next_line)?;
            f(&ObjectRow { object: &object, columns: &self.columns, location: Location::Line(self.next_line) })?;
        }
    }
}

/// A JSON array of objects (or `{"data": [...]}`-style wrapper holding one), read twice as a
/// stream — once for the columns, once for the rows — so memory holds one record at a time, not
/// a tree of the whole file (several times its size).
pub struct JsonArraySource {
    path: String,
    name: String,
    columns: Vec<String>,
}

const RECORDS_HINT: &str = "write records, e.g. pandas `df.to_json(path, orient=\"records\")`, or use JSON Lines";

impl JsonArraySource {
    pub fn open(path: &str, name: &str) -> Result<JsonArraySource> {
        let mut columns = Vec::new();
        stream_records(path, name, &mut |_, object| {
            extend_columns(&mut columns, object);
            Ok(())
        })?;
        if columns.is_empty() {
            return Err(InputError::new(
                name,
                "no records found: the array is empty",
                "the file must hold one object per example",
            ));
        }
        Ok(JsonArraySource { path: path.to_string(), name: name.to_string(), columns })
    }
}

impl RowSource for JsonArraySource {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn for_each_row(&mut self, f: &mut dyn FnMut(&dyn Row) -> Result<()>) -> Result<()> {
        let columns = &self.columns;
        stream_records(&self.path, &self.name, &mut |record, object| {
            f(&ObjectRow { object, columns, location: Location::Record(record) })
        })
    }
}

/// Calls `on_record` with each record (numbered from 1) of the JSON array in `path`, parsing one
/// record at a time.
fn stream_records(
    path: &str,
    name: &str,
    on_record: &mut dyn FnMut(u64, &Map<String, Value>) -> Result<()>,
) -> Result<()> {
    let reader = source::open(path)?;
    let mut walk = Walk { on_record, records: 0, failed: None, name };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let top = serde::de::DeserializeSeed::deserialize(Top(&mut walk), &mut de).and_then(|top| de.end().map(|_| top));
    let invalid = |e: serde_json::Error| {
        if e.is_io() {
            return source::read_error(name, &std::io::Error::from(e));
        }
        InputError::new(
            name,
            format!("invalid JSON ({})", json_reason(&e)),
            "a .json prediction file must be an array of objects; use .jsonl for one object per line",
        )
        .at(format!("line {}, column {}", e.line(), e.column()))
    };
    match top {
        Err(e) => Err(walk.failed.take().unwrap_or_else(|| invalid(e))),
        Ok(Shape::Records) => Ok(()),
        Ok(Shape::Wrapper) => {
            Err(InputError::new(name, "expected an array of objects (one per example), found an object", RECORDS_HINT))
        }
        Ok(Shape::Scalar(kind)) => {
            Err(InputError::new(name, format!("expected an array of objects, found {kind}"), RECORDS_HINT))
        }
    }
}

/// The state of one pass over the records.
struct Walk<'f> {
    on_record: &'f mut dyn FnMut(u64, &Map<String, Value>) -> Result<()>,
    records: u64,
    /// Why the pass stopped, when it was the callback or a record that is not an object.
    failed: Option<InputError>,
    name: &'f str,
}

impl Walk<'_> {
    /// Hands one record to the callback; an error is kept and serde is told to stop.
    fn record<E: serde::de::Error>(&mut self, value: Value) -> std::result::Result<(), E> {
        self.records += 1;
        let outcome = match value {
            Value::Object(m) => (self.on_record)(self.records, &m),
            other => Err(InputError::new(
                self.name,
                format!("expected an object, found {}", kind(&other)),
                "every array element must be an object with named fields",
            )
            .at(format!("record {}", self.records))),
        };
        outcome.map_err(|e| {
            self.failed = Some(e);
            E::custom("stopped")
        })
    }

    fn rest<'de, A: serde::de::SeqAccess<'de>>(&mut self, seq: &mut A) -> std::result::Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            self.record(v)?;
        }
        Ok(())
    }
}

/// What the top-level value is.
enum Shape {
    Records,
    /// An object without exactly one array of objects.
    Wrapper,
    Scalar(&'static str),
}

/// The top-level value: an array of records, or an object wrapping exactly one.
struct Top<'w, 'f>(&'w mut Walk<'f>);

impl<'de> serde::de::DeserializeSeed<'de> for Top<'_, '_> {
    type Value = Shape;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! scalar_visits {
    ($out:expr) => {
        fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
            Ok($out("a boolean"))
        }
        fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
            Ok($out("a number"))
        }
        fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
            Ok($out("a string"))
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok($out("null"))
        }
    };
}

impl<'de> serde::de::Visitor<'de> for Top<'_, '_> {
    type Value = Shape;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of objects")
    }
    scalar_visits!(Shape::Scalar);
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Shape, A::Error> {
        self.0.rest(&mut seq)?;
        Ok(Shape::Records)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Shape, A::Error> {
        // Records are handed on as they are read; a second array of records is refused at the end
        // (a pass over an ambiguous file never reaches the rows).
        let mut arrays = 0;
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            if map.next_value_seed(Member(self.0))? {
                arrays += 1;
            }
        }
        Ok(if arrays == 1 { Shape::Records } else { Shape::Wrapper })
    }
}

/// A member of a wrapper object: streamed as records when it is an array whose first element is
/// an object, skipped otherwise. Says whether it held records.
struct Member<'w, 'f>(&'w mut Walk<'f>);

impl<'de> serde::de::DeserializeSeed<'de> for Member<'_, '_> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Member<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    scalar_visits!(|_| false);
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<bool, A::Error> {
        match seq.next_element::<Value>()? {
            Some(first @ Value::Object(_)) => {
                self.0.record(first)?;
                self.0.rest(&mut seq)?;
                Ok(true)
            }
            _ => {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(false)
            }
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<bool, A::Error> {
        while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns and the (record, first cell as text) of each row of a JSON file holding `text`.
    fn read(text: &str) -> Result<(Vec<String>, Vec<(u64, String)>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, text).unwrap();
        let mut src = JsonArraySource::open(path.to_str().unwrap(), "p.json")?;
        let mut rows = Vec::new();
        src.for_each_row(&mut |row| {
            let Location::Record(r) = row.location() else { panic!("records are numbered") };
            rows.push((r, format!("{:?}", row.cell(0))));
            Ok(())
        })?;
        Ok((src.columns().to_vec(), rows))
    }

    #[test]
    fn records_stream_with_columns_from_every_record() {
        let (columns, rows) = read(r#"[{"label": "a", "pred": "a"}, {"label": "b", "x": 1, "pred": "a"}]"#).unwrap();
        assert_eq!(columns, ["label", "pred", "x"]);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2]);
        assert!(rows[1].1.contains('b'), "{rows:?}");
    }

    #[test]
    fn a_wrapper_with_one_array_of_records_is_read_and_other_members_are_skipped() {
        let text = r#"{"meta": {"k": [1, [2]]}, "names": ["x"], "data": [{"label": "a"}, {"label": "b"}], "n": 2}"#;
        let (columns, rows) = read(text).unwrap();
        assert_eq!(columns, ["label"]);
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn shapes_that_are_not_records_say_what_was_found() {
        let message = |text: &str| read(text).unwrap_err().to_string();
        assert!(message(r#"{"a": [{"x": 1}], "b": [{"y": 2}]}"#).contains("found an object"));
        assert!(message(r#"{"a": 1}"#).contains("found an object"));
        assert!(message(r#""hi""#).contains("found a string"));
        assert!(message("[]").contains("the array is empty"));
        let m = message(r#"[{"label": "a"}, 3]"#);
        assert!(m.contains("record 2") && m.contains("found a number"), "{m}");
        let m = message(r#"[{"label": "a"}] x"#);
        assert!(m.contains("trailing characters") && m.contains("line 1"), "{m}");
        let deep = format!("[{{\"label\": {}{}}}]", "[".repeat(200), "]".repeat(200));
        assert!(message(&deep).contains("nested deeper than 128 levels"));
    }
}

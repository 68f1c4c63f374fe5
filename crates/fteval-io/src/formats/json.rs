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

pub struct JsonArraySource {
    records: Vec<Value>,
    columns: Vec<String>,
}

impl JsonArraySource {
    pub fn open(path: &str, name: &str) -> Result<JsonArraySource> {
        let reader = source::open(path)?;
        let value: Value = serde_json::from_reader(reader).map_err(|e| {
            if e.is_io() {
                return source::read_error(name, &std::io::Error::from(e));
            }
            InputError::new(
                name,
                format!("invalid JSON ({})", json_reason(&e)),
                "a .json prediction file must be an array of objects; use .jsonl for one object per line",
            )
            .at(format!("line {}, column {}", e.line(), e.column()))
        })?;
        let records = match value {
            Value::Array(a) => a,
            Value::Object(mut m) => {
                // Accept {"data": [...]} / {"predictions": [...]} wrappers holding one array of objects.
                let arrays: Vec<String> = m
                    .iter()
                    .filter(|(_, v)| matches!(v, Value::Array(a) if a.first().is_some_and(Value::is_object)))
                    .map(|(k, _)| k.clone())
                    .collect();
                if arrays.len() == 1 {
                    match m.remove(&arrays[0]) {
                        Some(Value::Array(a)) => a,
                        _ => unreachable!("checked above"),
                    }
                } else {
                    return Err(InputError::new(
                        name,
                        "expected an array of objects (one per example), found an object",
                        "write records, e.g. pandas `df.to_json(path, orient=\"records\")`, or use JSON Lines",
                    ));
                }
            }
            other => {
                return Err(InputError::new(
                    name,
                    format!("expected an array of objects, found {}", kind(&other)),
                    "write records, e.g. pandas `df.to_json(path, orient=\"records\")`",
                ))
            }
        };
        let mut columns = Vec::new();
        for (i, r) in records.iter().enumerate() {
            match r {
                Value::Object(m) => extend_columns(&mut columns, m),
                other => {
                    return Err(InputError::new(
                        name,
                        format!("expected an object, found {}", kind(other)),
                        "every array element must be an object with named fields",
                    )
                    .at(format!("record {}", i + 1)))
                }
            }
        }
        if columns.is_empty() {
            return Err(InputError::new(
                name,
                "no records found: the array is empty",
                "the file must hold one object per example",
            ));
        }
        Ok(JsonArraySource { records, columns })
    }
}

impl RowSource for JsonArraySource {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn for_each_row(&mut self, f: &mut dyn FnMut(&dyn Row) -> Result<()>) -> Result<()> {
        for (i, r) in self.records.iter().enumerate() {
            if let Value::Object(object) = r {
                f(&ObjectRow { object, columns: &self.columns, location: Location::Record(i as u64 + 1) })?;
            }
        }
        Ok(())
    }
}

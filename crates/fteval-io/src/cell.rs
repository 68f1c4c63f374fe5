//! A cell of any input format, borrowed where the format allows.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::InputError;
use crate::limits::MAX_DEPTH;
use crate::pyliteral::{parse_literal, LiteralError};

/// One field of one row, whatever the file format.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    /// The column does not exist in this row (e.g. a JSONL object without the key).
    Missing,
    Null,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    /// Structured values: lists and objects (JSON, or Parquet lists converted to JSON).
    Json(Cow<'a, Value>),
}

impl<'a> Cell<'a> {
    pub fn from_json(v: &'a Value) -> Cell<'a> {
        match v {
            Value::Null => Cell::Null,
            Value::String(s) => Cell::Text(s),
            Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::Bool(b) => Cell::Bool(*b),
            other => Cell::Json(Cow::Borrowed(other)),
        }
    }

    /// True for missing, null, empty or whitespace-only text, and NaN (pandas writes missing
    /// values as empty fields or `nan`; `NA` and `None` can be real labels and are kept).
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Missing | Cell::Null => true,
            Cell::Text(s) => s.trim().is_empty() || matches!(s.trim(), "nan" | "NaN"),
            Cell::Number(x) => x.is_nan(),
            _ => false,
        }
    }

    /// The cell as text, None when empty: numbers as Python prints them (`3`, not `3.0`),
    /// lists and objects as JSON.
    pub fn to_text(&self) -> Option<Cow<'a, str>> {
        if self.is_empty() {
            return None;
        }
        Some(match self {
            Cell::Text(s) => Cow::Borrowed(*s),
            Cell::Number(x) => Cow::Owned(number_label(*x)),
            Cell::Bool(b) => Cow::Owned(b.to_string()),
            Cell::Json(v) => Cow::Owned(v.to_string()),
            Cell::Missing | Cell::Null => return None,
        })
    }

    /// A short rendering for error messages.
    pub fn describe(&self) -> String {
        let s = match self {
            Cell::Missing => "(no such field)".to_string(),
            Cell::Null => "null".to_string(),
            Cell::Text(s) => format!("'{s}'"),
            Cell::Number(x) => x.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Json(v) => v.to_string(),
        };
        if s.chars().count() > 60 {
            format!("{}…", s.chars().take(60).collect::<String>())
        } else {
            s
        }
    }
}

/// A number as a label: integers without a fractional part (`3`, as pandas writes an int
/// column), others in Rust's shortest round-trip form.
pub(crate) fn number_label(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A list or dict cell nested deeper than [`MAX_DEPTH`]: `offset` is the byte of the cell where
/// the nesting went too deep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooDeep {
    pub offset: usize,
}

impl TooDeep {
    /// The error for column `column` of the row at `location` of `file`.
    pub fn error(self, file: &str, column: &str, location: &str) -> InputError {
        InputError::new(
            file,
            format!(
                "column '{column}' holds lists or dicts nested deeper than {MAX_DEPTH} levels (at byte {} of the cell)",
                self.offset + 1
            ),
            format!("fteval reads list cells (labels, per-class scores, references) nested up to {MAX_DEPTH} levels; flatten this cell"),
        )
        .at(location.to_string())
    }
}

/// Parses list-like text: JSON, or a list/dict as Python (or numpy) prints it. Ok(None) when it
/// is neither; Err when it nests deeper than [`MAX_DEPTH`] (JSON's parser stops there too).
pub fn parse_structured(text: &str) -> Result<Option<Value>, TooDeep> {
    let t = text.trim();
    if let Ok(v) = serde_json::from_str(t) {
        return Ok(Some(v));
    }
    match parse_literal(t) {
        Ok(v) => Ok(Some(v)),
        Err(LiteralError::Invalid) => Ok(None),
        Err(LiteralError::TooDeep { offset }) => Err(TooDeep { offset }),
    }
}

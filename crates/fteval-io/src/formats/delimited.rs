//! CSV and TSV through the `csv` crate: quoted fields with delimiters and newlines, CRLF.

use std::io::BufRead;

use super::{Location, Row, RowSource};
use crate::cell::Cell;
use crate::error::{InputError, Result};
use crate::source;

pub struct DelimitedSource {
    name: String,
    reader: csv::Reader<Box<dyn BufRead>>,
    columns: Vec<String>,
    delimiter: u8,
}

struct DelimitedRow<'a> {
    record: &'a csv::StringRecord,
    line: u64,
}

impl Row for DelimitedRow<'_> {
    fn cell(&self, column: usize) -> Cell<'_> {
        match self.record.get(column) {
            Some(s) => Cell::Text(s),
            None => Cell::Missing,
        }
    }
    fn location(&self) -> Location {
        Location::Line(self.line)
    }
}

impl DelimitedSource {
    pub fn open(path: &str, name: &str, delimiter: u8) -> Result<DelimitedSource> {
        let input = source::open_rows(path, source::Rows::Csv { delimiter })?;
        let mut reader =
            csv::ReaderBuilder::new().delimiter(delimiter).flexible(false).has_headers(true).from_reader(input);
        let headers = reader.headers().map_err(|e| csv_error(name, e, delimiter, &[]))?;
        let columns: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
        if columns.is_empty() || columns.iter().all(|c| c.is_empty()) {
            return Err(InputError::new(
                name,
                "the file is empty or has no header line",
                "the first line must name the columns, e.g. `id,label,pred`",
            ));
        }
        Ok(DelimitedSource { name: name.to_string(), reader, columns, delimiter })
    }
}

/// The message of a CSV error, at its line; `columns` name the fields (empty for the header).
fn csv_error(name: &str, e: csv::Error, delimiter: u8, columns: &[String]) -> InputError {
    let line = e.position().map(|p| p.line());
    let (message, hint) = match e.kind() {
        csv::ErrorKind::Utf8 { pos, err } => {
            let field = match columns.get(err.field()) {
                Some(c) => format!("field {} (column '{c}')", err.field() + 1),
                None => format!("field {}", err.field() + 1),
            };
            let offset =
                pos.as_ref().map(|p| format!("; the row starts at byte {} of the file", p.byte())).unwrap_or_default();
            (
                format!("{field} is not valid UTF-8 (byte {} of the field{offset})", err.valid_up_to() + 1),
                "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)".to_string(),
            )
        }
        csv::ErrorKind::Io(io) => {
            let err = source::read_error(name, io);
            return if source::is_limit(io) {
                err
            } else {
                err.at(line.map(|l| format!("line {l}")).unwrap_or_default())
            };
        }
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => (
            format!("this row has {len} fields but the header has {expected_len}"),
            "check for unquoted delimiters in text fields (quote them with \"…\") or a missing or extra field"
                .to_string(),
        ),
        _ => (
            format!("cannot parse the {}: {e}", if delimiter == b'\t' { "TSV" } else { "CSV" }),
            "check quoting: a field with the delimiter or a newline must be in double quotes".to_string(),
        ),
    };
    let err = InputError::new(name, message, hint);
    match line {
        Some(l) => err.at(format!("line {l}")),
        None => err,
    }
}

impl RowSource for DelimitedSource {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn for_each_row(&mut self, f: &mut dyn FnMut(&dyn Row) -> Result<()>) -> Result<()> {
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {
                    // Skip blank lines (a lone empty field).
                    if record.len() == 1 && record[0].trim().is_empty() && self.columns.len() > 1 {
                        continue;
                    }
                    let line = record.position().map(|p| p.line()).unwrap_or(0);
                    f(&DelimitedRow { record: &record, line })?;
                }
                Err(e) => return Err(csv_error(&self.name, e, self.delimiter, &self.columns)),
            }
        }
    }
}

//! Row sources, one per file format, behind one interface: a header and a stream of rows
//! whose cells can be looked up by column index.

pub mod conll;
pub mod delimited;
pub mod json;
pub mod parquet;

use crate::cell::Cell;
use crate::error::Result;
use crate::source::{self, Format};

/// Where a row came from, for messages: a line of a text file or a record/row index.
#[derive(Clone, Copy, Debug)]
pub enum Location {
    Line(u64),
    Record(u64),
    Row(u64),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Line(l) => write!(f, "line {l}"),
            Location::Record(r) => write!(f, "record {r}"),
            Location::Row(r) => write!(f, "row {r}"),
        }
    }
}

/// A row of any format.
pub trait Row {
    fn cell(&self, column: usize) -> Cell<'_>;
    fn location(&self) -> Location;
}

/// A table read row by row.
pub trait RowSource {
    /// Column names, in file order.
    fn columns(&self) -> &[String];
    /// Calls `f` on every row in order; stops at the first error.
    fn for_each_row(&mut self, f: &mut dyn FnMut(&dyn Row) -> Result<()>) -> Result<()>;
}

/// Opens `path` as a row source of the given (or detected) format.
pub fn open_table(path: &str, forced: Option<Format>) -> Result<Box<dyn RowSource>> {
    let format = source::detect_format(path, forced)?;
    let name = source::display_name(path);
    Ok(match format {
        Format::Csv => Box::new(delimited::DelimitedSource::open(path, &name, b',')?),
        Format::Tsv => Box::new(delimited::DelimitedSource::open(path, &name, b'\t')?),
        Format::Jsonl => Box::new(json::JsonLinesSource::open(path, &name)?),
        Format::Json => Box::new(json::JsonArraySource::open(path, &name)?),
        Format::Parquet => Box::new(parquet::ParquetSource::open(path, &name)?),
    })
}

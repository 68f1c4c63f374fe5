//! Parquet through arrow-rs: every column cast to text, float, boolean or a list, then read
//! row by row like the other formats.

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use serde_json::Value;

use super::{Location, Row, RowSource};
use crate::cell::Cell;
use crate::error::{InputError, Result};
use crate::source;

pub struct ParquetSource {
    name: String,
    /// Batches are decoded as rows are read, so only one is in memory at a time.
    reader: Option<ParquetRecordBatchReader>,
    columns: Vec<String>,
}

const HINT: &str = "check that the file is a complete Parquet file (e.g. written by pandas `to_parquet`)";

impl ParquetSource {
    pub fn open(path: &str, name: &str) -> Result<ParquetSource> {
        let bytes = bytes::Bytes::from(source::read_all(path)?);
        let builder = ParquetRecordBatchReaderBuilder::try_new(bytes)
            .map_err(|e| InputError::new(name, format!("not a readable Parquet file: {e}"), HINT))?;
        let columns: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
        let reader = builder
            .with_batch_size(64 * 1024)
            .build()
            .map_err(|e| InputError::new(name, format!("cannot read Parquet: {e}"), HINT))?;
        Ok(ParquetSource { name: name.to_string(), reader: Some(reader), columns })
    }
}

/// The error of Parquet data that decodes to more than the input-size limit.
fn decoded_too_large(name: &str, max: u64, row: u64) -> InputError {
    InputError::new(
        name,
        format!(
            "the decoded data is larger than the {} input-size limit (Parquet compresses), so it was not read to the end",
            crate::limits::show_size(max)
        ),
        format!(
            "raise the limit with {} (e.g. {} 4G; sizes like 2G or 512M), or read fewer columns or rows",
            crate::limits::INPUT_FLAG,
            crate::limits::INPUT_FLAG
        ),
    )
    .at(format!("row {row}"))
}

/// A column in one of the shapes rows are read from.
enum Column {
    Text(ArrayRef),
    Float(ArrayRef),
    Bool(ArrayRef),
    List(ArrayRef),
    /// A type fteval does not read (maps, structs…), named for messages.
    Unsupported(String),
}

fn unsupported(array: &ArrayRef) -> Column {
    Column::Unsupported(format!(
        "<Parquet type {} (not supported: use a list or one column per class)>",
        array.data_type()
    ))
}

fn normalise(array: &ArrayRef) -> Column {
    let cast = |to: &DataType| arrow_cast::cast(array, to).ok();
    match array.data_type() {
        DataType::Boolean => Column::Bool(array.clone()),
        t if t.is_numeric() => cast(&DataType::Float64).map(Column::Float).unwrap_or_else(|| unsupported(array)),
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _) => {
            let inner = match array.data_type() {
                DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => f.data_type().clone(),
                _ => unreachable!(),
            };
            let elem = if inner.is_numeric() { DataType::Float64 } else { DataType::Utf8 };
            cast(&DataType::List(Arc::new(Field::new("item", elem, true))))
                .map(Column::List)
                .unwrap_or_else(|| unsupported(array))
        }
        _ => cast(&DataType::Utf8).map(Column::Text).unwrap_or_else(|| unsupported(array)),
    }
}

struct ArrowRow<'a> {
    columns: &'a [Column],
    index: usize,
    row_number: u64,
}

fn list_value(list: &ArrayRef, index: usize) -> Value {
    let values = list.as_list::<i32>().value(index);
    let out: Vec<Value> = match values.data_type() {
        DataType::Float64 => values
            .as_primitive::<arrow_array::types::Float64Type>()
            .iter()
            .map(|v| v.and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null))
            .collect(),
        _ => values
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(|s| Value::String(s.to_string())).unwrap_or(Value::Null))
            .collect(),
    };
    Value::Array(out)
}

impl Row for ArrowRow<'_> {
    fn cell(&self, column: usize) -> Cell<'_> {
        let i = self.index;
        match &self.columns[column] {
            Column::Text(a) if a.is_valid(i) => Cell::Text(a.as_string::<i32>().value(i)),
            Column::Float(a) if a.is_valid(i) => {
                Cell::Number(a.as_primitive::<arrow_array::types::Float64Type>().value(i))
            }
            Column::Bool(a) if a.is_valid(i) => Cell::Bool(a.as_boolean().value(i)),
            Column::List(a) if a.is_valid(i) => Cell::Json(Cow::Owned(list_value(a, i))),
            Column::Unsupported(desc) => Cell::Text(desc),
            _ => Cell::Null,
        }
    }
    fn location(&self) -> Location {
        Location::Row(self.row_number)
    }
}

impl RowSource for ParquetSource {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn for_each_row(&mut self, f: &mut dyn FnMut(&dyn Row) -> Result<()>) -> Result<()> {
        let Some(reader) = self.reader.take() else { return Ok(()) };
        let max = crate::limits::current().max_input;
        let mut decoded = 0u64;
        let mut row_number = 0u64;
        for batch in reader {
            let batch =
                batch.map_err(|e| InputError::new(&self.name, format!("cannot decode Parquet data: {e}"), HINT))?;
            decoded += batch.get_array_memory_size() as u64;
            if decoded > max {
                return Err(decoded_too_large(&self.name, max, row_number + 1));
            }
            let columns: Vec<Column> = batch.columns().iter().map(normalise).collect();
            for index in 0..batch.num_rows() {
                row_number += 1;
                f(&ArrowRow { columns: &columns, index, row_number })?;
            }
        }
        Ok(())
    }
}

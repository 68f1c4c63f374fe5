//! Reading a train or test split for `fteval leakage`: each row's id, the text compared, and
//! its label when the file has one.

use crate::columns::{ColumnOverrides, ColumnPlan};
use crate::error::{InputError, Result};
use crate::formats;
use crate::source::Format;

/// One split, column by column.
#[derive(Clone, Debug, Default)]
pub struct SplitTable {
    /// The file as displayed in messages and reports.
    pub file: String,
    /// The id column's values, or row numbers (1-based) when the file has none.
    pub ids: Vec<String>,
    pub texts: Vec<String>,
    pub labels: Vec<Option<String>>,
    /// The column compared, or `"all feature columns: a, b, c"` for tabular data.
    pub compared: String,
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

/// Reads `path`. The text column is `--text-col` or found by name (SPEC); without one, every
/// column but the id and label is compared, as `name=value` pairs (tabular data).
pub fn read_split(path: &str, columns: &SplitColumns, format: Option<Format>) -> Result<SplitTable> {
    let mut source = formats::open_table(path, format)?;
    let file = crate::source::display_name(path);
    let overrides = ColumnOverrides {
        id: columns.id.clone(),
        label: columns.label.clone(),
        text: columns.text.clone(),
        no_score_detection: true,
        ..Default::default()
    };
    let names = source.columns().to_vec();
    let plan = ColumnPlan::resolve(&file, &names, &overrides)?;
    let features: Vec<usize> = match plan.text {
        Some(t) => vec![t],
        None => (0..names.len()).filter(|&i| Some(i) != plan.id && Some(i) != plan.label).collect(),
    };
    if features.is_empty() {
        return Err(InputError::new(
            &file,
            "no column to compare: the file has only an id and a label column",
            "give the text with --text-col, or a file with feature columns",
        ));
    }
    let compared = match plan.text {
        Some(t) => names[t].clone(),
        None => format!(
            "all feature columns: {}",
            features.iter().map(|&i| names[i].as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    let mut table = SplitTable {
        file: file.clone(),
        compared,
        label_column: plan.label.map(|l| names[l].clone()),
        ..Default::default()
    };
    let tabular = plan.text.is_none();
    let mut row_number = 0usize;
    source.for_each_row(&mut |row| {
        row_number += 1;
        let id = plan.id.and_then(|c| row.cell(c).to_text().map(|t| t.into_owned()));
        table.ids.push(id.unwrap_or_else(|| row_number.to_string()));
        let text = if tabular {
            let mut s = String::new();
            for &c in &features {
                if !s.is_empty() {
                    s.push_str(" ; ");
                }
                s.push_str(&names[c]);
                s.push('=');
                s.push_str(row.cell(c).to_text().as_deref().unwrap_or(""));
            }
            s
        } else {
            row.cell(features[0]).to_text().map(|t| t.into_owned()).unwrap_or_default()
        };
        table.texts.push(text);
        table.labels.push(plan.label.and_then(|c| row.cell(c).to_text().map(|t| t.trim().to_string())));
        Ok(())
    })?;
    Ok(table)
}

/// Writes the rows of `path` whose `keep` entry is true to `out`, every column kept: JSON
/// Lines when `out` ends in `.jsonl`, CSV otherwise. Returns the rows written.
pub fn write_kept_rows(path: &str, format: Option<Format>, keep: &[bool], out: &std::path::Path) -> Result<usize> {
    use std::io::Write;
    let shown = out.display().to_string();
    let write_error = |e: &dyn std::fmt::Display| {
        InputError::new(
            &shown,
            format!("cannot write the clean test rows: {e}"),
            "check that the folder exists and is writable",
        )
    };
    let mut source = formats::open_table(path, format)?;
    let names = source.columns().to_vec();
    let file = std::fs::File::create(out).map_err(|e| write_error(&e))?;
    let jsonl = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    let mut csv_out =
        (!jsonl).then(|| csv::Writer::from_writer(std::io::BufWriter::new(file.try_clone().expect("file handle"))));
    let mut json_out = jsonl.then(|| std::io::BufWriter::new(file));
    if let Some(w) = csv_out.as_mut() {
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
        if let Some(w) = csv_out.as_mut() {
            let cells: Vec<String> =
                (0..names.len()).map(|c| row.cell(c).to_text().map(|t| t.into_owned()).unwrap_or_default()).collect();
            w.write_record(&cells).map_err(|e| write_error(&e))?;
        }
        if let Some(w) = json_out.as_mut() {
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
            serde_json::to_writer(&mut *w, &obj).map_err(|e| write_error(&e))?;
            w.write_all(b"\n").map_err(|e| write_error(&e))?;
        }
        Ok(())
    })?;
    if let Some(mut w) = csv_out {
        w.flush().map_err(|e| write_error(&e))?;
    }
    if let Some(mut w) = json_out {
        w.flush().map_err(|e| write_error(&e))?;
    }
    Ok(written)
}

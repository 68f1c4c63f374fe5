//! Tabular logs — Keras CSVLogger files, Lightning's metrics.csv, and any CSV/TSV (or JSON
//! columns) with a step or epoch column — read through one engine that differs per format
//! only in how a restart shows and what a column without `_step`/`_epoch` suffix holds.

use fteval_core::curves::{Point, Split, TrainingRun};

use super::collect::{as_step, parse_value, Collector, SeriesKey, Value};
use super::names::{is_epoch_key, is_step_key, normalize_name, only_progress, progress_only, MetricName};
use super::LogFormat;
use crate::error::{InputError, Result};

/// Where a row came from, for messages.
#[derive(Clone, Copy, Debug)]
pub enum Loc {
    Line(u64),
    /// The position in a JSON list (1-based).
    Element(usize),
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loc::Line(l) => write!(f, "line {l}"),
            Loc::Element(i) => write!(f, "element {i}"),
        }
    }
}

/// One data row; `header_again` marks a repeated header line (two logs appended).
pub struct TableRow {
    pub loc: Loc,
    pub cells: csv::StringRecord,
    pub header_again: bool,
}

/// A table in memory: trimmed column names and rows.
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<TableRow>,
}

/// The delimiter of a text table: tab for .tsv/.tab/.txt names, else whichever of tab and
/// comma the first line holds more of.
pub fn delimiter(file_name: &str, bytes: &[u8]) -> u8 {
    let lower = file_name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
    if stem.ends_with(".tsv") || stem.ends_with(".tab") {
        return b'\t';
    }
    if stem.ends_with(".csv") {
        return b',';
    }
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let tabs = first.iter().filter(|&&b| b == b'\t').count();
    let commas = first.iter().filter(|&&b| b == b',').count();
    if tabs > commas {
        b'\t'
    } else {
        b','
    }
}

/// Reads a CSV/TSV text into a table. With `sample`, stops after that many rows and does not
/// check row lengths (for sniffing a format from the first part of a file).
pub fn read_text(name: &str, bytes: &[u8], delimiter: u8, sample: Option<usize>) -> Result<Table> {
    let kind = if delimiter == b'\t' { "TSV" } else { "CSV" };
    crate::source::check_rows(name, bytes, crate::source::Rows::Csv { delimiter })?;
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::StringRecord::new();
    let mut columns: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { pos, err } => format!(
                        "field {} is not valid UTF-8 (byte {} of the field{})",
                        err.field() + 1,
                        err.valid_up_to() + 1,
                        pos.as_ref()
                            .map(|p| format!("; the row starts at byte {} of the file", p.byte()))
                            .unwrap_or_default()
                    ),
                    _ => format!("cannot parse the {kind}: {e}"),
                };
                let err = InputError::new(
                    name,
                    message,
                    "re-save the log as UTF-8 text; a field holding the delimiter or a newline must be in double quotes",
                );
                return Err(match line {
                    Some(l) => err.at(format!("line {l}")),
                    None => err,
                });
            }
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        match &columns {
            None => columns = Some(record.iter().map(|h| h.trim().to_string()).collect()),
            Some(cols) => {
                let header_again =
                    record.len() == cols.len() && record.iter().zip(cols).all(|(a, b)| a.trim() == b.as_str());
                rows.push(TableRow { loc: Loc::Line(line), cells: record.clone(), header_again });
                if sample.is_some_and(|n| rows.len() >= n) {
                    break;
                }
            }
        }
    }
    let Some(columns) = columns else {
        return Err(InputError::new(
            name,
            "the file is empty",
            "a training log needs a header line and one row per logged step or epoch",
        ));
    };
    let mut table = Table { columns, rows };
    if sample.is_none() {
        fix_row_lengths(name, &mut table)?;
    }
    Ok(table)
}

/// Rows longer than the header are an error, except for one case seen in real logs (old Flair
/// versions): every data row has exactly one field more than the header and one position is
/// empty in every row — a stray delimiter, dropped here. Shorter rows are read with the
/// missing fields empty.
fn fix_row_lengths(name: &str, table: &mut Table) -> Result<()> {
    let width = table.columns.len();
    let data: Vec<&TableRow> = table.rows.iter().filter(|r| !r.header_again).collect();
    let Some(first_long) = data.iter().find(|r| r.cells.len() > width) else {
        return Ok(());
    };
    if data.iter().all(|r| r.cells.len() == width + 1) {
        let empty_everywhere: Vec<usize> =
            (0..=width).filter(|&p| data.iter().all(|r| r.cells.get(p).is_some_and(|c| c.trim().is_empty()))).collect();
        if let [p] = empty_everywhere[..] {
            for row in table.rows.iter_mut().filter(|r| !r.header_again) {
                let fixed: csv::StringRecord =
                    row.cells.iter().enumerate().filter(|&(i, _)| i != p).map(|(_, c)| c).collect();
                row.cells = fixed;
            }
            return Ok(());
        }
    }
    Err(InputError::new(
        name,
        format!("this row has {} fields but the header has {width}", first_long.cells.len()),
        "check for a delimiter inside an unquoted field, or a header line that lacks a column name",
    )
    .at(first_long.loc.to_string()))
}

/// What a column without `_step`/`_epoch` suffix holds, and how a restart shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Flavor {
    /// One row per epoch; the epoch column going back (or repeating) is a restart.
    Keras,
    /// Sparse rows; the step going back is a restart; eval/test columns are epoch values,
    /// train columns are when they only appear on rows with `_epoch` values.
    Lightning,
    /// Per-epoch values without a step column, per-step values with one; the step (else the
    /// epoch) going back is a restart.
    Table,
}

impl Flavor {
    fn format(self) -> LogFormat {
        match self {
            Flavor::Keras => LogFormat::Keras,
            Flavor::Lightning => LogFormat::Lightning,
            Flavor::Table => LogFormat::Table,
        }
    }
}

/// The step and epoch columns of a table.
pub fn position_columns(columns: &[String]) -> (Option<usize>, Option<usize>) {
    (columns.iter().position(|c| is_step_key(c)), columns.iter().position(|c| is_epoch_key(c)))
}

/// Whether a header names an unnamed index column (pandas' `to_csv` without index=False).
pub fn is_index_column(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n.is_empty() || n == "unnamed: 0" || n == "index"
}

/// Turns a table into runs. `index_epoch`: without an epoch column, the row's position in its
/// run is the epoch (Keras files without an epoch column, JSON history dicts).
pub fn to_runs(name: &str, table: &Table, flavor: Flavor, index_epoch: bool) -> Result<Vec<TrainingRun>> {
    let format = flavor.format();
    let (step_col, mut epoch_col) = position_columns(&table.columns);
    if flavor == Flavor::Keras && epoch_col.is_none() && table.columns.first().is_some_and(|c| is_index_column(c)) {
        epoch_col = Some(0);
    }
    let index_epoch = index_epoch && epoch_col.is_none();

    // The series columns: named like a metric, and holding numbers (a column whose first value
    // is text, such as a timestamp, is not a curve).
    let mut series_cols: Vec<(usize, MetricName)> = Vec::new();
    for (c, col) in table.columns.iter().enumerate() {
        if Some(c) == step_col || Some(c) == epoch_col {
            continue;
        }
        let Some(m) = normalize_name(col) else { continue };
        let first = table
            .rows
            .iter()
            .filter(|r| !r.header_again)
            .map(|r| parse_value(r.cells.get(c).unwrap_or("")))
            .find(|v| *v != Value::Missing);
        if first == Some(Value::Text) {
            continue;
        }
        series_cols.push((c, m));
    }
    if series_cols.is_empty() {
        let keys: Vec<&str> = table.columns.iter().map(String::as_str).collect();
        if !table.rows.is_empty() && only_progress(&keys) {
            return Err(progress_only(name, &keys));
        }
        let hint = if table.rows.is_empty() {
            "the log has a header but no rows; was training stopped before the first log?"
        } else {
            "a training log needs numeric metric columns such as loss, val_loss, accuracy"
        };
        return Err(InputError::new(
            name,
            format!("no metric columns with numbers (columns: {})", shorten(&table.columns.join(", "))),
            hint,
        ));
    }
    if flavor != Flavor::Keras && step_col.is_none() && epoch_col.is_none() && !index_epoch {
        return Err(InputError::new(
            name,
            format!("no step or epoch column (columns: {})", shorten(&table.columns.join(", "))),
            "name the column that counts training progress `step`, `global_step`, `iteration` or `epoch`",
        ));
    }

    let epoch_cols: Vec<usize> =
        series_cols.iter().filter(|(_, m)| m.per_epoch == Some(true)).map(|(c, _)| *c).collect();
    let mut out = Collector::new(name, format.as_str());
    let mut ids = Vec::with_capacity(series_cols.len());
    for (c, m) in &series_cols {
        let default = match flavor {
            Flavor::Keras => true,
            Flavor::Table => step_col.is_none(),
            Flavor::Lightning => {
                m.split != Split::Train
                    || (!epoch_cols.is_empty()
                        && table.rows.iter().filter(|r| !r.header_again).all(|r| {
                            parse_value(r.cells.get(*c).unwrap_or("")) == Value::Missing
                                || epoch_cols
                                    .iter()
                                    .any(|&e| parse_value(r.cells.get(e).unwrap_or("")) != Value::Missing)
                        }))
            }
        };
        ids.push(out.key(SeriesKey::new(m, default)));
    }

    // The positions of every row first: whether a run starts at a row, and whether its position
    // column counts at all, are decided over the whole table (see `place_rows`).
    let mut steps: Vec<Option<u64>> = Vec::with_capacity(table.rows.len());
    let mut epochs: Vec<Option<f64>> = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        if row.header_again {
            steps.push(None);
            epochs.push(None);
            continue;
        }
        steps.push(match step_col {
            None => None,
            Some(c) => position_value(name, table, row, c)?
                .map(|x| {
                    as_step(x).ok_or_else(|| {
                        InputError::new(
                            name,
                            format!("column '{}' holds {x}, which is not a whole number ≥ 0", table.columns[c]),
                            "the step column must count training steps",
                        )
                        .at(row.loc.to_string())
                    })
                })
                .transpose()?,
        });
        epochs.push(match epoch_col {
            None => None,
            Some(c) => position_value(name, table, row, c)?,
        });
    }
    let pos_col = step_col.or(epoch_col);
    let placements = match pos_col {
        None => vec![Placement::default(); table.rows.len()],
        Some(_) => {
            let positions: Vec<Option<f64>> =
                if step_col.is_some() { steps.iter().map(|s| s.map(|s| s as f64)).collect() } else { epochs.clone() };
            let filled: Vec<Vec<usize>> = table
                .rows
                .iter()
                .map(|r| {
                    series_cols
                        .iter()
                        .enumerate()
                        .filter(|(_, (c, _))| parse_value(r.cells.get(*c).unwrap_or("")) != Value::Missing)
                        .map(|(i, _)| i)
                        .collect()
                })
                .collect();
            let breaks: Vec<bool> = table.rows.iter().map(|r| r.header_again).collect();
            place_rows(&positions, &filled, &breaks, flavor == Flavor::Keras && step_col.is_none())
        }
    };

    let mut index_in_run = 0usize;
    for (r, row) in table.rows.iter().enumerate() {
        if row.header_again {
            out.restart();
            index_in_run = 0;
            continue;
        }
        let place = &placements[r];
        if place.restart {
            out.restart();
            index_in_run = 0;
        }
        if let Some(note) = &place.note {
            out.note(note_text(&table.columns[pos_col.unwrap_or(0)], note));
        }
        let (mut step, mut epoch) = (steps[r], epochs[r]);
        if let Some(order) = place.order {
            if step_col.is_some() {
                step = Some(order as u64);
            } else {
                epoch = Some(order);
            }
        }
        if index_epoch {
            epoch = Some(index_in_run as f64);
        }
        index_in_run += 1;
        for ((c, _), &id) in series_cols.iter().zip(&ids) {
            let text = row.cells.get(*c).unwrap_or("");
            match parse_value(text) {
                Value::Missing => {}
                Value::Number(value) => out.push(id, Point { step, epoch, value }),
                Value::Text => {
                    return Err(InputError::new(
                        name,
                        format!(
                            "column '{}' holds '{}', which is not a number",
                            table.columns[*c],
                            shorten(text.trim())
                        ),
                        "metric values must be numbers (nan and inf are read too); fix or delete the row",
                    )
                    .at(row.loc.to_string()))
                }
            }
        }
    }
    Ok(out.finish())
}

/// Where one row of a table goes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Placement {
    /// A new run starts at this row.
    pub restart: bool,
    /// The row's place in its stretch (0, 1, 2, …), used instead of a position column that does
    /// not count there.
    pub order: Option<f64>,
    /// On the first row of such a stretch: what the column did there.
    pub note: Option<Stall>,
}

/// A stretch of rows whose position column did not count: it stayed at `value` on `rows` rows
/// in a row while the same series were logged again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stall {
    pub value: f64,
    pub rows: usize,
}

/// Places the rows of a table by their position column (`positions`: the step, else the epoch;
/// None where empty). A run starts at a repeated header (`breaks`) and where the position goes
/// back (an appended log). Within a run, a row *stalls* when its position equals the previous
/// row's while it logs a series again that was already logged at that position (rows at one
/// position that log different series — train and validation rows — do not stall). Three or
/// more rows in a row at one position (two stalls or more) are a column that does not count
/// training (Keras `fit` called in a loop writes epoch 0 on every row): they are a run of their
/// own, placed by their order; when the rows after them count on from that value (0, then 1,
/// 2, …), their last row was the first of a run appended to the log and starts it. A single
/// stall, with `repeat_restarts` (Keras, one row per epoch), starts a new run, as a log
/// appended to by a run of one epoch does.
pub fn place_rows(
    positions: &[Option<f64>],
    filled: &[Vec<usize>],
    breaks: &[bool],
    repeat_restarts: bool,
) -> Vec<Placement> {
    let n = positions.len();
    let mut out = vec![Placement::default(); n];
    // Stretches: split at breaks and where the position goes back.
    let mut starts = vec![0usize];
    let mut last: Option<f64> = None;
    for i in 0..n {
        if breaks[i] {
            starts.push(i + 1);
            last = None;
            continue;
        }
        if let Some(p) = positions[i] {
            if last.is_some_and(|l| p < l) && *starts.last().unwrap_or(&0) < i {
                starts.push(i);
            }
            last = Some(p);
        }
    }
    starts.push(n);
    starts.dedup();
    for w in starts.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a >= b {
            continue;
        }
        if a > 0 && !breaks[a - 1] {
            out[a].restart = true;
        }
        let rows: Vec<usize> = (a..b).filter(|&i| !breaks[i] && positions[i].is_some()).collect();
        let mut stalls: Vec<usize> = Vec::new();
        let mut group: Option<(f64, Vec<usize>)> = None;
        for &i in &rows {
            let p = positions[i].unwrap_or(f64::NAN);
            match &mut group {
                Some((v, seen)) if *v == p => {
                    if filled[i].iter().any(|c| seen.contains(c)) {
                        stalls.push(i);
                        seen.clear();
                    }
                    seen.extend(filled[i].iter().copied());
                }
                _ => group = Some((p, filled[i].clone())),
            }
        }
        let is_stall: Vec<bool> = rows.iter().map(|i| stalls.contains(i)).collect();
        let mut k = 1;
        while k < rows.len() {
            if !is_stall[k] {
                k += 1;
                continue;
            }
            // A chain: the row before the first stall and the stalls that follow it.
            let start = k - 1;
            let mut end = k;
            while end + 1 < rows.len() && is_stall[end + 1] {
                end += 1;
            }
            if end - start >= 2 {
                let value = positions[rows[start]];
                // Rows that count on from the stalled value after the chain: its last row was
                // the first epoch of a run appended to the log.
                let counts_on = rows.get(end + 1).is_some_and(|&j| positions[j] == value.map(|v| v + 1.0));
                let last = if counts_on { end - 1 } else { end };
                let (first_row, last_row) = (rows[start], rows[last]);
                if first_row > a {
                    out[first_row].restart = true;
                }
                for (order, i) in (first_row..=last_row).filter(|&i| !breaks[i]).enumerate() {
                    out[i].order = Some(order as f64);
                }
                out[first_row].note = Some(Stall { value: value.unwrap_or(0.0), rows: last - start + 1 });
                if let Some(&next) = rows.get(last + 1) {
                    out[next].restart = true;
                }
            } else if repeat_restarts {
                for &i in &rows[k..=end] {
                    out[i].restart = true;
                }
            }
            k = end + 1;
        }
    }
    out
}

/// The note for a stretch placed by row order.
fn note_text(column: &str, stall: &Stall) -> String {
    let v = if stall.value.fract() == 0.0 { format!("{:.0}", stall.value) } else { format!("{}", stall.value) };
    format!(
        "The '{column}' column does not count training: it stays at {v} on {} rows in a row while the same values are logged again (Keras `fit` called in a loop writes epoch 0 on every row), so those rows are placed by their order as the {} (0, 1, 2, …).",
        stall.rows,
        if is_step_key(column) { "step" } else { "epoch" }
    )
}

/// The value of a step or epoch cell: None when empty, an error when not a number.
fn position_value(name: &str, table: &Table, row: &TableRow, c: usize) -> Result<Option<f64>> {
    let text = row.cells.get(c).unwrap_or("");
    match parse_value(text) {
        Value::Missing => Ok(None),
        Value::Number(x) if x.is_finite() => Ok(Some(x)),
        _ => Err(InputError::new(
            name,
            format!("column '{}' holds '{}', which is not a number", table.columns[c], shorten(text.trim())),
            "the step and epoch columns must hold numbers",
        )
        .at(row.loc.to_string())),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 200 {
        format!("{}…", s.chars().take(200).collect::<String>())
    } else {
        s.to_string()
    }
}

/// What a sample of a table looks like, for detection.
pub struct Shape {
    pub has_step: bool,
    pub has_epoch: bool,
    /// `_step`/`_epoch`-suffixed metric columns.
    pub suffixes: bool,
    /// Some data row has an empty cell.
    pub sparse: bool,
    /// Columns Keras writes: `loss`, `val_*`, `lr`, `accuracy`.
    pub keras_columns: bool,
    /// The epoch column (or a pandas index column) never repeats a value from one row to the
    /// next and holds whole numbers: one row per epoch.
    pub one_row_per_epoch: bool,
    /// The epoch column holds whole numbers and repeats the previous row's value on most rows
    /// (Keras `fit` called in a loop writes epoch 0 on every row).
    pub epoch_stalls: bool,
}

pub fn shape(table: &Table) -> Shape {
    let (step_col, epoch_col) = position_columns(&table.columns);
    let lower: Vec<String> = table.columns.iter().map(|c| c.to_ascii_lowercase()).collect();
    let suffixes = lower.iter().any(|c| c.ends_with("_step") || c.ends_with("_epoch"));
    let sparse = table.rows.iter().any(|r| r.cells.iter().any(|c| c.trim().is_empty()));
    let keras_columns = lower.iter().any(|c| c == "loss" || c.starts_with("val_") || c == "lr" || c == "accuracy");
    let epoch_like = epoch_col.or_else(|| table.columns.first().filter(|c| is_index_column(c)).map(|_| 0));
    let whole_epochs: Vec<Option<f64>> = match epoch_like {
        None => Vec::new(),
        Some(c) => table
            .rows
            .iter()
            .filter(|r| !r.header_again)
            .map(|r| match parse_value(r.cells.get(c).unwrap_or("")) {
                Value::Number(x) if x.fract() == 0.0 => Some(x),
                _ => None,
            })
            .collect(),
    };
    let repeats = whole_epochs.windows(2).filter(|w| w[0].is_some() && w[0] == w[1]).count();
    let epoch_stalls =
        whole_epochs.len() >= 3 && whole_epochs.iter().all(|v| v.is_some()) && 2 * repeats >= whole_epochs.len() - 1;
    // The same whole-epoch values: every row a distinct whole epoch.
    let one_row_per_epoch = epoch_like.is_none()
        || (whole_epochs.iter().all(|v| v.is_some()) && whole_epochs.windows(2).all(|w| w[0] != w[1]));
    Shape {
        has_step: step_col.is_some(),
        has_epoch: epoch_col.is_some(),
        suffixes,
        sparse,
        keras_columns,
        one_row_per_epoch,
        epoch_stalls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Places rows that each log series 0, at the given epochs (None: a repeated header).
    fn place(epochs: &[Option<f64>], keras: bool) -> Vec<Placement> {
        let filled = vec![vec![0]; epochs.len()];
        let breaks: Vec<bool> = epochs.iter().map(|e| e.is_none()).collect();
        place_rows(epochs, &filled, &breaks, keras)
    }

    fn restarts(p: &[Placement]) -> Vec<usize> {
        (0..p.len()).filter(|&i| p[i].restart).collect()
    }

    fn orders(p: &[Placement]) -> Vec<Option<f64>> {
        p.iter().map(|p| p.order).collect()
    }

    #[test]
    fn an_epoch_going_back_or_repeating_once_starts_a_run() {
        let e = |v: &[f64]| v.iter().map(|&x| Some(x)).collect::<Vec<_>>();
        assert_eq!(restarts(&place(&e(&[0.0, 1.0, 2.0, 0.0, 1.0, 2.0]), true)), vec![3]);
        // One epoch, then another run: a single repeat restarts for Keras, not for a table.
        assert_eq!(restarts(&place(&e(&[0.0, 0.0, 1.0]), true)), vec![1]);
        assert_eq!(restarts(&place(&e(&[0.0, 0.0, 1.0]), false)), Vec::<usize>::new());
        assert!(place(&e(&[0.0, 1.0, 2.0]), true).iter().all(|p| p.order.is_none() && p.note.is_none()));
    }

    #[test]
    fn a_constant_epoch_is_replaced_by_the_row_order() {
        let zeros = vec![Some(0.0); 5];
        let p = place(&zeros, true);
        assert_eq!(restarts(&p), Vec::<usize>::new());
        assert_eq!(orders(&p), (0..5).map(|i| Some(i as f64)).collect::<Vec<_>>());
        assert_eq!(p[0].note, Some(Stall { value: 0.0, rows: 5 }));
        // A loop run, then a run appended that counts epochs: its first row (epoch 0) starts it.
        let mut mixed = vec![Some(0.0); 4];
        mixed.extend([Some(0.0), Some(1.0), Some(2.0)]);
        let p = place(&mixed, true);
        assert_eq!(restarts(&p), vec![4]);
        assert_eq!(orders(&p), vec![Some(0.0), Some(1.0), Some(2.0), Some(3.0), None, None, None]);
        // A counting run, then a loop run appended.
        let mut mixed = vec![Some(0.0), Some(1.0), Some(2.0)];
        mixed.extend(vec![Some(0.0); 4]);
        let p = place(&mixed, true);
        assert_eq!(restarts(&p), vec![3]);
        assert_eq!(orders(&p)[3..], [Some(0.0), Some(1.0), Some(2.0), Some(3.0)]);
        // Two loop runs separated by a repeated header.
        let mut two = vec![Some(0.0); 3];
        two.push(None);
        two.extend(vec![Some(0.0); 3]);
        let p = place(&two, true);
        assert_eq!(orders(&p)[4..], [Some(0.0), Some(1.0), Some(2.0)]);
        assert!(p[0].note.is_some() && p[4].note.is_some());
    }

    #[test]
    fn rows_at_one_position_that_log_different_series_do_not_stall() {
        // Lightning-style: a train row and a validation row per step.
        let pos = [Some(10.0), Some(10.0), Some(20.0), Some(20.0), Some(30.0), Some(30.0)];
        let filled = vec![vec![0], vec![1], vec![0], vec![1], vec![0], vec![1]];
        let p = place_rows(&pos, &filled, &[false; 6], false);
        assert!(p.iter().all(|p| !p.restart && p.order.is_none()), "{p:?}");
    }
}

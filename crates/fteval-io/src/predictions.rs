//! Reading a prediction file into typed columns: interned labels, scores, per-class scores.

use std::collections::HashMap;

use fteval_core::labels::canonical_label;
use serde_json::Value;

use crate::cell::{number_label, Cell, TooDeep};
use crate::columns::{ColumnOverrides, ColumnPlan, ProbsPlan};
use crate::error::{InputError, Result};
use crate::formats::{self, Location, Row};
use crate::source::Format;

/// Marks a missing single label.
pub const MISSING: u32 = u32::MAX;
/// Distinct values beyond which a candidate prediction column is not read as labels (free
/// text or scores), so that it costs no memory on large files.
const MAX_CANDIDATE_LABELS: usize = 10_000;

/// Label values of one column, interned: codes index `dict`.
#[derive(Clone, Debug)]
pub enum LabelValues {
    Single(Vec<u32>),
    /// Multilabel: a set of codes per row (None = missing).
    Sets(Vec<Option<Vec<u32>>>),
}

#[derive(Clone, Debug)]
pub struct LabelColumn {
    pub column: String,
    pub dict: Vec<String>,
    pub values: LabelValues,
    pub missing: usize,
    pub first_missing: Option<Location>,
    index: HashMap<String, u32>,
    /// Raw spellings seen so far (few labels repeat millions of times): a linear scan of
    /// these beats canonicalising and hashing every cell.
    spellings: Vec<(String, u32)>,
}

impl LabelColumn {
    /// An empty column named `column`, filled by `push` or `intern`.
    pub fn new(column: &str) -> LabelColumn {
        LabelColumn {
            column: column.to_string(),
            dict: Vec::new(),
            values: LabelValues::Single(Vec::new()),
            missing: 0,
            first_missing: None,
            index: HashMap::new(),
            spellings: Vec::new(),
        }
    }

    /// The code of `label` (canonical spelling), adding it to the dictionary when new.
    pub fn intern(&mut self, label: &str) -> u32 {
        if let Some((_, c)) = self.spellings.iter().find(|(s, _)| s == label) {
            return *c;
        }
        let code = self.intern_canonical(label);
        if self.spellings.len() < 16 {
            self.spellings.push((label.to_string(), code));
        }
        code
    }

    fn intern_canonical(&mut self, label: &str) -> u32 {
        let canon = canonical_label(label);
        if let Some(&c) = self.index.get(canon.as_ref()) {
            return c;
        }
        let c = self.dict.len() as u32;
        self.dict.push(canon.to_string());
        self.index.insert(canon.into_owned(), c);
        c
    }

    fn reserve(&mut self, rows: usize) {
        if let LabelValues::Single(v) = &mut self.values {
            v.reserve(rows);
        }
    }

    pub fn len(&self) -> usize {
        match &self.values {
            LabelValues::Single(v) => v.len(),
            LabelValues::Sets(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_multilabel(&self) -> bool {
        matches!(self.values, LabelValues::Sets(_))
    }

    /// Keeps only rows where `keep` is true.
    pub fn retain_rows(&mut self, keep: &[bool]) {
        match &mut self.values {
            LabelValues::Single(v) => retain_rows(v, keep, 1),
            LabelValues::Sets(v) => retain_rows(v, keep, 1),
        }
    }

    /// The column restricted to `rows`, in that order (rows may repeat).
    pub fn take_rows(&self, rows: &[usize]) -> LabelColumn {
        let mut out = self.clone();
        out.values = match &self.values {
            LabelValues::Single(v) => LabelValues::Single(take_rows(v, rows, 1)),
            LabelValues::Sets(v) => LabelValues::Sets(take_rows(v, rows, 1)),
        };
        out.missing = (0..out.len()).filter(|&i| out.is_missing(i)).count();
        // `first_missing` keeps pointing at the file's line: still where to look.
        out
    }

    /// Whether row `i` has no label.
    pub fn is_missing(&self, i: usize) -> bool {
        match &self.values {
            LabelValues::Single(v) => v[i] == MISSING,
            LabelValues::Sets(v) => v[i].is_none(),
        }
    }

    /// The label of row `i` as text (a multilabel set joined with `|`), None when missing.
    pub fn display(&self, i: usize) -> Option<String> {
        match &self.values {
            LabelValues::Single(v) => (v[i] != MISSING).then(|| self.dict[v[i] as usize].clone()),
            LabelValues::Sets(v) => {
                v[i].as_ref().map(|s| s.iter().map(|&c| self.dict[c as usize].as_str()).collect::<Vec<_>>().join("|"))
            }
        }
    }

    fn push(&mut self, cell: &Cell, row: &dyn Row, file: &str) -> Result<()> {
        let list = as_list(cell).map_err(|deep| deep.error(file, &self.column, &row.location().to_string()))?;
        if let Some(list) = list {
            let mut codes: Vec<u32> = Vec::with_capacity(list.len());
            for v in &list {
                codes.push(self.intern(&scalar_label(v).ok_or_else(|| self.bad(cell, row, file))?));
            }
            codes.sort_unstable();
            codes.dedup();
            return self.push_set(Some(codes), row, file);
        }
        if let Cell::Text(t) = cell {
            let t = t.trim();
            if t.starts_with('[') && t.ends_with(']') {
                return Err(InputError::new(
                    file,
                    format!(
                        "column '{}' holds {}, which looks like a list but cannot be read",
                        self.column,
                        cell.describe()
                    ),
                    "write lists of labels as JSON ([\"a\", \"b\"]) or as Python prints them (['a', 'b'])",
                )
                .at(row.location().to_string()));
            }
        }
        if cell.is_empty() {
            self.missing += 1;
            self.first_missing.get_or_insert(row.location());
            return match &mut self.values {
                LabelValues::Single(v) => {
                    v.push(MISSING);
                    Ok(())
                }
                LabelValues::Sets(v) => {
                    v.push(None);
                    Ok(())
                }
            };
        }
        let code = match cell {
            Cell::Text(s) => self.intern(s),
            Cell::Number(x) => self.intern(&number_label(*x)),
            Cell::Bool(b) => self.intern(if *b { "true" } else { "false" }),
            _ => return Err(self.bad(cell, row, file)),
        };
        match &mut self.values {
            LabelValues::Single(v) => v.push(code),
            LabelValues::Sets(v) => v.push(Some(vec![code])),
        }
        Ok(())
    }

    fn push_set(&mut self, set: Option<Vec<u32>>, row: &dyn Row, file: &str) -> Result<()> {
        if let LabelValues::Single(v) = &self.values {
            if v.iter().any(|&c| c != MISSING) {
                return Err(InputError::new(
                    file,
                    format!("column '{}' mixes single labels and lists of labels", self.column),
                    "use one form for every row: a list per row for multilabel data, a single label otherwise",
                )
                .at(row.location().to_string()));
            }
            let n = v.len();
            self.values = LabelValues::Sets(vec![None; n]);
        }
        if let LabelValues::Sets(v) = &mut self.values {
            v.push(set);
        }
        Ok(())
    }

    fn bad(&self, cell: &Cell, row: &dyn Row, file: &str) -> InputError {
        InputError::new(
            file,
            format!("column '{}' holds {}, which is not a label", self.column, cell.describe()),
            "labels must be strings, integers, booleans, or (multilabel) lists of those",
        )
        .at(row.location().to_string())
    }
}

/// Keeps the rows where `keep` is true of a row-major vector with `width` values per row.
/// `rows` of a row-major table of `width` values per row, in that order.
pub(crate) fn take_rows<T: Clone>(v: &[T], rows: &[usize], width: usize) -> Vec<T> {
    let width = width.max(1);
    let mut out = Vec::with_capacity(rows.len() * width);
    for &r in rows {
        out.extend_from_slice(&v[r * width..(r + 1) * width]);
    }
    out
}

pub(crate) fn retain_rows<T>(v: &mut Vec<T>, keep: &[bool], width: usize) {
    let width = width.max(1);
    let mut i = 0;
    v.retain(|_| {
        let k = keep[i / width];
        i += 1;
        k
    });
}

/// A number as a label: integers without a decimal point.
fn scalar_label(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_f64().map(number_label),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses list-like text (`[…]` or `{…}`): JSON, or a list/dict as Python (or numpy) prints it.
fn parse_structured(text: &str) -> std::result::Result<Option<Value>, TooDeep> {
    let t = text.trim();
    let structured = (t.starts_with('[') && t.ends_with(']')) || (t.starts_with('{') && t.ends_with('}'));
    if !structured {
        return Ok(None);
    }
    crate::cell::parse_structured(t)
}

fn as_list(cell: &Cell) -> std::result::Result<Option<Vec<Value>>, TooDeep> {
    Ok(match cell {
        Cell::Json(v) => v.as_array().cloned(),
        Cell::Text(s) => match parse_structured(s)? {
            Some(Value::Array(a)) => Some(a),
            _ => None,
        },
        _ => None,
    })
}

/// Per-class scores: row-major values; class names when the file names them.
#[derive(Clone, Debug)]
pub struct ProbTable {
    pub column: String,
    pub classes: Option<Vec<String>>,
    pub k: usize,
    pub values: Vec<f64>,
    pub logits: bool,
    /// Empty cells seen before the first list/object told how many classes there are.
    leading_missing: usize,
}

impl ProbTable {
    /// Sets the class count on the first non-empty row, backfilling earlier empty rows.
    fn set_k(&mut self, k: usize) {
        self.k = k;
        self.values.extend(std::iter::repeat_n(f64::NAN, self.leading_missing * k));
        self.leading_missing = 0;
    }
}

/// A prediction file read into typed columns.
#[derive(Clone, Debug)]
pub struct Predictions {
    pub file: String,
    pub rows: usize,
    pub ids: Option<Vec<String>>,
    pub id_column: Option<String>,
    pub gold: Option<LabelColumn>,
    pub pred: Option<LabelColumn>,
    pub score: Option<(String, Vec<f64>)>,
    pub probs: Option<ProbTable>,
    /// The text column, when asked for (shown next to flipped examples).
    pub text: Option<(String, Vec<String>)>,
    /// Other columns that may hold the predictions ([`ColumnPlan::pred_alternatives`]) and
    /// could be read as labels; preparation prefers the one whose values are gold labels.
    pub pred_alternatives: Vec<LabelColumn>,
    pub columns: Vec<String>,
}

impl Predictions {
    /// Keeps `rows` of every column, in that order.
    pub fn take_rows(&mut self, rows: &[usize]) {
        for col in [self.gold.as_mut(), self.pred.as_mut()].into_iter().flatten().chain(&mut self.pred_alternatives) {
            *col = col.take_rows(rows);
        }
        if let Some(ids) = self.ids.as_mut() {
            *ids = take_rows(ids, rows, 1);
        }
        if let Some((_, t)) = self.text.as_mut() {
            *t = take_rows(t, rows, 1);
        }
        if let Some((_, s)) = self.score.as_mut() {
            *s = take_rows(s, rows, 1);
        }
        if let Some(t) = self.probs.as_mut() {
            t.values = take_rows(&t.values, rows, t.k);
        }
        self.rows = rows.len();
    }
}

/// What to read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub columns: ColumnOverrides,
    /// Keep the id column (needed to join with a gold file).
    pub keep_ids: bool,
    /// Keep the text column (reports show it next to examples).
    pub keep_text: bool,
}

fn parse_number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(x) => Some(*x),
        Cell::Text(s) => {
            let t = s.trim();
            t.parse::<f64>().ok().or_else(|| match t {
                "" | "nan" | "NaN" | "NA" | "null" | "None" => Some(f64::NAN),
                _ => None,
            })
        }
        Cell::Bool(_) | Cell::Json(_) => None,
        Cell::Null | Cell::Missing => Some(f64::NAN),
    }
}

fn number_error(file: &str, column: &str, cell: &Cell, row: &dyn Row) -> InputError {
    InputError::new(
        file,
        format!("column '{column}' holds {}, which is not a number", cell.describe()),
        format!("scores must be numbers; if '{column}' is not a score column, name the right one with --score-col or --probs-col"),
    )
    .at(row.location().to_string())
}

/// Reads per-class scores from a list/object cell.
fn push_structured_probs(table: &mut ProbTable, cell: &Cell, row: &dyn Row, file: &str) -> Result<()> {
    let parsed;
    let value: &Value = match cell {
        c if c.is_empty() => {
            if table.k == 0 {
                table.leading_missing += 1;
            } else {
                table.values.extend(std::iter::repeat_n(f64::NAN, table.k));
            }
            return Ok(());
        }
        Cell::Json(v) => v.as_ref(),
        Cell::Text(s) => {
            parsed = parse_structured(s)
                .map_err(|deep| deep.error(file, &table.column, &row.location().to_string()))?
                .ok_or_else(|| structured_error(file, table, cell, row))?;
            &parsed
        }
        _ => return Err(structured_error(file, table, cell, row)),
    };
    match value {
        Value::Array(a) => {
            if table.k == 0 {
                if a.is_empty() {
                    return Err(structured_error(file, table, cell, row));
                }
                table.set_k(a.len());
            }
            if a.len() != table.k || table.classes.is_some() {
                return Err(InputError::new(
                    file,
                    format!("column '{}' has {} scores here but {} in earlier rows", table.column, a.len(), table.k),
                    "every row needs one score per class, in the same class order",
                )
                .at(row.location().to_string()));
            }
            for v in a {
                table.values.push(v.as_f64().ok_or_else(|| structured_error(file, table, cell, row))?);
            }
        }
        Value::Object(m) => {
            if table.k == 0 {
                if m.is_empty() {
                    return Err(structured_error(file, table, cell, row));
                }
                table.classes = Some(m.keys().map(|k| canonical_label(k).into_owned()).collect());
                table.set_k(m.len());
            }
            let classes = table.classes.as_ref().ok_or_else(|| structured_error(file, table, cell, row))?;
            if m.len() != classes.len() {
                return Err(InputError::new(
                    file,
                    format!(
                        "column '{}' has {} classes here but {} in earlier rows",
                        table.column,
                        m.len(),
                        classes.len()
                    ),
                    "every row must score the same classes",
                )
                .at(row.location().to_string()));
            }
            let start = table.values.len();
            table.values.extend(std::iter::repeat_n(f64::NAN, classes.len()));
            for (k, v) in m {
                let canon = canonical_label(k);
                let j = classes.iter().position(|c| c == canon.as_ref()).ok_or_else(|| {
                    InputError::new(
                        file,
                        format!("column '{}' scores class '{k}' that earlier rows did not", table.column),
                        "every row must score the same classes",
                    )
                    .at(row.location().to_string())
                })?;
                table.values[start + j] = v.as_f64().ok_or_else(|| structured_error(file, table, cell, row))?;
            }
        }
        _ => return Err(structured_error(file, table, cell, row)),
    }
    Ok(())
}

fn structured_error(file: &str, table: &ProbTable, cell: &Cell, row: &dyn Row) -> InputError {
    InputError::new(
        file,
        format!("column '{}' holds {}, expected a list of scores or an object label → score", table.column, cell.describe()),
        "write per-class scores as [0.1, 0.9] (class order) or {\"ham\": 0.1, \"spam\": 0.9}, or as one prob_<label> column per class",
    )
    .at(row.location().to_string())
}

/// How many probabilities to reserve for `rows` rows of `k` classes from a file of `size` bytes:
/// never more than `size / 2`, as a stored probability takes at least two bytes (a digit and a
/// delimiter). A wide file (100k score columns) made the row guess times `k` ask for 70 GB of
/// address space, which a memory limit refuses with an abort.
fn prob_reserve(rows: usize, k: usize, size: u64) -> usize {
    rows.saturating_mul(k.max(1)).min((size / 2) as usize)
}

/// Reads `path` with the roles `options` asks for.
pub fn read_predictions(path: &str, options: &ReadOptions) -> Result<Predictions> {
    let mut source = formats::open_table(path, options.format)?;
    let file = crate::source::display_name(path);
    let plan = ColumnPlan::resolve(&file, source.columns(), &options.columns)?;
    let mut gold = plan.label.map(|c| LabelColumn::new(plan.name(c)));
    let mut pred = plan.pred.map(|c| LabelColumn::new(plan.name(c)));
    let mut alternatives: Vec<(usize, Option<LabelColumn>)> =
        plan.pred_alternatives.iter().map(|&c| (c, Some(LabelColumn::new(plan.name(c))))).collect();
    let mut ids: Option<Vec<String>> = (options.keep_ids && plan.id.is_some()).then(Vec::new);
    let mut text: Option<(String, Vec<String>)> =
        plan.text.filter(|_| options.keep_text).map(|c| (plan.name(c).to_string(), Vec::new()));
    let mut score: Option<(String, Vec<f64>)> = plan.score.map(|c| (plan.name(c).to_string(), Vec::new()));
    let mut probs = match &plan.probs {
        ProbsPlan::None => None,
        ProbsPlan::Single { column, logits } => Some(ProbTable {
            column: plan.name(*column).to_string(),
            classes: None,
            k: 0,
            values: Vec::new(),
            logits: *logits,
            leading_missing: 0,
        }),
        ProbsPlan::PerClass { columns, logits } => Some(ProbTable {
            column: columns.iter().map(|(c, _)| plan.name(*c)).collect::<Vec<_>>().join(", "),
            classes: Some(columns.iter().map(|(_, l)| canonical_label(l).into_owned()).collect()),
            k: columns.len(),
            values: Vec::new(),
            logits: *logits,
            leading_missing: 0,
        }),
    };
    // Reserve for the rows the file's size suggests: untouched capacity costs nothing, while
    // growing by doubling copies and touches every page again.
    let size = crate::source::size_hint(path).unwrap_or(0);
    let hint = (size / 16).min(1 << 28) as usize;
    for col in [gold.as_mut(), pred.as_mut()].into_iter().flatten() {
        col.reserve(hint);
    }
    if let Some((_, v)) = score.as_mut() {
        v.reserve(hint);
    }
    if let Some(t) = probs.as_mut() {
        t.values.reserve(prob_reserve(hint, t.k, size));
    }
    let mut rows = 0usize;
    source.for_each_row(&mut |row: &dyn Row| {
        rows += 1;
        if let (Some(g), Some(c)) = (gold.as_mut(), plan.label) {
            g.push(&row.cell(c), row, &file)?;
        }
        if let (Some(p), Some(c)) = (pred.as_mut(), plan.pred) {
            p.push(&row.cell(c), row, &file)?;
        }
        for (c, alt) in alternatives.iter_mut() {
            // A candidate that cannot be read as labels, or has too many to be labels, drops out.
            let readable = alt.as_mut().is_some_and(|a| a.push(&row.cell(*c), row, &file).is_ok());
            if !readable || alt.as_ref().is_some_and(|a| a.dict.len() > MAX_CANDIDATE_LABELS) {
                *alt = None;
            }
        }
        if let (Some(ids), Some(c)) = (ids.as_mut(), plan.id) {
            ids.push(match row.cell(c) {
                Cell::Text(s) => canonical_label(s).into_owned(),
                Cell::Number(x) => number_label(x),
                other if other.is_empty() => String::new(),
                other => other.describe(),
            });
        }
        if let (Some((_, texts)), Some(c)) = (text.as_mut(), plan.text) {
            texts.push(match row.cell(c) {
                Cell::Text(s) => s.to_string(),
                Cell::Number(x) => number_label(x),
                other if other.is_empty() => String::new(),
                other => other.describe(),
            });
        }
        if let (Some((name, values)), Some(c)) = (score.as_mut(), plan.score) {
            let cell = row.cell(c);
            values.push(parse_number(&cell).ok_or_else(|| number_error(&file, name, &cell, row))?);
        }
        if let Some(table) = probs.as_mut() {
            match &plan.probs {
                ProbsPlan::Single { column, .. } => push_structured_probs(table, &row.cell(*column), row, &file)?,
                ProbsPlan::PerClass { columns, .. } => {
                    for (c, _) in columns {
                        let cell = row.cell(*c);
                        table
                            .values
                            .push(parse_number(&cell).ok_or_else(|| number_error(&file, plan.name(*c), &cell, row))?);
                    }
                }
                ProbsPlan::None => {}
            }
        }
        Ok(())
    })?;
    if let Some(t) = &probs {
        if t.k == 0 {
            return Err(InputError::new(
                &file,
                format!("column '{}' is empty in every row", t.column),
                "remove the column, or fill it with per-class scores ([0.1, 0.9] or {\"ham\": 0.1, \"spam\": 0.9})",
            ));
        }
    }
    Ok(Predictions {
        file,
        rows,
        ids,
        id_column: plan.id.map(|c| plan.name(c).to_string()),
        gold,
        pred,
        score,
        probs,
        text,
        pred_alternatives: alternatives.into_iter().filter_map(|(_, a)| a).collect(),
        columns: plan.names.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::prob_reserve;

    #[test]
    fn the_probability_reserve_is_bounded_by_the_file_size() {
        // 3 rows of 100k score columns (600 kB): the row guess (size / 16) times k was 3.75e9 values.
        assert_eq!(prob_reserve(600_000 / 16, 100_000, 600_000), 300_000);
        // An ordinary file keeps the row guess times k.
        assert_eq!(prob_reserve(1000, 3, 16_000), 3000);
        assert_eq!(prob_reserve(1000, 0, 16_000), 1000);
        assert_eq!(prob_reserve(usize::MAX, 7, 100), 50);
    }
}

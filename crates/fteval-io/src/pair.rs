//! Two models' predictions on the same test set, made comparable: rows joined on id (or by
//! position), gold labels checked to agree, and one label space and positive class for both.

use std::collections::HashMap;

use fteval_core::checks::{Check, Severity};
use fteval_core::labels::{infer_positive, sort_labels};
use fteval_core::{ClassificationInput, Scores, Task};

use crate::error::{InputError, Result};
use crate::predictions::{LabelColumn, LabelValues, Predictions, MISSING};
use crate::prepare::{prepare, used_labels, PrepareOptions, Prepared};

/// Several models' predictions on the same rows with the same labels, gold and positive class.
#[derive(Clone, Debug)]
pub struct AlignedInputs {
    /// One input per file, in the order given.
    pub inputs: Vec<ClassificationInput>,
    /// Example ids of the joined rows, when the files have them.
    pub ids: Option<Vec<String>>,
    /// Example text of the joined rows, when a file has it.
    pub text: Option<Vec<String>>,
    pub checks: Vec<Check>,
}

/// Joins, reconciles and prepares prediction files of several models on one test set: rows
/// whose id occurs exactly once in every file, in the first file's order (or all rows by
/// position when the files have no ids).
pub fn align_predictions(mut files: Vec<Predictions>, options: &PrepareOptions) -> Result<AlignedInputs> {
    let mut checks = Vec::new();
    if let Some(rows) = join_rows(&files, &mut checks)? {
        for (f, r) in files.iter_mut().zip(&rows) {
            f.take_rows(r);
        }
    }
    share_gold(&mut files)?;
    drop_missing_rows(&mut files, options, &mut checks);
    let last = files.last().map(|f| f.file.clone()).unwrap_or_default();
    if label_columns(&files).any(LabelColumn::is_multilabel) || options.task == Some(Task::Multilabel) {
        return Err(InputError::new(
            &last,
            "comparing multilabel predictions is not supported yet",
            "evaluate each model with `fteval metrics` for now; paired multilabel comparison is planned",
        ));
    }
    let shared = shared_options(&files, options);
    let ids = files[0].ids.take();
    let text = files.iter_mut().find_map(|f| f.text.take()).map(|(_, t)| t);
    let mut inputs = Vec::with_capacity(files.len());
    for f in files {
        let name = f.file.clone();
        inputs.push(classification(prepare(f, &shared)?, &mut checks, &name));
    }
    unify_labels(&mut inputs);
    Ok(AlignedInputs { inputs, ids, text, checks })
}

/// Each id's number of occurrences and first row.
fn count_ids(ids: &[String]) -> HashMap<&str, (u32, usize)> {
    let mut m: HashMap<&str, (u32, usize)> = HashMap::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        m.entry(id.as_str()).or_insert((0, i)).0 += 1;
    }
    m
}

/// Gold and prediction columns of every file.
fn label_columns(files: &[Predictions]) -> impl Iterator<Item = &LabelColumn> {
    files.iter().flat_map(|f| [f.gold.as_ref(), f.pred.as_ref()]).flatten()
}

fn classification(p: crate::prepare::PreparedInput, checks: &mut Vec<Check>, file: &str) -> ClassificationInput {
    for mut c in p.checks {
        c.message = format!("{file}: {}", c.message);
        checks.push(c);
    }
    match p.input {
        Prepared::Classification(c) => c,
        Prepared::Multilabel(_) => unreachable!("multilabel inputs are rejected before preparation"),
    }
}

/// Rows of each file to keep, in the first file's order, when the files are joined on id;
/// None when they align as they are (same ids in the same order, or equal row counts and
/// not every file has ids).
fn join_rows(files: &[Predictions], checks: &mut Vec<Check>) -> Result<Option<Vec<Vec<usize>>>> {
    let first = &files[0];
    let Some(all_ids) = files.iter().map(|f| f.ids.as_deref()).collect::<Option<Vec<&[String]>>>() else {
        if let Some(f) = files.iter().find(|f| f.rows != first.rows) {
            return Err(InputError::new(
                &f.file,
                format!("{} rows here but {} in {}", f.rows, first.rows, first.file),
                "without an id column in every file rows are matched by position, so the counts must agree; add an id column (--id-col) to join on it",
            ));
        }
        return Ok(None);
    };
    let counts: Vec<HashMap<&str, (u32, usize)>> = all_ids.iter().map(|ids| count_ids(ids)).collect();
    if all_ids.iter().all(|ids| *ids == all_ids[0]) && counts[0].len() == all_ids[0].len() {
        return Ok(None);
    }
    let mut rows: Vec<Vec<usize>> = vec![Vec::with_capacity(first.rows); files.len()];
    for id in all_ids[0] {
        let found: Option<Vec<usize>> =
            counts.iter().map(|c| c.get(id.as_str()).filter(|(n, _)| *n == 1).map(|&(_, row)| row)).collect();
        if let Some(found) = found {
            for (r, row) in rows.iter_mut().zip(found) {
                r.push(row);
            }
        }
    }
    let matched = rows[0].len();
    if matched == 0 {
        return Err(InputError::new(
            &files[1].file,
            format!(
                "no example id occurs exactly once in every file (ids like '{}' here, '{}' in {})",
                all_ids[1].first().map(String::as_str).unwrap_or(""),
                all_ids[0].first().map(String::as_str).unwrap_or(""),
                first.file
            ),
            "the files must hold predictions for the same examples; check the id column (--id-col)",
        ));
    }
    let mut repeated: Vec<&str> =
        counts.iter().flat_map(|c| c.iter().filter(|(_, &(n, _))| n > 1).map(|(id, _)| *id)).collect();
    repeated.sort_unstable();
    repeated.dedup();
    let unmatched: Vec<String> = files
        .iter()
        .zip(&counts)
        .filter_map(|(f, c)| {
            let only = c.keys().filter(|id| counts.iter().any(|o| !o.contains_key(*id))).count();
            (only > 0).then(|| format!("{only} in {}", f.file))
        })
        .collect();
    if !unmatched.is_empty() {
        checks.push(Check::new(
            "unmatched_ids",
            Severity::Warn,
            format!(
                "Ids missing from another file were left out ({}); {matched} examples are compared.",
                unmatched.join(", ")
            ),
        ));
    }
    if !repeated.is_empty() {
        checks.push(Check::new(
            "repeated_ids",
            Severity::Warn,
            format!(
                "{} ids occur more than once in a file (first: '{}'); their rows were left out.",
                repeated.len(),
                repeated[0]
            ),
        ));
    }
    Ok(Some(rows))
}

/// Gold labels must agree row by row; files without gold labels take the first file's that has them.
fn share_gold(files: &mut [Predictions]) -> Result<()> {
    let Some(source) = files.iter().position(|f| f.gold.is_some()) else { return Ok(()) };
    let gold = files[source].gold.clone().expect("found above");
    for i in 0..files.len() {
        match &files[i].gold {
            Some(g) if i != source => check_gold_agrees(&files[source], &files[i], &gold, g)?,
            Some(_) => {}
            None => files[i].gold = Some(gold.clone()),
        }
    }
    Ok(())
}

fn check_gold_agrees(a: &Predictions, b: &Predictions, ga: &LabelColumn, gb: &LabelColumn) -> Result<()> {
    let disagree = |i: usize| -> InputError {
        let at = match &a.ids {
            Some(ids) => format!("id '{}'", ids[i]),
            None => format!("data row {}", i + 1),
        };
        let show = |c: &LabelColumn| c.display(i).unwrap_or_else(|| "(empty)".to_string());
        InputError::new(
            &b.file,
            format!("the gold label of {at} is '{}' here but '{}' in {}", show(gb), show(ga), a.file),
            "both files must hold the same test set with the same gold labels; check they come from the same data split (and the same --label-col)",
        )
    };
    match (&ga.values, &gb.values) {
        (LabelValues::Single(va), LabelValues::Single(vb)) => {
            // Codes of b's dictionary in a's (MISSING when a has no such label).
            let map: Vec<u32> =
                gb.dict.iter().map(|l| ga.dict.iter().position(|x| x == l).map_or(MISSING - 1, |p| p as u32)).collect();
            for (i, (&x, &y)) in va.iter().zip(vb).enumerate() {
                let y = if y == MISSING { MISSING } else { map[y as usize] };
                if x != y {
                    return Err(disagree(i));
                }
            }
            Ok(())
        }
        _ => {
            for i in 0..ga.len() {
                let set = |c: &LabelColumn| {
                    c.display(i).map(|s| {
                        let mut v: Vec<String> = s.split('|').map(str::to_string).collect();
                        v.sort();
                        v
                    })
                };
                if set(ga) != set(gb) {
                    return Err(disagree(i));
                }
            }
            Ok(())
        }
    }
}

/// With `--drop-missing`, leaves out rows where the gold label or any prediction is empty
/// (from every file, so they stay aligned).
fn drop_missing_rows(files: &mut [Predictions], options: &PrepareOptions, checks: &mut Vec<Check>) {
    if !options.drop_missing {
        return;
    }
    let rows = files[0].rows;
    let cols: Vec<&LabelColumn> = label_columns(files).collect();
    let keep: Vec<usize> = (0..rows).filter(|&i| cols.iter().all(|c| !c.is_missing(i))).collect();
    if keep.len() < rows {
        checks.push(Check::new(
            "dropped_rows",
            Severity::Info,
            format!(
                "{} of {rows} rows had an empty gold label or prediction in some file and were left out (--drop-missing).",
                rows - keep.len()
            ),
        ));
        for f in files.iter_mut() {
            f.take_rows(&keep);
        }
    }
}

/// One task and one positive class for both files, decided on the union of their labels.
fn shared_options(files: &[Predictions], options: &PrepareOptions) -> PrepareOptions {
    let mut labels: Vec<String> = Vec::new();
    let mut add = |l: String| {
        if !labels.contains(&l) {
            labels.push(l);
        }
    };
    for col in label_columns(files) {
        used_labels(col).into_iter().for_each(&mut add);
    }
    let mut wide_scores = false;
    for t in files.iter().filter_map(|f| f.probs.as_ref()) {
        t.classes.iter().flatten().cloned().for_each(&mut add);
        wide_scores |= t.k > 2;
    }
    sort_labels(&mut labels);
    let task = options.task.unwrap_or(if labels.len() <= 2 && !wide_scores { Task::Binary } else { Task::Multiclass });
    let positive = match (&options.positive, task) {
        (Some(p), _) => Some(p.clone()),
        (None, Task::Binary) => infer_positive(&labels).map(|i| labels[i].clone()),
        _ => None,
    };
    PrepareOptions { task: Some(task), positive, drop_missing: options.drop_missing }
}

/// Puts every input on the sorted union of their labels (one model may predict a class
/// another never does), remapping codes and widening per-class score tables.
fn unify_labels(inputs: &mut [ClassificationInput]) {
    let mut labels: Vec<String> = Vec::new();
    for l in inputs.iter().flat_map(|i| &i.labels) {
        if !labels.contains(l) {
            labels.push(l.clone());
        }
    }
    sort_labels(&mut labels);
    for input in inputs.iter_mut().filter(|i| i.labels != labels) {
        let map: Vec<u32> = input.labels.iter().map(|l| labels.iter().position(|x| x == l).unwrap() as u32).collect();
        for code in input.gold.iter_mut().chain(input.pred.iter_mut()) {
            *code = map[*code as usize];
        }
        input.positive = input.positive.map(|p| map[p] as usize);
        if let Some(Scores::PerClass(values)) = &mut input.scores {
            let (k_old, k) = (input.labels.len(), labels.len());
            let mut wide = vec![0.0; values.len() / k_old * k];
            for (row, old) in values.chunks(k_old).enumerate() {
                for (j, &v) in old.iter().enumerate() {
                    wide[row * k + map[j] as usize] = v;
                }
            }
            *values = wide;
        }
        input.labels = labels.clone();
    }
}

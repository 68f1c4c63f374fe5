//! Two models' predictions on the same test set, made comparable: rows joined on id (or by
//! position), gold labels checked to agree, and one label space and positive class for both.

use fteval_core::checks::{Check, Severity};
use fteval_core::labels::{infer_positive, sort_labels};
use fteval_core::{ClassificationInput, Scores, Task};
use rustc_hash::FxHashMap;

use crate::error::{InputError, Result};
use crate::predictions::{LabelColumn, LabelValues, Predictions, MISSING};
use crate::prepare::{
    prepare, settle_prediction_column, unify_boolean_spellings, used_labels, PrepareOptions, Prepared,
};

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
/// `same_rows`: the files are reads of one table (a column per model), aligned as they are.
pub fn align_predictions(
    mut files: Vec<Predictions>,
    options: &PrepareOptions,
    same_rows: bool,
) -> Result<AlignedInputs> {
    let mut checks = Vec::new();
    if !same_rows {
        if let Some(rows) = join_rows(&files, &mut checks)? {
            for (f, r) in files.iter_mut().zip(&rows) {
                f.take_rows(r);
            }
        }
    }
    let mut columns: Vec<&mut LabelColumn> =
        files.iter_mut().flat_map(|f| [f.gold.as_mut(), f.pred.as_mut()]).flatten().collect();
    checks.extend(unify_boolean_spellings(&mut columns));
    share_gold(&mut files, options.drop_missing)?;
    for f in files.iter_mut() {
        let (note, _) = settle_prediction_column(f);
        checks.extend(note.map(|c| c.about(&f.file)));
    }
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
    let names: Vec<String> = files.iter().map(|f| f.file.clone()).collect();
    let ids = files[0].ids.take();
    let text = files.iter_mut().find_map(|f| f.text.take()).map(|(_, t)| t);
    let mut inputs = Vec::with_capacity(files.len());
    for f in files {
        let name = f.file.clone();
        inputs.push(classification(prepare(f, &shared)?, &mut checks, &name));
    }
    if let Some(odd) = inputs.iter().position(|i| i.gold.len() != inputs[0].gold.len()) {
        return Err(InputError::new(
            &names[odd],
            format!("{} rows remain here but {} in {}", inputs[odd].gold.len(), inputs[0].gold.len(), names[0]),
            "some rows have an empty label, prediction or score in one file only; fill them in, or pass --drop-missing to leave them out of every file",
        ));
    }
    unify_labels(&mut inputs);
    Ok(AlignedInputs { inputs, ids, text, checks })
}

/// Gold and prediction columns of every file.
fn label_columns(files: &[Predictions]) -> impl Iterator<Item = &LabelColumn> {
    files.iter().flat_map(|f| [f.gold.as_ref(), f.pred.as_ref()]).flatten()
}

fn classification(p: crate::prepare::PreparedInput, checks: &mut Vec<Check>, file: &str) -> ClassificationInput {
    checks.extend(p.checks.iter().map(|c| c.about(file)));
    match p.input {
        Prepared::Classification(c) => c,
        Prepared::Multilabel(_) => unreachable!("multilabel inputs are rejected before preparation"),
    }
}

/// Marks an id of the first file that a file lacks, or holds more than once.
const ABSENT: u32 = u32::MAX;
const REPEATED: u32 = u32::MAX - 1;

/// Rows of each file to keep, in the first file's order, when the files are joined on id;
/// None when they align as they are (the same unique ids in the same order, or equal row
/// counts when not every file has ids). One hash insert per row of the first file and one
/// lookup per row of the others.
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
    let ids0 = all_ids[0];
    let mut index: FxHashMap<&str, u32> = FxHashMap::with_capacity_and_hasher(ids0.len(), Default::default());
    let mut repeated0 = vec![false; ids0.len()];
    let mut repeated_ids: Vec<&str> = Vec::new();
    for (i, id) in ids0.iter().enumerate() {
        if let Some(&first_row) = index.get(id.as_str()) {
            if !repeated0[first_row as usize] {
                repeated_ids.push(id);
            }
            repeated0[first_row as usize] = true;
            repeated0[i] = true;
        } else {
            index.insert(id, i as u32);
        }
    }
    if repeated_ids.is_empty() && all_ids[1..].iter().all(|ids| *ids == ids0) {
        return Ok(None);
    }
    // For each other file, the row holding each id of the first file.
    let mut unmatched: Vec<String> = Vec::new();
    let mut rows_in: Vec<Vec<u32>> = Vec::with_capacity(files.len() - 1);
    for (f, ids) in files[1..].iter().zip(&all_ids[1..]) {
        let mut row_of = vec![ABSENT; ids0.len()];
        let mut only_here = 0usize;
        for (j, id) in ids.iter().enumerate() {
            match index.get(id.as_str()) {
                Some(&i) => {
                    let slot = &mut row_of[i as usize];
                    if *slot == ABSENT {
                        *slot = j as u32;
                    } else {
                        if *slot != REPEATED {
                            repeated_ids.push(id);
                        }
                        *slot = REPEATED;
                    }
                }
                None => only_here += 1,
            }
        }
        if only_here > 0 {
            unmatched.push(format!("{only_here} rows of {} have ids not in {}", f.file, first.file));
        }
        rows_in.push(row_of);
    }
    let mut rows: Vec<Vec<usize>> = vec![Vec::with_capacity(ids0.len()); files.len()];
    let mut missing_elsewhere = 0usize;
    for i in 0..ids0.len() {
        if repeated0[i] {
            continue;
        }
        if rows_in.iter().any(|r| r[i] == ABSENT) {
            missing_elsewhere += 1;
            continue;
        }
        if rows_in.iter().any(|r| r[i] == REPEATED) {
            continue;
        }
        rows[0].push(i);
        for (out, r) in rows[1..].iter_mut().zip(&rows_in) {
            out.push(r[i] as usize);
        }
    }
    if missing_elsewhere > 0 {
        unmatched.insert(0, format!("{missing_elsewhere} rows of {} have ids missing from another file", first.file));
    }
    let matched = rows[0].len();
    if matched == 0 {
        return Err(InputError::new(
            &files[1].file,
            format!(
                "no example id occurs exactly once in every file (ids like '{}' here, '{}' in {})",
                all_ids[1].first().map(String::as_str).unwrap_or(""),
                ids0.first().map(String::as_str).unwrap_or(""),
                first.file
            ),
            "the files must hold predictions for the same examples; check the id column (--id-col)",
        ));
    }
    if !unmatched.is_empty() {
        checks.push(Check::new(
            "unmatched_ids",
            Severity::Warn,
            format!("{}; those rows were left out, so {matched} examples are compared.", unmatched.join("; ")),
        ));
    }
    if !repeated_ids.is_empty() {
        checks.push(Check::new(
            "repeated_ids",
            Severity::Warn,
            format!(
                "{} ids occur more than once in a file (first: '{}'); all their rows were left out.",
                repeated_ids.len(),
                repeated_ids[0]
            ),
        ));
    }
    Ok(Some(rows))
}

/// Gold labels must agree row by row; files without gold labels take the first file's that has them.
/// With `drop_missing`, an empty gold label next to a filled one is not a disagreement (the
/// row is dropped from every file).
fn share_gold(files: &mut [Predictions], drop_missing: bool) -> Result<()> {
    let Some(source) = files.iter().position(|f| f.gold.is_some()) else { return Ok(()) };
    let gold = files[source].gold.clone().expect("found above");
    for i in 0..files.len() {
        match &files[i].gold {
            Some(g) if i != source => check_gold_agrees(&files[source], &files[i], &gold, g, drop_missing)?,
            Some(_) => {}
            None => files[i].gold = Some(gold.clone()),
        }
    }
    Ok(())
}

fn check_gold_agrees(
    a: &Predictions,
    b: &Predictions,
    ga: &LabelColumn,
    gb: &LabelColumn,
    drop_missing: bool,
) -> Result<()> {
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
                if drop_missing && (x == MISSING || y == MISSING) {
                    continue;
                }
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
                let (sa, sb) = (set(ga), set(gb));
                if sa != sb && !(drop_missing && (sa.is_none() || sb.is_none())) {
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
    // Files without a prediction column predict from their scores: a missing score is a
    // missing prediction.
    let score_missing = |f: &Predictions, i: usize| {
        f.pred.is_none()
            && (f.score.as_ref().is_some_and(|(_, s)| s[i].is_nan())
                || f.probs.as_ref().is_some_and(|t| t.values[i * t.k..(i + 1) * t.k].iter().any(|v| v.is_nan())))
    };
    let keep: Vec<usize> = (0..rows)
        .filter(|&i| cols.iter().all(|c| !c.is_missing(i)) && !files.iter().any(|f| score_missing(f, i)))
        .collect();
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
        // Score columns that name no label are left out by `prepare`: they add no class.
        let names_a_label = |c: &String| label_columns(files).any(|col| used_labels(col).contains(c));
        if let Some(classes) = &t.classes {
            if !classes.iter().any(names_a_label) {
                continue;
            }
            classes.iter().cloned().for_each(&mut add);
        }
        wide_scores |= t.k > 2;
    }
    sort_labels(&mut labels);
    let task = options.task.unwrap_or(if labels.len() <= 2 && !wide_scores { Task::Binary } else { Task::Multiclass });
    let positive = match (&options.positive, task) {
        (Some(p), _) => Some(p.clone()),
        (None, Task::Binary) => infer_positive(&labels).map(|i| labels[i].clone()),
        _ => None,
    };
    PrepareOptions {
        task: Some(task),
        positive,
        drop_missing: options.drop_missing,
        extra_labels: labels,
        label_names: options.label_names.clone(),
    }
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

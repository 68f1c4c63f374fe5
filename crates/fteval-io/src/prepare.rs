//! From typed columns to an evaluation input: attach gold labels from a second file, handle
//! missing values, infer the task and the positive class, align per-class scores with labels.

use std::collections::HashMap;

use fteval_core::checks::{Check, Severity};
use fteval_core::labels::{canonical_label, infer_positive, sort_labels, POSITIVE_NAMES};
use fteval_core::metrics::multilabel::SetPair;
use fteval_core::metrics::scores::multiclass::row_top;
use fteval_core::{ClassificationInput, MultilabelInput, Scores, Task};

use crate::error::{InputError, Result};
use crate::label_names;
use crate::prediction_column::{candidates_hint, choose_prediction_column, Candidate};
use crate::predictions::{retain_rows, LabelColumn, LabelValues, Predictions, ProbTable, MISSING};

/// Settings that shape the evaluation input.
#[derive(Clone, Debug, Default)]
pub struct PrepareOptions {
    pub task: Option<Task>,
    pub positive: Option<String>,
    pub drop_missing: bool,
    /// Labels to include even when this file does not use them (the union over several
    /// models' files, so that each is prepared on the same label space).
    pub extra_labels: Vec<String>,
    /// `--label-names`: integer label i is the i-th name.
    pub label_names: Option<Vec<String>>,
}

/// A ready evaluation input, plus notes about what preparation did.
#[derive(Clone, Debug)]
pub enum Prepared {
    Classification(ClassificationInput),
    Multilabel(MultilabelInput),
}

/// An evaluation input with the checks its preparation raised.
#[derive(Clone, Debug)]
pub struct PreparedInput {
    pub input: Prepared,
    pub checks: Vec<Check>,
}

const NEED_GOLD_HINT: &str =
    "evaluation needs the true labels: name the gold column with --label-col NAME, or give a file of gold labels with --gold FILE";

/// Moves the gold labels of `gold_file` onto `preds`: joined on the id column when both have
/// one, otherwise row by row (counts must match).
pub fn attach_gold(preds: &mut Predictions, gold_file: Predictions) -> Result<Vec<Check>> {
    let gold = gold_file.gold.ok_or_else(|| {
        InputError::new(
            &gold_file.file,
            "no gold label column found",
            format!(
                "name it with --label-col (tried: {}); the columns are: {}",
                crate::columns::LABEL_NAMES.join(", "),
                gold_file.columns.join(", ")
            ),
        )
    })?;
    let mut checks = Vec::new();
    if let Some(own) = &preds.gold {
        checks.push(Check::new(
            "gold_from_file",
            Severity::Info,
            format!(
                "Gold labels come from {}; the column '{}' of {} was not used.",
                gold_file.file, own.column, preds.file
            ),
        ));
    }
    match (&preds.ids, &gold_file.ids) {
        (Some(pred_ids), Some(gold_ids)) => {
            let mut index: HashMap<&str, usize> = HashMap::with_capacity(gold_ids.len());
            for (i, id) in gold_ids.iter().enumerate() {
                if let Some(first) = index.insert(id.as_str(), i) {
                    return Err(InputError::new(
                        &gold_file.file,
                        format!("id '{id}' appears more than once (data rows {} and {})", first + 1, i + 1),
                        "ids must be unique to join gold labels to predictions; deduplicate the gold file",
                    ));
                }
            }
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(pred_ids.len());
            for (i, id) in pred_ids.iter().enumerate() {
                if let Some(first) = seen.insert(id.as_str(), i) {
                    return Err(InputError::new(
                        &preds.file,
                        format!("id '{id}' appears more than once (data rows {} and {})", first + 1, i + 1),
                        "each example must be predicted once; deduplicate the predictions",
                    ));
                }
            }
            let mut rows = Vec::with_capacity(pred_ids.len());
            let mut unmatched = Vec::new();
            for id in pred_ids {
                match index.get(id.as_str()) {
                    Some(&i) => rows.push(i),
                    None => unmatched.push(id.clone()),
                }
            }
            if !unmatched.is_empty() {
                return Err(InputError::new(
                    &preds.file,
                    format!(
                        "{} of {} prediction ids have no gold label in {} (first: '{}')",
                        unmatched.len(),
                        pred_ids.len(),
                        gold_file.file,
                        unmatched[0]
                    ),
                    "check that both files use the same ids (--id-col names the id column)",
                ));
            }
            if rows.len() < gold_ids.len() {
                checks.push(Check::new(
                    "gold_rows_unused",
                    Severity::Info,
                    format!("{} gold rows have no prediction and were not evaluated.", gold_ids.len() - rows.len()),
                ));
            }
            preds.gold = Some(gold.take_rows(&rows));
        }
        _ => {
            if gold.len() != preds.rows {
                return Err(InputError::new(
                    &gold_file.file,
                    format!("{} gold rows but {} prediction rows in {}", gold.len(), preds.rows, preds.file),
                    "without an id column in both files rows are matched by position, so the counts must agree; add ids (--id-col) to join instead",
                ));
            }
            preds.gold = Some(gold);
        }
    }
    Ok(checks)
}

/// When some columns spell a binary label as true/false and others as 1/0, reads true as 1
/// and false as 0 (pandas writes bool predictions as True/False next to integer labels).
pub(crate) fn unify_boolean_spellings(columns: &mut [&mut LabelColumn]) -> Option<Check> {
    let is_bool = |c: &LabelColumn| !c.dict.is_empty() && c.dict.iter().all(|l| l == "true" || l == "false");
    let is_01 = |c: &LabelColumn| !c.dict.is_empty() && c.dict.iter().all(|l| l == "0" || l == "1");
    if !columns.iter().any(|c| is_01(c)) || !columns.iter().all(|c| is_bool(c) || is_01(c)) {
        return None;
    }
    let mut renamed = Vec::new();
    for c in columns.iter_mut().filter(|c| is_bool(c)) {
        for l in c.dict.iter_mut() {
            *l = if l == "true" { "1".to_string() } else { "0".to_string() };
        }
        renamed.push(format!("'{}'", c.column));
    }
    (!renamed.is_empty()).then(|| {
        Check::new(
            "labels_unified",
            Severity::Info,
            format!(
                "Column {} spells labels true/false while the others use 1/0: read true as 1 and false as 0.",
                renamed.join(", ")
            ),
        )
    })
}

/// Words in column names that suggest a role, for hints.
const GOLD_HINTS: &[&str] = &["label", "true", "truth", "gold", "actual", "target", "expected", "class"];
const PRED_HINTS: &[&str] = &["pred", "output", "guess", "_label"];

/// " Maybe: A, B. The columns are: …" — columns whose names suggest the role first.
fn column_suggestion(columns: &[String], words: &[&str], used: Option<&str>) -> String {
    let likely: Vec<&str> = columns
        .iter()
        .filter(|c| Some(c.as_str()) != used)
        .filter(|c| {
            let l = c.to_ascii_lowercase();
            words.iter().any(|w| l.contains(w))
        })
        .map(String::as_str)
        .collect();
    let all = shorten(&columns.join(", "), 300);
    if likely.is_empty() {
        format!(" The columns are: {all}")
    } else {
        format!(" Likely candidates: {}. The columns are: {all}", likely.join(", "))
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// Rejects tables whose header is really data or whose delimiter was wrong, with a hint.
fn check_table_shape(preds: &Predictions) -> Result<()> {
    let cols = &preds.columns;
    // One column is fine when it is the predictions and gold came from elsewhere.
    if cols.len() == 1 && (preds.gold.is_none() || preds.pred.is_none()) {
        return Err(InputError::new(
            &preds.file,
            format!("found a single column ('{}')", shorten(&cols[0], 60)),
            "fteval reads tables: comma-separated .csv, tab-separated .tsv (and .txt), JSON Lines, JSON or Parquet, with a header line naming the columns; check the delimiter or say --input-format",
        ));
    }
    let looks_like_data = |c: &String| c.trim().parse::<f64>().is_ok() || c.chars().count() > 60;
    if preds.gold.is_none() && preds.pred.is_none() && cols.iter().any(looks_like_data) {
        return Err(InputError::new(
            &preds.file,
            format!("the first line looks like data, not column names ('{}')", shorten(&cols.join("', '"), 80)),
            "add a header line naming the columns, e.g. `id,label,pred,prob`",
        )
        .at("line 1"));
    }
    Ok(())
}

/// Rejects continuous targets: many distinct non-integer numeric labels mean regression.
/// The error of a binary file whose gold labels and predictions hold one label only. With
/// `--positive` naming that label, the missing class is the negative one, which no flag names.
fn one_label(file: &str, label: &str, positive: Option<&str>) -> InputError {
    match positive {
        Some(p) => InputError::new(
            file,
            format!("--positive {p}: '{label}' is the only label in gold and predictions, so there is no negative class"),
            format!(
                "a binary evaluation needs rows of both classes: evaluate a test set that holds the other class too, or score this one with --task multiclass (accuracy and the per-class numbers of '{label}')"
            ),
        ),
        None => InputError::new(
            file,
            format!("only one label ('{label}') occurs in gold and predictions"),
            format!(
                "a binary evaluation needs to know the other class: pass --positive LABEL naming the positive class if it is not '{label}' (then '{label}' is the negative one), or score the file with --task multiclass"
            ),
        ),
    }
}

fn check_not_regression(file: &str, labels: &[String]) -> Result<()> {
    let fractional = labels.iter().filter(|l| l.parse::<f64>().is_ok_and(|x| x.fract() != 0.0)).count();
    if fractional > 0 && labels.iter().all(|l| l.parse::<f64>().is_ok()) && labels.len() > 10 {
        return Err(InputError::new(
            file,
            format!("the labels look continuous ({} distinct numbers, {fractional} of them fractional)", labels.len()),
            "fteval metrics evaluates classification (discrete labels); for a regression model use MAE/RMSE or correlation instead",
        ));
    }
    Ok(())
}

/// Softmax of each row of a row-major matrix, in place.
pub fn softmax_rows(values: &mut [f64], k: usize) {
    for row in values.chunks_mut(k) {
        let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        for v in row.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        for v in row.iter_mut() {
            *v /= sum;
        }
    }
}

/// Builds the evaluation input from `preds`.
pub fn prepare(mut preds: Predictions, options: &PrepareOptions) -> Result<PreparedInput> {
    let file = preds.file.clone();
    let mut checks = Vec::new();
    check_table_shape(&preds)?;
    let (note, candidates) = settle_prediction_column(&mut preds);
    checks.extend(note);
    let gold = preds.gold.take().ok_or_else(|| {
        InputError::new(
            &file,
            format!("no gold label column (tried: {})", crate::columns::LABEL_NAMES.join(", ")),
            format!("{NEED_GOLD_HINT}.{}", column_suggestion(&preds.columns, GOLD_HINTS, None)),
        )
    })?;
    let mut gold = gold;
    let mut file_pred = preds.pred.take();
    let names = options.label_names.as_deref().map(|n| label_names::parse_names(&file, n)).transpose()?;
    if let Some(names) = &names {
        checks.push(apply_label_names(&mut preds, &mut gold, file_pred.as_mut(), names, &file)?);
    }
    // Labels named on the command line may be integers that --label-names renames.
    let renamed = |l: &str| {
        let l = canonical_label(l).into_owned();
        names.as_deref().and_then(|n| label_names::named(&l, n)).unwrap_or(l)
    };
    let extra_labels: Vec<String> = options.extra_labels.iter().map(|l| renamed(l)).collect();
    let positive_name = options.positive.as_deref().map(renamed);
    let mut file_labels = used_labels(&gold);
    for l in file_pred.iter().flat_map(used_labels) {
        if !file_labels.contains(&l) {
            file_labels.push(l);
        }
    }
    let pred_column = file_pred.as_ref().map(|p| p.column.clone());
    if let Some(note) = per_class_scores_without_labels(&mut preds, &file_labels, &file, pred_column.as_deref())? {
        checks.push(note);
    }
    let mut pred = match file_pred {
        Some(p) => p,
        None => {
            let (col, note) =
                derive_predictions(&preds, &file, &gold, positive_name.as_deref(), &extra_labels, &candidates)?;
            checks.push(note);
            col
        }
    };

    // Missing gold or prediction values.
    let n = gold.len();
    let missing: Vec<bool> = (0..n).map(|i| gold.is_missing(i) || pred.is_missing(i)).collect();
    validate_scores(&preds, &missing, &file)?;
    let n_missing = missing.iter().filter(|&&m| m).count();
    if n_missing > 0 {
        if !options.drop_missing {
            let (col, loc) =
                if gold.missing > 0 { (&gold.column, gold.first_missing) } else { (&pred.column, pred.first_missing) };
            let mut err = InputError::new(
                &file,
                format!("{n_missing} rows have an empty gold label or prediction (first: column '{col}')"),
                "fill them in, or pass --drop-missing to leave those rows out (the report says how many)",
            );
            if let Some(l) = loc {
                err = err.at(l.to_string());
            }
            return Err(err);
        }
        let keep: Vec<bool> = missing.iter().map(|m| !m).collect();
        gold.retain_rows(&keep);
        pred.retain_rows(&keep);
        if let Some((_, s)) = preds.score.as_mut() {
            retain_rows(s, &keep, 1);
        }
        if let Some(t) = preds.probs.as_mut() {
            let k = t.k;
            retain_rows(&mut t.values, &keep, k);
        }
        checks.push(Check::new(
            "dropped_rows",
            Severity::Info,
            format!(
                "{n_missing} of {n} rows had an empty gold label or prediction and were left out (--drop-missing)."
            ),
        ));
    }
    if gold.is_empty() {
        return Err(InputError::new(&file, "no rows to evaluate", "the file has a header but no data rows"));
    }

    if let Some(note) = unify_boolean_spellings(&mut [&mut gold, &mut pred]) {
        checks.push(note);
    }
    let multilabel = gold.is_multilabel() || pred.is_multilabel() || options.task == Some(Task::Multilabel);
    if multilabel {
        return Ok(PreparedInput { input: Prepared::Multilabel(multilabel_input(&file, &gold, &pred)?), checks });
    }

    // Label space: gold ∪ predictions ∪ named score classes.
    let mut labels: Vec<String> = used_labels(&gold);
    for l in used_labels(&pred) {
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    let named_classes = preds.probs.as_ref().and_then(|t| t.classes.clone());
    for c in named_classes.iter().flatten().chain(&extra_labels) {
        if !labels.contains(c) {
            labels.push(c.clone());
        }
    }
    check_not_regression(&file, &labels)?;
    let binary_hint = labels.len() <= 2 && preds.probs.as_ref().is_none_or(|t| t.k <= 2);
    let task = options.task.unwrap_or(if binary_hint { Task::Binary } else { Task::Multiclass });
    if task == Task::Binary {
        if let Some(p) = &positive_name {
            if !labels.contains(p) {
                if labels.len() < 2 {
                    labels.push(p.clone());
                } else {
                    return Err(InputError::new(
                        &file,
                        format!("--positive {p}: no such label"),
                        format!("the labels are: {}", labels.join(", ")),
                    ));
                }
            }
        }
        if labels.len() > 2 {
            return Err(InputError::new(
                &file,
                format!("--task binary, but there are {} labels: {}", labels.len(), labels.join(", ")),
                "use --task multiclass, or check the label columns",
            ));
        }
    }
    sort_labels(&mut labels);
    if task == Task::Binary && labels.len() < 2 {
        return Err(one_label(&file, &labels[0], positive_name.as_deref()));
    }
    let positive = if task == Task::Binary {
        let idx = match &positive_name {
            Some(p) => labels.iter().position(|l| l == p),
            None => infer_positive(&labels),
        };
        Some(idx.ok_or_else(|| {
            InputError::new(
                &file,
                format!("cannot tell which label is the positive class among: {}", labels.join(", ")),
                format!(
                    "pass --positive LABEL (precision, recall and F1 are about that class); labels recognised on their own: {}",
                    POSITIVE_NAMES.join(", ")
                ),
            )
        })?)
    } else {
        None
    };
    let remap = |col: &LabelColumn| -> Vec<u32> {
        let map: Vec<u32> = col.dict.iter().map(|l| labels.iter().position(|x| x == l).unwrap_or(0) as u32).collect();
        match &col.values {
            LabelValues::Single(v) => v.iter().map(|&c| map[c as usize]).collect(),
            LabelValues::Sets(_) => unreachable!("single-label path"),
        }
    };
    let gold_codes = remap(&gold);
    let pred_codes = remap(&pred);
    let score_column = preds.score.as_ref().map(|(name, _)| name.clone());
    let mut scores = align_scores(&mut preds, &labels, task, positive, &file)?;
    if task != Task::Binary && matches!(scores, Some(Scores::Positive(_))) {
        // One score per row cannot be scored against more than two labels.
        scores = None;
        checks.push(Check::new(
            "scores_ignored",
            Severity::Warn,
            format!(
                "'{}' holds one score per row, but there are {} labels ({}): score metrics (ROC AUC, log loss, …) need one score per class, so it was not used.",
                score_column.unwrap_or_default(),
                labels.len(),
                labels.join(", ")
            ),
        ));
    }
    let model_classes = named_classes;
    Ok(PreparedInput {
        input: Prepared::Classification(ClassificationInput {
            task,
            labels,
            positive,
            gold: gold_codes,
            pred: pred_codes,
            scores,
            model_classes,
        }),
        checks,
    })
}

/// Settles which column holds the predictions once gold is known: the column found by name,
/// or another prediction-like column whose values are gold labels when the named one's are not
/// ([`choose_prediction_column`]). Returns the note explaining a choice by values, and the
/// candidates looked at (for the hint when no column is named like the predictions).
pub(crate) fn settle_prediction_column(preds: &mut Predictions) -> (Option<Check>, Vec<Candidate>) {
    let Some(gold) = &preds.gold else { return (None, Vec::new()) };
    if preds.pred_alternatives.is_empty() {
        return (None, Vec::new());
    }
    let alternatives = std::mem::take(&mut preds.pred_alternatives);
    let choice = choose_prediction_column(gold, preds.pred.take(), alternatives);
    preds.pred = choice.column;
    (choice.note, choice.candidates)
}

/// Labels that occur in a column (its dictionary may hold labels only of dropped rows).
pub(crate) fn used_labels(col: &LabelColumn) -> Vec<String> {
    let mut used = vec![false; col.dict.len()];
    match &col.values {
        LabelValues::Single(v) => v.iter().filter(|&&c| c != MISSING).for_each(|&c| used[c as usize] = true),
        LabelValues::Sets(v) => v.iter().flatten().flatten().for_each(|&c| used[c as usize] = true),
    }
    col.dict.iter().zip(used).filter(|(_, u)| *u).map(|(l, _)| l.clone()).collect()
}

/// Predictions from scores when the file has no prediction column: the arg-max class of
/// per-class scores, or for a binary score column the positive label when the score ≥ 0.5.
/// Score lists without class names are in sorted label order, as when they are scored.
fn derive_predictions(
    preds: &Predictions,
    file: &str,
    gold: &LabelColumn,
    positive: Option<&str>,
    extra_labels: &[String],
    candidates: &[Candidate],
) -> Result<(LabelColumn, Check)> {
    let gold_column = gold.column.as_str();
    let no_pred = || {
        InputError::new(file, format!("no prediction column (tried: {})", crate::columns::PRED_NAMES.join(", ")), {
            let shares = candidates_hint(candidates);
            let stop = if shares.is_empty() { "" } else { "." };
            format!(
                "name it with --pred-col NAME.{}{stop}{shares}",
                column_suggestion(&preds.columns, PRED_HINTS, Some(gold_column))
            )
        })
    };
    if let (None, Some((name, scores))) = (&preds.probs, &preds.score) {
        let mut labels = used_labels(gold);
        if let Some(p) = positive.map(|p| canonical_label(p).into_owned()) {
            if !labels.contains(&p) {
                labels.push(p);
            }
        }
        let pos = match positive {
            Some(p) => labels.iter().position(|l| l == canonical_label(p).as_ref()),
            None => infer_positive(&labels),
        };
        if labels.len() != 2 {
            return Err(InputError::new(
                file,
                format!(
                    "no prediction column, and '{name}' cannot be turned into predictions: gold has {} label(s) ({})",
                    labels.len(),
                    labels.join(", ")
                ),
                "a binary score needs exactly two labels to choose between; add a prediction column (--pred-col) or pass --positive with the missing label",
            ));
        }
        let Some(pos) = pos else { return Err(no_pred()) };
        let neg = 1 - pos;
        let mut col = LabelColumn::new(&format!("{name} >= 0.5"));
        let (pc, nc) = (col.intern(&labels[pos]), col.intern(&labels[neg]));
        col.values = LabelValues::Single(
            scores
                .iter()
                .map(|&x| {
                    if x.is_nan() {
                        MISSING
                    } else if x >= 0.5 {
                        pc
                    } else {
                        nc
                    }
                })
                .collect(),
        );
        let note = Check::new(
            "predictions_from_scores",
            Severity::Info,
            format!("No prediction column: predicted '{}' where '{name}' ≥ 0.5, else '{}'.", labels[pos], labels[neg]),
        );
        return Ok((col, note));
    }
    let table = preds.probs.as_ref().ok_or_else(no_pred)?;
    let (classes, order) = match &table.classes {
        Some(classes) => (classes.clone(), String::new()),
        None => {
            let labels = list_classes(table, gold, positive, extra_labels, file)?;
            let order = format!(" (score i is the i-th label in sorted order: {})", shorten(&labels.join(", "), 200));
            (labels, order)
        }
    };
    let mut col = LabelColumn::new(&format!("argmax({})", table.column));
    let codes: Vec<u32> = table
        .values
        .chunks(table.k)
        .map(|row| {
            if row.iter().any(|v| v.is_nan()) {
                return MISSING;
            }
            col.intern(&classes[row_top(row).1])
        })
        .collect();
    col.values = LabelValues::Single(codes);
    let note = Check::new(
        "predictions_from_scores",
        Severity::Info,
        format!("No prediction column: predicted the class with the highest score in {}{order}.", table.column),
    );
    Ok((col, note))
}

/// The classes of score lists without class names: the labels in sorted order (gold's, the
/// extra labels, and the positive label when one is missing), one per score.
fn list_classes(
    table: &ProbTable,
    gold: &LabelColumn,
    positive: Option<&str>,
    extra_labels: &[String],
    file: &str,
) -> Result<Vec<String>> {
    let mut labels = used_labels(gold);
    for l in extra_labels {
        if !labels.contains(l) {
            labels.push(l.clone());
        }
    }
    if let Some(p) = positive.map(|p| canonical_label(p).into_owned()) {
        if labels.len() < table.k && !labels.contains(&p) {
            labels.push(p);
        }
    }
    sort_labels(&mut labels);
    if labels.len() != table.k {
        return Err(InputError::new(
            file,
            format!(
                "no prediction column, and the {} scores per row in '{}' cannot be matched to the {} gold labels ({})",
                table.k,
                table.column,
                labels.len(),
                shorten(&labels.join(", "), 200)
            ),
            "score lists are read in sorted label order, one score per label; name the classes with --label-names (label 0 first), write the scores as an object {label: score}, or add a prediction column (--pred-col)",
        ));
    }
    Ok(labels)
}

/// Per-class score columns none of whose names is a label: one such column (`prob_pos` next
/// to labels 0/1) is the positive-class score. Several (`prob_angry` … next to labels 0–6) are
/// left out with a warning when the file has hard predictions, which are scored instead; without
/// them they are an error. Either way the message says how to name the labels.
fn per_class_scores_without_labels(
    preds: &mut Predictions,
    labels: &[String],
    file: &str,
    pred_column: Option<&str>,
) -> Result<Option<Check>> {
    let Some(t) = &preds.probs else { return Ok(None) };
    let Some(classes) = &t.classes else { return Ok(None) };
    if classes.iter().any(|c| labels.contains(c)) {
        return Ok(None);
    }
    if classes.len() == 1 && preds.score.is_none() && !t.logits {
        let t = preds.probs.take().expect("checked above");
        let note = Check::new(
            "score_column_assumed",
            Severity::Info,
            format!("'{}' names no label; it was read as the positive-class score.", t.column),
        );
        preds.score = Some((t.column, t.values));
        return Ok(Some(note));
    }
    let mut sorted = labels.to_vec();
    sort_labels(&mut sorted);
    let shown = |v: &[String]| shorten(&v.join(", "), 200);
    let how = format!(
        "if label 0 is '{}', label 1 '{}' and so on, pass --label-names {} (check the model's id2label); or name the score columns prob_<label> after the labels",
        classes[0],
        classes.get(1).map_or("…", String::as_str),
        shorten(&classes.join(","), 200)
    );
    let Some(pred_column) = pred_column else {
        return Err(InputError::new(
            file,
            format!(
                "no prediction column, and the score columns ({}) name no label; the labels are: {}",
                t.column,
                shown(&sorted)
            ),
            format!("{how}; or give the hard predictions with --pred-col"),
        ));
    };
    let t = preds.probs.take().expect("checked above");
    Ok(Some(Check::new(
        "scores_ignored",
        Severity::Warn,
        format!(
            "The {} score columns ({}) name no label; the labels are {}. The hard predictions in '{pred_column}' were scored and the score metrics (ROC AUC, log loss, Brier score, ECE, top-k) left out. To use the scores: {how}.",
            t.k,
            shorten(&t.column, 200),
            shown(&sorted)
        ),
    )))
}

/// Applies `--label-names` to gold, the file's predictions and the score classes (a list
/// column's positions become the names); the note says what was renamed.
fn apply_label_names(
    preds: &mut Predictions,
    gold: &mut LabelColumn,
    pred: Option<&mut LabelColumn>,
    names: &[String],
    file: &str,
) -> Result<Check> {
    label_names::name_column(gold, names, file)?;
    if let Some(p) = pred {
        label_names::name_column(p, names, file)?;
    }
    if let Some(t) = preds.probs.as_mut() {
        match &mut t.classes {
            Some(classes) => {
                for c in classes.iter_mut() {
                    if let Some(n) = label_names::named(c, names) {
                        *c = n;
                    }
                }
            }
            None if t.k == names.len() => t.classes = Some(names.to_vec()),
            None => {
                return Err(InputError::new(
                    file,
                    format!(
                        "--label-names gives {} names, but column '{}' holds {} scores per row",
                        names.len(),
                        t.column,
                        t.k
                    ),
                    "give one name per class, in the order of the score lists",
                ))
            }
        }
    }
    Ok(Check::new(
        "label_names_applied",
        Severity::Info,
        format!(
            "Integer labels were read as names (--label-names): {}.",
            shorten(&names.iter().enumerate().map(|(i, n)| format!("{i} = {n}")).collect::<Vec<_>>().join(", "), 300)
        ),
    ))
}

/// Every score of every kept row must be a finite number, and a probability unless it is a
/// logit. Row numbers count data rows of the file, before any are dropped.
fn validate_scores(preds: &Predictions, dropped: &[bool], file: &str) -> Result<()> {
    let bad = |name: &str, row: usize, x: f64, what: &str, hint: &str| {
        InputError::new(file, format!("column '{name}' holds {x} in data row {}, {what}", row + 1), hint.to_string())
    };
    if let Some((name, s)) = &preds.score {
        for (row, &x) in s.iter().enumerate().filter(|(r, _)| !dropped[*r]) {
            if !x.is_finite() {
                return Err(bad(
                    name,
                    row,
                    x,
                    "which is empty, NaN or infinite",
                    "every row needs a score; fill it in or remove the row",
                ));
            }
            if !(0.0..=1.0).contains(&x) {
                return Err(bad(
                    name,
                    row,
                    x,
                    "outside [0, 1]",
                    "the score column must be the positive-class probability; apply a sigmoid to raw logits first",
                ));
            }
        }
    }
    if let Some(t) = &preds.probs {
        for (i, &x) in t.values.iter().enumerate() {
            let row = i / t.k.max(1);
            if dropped[row] {
                continue;
            }
            if !x.is_finite() {
                return Err(bad(&t.column, row, x, "which is empty, NaN or infinite", "every row needs its scores (--drop-missing only drops rows without a label or prediction); fill in or remove these rows"));
            }
            if !t.logits && !(0.0..=1.0).contains(&x) {
                return Err(bad(&t.column, row, x, "outside [0, 1]", "per-class scores must be probabilities; name raw scores logit_<label> (or a `logits` column) so fteval applies softmax"));
            }
        }
    }
    Ok(())
}

/// Scores in the order the core expects: the positive-class probability (binary) or one
/// column per label in label order (multiclass).
fn align_scores(
    preds: &mut Predictions,
    labels: &[String],
    task: Task,
    positive: Option<usize>,
    file: &str,
) -> Result<Option<Scores>> {
    if let Some(mut table) = preds.probs.take() {
        if table.logits {
            softmax_rows(&mut table.values, table.k);
        }
        let k = labels.len();
        let n = table.values.len() / table.k.max(1);
        if let (Some(classes), Some(p)) = (&table.classes, positive.filter(|_| task == Task::Binary)) {
            if !classes.contains(&labels[p]) {
                return Err(InputError::new(
                    file,
                    format!("no score column for the positive label '{}' among: {}", labels[p], table.column),
                    "name the positive-class score with --score-col, or check --positive",
                ));
            }
        }
        let aligned = match &table.classes {
            // Columns already in label order: use them as they are.
            Some(classes) if classes.as_slice() == labels => table.values,
            Some(classes) => {
                let mut aligned = vec![0.0; n * k];
                for (j, label) in labels.iter().enumerate() {
                    if let Some(c) = classes.iter().position(|x| x == label) {
                        for r in 0..n {
                            aligned[r * k + j] = table.values[r * table.k + c];
                        }
                    }
                }
                aligned
            }
            None => {
                if table.k != k {
                    return Err(InputError::new(
                        file,
                        format!("column '{}' holds {} scores per row but there are {} labels ({})", table.column, table.k, k, labels.join(", ")),
                        "a score list must have one entry per label in sorted label order; or write an object {label: score} to name them",
                    ));
                }
                table.values
            }
        };
        if task == Task::Binary && preds.score.is_none() {
            let p = positive.unwrap_or(k - 1);
            return Ok(Some(Scores::Positive(aligned.chunks(k).map(|r| r[p]).collect())));
        }
        if task != Task::Binary {
            return Ok(Some(Scores::PerClass(aligned)));
        }
    }
    if let Some((_, s)) = preds.score.take() {
        return Ok(Some(Scores::Positive(s)));
    }
    Ok(None)
}

fn multilabel_input(file: &str, gold: &LabelColumn, pred: &LabelColumn) -> Result<MultilabelInput> {
    let mut labels: Vec<String> = used_labels(gold);
    for l in used_labels(pred) {
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    if labels.is_empty() {
        return Err(InputError::new(
            file,
            "every gold and predicted label list is empty",
            "multilabel evaluation needs at least one label somewhere; check the label columns",
        ));
    }
    sort_labels(&mut labels);
    let sets = |col: &LabelColumn| -> Vec<Vec<u32>> {
        let map: Vec<u32> = col.dict.iter().map(|l| labels.iter().position(|x| x == l).unwrap_or(0) as u32).collect();
        let convert = |codes: &[u32]| {
            let mut v: Vec<u32> = codes.iter().map(|&c| map[c as usize]).collect();
            v.sort_unstable();
            v
        };
        match &col.values {
            LabelValues::Sets(v) => v.iter().map(|s| convert(s.as_deref().unwrap_or(&[]))).collect(),
            LabelValues::Single(v) => v.iter().map(|&c| convert(&[c])).collect(),
        }
    };
    let (g, p) = (sets(gold), sets(pred));
    Ok(MultilabelInput { labels, rows: g.into_iter().zip(p).map(|(gold, pred)| SetPair { gold, pred }).collect() })
}

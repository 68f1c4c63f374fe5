//! The state of a binary or multiclass evaluation: counted (gold, prediction, scores) rows over
//! a label dictionary, mergeable in any order into exactly the one-shot result.
//!
//! What grows with n: the distinct (gold, prediction, scores) combinations — at most the
//! confusion cells (k² at most) without scores, up to one entry per row with continuous scores
//! (exact AUC, average precision, ECE and DeLong need every distinct score). Nothing else does.

use std::cmp::Ordering;

use rayon::prelude::*;

use crate::data::{ClassificationInput, Scores, Task};
use crate::evaluate::{evaluate_classification, Evaluation};
use crate::labels::{infer_positive, sort_labels, Vocab, POSITIVE_NAMES};
use crate::stats::bootstrap::BootstrapConfig;

use super::bytes::{Reader, Writer};
use super::{Kind, StateError};

/// What stays fixed over the life of a state: two states merge only when these agree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClassificationOptions {
    /// Binary or multiclass; None decides when finalizing (binary for at most two labels).
    pub task: Option<Task>,
    /// The positive label of a binary task; None infers it ("1", "true", "pos", ...).
    pub positive: Option<String>,
}

/// Which scores the rows carry.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ScoreKind {
    None,
    /// One score per row: of the positive class.
    Positive,
    /// One score per class, columns in the order of these labels.
    PerClass(Vec<String>),
}

impl ScoreKind {
    fn width(&self) -> usize {
        match self {
            ScoreKind::None => 0,
            ScoreKind::Positive => 1,
            ScoreKind::PerClass(c) => c.len(),
        }
    }
}

/// Scores of a batch, borrowed.
#[derive(Clone, Copy, Debug)]
pub enum ScoresRef<'a> {
    /// Of the positive class, one per row.
    Positive(&'a [f64]),
    /// Row-major, one column per label of the batch, in the batch's label order.
    PerClass(&'a [f64]),
}

/// Rows to add to a state, borrowed where they are: codes index `labels` (any order).
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    pub labels: &'a [String],
    pub gold: &'a [u32],
    pub pred: &'a [u32],
    pub scores: Option<ScoresRef<'a>>,
    pub model_classes: Option<&'a [String]>,
}

impl<'a> Batch<'a> {
    pub fn of(input: &'a ClassificationInput) -> Batch<'a> {
        Batch {
            labels: &input.labels,
            gold: &input.gold,
            pred: &input.pred,
            scores: input.scores.as_ref().map(|s| match s {
                Scores::Positive(v) => ScoresRef::Positive(v),
                Scores::PerClass(v) => ScoresRef::PerClass(v),
            }),
            model_classes: input.model_classes.as_deref(),
        }
    }
}

/// Gold and prediction codes of the entries, column by column (a prepared input's columns move
/// in without a copy), and their row counts.
#[derive(Clone, Debug, Default)]
struct Entries {
    gold: Vec<u32>,
    pred: Vec<u32>,
    /// Rows of each entry; None while every entry is one row (as added, before compaction).
    rows: Option<Vec<u64>>,
}

impl Entries {
    fn len(&self) -> usize {
        self.gold.len()
    }

    fn is_empty(&self) -> bool {
        self.gold.is_empty()
    }

    fn rows(&self, i: usize) -> u64 {
        self.rows.as_ref().map_or(1, |r| r[i])
    }

    fn total(&self) -> u64 {
        self.rows.as_ref().map_or(self.gold.len() as u64, |r| r.iter().sum())
    }

    /// Records that the last `n` entries pushed to gold and pred are one row each.
    fn one_row_each(&mut self, n: usize) {
        if let Some(r) = &mut self.rows {
            r.extend(std::iter::repeat_n(1, n));
        }
    }

    fn push(&mut self, gold: u32, pred: u32, rows: u64) {
        if rows != 1 && self.rows.is_none() {
            self.rows = Some(vec![1; self.gold.len()]);
        }
        self.gold.push(gold);
        self.pred.push(pred);
        if let Some(r) = &mut self.rows {
            r.push(rows);
        }
    }
}

/// Sufficient statistics of a binary or multiclass test set (see the module comment).
#[derive(Clone, Debug)]
pub struct ClassificationState {
    options: ClassificationOptions,
    /// Label dictionary in first-seen order; entries index it.
    labels: Vocab,
    /// Unset until the first batch says whether rows carry scores.
    scores: Option<ScoreKind>,
    /// Classes the model can output (a probability table's columns), when known.
    model_classes: Option<Vec<String>>,
    /// Entry i's gold and prediction codes and rows; its scores are `values[i*w..(i+1)*w]`.
    entries: Entries,
    values: Vec<f64>,
    /// Entries up to here are free of duplicates (see `compact`).
    compacted: usize,
}

const TASK_AUTO: u8 = 0;

fn task_code(task: Option<Task>) -> u8 {
    match task {
        None => TASK_AUTO,
        Some(Task::Binary) => 1,
        Some(_) => 2,
    }
}

impl ClassificationState {
    pub fn new(options: ClassificationOptions) -> ClassificationState {
        ClassificationState {
            options,
            labels: Vocab::default(),
            scores: None,
            model_classes: None,
            entries: Entries::default(),
            values: Vec::new(),
            compacted: 0,
        }
    }

    /// The state of a prepared input, whose task and positive label stay as they were resolved;
    /// its columns move into the state without a copy.
    pub fn of_input(input: ClassificationInput) -> Result<ClassificationState, StateError> {
        let options =
            ClassificationOptions { task: Some(input.task), positive: input.positive.map(|p| input.labels[p].clone()) };
        let mut state = ClassificationState::new(options);
        // The label dictionary (codes as in the input), the kind of scores and the model classes.
        let scores = input.scores.as_ref().map(|s| match s {
            Scores::Positive(_) => ScoresRef::Positive(&[]),
            Scores::PerClass(_) => ScoresRef::PerClass(&[]),
        });
        state.update_batch(&Batch {
            labels: &input.labels,
            gold: &[],
            pred: &[],
            scores,
            model_classes: input.model_classes.as_deref(),
        })?;
        let n = input.gold.len();
        if input.pred.len() != n {
            return Err(StateError::Input(format!("{n} gold labels but {} predictions", input.pred.len())));
        }
        state.entries.gold = input.gold;
        state.entries.pred = input.pred;
        state.values = match input.scores {
            None => Vec::new(),
            Some(Scores::Positive(v)) | Some(Scores::PerClass(v)) => v,
        };
        if state.values.len() != n * state.width() {
            return Err(StateError::Input(format!("{n} rows but {} scores", state.values.len())));
        }
        if let Some(&bad) =
            state.entries.gold.iter().chain(&state.entries.pred).find(|&&c| c as usize >= state.labels.names().len())
        {
            return Err(StateError::Input(format!(
                "label code {bad} beyond the {} labels",
                state.labels.names().len()
            )));
        }
        Ok(state)
    }

    /// Rows counted so far.
    pub fn rows(&self) -> u64 {
        self.entries.total()
    }

    pub fn options(&self) -> &ClassificationOptions {
        &self.options
    }

    fn set_scores(&mut self, kind: ScoreKind) -> Result<(), StateError> {
        match &self.scores {
            None => {
                self.scores = Some(kind);
                Ok(())
            }
            Some(have) if *have == kind => Ok(()),
            Some(have) => Err(StateError::Mismatch(format!(
                "this batch carries {}, the earlier ones {}: every batch must carry the same kind of scores",
                describe(&kind),
                describe(have)
            ))),
        }
    }

    /// Adds the rows of a prepared input (its codes index `input.labels`).
    pub fn update(&mut self, input: &ClassificationInput) -> Result<(), StateError> {
        self.update_batch(&Batch::of(input))
    }

    /// Adds the rows of `batch`, read where they are (numpy arrays, a prepared input).
    pub fn update_batch(&mut self, batch: &Batch<'_>) -> Result<(), StateError> {
        let n = batch.gold.len();
        if batch.pred.len() != n {
            return Err(StateError::Input(format!("{n} gold labels but {} predictions", batch.pred.len())));
        }
        let kind = match &batch.scores {
            None => ScoreKind::None,
            Some(ScoresRef::Positive(s)) if s.len() == n => ScoreKind::Positive,
            Some(ScoresRef::Positive(s)) => {
                return Err(StateError::Input(format!("{n} rows but {} scores", s.len())));
            }
            Some(ScoresRef::PerClass(p)) => {
                if p.len() != n * batch.labels.len() {
                    return Err(StateError::Input(format!(
                        "{n} rows of {} per-class scores expected, {} values given",
                        batch.labels.len(),
                        p.len()
                    )));
                }
                // Columns in the state's class order: a batch may name the classes in another.
                match &self.scores {
                    Some(ScoreKind::PerClass(have)) if same_set(have, batch.labels) => {
                        ScoreKind::PerClass(have.clone())
                    }
                    _ => ScoreKind::PerClass(batch.labels.to_vec()),
                }
            }
        };
        if let Some(&bad) = batch.gold.iter().chain(batch.pred).find(|&&c| c as usize >= batch.labels.len()) {
            return Err(StateError::Input(format!("label code {bad} beyond the {} labels", batch.labels.len())));
        }
        self.set_scores(kind.clone())?;
        if let Some(m) = batch.model_classes {
            match &self.model_classes {
                None => self.model_classes = Some(m.to_vec()),
                Some(have) if same_set(have, m) => {}
                Some(have) => {
                    return Err(StateError::Mismatch(format!(
                        "this batch's model classes ({}) differ from the earlier ones ({})",
                        m.join(", "),
                        have.join(", ")
                    )))
                }
            }
        }
        let map: Vec<u32> = batch.labels.iter().map(|l| self.labels.intern(l)).collect();
        self.entries.gold.extend(batch.gold.iter().map(|&g| map[g as usize]));
        self.entries.pred.extend(batch.pred.iter().map(|&p| map[p as usize]));
        self.entries.one_row_each(n);
        match (&batch.scores, &kind) {
            (Some(ScoresRef::Positive(s)), _) => self.values.extend_from_slice(s),
            (Some(ScoresRef::PerClass(p)), ScoreKind::PerClass(classes)) => {
                let k = batch.labels.len();
                let column: Vec<usize> =
                    classes.iter().map(|c| batch.labels.iter().position(|l| l == c).unwrap_or(0)).collect();
                self.values.reserve(n * k);
                for row in p.chunks_exact(k) {
                    self.values.extend(column.iter().map(|&j| row[j]));
                }
            }
            _ => {}
        }
        self.compact_if_large();
        Ok(())
    }

    /// Adds the rows of `other`, as if its batches had been given to this state.
    pub fn merge(&mut self, other: &ClassificationState) -> Result<(), StateError> {
        if self.options != other.options {
            return Err(StateError::Mismatch(format!(
                "the states were made with different options ({} and {})",
                describe_options(&self.options),
                describe_options(&other.options)
            )));
        }
        if let Some(kind) = &other.scores {
            let kind = match (kind, &self.scores) {
                (ScoreKind::PerClass(theirs), Some(ScoreKind::PerClass(ours))) if same_set(theirs, ours) => {
                    ScoreKind::PerClass(ours.clone())
                }
                _ => kind.clone(),
            };
            self.set_scores(kind)?;
        }
        if let Some(m) = &other.model_classes {
            if self.model_classes.is_none() {
                self.model_classes = Some(m.clone());
            }
        }
        let map: Vec<u32> = other.labels.names().iter().map(|l| self.labels.intern(l)).collect();
        let w = other.scores.as_ref().map_or(0, |k| k.width());
        let column: Vec<usize> = match (&other.scores, &self.scores) {
            (Some(ScoreKind::PerClass(theirs)), Some(ScoreKind::PerClass(ours))) => {
                ours.iter().map(|c| theirs.iter().position(|t| t == c).unwrap_or(0)).collect()
            }
            _ => (0..w).collect(),
        };
        for i in 0..other.entries.len() {
            let e = &other.entries;
            self.entries.push(map[e.gold[i] as usize], map[e.pred[i] as usize], e.rows(i));
            self.values.extend(column.iter().map(|&j| other.values[i * w + j]));
        }
        self.compact_if_large();
        Ok(())
    }

    /// Without scores the entries are confusion cells: adding up duplicates keeps them at most
    /// k². With scores most rows differ, so they are left for `to_bytes` and finalizing.
    fn compact_if_large(&mut self) {
        if self.width() == 0 && self.entries.len() > 2 * self.compacted + (1 << 20) {
            self.compact();
        }
    }

    fn width(&self) -> usize {
        self.scores.as_ref().map_or(0, |k| k.width())
    }

    /// Sorts the entries by their dictionary codes and scores and adds up duplicates.
    fn compact(&mut self) {
        let w = self.width();
        let (mut entries, mut values) = (Entries::default(), Vec::new());
        canonical_runs(
            &self.entries,
            &self.values,
            w,
            |c| c,
            |g, p, rows, scores| {
                entries.push(g, p, rows);
                values.extend_from_slice(scores);
            },
        );
        self.entries = entries;
        self.values = values;
        self.compacted = self.entries.len();
    }

    /// The test set these statistics describe, rows in a canonical order (by sorted label,
    /// then score), so that any batching gives the same input and thus the same evaluation.
    pub fn to_input(&self) -> Result<ClassificationInput, StateError> {
        if self.entries.is_empty() {
            return Err(StateError::Empty);
        }
        let kind = self.scores.clone().unwrap_or(ScoreKind::None);
        let mut labels = self.labels.names().to_vec();
        if let ScoreKind::PerClass(classes) = &kind {
            let unscored: Vec<&String> = labels.iter().filter(|l| !classes.contains(l)).collect();
            if !unscored.is_empty() {
                return Err(StateError::Input(format!(
                    "labels {} have no score column (the scores are over {})",
                    quoted(&unscored),
                    classes.join(", ")
                )));
            }
            for c in classes {
                if !labels.contains(c) {
                    labels.push(c.clone());
                }
            }
        }
        let task = self.options.task.unwrap_or(if labels.len() <= 2 && kind.width() <= 2 {
            Task::Binary
        } else {
            Task::Multiclass
        });
        if task == Task::Binary {
            if let Some(p) = &self.options.positive {
                if !labels.contains(p) && labels.len() < 2 {
                    labels.push(p.clone());
                }
            }
            if labels.len() > 2 {
                return Err(StateError::Input(format!(
                    "task binary, but there are {} labels: {}; use task multiclass",
                    labels.len(),
                    labels.join(", ")
                )));
            }
        }
        sort_labels(&mut labels);
        let positive = match task {
            Task::Binary => Some(resolve_positive(&labels, self.options.positive.as_deref())?),
            _ => None,
        };
        let sorted: Vec<u32> =
            self.labels.names().iter().map(|l| labels.iter().position(|x| x == l).unwrap() as u32).collect();
        let w = kind.width();
        // Per-class columns in sorted label order.
        let reordered;
        let values: &[f64] = match &kind {
            ScoreKind::PerClass(classes) => {
                let column: Vec<usize> = labels.iter().map(|l| classes.iter().position(|c| c == l).unwrap()).collect();
                reordered =
                    self.values.chunks_exact(w).flat_map(|row| column.iter().map(|&j| row[j])).collect::<Vec<f64>>();
                &reordered
            }
            _ => &self.values,
        };
        let n = self.rows() as usize;
        let mut gold = Vec::with_capacity(n);
        let mut pred = Vec::with_capacity(n);
        let mut scores = Vec::with_capacity(n * w);
        canonical_runs(
            &self.entries,
            values,
            w,
            |c| sorted[c as usize],
            |g, p, rows, row| {
                for _ in 0..rows {
                    gold.push(g);
                    pred.push(p);
                    scores.extend_from_slice(row);
                }
            },
        );
        let scores = match kind {
            ScoreKind::None => None,
            ScoreKind::Positive => Some(Scores::Positive(scores)),
            ScoreKind::PerClass(_) => Some(Scores::PerClass(scores)),
        };
        Ok(ClassificationInput {
            task,
            labels,
            positive,
            gold,
            pred,
            scores,
            model_classes: self.model_classes.clone(),
        })
    }

    /// Every metric, interval and check of the rows counted, as `evaluate_classification` gives
    /// them for the same rows in one batch.
    pub fn finalize(&self, config: &BootstrapConfig) -> Result<Evaluation, StateError> {
        Ok(evaluate_classification(&self.to_input()?, config))
    }

    /// The state in the versioned byte format of docs/states.md.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut state = self.clone();
        state.compact();
        let mut w = Writer::new(Kind::Classification);
        w.u8(task_code(state.options.task));
        w.opt_str(state.options.positive.as_deref());
        match &state.scores {
            None => w.u8(0),
            Some(ScoreKind::None) => w.u8(1),
            Some(ScoreKind::Positive) => w.u8(2),
            Some(ScoreKind::PerClass(c)) => {
                w.u8(3);
                w.strs(c);
            }
        }
        match &state.model_classes {
            None => w.u8(0),
            Some(m) => {
                w.u8(1);
                w.strs(m);
            }
        }
        w.strs(state.labels.names());
        w.u64(state.entries.len() as u64);
        for i in 0..state.entries.len() {
            w.u32(state.entries.gold[i]);
            w.u32(state.entries.pred[i]);
            w.u64(state.entries.rows(i));
        }
        for &v in &state.values {
            w.f64(v);
        }
        w.finish()
    }

    /// A state written by `to_bytes`; a clear error for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Result<ClassificationState, StateError> {
        let mut r = Reader::new(bytes, Kind::Classification)?;
        let task = match r.u8()? {
            TASK_AUTO => None,
            1 => Some(Task::Binary),
            2 => Some(Task::Multiclass),
            t => return Err(r.bad(format!("unknown task code {t}"))),
        };
        let positive = r.opt_str()?;
        let scores = match r.u8()? {
            0 => None,
            1 => Some(ScoreKind::None),
            2 => Some(ScoreKind::Positive),
            3 => Some(ScoreKind::PerClass(r.strs()?)),
            s => return Err(r.bad(format!("unknown score kind {s}"))),
        };
        let model_classes = match r.u8()? {
            0 => None,
            _ => Some(r.strs()?),
        };
        let labels = Vocab::from_names(r.strs()?).map_err(|l| r.bad(format!("label '{l}' twice")))?;
        let n = r.count(16)?;
        let mut entries = Entries::default();
        for _ in 0..n {
            let (g, p, c) = (r.u32()?, r.u32()?, r.u64()?);
            if g as usize >= labels.names().len() || p as usize >= labels.names().len() {
                return Err(r.bad("a label code beyond the label list".to_string()));
            }
            entries.push(g, p, c);
        }
        let w = scores.as_ref().map_or(0, |k: &ScoreKind| k.width());
        let m = r.count_exact(n.checked_mul(w).ok_or_else(|| r.bad("too many scores".into()))?, 8)?;
        let mut values = Vec::with_capacity(m);
        for _ in 0..m {
            values.push(r.f64()?);
        }
        r.end()?;
        let compacted = entries.len();
        Ok(ClassificationState {
            options: ClassificationOptions { task, positive },
            labels,
            scores,
            model_classes,
            entries,
            values,
            compacted,
        })
    }
}

/// The entries with codes mapped by `map`, in canonical order — by (gold, prediction, scores
/// by their bits' total order) — duplicates added up: `emit(gold, prediction, rows, scores)`
/// once per distinct entry.
fn canonical_runs(
    entries: &Entries,
    values: &[f64],
    w: usize,
    map: impl Fn(u32) -> u32 + Sync,
    mut emit: impl FnMut(u32, u32, u64, &[f64]),
) {
    let cell = |i: usize| ((map(entries.gold[i]) as u64) << 32) | map(entries.pred[i]) as u64;
    let row = |i: usize| &values[i * w..(i + 1) * w];
    // Sorted positions: by a packed (cell, score) key when there is at most one score per row
    // (a plain integer sort), else by comparing the score rows.
    let order: Vec<u32> = if w <= 1 {
        let mut keys: Vec<(u64, u64, u32)> = (0..entries.len())
            .into_par_iter()
            .map(|i| (cell(i), if w == 1 { total_order_key(values[i]) } else { 0 }, i as u32))
            .collect();
        keys.par_sort_unstable();
        keys.into_iter().map(|k| k.2).collect()
    } else {
        let cells: Vec<u64> = (0..entries.len()).into_par_iter().map(cell).collect();
        let mut order: Vec<u32> = (0..entries.len() as u32).collect();
        order.par_sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            cells[a].cmp(&cells[b]).then_with(|| {
                row(a).iter().zip(row(b)).map(|(x, y)| x.total_cmp(y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
            })
        });
        order
    };
    let same = |a: usize, b: usize| {
        entries.gold[a] == entries.gold[b]
            && entries.pred[a] == entries.pred[b]
            && row(a).iter().zip(row(b)).all(|(x, y)| x.to_bits() == y.to_bits())
    };
    let mut run: Option<(usize, u64)> = None;
    for i in order.into_iter().map(|i| i as usize) {
        match run {
            Some((first, rows)) if same(first, i) => run = Some((first, rows + entries.rows(i))),
            _ => {
                if let Some((first, rows)) = run {
                    emit(map(entries.gold[first]), map(entries.pred[first]), rows, row(first));
                }
                run = Some((i, entries.rows(i)));
            }
        }
    }
    if let Some((first, rows)) = run {
        emit(map(entries.gold[first]), map(entries.pred[first]), rows, row(first));
    }
}

/// An unsigned key whose order is `f64::total_cmp`'s.
fn total_order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The positive label's index among sorted `labels`: the one named, else the conventional one.
fn resolve_positive(labels: &[String], named: Option<&str>) -> Result<usize, StateError> {
    if labels.len() < 2 {
        return Err(StateError::Input(format!(
            "only one label ('{}') occurs in gold and predictions: a binary evaluation needs to know the other class; name the positive label, or use task multiclass",
            labels[0]
        )));
    }
    match named {
        Some(p) => labels.iter().position(|l| l == p).ok_or_else(|| {
            StateError::Input(format!("positive label '{p}': no such label; the labels are: {}", labels.join(", ")))
        }),
        None => infer_positive(labels).ok_or_else(|| {
            StateError::Input(format!(
                "cannot tell which label is the positive class among: {}; name it with positive=LABEL (labels recognised on their own: {})",
                labels.join(", "),
                POSITIVE_NAMES.join(", ")
            ))
        }),
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

fn quoted(labels: &[&String]) -> String {
    labels.iter().map(|l| format!("'{l}'")).collect::<Vec<_>>().join(", ")
}

fn describe(kind: &ScoreKind) -> String {
    match kind {
        ScoreKind::None => "no scores".into(),
        ScoreKind::Positive => "one score per row".into(),
        ScoreKind::PerClass(c) => format!("scores over the classes {}", c.join(", ")),
    }
}

fn describe_options(o: &ClassificationOptions) -> String {
    format!("task {}, positive {}", o.task.map_or("auto", |t| t.as_str()), o.positive.as_deref().unwrap_or("inferred"))
}

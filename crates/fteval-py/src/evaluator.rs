//! `fteval.Evaluator`: the mergeable classification state behind a Python class.

use fteval_core::data::Task;
use fteval_core::labels::{infer_positive, sort_labels};
use fteval_core::metrics::scores::multiclass::row_top;
use fteval_core::state::{Batch, ClassificationOptions, ClassificationState, MultilabelState, ScoresRef, StateError};
use fteval_core::BootstrapConfig;
use fteval_report::MetricsDocument;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::columns::{first_non_finite, label_codes, label_sets, score_array, Labels, ScoreArray};
use crate::report::Report;
use crate::InputError;

pub fn state_error(e: StateError) -> PyErr {
    InputError::new_err(e.to_string())
}

fn input_error(message: String, hint: &str) -> PyErr {
    InputError::new_err(format!("{message}\n  hint: {hint}"))
}

/// The state an evaluator updates.
enum State {
    Classification(ClassificationState),
    Multilabel(MultilabelState),
}

/// Sufficient statistics of a binary, multiclass or multilabel evaluation, updated batch by batch.
#[pyclass(module = "fteval._fteval")]
pub struct Evaluator {
    state: State,
    /// The label list the user gave (`labels=`): the columns of per-class scores, or of a
    /// multilabel indicator matrix.
    labels: Option<Vec<String>>,
}

#[pymethods]
impl Evaluator {
    #[new]
    #[pyo3(signature = (task=None, positive=None, labels=None))]
    fn new(task: Option<&str>, positive: Option<String>, labels: Option<Vec<String>>) -> PyResult<Evaluator> {
        let task = match task {
            None | Some("auto") => None,
            Some("binary") => Some(Task::Binary),
            Some("multiclass") => Some(Task::Multiclass),
            Some("multilabel") => Some(Task::Multilabel),
            Some(other) => {
                return Err(input_error(
                    format!("task '{other}': not a task of Evaluator"),
                    "use 'binary', 'multiclass', 'multilabel' or leave it out (decided from the labels)",
                ))
            }
        };
        let labels = labels.map(|l| Labels::new(&l).names().to_vec());
        if let Some(l) = &labels {
            if l.is_empty() {
                return Err(input_error("labels=[]: no labels".into(), "list the classes, or leave labels out"));
            }
        }
        let positive = positive.map(|p| fteval_core::labels::canonical_label(&p).into_owned());
        let state = match task {
            Some(Task::Multilabel) => State::Multilabel(MultilabelState::new()),
            _ => State::Classification(ClassificationState::new(ClassificationOptions { task, positive })),
        };
        Ok(Evaluator { state, labels })
    }

    /// Adds a batch: gold labels, predicted labels and/or scores (one per row for the positive
    /// class, or rows × classes in the order of `labels`).
    #[pyo3(signature = (y_true, y_pred=None, y_score=None))]
    fn update(
        &mut self,
        py: Python<'_>,
        y_true: &Bound<'_, PyAny>,
        y_pred: Option<&Bound<'_, PyAny>>,
        y_score: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if let State::Multilabel(state) = &mut self.state {
            let Some(y_pred) = y_pred else {
                return Err(input_error("multilabel: y_pred not given".into(), "pass the predicted label sets"));
            };
            if y_score.is_some() {
                return Err(input_error(
                    "multilabel: y_score is not used".into(),
                    "multilabel metrics are computed from the predicted label sets; leave y_score out",
                ));
            }
            let gold = label_sets(y_true, "y_true", self.labels.as_deref())?;
            let pred = label_sets(y_pred, "y_pred", self.labels.as_deref())?;
            if gold.len() != pred.len() {
                return Err(input_error(
                    format!("y_pred has {} rows but y_true has {}", pred.len(), gold.len()),
                    "pass one predicted label set per example",
                ));
            }
            for (g, p) in gold.iter().zip(&pred) {
                let g: Vec<&str> = g.iter().map(String::as_str).collect();
                let p: Vec<&str> = p.iter().map(String::as_str).collect();
                state.add(&g, &p);
            }
            return Ok(());
        }
        let scores = y_score.map(score_array).transpose()?;
        let columns = self.score_columns(y_true, scores.as_ref())?;
        let mut labels = Labels::new(columns.as_deref().or(self.labels.as_deref()).unwrap_or(&[]));
        let gold = label_codes(y_true, "y_true", &mut labels)?;
        let n = gold.len();
        if n == 0 {
            return Ok(());
        }
        if let Some(s) = &scores {
            if s.rows() != n {
                return Err(input_error(
                    format!("y_score has {} rows but y_true has {n}", s.rows()),
                    "pass one score (or one row of class scores) per example",
                ));
            }
        }
        let values = scores.as_ref().map(|s| {
            s.values().ok_or_else(|| {
                input_error("y_score is not C-contiguous".into(), "pass numpy.ascontiguousarray(y_score)")
            })
        });
        let values = values.transpose()?;
        if let (Some(v), Some(s)) = (values, &scores) {
            if let Some((row, bad)) = first_non_finite(v, s.classes().unwrap_or(1)) {
                return Err(input_error(
                    format!("y_score row {row} is {bad}"),
                    "scores must be finite numbers: fill in or drop the rows without a score",
                ));
            }
        }
        let pred = match y_pred {
            Some(p) => {
                let pred = label_codes(p, "y_pred", &mut labels)?;
                if pred.len() != n {
                    return Err(input_error(
                        format!("y_pred has {} rows but y_true has {n}", pred.len()),
                        "pass one prediction per example",
                    ));
                }
                pred
            }
            None => self.derived_predictions(&mut labels, scores.as_ref(), values)?,
        };
        if let Some(cols) = &columns {
            if labels.names().len() > cols.len() {
                let extra: Vec<&String> = labels.names()[cols.len()..].iter().collect();
                return Err(input_error(
                    format!(
                        "labels {} have no column in y_score (its columns are {})",
                        extra.iter().map(|l| format!("'{l}'")).collect::<Vec<_>>().join(", "),
                        cols.join(", ")
                    ),
                    "pass labels= naming the classes of y_score's columns, in order",
                ));
            }
        }
        let batch = Batch {
            labels: labels.names(),
            gold: &gold,
            pred: &pred,
            scores: match (&scores, values) {
                (Some(ScoreArray::Positive(_)), Some(v)) => Some(ScoresRef::Positive(v)),
                (Some(ScoreArray::PerClass(_)), Some(v)) => Some(ScoresRef::PerClass(v)),
                _ => None,
            },
            model_classes: None,
        };
        let State::Classification(state) = &mut self.state else { unreachable!("multilabel returned above") };
        py.detach(|| state.update_batch(&batch)).map_err(state_error)
    }

    /// Adds the rows of another evaluator (made with the same task and positive label).
    fn merge(&mut self, other: PyRef<'_, Evaluator>) -> PyResult<()> {
        match (&mut self.state, &other.state) {
            (State::Classification(a), State::Classification(b)) => a.merge(b).map_err(state_error),
            (State::Multilabel(a), State::Multilabel(b)) => {
                a.merge(b);
                Ok(())
            }
            _ => Err(state_error(StateError::Mismatch("one evaluator is multilabel, the other is not".into()))),
        }
    }

    /// Every metric with its confidence interval, and the checks, as `fteval metrics` reports them.
    #[pyo3(signature = (ci=0.95, bootstrap=1000, seed=0, source="python"))]
    fn compute(&self, py: Python<'_>, ci: f64, bootstrap: usize, seed: u64, source: &str) -> PyResult<Report> {
        if !(ci > 0.0 && ci < 1.0) {
            return Err(input_error(format!("ci={ci}: must be between 0 and 1"), "e.g. ci=0.95 for 95% intervals"));
        }
        if bootstrap > 1_000_000 {
            return Err(input_error(
                format!("bootstrap={bootstrap}: at most 1000000 resamples"),
                "1000 (the default) is enough for 95% intervals",
            ));
        }
        let config = BootstrapConfig { resamples: bootstrap, level: ci, seed };
        let state = &self.state;
        let doc = py
            .detach(|| match state {
                State::Classification(s) => MetricsDocument::of_classification(source, s, &config, Vec::new()),
                State::Multilabel(s) => MetricsDocument::of_multilabel(source, s, &config, Vec::new()),
            })
            .map_err(state_error)?;
        Ok(Report::metrics(doc))
    }

    /// The state in fteval's versioned byte format (docs/states.md).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(
            py,
            &match &self.state {
                State::Classification(s) => s.to_bytes(),
                State::Multilabel(s) => s.to_bytes(),
            },
        )
    }

    /// An evaluator from `to_bytes` output.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Evaluator> {
        let state = match ClassificationState::from_bytes(data) {
            Ok(s) => State::Classification(s),
            Err(e) => match MultilabelState::from_bytes(data) {
                Ok(s) => State::Multilabel(s),
                // The classification error, unless the bytes are a multilabel state gone bad.
                Err(m) if e.to_string().contains("a multilabel state") => return Err(state_error(m)),
                Err(_) => return Err(state_error(e)),
            },
        };
        Ok(Evaluator { state, labels: None })
    }

    /// Rows added so far.
    #[getter]
    fn rows(&self) -> u64 {
        match &self.state {
            State::Classification(s) => s.rows(),
            State::Multilabel(s) => s.rows(),
        }
    }

    fn __repr__(&self) -> String {
        match &self.state {
            State::Classification(s) => {
                let o = s.options();
                format!(
                    "Evaluator(task={}, positive={}, rows={})",
                    o.task.map_or("auto", |t| t.as_str()),
                    o.positive.as_deref().unwrap_or("None"),
                    s.rows()
                )
            }
            State::Multilabel(s) => format!("Evaluator(task=multilabel, rows={})", s.rows()),
        }
    }
}

impl Evaluator {
    /// The labels of per-class score columns: `labels=`, else the labels 0..K-1 when y_true holds
    /// integers, else an error asking for them.
    fn score_columns(
        &self,
        y_true: &Bound<'_, PyAny>,
        scores: Option<&ScoreArray<'_>>,
    ) -> PyResult<Option<Vec<String>>> {
        let Some(k) = scores.and_then(|s| s.classes()) else { return Ok(None) };
        if let Some(l) = &self.labels {
            if l.len() != k {
                return Err(input_error(
                    format!("y_score has {k} columns but labels= names {} classes", l.len()),
                    "pass one column of scores per label, in the order of labels=",
                ));
            }
            return Ok(Some(l.clone()));
        }
        // Without names, the columns are the sorted labels (as scikit-learn orders them).
        let mut seen = Labels::default();
        label_codes(y_true, "y_true", &mut seen)?;
        let mut names = seen.names().to_vec();
        sort_labels(&mut names);
        let integers: Vec<String> = (0..k).map(|i| i.to_string()).collect();
        if names.len() == k {
            Ok(Some(names))
        } else if names.iter().all(|n| integers.contains(n)) {
            Ok(Some(integers))
        } else {
            Err(input_error(
                format!("y_score has {k} columns but y_true holds {} labels", names.len()),
                "pass labels= naming the class of each column of y_score, in order",
            ))
        }
    }

    /// Predictions from scores when y_pred is not given: the arg-max class of per-class
    /// scores, or the positive label where a positive-class score is at least 0.5.
    fn derived_predictions(
        &self,
        labels: &mut Labels,
        scores: Option<&ScoreArray<'_>>,
        values: Option<&[f64]>,
    ) -> PyResult<Vec<u32>> {
        let (Some(s), Some(v)) = (scores, values) else {
            return Err(input_error(
                "neither y_pred nor y_score given".into(),
                "pass the predicted labels, or the scores",
            ));
        };
        if let Some(k) = s.classes() {
            return Ok(v.chunks_exact(k).map(|row| row_top(row).1 as u32).collect());
        }
        let State::Classification(state) = &self.state else { unreachable!("classification only") };
        let options = state.options();
        let mut names = labels.names().to_vec();
        if let Some(p) = &options.positive {
            if !names.contains(p) {
                names.push(p.clone());
            }
        }
        sort_labels(&mut names);
        let pos = match &options.positive {
            Some(p) => names.iter().position(|l| l == p),
            None => infer_positive(&names),
        };
        let (Some(pos), 2) = (pos, names.len()) else {
            return Err(input_error(
                format!(
                    "y_pred not given, and the labels ({}) do not tell which is positive and which negative",
                    names.join(", ")
                ),
                "pass y_pred, or labels=[negative, positive] and positive=",
            ));
        };
        let (p, q) = (labels.code(&names[pos]), labels.code(&names[1 - pos]));
        Ok(v.iter().map(|&x| if x >= 0.5 { p } else { q }).collect())
    }
}

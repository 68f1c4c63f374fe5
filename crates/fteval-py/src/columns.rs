//! Python columns to core columns: labels interned to codes over canonical spellings (as the
//! file readers spell them), scores read in place from float64 numpy arrays.

use std::collections::HashMap;

use fteval_core::labels::{canonical_label, Vocab};
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

use crate::InputError;

/// Label codes over canonical spellings (as the file readers spell labels), in first-seen order.
#[derive(Default)]
pub struct Labels(Vocab);

impl Labels {
    pub fn new(names: &[String]) -> Labels {
        let mut l = Labels::default();
        names.iter().for_each(|n| {
            l.code(n);
        });
        l
    }

    pub fn code(&mut self, name: &str) -> u32 {
        self.0.intern(&canonical_label(name))
    }

    pub fn names(&self) -> &[String] {
        self.0.names()
    }
}

fn bad(what: &str, message: String, hint: &str) -> PyErr {
    InputError::new_err(format!("{what}: {message}\n  hint: {hint}"))
}

/// Integer codes of a numpy integer column, through the distinct values (no Python objects).
fn int_codes<T: Copy + Eq + std::hash::Hash + ToString>(
    values: impl Iterator<Item = T>,
    labels: &mut Labels,
) -> Vec<u32> {
    let mut seen: HashMap<T, u32> = HashMap::new();
    values.map(|v| *seen.entry(v).or_insert_with(|| labels.code(&v.to_string()))).collect()
}

/// The codes of a label column: a numpy array (integers, booleans, floats, strings), a list, or
/// any sequence of str/int/bool/float.
pub fn label_codes(obj: &Bound<'_, PyAny>, what: &str, labels: &mut Labels) -> PyResult<Vec<u32>> {
    if let Ok(a) = obj.extract::<PyReadonlyArray1<i64>>() {
        return Ok(int_codes(a.as_array().iter().copied(), labels));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<i32>>() {
        return Ok(int_codes(a.as_array().iter().copied(), labels));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<u8>>() {
        return Ok(int_codes(a.as_array().iter().copied(), labels));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<bool>>() {
        return Ok(int_codes(a.as_array().iter().copied(), labels));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<f64>>() {
        let mut out = Vec::with_capacity(a.len());
        let mut seen: HashMap<u64, u32> = HashMap::new();
        for (i, &v) in a.as_array().iter().enumerate() {
            if !v.is_finite() {
                return Err(bad(
                    what,
                    format!("row {i} is {v}, not a label"),
                    "fill in the missing labels, or drop those rows before evaluating",
                ));
            }
            out.push(*seen.entry(v.to_bits()).or_insert_with(|| labels.code(&v.to_string())));
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        let code = if item.is_instance_of::<PyBool>() {
            labels.code(if item.extract::<bool>()? { "true" } else { "false" })
        } else if item.is_instance_of::<PyString>() {
            let s: String = item.extract()?;
            if s.trim().is_empty() {
                return Err(bad(what, format!("row {i} is an empty label"), "fill it in, or drop the row"));
            }
            labels.code(&s)
        } else if item.is_instance_of::<PyInt>() {
            labels.code(&item.str()?.to_string())
        } else if item.is_instance_of::<PyFloat>() {
            let v: f64 = item.extract()?;
            if !v.is_finite() {
                return Err(bad(
                    what,
                    format!("row {i} is {v}, not a label"),
                    "fill in the missing labels, or drop those rows before evaluating",
                ));
            }
            labels.code(&v.to_string())
        } else if item.is_none() {
            return Err(bad(what, format!("row {i} is None"), "fill in the missing labels, or drop those rows"));
        } else {
            // numpy scalars and other label-like objects: their string form.
            labels.code(&item.str()?.to_string())
        };
        out.push(code);
    }
    Ok(out)
}

/// Scores read in place: a float64 numpy array (1-D: one per row; 2-D: one per class).
pub enum ScoreArray<'py> {
    Positive(PyReadonlyArray1<'py, f64>),
    PerClass(PyReadonlyArray2<'py, f64>),
}

impl ScoreArray<'_> {
    /// The values, row-major; None when the array is not C-contiguous (the Python layer makes
    /// it contiguous first).
    pub fn values(&self) -> Option<&[f64]> {
        match self {
            ScoreArray::Positive(a) => a.as_slice().ok(),
            ScoreArray::PerClass(a) => a.as_slice().ok(),
        }
    }

    pub fn rows(&self) -> usize {
        match self {
            ScoreArray::Positive(a) => a.len(),
            ScoreArray::PerClass(a) => a.shape()[0],
        }
    }

    pub fn classes(&self) -> Option<usize> {
        match self {
            ScoreArray::Positive(_) => None,
            ScoreArray::PerClass(a) => Some(a.shape()[1]),
        }
    }
}

pub fn score_array<'py>(obj: &Bound<'py, PyAny>) -> PyResult<ScoreArray<'py>> {
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, f64>>() {
        return Ok(ScoreArray::Positive(a));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray2<'py, f64>>() {
        return Ok(ScoreArray::PerClass(a));
    }
    Err(bad(
        "y_score",
        "expected a float64 array of one score per row, or rows × classes".into(),
        "pass numpy.asarray(scores, dtype=float)",
    ))
}

/// The first row holding a NaN or infinite score, and its value.
pub fn first_non_finite(values: &[f64], width: usize) -> Option<(usize, f64)> {
    values.iter().position(|v| !v.is_finite()).map(|i| (i / width.max(1), values[i]))
}

/// Label sets of a multilabel column: a 2-D indicator array (columns named by `names`, else
/// 0..L-1), or a sequence of label sequences.
pub fn label_sets(obj: &Bound<'_, PyAny>, what: &str, names: Option<&[String]>) -> PyResult<Vec<Vec<String>>> {
    if let Ok(a) = obj.extract::<numpy::PyReadonlyArray2<i64>>() {
        return indicator_sets(
            a.as_array().rows().into_iter().map(|r| r.iter().map(|&v| v != 0).collect()),
            a.shape()[1],
            what,
            names,
        );
    }
    if let Ok(a) = obj.extract::<numpy::PyReadonlyArray2<bool>>() {
        return indicator_sets(a.as_array().rows().into_iter().map(|r| r.to_vec()), a.shape()[1], what, names);
    }
    let mut out = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        if item.is_instance_of::<PyString>() || item.is_none() {
            return Err(bad(
                what,
                format!("row {i} is {}, not a set of labels", item.repr()?),
                "pass a list of label lists (one list per example, [] for none), or a 0/1 indicator matrix",
            ));
        }
        let mut set = Labels::default();
        label_codes(&item, what, &mut set)
            .map_err(|e| bad(what, format!("row {i}: {}", e.value(obj.py())), "each row is a list of labels"))?;
        out.push(set.names().to_vec());
    }
    Ok(out)
}

fn indicator_sets(
    rows: impl Iterator<Item = Vec<bool>>,
    width: usize,
    what: &str,
    names: Option<&[String]>,
) -> PyResult<Vec<Vec<String>>> {
    let names: Vec<String> = match names {
        Some(n) if n.len() == width => n.to_vec(),
        Some(n) => {
            return Err(bad(
                what,
                format!("an indicator matrix of {width} columns, but labels= names {}", n.len()),
                "name one label per column",
            ))
        }
        None => (0..width).map(|i| i.to_string()).collect(),
    };
    Ok(rows.map(|r| r.iter().zip(&names).filter(|(on, _)| **on).map(|(_, n)| n.clone()).collect()).collect())
}

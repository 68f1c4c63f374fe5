//! Report documents: the serde types behind `--format json` (SPEC's contract), from which
//! every other format is rendered.

mod check;
mod compare;
mod curves;
mod leakage;
mod metrics;
mod plots;
mod rank;
mod text_compare;

pub use check::*;
pub use compare::*;
pub use curves::*;
pub use leakage::*;
pub use metrics::*;
pub use plots::*;
pub use rank::*;
pub use text_compare::*;

use fteval_core::stats::bootstrap::BootstrapConfig;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The version written into every document.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// An ordered list of (key, value) serialised as a JSON object.
#[derive(Clone, Debug)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<T> Ordered<T> {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Confusion-matrix cells (K²) above which JSON holds the non-zero cells instead of the dense
/// `matrix` (SPEC's shape, kept for up to 1000 classes): a 30 000-class matrix is 900M cells.
pub const MAX_DENSE_CELLS: usize = 1_000_000;

/// Classes of a confusion matrix the terminal and Markdown reports show at most (those with
/// the most gold rows); the HTML heatmap draws as many.
pub const SHOWN_MATRIX_CLASSES: usize = 30;

/// Per-class rows the terminal and Markdown reports show at most (those with the most gold rows).
pub const SHOWN_CLASS_ROWS: usize = 100;

/// A confusion matrix, held as its non-zero cells. JSON: `{"labels", "matrix"}` with dense rows
/// when K² ≤ [`MAX_DENSE_CELLS`]; above, `{"labels", "sparse": true, "cells": [[gold, predicted,
/// count], ...]}` — indices into `labels`, row-major, only cells with a count.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfusionDoc {
    pub labels: Vec<String>,
    /// (gold index, predicted index, count) of each non-zero cell, row-major.
    pub cells: Vec<(u32, u32, u64)>,
}

impl ConfusionDoc {
    /// The document of a computed matrix over `labels`.
    pub fn of(labels: Vec<String>, cm: &fteval_core::metrics::confusion::ConfusionMatrix) -> ConfusionDoc {
        ConfusionDoc { labels, cells: cm.iter().collect() }
    }

    /// From dense rows (`matrix[i][j]`: gold `labels[i]` predicted as `labels[j]`).
    pub fn dense(labels: Vec<String>, matrix: Vec<Vec<u64>>) -> ConfusionDoc {
        let cells = matrix
            .iter()
            .enumerate()
            .flat_map(|(i, row)| {
                row.iter().enumerate().filter(|(_, &c)| c > 0).map(move |(j, &c)| (i as u32, j as u32, c))
            })
            .collect();
        ConfusionDoc { labels, cells }
    }

    /// Whether JSON writes the non-zero cells rather than dense rows.
    pub fn is_sparse(&self) -> bool {
        self.labels.len().saturating_mul(self.labels.len()) > MAX_DENSE_CELLS
    }

    /// Gold rows of each class.
    pub fn row_totals(&self) -> Vec<u64> {
        let mut t = vec![0u64; self.labels.len()];
        for &(g, _, c) in &self.cells {
            if let Some(x) = t.get_mut(g as usize) {
                *x += c;
            }
        }
        t
    }

    /// The classes to show when at most `max` fit: all of them, else the `max` with the most
    /// gold rows (ties: the earlier label), in label order.
    pub fn shown_classes(&self, max: usize) -> Vec<usize> {
        let k = self.labels.len();
        if k <= max {
            return (0..k).collect();
        }
        let totals = self.row_totals();
        let mut keep: Vec<usize> = (0..k).collect();
        keep.sort_by_key(|&i| (std::cmp::Reverse(totals[i]), i));
        keep.truncate(max);
        keep.sort_unstable();
        keep
    }

    /// The dense rows and columns of classes `keep` (indices into `labels`).
    pub fn submatrix(&self, keep: &[usize]) -> Vec<Vec<u64>> {
        let mut pos = std::collections::HashMap::with_capacity(keep.len());
        for (i, &c) in keep.iter().enumerate() {
            pos.insert(c as u32, i);
        }
        let mut rows = vec![vec![0u64; keep.len()]; keep.len()];
        for &(g, p, c) in &self.cells {
            if let (Some(&i), Some(&j)) = (pos.get(&g), pos.get(&p)) {
                rows[i][j] = c;
            }
        }
        rows
    }

    /// Every dense row (K² numbers: small matrices only).
    pub fn rows(&self) -> Vec<Vec<u64>> {
        self.submatrix(&(0..self.labels.len()).collect::<Vec<_>>())
    }
}

impl Serialize for ConfusionDoc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sparse = self.is_sparse();
        let mut map = s.serialize_map(Some(if sparse { 3 } else { 2 }))?;
        map.serialize_entry("labels", &self.labels)?;
        if sparse {
            map.serialize_entry("sparse", &true)?;
            let cells: Vec<[u64; 3]> = self.cells.iter().map(|&(g, p, c)| [u64::from(g), u64::from(p), c]).collect();
            map.serialize_entry("cells", &cells)?;
        } else {
            map.serialize_entry("matrix", &self.rows())?;
        }
        map.end()
    }
}

/// The `output_capped` note when a report holds less than all of a result: a confusion matrix
/// of `matrix_classes` classes written sparse in JSON or shown in part, or `class_rows`
/// per-class rows of which the terminal and Markdown tables show some.
pub(crate) fn output_capped_check(matrix_classes: Option<usize>, class_rows: usize) -> Option<fteval_core::Check> {
    let mut parts = Vec::new();
    if let Some(k) = matrix_classes {
        if k.saturating_mul(k) > MAX_DENSE_CELLS {
            parts.push(format!(
                "the JSON confusion matrix is written as its non-zero cells (\"sparse\": true, \"cells\": [[gold, predicted, count], ...]) because {k}² cells exceed {MAX_DENSE_CELLS}"
            ));
        }
        if k > SHOWN_MATRIX_CLASSES {
            parts.push(format!(
                "the terminal, Markdown and HTML confusion matrices show the {SHOWN_MATRIX_CLASSES} of {k} classes with the most gold rows"
            ));
        }
    }
    if class_rows > SHOWN_CLASS_ROWS {
        parts.push(format!(
            "the terminal and Markdown per-class tables show the {SHOWN_CLASS_ROWS} of {class_rows} rows with the most support (HTML the first 100)"
        ));
    }
    if parts.is_empty() {
        return None;
    }
    Some(fteval_core::Check::new(
        "output_capped",
        fteval_core::Severity::Info,
        format!("Too large to show whole: {}. The JSON report's per-class rows are complete.", parts.join("; ")),
    ))
}

#[derive(Clone, Debug, Serialize)]
pub struct BootstrapDoc {
    pub resamples: usize,
    pub level: f64,
    pub seed: u64,
}

impl From<BootstrapConfig> for BootstrapDoc {
    fn from(c: BootstrapConfig) -> BootstrapDoc {
        BootstrapDoc { resamples: c.resamples, level: c.level, seed: c.seed }
    }
}

/// A finite number, or None (JSON null) for NaN and infinities.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Checks ordered for reading: failures, then warnings, then notes (stable within each).
pub(crate) fn by_severity(mut checks: Vec<fteval_core::Check>) -> Vec<fteval_core::Check> {
    checks.sort_by_key(|c| std::cmp::Reverse(c.severity));
    checks
}

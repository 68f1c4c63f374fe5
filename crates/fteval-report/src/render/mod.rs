//! Renderers: one per output format behind one trait.

mod json;
mod markdown;
mod terminal;

use std::io::{self, Write};

pub use json::Json;
pub use markdown::Markdown;
pub use terminal::Terminal;

use crate::document::{CompareDocument, MetricsDocument};

/// Writes a report document in one output format.
pub trait Renderer {
    fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()>;
    fn compare(&self, doc: &CompareDocument, out: &mut dyn Write) -> io::Result<()>;
}

/// A signed change for people: "+0.0500".
pub(crate) fn signed(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:+.4}"),
        None => "—".to_string(),
    }
}

/// A p-value for people: 4 significant digits, "<1e-16" below double precision.
pub(crate) fn p_value(p: Option<f64>) -> String {
    match p {
        Some(x) if x < 1e-16 => "<1e-16".to_string(),
        Some(x) if x < 1e-4 => format!("{x:.2e}"),
        Some(x) => format!("{x:.4}"),
        None => "—".to_string(),
    }
}

/// The verdict as a headline word.
pub(crate) fn verdict_word(verdict: &str) -> &'static str {
    match verdict {
        "improved" => "IMPROVED",
        "regressed" => "REGRESSED",
        "no_significant_change" => "NO SIGNIFICANT CHANGE",
        _ => "INCONCLUSIVE",
    }
}

/// The compare document's rows of the delta table, primary metric first: metric, baseline,
/// candidate, delta, interval, p-value.
pub(crate) fn delta_rows(doc: &CompareDocument) -> Vec<[String; 6]> {
    let mut keys: Vec<&String> = doc.metrics.0.iter().map(|(k, _)| k).collect();
    if let Some(i) = keys.iter().position(|k| **k == doc.primary_metric) {
        let k = keys.remove(i);
        keys.insert(0, k);
    }
    keys.into_iter()
        .filter_map(|k| doc.metrics.get(k).map(|d| (k, d)))
        .map(|(k, d)| {
            let name = if *k == doc.primary_metric { format!("{k} (primary)") } else { k.clone() };
            let name = if d.higher_is_better { name } else { format!("{name} ↓") };
            let ci = match (d.ci_low, d.ci_high) {
                (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                _ => String::new(),
            };
            [name, num(d.baseline), num(d.candidate), signed(d.delta), ci, p_value(d.p_value)]
        })
        .collect()
}

/// The line under a compare title: files, size, and how intervals were made.
pub(crate) fn compare_summary(doc: &CompareDocument) -> String {
    let mut s = format!(
        "{} → {} · {} · {} matched examples",
        doc.baseline_source, doc.candidate_source, doc.task, doc.n_matched
    );
    if let Some(p) = &doc.positive_label {
        s.push_str(&format!(" · positive label '{p}'"));
    }
    if let Some(p) = &doc.profile {
        s.push_str(&format!(" · profile {}", p.name));
    }
    if doc.bootstrap.resamples > 0 {
        s.push_str(&format!(
            " · {:.0}% paired CIs ({} resamples, seed {})",
            doc.bootstrap.level * 100.0,
            doc.bootstrap.resamples,
            doc.bootstrap.seed
        ));
    }
    s
}

/// A number for people: 4 decimals, or "—" when undefined.
pub(crate) fn num(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:.4}"),
        None => "—".to_string(),
    }
}

/// "[low, high]" or an empty string.
pub(crate) fn interval(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("[{l:.4}, {h:.4}]"),
        _ => String::new(),
    }
}

/// "95% CI" for the document's confidence level.
pub(crate) fn ci_header(doc: &MetricsDocument) -> String {
    format!("{}% CI", doc.bootstrap.level * 100.0)
}

/// The sentence under the title: task, size and how intervals were made.
pub(crate) fn summary_line(doc: &MetricsDocument) -> String {
    let mut s = format!("{} · {} rows · {} labels", doc.task, doc.n, doc.labels.len());
    if let Some(p) = &doc.positive_label {
        s.push_str(&format!(" · positive label '{p}'"));
    }
    if doc.bootstrap.resamples > 0 {
        s.push_str(&format!(
            " · {:.0}% CIs ({} bootstrap resamples, seed {})",
            doc.bootstrap.level * 100.0,
            doc.bootstrap.resamples,
            doc.bootstrap.seed
        ));
    } else {
        s.push_str(" · no confidence intervals (--bootstrap 0)");
    }
    s
}

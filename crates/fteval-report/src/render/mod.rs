//! Renderers: one per output format behind one trait.

mod json;
mod markdown;
mod terminal;

use std::io::{self, Write};

pub use json::Json;
pub use markdown::Markdown;
pub use terminal::Terminal;

use crate::document::MetricsDocument;

/// Writes a report document in one output format.
pub trait Renderer {
    fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()>;
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

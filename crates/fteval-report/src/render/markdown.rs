//! `--format markdown`: pastes into a pull request or a CI step summary.

use std::io::{self, Write};

use fteval_core::Severity;

use super::{ci_header, interval, num, summary_line, Renderer};
use crate::document::MetricsDocument;

pub struct Markdown;

/// Text safe inside a Markdown table cell: pipes escaped, line breaks as spaces.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace("\r\n", " ").replace(['\n', '\r'], " ")
}

impl Renderer for Markdown {
    fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "## fteval metrics — `{}`\n", escape(&doc.source))?;
        writeln!(out, "{}\n", summary_line(doc))?;
        let fails = doc.checks.iter().filter(|c| c.severity == Severity::Fail).count();
        let warns = doc.checks.iter().filter(|c| c.severity == Severity::Warn).count();
        if fails + warns > 0 {
            writeln!(out, "**{} warning(s), {} failure(s)** — see Checks below.\n", warns, fails)?;
        }
        writeln!(out, "| metric | value | {} | CI method |", ci_header(doc))?;
        writeln!(out, "| --- | ---: | --- | --- |")?;
        for (k, m) in &doc.metrics.0 {
            let note = m.reason.as_deref().map(|r| format!(" ({})", escape(r))).unwrap_or_default();
            writeln!(
                out,
                "| {k} | {} | {} | {}{note} |",
                num(m.value),
                interval(m.ci_low, m.ci_high),
                m.ci_method.unwrap_or("")
            )?;
        }
        writeln!(out, "\n### Per class\n")?;
        writeln!(out, "| label | precision | recall | F1 | F1 {} | support | predicted |", ci_header(doc))?;
        writeln!(out, "| --- | ---: | ---: | ---: | --- | ---: | ---: |")?;
        for (label, r) in &doc.per_class.0 {
            let ci = r.f1_ci.map(|[l, h]| format!("[{l:.3}, {h:.3}]")).unwrap_or_default();
            writeln!(
                out,
                "| {} | {:.4} | {:.4} | {:.4} | {ci} | {} | {} |",
                escape(label),
                r.precision,
                r.recall,
                r.f1,
                r.support,
                r.predicted
            )?;
        }
        if let Some(cm) = &doc.confusion_matrix {
            writeln!(out, "\n### Confusion matrix (rows: gold, columns: predicted)\n")?;
            let head: Vec<String> = cm.labels.iter().map(|l| escape(l)).collect();
            writeln!(out, "| gold \\ predicted | {} |", head.join(" | "))?;
            writeln!(out, "| --- |{}", " ---: |".repeat(head.len()))?;
            for (label, row) in cm.labels.iter().zip(&cm.matrix) {
                let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
                writeln!(out, "| **{}** | {} |", escape(label), cells.join(" | "))?;
            }
        }
        writeln!(out, "\n### Checks\n")?;
        if doc.checks.is_empty() {
            writeln!(out, "No problems found.")?;
        }
        for c in &doc.checks {
            let icon = match c.severity {
                Severity::Fail => "❌",
                Severity::Warn => "⚠️",
                Severity::Info => "ℹ️",
            };
            writeln!(out, "- {icon} **{}** — {}", c.id, escape(&c.message))?;
        }
        Ok(())
    }
}

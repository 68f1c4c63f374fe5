//! `--format terminal`: a readable report, coloured only when asked to.

use std::io::{self, Write};

use comfy_table::presets::UTF8_HORIZONTAL_ONLY;
use comfy_table::{CellAlignment, Table, TableComponent};
use fteval_core::Severity;

use super::{ci_header, interval, num, summary_line, Renderer};
use crate::document::MetricsDocument;

pub struct Terminal {
    pub color: bool,
}

impl Terminal {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn table(header: Vec<String>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_HORIZONTAL_ONLY)
        .remove_style(TableComponent::HorizontalLines)
        .remove_style(TableComponent::MiddleIntersections)
        .set_header(header);
    t
}

fn right_align(t: &mut Table, columns: std::ops::Range<usize>) {
    for i in columns {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

impl Renderer for Terminal {
    fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.paint("1", &format!("fteval metrics — {}", doc.source)))?;
        writeln!(out, "{}\n", summary_line(doc))?;

        let mut t = table(vec!["metric".into(), "value".into(), ci_header(doc), "method".into()]);
        for (k, m) in &doc.metrics.0 {
            let method = match (&m.value, &m.reason) {
                (None, Some(r)) => format!("undefined: {r}"),
                _ => m.ci_method.unwrap_or("").to_string(),
            };
            t.add_row(vec![k.clone(), num(m.value), interval(m.ci_low, m.ci_high), method]);
        }
        right_align(&mut t, 1..3);
        writeln!(out, "{t}\n")?;

        writeln!(out, "{}", self.paint("1", "Per class"))?;
        let mut t = table(
            ["label", "precision", "recall", "F1", &format!("F1 {}", ci_header(doc)), "support", "predicted"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        for (label, r) in &doc.per_class.0 {
            let ci = r.f1_ci.map(|[l, h]| format!("[{l:.3}, {h:.3}]")).unwrap_or_default();
            t.add_row(vec![
                label.clone(),
                format!("{:.4}", r.precision),
                format!("{:.4}", r.recall),
                format!("{:.4}", r.f1),
                ci,
                r.support.to_string(),
                r.predicted.to_string(),
            ]);
        }
        let cols = t.column_count();
        right_align(&mut t, 1..cols);
        writeln!(out, "{t}\n")?;

        if let Some(cm) = &doc.confusion_matrix {
            writeln!(out, "{}", self.paint("1", "Confusion matrix (rows: gold, columns: predicted)"))?;
            let mut header = vec!["gold \\ pred".to_string()];
            header.extend(cm.labels.iter().cloned());
            let mut t = table(header);
            for (label, row) in cm.labels.iter().zip(&cm.matrix) {
                let mut cells = vec![label.clone()];
                cells.extend(row.iter().map(|c| c.to_string()));
                t.add_row(cells);
            }
            let cols = t.column_count();
            right_align(&mut t, 1..cols);
            writeln!(out, "{t}\n")?;
        }

        writeln!(out, "{}", self.paint("1", "Checks"))?;
        if doc.checks.is_empty() {
            writeln!(out, "  {}", self.paint("32", "✓ no problems found"))?;
        }
        for c in &doc.checks {
            let tag = match c.severity {
                Severity::Fail => self.paint("1;31", "✗ fail"),
                Severity::Warn => self.paint("33", "! warn"),
                Severity::Info => self.paint("36", "· info"),
            };
            writeln!(out, "  {tag}  {}: {}", self.paint("1", &c.id), c.message)?;
        }
        Ok(())
    }
}

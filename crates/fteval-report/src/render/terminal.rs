//! `--format terminal`: a readable report, coloured only when asked to.

use std::io::{self, Write};

use comfy_table::presets::UTF8_HORIZONTAL_ONLY;
use comfy_table::{CellAlignment, Table, TableComponent};
use fteval_core::Severity;

use super::{
    ci_header, compare_summary, delta_rows, interval, level, num, p_value, summary_line, verdict_word, Renderer,
};
use crate::document::{
    CheckDocument, CompareDocument, CurvesDocument, LeakageDocument, MetricsDocument, RankDocument,
    TextCompareDocument, TextRankDocument, SHOWN_MATRIX_CLASSES,
};

use crate::sanitize::{EscapeControls, FindsColourEsc, COLOUR_ESC};

mod check;
mod text;

/// The terminal report. Control characters from the data are escaped on the way out
/// ([`crate::sanitize`]); with `color`, the report's own colour codes are kept.
pub struct Terminal {
    pub color: bool,
}

/// The terminal report as written before escaping, colour codes written with [`COLOUR_ESC`].
struct Unescaped {
    color: bool,
}

impl Unescaped {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("{COLOUR_ESC}[{code}m{s}{COLOUR_ESC}[0m")
        } else {
            s.to_string()
        }
    }
}

impl Terminal {
    /// Runs `render` into `out` through [`EscapeControls`]. Colour is used only when the
    /// uncoloured report holds no [`COLOUR_ESC`] of its own (from the data), so that every ESC
    /// that reaches the terminal is one of the report's colour codes.
    fn escaped(
        &self,
        out: &mut dyn Write,
        render: impl Fn(&Unescaped, &mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let color = self.color && {
            let mut probe = FindsColourEsc::default();
            render(&Unescaped { color: false }, &mut probe)?;
            !probe.found
        };
        let mut w = EscapeControls::new(out, color);
        render(&Unescaped { color }, &mut w)?;
        w.flush()
    }
}

super::renderer_through_escaped!(Terminal);

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

impl Renderer for Unescaped {
    fn text_compare(&self, doc: &TextCompareDocument, out: &mut dyn Write) -> io::Result<()> {
        self.text_compare_impl(doc, out)
    }

    fn text_rank(&self, doc: &TextRankDocument, out: &mut dyn Write) -> io::Result<()> {
        self.text_rank_impl(doc, out)
    }

    fn check(&self, doc: &CheckDocument, out: &mut dyn Write) -> io::Result<()> {
        self.check_impl(doc, out)
    }

    fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.paint("1", &format!("fteval metrics — {}", doc.source)))?;
        writeln!(out, "{}\n", summary_line(doc))?;

        let mut t = table(vec!["metric".into(), "value".into(), ci_header(doc), "method".into()]);
        for (k, m) in &doc.metrics.0 {
            let method = match (&m.value, &m.reason) {
                (None, Some(r)) => format!("undefined: {r}"),
                // A value without an interval is marked; the checks (degenerate_interval) and
                // the JSON `reason` say why.
                (Some(_), Some(r)) if m.ci_low.is_none() && r.starts_with("no interval") => {
                    "no interval (see checks)".to_string()
                }
                _ => m.ci_method.unwrap_or("").to_string(),
            };
            // The reason itself is in the unreliable_interval check; the table marks the row.
            let method =
                if m.unreliable.is_some() && m.ci_low.is_some() { format!("{method} (unreliable)") } else { method };
            t.add_row(vec![k.clone(), num(m.value), interval(m.ci_low, m.ci_high), method]);
        }
        right_align(&mut t, 1..3);
        writeln!(out, "{t}\n")?;

        if let Some(sigs) = &doc.signatures {
            writeln!(out, "{}", self.paint("1", "Signatures (sacreBLEU)"))?;
            for (k, sig) in &sigs.0 {
                writeln!(out, "  {k:<8} {sig}")?;
            }
            writeln!(out)?;
        }

        if !doc.per_class.0.is_empty() {
            self.per_class(doc, out)?;
        }

        if let Some(cm) = &doc.confusion_matrix {
            writeln!(out, "{}", self.paint("1", "Confusion matrix (rows: gold, columns: predicted)"))?;
            let keep = cm.shown_classes(SHOWN_MATRIX_CLASSES);
            let mut header = vec!["gold \\ pred".to_string()];
            header.extend(keep.iter().map(|&i| cm.labels[i].clone()));
            let mut t = table(header);
            for (&i, row) in keep.iter().zip(cm.submatrix(&keep)) {
                let mut cells = vec![cm.labels[i].clone()];
                cells.extend(row.iter().map(|c| c.to_string()));
                t.add_row(cells);
            }
            let cols = t.column_count();
            right_align(&mut t, 1..cols);
            writeln!(out, "{t}")?;
            if let Some(more) = super::more_classes(keep.len(), cm.labels.len()) {
                writeln!(out, "  {more}")?;
            }
            writeln!(out)?;
        }

        self.checks(&doc.checks, out)
    }

    fn leakage(&self, doc: &LeakageDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("fteval leakage — test {} against train {}", doc.test.file, doc.train.file);
        writeln!(out, "{}\n", self.paint("1", &title))?;
        for line in super::leakage_summary(doc) {
            writeln!(out, "  {line}")?;
        }
        let rows = super::leakage_rows(doc);
        if !rows.is_empty() {
            let mut table = Table::new();
            table.load_preset(UTF8_HORIZONTAL_ONLY).set_header(vec![
                "test id",
                "kind",
                "train id",
                "jaccard",
                "8-gram share",
                "longest run",
                "label conflict",
            ]);
            for r in rows {
                table.add_row(r.to_vec());
            }
            writeln!(out, "\n{table}")?;
            if doc.test_rows_flagged.len() > super::LEAKAGE_ROWS_SHOWN {
                writeln!(
                    out,
                    "  … and {} more (all in --format json)",
                    doc.test_rows_flagged.len() - super::LEAKAGE_ROWS_SHOWN
                )?;
            }
        }
        writeln!(out)?;
        self.checks(&doc.checks, out)
    }

    fn curves(&self, doc: &CurvesDocument, out: &mut dyn Write) -> io::Result<()> {
        let sources: Vec<&str> = doc.runs.iter().map(|r| r.source.as_str()).collect();
        writeln!(out, "{}\n", self.paint("1", &format!("fteval curves — {}", sources.join(", "))))?;
        for f in &doc.findings {
            let tag = match f.severity {
                Severity::Fail => self.paint("1;31", "✗ fail"),
                Severity::Warn => self.paint("33", "! warn"),
                Severity::Info => self.paint("36", "· info"),
            };
            writeln!(out, "  {tag}  {}: {}", self.paint("1", f.id), f.message)?;
        }
        if let Some(b) = &doc.best_checkpoint {
            writeln!(out, "\n{} {}", self.paint("1", "Best checkpoint"), super::best_checkpoint_text(b))?;
        }
        for (i, r) in doc.runs.iter().enumerate() {
            let lines = super::loss_plot(doc, i, 60, 12);
            if lines.is_empty() {
                continue;
            }
            writeln!(
                out,
                "\n{} ({}, run {}): {}",
                r.source,
                r.format,
                r.restart,
                super::loss_data(doc, i).map(|d| d.text_legend()).unwrap_or_default()
            )?;
            for l in lines {
                writeln!(out, "  {l}")?;
            }
        }
        let mut t =
            table(["run", "series", "count", "first", "last", "min", "at"].iter().map(|s| s.to_string()).collect());
        for (i, r) in doc.runs.iter().enumerate() {
            for s in &r.series {
                t.add_row(vec![
                    i.to_string(),
                    format!("{}/{}", s.split, s.name),
                    s.count.to_string(),
                    level(s.first),
                    level(s.last),
                    level(s.min),
                    s.argmin.as_ref().map(|p| super::checkpoint_label(p.step, p.epoch)).unwrap_or_default(),
                ]);
            }
        }
        right_align(&mut t, 2..6);
        writeln!(out, "\n{t}\n")?;
        self.checks(&doc.checks, out)
    }

    fn rank(&self, doc: &RankDocument, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.paint("1", &format!("fteval rank — {} first on {}", doc.best, doc.primary_metric)))?;
        writeln!(out, "{}\n", doc.summary)?;
        let (header, rows) = super::rank_table(doc);
        let cols = header.len();
        let mut t = table(header);
        for r in rows {
            t.add_row(r);
        }
        right_align(&mut t, 2..cols);
        writeln!(out, "{t}\n")?;
        let lines = super::disagreement_lines(doc);
        if !lines.is_empty() {
            writeln!(out, "{}", self.paint("1", "Metrics that disagree with the ranking"))?;
            for l in lines {
                writeln!(out, "  {l}")?;
            }
            writeln!(out)?;
        }
        self.checks(&doc.checks, out)
    }

    fn compare(&self, doc: &CompareDocument, out: &mut dyn Write) -> io::Result<()> {
        let colour = match doc.verdict {
            "improved" => "1;32",
            "regressed" => "1;31",
            _ => "1;33",
        };
        writeln!(out, "{}  {}", self.paint(colour, verdict_word(doc.verdict)), doc.verdict_detail.summary)?;
        writeln!(out, "{}", compare_summary(doc))?;
        if let Some(p) = &doc.profile {
            writeln!(out, "profile {}: {}", p.name, p.rationale)?;
        }
        writeln!(out)?;
        for g in &doc.gates {
            let tag = if g.passed { self.paint("32", "✓ pass") } else { self.paint("1;31", "✗ FAIL") };
            writeln!(out, "  {tag}  {}: {}", self.paint("1", &g.gate), g.message)?;
        }
        if !doc.gates.is_empty() {
            writeln!(out)?;
        }
        let level = format!("{} CI", super::level_percent(doc.bootstrap.level));
        let mut t =
            table(["metric", "baseline", "candidate", "Δ", &level, "p"].iter().map(|s| s.to_string()).collect());
        for r in delta_rows(doc) {
            t.add_row(r.to_vec());
        }
        right_align(&mut t, 1..6);
        writeln!(out, "{t}")?;
        writeln!(out, "  ↓ lower is better\n")?;
        let m = &doc.mcnemar;
        writeln!(
            out,
            "McNemar (exact): baseline-only correct {}, candidate-only correct {}, p = {}",
            m.baseline_only_correct,
            m.candidate_only_correct,
            p_value(Some(m.p_value))
        )?;
        if let Some(d) = &doc.delong {
            writeln!(out, "DeLong (ROC AUC): z = {}, p = {}", num(d.z), p_value(Some(d.p_value)))?;
        }
        if let Some(c) = &doc.costs {
            writeln!(
                out,
                "Expected cost per example (FP = {}, FN = {}): baseline {:.4}, candidate {:.4}, Δ {:+.4} {}",
                c.fp,
                c.fn_,
                c.baseline,
                c.candidate,
                c.delta,
                interval(c.ci_low, c.ci_high)
            )?;
        }
        if let Some(th) = &doc.thresholds {
            writeln!(out, "\n{}", self.paint("1", &format!("Thresholds: {} (optimistic)", th.rule)))?;
            for (who, c) in [("baseline", &th.baseline), ("candidate", &th.candidate)] {
                match c {
                    Some(c) => writeln!(
                        out,
                        "  {who:<9}  threshold {}  precision {:.4}  recall {:.4}  expected cost {:.4}",
                        num(c.threshold),
                        c.precision,
                        c.recall,
                        c.expected_cost
                    )?,
                    None => writeln!(out, "  {who:<9}  no threshold meets the rule")?,
                }
            }
            writeln!(out, "  {}", th.note)?;
        }
        let f = &doc.flips;
        writeln!(out, "\n{}", self.paint("1", &format!("Flips: {} fixed, {} broken", f.fixed, f.broken)))?;
        let mut t = table(vec!["gold class".into(), "fixed".into(), "broken".into()]);
        for (label, c) in &f.per_class.0 {
            t.add_row(vec![label.clone(), c.fixed.to_string(), c.broken.to_string()]);
        }
        right_align(&mut t, 1..3);
        writeln!(out, "{t}")?;
        let broken: Vec<_> = f.examples.iter().filter(|e| e.kind == "broken").collect();
        if !broken.is_empty() {
            writeln!(out, "\n{}", self.paint("1", "Examples the candidate broke"))?;
            let has_text = broken.iter().any(|e| e.text.as_deref().is_some_and(|t| !t.is_empty()));
            let mut header = vec!["id", "gold", "baseline", "candidate", "confidence"];
            if has_text {
                header.push("text");
            }
            let mut t = table(header.iter().map(|s| s.to_string()).collect());
            for e in broken {
                let mut row = vec![
                    e.id.clone().unwrap_or_else(|| format!("row {}", e.row)),
                    e.gold.clone(),
                    e.baseline.clone(),
                    e.candidate.clone(),
                    num(e.candidate_confidence),
                ];
                if has_text {
                    row.push(e.text.as_deref().unwrap_or("").chars().take(60).collect());
                }
                t.add_row(row);
            }
            writeln!(out, "{t}")?;
        }
        writeln!(out)?;
        self.checks(&doc.checks, out)
    }
}

impl Unescaped {
    fn per_class(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = if doc.ner.is_some() { "Per entity type (entity-level)" } else { "Per class" };
        writeln!(out, "{}", self.paint("1", title))?;
        let mut t = table(
            [
                super::class_column(doc),
                "precision",
                "recall",
                "F1",
                &format!("F1 {}", ci_header(doc)),
                "support",
                "predicted",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        );
        let shown = super::shown_class_rows(doc);
        for (label, r) in shown.iter().map(|&i| &doc.per_class.0[i]) {
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
        writeln!(out, "{t}")?;
        if let Some(more) = super::more_classes(shown.len(), doc.per_class.0.len()) {
            writeln!(out, "  {more}")?;
        }
        writeln!(out)?;
        Ok(())
    }

    fn checks(&self, checks: &[fteval_core::Check], out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.paint("1", "Checks"))?;
        if checks.is_empty() {
            writeln!(out, "  {}", self.paint("32", "✓ no problems found"))?;
        }
        for c in checks {
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

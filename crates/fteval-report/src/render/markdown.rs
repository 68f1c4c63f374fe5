//! `--format markdown`: pastes into a pull request or a CI step summary.

use std::io::{self, Write};

use fteval_core::Severity;

use super::{ci_header, compare_summary, delta_rows, interval, level, num, summary_line, verdict_word, Renderer};
use crate::document::{
    CheckDocument, CompareDocument, CurvesDocument, LeakageDocument, MetricsDocument, RankDocument,
    TextCompareDocument, TextRankDocument, SHOWN_MATRIX_CLASSES,
};

use crate::sanitize::EscapeControls;

mod check;
mod text;

/// The Markdown report. Control characters from the data are escaped on the way out
/// ([`crate::sanitize`]); table cells escape `|` and line breaks ([`escape`]).
pub struct Markdown;

/// The Markdown report as written before escaping control characters.
struct Unescaped;

impl Markdown {
    fn escaped(
        &self,
        out: &mut dyn Write,
        render: impl FnOnce(&Unescaped, &mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut w = EscapeControls::new(out, false);
        render(&Unescaped, &mut w)?;
        w.flush()
    }
}

super::renderer_through_escaped!(Markdown);

/// Text safe inside a Markdown table cell: pipes escaped, line breaks as spaces.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace("\r\n", " ").replace(['\n', '\r'], " ")
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
            let mut note = m.reason.as_deref().map(|r| format!(" ({})", escape(r))).unwrap_or_default();
            if let Some(u) = &m.unreliable {
                note.push_str(&format!(" — **unreliable**: {}", escape(u)));
            }
            writeln!(
                out,
                "| {k} | {} | {} | {}{note} |",
                num(m.value),
                interval(m.ci_low, m.ci_high),
                m.ci_method.unwrap_or("")
            )?;
        }
        if let Some(sigs) = &doc.signatures {
            writeln!(out, "\n### Signatures (sacreBLEU)\n")?;
            for (k, sig) in &sigs.0 {
                writeln!(out, "- {k}: `{sig}`")?;
            }
        }
        if !doc.per_class.0.is_empty() {
            let title = if doc.ner.is_some() { "Per entity type (entity-level)" } else { "Per class" };
            writeln!(out, "\n### {title}\n")?;
            writeln!(
                out,
                "| {} | precision | recall | F1 | F1 {} | support | predicted |",
                super::class_column(doc),
                ci_header(doc)
            )?;
            writeln!(out, "| --- | ---: | ---: | ---: | --- | ---: | ---: |")?;
        }
        let shown = super::shown_class_rows(doc);
        for (label, r) in shown.iter().map(|&i| &doc.per_class.0[i]) {
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
        if let Some(more) = super::more_classes(shown.len(), doc.per_class.0.len()) {
            writeln!(out, "\n{more}")?;
        }
        if let Some(cm) = &doc.confusion_matrix {
            writeln!(out, "\n### Confusion matrix (rows: gold, columns: predicted)\n")?;
            let keep = cm.shown_classes(SHOWN_MATRIX_CLASSES);
            let head: Vec<String> = keep.iter().map(|&i| escape(&cm.labels[i])).collect();
            writeln!(out, "| gold \\ predicted | {} |", head.join(" | "))?;
            writeln!(out, "| --- |{}", " ---: |".repeat(head.len()))?;
            for (&i, row) in keep.iter().zip(cm.submatrix(&keep)) {
                let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
                writeln!(out, "| **{}** | {} |", escape(&cm.labels[i]), cells.join(" | "))?;
            }
            if let Some(more) = super::more_classes(keep.len(), cm.labels.len()) {
                writeln!(out, "\n{more}")?;
            }
        }
        write_checks(&doc.checks, out)
    }

    fn rank(&self, doc: &RankDocument, out: &mut dyn Write) -> io::Result<()> {
        self.rank_impl(doc, out)
    }

    fn leakage(&self, doc: &LeakageDocument, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "## fteval leakage — `{}` against `{}`\n", doc.test.file, doc.train.file)?;
        for line in super::leakage_summary(doc) {
            writeln!(out, "- {}", escape(&line))?;
        }
        let rows = super::leakage_rows(doc);
        if !rows.is_empty() {
            writeln!(out, "\n| test id | kind | train id | jaccard | 8-gram share | longest run | label conflict |")?;
            writeln!(out, "| --- | --- | --- | ---: | ---: | ---: | --- |")?;
            for r in rows {
                let cells: Vec<String> = r.iter().map(|c| escape(c)).collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
            }
        }
        write_checks(&doc.checks, out)
    }

    fn curves(&self, doc: &CurvesDocument, out: &mut dyn Write) -> io::Result<()> {
        let sources: Vec<&str> = doc.runs.iter().map(|r| r.source.as_str()).collect();
        writeln!(out, "## fteval curves — {}\n", escape(&sources.join(", ")))?;
        for f in &doc.findings {
            let icon = match f.severity {
                Severity::Fail => "❌",
                Severity::Warn => "⚠️",
                Severity::Info => "ℹ️",
            };
            writeln!(out, "- {icon} **{}** — {}", f.id, escape(&f.message))?;
        }
        if let Some(b) = &doc.best_checkpoint {
            writeln!(out, "\n**Best checkpoint** {}.\n", super::best_checkpoint_text(b))?;
        }
        for (i, r) in doc.runs.iter().enumerate() {
            let lines = super::loss_plot(doc, i, 60, 12);
            if !lines.is_empty() {
                writeln!(
                    out,
                    "\n`{}` ({}, run {}): {}\n",
                    escape(&r.source),
                    r.format,
                    r.restart,
                    super::loss_data(doc, i).map(|d| d.text_legend()).unwrap_or_default()
                )?;
                writeln!(out, "```\n{}\n```", lines.join("\n"))?;
            }
        }
        writeln!(out, "\n| run | series | count | first | last | min | at |")?;
        writeln!(out, "| --- | --- | ---: | ---: | ---: | ---: | --- |")?;
        for (i, r) in doc.runs.iter().enumerate() {
            for s in &r.series {
                let at = s.argmin.as_ref().map(|p| super::checkpoint_label(p.step, p.epoch)).unwrap_or_default();
                writeln!(
                    out,
                    "| {i} | {}/{} | {} | {} | {} | {} | {at} |",
                    s.split,
                    escape(&s.name),
                    s.count,
                    level(s.first),
                    level(s.last),
                    level(s.min)
                )?;
            }
        }
        write_checks(&doc.checks, out)
    }

    fn compare(&self, doc: &CompareDocument, out: &mut dyn Write) -> io::Result<()> {
        let icon = match doc.verdict {
            "improved" => "✅",
            "regressed" => "❌",
            "no_significant_change" => "➖",
            _ => "❔",
        };
        writeln!(out, "## fteval compare: {icon} {}\n", verdict_word(doc.verdict))?;
        writeln!(out, "**{}**\n", escape(&doc.verdict_detail.summary))?;
        writeln!(out, "{}\n", escape(&compare_summary(doc)))?;
        if let Some(p) = &doc.profile {
            writeln!(out, "Profile **{}**: {} — primary metric `{}`.\n", p.name, p.rationale, p.primary_metric)?;
        }
        if !doc.gates.is_empty() {
            writeln!(out, "### Gates\n")?;
            for g in &doc.gates {
                let mark = if g.passed { "✅" } else { "❌" };
                writeln!(out, "- {mark} `{}` — {}", g.gate, escape(&g.message))?;
            }
            writeln!(out)?;
        }
        writeln!(out, "### Metrics (candidate − baseline)\n")?;
        let level = format!("{} CI", super::level_percent(doc.bootstrap.level));
        writeln!(out, "| metric | baseline | candidate | Δ | {level} | p |")?;
        writeln!(out, "| --- | ---: | ---: | ---: | --- | ---: |")?;
        for r in delta_rows(doc) {
            writeln!(out, "| {} |", r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | "))?;
        }
        writeln!(out, "\n↓ lower is better.")?;
        let m = &doc.mcnemar;
        write!(
            out,
            "McNemar (exact): baseline-only correct {}, candidate-only correct {}, p = {}.",
            m.baseline_only_correct,
            m.candidate_only_correct,
            super::p_value(Some(m.p_value))
        )?;
        if let Some(d) = &doc.delong {
            write!(out, " DeLong (ROC AUC): z = {}, p = {}.", num(d.z), super::p_value(Some(d.p_value)))?;
        }
        writeln!(out)?;
        if let Some(c) = &doc.costs {
            writeln!(
                out,
                "\nExpected cost per example (FP = {}, FN = {}): baseline {:.4}, candidate {:.4} (Δ {:+.4}{}).",
                c.fp,
                c.fn_,
                c.baseline,
                c.candidate,
                c.delta,
                interval(c.ci_low, c.ci_high).split_once('[').map(|(_, r)| format!(", CI [{r}")).unwrap_or_default()
            )?;
        }
        if let Some(t) = &doc.thresholds {
            writeln!(out, "\n### Thresholds ({}) — optimistic\n", escape(&t.rule))?;
            writeln!(out, "| model | threshold | precision | recall | expected cost |")?;
            writeln!(out, "| --- | ---: | ---: | ---: | ---: |")?;
            for (who, c) in [("baseline", &t.baseline), ("candidate", &t.candidate)] {
                match c {
                    Some(c) => writeln!(
                        out,
                        "| {who} | {} | {:.4} | {:.4} | {:.4} |",
                        num(c.threshold),
                        c.precision,
                        c.recall,
                        c.expected_cost
                    )?,
                    None => writeln!(out, "| {who} | none meets the rule | | | |")?,
                }
            }
            writeln!(out, "\n{}", t.note)?;
        }
        let f = &doc.flips;
        writeln!(out, "\n### Flips: {} fixed, {} broken\n", f.fixed, f.broken)?;
        writeln!(out, "| gold class | fixed | broken |")?;
        writeln!(out, "| --- | ---: | ---: |")?;
        for (label, c) in &f.per_class.0 {
            writeln!(out, "| {} | {} | {} |", escape(label), c.fixed, c.broken)?;
        }
        let broken: Vec<_> = f.examples.iter().filter(|e| e.kind == "broken").collect();
        if !broken.is_empty() {
            writeln!(out, "\n<details><summary>Examples the candidate broke ({})</summary>\n", broken.len())?;
            writeln!(out, "| id | gold | baseline | candidate | confidence | text |")?;
            writeln!(out, "| --- | --- | --- | --- | ---: | --- |")?;
            for e in broken {
                let id = e.id.clone().unwrap_or_else(|| format!("row {}", e.row));
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    escape(&id),
                    escape(&e.gold),
                    escape(&e.baseline),
                    escape(&e.candidate),
                    num(e.candidate_confidence),
                    escape(e.text.as_deref().unwrap_or(""))
                )?;
            }
            writeln!(out, "\n</details>")?;
        }
        write_checks(&doc.checks, out)
    }
}

impl Unescaped {
    fn rank_impl(&self, doc: &RankDocument, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "## fteval rank: {} first on {}\n", escape(&doc.best), doc.primary_metric)?;
        writeln!(out, "**{}**\n", escape(&doc.summary))?;
        let mut line = format!("{} · {} examples · models tested against the best, paired", doc.task, doc.n);
        if doc.bootstrap.resamples > 0 {
            line.push_str(&format!(" ({} resamples, seed {})", doc.bootstrap.resamples, doc.bootstrap.seed));
        }
        writeln!(out, "{line}\n")?;
        let (header, rows) = super::rank_table(doc);
        writeln!(out, "| {} |", header.iter().map(|h| escape(h)).collect::<Vec<_>>().join(" | "))?;
        writeln!(out, "|{}", " --- |".repeat(header.len()))?;
        for r in rows {
            writeln!(out, "| {} |", r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | "))?;
        }
        let lines = super::disagreement_lines(doc);
        if !lines.is_empty() {
            writeln!(out, "\n### Metrics that disagree with the ranking\n")?;
            for l in lines {
                writeln!(out, "- {}", escape(&l))?;
            }
        }
        write_checks(&doc.checks, out)
    }
}

fn write_checks(checks: &[fteval_core::Check], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Checks\n")?;
    if checks.is_empty() {
        writeln!(out, "No problems found.")?;
    }
    for c in checks {
        let icon = match c.severity {
            Severity::Fail => "❌",
            Severity::Warn => "⚠️",
            Severity::Info => "ℹ️",
        };
        writeln!(out, "- {icon} **{}** — {}", c.id, escape(&c.message))?;
    }
    Ok(())
}

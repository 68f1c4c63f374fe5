//! The terminal report of text-task (NER, generation) comparisons and rankings.

use std::io::{self, Write};

use super::super::text::{
    ar_line, broken_table, compare_summary, flips_title, pairwise_table, rank_ar_lines, signature_lines,
};
use super::super::{disagreement_lines, level_percent, metric_delta_rows, rank_table, verdict_word};
use super::{right_align, table, Unescaped};
use crate::document::{TextCompareDocument, TextRankDocument};

impl Unescaped {
    pub(super) fn text_compare_impl(&self, doc: &TextCompareDocument, out: &mut dyn Write) -> io::Result<()> {
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
        let level = format!("{} CI", level_percent(doc.bootstrap.level));
        let mut t =
            table(["metric", "baseline", "candidate", "Δ", &level, "p"].iter().map(|s| s.to_string()).collect());
        for r in metric_delta_rows(&doc.metrics, &doc.primary_metric) {
            t.add_row(r.to_vec());
        }
        right_align(&mut t, 1..6);
        writeln!(out, "{t}")?;
        writeln!(out, "  ↓ lower is better\n")?;
        if let Some(l) = ar_line(doc) {
            writeln!(out, "{l}")?;
        }
        for l in signature_lines(doc) {
            writeln!(out, "  {l}")?;
        }
        writeln!(out, "\n{}", self.paint("1", &flips_title(doc)))?;
        if let Some((header, rows)) = broken_table(doc) {
            writeln!(out, "{}", self.paint("1", &format!("{} the candidate did worse on", capitalised(doc.unit))))?;
            let mut t = table(header);
            for r in rows {
                t.add_row(r);
            }
            right_align(&mut t, 1..3);
            writeln!(out, "{t}")?;
        }
        writeln!(out)?;
        self.checks(&doc.checks, out)
    }

    pub(super) fn text_rank_impl(&self, doc: &TextRankDocument, out: &mut dyn Write) -> io::Result<()> {
        let r = &doc.rank;
        writeln!(out, "{}", self.paint("1", &format!("fteval rank — {} first on {}", r.best, r.primary_metric)))?;
        writeln!(out, "{}", r.summary)?;
        writeln!(
            out,
            "{} · {} {} · paired CIs ({} resamples, seed {})\n",
            r.task, r.n, doc.unit, r.bootstrap.resamples, r.bootstrap.seed
        )?;
        let (header, rows) = rank_table(r);
        let cols = header.len();
        let mut t = table(header);
        for row in rows {
            t.add_row(row);
        }
        right_align(&mut t, 2..cols);
        writeln!(out, "{t}\n")?;
        if doc.pairwise.len() > 1 {
            writeln!(out, "{}", self.paint("1", "Every pair on the primary metric"))?;
            let (header, rows) = pairwise_table(doc);
            let mut t = table(header);
            for row in rows {
                t.add_row(row);
            }
            right_align(&mut t, 2..6);
            writeln!(out, "{t}\n")?;
        }
        let ar = rank_ar_lines(doc);
        if !ar.is_empty() {
            writeln!(
                out,
                "{}",
                self.paint("1", "Paired approximate randomisation against the best (sacreBLEU's paired-ar)")
            )?;
            for l in ar {
                writeln!(out, "  {l}")?;
            }
            writeln!(out)?;
        }
        let lines = disagreement_lines(r);
        if !lines.is_empty() {
            writeln!(out, "{}", self.paint("1", "Metrics that disagree with the ranking"))?;
            for l in lines {
                writeln!(out, "  {l}")?;
            }
            writeln!(out)?;
        }
        self.checks(&r.checks, out)
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

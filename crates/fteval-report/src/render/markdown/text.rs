//! The Markdown report of text-task (NER, generation) comparisons and rankings.

use std::io::{self, Write};

use super::super::text::{
    ar_line, broken_table, compare_summary, flips_title, pairwise_table, rank_ar_lines, signature_lines,
};
use super::super::{disagreement_lines, level_percent, metric_delta_rows, rank_table, verdict_word};
use super::{escape, write_checks, Unescaped};
use crate::document::{TextCompareDocument, TextRankDocument};

fn write_table(header: &[String], rows: &[Vec<String>], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| {} |", header.iter().map(|h| escape(h)).collect::<Vec<_>>().join(" | "))?;
    writeln!(out, "|{}", " --- |".repeat(header.len()))?;
    for r in rows {
        writeln!(out, "| {} |", r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | "))?;
    }
    Ok(())
}

impl Unescaped {
    pub(super) fn text_compare_impl(&self, doc: &TextCompareDocument, out: &mut dyn Write) -> io::Result<()> {
        let icon = match doc.verdict {
            "improved" => "✅",
            "regressed" => "❌",
            "no_significant_change" => "➖",
            _ => "❔",
        };
        writeln!(out, "## fteval compare: {icon} {}\n", verdict_word(doc.verdict))?;
        if !doc.verdict_detail.summary.is_empty() {
            writeln!(out, "**{}**\n", escape(&doc.verdict_detail.summary))?;
        }
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
        let level = format!("{} CI", level_percent(doc.bootstrap.level));
        writeln!(out, "| metric | baseline | candidate | Δ | {level} | p |")?;
        writeln!(out, "| --- | ---: | ---: | ---: | --- | ---: |")?;
        for r in metric_delta_rows(&doc.metrics, &doc.primary_metric) {
            writeln!(out, "| {} |", r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | "))?;
        }
        writeln!(out, "\n↓ lower is better.")?;
        if let Some(l) = ar_line(doc) {
            writeln!(out, "\n{}.", escape(&l))?;
        }
        let sigs = signature_lines(doc);
        if !sigs.is_empty() {
            writeln!(out)?;
            for l in sigs {
                writeln!(out, "- `{l}`")?;
            }
        }
        writeln!(out, "\n### {}\n", escape(&flips_title(doc)))?;
        if let Some((header, rows)) = broken_table(doc) {
            writeln!(out, "<details><summary>{} the candidate did worse on ({})</summary>\n", doc.unit, rows.len())?;
            write_table(&header, &rows, out)?;
            writeln!(out, "\n</details>")?;
        }
        write_checks(&doc.checks, out)
    }

    pub(super) fn text_rank_impl(&self, doc: &TextRankDocument, out: &mut dyn Write) -> io::Result<()> {
        let r = &doc.rank;
        writeln!(out, "## fteval rank: {} first on {}\n", escape(&r.best), r.primary_metric)?;
        writeln!(out, "**{}**\n", escape(&r.summary))?;
        writeln!(
            out,
            "{} · {} {} · models tested against the best, paired ({} resamples, seed {})\n",
            r.task, r.n, doc.unit, r.bootstrap.resamples, r.bootstrap.seed
        )?;
        let (header, rows) = rank_table(r);
        write_table(&header, &rows, out)?;
        if doc.pairwise.len() > 1 {
            writeln!(out, "\n### Every pair on the primary metric\n")?;
            let (header, rows) = pairwise_table(doc);
            write_table(&header, &rows, out)?;
        }
        let ar = rank_ar_lines(doc);
        if !ar.is_empty() {
            writeln!(out, "\n### Paired approximate randomisation against the best (sacreBLEU's paired-ar)\n")?;
            for l in ar {
                writeln!(out, "- {}", escape(&l))?;
            }
        }
        let lines = disagreement_lines(r);
        if !lines.is_empty() {
            writeln!(out, "\n### Metrics that disagree with the ranking\n")?;
            for l in lines {
                writeln!(out, "- {}", escape(&l))?;
            }
        }
        write_checks(&r.checks, out)
    }
}

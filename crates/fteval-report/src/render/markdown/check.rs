//! The Markdown report of `fteval check`, for pull requests and CI job summaries.

use std::io::{self, Write};

use fteval_core::Severity;

use super::super::{gap_rows, gap_summary, Renderer};
use super::{escape, Unescaped};
use crate::document::{CheckDocument, CheckVerdict};

impl Unescaped {
    pub(super) fn check_impl(&self, doc: &CheckDocument, out: &mut dyn Write) -> io::Result<()> {
        let icon = match doc.verdict {
            CheckVerdict::Ship => "✅",
            CheckVerdict::NeedsAttention => "⚠️",
            CheckVerdict::DoNotShip => "❌",
        };
        writeln!(out, "# fteval check: {icon} {}\n", doc.verdict.headline())?;
        writeln!(out, "{}\n", escape(&doc.summary))?;
        if !doc.reasons.is_empty() {
            writeln!(out, "### Reasons, most important first\n")?;
            for (i, r) in doc.reasons.iter().enumerate() {
                let tag = match r.severity {
                    Severity::Fail => "❌",
                    Severity::Warn => "⚠️",
                    Severity::Info => "ℹ️",
                };
                writeln!(out, "{}. {tag} **{}** ({}) — {}", i + 1, r.id, r.source, escape(&r.message))?;
            }
            writeln!(out)?;
        }
        if let Some(c) = &doc.compare {
            self.compare(c, out)?;
            writeln!(out)?;
        }
        if let Some(t) = &doc.text_compare {
            self.text_compare(t, out)?;
            writeln!(out)?;
        }
        if let Some(o) = &doc.overfitting {
            writeln!(out, "## Overfitting: train–test gap of the candidate\n")?;
            writeln!(out, "{}\n", escape(&gap_summary(o)))?;
            writeln!(out, "| metric | train | test | gap | CI | |\n| --- | ---: | ---: | ---: | --- | --- |")?;
            for r in gap_rows(o) {
                writeln!(out, "| {} |", r.map(|c| escape(&c)).join(" | "))?;
            }
            writeln!(out)?;
        }
        if let Some(c) = &doc.curves {
            self.curves(c, out)?;
            writeln!(out)?;
        }
        if let Some(l) = &doc.leakage {
            self.leakage(l, out)?;
        }
        Ok(())
    }
}

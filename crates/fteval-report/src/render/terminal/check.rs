//! The terminal report of `fteval check`: the verdict and its reasons first, then each part.

use std::io::{self, Write};

use fteval_core::Severity;

use super::super::{gap_rows, gap_summary, Renderer};
use super::{right_align, table, Unescaped};
use crate::document::{CheckDocument, CheckVerdict};

impl Unescaped {
    pub(super) fn check_impl(&self, doc: &CheckDocument, out: &mut dyn Write) -> io::Result<()> {
        let colour = match doc.verdict {
            CheckVerdict::Ship => "1;32",
            CheckVerdict::NeedsAttention => "1;33",
            CheckVerdict::DoNotShip => "1;31",
        };
        writeln!(out, "{} {}", self.paint("1", "fteval check —"), self.paint(colour, doc.verdict.headline()))?;
        writeln!(out, "{}\n", doc.summary)?;
        if !doc.reasons.is_empty() {
            writeln!(out, "{}", self.paint("1", "Reasons, most important first"))?;
            for (i, r) in doc.reasons.iter().enumerate() {
                let tag = match r.severity {
                    Severity::Fail => self.paint("1;31", "✗"),
                    Severity::Warn => self.paint("33", "!"),
                    Severity::Info => self.paint("36", "·"),
                };
                writeln!(out, "  {:>2}. {tag} {} ({}): {}", i + 1, self.paint("1", &r.id), r.source, r.message)?;
            }
            writeln!(out)?;
        }
        let rule = "─".repeat(72);
        if let Some(c) = &doc.compare {
            writeln!(out, "{rule}")?;
            self.compare(c, out)?;
        }
        if let Some(t) = &doc.text_compare {
            writeln!(out, "{rule}")?;
            self.text_compare(t, out)?;
        }
        if let Some(o) = &doc.overfitting {
            writeln!(out, "{rule}\n{}", self.paint("1", "Overfitting: train–test gap of the candidate"))?;
            writeln!(out, "{}\n", gap_summary(o))?;
            let mut t = table(["metric", "train", "test", "gap", "CI", ""].map(String::from).to_vec());
            for r in gap_rows(o) {
                t.add_row(r.to_vec());
            }
            right_align(&mut t, 1..5);
            writeln!(out, "{t}\n")?;
        }
        if let Some(c) = &doc.curves {
            writeln!(out, "{rule}")?;
            self.curves(c, out)?;
        }
        if let Some(l) = &doc.leakage {
            writeln!(out, "{rule}")?;
            self.leakage(l, out)?;
        }
        Ok(())
    }
}

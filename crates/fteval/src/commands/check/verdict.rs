//! One verdict from every part of a check: the reasons, most important first, and ship / needs
//! attention / do not ship.

use fteval_core::{Check, Severity};
use fteval_report::document::{
    CheckVerdict, CompareDocument, CurvesDocument, GateDoc, LeakageDocument, OverfittingDoc, ReasonDoc,
    TextCompareDocument,
};

/// What a check reads of a comparison, classification or text task alike.
pub struct CompareView<'a> {
    pub baseline_source: &'a str,
    pub verdict: &'a str,
    pub summary: &'a str,
    pub primary: &'a str,
    pub gates: &'a [GateDoc],
    pub checks: &'a [Check],
}

impl<'a> From<&'a CompareDocument> for CompareView<'a> {
    fn from(c: &'a CompareDocument) -> Self {
        CompareView {
            baseline_source: &c.baseline_source,
            verdict: c.verdict,
            summary: &c.verdict_detail.summary,
            primary: &c.primary_metric,
            gates: &c.gates,
            checks: &c.checks,
        }
    }
}

impl<'a> From<&'a TextCompareDocument> for CompareView<'a> {
    fn from(c: &'a TextCompareDocument) -> Self {
        CompareView {
            baseline_source: &c.baseline_source,
            verdict: c.verdict,
            summary: &c.verdict_detail.summary,
            primary: &c.primary_metric,
            gates: &c.gates,
            checks: &c.checks,
        }
    }
}

/// What the verdict is drawn from.
pub struct Parts<'a> {
    pub primary: &'a str,
    pub compare: Option<CompareView<'a>>,
    pub overfitting: Option<&'a OverfittingDoc>,
    pub curves: Option<&'a CurvesDocument>,
    pub leakage: Option<&'a LeakageDocument>,
    /// Checks only the whole picture allows (wrong_metric).
    pub checks: &'a [Check],
}

fn reason(severity: Severity, source: &'static str, id: &str, message: impl Into<String>) -> ReasonDoc {
    ReasonDoc { severity, source, id: id.to_string(), message: message.into() }
}

/// Order of importance within one severity: the comparison itself, gates, leakage, overfitting,
/// metric choice, training curves, then the checks of the inputs.
fn rank(source: &str) -> usize {
    ["compare", "gates", "leakage", "overfitting", "config", "curves", "inputs"]
        .iter()
        .position(|s| *s == source)
        .unwrap_or(7)
}

fn compare_reasons(c: &CompareView, out: &mut Vec<ReasonDoc>) {
    let summary = c.summary.to_string();
    match c.verdict {
        "regressed" => out.push(reason(Severity::Fail, "compare", "regression", summary)),
        "improved" => out.push(reason(Severity::Info, "compare", "improved", summary)),
        "no_significant_change" => out.push(reason(
            Severity::Warn,
            "compare",
            "no_improvement",
            format!("{summary} Shipping it changes nothing measurable on {}.", c.primary),
        )),
        _ => out.push(reason(Severity::Warn, "compare", "inconclusive", summary)),
    }
    let failed: Vec<_> = c.gates.iter().filter(|g| !g.passed).collect();
    for g in &failed {
        out.push(reason(Severity::Fail, "gates", "gate", format!("{} failed: {}.", g.gate, g.message)));
    }
    if failed.is_empty() && !c.gates.is_empty() {
        let names: Vec<&str> = c.gates.iter().map(|g| g.gate.as_str()).collect();
        out.push(reason(Severity::Info, "gates", "gates_passed", format!("Every gate passed: {}.", names.join(", "))));
    }
    for ch in c.checks {
        // The baseline's problems describe where the candidate started, not a reason against it.
        let about_baseline = ch.message.starts_with("baseline:")
            || ch.message.strip_prefix(c.baseline_source).is_some_and(|rest| rest.starts_with(':'));
        let severity = match ch.severity {
            Severity::Warn if about_baseline => Severity::Info,
            s => s,
        };
        if ch.severity != Severity::Info {
            out.push(reason(severity, "inputs", &ch.id, ch.message.clone()));
        }
    }
}

/// Flagged gaps named in the reason; the table lists them all.
const GAPS_NAMED: usize = 3;

fn overfitting_reason(o: &OverfittingDoc, primary: &str) -> Option<ReasonDoc> {
    let mut flagged: Vec<_> = o.metrics.0.iter().filter(|(_, g)| g.flagged).collect();
    // The primary metric first.
    flagged.sort_by_key(|(k, _)| k != primary);
    let more = flagged.len().saturating_sub(GAPS_NAMED);
    let named: Vec<String> = flagged
        .iter()
        .take(GAPS_NAMED)
        .map(|(k, g)| {
            let ci = match (g.ci_low, g.ci_high) {
                (Some(l), Some(h)) => format!(" [{l:+.4}, {h:+.4}]"),
                _ => String::new(),
            };
            format!("{k} {:.4} on train vs {:.4} on test (gap {:+.4}{ci})", g.train, g.test, g.gap)
        })
        .collect();
    let others = if more > 0 { format!(" (and {more} more metrics)") } else { String::new() };
    (!named.is_empty()).then(|| {
        reason(
            Severity::Warn,
            "overfitting",
            "overfitting",
            format!(
                "The candidate does much better on its training set than on the test set: {}{others}, above the tolerated gap of {}. It memorised part of its training data; expect the test numbers, not the training ones, in production.",
                named.join("; "),
                o.max_gap
            ),
        )
    })
}

fn curves_reasons(c: &CurvesDocument, out: &mut Vec<ReasonDoc>) {
    for f in &c.findings {
        if f.severity != Severity::Info {
            out.push(reason(f.severity, "curves", f.id, f.message.clone()));
        }
    }
    for ch in c.checks.iter().filter(|ch| ch.severity != Severity::Info) {
        out.push(reason(ch.severity, "curves", &ch.id, ch.message.clone()));
    }
}

fn leakage_reasons(l: &LeakageDocument, out: &mut Vec<ReasonDoc>) {
    for ch in l.checks.iter().filter(|ch| ch.severity != Severity::Info) {
        out.push(reason(ch.severity, "leakage", &ch.id, ch.message.clone()));
    }
}

/// Every reason, most important first.
pub fn reasons(parts: &Parts) -> Vec<ReasonDoc> {
    let mut out = Vec::new();
    if let Some(c) = &parts.compare {
        compare_reasons(c, &mut out);
    }
    out.extend(parts.overfitting.and_then(|o| overfitting_reason(o, parts.primary)));
    for ch in parts.checks.iter().filter(|c| c.severity != Severity::Info) {
        out.push(reason(ch.severity, "config", &ch.id, ch.message.clone()));
    }
    if let Some(c) = parts.curves {
        curves_reasons(c, &mut out);
    }
    if let Some(l) = parts.leakage {
        leakage_reasons(l, &mut out);
    }
    out.sort_by_key(|r| (std::cmp::Reverse(r.severity), rank(r.source)));
    out
}

/// Do not ship on any failure, needs attention on any warning, else ship.
pub fn decide(reasons: &[ReasonDoc]) -> CheckVerdict {
    if reasons.iter().any(|r| r.severity == Severity::Fail) {
        CheckVerdict::DoNotShip
    } else if reasons.iter().any(|r| r.severity == Severity::Warn) {
        CheckVerdict::NeedsAttention
    } else {
        CheckVerdict::Ship
    }
}

/// One sentence: the verdict, what it rests on, and what to look at.
pub fn summary(verdict: CheckVerdict, reasons: &[ReasonDoc], compare: Option<&CompareView>) -> String {
    let ids = |s: Severity| -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for r in reasons.iter().filter(|r| r.severity == s) {
            if !v.contains(&r.id.as_str()) {
                v.push(r.id.as_str());
            }
        }
        v
    };
    let headline = compare.map(|c| c.summary.to_string()).unwrap_or_default();
    match verdict {
        CheckVerdict::DoNotShip => format!("Do not ship: {}. {headline}", ids(Severity::Fail).join(", ")),
        CheckVerdict::NeedsAttention => {
            format!("Needs attention before shipping: {}. {headline}", ids(Severity::Warn).join(", "))
        }
        CheckVerdict::Ship => format!("Ship it. {headline}"),
    }
    .trim()
    .to_string()
}

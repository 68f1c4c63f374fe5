//! `fteval.compare/v1`: a candidate against its baseline on the same examples.

use fteval_core::compare::{confidence, Comparison, Delta, Flips, Verdict};
use fteval_core::costs::ThresholdChoice;
use fteval_core::gates::GateResult;
use fteval_core::{Check, ClassificationInput};
use serde::Serialize;

use super::{finite, BootstrapDoc, ComparePlotsDoc, Ordered};

pub const COMPARE_SCHEMA: &str = "fteval.compare/v1";

/// One metric of both models and the paired delta.
#[derive(Clone, Debug, Serialize)]
pub struct DeltaDoc {
    pub baseline: Option<f64>,
    pub candidate: Option<f64>,
    pub delta: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
    pub higher_is_better: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_method: Option<&'static str>,
    /// The test behind `p_value`: `paired_randomisation_exact` (every swap pattern enumerated),
    /// `paired_randomisation` (Monte Carlo), `delong` (ROC AUC), `paired_normal_mean` (means
    /// above the randomisation's row limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_method: Option<&'static str>,
    /// Why the interval is missing, or why it was extended to 0 (the exact test disagreed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl From<&Delta> for DeltaDoc {
    fn from(d: &Delta) -> DeltaDoc {
        DeltaDoc {
            baseline: finite(d.baseline),
            candidate: finite(d.candidate),
            delta: finite(d.delta),
            ci_low: d.ci_low.and_then(finite),
            ci_high: d.ci_high.and_then(finite),
            p_value: d.p_value.and_then(finite),
            higher_is_better: d.higher_is_better,
            ci_method: d.ci_method,
            p_method: d.p_method,
            reason: d.reason.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct McNemarDoc {
    pub baseline_only_correct: u64,
    pub candidate_only_correct: u64,
    pub statistic: u64,
    pub p_value: f64,
    pub method: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct DelongDoc {
    pub auc_baseline: f64,
    pub auc_candidate: f64,
    pub z: Option<f64>,
    pub p_value: f64,
}

/// One flipped example, as a reviewer reads it.
#[derive(Clone, Debug, Serialize)]
pub struct FlipExample {
    /// "broken" (baseline right, candidate wrong) or "fixed".
    pub kind: &'static str,
    pub id: Option<String>,
    /// 1-based position among the compared rows (in the baseline file's order).
    pub row: usize,
    pub gold: String,
    pub baseline: String,
    pub candidate: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClassFlipsDoc {
    pub fixed: u64,
    pub broken: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct FlipsDoc {
    pub fixed: u64,
    pub broken: u64,
    pub both_correct: u64,
    pub both_wrong: u64,
    /// By gold class.
    pub per_class: Ordered<ClassFlipsDoc>,
    /// Broken examples first (most confidently wrong first), then fixed ones.
    pub examples: Vec<FlipExample>,
}

/// Longest text shown for an example, in characters.
const MAX_TEXT: usize = 300;

impl FlipsDoc {
    pub fn new(
        f: &Flips,
        baseline: &ClassificationInput,
        candidate: &ClassificationInput,
        ids: Option<&[String]>,
        text: Option<&[String]>,
    ) -> FlipsDoc {
        let labels = &baseline.labels;
        let example = |kind: &'static str, row: usize| FlipExample {
            kind,
            id: ids.map(|ids| ids[row].clone()),
            row: row + 1,
            gold: labels[baseline.gold[row] as usize].clone(),
            baseline: labels[baseline.pred[row] as usize].clone(),
            candidate: labels[candidate.pred[row] as usize].clone(),
            candidate_confidence: confidence(candidate, row),
            text: text.map(|t| shorten(&t[row])),
        };
        let mut examples: Vec<FlipExample> = f.broken_rows.iter().map(|&r| example("broken", r)).collect();
        examples.extend(f.fixed_rows.iter().map(|&r| example("fixed", r)));
        FlipsDoc {
            fixed: f.fixed,
            broken: f.broken,
            both_correct: f.both_correct,
            both_wrong: f.both_wrong,
            per_class: Ordered(
                f.per_class
                    .iter()
                    .map(|c| (c.label.clone(), ClassFlipsDoc { fixed: c.fixed, broken: c.broken }))
                    .collect(),
            ),
            examples,
        }
    }
}

pub(super) fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_TEXT {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX_TEXT).collect::<String>())
    }
}

/// The verdict on the primary metric, with the numbers behind it.
#[derive(Clone, Debug, Serialize)]
pub struct VerdictDoc {
    pub metric: String,
    pub margin: f64,
    /// The smallest change this test set detects with 80% power.
    pub minimum_detectable_effect: Option<f64>,
    pub summary: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProfileDoc {
    pub name: &'static str,
    pub primary_metric: &'static str,
    pub rationale: &'static str,
}

/// Expected cost per example under an explicit cost matrix.
#[derive(Clone, Debug, Serialize)]
pub struct CostsDoc {
    pub fp: f64,
    #[serde(rename = "fn")]
    pub fn_: f64,
    pub baseline: f64,
    pub candidate: f64,
    pub delta: f64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ThresholdDoc {
    pub threshold: Option<f64>,
    pub precision: f64,
    pub recall: f64,
    pub expected_cost: f64,
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl From<&ThresholdChoice> for ThresholdDoc {
    fn from(t: &ThresholdChoice) -> ThresholdDoc {
        ThresholdDoc {
            threshold: finite(t.threshold),
            precision: t.precision,
            recall: t.recall,
            expected_cost: t.expected_cost,
            tp: t.tp,
            fp: t.fp,
            tn: t.tn,
            fn_: t.fn_,
        }
    }
}

/// Decision thresholds chosen on this test set for each model.
#[derive(Clone, Debug, Serialize)]
pub struct ThresholdsDoc {
    /// What was optimised, e.g. "least expected cost" or "highest precision with recall ≥ 0.9".
    pub rule: String,
    pub baseline: Option<ThresholdDoc>,
    pub candidate: Option<ThresholdDoc>,
    /// Always true: chosen on the test set itself, so the numbers are optimistic.
    pub optimistic: bool,
    pub note: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct GateDoc {
    pub gate: String,
    pub metric: String,
    pub passed: bool,
    pub message: String,
}

impl From<&GateResult> for GateDoc {
    fn from(g: &GateResult) -> GateDoc {
        GateDoc { gate: g.gate.clone(), metric: g.metric.clone(), passed: g.passed, message: g.message.clone() }
    }
}

/// `fteval.compare/v1`.
#[derive(Clone, Debug, Serialize)]
pub struct CompareDocument {
    pub schema: &'static str,
    pub fteval_version: &'static str,
    pub baseline_source: String,
    pub candidate_source: String,
    pub task: &'static str,
    pub n: u64,
    pub n_matched: u64,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileDoc>,
    pub primary_metric: String,
    pub verdict: &'static str,
    pub verdict_detail: VerdictDoc,
    pub metrics: Ordered<DeltaDoc>,
    pub mcnemar: McNemarDoc,
    pub delong: Option<DelongDoc>,
    pub flips: FlipsDoc,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs: Option<CostsDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<ThresholdsDoc>,
    pub gates: Vec<GateDoc>,
    pub bootstrap: BootstrapDoc,
    /// Both models' confusion matrices and score curves, for plots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plots: Option<ComparePlotsDoc>,
    pub checks: Vec<Check>,
}

/// What the command decided around the comparison: sources, primary metric and verdict,
/// profile, costs, thresholds, gates and the checks raised while reading.
pub struct CompareContext<'a> {
    pub baseline_source: String,
    pub candidate_source: String,
    pub baseline: &'a ClassificationInput,
    pub candidate: &'a ClassificationInput,
    pub ids: Option<&'a [String]>,
    pub text: Option<&'a [String]>,
    pub primary: String,
    pub verdict: Verdict,
    pub verdict_detail: VerdictDoc,
    pub profile: Option<ProfileDoc>,
    pub costs: Option<CostsDoc>,
    pub thresholds: Option<ThresholdsDoc>,
    pub gates: Vec<GateResult>,
    pub checks: Vec<Check>,
}

impl CompareDocument {
    pub fn new(cmp: &Comparison, ctx: CompareContext) -> CompareDocument {
        let mut checks = ctx.checks;
        for (who, eval) in [("baseline", &cmp.baseline), ("candidate", &cmp.candidate)] {
            checks.extend(eval.checks.iter().map(|c| c.about(who)));
        }
        CompareDocument {
            schema: COMPARE_SCHEMA,
            fteval_version: super::VERSION,
            baseline_source: ctx.baseline_source,
            candidate_source: ctx.candidate_source,
            task: cmp.baseline.task.as_str(),
            n: cmp.n,
            n_matched: cmp.n,
            labels: cmp.baseline.labels.clone(),
            positive_label: cmp.baseline.positive_label.clone(),
            profile: ctx.profile,
            primary_metric: ctx.primary,
            verdict: ctx.verdict.as_str(),
            verdict_detail: ctx.verdict_detail,
            metrics: Ordered(cmp.deltas.iter().map(|d| (d.key.clone(), DeltaDoc::from(d))).collect()),
            mcnemar: McNemarDoc {
                baseline_only_correct: cmp.mcnemar.baseline_only_correct,
                candidate_only_correct: cmp.mcnemar.candidate_only_correct,
                statistic: cmp.mcnemar.statistic,
                p_value: cmp.mcnemar.p_value,
                method: "exact",
            },
            delong: cmp.delong.map(|t| DelongDoc {
                auc_baseline: t.auc_a,
                auc_candidate: t.auc_b,
                z: finite(t.z),
                p_value: t.p_value,
            }),
            flips: FlipsDoc::new(&cmp.flips, ctx.baseline, ctx.candidate, ctx.ids, ctx.text),
            costs: ctx.costs,
            thresholds: ctx.thresholds,
            gates: ctx.gates.iter().map(GateDoc::from).collect(),
            bootstrap: cmp.baseline.config.into(),
            plots: None,
            checks: super::by_severity(checks),
        }
    }

    /// True when the report should fail a CI job: a significant regression on the primary
    /// metric, a failed gate, or a check of severity fail.
    pub fn failed(&self) -> bool {
        self.verdict == Verdict::Regressed.as_str()
            || self.gates.iter().any(|g| !g.passed)
            || self.checks.iter().any(|c| c.severity == fteval_core::Severity::Fail)
    }
}

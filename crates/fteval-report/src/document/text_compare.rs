//! `fteval.compare/v1` and `fteval.rank/v1` for text tasks (NER and generation): the same keys
//! as the classification documents where they mean the same thing (`metrics` with paired
//! deltas, `verdict`, `flips`, `gates`, `bootstrap`, `checks`), without McNemar's and DeLong's
//! tests, with sacreBLEU's paired approximate randomisation (`paired_ar`) for BLEU and chrF.

use fteval_core::compare::text::{ArTest, TextComparison, TextFlip, TextRanking};
use fteval_core::compare::Verdict;
use fteval_core::evaluate::MetricResult;
use fteval_core::gates::GateResult;
use fteval_core::{Check, Task};
use serde::Serialize;

use super::compare::shorten;
use super::{
    finite, BootstrapDoc, DeltaDoc, DisagreementDoc, GateDoc, Ordered, ProfileDoc, RankDocument, RankModelDoc,
    VerdictDoc, VsBestDoc, COMPARE_SCHEMA, RANK_SCHEMA,
};

/// The paired approximate randomisation test of one metric.
#[derive(Clone, Debug, Serialize)]
pub struct ArDoc {
    pub baseline: Option<f64>,
    pub candidate: Option<f64>,
    pub p_value: f64,
    pub trials: usize,
    /// sacreBLEU's `--paired-ar`: swaps on random halves of the examples, p = (c + 1) / (trials + 1).
    pub method: &'static str,
    /// sacreBLEU's signature of the metric, when the caller gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

fn ar_doc(t: &ArTest, signatures: &[(String, String)]) -> ArDoc {
    ArDoc {
        baseline: finite(t.baseline),
        candidate: finite(t.candidate),
        p_value: t.p_value,
        trials: t.trials,
        method: "paired_ar",
        signature: signatures.iter().find(|(k, _)| *k == t.key).map(|(_, s)| s.clone()),
    }
}

/// Entity-level outcome of a sentence under one model.
#[derive(Clone, Debug, Serialize)]
pub struct EntityErrorsDoc {
    pub tp: u32,
    pub fp: u32,
    #[serde(rename = "fn")]
    pub fn_: u32,
}

impl From<(u32, u32, u32)> for EntityErrorsDoc {
    fn from((tp, fp, fn_): (u32, u32, u32)) -> EntityErrorsDoc {
        EntityErrorsDoc { tp, fp, fn_ }
    }
}

/// One sentence or example whose score changed, as a reviewer reads it.
#[derive(Clone, Debug, Serialize)]
pub struct TextFlipExample {
    /// "broken" (the score fell) or "fixed" (it rose).
    pub kind: &'static str,
    pub id: Option<String>,
    /// 1-based position among the compared sentences or examples.
    pub row: usize,
    /// Per-example score of `flips.metric` under each model.
    pub baseline_score: Option<f64>,
    pub candidate_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_errors: Option<EntityErrorsDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_errors: Option<EntityErrorsDoc>,
    /// NER: the sentence (shortened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Generation: each model's output and the references (shortened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_prediction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_prediction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TextFlipsDoc {
    /// What the per-example scores are (`sentence_f1` for NER, else a metric key).
    pub metric: String,
    pub higher_is_better: bool,
    pub fixed: u64,
    pub broken: u64,
    pub unchanged: u64,
    /// Broken examples first (largest fall first), then fixed ones (largest rise first).
    pub examples: Vec<TextFlipExample>,
}

/// The texts shown next to flipped examples, indexed by 0-based row.
#[derive(Clone, Copy, Default)]
pub enum FlipTexts<'a> {
    #[default]
    None,
    /// NER: a preview of sentence s (e.g. `NerInput::sentence_preview`).
    Ner(&'a (dyn Fn(usize) -> String + Sync)),
    /// Generation: both models' outputs and the references.
    Generation { baseline: &'a [String], candidate: &'a [String], references: &'a [Vec<String>] },
}

impl TextFlipsDoc {
    pub fn new(cmp: &TextComparison, ids: Option<&[String]>, texts: FlipTexts) -> TextFlipsDoc {
        let f = &cmp.flips;
        let example = |kind: &'static str, x: &TextFlip| {
            let mut e = TextFlipExample {
                kind,
                id: ids.and_then(|ids| ids.get(x.row).cloned()),
                row: x.row + 1,
                baseline_score: finite(x.baseline),
                candidate_score: finite(x.candidate),
                baseline_errors: x.baseline_errors.map(EntityErrorsDoc::from),
                candidate_errors: x.candidate_errors.map(EntityErrorsDoc::from),
                text: None,
                baseline_prediction: None,
                candidate_prediction: None,
                references: None,
            };
            match texts {
                FlipTexts::None => {}
                FlipTexts::Ner(preview) => e.text = Some(shorten(&preview(x.row))),
                FlipTexts::Generation { baseline, candidate, references } => {
                    e.baseline_prediction = baseline.get(x.row).map(|s| shorten(s));
                    e.candidate_prediction = candidate.get(x.row).map(|s| shorten(s));
                    e.references = references.get(x.row).map(|r| r.iter().map(|s| shorten(s)).collect());
                }
            }
            e
        };
        let mut examples: Vec<TextFlipExample> = f.broken_rows.iter().map(|x| example("broken", x)).collect();
        examples.extend(f.fixed_rows.iter().map(|x| example("fixed", x)));
        TextFlipsDoc {
            metric: f.metric.clone(),
            higher_is_better: f.higher_is_better,
            fixed: f.fixed,
            broken: f.broken,
            unchanged: f.unchanged,
            examples,
        }
    }
}

/// Each model's own metrics with their intervals.
#[derive(Clone, Debug, Serialize)]
pub struct ModelsDoc {
    pub baseline: Ordered<MetricResult>,
    pub candidate: Ordered<MetricResult>,
}

/// `fteval.compare/v1` for NER and generation.
#[derive(Clone, Debug, Serialize)]
pub struct TextCompareDocument {
    pub schema: &'static str,
    pub fteval_version: &'static str,
    pub baseline_source: String,
    pub candidate_source: String,
    /// `ner` or `generation`.
    pub task: &'static str,
    pub n: u64,
    pub n_matched: u64,
    /// What `n` counts: `sentences` (NER) or `examples` (generation).
    pub unit: &'static str,
    /// NER: the entity types (of either model or gold).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileDoc>,
    pub primary_metric: String,
    pub verdict: &'static str,
    pub verdict_detail: VerdictDoc,
    pub metrics: Ordered<DeltaDoc>,
    pub models: ModelsDoc,
    /// sacreBLEU's paired approximate randomisation, by metric (BLEU, chrF, chrF++).
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub paired_ar: Ordered<ArDoc>,
    /// sacreBLEU's signatures by metric key, when the caller gives them.
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    pub signatures: Ordered<String>,
    pub flips: TextFlipsDoc,
    pub gates: Vec<GateDoc>,
    pub bootstrap: BootstrapDoc,
    pub checks: Vec<Check>,
}

/// What the command decided around a text comparison.
#[derive(Default)]
pub struct TextCompareContext<'a> {
    pub baseline_source: String,
    pub candidate_source: String,
    /// NER: entity type names to list (e.g. the union of both models' `NerStats::types`).
    pub labels: Vec<String>,
    pub primary: String,
    pub verdict: Option<Verdict>,
    pub verdict_detail: Option<VerdictDoc>,
    pub profile: Option<ProfileDoc>,
    pub gates: Vec<GateResult>,
    pub checks: Vec<Check>,
    /// Sentence or example ids by row, when the inputs have them.
    pub ids: Option<&'a [String]>,
    pub texts: FlipTexts<'a>,
    /// sacreBLEU signatures by metric key (`bleu`, `chrf`, `chrf_pp`).
    pub signatures: Vec<(String, String)>,
}

fn unit(task: Task) -> &'static str {
    match task {
        Task::Ner => "sentences",
        _ => "examples",
    }
}

impl TextCompareDocument {
    /// The document of `cmp`. Without a verdict in `ctx`, it is `inconclusive` on the primary
    /// metric; callers judge with [`fteval_core::compare::verdict`] on `cmp.delta(primary)`.
    pub fn new(cmp: &TextComparison, ctx: TextCompareContext) -> TextCompareDocument {
        let mut checks = ctx.checks;
        checks.extend(cmp.checks.iter().cloned());
        let verdict = ctx.verdict.unwrap_or(Verdict::Inconclusive);
        let verdict_detail = ctx.verdict_detail.unwrap_or_else(|| VerdictDoc {
            metric: ctx.primary.clone(),
            margin: 0.0,
            minimum_detectable_effect: None,
            summary: String::new(),
        });
        TextCompareDocument {
            schema: COMPARE_SCHEMA,
            fteval_version: super::VERSION,
            baseline_source: ctx.baseline_source,
            candidate_source: ctx.candidate_source,
            task: cmp.task.as_str(),
            n: cmp.n,
            n_matched: cmp.n,
            unit: unit(cmp.task),
            labels: ctx.labels,
            profile: ctx.profile,
            primary_metric: ctx.primary,
            verdict: verdict.as_str(),
            verdict_detail,
            metrics: Ordered(cmp.deltas.iter().map(|d| (d.key.clone(), DeltaDoc::from(d))).collect()),
            models: ModelsDoc { baseline: Ordered(cmp.baseline.clone()), candidate: Ordered(cmp.candidate.clone()) },
            paired_ar: Ordered(cmp.paired_ar.iter().map(|t| (t.key.clone(), ar_doc(t, &ctx.signatures))).collect()),
            signatures: Ordered(ctx.signatures.clone()),
            flips: TextFlipsDoc::new(cmp, ctx.ids, ctx.texts),
            gates: ctx.gates.iter().map(GateDoc::from).collect(),
            bootstrap: cmp.config.into(),
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

/// A pairwise test on the primary metric.
#[derive(Clone, Debug, Serialize)]
pub struct PairwiseDoc {
    pub better: String,
    pub worse: String,
    /// worse − better.
    pub delta: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
    /// Holm-adjusted over all pairs.
    pub p_value_holm: Option<f64>,
}

/// The paired approximate randomisation of one model against the best.
#[derive(Clone, Debug, Serialize)]
pub struct RankArDoc {
    pub model: String,
    pub best: String,
    pub metric: String,
    #[serde(flatten)]
    pub test: ArDoc,
}

/// `fteval.rank/v1` for NER and generation: the classification leaderboard's keys, plus every
/// pair of models on the primary metric and sacreBLEU's paired approximate randomisation
/// against the best.
#[derive(Clone, Debug, Serialize)]
pub struct TextRankDocument {
    #[serde(flatten)]
    pub rank: RankDocument,
    pub unit: &'static str,
    pub pairwise: Vec<PairwiseDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paired_ar: Vec<RankArDoc>,
}

impl TextRankDocument {
    /// The document for `ranking` of models read from `sources` (input order); `labels` are the
    /// NER entity types (empty for generation).
    pub fn new(
        ranking: &TextRanking,
        sources: &[String],
        labels: Vec<String>,
        profile: Option<ProfileDoc>,
        signatures: &[(String, String)],
        checks: Vec<Check>,
    ) -> TextRankDocument {
        let best = &ranking.entries[0];
        let primary = &ranking.primary;
        let metric = |m: &[(String, MetricResult)], key: &str| {
            m.iter().find(|(k, _)| k == key).map(|(_, r)| r.clone()).unwrap_or_default()
        };
        let models: Vec<RankModelDoc> = ranking
            .entries
            .iter()
            .enumerate()
            .map(|(pos, e)| RankModelDoc {
                rank: pos + 1,
                source: sources[e.index].clone(),
                primary: metric(&e.metrics, primary),
                tied_with_best: e.tied_with_best,
                vs_best: e.vs_best.as_ref().map(|deltas| VsBestDoc {
                    primary: deltas.iter().find(|d| &d.key == primary).map(DeltaDoc::from).expect("primary compared"),
                    p_value_holm: e.p_holm,
                    metrics: Ordered(deltas.iter().map(|d| (d.key.clone(), DeltaDoc::from(d))).collect()),
                }),
                metrics: Ordered(e.metrics.clone()),
            })
            .collect();
        let disagreements = ranking
            .disagreements
            .iter()
            .map(|d| DisagreementDoc {
                metric: d.delta.key.clone(),
                model: sources[d.index].clone(),
                best: sources[best.index].clone(),
                model_value: finite(d.delta.candidate),
                best_value: finite(d.delta.baseline),
                delta: finite(d.delta.delta),
                ci_low: d.delta.ci_low,
                ci_high: d.delta.ci_high,
                p_value: d.delta.p_value,
            })
            .collect();
        let pairwise = ranking
            .pairwise
            .iter()
            .map(|p| PairwiseDoc {
                better: sources[p.better].clone(),
                worse: sources[p.worse].clone(),
                delta: finite(p.delta.delta),
                ci_low: p.delta.ci_low,
                ci_high: p.delta.ci_high,
                p_value: p.delta.p_value,
                p_value_holm: p.p_holm,
            })
            .collect();
        let paired_ar = ranking
            .entries
            .iter()
            .flat_map(|e| {
                e.paired_ar.iter().map(|t| RankArDoc {
                    model: sources[e.index].clone(),
                    best: sources[best.index].clone(),
                    metric: t.key.clone(),
                    test: ar_doc(t, signatures),
                })
            })
            .collect();
        let summary = summary(ranking, &models, primary);
        let mut all_checks = checks;
        all_checks.extend(ranking.checks.iter().cloned());
        TextRankDocument {
            rank: RankDocument {
                schema: RANK_SCHEMA,
                fteval_version: super::VERSION,
                task: ranking.task.as_str(),
                n: ranking.n,
                labels,
                positive_label: None,
                profile,
                primary_metric: primary.clone(),
                higher_is_better: ranking.higher_is_better,
                best: sources[best.index].clone(),
                models,
                disagreements,
                summary,
                multiplicity: ranking.multiplicity.into(),
                bootstrap: ranking.config.into(),
                checks: super::by_severity(all_checks),
            },
            unit: unit(ranking.task),
            pairwise,
            paired_ar,
        }
    }
}

/// "A ranks first on bleu (31.2000); statistically tied with it: B; significantly worse: C."
fn summary(ranking: &TextRanking, models: &[RankModelDoc], primary: &str) -> String {
    let best = &models[0];
    let value = best.primary.value.map(|v| format!(" ({v:.4})")).unwrap_or_default();
    let mut s = format!("{} ranks first on {primary}{value}", best.source);
    let with = |t: Option<bool>| -> Vec<&str> {
        models[1..].iter().filter(|m| m.tied_with_best == t).map(|m| m.source.as_str()).collect()
    };
    let (tied, worse, untested) = (with(Some(true)), with(Some(false)), with(None));
    let alpha = 1.0 - ranking.config.level;
    if !tied.is_empty() {
        s.push_str(&format!("; statistically tied with it: {} (Holm-adjusted p ≥ {alpha:.2})", tied.join(", ")));
    }
    if !worse.is_empty() {
        s.push_str(&format!("; significantly worse: {} (Holm-adjusted p < {alpha:.2})", worse.join(", ")));
    }
    if !untested.is_empty() {
        s.push_str(&format!(
            "; not tested against it: {} (no p-value for {primary}; --bootstrap 0?)",
            untested.join(", ")
        ));
    }
    s.push('.');
    if models.len() > 1 {
        let control = super::rank::multiplicity_statement(&ranking.multiplicity.into());
        s.push_str(&format!(" {control}."));
    }
    for m in &models[1..] {
        let index = ranking.entries[m.rank - 1].index;
        let keys: Vec<&str> =
            ranking.disagreements.iter().filter(|d| d.index == index).map(|d| d.delta.key.as_str()).collect();
        if !keys.is_empty() {
            s.push_str(&format!(" The metrics disagree: {} is significantly better on {}.", m.source, keys.join(", ")));
        }
    }
    s
}

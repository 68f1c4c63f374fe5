//! `fteval.rank/v1`: several models on one test set, best first.

use fteval_core::evaluate::MetricResult;
use fteval_core::rank::{Multiplicity, Ranking};
use fteval_core::Check;
use serde::Serialize;

use super::{finite, BootstrapDoc, DeltaDoc, Ordered, ProfileDoc};

pub const RANK_SCHEMA: &str = "fteval.rank/v1";

/// A model's comparison with the best.
#[derive(Clone, Debug, Serialize)]
pub struct VsBestDoc {
    /// The primary metric: model − best, interval and raw p-value.
    pub primary: DeltaDoc,
    /// The primary metric's p-value, Holm-adjusted over all pairs of models (`multiplicity`).
    pub p_value_holm: Option<f64>,
    /// Every metric: model − best.
    pub metrics: Ordered<DeltaDoc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RankModelDoc {
    /// 1 for the best.
    pub rank: usize,
    pub source: String,
    pub primary: MetricResult,
    /// Not significantly different from the best on the primary metric (Holm-adjusted); null
    /// when no test could be run.
    pub tied_with_best: Option<bool>,
    pub vs_best: Option<VsBestDoc>,
    pub metrics: Ordered<MetricResult>,
}

/// A metric on which a lower-ranked model is significantly better than the best.
#[derive(Clone, Debug, Serialize)]
pub struct DisagreementDoc {
    pub metric: String,
    pub model: String,
    pub best: String,
    pub model_value: Option<f64>,
    pub best_value: Option<f64>,
    pub delta: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
}

/// What the "tied with the best" statements control: `holm_all_pairs` (Holm's step-down over
/// all `pairs` pairs of models on the primary metric) keeps the family-wise error of the
/// "not tied with the best" statements at `alpha`.
#[derive(Clone, Debug, Serialize)]
pub struct MultiplicityDoc {
    pub method: &'static str,
    pub pairs: usize,
    pub alpha: f64,
}

impl From<Multiplicity> for MultiplicityDoc {
    fn from(m: Multiplicity) -> MultiplicityDoc {
        MultiplicityDoc { method: m.method, pairs: m.pairs, alpha: m.alpha }
    }
}

/// "Family-wise error of 'not tied with the best' controlled at 5% (Holm over all 10 pairs)".
pub(crate) fn multiplicity_statement(m: &MultiplicityDoc) -> String {
    let pct = crate::render::level_percent(m.alpha);
    let pairs = if m.pairs == 1 { "the 1 pair".to_string() } else { format!("all {} pairs", m.pairs) };
    format!("Family-wise error of 'not tied with the best' controlled at {pct} (Holm over {pairs})")
}

/// `fteval.rank/v1`.
#[derive(Clone, Debug, Serialize)]
pub struct RankDocument {
    pub schema: &'static str,
    pub fteval_version: &'static str,
    pub task: &'static str,
    pub n: u64,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileDoc>,
    pub primary_metric: String,
    pub higher_is_better: bool,
    pub best: String,
    /// Best first.
    pub models: Vec<RankModelDoc>,
    pub disagreements: Vec<DisagreementDoc>,
    pub summary: String,
    /// How the "tied with the best" statements control their family-wise error.
    pub multiplicity: MultiplicityDoc,
    pub bootstrap: BootstrapDoc,
    pub checks: Vec<Check>,
}

fn metric(e: &fteval_core::Evaluation, key: &str) -> MetricResult {
    e.metrics.iter().find(|(k, _)| k == key).map(|(_, m)| m.clone()).unwrap_or_default()
}

impl RankDocument {
    /// The document for `ranking` of models read from `sources` (input order).
    pub fn new(ranking: &Ranking, sources: &[String], profile: Option<ProfileDoc>, checks: Vec<Check>) -> RankDocument {
        let best = &ranking.entries[0];
        let primary = &ranking.primary;
        let models: Vec<RankModelDoc> = ranking
            .entries
            .iter()
            .enumerate()
            .map(|(pos, e)| RankModelDoc {
                rank: pos + 1,
                source: sources[e.index].clone(),
                primary: metric(&e.eval, primary),
                tied_with_best: e.tied_with_best,
                vs_best: e.vs_best.as_ref().map(|deltas| VsBestDoc {
                    primary: deltas.iter().find(|d| &d.key == primary).map(DeltaDoc::from).expect("primary compared"),
                    p_value_holm: e.p_holm,
                    metrics: Ordered(deltas.iter().map(|d| (d.key.clone(), DeltaDoc::from(d))).collect()),
                }),
                metrics: Ordered(e.eval.metrics.clone()),
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
        let summary = summary(ranking, &models, primary);
        let mut checks = checks;
        for e in &ranking.entries {
            checks.extend(e.eval.checks.iter().map(|c| c.about(&sources[e.index])));
        }
        RankDocument {
            schema: RANK_SCHEMA,
            fteval_version: super::VERSION,
            task: best.eval.task.as_str(),
            n: best.eval.n,
            labels: best.eval.labels.clone(),
            positive_label: best.eval.positive_label.clone(),
            profile,
            primary_metric: primary.clone(),
            higher_is_better: ranking.higher_is_better,
            best: sources[best.index].clone(),
            models,
            disagreements,
            summary,
            multiplicity: ranking.multiplicity.into(),
            bootstrap: best.eval.config.into(),
            checks: super::by_severity(checks),
        }
    }
}

/// "A ranks first on accuracy (0.9000); B is significantly worse (Holm-adjusted p = 0.002)."
fn summary(ranking: &Ranking, models: &[RankModelDoc], primary: &str) -> String {
    let best = &models[0];
    let value = best.primary.value.map(|v| format!(" ({v:.4})")).unwrap_or_default();
    let mut s = format!("{} ranks first on {primary}{value}", best.source);
    let with = |t: Option<bool>| -> Vec<&str> {
        models[1..].iter().filter(|m| m.tied_with_best == t).map(|m| m.source.as_str()).collect()
    };
    let (tied, worse, untested) = (with(Some(true)), with(Some(false)), with(None));
    let level = ranking.entries[0].eval.config.level;
    let control = multiplicity_statement(&ranking.multiplicity.into());
    if !tied.is_empty() {
        s.push_str(&format!(
            "; statistically tied with it: {} (Holm-adjusted p ≥ {:.2})",
            tied.join(", "),
            1.0 - level
        ));
    }
    if !worse.is_empty() {
        s.push_str(&format!("; significantly worse: {} (Holm-adjusted p < {:.2})", worse.join(", "), 1.0 - level));
    }
    if !untested.is_empty() {
        s.push_str(&format!(
            "; not tested against it: {} (no p-value for {primary}; --bootstrap 0?)",
            untested.join(", ")
        ));
    }
    s.push('.');
    if models.len() > 1 {
        s.push_str(&format!(" {control}."));
    }
    // Group the disagreements by model, in ranking order.
    for m in &models[1..] {
        let index = ranking.entries[m.rank - 1].index;
        let keys: Vec<&str> =
            ranking.disagreements.iter().filter(|d| d.index == index).map(|d| d.delta.key.as_str()).collect();
        if keys.is_empty() {
            continue;
        }
        s.push_str(&format!(" The metrics disagree: {} is significantly better on {}", m.source, keys.join(", ")));
        let probabilistic =
            keys.iter().any(|k| matches!(*k, "log_loss" | "brier_score" | "ece" | "roc_auc" | "average_precision"));
        if probabilistic {
            s.push_str(" — its probabilities are closer to the truth, which matters when the scores themselves are used (ranking, thresholds, risk)");
        }
        s.push('.');
    }
    if !ranking.disagreements.is_empty() {
        s.push_str(&format!(
            " The ranking follows the primary metric ({primary}); it decides when the model's decisions are what counts."
        ));
    }
    s
}

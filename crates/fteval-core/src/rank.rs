//! Several models on the same examples: a leaderboard on the primary metric, each model tested
//! against the best with paired statistics, and the metrics that disagree.
//!
//! "Tied with the best" / "significantly worse" come from Holm's step-down over every pair of
//! models on the primary metric (k(k − 1)/2 paired randomisation p-values), which keeps the
//! family-wise error of the "not tied with the best" statements at α whichever model happens
//! to come out best (testing only against the observed best, k − 1 tests, is a range
//! statistic and errs more often: 8.9% for 5 equal models).

use rayon::prelude::*;

use crate::compare::{cm_metric_p, compare_score_metrics, lower_is_better, paired_deltas, Delta, PairedPredictions};
use crate::data::ClassificationInput;
use crate::evaluate::{evaluate_classification, Evaluation};
use crate::stats::bootstrap::BootstrapConfig;
use crate::stats::holm::holm_adjust;

/// One model's place on the leaderboard.
#[derive(Clone, Debug)]
pub struct RankEntry {
    /// Position of the model in the input order.
    pub index: usize,
    pub eval: Evaluation,
    /// Paired deltas of every metric against the best model (model − best); None for the best.
    pub vs_best: Option<Vec<Delta>>,
    /// Holm-adjusted p-value of the primary metric's difference from the best (Holm over all
    /// pairs of models).
    pub p_holm: Option<f64>,
    /// Not significantly different from the best on the primary metric (Holm-adjusted);
    /// None when no test could be run (no p-value, e.g. --bootstrap 0).
    pub tied_with_best: Option<bool>,
}

/// How `rank` controlled its family-wise error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Multiplicity {
    /// `holm_all_pairs`: Holm's step-down over every pair of models on the primary metric.
    pub method: &'static str,
    /// Pairs in the family (k(k − 1)/2).
    pub pairs: usize,
    /// The family-wise error rate of the "not tied with the best" statements.
    pub alpha: f64,
}

impl Multiplicity {
    /// Holm over all `pairs` pairs at `alpha`.
    pub fn holm_all_pairs(pairs: usize, alpha: f64) -> Multiplicity {
        Multiplicity { method: "holm_all_pairs", pairs, alpha }
    }
}

/// A metric on which a lower-ranked model is significantly better than the best.
#[derive(Clone, Debug)]
pub struct Disagreement {
    /// Input position of the model that is better on `delta.key`.
    pub index: usize,
    pub delta: Delta,
}

/// The leaderboard, best first.
#[derive(Clone, Debug)]
pub struct Ranking {
    pub primary: String,
    pub higher_is_better: bool,
    pub entries: Vec<RankEntry>,
    pub disagreements: Vec<Disagreement>,
    /// What the "tied with the best" statements control.
    pub multiplicity: Multiplicity,
}

fn value(e: &Evaluation, key: &str) -> Option<f64> {
    e.metrics.iter().find(|(k, _)| k == key).and_then(|(_, m)| m.value)
}

/// The metrics on which model `index` (ranked below the best) is better than the best, with an
/// interval excluding 0, other than the primary metric: where the ranking would change.
pub(crate) fn disagreements_of<'a>(
    index: usize,
    deltas: &'a [Delta],
    primary: &'a str,
) -> impl Iterator<Item = Disagreement> + 'a {
    deltas.iter().filter(move |d| d.key != primary).filter_map(move |d| {
        let better = match (d.ci_low, d.ci_high) {
            (Some(lo), _) if d.higher_is_better => lo > 0.0,
            (_, Some(hi)) if !d.higher_is_better => hi < 0.0,
            _ => false,
        };
        better.then(|| Disagreement { index, delta: d.clone() })
    })
}

/// Ranks `inputs` (same rows, labels, gold) on `primary`; Err names the missing metric.
pub fn rank_models(inputs: &[ClassificationInput], primary: &str, config: &BootstrapConfig) -> Result<Ranking, String> {
    let evals: Vec<Evaluation> = inputs.par_iter().map(|i| evaluate_classification(i, config)).collect();
    // The key as the report spells it (`F1` names `f1`).
    let primary = evals
        .first()
        .and_then(|e| crate::metric_names::resolve_metric(e.metrics.iter().map(|(k, _)| k.as_str()), primary))
        .unwrap_or(primary)
        .to_string();
    let primary = primary.as_str();
    let higher = !lower_is_better(primary);
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    let mut scores = Vec::with_capacity(inputs.len());
    for e in &evals {
        let v = value(e, primary).ok_or_else(|| {
            let keys: Vec<&str> =
                e.metrics.iter().filter(|(_, m)| m.value.is_some()).map(|(k, _)| k.as_str()).collect();
            format!("no value of '{primary}' for every model; the metrics are: {}", keys.join(", "))
        })?;
        scores.push(if higher { v } else { -v });
    }
    // Best first; equal values keep the input order.
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let best = order[0];
    let vs_best: Vec<(usize, Vec<Delta>)> = order[1..]
        .par_iter()
        .map(|&i| (i, paired_deltas(&inputs[best], &inputs[i], config).finish(&evals[best], &evals[i]).0))
        .collect();
    // Every pair (better, worse) in ranking order; pairs with the best reuse vs_best's p.
    let k = inputs.len();
    let pairs: Vec<(usize, usize)> =
        (0..k).flat_map(|a| (a + 1..k).map(move |b| (a, b))).map(|(a, b)| (order[a], order[b])).collect();
    let p: Vec<Option<f64>> = pairs
        .par_iter()
        .map(|&(better, worse)| {
            if better == best {
                let (_, d) = vs_best.iter().find(|(i, _)| *i == worse)?;
                return d.iter().find(|d| d.key == primary).and_then(|d| d.p_value);
            }
            primary_p(&inputs[better], &inputs[worse], primary, config)
        })
        .collect();
    let has_p = p.iter().all(Option::is_some);
    let adjusted = holm_adjust(&p.iter().map(|p| p.unwrap_or(1.0)).collect::<Vec<_>>());
    let alpha = 1.0 - config.level;
    let mut disagreements = Vec::new();
    let mut entries = vec![RankEntry {
        index: best,
        eval: evals[best].clone(),
        vs_best: None,
        p_holm: None,
        tied_with_best: Some(true),
    }];
    for (i, deltas) in vs_best {
        disagreements.extend(disagreements_of(i, &deltas, primary));
        let at = pairs.iter().position(|&(b, w)| b == best && w == i).expect("a pair with the best");
        let p_holm = has_p.then_some(adjusted[at]);
        entries.push(RankEntry {
            index: i,
            eval: evals[i].clone(),
            vs_best: Some(deltas),
            p_holm,
            tied_with_best: p_holm.map(|p| p >= alpha),
        });
    }
    let multiplicity = Multiplicity::holm_all_pairs(pairs.len(), alpha);
    Ok(Ranking { primary: primary.to_string(), higher_is_better: higher, entries, disagreements, multiplicity })
}

/// The paired randomisation p-value of the primary metric's delta (cand − base) alone: from
/// the joint cells for a confusion-matrix metric, else from the score-metric comparison.
fn primary_p(
    base: &ClassificationInput,
    cand: &ClassificationInput,
    primary: &str,
    config: &BootstrapConfig,
) -> Option<f64> {
    let paired = PairedPredictions {
        task: base.task,
        k: base.labels.len(),
        positive: base.positive,
        gold: base.gold.clone(),
        baseline: base.pred.clone(),
        candidate: cand.pred.clone(),
    };
    if let Some(r) = cm_metric_p(&paired, primary, config) {
        return Some(r.p);
    }
    let (deltas, _) = compare_score_metrics(base, cand, config);
    deltas.iter().find(|d| d.key == primary).and_then(|d| d.p_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Scores, Task};
    use crate::stats::rng::Rng;

    fn model(gold: &[u32], acc: f64, rng: &mut Rng) -> ClassificationInput {
        let pred: Vec<u32> = gold.iter().map(|&g| if rng.uniform() < acc { g } else { 1 - g }).collect();
        let scores = pred.iter().map(|&p| if p == 1 { 0.8 } else { 0.2 }).collect();
        ClassificationInput {
            task: Task::Binary,
            labels: vec!["0".into(), "1".into()],
            positive: Some(1),
            gold: gold.to_vec(),
            pred,
            scores: Some(Scores::Positive(scores)),
            model_classes: None,
        }
    }

    /// Five equal models (independent errors, accuracy 0.8, on the same 300 rows): some model
    /// is called "not tied with the best" on F1 in at most 5% of runs (Holm over all pairs).
    /// Holm over the 4 comparisons with the observed best alone is printed for contrast.
    #[test]
    fn five_equal_models_keep_the_family_wise_error() {
        let mut rng = Rng::new(99, 0);
        let runs = 300;
        let (mut errors, mut errors_vs_best_only) = (0, 0);
        for r in 0..runs {
            let gold: Vec<u32> = (0..300).map(|_| (rng.uniform() < 0.4) as u32).collect();
            let inputs: Vec<ClassificationInput> =
                (0..5).map(|_| ClassificationInput { scores: None, ..model(&gold, 0.8, &mut rng) }).collect();
            let cfg = BootstrapConfig { resamples: 200, level: 0.95, seed: r };
            let ranking = rank_models(&inputs, "f1", &cfg).unwrap();
            let m = ranking.multiplicity;
            assert!(m.method == "holm_all_pairs" && m.pairs == 10 && (m.alpha - 0.05).abs() < 1e-12, "{m:?}");
            if ranking.entries.iter().any(|e| e.tied_with_best == Some(false)) {
                errors += 1;
            }
            let raw: Vec<f64> = ranking.entries[1..]
                .iter()
                .map(|e| e.vs_best.as_ref().unwrap().iter().find(|d| d.key == "f1").unwrap().p_value.unwrap())
                .collect();
            if holm_adjust(&raw).iter().any(|&p| p < 0.05) {
                errors_vs_best_only += 1;
            }
        }
        let rate = errors as f64 / runs as f64;
        eprintln!(
            "5 equal models: family-wise error {:.1}% (Holm over all pairs), {:.1}% (Holm vs the best only), {runs} runs",
            100.0 * rate,
            100.0 * errors_vs_best_only as f64 / runs as f64
        );
        assert!(rate <= 0.05, "family-wise error {rate}");
    }

    #[test]
    fn ranks_and_ties() {
        let mut rng = Rng::new(5, 0);
        let gold: Vec<u32> = (0..3000).map(|_| (rng.uniform() < 0.5) as u32).collect();
        let good = model(&gold, 0.90, &mut rng);
        // Nearly the same model: wrong on 3 more examples.
        let mut close = good.clone();
        let mut flipped = 0;
        for i in 0..gold.len() {
            if flipped < 3 && close.pred[i] == gold[i] {
                close.pred[i] = 1 - gold[i];
                flipped += 1;
            }
        }
        let inputs = vec![model(&gold, 0.80, &mut rng), good, close];
        let cfg = BootstrapConfig { resamples: 500, level: 0.95, seed: 1 };
        let r = rank_models(&inputs, "accuracy", &cfg).unwrap();
        let order: Vec<usize> = r.entries.iter().map(|e| e.index).collect();
        assert_eq!(order, vec![1, 2, 0]);
        // The 0.80 model is last and clearly worse; the two ~0.90 models are tied.
        assert_eq!(*order.last().unwrap(), 0);
        let last = r.entries.last().unwrap();
        assert!(last.tied_with_best == Some(false) && last.p_holm.unwrap() < 0.01);
        assert_eq!(r.entries[1].tied_with_best, Some(true), "p_holm {:?}", r.entries[1].p_holm);
        // Lower-is-better primary: log loss ranks the same way here.
        let r = rank_models(&inputs, "log_loss", &cfg).unwrap();
        assert!(!r.higher_is_better);
        assert_eq!(r.entries.last().unwrap().index, 0);
        // The 80% model says 0.8 and is right 80% of the time: better calibrated than the best.
        assert!(r.disagreements.iter().any(|d| d.index == 0 && d.delta.key == "ece"), "{:?}", r.disagreements);
        assert!(rank_models(&inputs, "nonsense", &cfg).is_err());
    }
}

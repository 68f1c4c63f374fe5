//! Comparing and ranking text-task models (NER and generation) on the same sentences or
//! examples.
//!
//! Every model's per-example sufficient statistics (entity counts per sentence, BLEU and chrF
//! n-gram counts, per-example ROUGE/SQuAD values) go into one table of columns; a paired
//! bootstrap resample draws examples once for all models and recomputes every corpus metric
//! from the summed statistics (never resampling or re-tokenising tokens). Every delta's p-value
//! comes from the paired randomisation test on the same table: the two models' statistics are
//! swapped on random examples (on every pattern of the differing examples when there are at
//! most 20) and every metric is recomputed from the sums. Deltas are the classification
//! compare's [`Delta`]s, so the verdict ([`super::verdict`]), the gates ([`crate::gates`]) and
//! the Holm-adjusted ranking work on them unchanged. For BLEU, chrF and chrF++, sacreBLEU's
//! paired approximate randomisation test is reported as well, as sacreBLEU computes it.
//!
//! ```
//! use fteval_core::compare::text::{compare_generation, GenerationConfigs, GenerationExamples, TextOptions};
//! use fteval_core::compare::{verdict, Verdict};
//! use fteval_core::metrics::generation::squad::squad_scores;
//!
//! let refs = [["Paris"], ["4"], ["blue"], ["Rome"]];
//! let model = |preds: &[&str]| GenerationExamples {
//!     means: vec![(
//!         "exact_match".to_string(),
//!         preds.iter().zip(&refs).map(|(p, r)| squad_scores(p, r).exact_match).collect(),
//!     )],
//!     ..Default::default()
//! };
//! let (a, b) = (model(&["Paris", "5", "red", "Rome"]), model(&["Paris", "4", "blue", "Rome"]));
//! let cmp = compare_generation(&a, &b, &GenerationConfigs::default(), &TextOptions::default());
//! let em = cmp.delta("exact_match").unwrap();
//! assert_eq!((em.baseline, em.candidate), (0.5, 1.0));
//! assert_eq!(cmp.flips.fixed, 2);
//! // Four examples cannot show much.
//! assert_ne!(verdict(em, 0.0, 0.95).0, Verdict::Regressed);
//! ```

mod generation;
mod ner;
mod table;
#[cfg(test)]
mod tests;

use std::ops::Range;

use rayon::prelude::*;

pub use generation::{
    compare_generation, compare_generation_on, rank_generation, GenerationConfigs, GenerationExamples,
};
pub use ner::{compare_ner, rank_ner};

use super::{lower_is_better, Delta, PairedReplicates};
use crate::checks::{Check, Severity};
use crate::data::Task;
use crate::evaluate::MetricResult;
use crate::metrics::generation::significance::DEFAULT_AR_TRIALS;
use crate::rank::{disagreements_of, Disagreement, Multiplicity};
use crate::stats::bootstrap::{percentile_interval, BootstrapConfig};
use crate::stats::holm::holm_adjust;
use crate::stats::randomisation::{
    at_least_as_extreme, p_from_patterns, swap_mask, RandomisationP, MAX_EXACT_EXAMPLES,
};
use table::{mask_words, seeded_mask, Table};

/// How a text comparison resamples and what it lists.
#[derive(Clone, Debug)]
pub struct TextOptions {
    pub bootstrap: BootstrapConfig,
    /// Trials of the paired approximate randomisation test for BLEU, chrF and chrF++
    /// (sacreBLEU's default 10,000; 0 turns it off). Drawn from `bootstrap.seed`.
    pub ar_trials: usize,
    /// Explicit swap masks (sacreBLEU's `pos_sel`: `masks[t][i]` gives example i's baseline
    /// output to the first pseudo-system in trial t), to reproduce sacreBLEU's p-values exactly;
    /// replaces the `ar_trials` random ones.
    pub ar_masks: Option<Vec<Vec<bool>>>,
    /// Examples (sentences) listed each way in the flips.
    pub max_examples: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            bootstrap: BootstrapConfig::default(),
            ar_trials: DEFAULT_AR_TRIALS,
            ar_masks: None,
            max_examples: 10,
        }
    }
}

/// sacreBLEU's paired approximate randomisation test of one corpus metric.
#[derive(Clone, Debug, PartialEq)]
pub struct ArTest {
    pub key: String,
    /// Corpus score of the baseline (the best model, in a ranking).
    pub baseline: f64,
    /// Corpus score of the candidate (the ranked model).
    pub candidate: f64,
    /// `(exceed + 1) / (trials + 1)`.
    pub p_value: f64,
    /// Trials whose absolute score difference exceeded the observed one.
    pub exceed: usize,
    pub trials: usize,
}

/// One sentence (NER) or example (generation) whose score changed.
#[derive(Clone, Debug, PartialEq)]
pub struct TextFlip {
    /// 0-based position among the compared sentences or examples.
    pub row: usize,
    /// Per-example score of [`TextFlips::metric`] under each model.
    pub baseline: f64,
    pub candidate: f64,
    /// NER: entity-level (true positives, false positives, false negatives) of each model.
    pub baseline_errors: Option<(u32, u32, u32)>,
    pub candidate_errors: Option<(u32, u32, u32)>,
}

/// The examples whose per-example score fell (broken) or rose (fixed) from baseline to
/// candidate, most changed first.
#[derive(Clone, Debug, PartialEq)]
pub struct TextFlips {
    /// What the per-example scores are: `sentence_f1` for NER (entity F1 of the sentence, 1
    /// with no entity on either side; ordered by the change in entity errors), else a metric key.
    pub metric: String,
    pub higher_is_better: bool,
    pub broken: u64,
    pub fixed: u64,
    pub unchanged: u64,
    /// Up to `max_examples`, the largest fall first.
    pub broken_rows: Vec<TextFlip>,
    /// Up to `max_examples`, the largest rise first.
    pub fixed_rows: Vec<TextFlip>,
}

/// Everything `fteval compare` reports about two text-task models on the same examples.
#[derive(Clone, Debug)]
pub struct TextComparison {
    pub task: Task,
    /// Sentences (NER) or examples (generation).
    pub n: u64,
    /// Every metric both models have, in report order.
    pub deltas: Vec<Delta>,
    /// Each model's metrics with their own percentile intervals (baseline, candidate).
    pub baseline: Vec<(String, MetricResult)>,
    pub candidate: Vec<(String, MetricResult)>,
    /// Paired approximate randomisation for BLEU, chrF and chrF++ (generation).
    pub paired_ar: Vec<ArTest>,
    pub flips: TextFlips,
    pub config: BootstrapConfig,
    /// Notes on what could not be compared (a metric only one model has).
    pub checks: Vec<Check>,
}

impl TextComparison {
    /// The delta of `key`.
    pub fn delta(&self, key: &str) -> Option<&Delta> {
        self.deltas.iter().find(|d| d.key == key)
    }
}

/// A pairwise test on the primary metric between two ranked models.
#[derive(Clone, Debug)]
pub struct PairwiseTest {
    /// Input positions: `better` ranks above `worse`.
    pub better: usize,
    pub worse: usize,
    /// worse − better on the primary metric, with its paired interval and raw p-value.
    pub delta: Delta,
    /// Holm-adjusted over all pairs.
    pub p_holm: Option<f64>,
}

/// One model's place on a text-task leaderboard.
#[derive(Clone, Debug)]
pub struct TextRankEntry {
    /// Position of the model in the input order.
    pub index: usize,
    /// Every metric with its percentile interval.
    pub metrics: Vec<(String, MetricResult)>,
    /// Paired deltas of every metric against the best (model − best); None for the best.
    pub vs_best: Option<Vec<Delta>>,
    /// Paired approximate randomisation against the best (BLEU, chrF, chrF++).
    pub paired_ar: Vec<ArTest>,
    /// Holm-adjusted p-value of the primary metric's difference from the best (Holm over
    /// all pairs of models).
    pub p_holm: Option<f64>,
    /// Not significantly different from the best on the primary metric; None when untested.
    pub tied_with_best: Option<bool>,
}

/// A text-task leaderboard, best first.
#[derive(Clone, Debug)]
pub struct TextRanking {
    pub task: Task,
    pub n: u64,
    pub primary: String,
    pub higher_is_better: bool,
    pub entries: Vec<TextRankEntry>,
    /// Every pair of models on the primary metric, in ranking order.
    pub pairwise: Vec<PairwiseTest>,
    /// What the "tied with the best" statements control (Holm over `pairwise`).
    pub multiplicity: Multiplicity,
    /// Metrics on which a lower-ranked model is significantly better than the best.
    pub disagreements: Vec<Disagreement>,
    pub config: BootstrapConfig,
    pub checks: Vec<Check>,
}

/// A task's statistics as table columns: what each system contributes per example, and how
/// summed columns become metric values.
pub(crate) trait Layout: Sync {
    fn task(&self) -> Task;
    fn systems(&self) -> usize;
    fn n(&self) -> usize;
    /// Columns per system.
    fn width(&self) -> usize;
    /// Metric keys in report order, with "higher is better".
    fn keys(&self) -> &[(String, bool)];
    /// Writes system `s`'s statistics of example `i` into `out` (width columns, zeroed).
    fn fill(&self, s: usize, i: usize, out: &mut [f64]);
    /// Every metric from one system's summed columns over `n` examples (NaN: undefined).
    fn values(&self, sums: &[f64], out: &mut [f64]);
    /// The columns the paired randomisation test needs, and the metrics it tests (indices
    /// into `keys`). None when no metric has such a test.
    fn ar(&self) -> Option<(Range<usize>, Vec<usize>)> {
        None
    }
}

/// Point values and bootstrap replicates of every metric of every system.
struct Resampled {
    /// `point[s][m]`.
    point: Vec<Vec<f64>>,
    /// `reps[s][m][b]`; empty without resamples.
    reps: Vec<Vec<Vec<f64>>>,
}

fn resample(layout: &dyn Layout, config: &BootstrapConfig) -> Resampled {
    let (k, w, m) = (layout.systems(), layout.width(), layout.keys().len());
    let table = Table::new(layout.n(), k * w, |i, row| {
        for s in 0..k {
            layout.fill(s, i, &mut row[s * w..(s + 1) * w]);
        }
    });
    let values = |sums: &[f64]| -> Vec<Vec<f64>> {
        (0..k)
            .map(|s| {
                let mut out = vec![f64::NAN; m];
                layout.values(&sums[s * w..(s + 1) * w], &mut out);
                out
            })
            .collect()
    };
    let point = values(&table.totals());
    let per_resample = if config.resamples > 0 && table.n() > 0 {
        table.bootstrap(config.resamples, config.seed, |_, sums| values(sums))
    } else {
        Vec::new()
    };
    let reps = if per_resample.is_empty() {
        Vec::new()
    } else {
        (0..k).map(|s| (0..m).map(|j| per_resample.iter().map(|r| r[s][j]).collect()).collect()).collect()
    };
    Resampled { point, reps }
}

impl Resampled {
    fn delta(&self, layout: &dyn Layout, j: usize, base: usize, cand: usize, level: f64) -> Delta {
        let (key, higher) = &layout.keys()[j];
        let reps = (!self.reps.is_empty())
            .then(|| PairedReplicates { baseline: &self.reps[base][j], candidate: &self.reps[cand][j] });
        Delta::from_replicates(key, self.point[base][j], self.point[cand][j], *higher, reps, level)
    }

    fn deltas(&self, layout: &dyn Layout, base: usize, cand: usize, level: f64) -> Vec<Delta> {
        (0..layout.keys().len()).map(|j| self.delta(layout, j, base, cand, level)).collect()
    }

    /// System `s`'s metrics with percentile intervals.
    fn metrics(&self, layout: &dyn Layout, s: usize, level: f64) -> Vec<(String, MetricResult)> {
        layout
            .keys()
            .iter()
            .enumerate()
            .map(|(j, (key, _))| {
                let v = self.point[s][j];
                let mut r = MetricResult::default();
                if v.is_nan() {
                    r.reason = Some("undefined on these examples".into());
                    return (key.clone(), r);
                }
                r.value = Some(v);
                if let Some(reps) = self.reps.get(s) {
                    let mut x = reps[j].clone();
                    let total = x.len();
                    let p = percentile_interval(&mut x, level, v);
                    if let Some(iv) = p.interval {
                        r.ci_low = Some(iv.low);
                        r.ci_high = Some(iv.high);
                        r.ci_method = Some("bootstrap_percentile");
                    }
                    if p.undefined > 0 {
                        r.reason = Some(format!(
                            "undefined on {} of {total} bootstrap resamples; the interval uses the others",
                            p.undefined
                        ));
                    }
                }
                (key.clone(), r)
            })
            .collect()
    }
}

/// Paired randomisation p-values of every metric's delta (cand − base), and the number of
/// examples whose statistics differ. A pattern swaps the two systems' statistics on some of
/// the differing examples; every metric is recomputed from the swapped sums. Exact over the
/// 2^d patterns when d ≤ 20, else `resamples` Monte Carlo patterns; None without resamples.
fn randomisation_p(
    layout: &dyn Layout,
    res: &Resampled,
    base: usize,
    cand: usize,
    config: &BootstrapConfig,
) -> (Vec<Option<RandomisationP>>, u64) {
    let (n, w, m) = (layout.n(), layout.width(), layout.keys().len());
    // Differing examples and both systems' column sums, in one pass.
    let (mut rows, sums) = (0..n.div_ceil(4096))
        .into_par_iter()
        .map(|c| {
            let (mut a, mut b) = (vec![0.0; w], vec![0.0; w]);
            let mut sums = vec![0.0; 2 * w];
            let mut rows = Vec::new();
            for i in c * 4096..((c + 1) * 4096).min(n) {
                a.iter_mut().for_each(|x| *x = 0.0);
                b.iter_mut().for_each(|x| *x = 0.0);
                layout.fill(base, i, &mut a);
                layout.fill(cand, i, &mut b);
                if a != b {
                    rows.push(i);
                }
                for c in 0..w {
                    sums[c] += a[c];
                    sums[w + c] += b[c];
                }
            }
            (rows, sums)
        })
        .reduce(
            || (Vec::new(), vec![0.0; 2 * w]),
            |(mut r1, mut s1), (r2, s2)| {
                r1.extend(r2);
                s1.iter_mut().zip(s2).for_each(|(x, y)| *x += y);
                (r1, s1)
            },
        );
    rows.sort_unstable();
    let d = rows.len();
    if config.resamples == 0 {
        return (vec![None; m], d as u64);
    }
    let exact = d <= MAX_EXACT_EXAMPLES;
    let patterns = if exact { 1usize << d } else { config.resamples };
    let diff = Table::new(d, w, |k, row| {
        let (mut a, mut b) = (vec![0.0; w], vec![0.0; w]);
        layout.fill(base, rows[k], &mut a);
        layout.fill(cand, rows[k], &mut b);
        for c in 0..w {
            row[c] = a[c] - b[c];
        }
    });
    let (s_base, s_cand) = sums.split_at(w);
    let observed: Vec<f64> = (0..m).map(|j| res.point[cand][j] - res.point[base][j]).collect();
    let extreme: Vec<Vec<bool>> = diff.randomisation(
        patterns,
        |t| swap_mask(d, exact, config.seed, t).into_iter().chain([0]).collect(),
        |_, x| {
            // Pseudo-candidate P takes the baseline's statistics on the swapped examples.
            let p: Vec<f64> = s_cand.iter().zip(x).map(|(c, x)| c + x).collect();
            let q: Vec<f64> = (0..w).map(|c| s_base[c] + s_cand[c] - p[c]).collect();
            let (mut vp, mut vq) = (vec![f64::NAN; m], vec![f64::NAN; m]);
            layout.values(&p, &mut vp);
            layout.values(&q, &mut vq);
            (0..m).map(|j| at_least_as_extreme(vp[j] - vq[j], observed[j])).collect()
        },
    );
    let p = p_from_patterns(&extreme, m, exact);
    (p.into_iter().zip(&observed).map(|(p, o)| (!o.is_nan()).then_some(p)).collect(), d as u64)
}

/// What a text task's examples are called in a reason.
fn unit_of(task: Task) -> &'static str {
    if task == Task::Ner {
        "sentences"
    } else {
        "examples"
    }
}

/// Every metric's paired delta (cand − base) with its randomisation p-value.
fn deltas_with_p(
    layout: &dyn Layout,
    res: &Resampled,
    base: usize,
    cand: usize,
    config: &BootstrapConfig,
) -> Vec<Delta> {
    let (p, d) = randomisation_p(layout, res, base, cand, config);
    res.deltas(layout, base, cand, config.level)
        .into_iter()
        .zip(p)
        .map(|(delta, p)| delta.with_p(p, d, unit_of(layout.task()), config.level))
        .collect()
}

/// Paired approximate randomisation of systems `base` and `cand` on the layout's AR metrics.
fn paired_ar(layout: &dyn Layout, point: &Resampled, base: usize, cand: usize, options: &TextOptions) -> Vec<ArTest> {
    let Some((cols, metrics)) = layout.ar() else { return Vec::new() };
    let trials = options.ar_masks.as_ref().map_or(options.ar_trials, |m| m.len());
    if trials == 0 || metrics.is_empty() {
        return Vec::new();
    }
    let (n, w, m) = (layout.n(), layout.width(), layout.keys().len());
    if let Some(masks) = &options.ar_masks {
        assert!(masks.iter().all(|x| x.len() == n), "one mask bit per example");
    }
    let ar_w = cols.len();
    // Per example: baseline − candidate on the tested columns.
    let diff = Table::new(n, ar_w, |i, row| {
        let (mut a, mut b) = (vec![0.0; w], vec![0.0; w]);
        layout.fill(base, i, &mut a);
        layout.fill(cand, i, &mut b);
        for (o, c) in row.iter_mut().zip(cols.clone()) {
            *o = a[c] - b[c];
        }
    });
    // Full sums of each system.
    let sums = Table::new(n, 2 * w, |i, row| {
        layout.fill(base, i, &mut row[..w]);
        layout.fill(cand, i, &mut row[w..]);
    })
    .totals();
    let (s_base, s_cand) = sums.split_at(w);
    let observed: Vec<f64> = metrics.iter().map(|&j| (point.point[base][j] - point.point[cand][j]).abs()).collect();
    let mask = |t: usize| match &options.ar_masks {
        Some(masks) => mask_words(&masks[t]),
        None => seeded_mask(n, options.bootstrap.seed, t),
    };
    let exceeded: Vec<Vec<bool>> = diff.randomisation(trials, mask, |_, x| {
        // Pseudo-system P takes the baseline's statistics where the mask is set: the
        // candidate's sums plus the selected differences; Q gets the rest.
        let mut p = s_cand.to_vec();
        let mut q = vec![0.0; w];
        for (k, c) in cols.clone().enumerate() {
            p[c] += x[k];
        }
        for c in 0..w {
            q[c] = s_base[c] + s_cand[c] - p[c];
        }
        let (mut vp, mut vq) = (vec![f64::NAN; m], vec![f64::NAN; m]);
        layout.values(&p, &mut vp);
        layout.values(&q, &mut vq);
        metrics.iter().zip(&observed).map(|(&j, &obs)| (vp[j] - vq[j]).abs() > obs).collect()
    });
    metrics
        .iter()
        .enumerate()
        .map(|(k, &j)| {
            let exceed = exceeded.iter().filter(|e| e[k]).count();
            ArTest {
                key: layout.keys()[j].0.clone(),
                baseline: point.point[base][j],
                candidate: point.point[cand][j],
                p_value: (exceed + 1) as f64 / (trials + 1) as f64,
                exceed,
                trials,
            }
        })
        .collect()
}

/// Compares system 1 (candidate) with system 0 (baseline) of a two-system layout.
fn compare_layout(layout: &dyn Layout, options: &TextOptions, flips: TextFlips, checks: Vec<Check>) -> TextComparison {
    let config = options.bootstrap;
    let res = resample(layout, &config);
    let ar = paired_ar(layout, &res, 0, 1, options);
    TextComparison {
        task: layout.task(),
        n: layout.n() as u64,
        deltas: deltas_with_p(layout, &res, 0, 1, &config),
        baseline: res.metrics(layout, 0, config.level),
        candidate: res.metrics(layout, 1, config.level),
        paired_ar: ar,
        flips,
        config,
        checks,
    }
}

/// Ranks the layout's systems on `primary`; Err names the missing metric.
fn rank_layout(
    layout: &dyn Layout,
    primary: &str,
    options: &TextOptions,
    checks: Vec<Check>,
) -> Result<TextRanking, String> {
    let keys = layout.keys();
    // The key as the report spells it (`ROUGEL` names `rougeL`).
    let resolved = crate::metric_names::resolve_metric(keys.iter().map(|(k, _)| k.as_str()), primary);
    let Some(j) = resolved.and_then(|r| keys.iter().position(|(k, _)| k == r)) else {
        let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        return Err(format!("no metric '{primary}' for every model; the metrics are: {}", names.join(", ")));
    };
    let primary = keys[j].0.as_str();
    let k = layout.systems();
    if k == 0 {
        return Err("no models to rank".into());
    }
    let config = options.bootstrap;
    let res = resample(layout, &config);
    let higher = keys[j].1;
    let score = |s: usize| {
        let v = res.point[s][j];
        if v.is_nan() {
            f64::NEG_INFINITY
        } else if higher {
            v
        } else {
            -v
        }
    };
    let mut order: Vec<usize> = (0..k).collect();
    // Best first; equal values keep the input order.
    order.sort_by(|&a, &b| score(b).total_cmp(&score(a)));
    let best = order[0];
    let level = config.level;
    let alpha = 1.0 - level;
    // Every pair (better, worse) in ranking order, with every metric's delta worse − better.
    let pairs: Vec<(usize, usize)> =
        (0..k).flat_map(|a| (a + 1..k).map(move |b| (a, b))).map(|(a, b)| (order[a], order[b])).collect();
    let pair_deltas: Vec<Vec<Delta>> =
        pairs.par_iter().map(|&(better, worse)| deltas_with_p(layout, &res, better, worse, &config)).collect();
    let mut pairwise: Vec<PairwiseTest> = pairs
        .iter()
        .zip(&pair_deltas)
        .map(|(&(better, worse), d)| PairwiseTest { better, worse, delta: d[j].clone(), p_holm: None })
        .collect();
    // Holm over all pairs: the "not tied with the best" statements keep their family-wise
    // error at α whichever model happens to come out best.
    let has_p = pairwise.iter().all(|p| p.delta.p_value.is_some());
    if has_p {
        let adj = holm_adjust(&pairwise.iter().map(|p| p.delta.p_value.unwrap_or(1.0)).collect::<Vec<_>>());
        pairwise.iter_mut().zip(adj).for_each(|(p, a)| p.p_holm = Some(a));
    }
    let vs_best: Vec<(usize, Vec<Delta>, Vec<ArTest>, Option<f64>)> = order[1..]
        .par_iter()
        .map(|&i| {
            let at = pairs.iter().position(|&(b, w)| b == best && w == i).expect("a pair with the best");
            (i, pair_deltas[at].clone(), paired_ar(layout, &res, best, i, options), pairwise[at].p_holm)
        })
        .collect();
    let mut disagreements = Vec::new();
    let mut entries = vec![TextRankEntry {
        index: best,
        metrics: res.metrics(layout, best, level),
        vs_best: None,
        paired_ar: Vec::new(),
        p_holm: None,
        tied_with_best: Some(true),
    }];
    for (i, deltas, ar, p_holm) in vs_best {
        disagreements.extend(disagreements_of(i, &deltas, primary));
        entries.push(TextRankEntry {
            index: i,
            metrics: res.metrics(layout, i, level),
            vs_best: Some(deltas),
            paired_ar: ar,
            p_holm,
            tied_with_best: p_holm.map(|p| p >= alpha),
        });
    }
    let multiplicity = Multiplicity::holm_all_pairs(pairs.len(), alpha);
    Ok(TextRanking {
        task: layout.task(),
        n: layout.n() as u64,
        primary: primary.to_string(),
        higher_is_better: higher,
        entries,
        pairwise,
        multiplicity,
        disagreements,
        config,
        checks,
    })
}

/// A check that some metric could not be compared because not every model has it.
fn missing_metrics_check(missing: &[(String, Vec<usize>)], who: &[&str]) -> Option<Check> {
    if missing.is_empty() {
        return None;
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(key, have)| {
            let names: Vec<&str> = have.iter().map(|&i| who.get(i).copied().unwrap_or("?")).collect();
            format!("{key} (only {})", names.join(", "))
        })
        .collect();
    Some(Check::new(
        "metric_not_in_every_model",
        Severity::Warn,
        format!("Not compared, because not every model has it: {}.", parts.join("; ")),
    ))
}

/// Sorts candidate flips (row, change in the "worse" direction, tie-break change) and keeps
/// the largest `max` each way.
pub(crate) fn pick_flips(
    mut worse: Vec<(TextFlip, f64, f64)>,
    mut better: Vec<(TextFlip, f64, f64)>,
    max: usize,
) -> (Vec<TextFlip>, Vec<TextFlip>) {
    let by = |a: &(TextFlip, f64, f64), b: &(TextFlip, f64, f64)| {
        b.1.total_cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.row.cmp(&b.0.row))
    };
    worse.sort_by(by);
    better.sort_by(by);
    let take = |v: Vec<(TextFlip, f64, f64)>| v.into_iter().take(max).map(|x| x.0).collect();
    (take(worse), take(better))
}

/// True for metrics where smaller is better (loss, perplexity).
pub(crate) fn higher_is_better(key: &str) -> bool {
    !lower_is_better(key)
}

//! NER evaluation: seqeval's entity-level numbers from per-sentence sufficient statistics, each
//! with a BCa bootstrap interval over *sentences* (a resample draws whole sentences, so the
//! entities and tokens of a sentence stay together; the acceleration comes from the
//! leave-one-sentence-out jackknife), the per-entity-type table and the checks.
//!
//! The resampling uses [`bootstrap_sums`] over the per-sentence counts ([`sentence_counts`]),
//! the same draws the generation metrics use, so `compare` can pair two taggers by drawing the
//! same sentences for both.

use super::cm_intervals::{too_few_note, MIN_MINORITY, MIN_PREDICTED};
use super::intervals::end_bound;
use super::{ci_method, interval_pair, unreliable_check, ClassRow, Evaluation, MetricResult};
use crate::checks::{self, Check, Severity};
use crate::data::Task;
#[cfg(any(doc, test))]
use crate::metrics::generation::resample::bootstrap_sums;
use crate::metrics::generation::SufficientStats;
use crate::metrics::ner::{
    looks_like_tag, seqeval_entity_type, NerCounts, NerScores, NerSequences, NerStats, TypeCounts,
};
use crate::stats::bootstrap::{bca_interval, bootstrap_degenerate, BootstrapConfig, Interval, JackknifeMoments};
use crate::stats::proportion::plausible_failures;
use crate::stats::rng::Rng;
use rayon::prelude::*;

/// The corpus-level metric keys, in report order: SPEC's six, then seqeval's other averages.
pub const NER_METRIC_KEYS: &[&str] = &[
    "precision",
    "recall",
    "f1",
    "f1_macro",
    "f1_weighted",
    "token_accuracy",
    "precision_macro",
    "recall_macro",
    "precision_weighted",
    "recall_weighted",
];

/// Gold entities of a type below which its numbers are mostly noise.
const SMALL_SUPPORT: u64 = 30;
/// Sentences below which the sentence bootstrap is too coarse to describe the uncertainty.
const SMALL_SAMPLE: u64 = 30;

/// Sentence counts add up like any other sufficient statistics (types missing from the shorter
/// side count as zeros), so [`bootstrap_sums`] resamples sentences directly.
impl SufficientStats for NerCounts {
    fn add_assign(&mut self, other: &Self) {
        if self.per_type.len() < other.per_type.len() {
            self.per_type.resize(other.per_type.len(), TypeCounts::default());
        }
        for (a, b) in self.per_type.iter_mut().zip(&other.per_type) {
            a.tp += b.tp;
            a.pred += b.pred;
            a.gold += b.gold;
        }
        self.token_correct += other.token_correct;
        self.token_total += other.token_total;
    }

    fn sub_assign(&mut self, other: &Self) {
        for (a, b) in self.per_type.iter_mut().zip(&other.per_type) {
            a.tp -= b.tp;
            a.pred -= b.pred;
            a.gold -= b.gold;
        }
        self.token_correct -= other.token_correct;
        self.token_total -= other.token_total;
    }
}

/// The counts of every sentence, dense over the entity types: the rows a sentence bootstrap
/// (or a paired one, in `compare`) draws from.
pub fn sentence_counts(stats: &NerStats) -> Vec<NerCounts> {
    (0..stats.n_sentences()).map(|s| stats.sentence_counts(s)).collect()
}

/// The statistics of one set of counts, in [`NER_METRIC_KEYS`] order followed by (precision,
/// recall, F1) of each entity type; NaN where seqeval leaves a value undefined (macro averages
/// without entities, token accuracy without tokens, a type without entities in this resample).
pub fn ner_statistics(counts: &NerCounts, n_types: usize, out: &mut [f64]) {
    let s = counts.scores();
    let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let head = [
        s.precision,
        s.recall,
        s.f1,
        opt(s.f1_macro),
        s.f1_weighted,
        opt(s.token_accuracy),
        opt(s.precision_macro),
        opt(s.recall_macro),
        s.precision_weighted,
        s.recall_weighted,
    ];
    let k = NER_METRIC_KEYS.len();
    out[..k].copy_from_slice(&head);
    out[k..k + 3 * n_types].fill(f64::NAN);
    for t in &s.per_type {
        let j = k + 3 * t.type_id as usize;
        out[j] = t.precision;
        out[j + 1] = t.recall;
        out[j + 2] = t.f1;
    }
}

/// The BCa acceleration of every statistic from the leave-one-sentence-out jackknife: the
/// totals without each sentence in turn (NaN where a statistic is undefined without it). The
/// percentile interval of these ratio statistics measured 91.9–92.5% coverage for macro F1 at
/// 200 sentences.
fn jackknife_accelerations(stats: &NerStats, totals: &NerCounts, n_types: usize, n_stats: usize) -> Vec<f64> {
    let mut moments = vec![JackknifeMoments::default(); n_stats];
    let mut without = totals.clone();
    let mut out = vec![0.0; n_stats];
    for s in 0..stats.n_sentences() {
        shift_sentence(stats, s, &mut without, false);
        ner_statistics(&without, n_types, &mut out);
        shift_sentence(stats, s, &mut without, true);
        for (m, &v) in moments.iter_mut().zip(&out) {
            m.push(v);
        }
    }
    moments.iter().map(JackknifeMoments::acceleration).collect()
}

/// Adds sentence `s`'s counts to `counts` (or takes them away), touching only its entity types.
fn shift_sentence(stats: &NerStats, s: usize, counts: &mut NerCounts, add: bool) {
    let (correct, total) = stats.sentence_tokens(s);
    for r in stats.sentence_rows(s) {
        let c = &mut counts.per_type[r.type_id as usize];
        if add {
            (c.tp, c.pred, c.gold) = (c.tp + r.tp as u64, c.pred + r.pred as u64, c.gold + r.gold as u64);
        } else {
            (c.tp, c.pred, c.gold) = (c.tp - r.tp as u64, c.pred - r.pred as u64, c.gold - r.gold as u64);
        }
    }
    if add {
        counts.token_correct += correct as u64;
        counts.token_total += total as u64;
    } else {
        counts.token_correct -= correct as u64;
        counts.token_total -= total as u64;
    }
}

/// Resamples summed per parallel block of [`sentence_bootstrap`].
const RESAMPLE_BLOCK: usize = 256;

/// The replicates of every statistic (a list per statistic) over `config.resamples` sentence
/// resamples: resample b draws n sentences from stream b, as [`bootstrap_sums`] over
/// [`sentence_counts`] does, but sums the drawn sentences' sparse rows into one reused buffer,
/// so memory is the replicates plus O(sentences + types) per thread, never sentences × types.
fn sentence_bootstrap(stats: &NerStats, config: &BootstrapConfig, n_stats: usize) -> Vec<Vec<f64>> {
    let n = stats.n_sentences();
    let n_types = stats.n_types();
    let mut reps = vec![Vec::with_capacity(config.resamples); n_stats];
    for start in (0..config.resamples).step_by(RESAMPLE_BLOCK) {
        let end = (start + RESAMPLE_BLOCK).min(config.resamples);
        let rows: Vec<Vec<f64>> = (start..end)
            .into_par_iter()
            .map_init(
                || (vec![0u32; n], NerCounts::zeros(n_types)),
                |(weights, counts), b| {
                    weights.fill(0);
                    let mut rng = Rng::new(config.seed, b as u64);
                    for _ in 0..n {
                        weights[rng.below(n as u64) as usize] += 1;
                    }
                    stats.resample_into(weights, counts);
                    let mut out = vec![0.0; n_stats];
                    ner_statistics(counts, n_types, &mut out);
                    out
                },
            )
            .collect();
        for row in rows {
            for (r, v) in reps.iter_mut().zip(row) {
                r.push(v);
            }
        }
    }
    reps
}

/// Replicates (numbers) the sentence bootstrap may hold: 64M, 512 MiB.
pub const MAX_NER_REPLICATES: usize = 1 << 26;
/// Statistic evaluations the jackknife (sentences × statistics) and the fallback bound (6 ×
/// entity types × statistics) may take: about 10^9, a few seconds.
pub const MAX_NER_WORK: usize = 1 << 30;

/// Why the sentence bootstrap is left out: its replicates (resamples × statistics, three per
/// entity type) or its jackknife (sentences × statistics) would exceed their bounds. None when
/// it fits, or when there is no bootstrap to run.
fn bootstrap_too_large(sentences: usize, n_types: usize, n_stats: usize, resamples: usize) -> Option<Check> {
    if resamples == 0 || sentences < 2 {
        return None;
    }
    let replicates = resamples.saturating_mul(n_stats);
    let work = n_stats.saturating_mul(sentences.max(6 * n_types));
    if replicates <= MAX_NER_REPLICATES && work <= MAX_NER_WORK {
        return None;
    }
    let cause = if replicates > MAX_NER_REPLICATES {
        format!(
            "{resamples} resamples × {n_stats} statistics (3 per entity type) are {replicates} replicates, above the {MAX_NER_REPLICATES} held at most"
        )
    } else {
        format!(
            "{sentences} sentences × {n_stats} statistics (3 per entity type) are {work} evaluations, above the {MAX_NER_WORK} allowed"
        )
    };
    Some(Check::new(
        "bootstrap_skipped",
        Severity::Warn,
        format!(
            "No intervals: the sentence bootstrap over {n_types} entity types is too large ({cause}). Lower --bootstrap, or merge rare entity types; --bootstrap 0 turns intervals off without this note."
        ),
    ))
}

/// Why a metric's sentence-bootstrap interval should not be trusted on counts this small (the
/// classification rule, for entities): fewer than [`MIN_MINORITY`] gold entities (or fewer than
/// [`MIN_PREDICTED`] predicted) behind the micro and weighted averages, in the rarest gold type
/// behind the macro averages, or fewer than [`MIN_MINORITY`] wrong (or right) tokens behind
/// token accuracy. Sparse entities in 50 sentences covered 85–88% without it.
fn ner_minority_note(key: &str, scores: &NerScores, totals: &NerCounts) -> Option<String> {
    let note = too_few_note;
    let entities = |gold: u64, predicted: u64, in_what: &str| {
        let what = |side: &str| [format!("{side} entity{in_what}"), format!("{side} entities{in_what}")];
        if gold < MIN_MINORITY {
            let [one, many] = what("gold");
            Some(note(gold, [&one, &many], MIN_MINORITY))
        } else {
            let [one, many] = what("predicted");
            (predicted < MIN_PREDICTED).then(|| note(predicted, [&one, &many], MIN_PREDICTED))
        }
    };
    match key {
        "token_accuracy" => {
            let wrong = totals.token_total - totals.token_correct;
            let (few, what) = if wrong <= totals.token_correct {
                (wrong, ["wrong token", "wrong tokens"])
            } else {
                (totals.token_correct, ["correct token", "correct tokens"])
            };
            (few < MIN_MINORITY).then(|| note(few, what, MIN_MINORITY))
        }
        "f1_macro" | "precision_macro" | "recall_macro" => {
            let rarest = scores.per_type.iter().filter(|t| t.support > 0).min_by_key(|t| (t.support, t.predicted));
            match rarest {
                Some(t) => entities(t.support, t.predicted, " in the rarest type"),
                None => entities(0, scores.predicted, ""),
            }
        }
        _ => entities(scores.support, scores.predicted, ""),
    }
}

/// For statistics the sentence bootstrap cannot vary and that sit between 0 and 1 (a macro
/// average of perfect types and a type that never occurs in gold): the range they take when
/// `e` sentences — Wilson's bound on an unseen error rate, as for classification rows — each
/// change one prediction: of one entity type, a correct entity predicted with a wrong span or
/// missed, a wrong one made right or dropped, a missed one found, a spurious one added; or one
/// token's tag. NaN values (an average left without entities) are skipped.
fn perturbed_range(totals: &NerCounts, n_types: usize, n_stats: usize, e: u64) -> Vec<(f64, f64)> {
    let mut range = vec![(f64::INFINITY, f64::NEG_INFINITY); n_stats];
    let mut out = vec![0.0; n_stats];
    let mut widen = |c: &NerCounts| {
        ner_statistics(c, n_types, &mut out);
        for (r, &v) in range.iter_mut().zip(&out) {
            if v.is_finite() {
                *r = (r.0.min(v), r.1.max(v));
            }
        }
    };
    for t in 0..totals.per_type.len() {
        let TypeCounts { tp, pred, gold } = totals.per_type[t];
        if gold == 0 && pred == 0 {
            continue;
        }
        let changes: [(i64, i64); 6] = [
            (-(e.min(tp) as i64), 0),                           // right → wrong span
            (-(e.min(tp) as i64), -(e.min(tp) as i64)),         // right → missed
            (e.min(gold - tp).min(pred - tp) as i64, 0),        // wrong → right
            (0, -(e.min(pred - tp) as i64)),                    // spurious → dropped
            (0, e as i64),                                      // a spurious one added
            (e.min(gold - tp) as i64, e.min(gold - tp) as i64), // missed → found
        ];
        for (d_tp, d_pred) in changes {
            let mut c = totals.clone();
            c.per_type[t].tp = (tp as i64 + d_tp) as u64;
            c.per_type[t].pred = (pred as i64 + d_pred) as u64;
            widen(&c);
        }
    }
    let (right, total) = (totals.token_correct, totals.token_total);
    for correct in [right - e.min(right), right + e.min(total - right)] {
        widen(&NerCounts { token_correct: correct, ..totals.clone() });
    }
    range
}

/// Why a metric is null.
fn ner_undefined_reason(key: &str) -> &'static str {
    match key {
        "token_accuracy" => "there are no tokens",
        _ => "there is no entity in gold or predictions: seqeval's macro average is 0/0 (NaN)",
    }
}

/// Evaluates a tagger from its per-sentence statistics: micro/macro/weighted precision, recall
/// and F1 over entities, token accuracy, the per-type table, intervals from resampling
/// sentences, and the checks.
pub fn evaluate_ner_metrics(stats: &NerStats, config: &BootstrapConfig) -> Evaluation {
    let n_types = stats.n_types();
    let n_stats = NER_METRIC_KEYS.len() + 3 * n_types;
    let totals = stats.totals();
    let mut point = vec![0.0; n_stats];
    ner_statistics(&totals, n_types, &mut point);

    let mut intervals: Vec<Option<Interval>> = vec![None; n_stats];
    let mut undefined = vec![0usize; n_stats];
    let mut constant = vec![false; n_stats];
    let n_sentences = stats.n_sentences() as u64;
    let skipped = bootstrap_too_large(n_sentences as usize, n_types, n_stats, config.resamples);
    if config.resamples > 0 && n_sentences > 1 && skipped.is_none() {
        let accel = jackknife_accelerations(stats, &totals, n_types, n_stats);
        let mut reps = sentence_bootstrap(stats, config, n_stats);
        for (j, r) in reps.iter_mut().enumerate() {
            let p = bca_interval(r, config.level, point[j], accel[j]);
            // A zero-width interval from resamples that do vary (sparse entities: nearly every
            // resample scores 1) is as degenerate as a constant one.
            constant[j] = bootstrap_degenerate(p.interval, r, point[j]);
            intervals[j] = p.interval;
            undefined[j] = p.undefined;
        }
    }
    let single = n_sentences == 1;
    let cause = if single {
        "the file has a single sentence (blank lines between sentences missing?)"
    } else {
        "(nearly) every resample of the sentences gives the same value"
    };
    let mut degenerate: Vec<(String, &str, bool)> = Vec::new();
    let scores = totals.scores();
    // Where the bootstrap cannot vary: at 0 or 1 Wilson's bound over the sentences, in between
    // the range when a plausible number of sentences change one prediction each. None when
    // there is nothing to resample (a single sentence) or no change of predictions moves the
    // value (the F1 of a type that never occurs in gold is 0 whatever is predicted).
    let changed = plausible_failures(n_sentences, config.level);
    let mut range: Option<Vec<(f64, f64)>> = None;
    let mut fallback = |j: usize| -> Option<Interval> {
        if single {
            return None;
        }
        let (low, high) = range.get_or_insert_with(|| perturbed_range(&totals, n_types, n_stats, changed))[j];
        let (low, high) = (low.min(point[j]), high.max(point[j]));
        if !(high > low) {
            return None;
        }
        end_bound(point[j], n_sentences, 1.0, config.level).or(Some(Interval { low, high }))
    };
    let fallback_note = format!(
        "the sentence bootstrap cannot vary: {cause}; the interval is the range when {} change one prediction each",
        checks::count(changed as f64, "sentence", "sentences")
    );

    let metrics: Vec<(String, MetricResult)> = NER_METRIC_KEYS
        .iter()
        .enumerate()
        .map(|(j, key)| {
            let r = if point[j].is_nan() {
                MetricResult::undefined(ner_undefined_reason(key))
            } else if skipped.is_some() {
                MetricResult::point(point[j])
            } else if config.resamples > 0 && (single || constant[j]) {
                // One resampling unit, or none that differ: no bootstrap width.
                let bound = fallback(j);
                degenerate.push((key.to_string(), cause, bound.is_some()));
                let mut r = MetricResult::point(point[j]).with_interval(bound, ci_method::CHANGED_ROWS_BOUND);
                if bound.is_none() {
                    let fixed = if single { "" } else { ", and no change of a few predictions moves the value" };
                    r.reason = Some(format!("no interval: {cause}{fixed}"));
                    r.unreliable = Some(format!("the sentence bootstrap cannot vary: {cause}"));
                } else {
                    r.unreliable = Some(fallback_note.clone());
                }
                r
            } else {
                let mut r = MetricResult::point(point[j]).with_interval(intervals[j], ci_method::BOOTSTRAP_BCA);
                r.unreliable = ner_minority_note(key, &scores, &totals);
                if undefined[j] > 0 {
                    r.reason = Some(format!(
                        "undefined on {} of {} bootstrap resamples (no entity drawn); the interval uses the others",
                        undefined[j], config.resamples
                    ));
                }
                r
            };
            (key.to_string(), r)
        })
        .collect();

    let base = NER_METRIC_KEYS.len();
    let per_class: Vec<ClassRow> = scores
        .per_type
        .iter()
        .map(|t| {
            let j = base + 3 * t.type_id as usize;
            // A per-type interval the bootstrap cannot vary gets the same fallback bound.
            let mut note = None;
            let mut iv = |i: usize| {
                let bound = (config.resamples > 0 && constant[i] && !point[i].is_nan()).then(|| fallback(i)).flatten();
                if bound.is_some() {
                    note = Some(fallback_note.clone());
                }
                // A value no change of predictions moves keeps its (zero-width) bootstrap interval.
                bound.or(intervals[i])
            };
            let (precision_ci, recall_ci, f1_ci) = (iv(j), iv(j + 1), iv(j + 2));
            ClassRow {
                label: stats.types[t.type_id as usize].clone(),
                precision: t.precision,
                recall: t.recall,
                f1: t.f1,
                support: t.support,
                predicted: t.predicted,
                precision_ci: interval_pair(precision_ci),
                recall_ci: interval_pair(recall_ci),
                unreliable: note,
                f1_ci: interval_pair(f1_ci),
            }
        })
        .collect();

    let mut checks = ner_checks(&scores, &per_class);
    checks.extend(skipped);
    if config.resamples > 0 {
        checks.extend(checks::small_sample(n_sentences, "sentences", SMALL_SAMPLE));
        checks.extend(checks::degenerate_interval(&degenerate, "sentences"));
        checks.extend(unreliable_check(&metrics));
    }
    Evaluation {
        task: Task::Ner,
        n: stats.n_sentences() as u64,
        labels: per_class.iter().map(|r| r.label.clone()).collect(),
        positive_label: None,
        metrics,
        per_class,
        confusion: None,
        checks,
        config: *config,
    }
}

/// The checks of an NER evaluation, worded for entities.
fn ner_checks(scores: &NerScores, per_class: &[ClassRow]) -> Vec<Check> {
    let mut out = Vec::new();
    if scores.support == 0 && scores.predicted == 0 {
        out.push(Check::new(
            "no_entities",
            Severity::Warn,
            "Neither gold nor predictions contain an entity: precision, recall and F1 are 0 by seqeval's convention and the macro averages are undefined. \
             Check that the tag columns are the right ones and that tags carry a type (B-PER, not B).",
        ));
        return out;
    }
    if scores.support == 0 {
        out.push(Check::new(
            "no_gold_entities",
            Severity::Warn,
            "Gold contains no entity, so recall is 0/0 (reported as 0) and every predicted entity is a false positive. Check that the gold tag column is the right one.",
        ));
    }
    let never: Vec<String> = per_class
        .iter()
        .filter(|r| r.support > 0 && r.predicted == 0)
        .map(|r| format!("'{}' ({})", r.label, checks::count(r.support as f64, "gold entity", "gold entities")))
        .collect();
    if !never.is_empty() {
        out.push(Check::new(
            "class_never_predicted",
            Severity::Warn,
            format!(
                "The model never predicts entity type {}: its recall there is 0 and it pulls the macro F1 down. Check that the label map of training and inference agree and that the type was in the training data.",
                checks::listing(&never)
            ),
        ));
    }
    let extra: Vec<String> = per_class
        .iter()
        .filter(|r| r.support == 0 && r.predicted > 0)
        .map(|r| {
            format!("'{}' ({})", r.label, checks::count(r.predicted as f64, "predicted entity", "predicted entities"))
        })
        .collect();
    if !extra.is_empty() {
        out.push(Check::new(
            "label_space_mismatch",
            Severity::Warn,
            format!(
                "Predicted entity types that never occur in gold: {}. Check that gold and predictions use the same type names (PER vs PERSON) and the same tag set.",
                checks::listing(&extra)
            ),
        ));
    }
    let entities = |n: u64| checks::count(n as f64, "entity", "entities");
    let small: Vec<String> = per_class
        .iter()
        .filter(|r| r.support > 0 && r.support < SMALL_SUPPORT)
        .map(|r| match r.f1_ci.map(|[l, h]| h - l).filter(|&w| w > 0.0) {
            Some(w) => format!("'{}' ({}, F1 CI {:.2} wide)", r.label, entities(r.support), w),
            None => format!("'{}' ({})", r.label, entities(r.support)),
        })
        .collect();
    if !small.is_empty() {
        out.push(Check::new(
            "small_support",
            Severity::Warn,
            format!(
                "Fewer than {SMALL_SUPPORT} gold entities for {}: per-type numbers there are noise. Collect more test sentences before drawing conclusions about these types.",
                checks::listing(&small)
            ),
        ));
    }
    let zero: Vec<String> =
        per_class.iter().filter(|r| r.predicted == 0).map(|r| format!("precision of '{}'", r.label)).collect();
    if !zero.is_empty() {
        out.push(Check::new(
            "undefined_metric",
            Severity::Info,
            format!(
                "Set to 0 because the denominator is empty (seqeval's zero_division): {}. Macro averages that include these zeros are pulled down.",
                checks::listing(&zero)
            ),
        ));
    }
    out
}

/// Entity F1 at or below which a tagger that is no better than all-O has found no entities.
const NEAR_ZERO_F1: f64 = 0.05;
/// Distinct non-tags named in the message.
const NON_TAG_EXAMPLES: usize = 5;

/// The checks that need the tags themselves, not only their counts: predicted non-tags and a
/// tagger collapsed onto `O`.
pub fn tag_checks(seqs: &NerSequences, stats: &NerStats, suffix: bool) -> Vec<Check> {
    let scores = stats.totals().scores();
    [non_tag_check(seqs, suffix), collapse_check(seqs, &scores)].into_iter().flatten().collect()
}

/// `predicted_non_tags`: predicted tags that are not written as NER tags (`[SEP]`, `<pad>`,
/// `X`, `-100`) and never occur in gold. They are scored as seqeval scores them (as entities of
/// the type seqeval reads from them, e.g. `SEP]`), and the check says so and what to do.
pub fn non_tag_check(seqs: &NerSequences, suffix: bool) -> Option<Check> {
    let n_tags = seqs.vocab.len();
    let mut in_gold = vec![false; n_tags];
    // Per predicted tag: tokens, and the first (sentence, token) where it occurs.
    let mut count = vec![0u64; n_tags];
    let mut first: Vec<Option<(usize, usize)>> = vec![None; n_tags];
    for s in 0..seqs.n_sentences() {
        seqs.gold(s).iter().for_each(|&g| in_gold[g as usize] = true);
        for (t, &p) in seqs.pred(s).iter().enumerate() {
            count[p as usize] += 1;
            first[p as usize].get_or_insert((s, t));
        }
    }
    let mut non_tags: Vec<usize> =
        (0..n_tags).filter(|&i| count[i] > 0 && !in_gold[i] && !looks_like_tag(seqs.vocab.name(i as u32))).collect();
    if non_tags.is_empty() {
        return None;
    }
    non_tags.sort_by_key(|&i| std::cmp::Reverse(count[i]));
    let total: u64 = non_tags.iter().map(|&i| count[i]).sum();
    let listed: Vec<String> = non_tags
        .iter()
        .take(NON_TAG_EXAMPLES)
        .map(|&i| {
            let tag = seqs.vocab.name(i as u32);
            let (s, t) = first[i].unwrap_or_default();
            let read = match seqeval_entity_type(tag, suffix) {
                Some(ty) => format!("seqeval reads it as entity type '{ty}'"),
                None => "seqeval reads it as outside".to_string(),
            };
            format!("'{tag}' on {} token(s), first in sentence {} token {} ({read})", count[i], s + 1, t + 1)
        })
        .collect();
    let more = non_tags.len().saturating_sub(NON_TAG_EXAMPLES);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    Some(Check::new(
        "predicted_non_tags",
        Severity::Warn,
        format!(
            "The model predicts tags that are not NER tags and never occur in gold on {total} of {} tokens: {}{more}. \
             They are scored as seqeval scores them (its numbers stay equal): each becomes a predicted entity of that type, a false positive that lowers precision and F1, and the per-type table lists the type. \
             Such tags come from special tokens ([CLS], [SEP], padding) or sub-word pieces left in when predictions were mapped back to words: keep one prediction per word (the first sub-word's), drop special tokens, or map these tags to O before evaluating.",
            seqs.n_tokens(),
            listed.join("; ")
        ),
    ))
}

/// `entities_collapsed`: entity F1 near 0 while token accuracy is no better than tagging every
/// token `O` — the tagger has collapsed onto `O` (or onto tags that are not entities).
pub fn collapse_check(seqs: &NerSequences, scores: &NerScores) -> Option<Check> {
    let accuracy = scores.token_accuracy?;
    let outside = seqs.vocab.get("O");
    let (mut gold_o, mut pred_o, mut tokens) = (0u64, 0u64, 0u64);
    for s in 0..seqs.n_sentences() {
        gold_o += seqs.gold(s).iter().filter(|&&g| Some(g) == outside).count() as u64;
        pred_o += seqs.pred(s).iter().filter(|&&p| Some(p) == outside).count() as u64;
        tokens += seqs.gold(s).len() as u64;
    }
    let baseline = gold_o as f64 / tokens.max(1) as f64;
    if scores.support == 0 || scores.f1 > NEAR_ZERO_F1 || accuracy > baseline + 1e-12 {
        return None;
    }
    Some(Check::new(
        "entities_collapsed",
        Severity::Warn,
        format!(
            "Entity F1 is {:.3} and token accuracy {accuracy:.3} is no better than {baseline:.3}, what tagging every token O scores; the model tags {:.1}% of tokens O (gold {:.1}%). \
             The tagger has learned no entities or its output is misaligned: check that inference uses the training label map (id2label), that predictions are aligned to the words (one per word, special tokens dropped), and that training converged.",
            scores.f1,
            100.0 * pred_o as f64 / tokens.max(1) as f64,
            100.0 * baseline
        ),
    ))
}

/// `truncated_sentences`: predictions cut short (a model's maximum length) that were scored on
/// their first tokens only, as `--allow-truncated` asks.
pub fn truncation_check(sentences: usize, dropped_gold_tokens: usize, first: Option<usize>) -> Option<Check> {
    if sentences == 0 {
        return None;
    }
    Some(Check::new(
        "truncated_sentences",
        Severity::Warn,
        format!(
            "{sentences} predicted sentence(s) were shorter than gold (first: sentence {}) and were scored on their predicted tokens only; {dropped_gold_tokens} gold tokens (and any entities in them) are not counted. \
             The numbers are those of the truncated input, as the training script reported them; raise the model's maximum length to score every token.",
            first.map_or(0, |s| s + 1)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::ner::{evaluate_ner, NerOptions, NerSequences};

    fn tags(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    fn metric<'a>(e: &'a Evaluation, key: &str) -> &'a MetricResult {
        &e.metrics.iter().find(|(k, _)| k == key).unwrap().1
    }

    #[test]
    fn point_values_are_seqevals_and_intervals_contain_them() {
        let gold = vec![tags("B-PER I-PER O B-LOC"), tags("O B-ORG O"), tags("B-PER O")];
        let pred = vec![tags("B-PER I-PER O B-ORG"), tags("O B-ORG O"), tags("O O")];
        let seqs = NerSequences::from_lists(&gold, &pred).unwrap();
        let stats = evaluate_ner(&seqs, &NerOptions::default()).unwrap();
        let e = evaluate_ner_metrics(&stats, &BootstrapConfig { resamples: 200, level: 0.95, seed: 1 });
        // 2 of 3 predicted entities correct, 2 of 4 gold found.
        assert!((metric(&e, "precision").value.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((metric(&e, "recall").value.unwrap() - 0.5).abs() < 1e-12);
        for (_, m) in &e.metrics {
            let v = m.value.unwrap();
            assert!(m.ci_low.unwrap() <= v && v <= m.ci_high.unwrap());
        }
        assert_eq!(e.per_class.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["LOC", "ORG", "PER"]);
        assert!(e.checks.iter().any(|c| c.id == "class_never_predicted" && c.message.contains("'LOC'")));
        assert_eq!(e.n, 3);
    }

    /// A file without sentence breaks is one sentence: no resampling width, said by checks.
    #[test]
    fn one_sentence_and_few_sentences_are_flagged() {
        let gold = vec![tags("B-PER I-PER O B-LOC O B-ORG")];
        let pred = vec![tags("B-PER I-PER O B-ORG O B-ORG")];
        let stats = evaluate_ner(&NerSequences::from_lists(&gold, &pred).unwrap(), &NerOptions::default()).unwrap();
        let e = evaluate_ner_metrics(&stats, &BootstrapConfig::default());
        let f1 = metric(&e, "f1");
        assert!(f1.ci_low.is_none() && f1.unreliable.is_some());
        let ids: Vec<&str> = e.checks.iter().map(|c| c.id.as_str()).collect();
        assert!(ids.contains(&"degenerate_interval") && ids.contains(&"small_sample"), "{ids:?}");
        let d = e.checks.iter().find(|c| c.id == "degenerate_interval").unwrap();
        assert!(d.message.contains("single sentence"), "{}", d.message);
    }

    /// Random tags over `n_types` types in `n` sentences.
    fn random_stats(n: usize, n_types: usize, seed: u64) -> NerStats {
        let mut rng = Rng::new(seed, 0);
        let sentence = |rng: &mut Rng| -> Vec<String> {
            (0..1 + rng.below(6))
                .map(|_| match rng.below(3) {
                    0 => "O".to_string(),
                    1 => format!("B-T{}", rng.below(n_types as u64)),
                    _ => format!("I-T{}", rng.below(n_types as u64)),
                })
                .collect()
        };
        let (mut gold, mut pred) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let g = sentence(&mut rng);
            let mut p = g.clone();
            if rng.below(2) == 0 {
                let i = rng.below(p.len() as u64) as usize;
                p[i] = format!("B-T{}", rng.below(n_types as u64));
            }
            gold.push(g);
            pred.push(p);
        }
        fn view(v: &[Vec<String>]) -> Vec<Vec<&str>> {
            v.iter().map(|s| s.iter().map(|t| t.as_str()).collect()).collect()
        }
        evaluate_ner(&NerSequences::from_lists(&view(&gold), &view(&pred)).unwrap(), &NerOptions::default()).unwrap()
    }

    /// The streamed sentence bootstrap gives exactly the replicates of [`bootstrap_sums`] over
    /// the dense [`sentence_counts`], across more resamples than one block.
    #[test]
    fn streamed_sentence_bootstrap_equals_the_dense_sums() {
        for (n, n_types, seed) in [(2usize, 1usize, 1u64), (40, 3, 2), (300, 25, 3)] {
            let stats = random_stats(n, n_types, seed);
            let n_stats = NER_METRIC_KEYS.len() + 3 * stats.n_types();
            let config = BootstrapConfig { resamples: 300, level: 0.95, seed: 9 };
            let got = sentence_bootstrap(&stats, &config, n_stats);
            let mut out = vec![0.0; n_stats];
            for (b, sum) in bootstrap_sums(&sentence_counts(&stats), config.resamples, config.seed).iter().enumerate() {
                ner_statistics(sum, stats.n_types(), &mut out);
                for (j, &v) in out.iter().enumerate() {
                    assert!(v.to_bits() == got[j][b].to_bits(), "stat {j} resample {b}: {v} vs {}", got[j][b]);
                }
            }
        }
    }

    /// A bootstrap over too many entity types is left out with a check naming the sizes; the
    /// point values stay.
    #[test]
    fn too_large_a_bootstrap_is_skipped_with_a_check() {
        let stats = random_stats(200, 40, 4);
        let n_stats = NER_METRIC_KEYS.len() + 3 * stats.n_types();
        let resamples = MAX_NER_REPLICATES / n_stats + 1;
        let e = evaluate_ner_metrics(&stats, &BootstrapConfig { resamples, level: 0.95, seed: 1 });
        let c = e.checks.iter().find(|c| c.id == "bootstrap_skipped").expect("a bootstrap_skipped check");
        assert!(
            c.message.contains(&format!("{resamples} resamples")) && c.message.contains("--bootstrap"),
            "{}",
            c.message
        );
        let f1 = metric(&e, "f1");
        assert!(f1.value.is_some() && f1.ci_low.is_none());
        let small = evaluate_ner_metrics(&stats, &BootstrapConfig { resamples: 50, level: 0.95, seed: 1 });
        assert!(small.checks.iter().all(|c| c.id != "bootstrap_skipped"));
        assert_eq!(metric(&small, "f1").value, f1.value);
        assert!(bootstrap_too_large(60_000, 50_000, 150_010, 1000).is_some());
        assert!(bootstrap_too_large(60_000, 20, 70, 1000).is_none());
    }

    #[test]
    fn no_entities_leaves_macro_undefined() {
        let gold = vec![tags("O O")];
        let stats = evaluate_ner(&NerSequences::from_lists(&gold, &gold).unwrap(), &NerOptions::default()).unwrap();
        let e = evaluate_ner_metrics(&stats, &BootstrapConfig::default());
        let m = metric(&e, "f1_macro");
        assert!(m.value.is_none() && m.reason.is_some());
        assert_eq!(metric(&e, "token_accuracy").value, Some(1.0));
        assert!(e.checks.iter().any(|c| c.id == "no_entities"));
    }
}

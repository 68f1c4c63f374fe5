//! NER models on the same gold sentences: entity-level metrics resampled by sentence.

use std::collections::BTreeMap;

use super::{
    compare_layout, pick_flips, rank_layout, Layout, TextComparison, TextFlip, TextFlips, TextOptions, TextRanking,
};
use crate::data::Task;
use crate::metrics::ner::{changed_sentences, NerCounts, NerStats, TypeCounts};

/// seqeval's numbers that a comparison reports, in report order.
const KEYS: [&str; 10] = [
    "precision",
    "recall",
    "f1",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "token_accuracy",
];

/// Columns per system: (tp, predicted, gold) per entity type of the union of every model's
/// types, then correct and total tokens.
struct NerLayout<'a> {
    systems: Vec<&'a NerStats>,
    /// `type_map[s][t]`: system s's type t in the union.
    type_map: Vec<Vec<usize>>,
    n_types: usize,
    keys: Vec<(String, bool)>,
}

impl<'a> NerLayout<'a> {
    fn new(systems: Vec<&'a NerStats>) -> NerLayout<'a> {
        let n = systems.first().map_or(0, |s| s.n_sentences());
        for s in &systems {
            assert_eq!(s.n_sentences(), n, "every model is evaluated on the same sentences");
        }
        // Union of the types, in seqeval's (code point) order.
        let mut union: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &systems {
            for t in &s.types {
                union.insert(t, 0);
            }
        }
        for (i, v) in union.values_mut().enumerate() {
            *v = i;
        }
        let type_map = systems.iter().map(|s| s.types.iter().map(|t| union[t.as_str()]).collect()).collect();
        NerLayout {
            n_types: union.len(),
            systems,
            type_map,
            keys: KEYS.iter().map(|k| (k.to_string(), true)).collect(),
        }
    }
}

impl Layout for NerLayout<'_> {
    fn task(&self) -> Task {
        Task::Ner
    }

    fn systems(&self) -> usize {
        self.systems.len()
    }

    fn n(&self) -> usize {
        self.systems.first().map_or(0, |s| s.n_sentences())
    }

    fn width(&self) -> usize {
        3 * self.n_types + 2
    }

    fn keys(&self) -> &[(String, bool)] {
        &self.keys
    }

    fn fill(&self, s: usize, i: usize, out: &mut [f64]) {
        let stats = self.systems[s];
        for r in stats.sentence_rows(i) {
            let t = self.type_map[s][r.type_id as usize];
            out[3 * t] = r.tp as f64;
            out[3 * t + 1] = r.pred as f64;
            out[3 * t + 2] = r.gold as f64;
        }
        let (correct, total) = stats.sentence_tokens(i);
        out[3 * self.n_types] = correct as f64;
        out[3 * self.n_types + 1] = total as f64;
    }

    fn values(&self, sums: &[f64], out: &mut [f64]) {
        let t = self.n_types;
        let counts = NerCounts {
            per_type: (0..t)
                .map(|k| TypeCounts {
                    tp: sums[3 * k] as u64,
                    pred: sums[3 * k + 1] as u64,
                    gold: sums[3 * k + 2] as u64,
                })
                .collect(),
            token_correct: sums[3 * t] as u64,
            token_total: sums[3 * t + 1] as u64,
        };
        let s = counts.scores();
        let or_nan = |x: Option<f64>| x.unwrap_or(f64::NAN);
        out.copy_from_slice(&[
            s.precision,
            s.recall,
            s.f1,
            or_nan(s.precision_macro),
            or_nan(s.recall_macro),
            or_nan(s.f1_macro),
            s.precision_weighted,
            s.recall_weighted,
            s.f1_weighted,
            or_nan(s.token_accuracy),
        ]);
    }
}

/// Entity F1 of one sentence from (tp, fp, fn): 1 when neither side has an entity.
fn sentence_f1((tp, fp, fn_): (u32, u32, u32)) -> f64 {
    let denom = 2 * tp + fp + fn_;
    if denom == 0 {
        1.0
    } else {
        2.0 * tp as f64 / denom as f64
    }
}

/// Sentences whose entity errors (false positives + false negatives) rose (broken) or fell
/// (fixed), most changed first; ties by the change in sentence F1.
fn ner_flips(baseline: &NerStats, candidate: &NerStats, max: usize) -> TextFlips {
    let (mut worse, mut better) = (Vec::new(), Vec::new());
    for c in changed_sentences(baseline, candidate) {
        let (fa, fb) = (sentence_f1(c.baseline), sentence_f1(c.candidate));
        let flip = TextFlip {
            row: c.sentence,
            baseline: fa,
            candidate: fb,
            baseline_errors: Some(c.baseline),
            candidate_errors: Some(c.candidate),
        };
        let d = c.error_delta();
        if d > 0 {
            worse.push((flip, d as f64, fa - fb));
        } else if d < 0 {
            better.push((flip, -d as f64, fb - fa));
        }
    }
    let (broken, fixed) = (worse.len() as u64, better.len() as u64);
    let (broken_rows, fixed_rows) = pick_flips(worse, better, max);
    TextFlips {
        metric: "sentence_f1".into(),
        higher_is_better: true,
        broken,
        fixed,
        unchanged: baseline.n_sentences() as u64 - broken - fixed,
        broken_rows,
        fixed_rows,
    }
}

/// Compares two NER models evaluated on the same gold sentences (the caller has checked that
/// the gold tags agree): paired sentence-bootstrap deltas of every entity-level metric, and the
/// sentences whose entity errors changed most.
pub fn compare_ner(baseline: &NerStats, candidate: &NerStats, options: &TextOptions) -> TextComparison {
    let layout = NerLayout::new(vec![baseline, candidate]);
    let flips = ner_flips(baseline, candidate, options.max_examples);
    compare_layout(&layout, options, flips, Vec::new())
}

/// Ranks NER models evaluated on the same gold sentences on `primary` (e.g. `f1`).
pub fn rank_ner(models: &[&NerStats], primary: &str, options: &TextOptions) -> Result<TextRanking, String> {
    let layout = NerLayout::new(models.to_vec());
    rank_layout(&layout, primary, options, Vec::new())
}

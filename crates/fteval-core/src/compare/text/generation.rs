//! Generation models on the same examples: corpus BLEU and chrF from summed n-gram statistics,
//! per-example means (SQuAD, ROUGE, loss), perplexity, resampled by example.

use std::ops::Range;

use super::{
    compare_layout, higher_is_better, missing_metrics_check, pick_flips, rank_layout, Layout, TextComparison, TextFlip,
    TextFlips, TextOptions, TextRanking,
};
use crate::data::Task;
use crate::metrics::generation::bleu::{bleu_score, BleuConfig, BleuStats, MAX_ORDER};
use crate::metrics::generation::chrf::{chrf_score, ChrfConfig, ChrfStats};

/// One model's per-example statistics. Every model's vectors cover the same examples in the
/// same order; a metric is compared when every model has it.
#[derive(Clone, Debug, Default)]
pub struct GenerationExamples {
    /// sacreBLEU BLEU statistics per example (`bleu_stats`).
    pub bleu: Option<Vec<BleuStats>>,
    /// chrF statistics per example (`chrf_stats_for` with [`GenerationConfigs::chrf`]).
    pub chrf: Option<Vec<ChrfStats>>,
    /// chrF++ statistics per example ([`GenerationConfigs::chrf_pp`]).
    pub chrf_pp: Option<Vec<ChrfStats>>,
    /// Metrics whose corpus value is the mean of per-example values, by key: `exact_match`,
    /// `token_f1`, `rouge1`, `rouge2`, `rougeL`, `rougeLsum`, `loss`.
    pub means: Vec<(String, Vec<f64>)>,
    /// Tokens per example: with a `loss` mean, perplexity = exp(Σ loss·tokens / Σ tokens).
    pub tokens: Option<Vec<f64>>,
}

impl GenerationExamples {
    /// Number of examples (of the first metric present).
    pub fn len(&self) -> usize {
        self.bleu
            .as_ref()
            .map(Vec::len)
            .or(self.chrf.as_ref().map(Vec::len))
            .or(self.chrf_pp.as_ref().map(Vec::len))
            .or(self.means.first().map(|(_, v)| v.len()))
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn mean(&self, key: &str) -> Option<&[f64]> {
        self.means.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_slice())
    }
}

/// The BLEU and chrF settings the statistics were computed with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GenerationConfigs {
    pub bleu: BleuConfig,
    pub chrf: ChrfConfig,
    pub chrf_pp: ChrfConfig,
}

impl Default for GenerationConfigs {
    fn default() -> Self {
        GenerationConfigs { bleu: BleuConfig::default(), chrf: ChrfConfig::chrf(), chrf_pp: ChrfConfig::chrf_pp() }
    }
}

/// Key order of the report (SPEC's), other means after these.
const ORDER: [&str; 11] = [
    "exact_match",
    "token_f1",
    "bleu",
    "chrf",
    "chrf_pp",
    "rouge1",
    "rouge2",
    "rougeL",
    "rougeLsum",
    "loss",
    "perplexity",
];

/// How a metric is computed from one system's summed columns starting at `col`.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Bleu,
    Chrf(ChrfConfig),
    Mean,
    /// (Σ loss·tokens, Σ tokens).
    Perplexity,
}

const BLEU_COLS: usize = 2 + 2 * MAX_ORDER;

fn chrf_orders(c: &ChrfConfig) -> usize {
    c.char_order + c.word_order
}

impl Kind {
    fn width(self) -> usize {
        match self {
            Kind::Bleu => BLEU_COLS,
            Kind::Chrf(c) => 3 * chrf_orders(&c),
            Kind::Mean => 1,
            Kind::Perplexity => 2,
        }
    }
}

struct Metric {
    key: String,
    kind: Kind,
    col: usize,
}

struct GenLayout<'a> {
    systems: Vec<&'a GenerationExamples>,
    n: usize,
    metrics: Vec<Metric>,
    keys: Vec<(String, bool)>,
    width: usize,
    bleu_config: BleuConfig,
    /// Columns of BLEU and chrF (first in the row).
    ar_cols: usize,
}

impl<'a> GenLayout<'a> {
    /// The layout of the metrics every system has, and (key, systems that have it) for the
    /// ones only some have.
    fn new(
        systems: Vec<&'a GenerationExamples>,
        configs: &GenerationConfigs,
    ) -> (GenLayout<'a>, Vec<(String, Vec<usize>)>) {
        let n = systems.first().map_or(0, |s| s.len());
        let mut missing = Vec::new();
        let mut present = |key: &str, has: &dyn Fn(&GenerationExamples) -> Option<usize>| -> bool {
            let have: Vec<usize> = (0..systems.len()).filter(|&s| has(systems[s]).is_some()).collect();
            for &s in &have {
                let len = has(systems[s]).unwrap();
                assert_eq!(
                    len, n,
                    "model {s} has {len} values of {key}, expected {n}: every model covers the same examples"
                );
            }
            if have.len() == systems.len() {
                true
            } else {
                if !have.is_empty() {
                    missing.push((key.to_string(), have));
                }
                false
            }
        };
        let mut kinds: Vec<(String, Kind)> = Vec::new();
        if present("bleu", &|s| s.bleu.as_ref().map(Vec::len)) {
            kinds.push(("bleu".into(), Kind::Bleu));
        }
        if present("chrf", &|s| s.chrf.as_ref().map(Vec::len)) {
            kinds.push(("chrf".into(), Kind::Chrf(configs.chrf)));
        }
        if present("chrf_pp", &|s| s.chrf_pp.as_ref().map(Vec::len)) {
            kinds.push(("chrf_pp".into(), Kind::Chrf(configs.chrf_pp)));
        }
        let ar_kinds = kinds.len();
        // Mean keys in the first system's order, those all have.
        let mean_keys: Vec<String> =
            systems.first().map(|s| s.means.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
        let mut all_keys: Vec<String> = mean_keys.clone();
        for s in &systems {
            for (k, _) in &s.means {
                if !all_keys.contains(k) {
                    all_keys.push(k.clone());
                }
            }
        }
        for key in &all_keys {
            if present(key, &|s| s.mean(key).map(<[f64]>::len)) {
                kinds.push((key.clone(), Kind::Mean));
            }
        }
        let has_loss = kinds.iter().any(|(k, _)| k == "loss");
        if has_loss && present("perplexity", &|s| s.tokens.as_ref().map(Vec::len)) {
            kinds.push(("perplexity".into(), Kind::Perplexity));
        }
        let mut metrics = Vec::new();
        let mut col = 0;
        for (i, (key, kind)) in kinds.into_iter().enumerate() {
            metrics.push(Metric { key, kind, col });
            col += kind.width();
            let _ = i;
        }
        let ar_cols = metrics[..ar_kinds].iter().map(|m| m.kind.width()).sum();
        let width = col;
        // Report order: SPEC's keys first, then the other means as given.
        let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
        metrics.sort_by_key(|m| rank(&m.key));
        let keys = metrics.iter().map(|m| (m.key.clone(), higher_is_better(&m.key))).collect();
        (GenLayout { systems, n, metrics, keys, width, bleu_config: configs.bleu, ar_cols }, missing)
    }

    fn metric_value(&self, m: &Metric, sums: &[f64]) -> f64 {
        let s = &sums[m.col..m.col + m.kind.width()];
        match m.kind {
            Kind::Bleu => bleu_score(&bleu_from(s), &self.bleu_config).score,
            Kind::Chrf(c) => chrf_score(&chrf_from(s, &c), &c),
            Kind::Mean => {
                if self.n == 0 {
                    f64::NAN
                } else {
                    s[0] / self.n as f64
                }
            }
            Kind::Perplexity => {
                if s[1] > 0.0 {
                    (s[0] / s[1]).exp()
                } else {
                    f64::NAN
                }
            }
        }
    }

    /// The per-example score of metric `m` for system `sys` (sentence BLEU with effective
    /// order, sentence chrF, the example's value; the loss for perplexity).
    fn example_score(&self, m: &Metric, sys: usize, i: usize) -> f64 {
        let s = self.systems[sys];
        match m.kind {
            Kind::Bleu => {
                let cfg = BleuConfig { effective_order: true, ..self.bleu_config };
                bleu_score(&s.bleu.as_ref().unwrap()[i], &cfg).score
            }
            Kind::Chrf(c) => {
                let v = if m.key == "chrf" { &s.chrf } else { &s.chrf_pp };
                chrf_score(&v.as_ref().unwrap()[i], &c)
            }
            Kind::Mean => s.mean(&m.key).unwrap()[i],
            Kind::Perplexity => s.mean("loss").unwrap()[i],
        }
    }
}

fn bleu_from(s: &[f64]) -> BleuStats {
    let mut b = BleuStats { hyp_len: s[0] as u64, ref_len: s[1] as u64, ..BleuStats::default() };
    for o in 0..MAX_ORDER {
        b.matches[o] = s[2 + o] as u64;
        b.totals[o] = s[2 + MAX_ORDER + o] as u64;
    }
    b
}

fn chrf_from(s: &[f64], c: &ChrfConfig) -> ChrfStats {
    let mut x = ChrfStats::default();
    for o in 0..chrf_orders(c) {
        x.hyp[o] = s[3 * o] as u64;
        x.refs[o] = s[3 * o + 1] as u64;
        x.matches[o] = s[3 * o + 2] as u64;
    }
    x
}

impl Layout for GenLayout<'_> {
    fn task(&self) -> Task {
        Task::Generation
    }

    fn systems(&self) -> usize {
        self.systems.len()
    }

    fn n(&self) -> usize {
        self.n
    }

    fn width(&self) -> usize {
        self.width
    }

    fn keys(&self) -> &[(String, bool)] {
        &self.keys
    }

    fn fill(&self, sys: usize, i: usize, out: &mut [f64]) {
        let s = self.systems[sys];
        for m in &self.metrics {
            let o = &mut out[m.col..m.col + m.kind.width()];
            match m.kind {
                Kind::Bleu => {
                    let b = &s.bleu.as_ref().unwrap()[i];
                    o[0] = b.hyp_len as f64;
                    o[1] = b.ref_len as f64;
                    for k in 0..MAX_ORDER {
                        o[2 + k] = b.matches[k] as f64;
                        o[2 + MAX_ORDER + k] = b.totals[k] as f64;
                    }
                }
                Kind::Chrf(c) => {
                    let v = if m.key == "chrf" { &s.chrf } else { &s.chrf_pp };
                    let x = &v.as_ref().unwrap()[i];
                    for k in 0..chrf_orders(&c) {
                        o[3 * k] = x.hyp[k] as f64;
                        o[3 * k + 1] = x.refs[k] as f64;
                        o[3 * k + 2] = x.matches[k] as f64;
                    }
                }
                Kind::Mean => o[0] = s.mean(&m.key).unwrap()[i],
                Kind::Perplexity => {
                    let t = s.tokens.as_ref().unwrap()[i];
                    o[0] = s.mean("loss").unwrap()[i] * t;
                    o[1] = t;
                }
            }
        }
    }

    fn values(&self, sums: &[f64], out: &mut [f64]) {
        for (o, m) in out.iter_mut().zip(&self.metrics) {
            *o = self.metric_value(m, sums);
        }
    }

    fn ar(&self) -> Option<(Range<usize>, Vec<usize>)> {
        let tested: Vec<usize> =
            self.metrics.iter().enumerate().filter(|(_, m)| m.col < self.ar_cols).map(|(j, _)| j).collect();
        (!tested.is_empty()).then_some((0..self.ar_cols, tested))
    }
}

/// The metric whose per-example scores order the flips: `primary` when the models have it,
/// else the first of exact_match, token_f1, chrf, rougeL, bleu, loss there is.
fn flip_metrics<'m>(layout: &'m GenLayout, primary: Option<&str>) -> (Option<&'m Metric>, Option<&'m Metric>) {
    let find = |k: &str| layout.metrics.iter().find(|m| m.key == k);
    let prefs = ["exact_match", "token_f1", "chrf", "rougeL", "bleu", "loss"];
    let first = primary.and_then(find).or_else(|| prefs.iter().find_map(|k| find(k)));
    // Ties (exact match is 0 or 1) are broken by a graded metric.
    let second = ["token_f1", "chrf", "rougeL", "bleu"]
        .iter()
        .filter(|k| first.is_none_or(|f| f.key != **k))
        .find_map(|k| find(k));
    (first, second)
}

fn generation_flips(layout: &GenLayout, primary: Option<&str>, max: usize) -> TextFlips {
    let (first, second) = flip_metrics(layout, primary);
    let Some(first) = first else {
        return TextFlips {
            metric: String::new(),
            higher_is_better: true,
            broken: 0,
            fixed: 0,
            unchanged: layout.n as u64,
            broken_rows: Vec::new(),
            fixed_rows: Vec::new(),
        };
    };
    let higher = higher_is_better(&first.key);
    let sign = if higher { 1.0 } else { -1.0 };
    let second_sign = second.map_or(1.0, |m| if higher_is_better(&m.key) { 1.0 } else { -1.0 });
    let (mut worse, mut better) = (Vec::new(), Vec::new());
    for i in 0..layout.n {
        let (a, b) = (layout.example_score(first, 0, i), layout.example_score(first, 1, i));
        let gain = sign * (b - a);
        if gain == 0.0 || gain.is_nan() {
            continue;
        }
        let tie = second.map_or(0.0, |m| second_sign * (layout.example_score(m, 1, i) - layout.example_score(m, 0, i)));
        let flip = TextFlip { row: i, baseline: a, candidate: b, baseline_errors: None, candidate_errors: None };
        if gain < 0.0 {
            worse.push((flip, -gain, -tie));
        } else {
            better.push((flip, gain, tie));
        }
    }
    let (broken, fixed) = (worse.len() as u64, better.len() as u64);
    let (broken_rows, fixed_rows) = pick_flips(worse, better, max);
    TextFlips {
        metric: first.key.clone(),
        higher_is_better: higher,
        broken,
        fixed,
        unchanged: layout.n as u64 - broken - fixed,
        broken_rows,
        fixed_rows,
    }
}

/// Compares two generation models on the same examples: paired example-bootstrap deltas of
/// every metric both have, sacreBLEU's paired approximate randomisation for BLEU, chrF and
/// chrF++, and the examples whose score of `flip_metric` (the primary metric; None: exact match,
/// else the first graded metric) fell or rose most.
pub fn compare_generation(
    baseline: &GenerationExamples,
    candidate: &GenerationExamples,
    configs: &GenerationConfigs,
    options: &TextOptions,
) -> TextComparison {
    compare_generation_on(baseline, candidate, configs, options, None)
}

/// [`compare_generation`] with the flips ordered by `flip_metric` (the primary metric).
pub fn compare_generation_on(
    baseline: &GenerationExamples,
    candidate: &GenerationExamples,
    configs: &GenerationConfigs,
    options: &TextOptions,
    flip_metric: Option<&str>,
) -> TextComparison {
    let (layout, missing) = GenLayout::new(vec![baseline, candidate], configs);
    let flips = generation_flips(&layout, flip_metric, options.max_examples);
    let checks = missing_metrics_check(&missing, &["baseline", "candidate"]).into_iter().collect();
    compare_layout(&layout, options, flips, checks)
}

/// Ranks generation models on the same examples on `primary`.
pub fn rank_generation(
    models: &[&GenerationExamples],
    primary: &str,
    configs: &GenerationConfigs,
    options: &TextOptions,
) -> Result<TextRanking, String> {
    let (layout, missing) = GenLayout::new(models.to_vec(), configs);
    let names: Vec<String> = (1..=models.len()).map(|i| format!("model {i}")).collect();
    let who: Vec<&str> = names.iter().map(String::as_str).collect();
    let checks = missing_metrics_check(&missing, &who).into_iter().collect();
    rank_layout(&layout, primary, options, checks)
}

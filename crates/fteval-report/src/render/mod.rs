//! Renderers: one per output format behind one trait.

pub mod html;
mod json;
mod markdown;
pub mod plot;
mod terminal;
mod text;

use std::io::{self, Write};

pub use html::Html;
pub use json::Json;
pub use markdown::Markdown;
pub use terminal::Terminal;

use crate::document::{
    CheckDocument, CompareDocument, CurvesDocument, DeltaDoc, LeakageDocument, MetricsDocument, Ordered, RankDocument,
    TextCompareDocument, TextRankDocument,
};

/// Implements [`Renderer`] for a renderer that writes each document through its own
/// `escaped(out, |renderer, w| ...)`, which hands the unescaped renderer an escaping writer.
macro_rules! renderer_through_escaped {
    ($t:ty) => {
        impl $crate::render::Renderer for $t {
            fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()> {
                self.escaped(out, |r, w| r.metrics(doc, w))
            }
            fn compare(&self, doc: &CompareDocument, out: &mut dyn Write) -> io::Result<()> {
                self.escaped(out, |r, w| r.compare(doc, w))
            }
            fn rank(&self, doc: &RankDocument, out: &mut dyn Write) -> io::Result<()> {
                self.escaped(out, |r, w| r.rank(doc, w))
            }
            fn curves(&self, doc: &CurvesDocument, out: &mut dyn Write) -> io::Result<()> {
                self.escaped(out, |r, w| r.curves(doc, w))
            }
            fn leakage(&self, doc: &LeakageDocument, out: &mut dyn Write) -> io::Result<()> {
                self.escaped(out, |r, w| r.leakage(doc, w))
            }
            fn text_compare(&self, doc: &TextCompareDocument, out: &mut dyn Write) -> io::Result<()> {
                self.escaped(out, |r, w| r.text_compare(doc, w))
            }
            fn text_rank(&self, doc: &TextRankDocument, out: &mut dyn Write) -> io::Result<()> {
                self.escaped(out, |r, w| r.text_rank(doc, w))
            }
            fn check(&self, doc: &CheckDocument, out: &mut dyn Write) -> io::Result<()> {
                self.escaped(out, |r, w| r.check(doc, w))
            }
        }
    };
}
pub(crate) use renderer_through_escaped;

/// Writes a report document in one output format.
pub trait Renderer {
    fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()>;
    fn compare(&self, doc: &CompareDocument, out: &mut dyn Write) -> io::Result<()>;
    fn rank(&self, doc: &RankDocument, out: &mut dyn Write) -> io::Result<()>;
    fn curves(&self, doc: &CurvesDocument, out: &mut dyn Write) -> io::Result<()>;
    fn leakage(&self, doc: &LeakageDocument, out: &mut dyn Write) -> io::Result<()>;
    /// `fteval compare` for NER and generation models.
    fn text_compare(&self, doc: &TextCompareDocument, out: &mut dyn Write) -> io::Result<()>;
    /// `fteval rank` for NER and generation models.
    fn text_rank(&self, doc: &TextRankDocument, out: &mut dyn Write) -> io::Result<()>;
    /// `fteval check`: the verdict, its reasons, and every part the config named.
    fn check(&self, doc: &CheckDocument, out: &mut dyn Write) -> io::Result<()>;
}

/// "by eval/loss: step 1200 (epoch 3) = 0.6000 (last: 0.7200)": the best checkpoint as both
/// text reports state it.
pub(crate) fn best_checkpoint_text(b: &crate::document::BestCheckpointDoc) -> String {
    format!(
        "by {}: {} = {} (last: {})",
        b.series,
        checkpoint_label(b.step, b.epoch),
        level(Some(b.value)),
        level(Some(b.last_value))
    )
}

/// The overfitting table's rows: metric, train, test, gap, interval, flagged.
pub(crate) fn gap_rows(doc: &crate::document::OverfittingDoc) -> Vec<[String; 6]> {
    doc.metrics
        .0
        .iter()
        .map(|(k, g)| {
            let ci = match (g.ci_low, g.ci_high) {
                (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                _ => String::new(),
            };
            let flag = match (g.tested, g.flagged) {
                (true, true) => "large (tested)",
                (true, false) => "tested",
                _ => "",
            }
            .to_string();
            [k.clone(), format!("{:.4}", g.train), format!("{:.4}", g.test), format!("{:+.4}", g.gap), ci, flag]
        })
        .collect()
}

/// The overfitting section's sentence.
pub(crate) fn gap_summary(doc: &crate::document::OverfittingDoc) -> String {
    let tested = doc.metrics.0.iter().find(|(_, g)| g.tested).map_or("no metric", |(k, _)| k.as_str());
    let rule = if doc.bootstrap.resamples == 0 {
        format!("the gap of {tested} (the primary metric) is large above {} (no intervals: --bootstrap 0)", doc.max_gap)
    } else {
        format!(
            "the gap of {tested} (the primary metric) is tested: large above {} when its {} interval excludes 0; the other gaps are shown, not tested",
            doc.max_gap,
            level_percent(doc.bootstrap.level)
        )
    };
    format!(
        "The candidate on its training set ({}, {} rows) against the test set ({}, {} rows); {rule}.",
        doc.train_source, doc.train_n, doc.test_source, doc.test_n
    )
}

/// Flagged test rows shown in text reports (the JSON lists them all).
pub(crate) const LEAKAGE_ROWS_SHOWN: usize = 20;

/// The leakage summary as sentences, shared by the terminal and Markdown reports.
pub(crate) fn leakage_summary(doc: &LeakageDocument) -> Vec<String> {
    let s = &doc.summary;
    let mut lines = leakage_fields(doc);
    lines.extend([
        format!(
            "{} of {} test rows leak from {} training rows ({:.2}%): {} exact copies, {} near duplicates (Jaccard ≥ {} on {}-word shingles), {} contaminated (a shared {}-gram).",
            s.exact_duplicates + s.near_duplicates + s.contaminated,
            doc.test_rows,
            doc.train_rows,
            100.0 * s.leaked_fraction,
            s.exact_duplicates,
            s.near_duplicates,
            doc.settings.threshold,
            doc.settings.shingle_words,
            s.contaminated,
            doc.settings.ngram
        ),
        format!("{} leaked rows have a different label than their training copy.", s.label_conflicts),
        format!(
            "Within splits: train {} duplicated rows ({:.2}% removable) and {} with a near duplicate; test {} ({:.2}%) and {}.",
            doc.train.duplicated_rows,
            100.0 * doc.train.duplicate_rate,
            doc.train.near_duplicated_rows,
            doc.test.duplicated_rows,
            100.0 * doc.test.duplicate_rate,
            doc.test.near_duplicated_rows
        ),
        format!("Clean test rows: {} of {}.", s.clean_rows, doc.test_rows),
    ]);
    lines
}

/// Which columns were compared and which left out, once when both splits agree.
fn leakage_fields(doc: &LeakageDocument) -> Vec<String> {
    let sentence = |d: &crate::document::SplitDoc, whose: &str| {
        let mut line = format!("Compared{whose}: {}.", d.compared);
        if !d.left_out.is_empty() {
            let parts: Vec<String> = d.left_out.iter().map(|l| format!("{} ({})", l.column, l.reason)).collect();
            line.push_str(&format!(" Left out: {}.", parts.join("; ")));
        }
        line
    };
    if doc.train.compared == doc.test.compared && doc.train.left_out == doc.test.left_out {
        vec![sentence(&doc.test, "")]
    } else {
        vec![sentence(&doc.train, " in train"), sentence(&doc.test, " in test")]
    }
}

/// The first flagged rows as table cells: test id, kind, train id, Jaccard, 8-gram share, longest run, label conflict.
pub(crate) fn leakage_rows(doc: &LeakageDocument) -> Vec<[String; 7]> {
    doc.test_rows_flagged
        .iter()
        .take(LEAKAGE_ROWS_SHOWN)
        .map(|f| {
            [
                f.test_id.clone(),
                f.kind.to_string(),
                f.train_id.clone().unwrap_or_else(|| "—".into()),
                f.jaccard.map_or("—".into(), |j| format!("{j:.3}")),
                format!("{:.3}", f.ngram_share),
                f.longest_shared_run.to_string(),
                if f.label_conflict { "yes".into() } else { "".into() },
            ]
        })
        .collect()
}

/// What a loss plot of one run shows: train and eval loss on one x axis (steps, or epochs
/// when the loss lacks steps), the best checkpoint and the overfitting onsets.
pub(crate) struct LossData {
    pub train: Vec<(f64, f64)>,
    pub eval: Vec<(f64, f64)>,
    /// The split of `eval`: "eval", or "test" for logs that evaluate only on the test split;
    /// None when the run has no held-out loss.
    pub held_out: Option<&'static str>,
    /// True when x is the step, false when it is the epoch.
    pub has_steps: bool,
    pub best: Option<f64>,
    pub onsets: Vec<f64>,
}

/// The loss plot's data of run `run`, None when there is no such run.
pub(crate) fn loss_data(doc: &CurvesDocument, run: usize) -> Option<LossData> {
    let r = doc.runs.get(run)?;
    let has_steps = r.series.iter().filter(|s| s.name == "loss").all(|s| s.points.iter().all(|p| p.0.is_some()));
    let x_of = |p: &(Option<u64>, Option<f64>, f64)| if has_steps { p.0.map(|s| s as f64) } else { p.1 };
    let pick = |split: &str| {
        let mut found = r.series.iter().filter(|s| s.split == split && s.name == "loss");
        let first = found.next();
        let step_level = r.series.iter().find(|s| s.split == split && s.name == "loss" && !s.per_epoch);
        step_level.or(first).or_else(|| r.series.iter().find(|s| s.split == split && s.name.ends_with("loss")))
    };
    let pts = |s: Option<&crate::document::SeriesDoc>| -> Vec<(f64, f64)> {
        s.map(|s| s.points.iter().filter_map(|p| x_of(p).map(|x| (x, p.2))).collect()).unwrap_or_default()
    };
    let (held_out, held_out_series) = match pick("eval") {
        Some(s) => ("eval", Some(s)),
        None => ("test", pick("test")),
    };
    let held_out = held_out_series.map(|_| held_out);
    let (train, eval) = (pts(pick("train")), pts(held_out_series));
    let best = doc.best_checkpoint.as_ref().filter(|b| b.run == run).and_then(|b| {
        if has_steps {
            b.step.map(|s| s as f64)
        } else {
            b.epoch
        }
    });
    let onsets = doc
        .findings
        .iter()
        .filter(|f| f.id == "overfitting" && f.run == run)
        .filter_map(|f| f.range.map(|[a, _]| a))
        .collect();
    Some(LossData { train, eval, held_out, has_steps, best, onsets })
}

impl LossData {
    /// What the plot shows, as (what, how it is drawn) pairs — only what the run has: a legend
    /// never names a test loss, a best checkpoint or an overfitting onset that is not there.
    pub(crate) fn legend(&self) -> Vec<(String, LegendMark)> {
        let mut out = Vec::new();
        if !self.train.is_empty() {
            out.push(("train loss".to_string(), LegendMark::TrainLine));
        }
        if let (false, Some(split)) = (self.eval.is_empty(), self.held_out) {
            out.push((format!("{split} loss"), LegendMark::HeldOutLine));
        }
        if self.best.is_some() {
            out.push(("best checkpoint".to_string(), LegendMark::Best));
        }
        if !self.onsets.is_empty() {
            out.push(("overfitting onset".to_string(), LegendMark::Onset));
        }
        out
    }

    /// The text plot's legend: "train loss ⣿, eval loss ●, best ┊, overfitting onset ╎", with
    /// only what is drawn.
    pub(crate) fn text_legend(&self) -> String {
        self.legend()
            .iter()
            .map(|(what, mark)| match mark {
                LegendMark::TrainLine => format!("{what} ⣿"),
                LegendMark::HeldOutLine => format!("{what} ●"),
                LegendMark::Best => "best ┊".to_string(),
                LegendMark::Onset => "overfitting onset ╎".to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How an item of a loss plot's legend is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum LegendMark {
    TrainLine,
    HeldOutLine,
    Best,
    Onset,
}

/// The loss plot of run `run`: train loss in braille dots, eval loss as ●, the best
/// checkpoint as ┊ and the overfitting onset as ╎, on the steps axis (epochs without steps).
pub(crate) fn loss_plot(doc: &CurvesDocument, run: usize, width: usize, height: usize) -> Vec<String> {
    let Some(d) = loss_data(doc, run) else { return Vec::new() };
    let mut marks = Vec::new();
    if let Some(x) = d.best {
        marks.push(plot::Mark { x, glyph: '┊' });
    }
    for &x in &d.onsets {
        marks.push(plot::Mark { x, glyph: '╎' });
    }
    plot::plot(
        &[plot::Line { points: &d.train, marker: None }, plot::Line { points: &d.eval, marker: Some('●') }],
        &marks,
        width,
        height,
    )
}

/// Secondary metrics shown next to the primary on a leaderboard, when present.
const RANK_SECONDARY: &[&str] =
    &["accuracy", "f1", "f1_macro", "roc_auc", "log_loss", "exact_match", "bleu", "chrf", "rougeL"];

/// The leaderboard's header and rows: rank, model, primary [CI], Δ vs best [CI], Holm p,
/// tied, then the secondary metrics.
pub(crate) fn rank_table(doc: &RankDocument) -> (Vec<String>, Vec<Vec<String>>) {
    let level = format!("{} CI", level_percent(doc.bootstrap.level));
    let secondary: Vec<&str> = RANK_SECONDARY
        .iter()
        .copied()
        .filter(|k| *k != doc.primary_metric && doc.models[0].metrics.get(k).is_some_and(|m| m.value.is_some()))
        .collect();
    let mut header: Vec<String> = vec![
        "#".into(),
        "model".into(),
        doc.primary_metric.clone(),
        level.clone(),
        "Δ vs best".into(),
        format!("Δ {level}"),
        "p (Holm)".into(),
        "tied with best".into(),
    ];
    header.extend(secondary.iter().map(|k| k.to_string()));
    let rows = doc
        .models
        .iter()
        .map(|m| {
            let (delta, ci, p) = match &m.vs_best {
                Some(v) => (
                    signed(v.primary.delta),
                    match (v.primary.ci_low, v.primary.ci_high) {
                        (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                        _ => String::new(),
                    },
                    p_value(v.p_value_holm),
                ),
                None => ("best".into(), String::new(), String::new()),
            };
            let mut row = vec![
                m.rank.to_string(),
                m.source.clone(),
                num(m.primary.value),
                interval(m.primary.ci_low, m.primary.ci_high),
                delta,
                ci,
                p,
                match (&m.vs_best, m.tied_with_best) {
                    (None, _) => "—".into(),
                    (_, Some(true)) => "yes".into(),
                    (_, Some(false)) => "no".into(),
                    (_, None) => "not tested".into(),
                },
            ];
            for k in &secondary {
                let v = m.metrics.get(k).and_then(|r| r.value);
                row.push(num(v));
            }
            row
        })
        .collect();
    (header, rows)
}

/// One line per disagreement: "B: log_loss 0.2000 vs 0.2500 (Δ −0.0500 [..], p = ..)".
pub(crate) fn disagreement_lines(doc: &RankDocument) -> Vec<String> {
    doc.disagreements
        .iter()
        .map(|d| {
            format!(
                "{} is better than {} on {}: {} vs {} (Δ {} {}, p = {})",
                d.model,
                d.best,
                d.metric,
                num(d.model_value),
                num(d.best_value),
                signed(d.delta),
                match (d.ci_low, d.ci_high) {
                    (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                    _ => String::new(),
                },
                p_value(d.p_value)
            )
        })
        .collect()
}

/// Where a checkpoint was logged ("step 1500 (epoch 3)"), empty when unknown.
pub(crate) fn checkpoint_label(step: Option<u64>, epoch: Option<f64>) -> String {
    fteval_core::curves::point_label(step, epoch).unwrap_or_default()
}

/// "95%" or "99.9%": a confidence level as people write it.
pub fn level_percent(level: f64) -> String {
    let pct = level * 100.0;
    let digits = (0..4).find(|&d| ((pct * 10f64.powi(d)).round() - pct * 10f64.powi(d)).abs() < 1e-9).unwrap_or(4);
    format!("{pct:.*}%", digits as usize)
}

/// A signed change for people: "+0.0500".
pub(crate) fn signed(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:+.4}"),
        None => "—".to_string(),
    }
}

/// A p-value for people: 4 significant digits, "<1e-16" below double precision.
pub(crate) fn p_value(p: Option<f64>) -> String {
    match p {
        Some(x) if x < 1e-16 => "<1e-16".to_string(),
        Some(x) if x < 1e-4 => format!("{x:.2e}"),
        Some(x) => format!("{x:.4}"),
        None => "—".to_string(),
    }
}

/// The verdict as a headline word.
pub(crate) fn verdict_word(verdict: &str) -> &'static str {
    match verdict {
        "improved" => "IMPROVED",
        "regressed" => "REGRESSED",
        "no_significant_change" => "NO SIGNIFICANT CHANGE",
        _ => "INCONCLUSIVE",
    }
}

/// The compare document's rows of the delta table, primary metric first: metric, baseline,
/// candidate, delta, interval, p-value.
pub(crate) fn delta_rows(doc: &CompareDocument) -> Vec<[String; 6]> {
    metric_delta_rows(&doc.metrics, &doc.primary_metric)
}

/// Rows of a delta table, `primary` first: metric, baseline, candidate, delta, interval, p-value.
pub(crate) fn metric_delta_rows(metrics: &Ordered<DeltaDoc>, primary: &str) -> Vec<[String; 6]> {
    let mut keys: Vec<&String> = metrics.0.iter().map(|(k, _)| k).collect();
    if let Some(i) = keys.iter().position(|k| **k == primary) {
        let k = keys.remove(i);
        keys.insert(0, k);
    }
    keys.into_iter()
        .filter_map(|k| metrics.get(k).map(|d| (k, d)))
        .map(|(k, d)| {
            let name = if *k == primary { format!("{k} (primary)") } else { k.clone() };
            let name = if d.higher_is_better { name } else { format!("{name} ↓") };
            let ci = match (d.ci_low, d.ci_high) {
                (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                _ => String::new(),
            };
            [name, num(d.baseline), num(d.candidate), signed(d.delta), ci, p_value(d.p_value)]
        })
        .collect()
}

/// The line under a compare title: files, size, and how intervals were made.
pub(crate) fn compare_summary(doc: &CompareDocument) -> String {
    let mut s = format!(
        "{} → {} · {} · {} matched examples",
        doc.baseline_source, doc.candidate_source, doc.task, doc.n_matched
    );
    if let Some(p) = &doc.positive_label {
        s.push_str(&format!(" · positive label '{p}'"));
    }
    if let Some(p) = &doc.profile {
        s.push_str(&format!(" · profile {}", p.name));
    }
    if doc.bootstrap.resamples > 0 {
        s.push_str(&format!(
            " · {} paired CIs ({} resamples, seed {})",
            level_percent(doc.bootstrap.level),
            doc.bootstrap.resamples,
            doc.bootstrap.seed
        ));
    }
    s
}

/// The per-class table's first column: "entity type" for NER, "label" otherwise.
/// The per-class rows the terminal and Markdown tables show: every row, or the
/// [`SHOWN_CLASS_ROWS`](crate::document::SHOWN_CLASS_ROWS) with the most support (ties: the
/// earlier row), in their order.
pub(crate) fn shown_class_rows(doc: &MetricsDocument) -> Vec<usize> {
    let rows = &doc.per_class.0;
    let max = crate::document::SHOWN_CLASS_ROWS;
    let mut keep: Vec<usize> = (0..rows.len()).collect();
    if rows.len() > max {
        keep.sort_by_key(|&i| (std::cmp::Reverse(rows[i].1.support), i));
        keep.truncate(max);
        keep.sort_unstable();
    }
    keep
}

/// "… and K more …" under a table that shows `shown` of `total` classes.
pub(crate) fn more_classes(shown: usize, total: usize) -> Option<String> {
    (total > shown).then(|| {
        format!(
            "… and {} more classes (the {shown} with the most gold rows are shown; the JSON report has every one)",
            total - shown
        )
    })
}

pub(crate) fn class_column(doc: &MetricsDocument) -> &'static str {
    if doc.ner.is_some() {
        "entity type"
    } else {
        "label"
    }
}

/// A number for people: 4 decimals, or "—" when undefined.
pub(crate) fn num(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:.4}"),
        None => "—".to_string(),
    }
}

/// A logged value of a training curve: 4 decimals, or scientific notation for values a fixed
/// number of decimals would show as 0.0000 (learning rates) or bury in digits (1e8 losses).
pub(crate) fn level(v: Option<f64>) -> String {
    match v {
        Some(x) if x != 0.0 && x.is_finite() && (x.abs() < 1e-3 || x.abs() >= 1e5) => format!("{x:.3e}"),
        other => num(other),
    }
}

/// "[low, high]" or an empty string.
pub(crate) fn interval(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("[{l:.4}, {h:.4}]"),
        _ => String::new(),
    }
}

/// "95% CI" for the document's confidence level.
pub(crate) fn ci_header(doc: &MetricsDocument) -> String {
    format!("{} CI", level_percent(doc.bootstrap.level))
}

/// The sentence under the title: task, size and how intervals were made.
pub(crate) fn summary_line(doc: &MetricsDocument) -> String {
    use fteval_core::checks::count;
    let mut s = match (&doc.ner, &doc.generation) {
        (Some(ner), _) => {
            let mode = match &ner.scheme {
                Some(scheme) => format!("strict {scheme}"),
                None => "seqeval default mode".to_string(),
            };
            format!(
                "{} · {} · {} · {} · {mode}",
                doc.task,
                count(doc.n as f64, "sentence", "sentences"),
                count(ner.tokens as f64, "token", "tokens"),
                count(doc.labels.len() as f64, "entity type", "entity types")
            )
        }
        (_, Some(g)) => format!(
            "{} · {} · {} reference(s) each{}{}{}",
            doc.task,
            count(doc.n as f64, "example", "examples"),
            g.references_per_example,
            if g.rouge_stemmer { " · ROUGE with Porter stemmer" } else { "" },
            if g.rouge_tokens == "characters" { " · ROUGE on characters" } else { "" },
            if g.bleu_tokenizer != "13a" { format!(" · BLEU tokenizer {}", g.bleu_tokenizer) } else { String::new() }
        ),
        _ => format!("{} · {} rows · {} labels", doc.task, doc.n, doc.labels.len()),
    };
    if let Some(p) = &doc.positive_label {
        s.push_str(&format!(" · positive label '{p}'"));
    }
    if doc.bootstrap.resamples > 0 {
        s.push_str(&format!(
            " · {} CIs ({} bootstrap resamples, seed {})",
            level_percent(doc.bootstrap.level),
            doc.bootstrap.resamples,
            doc.bootstrap.seed
        ));
    } else {
        s.push_str(" · no confidence intervals (--bootstrap 0)");
    }
    s
}

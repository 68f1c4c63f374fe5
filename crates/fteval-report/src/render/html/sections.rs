//! The sections of the HTML reports, one function each, shared by the single-command pages
//! and the `fteval check` page. They say what the Markdown reports say, in HTML.

use std::fmt::Write as _;

use fteval_core::Severity;

use super::super::text::{
    ar_line, broken_table, compare_summary as text_compare_summary, flips_title, pairwise_table, rank_ar_lines,
    signature_lines,
};
use super::super::{
    best_checkpoint_text, checkpoint_label, ci_header, class_column, compare_summary, delta_rows, disagreement_lines,
    gap_rows, gap_summary, interval, leakage_rows, leakage_summary, level, level_percent, loss_data, metric_delta_rows,
    num, p_value, rank_table, summary_line, verdict_word, LegendMark,
};
use super::svg::{self, ForestRow, LineChart, Series, VMarker};
use super::{checks_list, escape, figures, severity_item, table, table_marked, w};
use crate::document::{
    CheckDocument, CheckVerdict, CompareDocument, ConfusionDoc, CurvesDocument, DeltaDoc, LeakageDocument,
    MetricsDocument, Ordered, OverfittingDoc, RankDocument, ScoreCurvesDoc, TextCompareDocument, TextRankDocument,
};

/// Rows of examples shown at most (flips, broken sentences).
const EXAMPLES_SHOWN: usize = 20;
/// Rows of per-class tables shown at most.
const CLASSES_SHOWN: usize = 100;
/// Points of a loss curve drawn at most, per series.
const LOSS_POINTS: usize = 1000;
/// Training runs plotted at most.
const RUNS_PLOTTED: usize = 20;

fn strings<const N: usize>(a: [&str; N]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn open_section(s: &mut String, id: &str, heading: &str) {
    w!(s, "<section id=\"{}\">\n<h2>{heading}</h2>\n", escape(id));
}

/// "Showing the first 20 of 57."
fn shown_note(shown: usize, total: usize, what: &str) -> String {
    if total > shown {
        format!("<p class=\"meta\">Showing the first {shown} of {total} {what}.</p>\n")
    } else {
        String::new()
    }
}

/// One model's plots: its name, line style, confusion matrix and score curves.
pub(crate) struct Side<'a> {
    pub name: &'a str,
    pub color: &'static str,
    pub dash: Option<&'static str>,
    pub confusion: Option<&'a ConfusionDoc>,
    pub curves: Option<&'a ScoreCurvesDoc>,
}

impl<'a> Side<'a> {
    fn baseline(name: &'a str, confusion: Option<&'a ConfusionDoc>, curves: Option<&'a ScoreCurvesDoc>) -> Self {
        Side { name, color: svg::ORANGE, dash: Some(svg::DASHED), confusion, curves }
    }

    fn candidate(name: &'a str, confusion: Option<&'a ConfusionDoc>, curves: Option<&'a ScoreCurvesDoc>) -> Self {
        Side { name, color: svg::BLUE, dash: None, confusion, curves }
    }

    fn single(doc: &'a MetricsDocument) -> Self {
        Side {
            name: &doc.source,
            color: svg::BLUE,
            dash: None,
            confusion: doc.confusion_matrix.as_ref(),
            curves: doc.score_curves.as_ref(),
        }
    }
}

/// Confusion matrices of the sides, side by side.
fn confusion_figures(sides: &[Side]) -> String {
    let svgs: Vec<String> = sides
        .iter()
        .filter_map(|s| {
            s.confusion.map(|cm| {
                let title = if sides.len() > 1 {
                    let role = if s.dash.is_some() { "Baseline" } else { "Candidate" };
                    let file = s.name.rsplit(['/', '\\']).next().unwrap_or(s.name);
                    format!("{role} — {file}")
                } else {
                    "Confusion matrix".to_string()
                };
                svg::confusion_matrix(cm, &title)
            })
        })
        .collect();
    if svgs.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<h3>Confusion matrix</h3>\n<p class=\"meta\">Rows: gold, columns: predicted. Cells are shaded by their share of the row, so errors on small classes show; the diagonal (correct) is outlined.</p>\n",
    );
    s.push_str(&figures(&svgs, sides.len() > 1));
    s
}

/// A precision-recall curve as steps, as scikit-learn draws it: each precision holds from the
/// previous recall to its own (straight lines between points would overstate precision).
fn pr_steps(points: &[[f64; 2]]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(2 * points.len());
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            out.push((points[i - 1][0], p[1]));
        }
        out.push((p[0], p[1]));
    }
    out
}

/// ROC, precision-recall and reliability plots with every side overlaid.
fn score_figures(sides: &[Side]) -> String {
    let with: Vec<(&Side, &ScoreCurvesDoc)> = sides.iter().filter_map(|s| s.curves.map(|c| (s, c))).collect();
    if with.is_empty() {
        return String::new();
    }
    let line = |side: &Side, points: Vec<(f64, f64)>| Series {
        label: side.name.to_string(),
        points,
        color: side.color,
        dash: side.dash,
        line: true,
        markers: Vec::new(),
    };
    let mut svgs = Vec::new();
    if with.iter().any(|(_, c)| !c.roc.is_empty()) {
        svgs.push(svg::line_chart(&LineChart {
            kind: "roc",
            title: "ROC curve".into(),
            x_label: "false positive rate".into(),
            y_label: "true positive rate".into(),
            series: with.iter().map(|(s, c)| line(s, c.roc.iter().map(|p| (p[0], p[1])).collect())).collect(),
            diagonal: Some("chance".into()),
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.0)),
            ..Default::default()
        }));
    }
    if with.iter().any(|(_, c)| !c.pr.is_empty()) {
        let rate = with.iter().find_map(|(_, c)| c.positive_rate);
        svgs.push(svg::line_chart(&LineChart {
            kind: "pr",
            title: "Precision–recall curve".into(),
            x_label: "recall".into(),
            y_label: "precision".into(),
            series: with.iter().map(|(s, c)| line(s, pr_steps(&c.pr))).collect(),
            hline: rate.map(|r| (r, format!("random ranking (positive rate {r:.3})"))),
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.0)),
            ..Default::default()
        }));
    }
    if with.iter().any(|(_, c)| !c.calibration.is_empty()) {
        let max = with.iter().flat_map(|(_, c)| c.calibration.iter().map(|b| b.count)).max().unwrap_or(1).max(1);
        let accuracy = with.iter().any(|(_, c)| c.calibration_observed == "accuracy");
        let series = with
            .iter()
            .map(|(s, c)| {
                let bins: Vec<_> = c.calibration.iter().filter(|b| b.count > 0).collect();
                Series {
                    label: s.name.to_string(),
                    points: bins.iter().map(|b| (b.mean_predicted, b.observed)).collect(),
                    color: s.color,
                    dash: s.dash,
                    line: true,
                    markers: bins.iter().map(|b| 2.5 + 5.5 * (b.count as f64 / max as f64).sqrt()).collect(),
                }
            })
            .collect();
        svgs.push(svg::line_chart(&LineChart {
            kind: "calibration",
            title: "Reliability (calibration)".into(),
            x_label: if accuracy { "mean confidence (top class)" } else { "mean predicted probability" }.into(),
            y_label: if accuracy { "observed accuracy" } else { "observed share of positives" }.into(),
            series,
            diagonal: Some("perfectly calibrated".into()),
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.0)),
            ..Default::default()
        }));
    }
    let mut s = String::from("<h3>Score curves</h3>\n");
    if with.len() > 1 {
        s.push_str("<p class=\"meta\">Baseline dashed, candidate solid. Reliability markers grow with the rows in their bin.</p>\n");
    } else {
        s.push_str("<p class=\"meta\">Reliability markers grow with the rows in their bin.</p>\n");
    }
    s.push_str(&figures(&svgs, false));
    s
}

/// `fteval metrics`: summary, metrics with intervals, per class, confusion matrix, score
/// curves, checks.
pub(crate) fn metrics(doc: &MetricsDocument, id: &str, heading: &str) -> String {
    let mut s = String::new();
    open_section(&mut s, id, heading);
    s.push_str(&metrics_body(doc, &[Side::single(doc)]));
    s.push_str("</section>\n");
    s
}

/// The metrics of one model without a title; `sides` are the plots to draw.
fn metrics_body(doc: &MetricsDocument, sides: &[Side]) -> String {
    let mut s = String::new();
    w!(s, "<p class=\"meta\">{}</p>\n", escape(&summary_line(doc)));
    let fails = doc.checks.iter().filter(|c| c.severity == Severity::Fail).count();
    let warns = doc.checks.iter().filter(|c| c.severity == Severity::Warn).count();
    if fails + warns > 0 {
        w!(s, "<p class=\"lead sev-warn\">! {warns} warning(s), {fails} failure(s) — see Checks below.</p>\n");
    }
    let rows: Vec<Vec<String>> = doc
        .metrics
        .0
        .iter()
        .map(|(k, m)| {
            let mut note = m.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
            if let Some(u) = &m.unreliable {
                note.push_str(&format!(" — unreliable: {u}"));
            }
            vec![k.clone(), num(m.value), interval(m.ci_low, m.ci_high), format!("{}{note}", m.ci_method.unwrap_or(""))]
        })
        .collect();
    s.push_str(&table(&[String::from("metric"), "value".into(), ci_header(doc), "CI method".into()], &rows, &[1]));
    if let Some(sigs) = &doc.signatures {
        s.push_str("<h3>Signatures (sacreBLEU)</h3>\n<ul>");
        for (k, sig) in &sigs.0 {
            w!(s, "<li>{}: <code>{}</code></li>", escape(k), escape(sig));
        }
        s.push_str("</ul>\n");
    }
    if !doc.per_class.0.is_empty() {
        let title = if doc.ner.is_some() { "Per entity type (entity-level)" } else { "Per class" };
        w!(s, "<h3>{title}</h3>\n");
        let header = vec![
            class_column(doc).to_string(),
            "precision".into(),
            "recall".into(),
            "F1".into(),
            format!("F1 {}", ci_header(doc)),
            "support".into(),
            "predicted".into(),
        ];
        let rows: Vec<Vec<String>> = doc
            .per_class
            .0
            .iter()
            .take(CLASSES_SHOWN)
            .map(|(label, r)| {
                vec![
                    label.clone(),
                    format!("{:.4}", r.precision),
                    format!("{:.4}", r.recall),
                    format!("{:.4}", r.f1),
                    r.f1_ci.map(|[l, h]| format!("[{l:.3}, {h:.3}]")).unwrap_or_default(),
                    r.support.to_string(),
                    r.predicted.to_string(),
                ]
            })
            .collect();
        s.push_str(&table(&header, &rows, &[1, 2, 3, 5, 6]));
        s.push_str(&shown_note(CLASSES_SHOWN, doc.per_class.0.len(), "classes"));
    }
    s.push_str(&confusion_figures(sides));
    s.push_str(&score_figures(sides));
    s.push_str("<h3>Checks</h3>\n");
    s.push_str(&checks_list(&doc.checks));
    s
}

/// A verdict as a badge: colour, symbol and word.
fn verdict_badge(verdict: &str) -> String {
    let symbol = match verdict {
        "improved" => "✓",
        "regressed" => "✗",
        "no_significant_change" => "=",
        _ => "?",
    };
    format!("<span class=\"badge v-{}\">{symbol} {}</span>", escape(verdict), verdict_word(verdict))
}

/// Forest plot rows in the delta table's order (primary first).
fn forest_rows<'a>(metrics: &'a Ordered<DeltaDoc>, primary: &str, keep: impl Fn(&str) -> bool) -> Vec<ForestRow> {
    let mut keys: Vec<&'a (String, DeltaDoc)> = metrics.0.iter().filter(|(k, _)| keep(k)).collect();
    if let Some(i) = keys.iter().position(|(k, _)| k == primary) {
        let k = keys.remove(i);
        keys.insert(0, k);
    }
    keys.into_iter()
        .map(|(k, d)| ForestRow {
            metric: k.clone(),
            delta: d.delta,
            ci_low: d.ci_low,
            ci_high: d.ci_high,
            higher_is_better: d.higher_is_better,
            primary: k == primary,
        })
        .collect()
}

fn gates_list(gates: &[crate::document::GateDoc]) -> String {
    if gates.is_empty() {
        return String::new();
    }
    let mut s = String::from("<h3>Gates</h3>\n<ul class=\"checks\">");
    for g in gates {
        let (class, mark) = if g.passed { ("ok", "✓ passed") } else { ("bad", "✗ failed") };
        w!(
            s,
            "<li><span class=\"sev {class}\">{mark}</span> <code>{}</code> — {}</li>",
            escape(&g.gate),
            escape(&g.message)
        );
    }
    s.push_str("</ul>\n");
    s
}

fn delta_table(rows: Vec<[String; 6]>, level: f64) -> String {
    let header = vec![
        "metric".to_string(),
        "baseline".into(),
        "candidate".into(),
        "Δ".into(),
        format!("{} CI", level_percent(level)),
        "p".into(),
    ];
    let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r.to_vec()).collect();
    let mut s = table_marked(&header, &rows, &[1, 2, 3, 5], &[0]);
    s.push_str("<p class=\"meta\">↓ lower is better.</p>\n");
    s
}

/// The opening of a comparison section, classification or text: verdict badge, summary, what
/// was compared, the profile, the gates, and the heading of the delta table.
fn compare_head(
    id: &str,
    verdict: &str,
    summary: &str,
    meta: &str,
    profile: &Option<crate::document::ProfileDoc>,
    gates: &[crate::document::GateDoc],
) -> String {
    let mut s = String::new();
    w!(s, "<section id=\"{}\">\n<h2>fteval compare: {}</h2>\n", escape(id), verdict_badge(verdict));
    if !summary.is_empty() {
        w!(s, "<p class=\"lead\">{}</p>\n", escape(summary));
    }
    w!(s, "<p class=\"meta\">{}</p>\n", escape(meta));
    if let Some(p) = profile {
        w!(
            s,
            "<p>Profile <strong>{}</strong>: {} — primary metric <code>{}</code>.</p>\n",
            escape(p.name),
            escape(p.rationale),
            escape(p.primary_metric)
        );
    }
    s.push_str(&gates_list(gates));
    s.push_str("<h3>Metrics (candidate − baseline)</h3>\n");
    s
}

/// `fteval compare`: verdict, deltas and their forest plot, both models' plots (when
/// `with_plots`), the paired tests, costs, thresholds, flips, checks.
pub(crate) fn compare(doc: &CompareDocument, id: &str, with_plots: bool) -> String {
    let mut s =
        compare_head(id, doc.verdict, &doc.verdict_detail.summary, &compare_summary(doc), &doc.profile, &doc.gates);
    s.push_str(&delta_table(delta_rows(doc), doc.bootstrap.level));
    let rows = forest_rows(&doc.metrics, &doc.primary_metric, |_| true);
    s.push_str(&figures(&[svg::forest_plot("Change per metric with its interval", &rows)], false));
    let m = &doc.mcnemar;
    w!(
        s,
        "<p>McNemar (exact): baseline-only correct {}, candidate-only correct {}, p = {}.",
        m.baseline_only_correct,
        m.candidate_only_correct,
        p_value(Some(m.p_value))
    );
    if let Some(d) = &doc.delong {
        w!(s, " DeLong (ROC AUC): z = {}, p = {}.", num(d.z), p_value(Some(d.p_value)));
    }
    s.push_str("</p>\n");
    if with_plots {
        if let Some(p) = &doc.plots {
            let sides = [
                Side::baseline(
                    &doc.baseline_source,
                    p.baseline.confusion_matrix.as_ref(),
                    p.baseline.score_curves.as_ref(),
                ),
                Side::candidate(
                    &doc.candidate_source,
                    p.candidate.confusion_matrix.as_ref(),
                    p.candidate.score_curves.as_ref(),
                ),
            ];
            s.push_str(&confusion_figures(&sides));
            s.push_str(&score_figures(&sides));
        }
    }
    if let Some(c) = &doc.costs {
        w!(
            s,
            "<h3>Expected cost</h3>\n<p>Expected cost per example (FP = {}, FN = {}): baseline {:.4}, candidate {:.4} (Δ {:+.4}{}).</p>\n",
            c.fp,
            c.fn_,
            c.baseline,
            c.candidate,
            c.delta,
            match (c.ci_low, c.ci_high) {
                (Some(l), Some(h)) => format!(", CI [{l:.4}, {h:.4}]"),
                _ => String::new(),
            }
        );
    }
    if let Some(t) = &doc.thresholds {
        w!(s, "<h3>Thresholds ({}) — optimistic</h3>\n", escape(&t.rule));
        let rows: Vec<Vec<String>> = [("baseline", &t.baseline), ("candidate", &t.candidate)]
            .into_iter()
            .map(|(who, c)| match c {
                Some(c) => vec![
                    who.to_string(),
                    num(c.threshold),
                    format!("{:.4}", c.precision),
                    format!("{:.4}", c.recall),
                    format!("{:.4}", c.expected_cost),
                ],
                None => {
                    vec![who.to_string(), "none meets the rule".into(), String::new(), String::new(), String::new()]
                }
            })
            .collect();
        s.push_str(&table(
            &strings(["model", "threshold", "precision", "recall", "expected cost"]),
            &rows,
            &[1, 2, 3, 4],
        ));
        w!(s, "<p class=\"meta\">{}</p>\n", escape(t.note));
    }
    let f = &doc.flips;
    w!(
        s,
        "<h3>Flips: {} fixed, {} broken</h3>\n<p class=\"meta\">Both correct: {}; both wrong: {}.</p>\n",
        f.fixed,
        f.broken,
        f.both_correct,
        f.both_wrong
    );
    if !f.per_class.0.is_empty() {
        let rows: Vec<Vec<String>> = f
            .per_class
            .0
            .iter()
            .take(CLASSES_SHOWN)
            .map(|(label, c)| vec![label.clone(), c.fixed.to_string(), c.broken.to_string()])
            .collect();
        s.push_str(&table(&strings(["gold class", "fixed", "broken"]), &rows, &[1, 2]));
        s.push_str(&shown_note(CLASSES_SHOWN, f.per_class.0.len(), "classes"));
    }
    if !f.examples.is_empty() {
        s.push_str("<h4>Examples (broken first, most confidently wrong first)</h4>\n");
        let rows: Vec<Vec<String>> = f
            .examples
            .iter()
            .take(EXAMPLES_SHOWN)
            .map(|e| {
                vec![
                    e.kind.to_string(),
                    e.id.clone().unwrap_or_else(|| format!("row {}", e.row)),
                    e.gold.clone(),
                    e.baseline.clone(),
                    e.candidate.clone(),
                    num(e.candidate_confidence),
                    e.text.clone().unwrap_or_default(),
                ]
            })
            .collect();
        s.push_str(&table(
            &strings(["kind", "id", "gold", "baseline", "candidate", "confidence", "text"]),
            &rows,
            &[5],
        ));
        s.push_str(&shown_note(EXAMPLES_SHOWN, f.examples.len(), "examples kept in the JSON report"));
    }
    s.push_str("<h3>Checks</h3>\n");
    s.push_str(&checks_list(&doc.checks));
    s.push_str("</section>\n");
    s
}

/// The leaderboard, disagreements and checks of `fteval rank`.
pub(crate) fn rank(doc: &RankDocument, id: &str) -> String {
    let mut s = String::new();
    w!(
        s,
        "<section id=\"{}\">\n<h2>fteval rank: {} first on {}</h2>\n",
        escape(id),
        escape(&doc.best),
        escape(&doc.primary_metric)
    );
    w!(s, "<p class=\"lead\">{}</p>\n", escape(&doc.summary));
    let mut line = format!("{} · {} examples · models tested against the best, paired", doc.task, doc.n);
    if doc.bootstrap.resamples > 0 {
        line.push_str(&format!(" ({} resamples, seed {})", doc.bootstrap.resamples, doc.bootstrap.seed));
    }
    w!(s, "<p class=\"meta\">{}</p>\n", escape(&line));
    s.push_str(&leaderboard(doc));
    s.push_str(&disagreements(doc));
    s.push_str("<h3>Checks</h3>\n");
    s.push_str(&checks_list(&doc.checks));
    s.push_str("</section>\n");
    s
}

fn leaderboard(doc: &RankDocument) -> String {
    let (header, rows) = rank_table(doc);
    let numeric: Vec<usize> = (0..header.len()).filter(|i| ![1, 3, 5, 7].contains(i)).collect();
    let mut s = String::from("<h3>Leaderboard</h3>\n");
    s.push_str(&table_marked(&header, &rows, &numeric, &[0]));
    s
}

fn disagreements(doc: &RankDocument) -> String {
    let lines = disagreement_lines(doc);
    if lines.is_empty() {
        return String::new();
    }
    let mut s = String::from("<h3>Metrics that disagree with the ranking</h3>\n<ul>");
    for l in lines {
        w!(s, "<li>{}</li>", escape(&l));
    }
    s.push_str("</ul>\n");
    s
}

/// The loss chart of run `run`: train and eval loss, best checkpoint, overfitting onset.
fn loss_chart(doc: &CurvesDocument, run: usize) -> Option<String> {
    let d = loss_data(doc, run)?;
    if d.train.is_empty() && d.eval.is_empty() {
        return None;
    }
    let r = &doc.runs[run];
    let axis = if d.has_steps { "step" } else { "epoch" };
    let mut series = Vec::new();
    if !d.train.is_empty() {
        series.push(Series {
            label: "train loss".into(),
            points: svg::thin(&d.train, LOSS_POINTS),
            color: svg::BLUE,
            dash: None,
            line: true,
            markers: Vec::new(),
        });
    }
    if !d.eval.is_empty() {
        let points = svg::thin(&d.eval, LOSS_POINTS);
        let markers = if points.len() <= 200 { vec![3.0; points.len()] } else { Vec::new() };
        series.push(Series {
            label: format!("{} loss", d.held_out.unwrap_or("eval")),
            points,
            color: svg::ORANGE,
            dash: Some(svg::DASHED),
            line: true,
            markers,
        });
    }
    let mut vmarkers = Vec::new();
    if let Some(x) = d.best {
        vmarkers.push(VMarker {
            x,
            label: format!("best checkpoint ({axis} {})", trim_num(x)),
            color: svg::GREEN,
            dash: Some(svg::DASHED),
        });
    }
    for &x in &d.onsets {
        vmarkers.push(VMarker {
            x,
            label: format!("overfitting onset ({axis} {})", trim_num(x)),
            color: svg::VERMILLION,
            dash: Some("2 3"),
        });
    }
    Some(svg::line_chart(&LineChart {
        kind: "loss",
        title: format!("Loss — {} (run {})", r.source, r.restart),
        x_label: axis.into(),
        y_label: "loss".into(),
        series,
        vmarkers,
        ..Default::default()
    }))
}

/// The sentence above the loss charts, naming only what the plotted runs have: "Train loss
/// solid, eval loss dashed with dots; the best checkpoint and the overfitting onset as vertical
/// lines."
fn loss_legend_sentence(doc: &CurvesDocument) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut verticals: Vec<&str> = Vec::new();
    for i in 0..doc.runs.len().min(RUNS_PLOTTED) {
        let Some(d) = loss_data(doc, i) else { continue };
        for (what, mark) in d.legend() {
            let text = match mark {
                LegendMark::TrainLine => format!("{what} solid"),
                LegendMark::HeldOutLine => format!("{what} dashed with dots"),
                LegendMark::Best => {
                    if !verticals.contains(&"the best checkpoint") {
                        verticals.push("the best checkpoint");
                    }
                    continue;
                }
                LegendMark::Onset => {
                    if !verticals.contains(&"the overfitting onset") {
                        verticals.push("the overfitting onset");
                    }
                    continue;
                }
            };
            if !lines.contains(&text) {
                lines.push(text);
            }
        }
    }
    let mut out = lines.join(", ");
    if !verticals.is_empty() {
        let v = verticals.join(" and ");
        let tail = if verticals.len() == 1 { "as a vertical line" } else { "as vertical lines" };
        out = if out.is_empty() { format!("{v} {tail}") } else { format!("{out}; {v} {tail}") };
    }
    if let Some(first) = out.get(..1) {
        out = first.to_uppercase() + &out[1..];
    }
    out.push('.');
    out
}

fn trim_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// `fteval curves`: findings, best checkpoint, a loss plot per run, the series, checks.
pub(crate) fn curves(doc: &CurvesDocument, id: &str) -> String {
    let mut s = String::new();
    let sources: Vec<&str> = doc.runs.iter().map(|r| r.source.as_str()).collect();
    w!(s, "<section id=\"{}\">\n<h2>fteval curves — {}</h2>\n", escape(id), escape(&sources.join(", ")));
    if !doc.findings.is_empty() {
        s.push_str("<h3>Findings</h3>\n<ul class=\"findings\">");
        for f in &doc.findings {
            s.push_str(&severity_item(f.severity, f.id, &f.message));
        }
        s.push_str("</ul>\n");
    }
    if let Some(b) = &doc.best_checkpoint {
        w!(s, "<p><strong>Best checkpoint</strong> {}.</p>\n", escape(&best_checkpoint_text(b)));
    }
    let charts: Vec<String> = (0..doc.runs.len().min(RUNS_PLOTTED)).filter_map(|i| loss_chart(doc, i)).collect();
    if !charts.is_empty() {
        w!(s, "<h3>Loss</h3>\n<p class=\"meta\">{}</p>\n", escape(&loss_legend_sentence(doc)));
        s.push_str(&figures(&charts, false));
        s.push_str(&shown_note(RUNS_PLOTTED, doc.runs.len(), "runs"));
    }
    let mut rows = Vec::new();
    for (i, r) in doc.runs.iter().enumerate() {
        for x in &r.series {
            let at = x.argmin.as_ref().map(|p| checkpoint_label(p.step, p.epoch)).unwrap_or_default();
            rows.push(vec![
                i.to_string(),
                format!("{}/{}", x.split, x.name),
                x.count.to_string(),
                level(x.first),
                level(x.last),
                level(x.min),
                at,
            ]);
        }
    }
    if !rows.is_empty() {
        s.push_str("<h3>Series</h3>\n");
        s.push_str(&table(&strings(["run", "series", "count", "first", "last", "min", "at"]), &rows, &[0, 2, 3, 4, 5]));
    }
    s.push_str("<h3>Checks</h3>\n");
    s.push_str(&checks_list(&doc.checks));
    s.push_str("</section>\n");
    s
}

/// `fteval leakage`: the summary sentences, the bar of test rows, the first flagged rows, checks.
pub(crate) fn leakage(doc: &LeakageDocument, id: &str) -> String {
    let mut s = String::new();
    w!(
        s,
        "<section id=\"{}\">\n<h2>fteval leakage — <code>{}</code> against <code>{}</code></h2>\n<ul>",
        escape(id),
        escape(&doc.test.file),
        escape(&doc.train.file)
    );
    for line in leakage_summary(doc) {
        w!(s, "<li>{}</li>", escape(&line));
    }
    s.push_str("</ul>\n");
    s.push_str(&figures(&[svg::leakage_bar(&doc.summary)], false));
    let rows: Vec<Vec<String>> = leakage_rows(doc).into_iter().map(|r| r.to_vec()).collect();
    if !rows.is_empty() {
        s.push_str("<h3>Flagged test rows</h3>\n");
        s.push_str(&table(
            &strings(["test id", "kind", "train id", "jaccard", "8-gram share", "longest run", "label conflict"]),
            &rows,
            &[3, 4, 5],
        ));
        s.push_str(&shown_note(rows.len(), doc.test_rows_flagged.len(), "flagged rows (all are in the JSON report)"));
    }
    s.push_str("<h3>Checks</h3>\n");
    s.push_str(&checks_list(&doc.checks));
    s.push_str("</section>\n");
    s
}

/// `fteval compare` of NER or generation models.
pub(crate) fn text_compare(doc: &TextCompareDocument, id: &str) -> String {
    let mut s = compare_head(
        id,
        doc.verdict,
        &doc.verdict_detail.summary,
        &text_compare_summary(doc),
        &doc.profile,
        &doc.gates,
    );
    s.push_str(&delta_table(metric_delta_rows(&doc.metrics, &doc.primary_metric), doc.bootstrap.level));
    // BLEU and chrF are on a 0–100 scale, the rest on 0–1: one forest plot per scale.
    let hundred = |k: &str| k.starts_with("bleu") || k.starts_with("chrf");
    let unit = forest_rows(&doc.metrics, &doc.primary_metric, |k| !hundred(k));
    let wide = forest_rows(&doc.metrics, &doc.primary_metric, hundred);
    let mut plots = Vec::new();
    if !unit.is_empty() || wide.is_empty() {
        plots.push(svg::forest_plot("Change per metric with its interval", &unit));
    }
    if !wide.is_empty() {
        plots.push(svg::forest_plot("Change in BLEU and chrF (0–100 scale)", &wide));
    }
    s.push_str(&figures(&plots, false));
    if let Some(l) = ar_line(doc) {
        w!(s, "<p>{}.</p>\n", escape(&l));
    }
    let sigs = signature_lines(doc);
    if !sigs.is_empty() {
        s.push_str("<ul>");
        for l in sigs {
            w!(s, "<li><code>{}</code></li>", escape(&l));
        }
        s.push_str("</ul>\n");
    }
    w!(s, "<h3>{}</h3>\n", escape(&flips_title(doc)));
    if let Some((header, rows)) = broken_table(doc) {
        w!(s, "<h4>{} the candidate did worse on</h4>\n", escape(doc.unit));
        let total = rows.len();
        let rows: Vec<Vec<String>> = rows.into_iter().take(EXAMPLES_SHOWN).collect();
        s.push_str(&table(&header, &rows, &[1, 2]));
        s.push_str(&shown_note(EXAMPLES_SHOWN, total, doc.unit));
    }
    s.push_str("<h3>Checks</h3>\n");
    s.push_str(&checks_list(&doc.checks));
    s.push_str("</section>\n");
    s
}

/// `fteval rank` of NER or generation models.
pub(crate) fn text_rank(doc: &TextRankDocument, id: &str) -> String {
    let r = &doc.rank;
    let mut s = String::new();
    w!(
        s,
        "<section id=\"{}\">\n<h2>fteval rank: {} first on {}</h2>\n",
        escape(id),
        escape(&r.best),
        escape(&r.primary_metric)
    );
    w!(s, "<p class=\"lead\">{}</p>\n", escape(&r.summary));
    w!(
        s,
        "<p class=\"meta\">{} · {} {} · models tested against the best, paired ({} resamples, seed {})</p>\n",
        escape(r.task),
        r.n,
        escape(doc.unit),
        r.bootstrap.resamples,
        r.bootstrap.seed
    );
    s.push_str(&leaderboard(r));
    if doc.pairwise.len() > 1 {
        s.push_str("<h3>Every pair on the primary metric</h3>\n");
        let (header, rows) = pairwise_table(doc);
        s.push_str(&table(&header, &rows, &[2, 4, 5]));
    }
    let ar = rank_ar_lines(doc);
    if !ar.is_empty() {
        s.push_str("<h3>Paired approximate randomisation against the best (sacreBLEU's paired-ar)</h3>\n<ul>");
        for l in ar {
            w!(s, "<li>{}</li>", escape(&l));
        }
        s.push_str("</ul>\n");
    }
    s.push_str(&disagreements(r));
    s.push_str("<h3>Checks</h3>\n");
    s.push_str(&checks_list(&r.checks));
    s.push_str("</section>\n");
    s
}

/// The train–test gap of the candidate.
pub(crate) fn overfitting(o: &OverfittingDoc, id: &str) -> String {
    let mut s = String::new();
    open_section(&mut s, id, "Overfitting: train–test gap of the candidate");
    w!(s, "<p>{}</p>\n", escape(&gap_summary(o)));
    let rows: Vec<Vec<String>> = gap_rows(o).into_iter().map(|r| r.to_vec()).collect();
    s.push_str(&table(&strings(["metric", "train", "test", "gap", "CI", "flag"]), &rows, &[1, 2, 3]));
    s.push_str("</section>\n");
    s
}

/// The check's verdict as a banner: colour, symbol and word.
fn banner(doc: &CheckDocument) -> String {
    let (symbol, what) = match doc.verdict {
        CheckVerdict::Ship => ("✓", "Safe to ship: nothing blocks the candidate."),
        CheckVerdict::NeedsAttention => ("!", "A reviewer should look at the reasons below first."),
        CheckVerdict::DoNotShip => ("✗", "Do not ship the candidate as it is."),
    };
    format!(
        "<header class=\"banner v-{}\" role=\"status\"><span class=\"symbol\" aria-hidden=\"true\">{symbol}</span><div><div class=\"word\">{}</div><div class=\"what\">{what}</div></div></header>\n",
        doc.verdict.as_str(),
        doc.verdict.headline()
    )
}

/// One model of a check: its name, confusion matrix and score curves, from its metrics
/// document or else from the comparison's plots.
type CheckSide<'a> = (&'a str, Option<&'a ConfusionDoc>, Option<&'a ScoreCurvesDoc>);

fn check_side<'a>(doc: &'a CheckDocument, who: &str) -> Option<CheckSide<'a>> {
    let m = doc.metrics.get(who);
    let cmp = doc.compare.as_ref();
    let from_plots =
        cmp.and_then(|c| c.plots.as_ref()).map(|p| if who == "baseline" { &p.baseline } else { &p.candidate });
    let name = match (m, cmp) {
        (Some(m), _) => m.source.as_str(),
        (None, Some(c)) if who == "baseline" => c.baseline_source.as_str(),
        (None, Some(c)) => c.candidate_source.as_str(),
        (None, None) => return None,
    };
    let cm = m.and_then(|m| m.confusion_matrix.as_ref()).or(from_plots.and_then(|p| p.confusion_matrix.as_ref()));
    let sc = m.and_then(|m| m.score_curves.as_ref()).or(from_plots.and_then(|p| p.score_curves.as_ref()));
    Some((name, cm, sc))
}

/// `fteval check`: the banner, summary, a table of contents and the reasons, then each part
/// the config named.
pub(crate) fn check(doc: &CheckDocument) -> String {
    let mut toc: Vec<(&'static str, String)> = Vec::new();
    let mut s = String::from("<h1>fteval check</h1>\n");
    s.push_str(&banner(doc));
    w!(s, "<p class=\"lead\">{}</p>\n", escape(&doc.summary));
    let mut body = String::new();
    toc.push(("reasons", "Reasons".into()));
    open_section(&mut body, "reasons", "Reasons, most important first");
    if doc.reasons.is_empty() {
        body.push_str("<p class=\"ok\">✓ Nothing to report.</p>\n");
    } else {
        body.push_str("<ol class=\"reasons\">");
        for r in &doc.reasons {
            let (class, word) = super::severity(r.severity);
            w!(
                body,
                "<li class=\"{class}\"><span class=\"sev\">{word}</span> <strong>{}</strong> ({}) — <span class=\"msg\">{}</span></li>",
                escape(&r.id),
                escape(r.source),
                escape(&r.message)
            );
        }
        body.push_str("</ol>\n");
    }
    body.push_str("</section>\n");

    // The models: confusion matrices side by side, score curves overlaid.
    let (b, c) = (check_side(doc, "baseline"), check_side(doc, "candidate"));
    let mut sides = Vec::new();
    if let Some((name, cm, sc)) = b {
        sides.push(Side::baseline(name, cm, sc));
    }
    if let Some((name, cm, sc)) = c {
        sides.push(Side::candidate(name, cm, sc));
    }
    let model_plots = format!("{}{}", confusion_figures(&sides), score_figures(&sides));
    if !model_plots.is_empty() || (doc.compare.is_none() && doc.text_compare.is_none() && !doc.metrics.is_empty()) {
        toc.push(("models", "Models".into()));
        open_section(&mut body, "models", "The models on the test set");
        if !sides.is_empty() {
            let names: Vec<String> = sides
                .iter()
                .map(|s| {
                    format!(
                        "{} <code>{}</code>",
                        if s.dash.is_some() { "baseline" } else { "candidate" },
                        escape(s.name)
                    )
                })
                .collect();
            w!(body, "<p class=\"meta\">{}.</p>\n", names.join(" · "));
        }
        body.push_str(&model_plots);
        if doc.compare.is_none() {
            for (who, m) in &doc.metrics.0 {
                w!(body, "<h3>{} — <code>{}</code></h3>\n", escape(who), escape(&m.source));
                body.push_str(&metrics_body(m, &[]));
            }
        }
        body.push_str("</section>\n");
    }
    if let Some(c) = &doc.compare {
        toc.push(("compare", "Comparison".into()));
        body.push_str(&compare(c, "compare", false));
    }
    if let Some(t) = &doc.text_compare {
        toc.push(("compare", "Comparison".into()));
        body.push_str(&text_compare(t, "compare"));
    }
    if let Some(o) = &doc.overfitting {
        toc.push(("overfitting", "Overfitting".into()));
        body.push_str(&overfitting(o, "overfitting"));
    }
    if let Some(c) = &doc.curves {
        toc.push(("curves", "Training curves".into()));
        body.push_str(&curves(c, "curves"));
    }
    if let Some(l) = &doc.leakage {
        toc.push(("leakage", "Leakage".into()));
        body.push_str(&leakage(l, "leakage"));
    }
    toc.push(("config", "Configuration".into()));
    open_section(&mut body, "config", "Configuration");
    let cfg = &doc.config;
    let mut rows = vec![
        vec!["config file".to_string(), cfg.path.clone()],
        vec!["primary metric".into(), cfg.primary_metric.clone()],
    ];
    if let Some(p) = &cfg.profile {
        rows.push(vec!["profile".into(), p.clone()]);
    }
    if !cfg.gates.is_empty() {
        rows.push(vec!["gates".into(), cfg.gates.join(", ")]);
    }
    for (k, files) in &cfg.files.0 {
        rows.push(vec![k.clone(), files.join(", ")]);
    }
    body.push_str(&table(&strings(["setting", "value"]), &rows, &[]));
    body.push_str("</section>\n");
    toc.push(("checks", "Checks of the whole picture".into()));
    open_section(&mut body, "checks", "Checks of the whole picture");
    body.push_str(&checks_list(&doc.checks));
    body.push_str("</section>\n");
    s.push_str(&super::toc_nav(&toc));
    s.push_str(&body);
    s
}

//! Pieces of the text-task (NER, generation) compare and rank reports shared by the terminal
//! and Markdown renderers.

use super::{level_percent, num, p_value, signed};
use crate::document::{TextCompareDocument, TextFlipExample, TextRankDocument};

/// Characters of a prediction or reference shown in a flips table cell.
const CELL_TEXT: usize = 60;

/// The line under a text compare title: files, size, and how intervals were made.
pub(crate) fn compare_summary(doc: &TextCompareDocument) -> String {
    let mut s = format!(
        "{} → {} · {} · {} matched {}",
        doc.baseline_source, doc.candidate_source, doc.task, doc.n_matched, doc.unit
    );
    if let Some(p) = &doc.profile {
        s.push_str(&format!(" · profile {}", p.name));
    }
    if doc.bootstrap.resamples > 0 {
        s.push_str(&format!(
            " · {} paired CIs ({} resamples of {}, seed {})",
            level_percent(doc.bootstrap.level),
            doc.bootstrap.resamples,
            doc.unit,
            doc.bootstrap.seed
        ));
    }
    s
}

/// "Paired approximate randomisation (sacreBLEU, 10000 trials): bleu p = 0.0010, chrf p = …".
pub(crate) fn ar_line(doc: &TextCompareDocument) -> Option<String> {
    let first = doc.paired_ar.0.first()?;
    let tests: Vec<String> =
        doc.paired_ar.0.iter().map(|(k, t)| format!("{k} p = {}", p_value(Some(t.p_value)))).collect();
    Some(format!(
        "Paired approximate randomisation (sacreBLEU's paired-ar, {} trials): {}",
        first.1.trials,
        tests.join(", ")
    ))
}

/// sacreBLEU signatures, one line each.
pub(crate) fn signature_lines(doc: &TextCompareDocument) -> Vec<String> {
    doc.signatures.0.iter().map(|(k, s)| format!("{k}: {s}")).collect()
}

/// "Flips on exact_match: 12 fixed, 30 broken, 958 unchanged".
pub(crate) fn flips_title(doc: &TextCompareDocument) -> String {
    let f = &doc.flips;
    let unit = if doc.unit == "sentences" { "sentences" } else { "examples" };
    let what = if f.metric == "sentence_f1" {
        "entity errors per sentence".to_string()
    } else {
        format!("per-example {}", f.metric)
    };
    format!("Flips ({what}): {} {unit} better, {} worse, {} unchanged", f.fixed, f.broken, f.unchanged)
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn errors(e: &Option<crate::document::EntityErrorsDoc>) -> String {
    e.as_ref().map(|e| format!("{} FP, {} FN", e.fp, e.fn_)).unwrap_or_default()
}

/// The broken examples as a table: header and rows.
pub(crate) fn broken_table(doc: &TextCompareDocument) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let broken: Vec<&TextFlipExample> = doc.flips.examples.iter().filter(|e| e.kind == "broken").collect();
    if broken.is_empty() {
        return None;
    }
    let ner = broken.iter().any(|e| e.baseline_errors.is_some());
    let has = |f: fn(&TextFlipExample) -> bool| broken.iter().any(|e| f(e));
    let metric = &doc.flips.metric;
    let mut header: Vec<String> = vec!["id".into(), format!("{metric} baseline"), format!("{metric} candidate")];
    if ner {
        header.extend(["baseline errors".into(), "candidate errors".into()]);
    }
    let text = has(|e| e.text.is_some());
    let preds = has(|e| e.baseline_prediction.is_some());
    let refs = has(|e| e.references.is_some());
    if text {
        header.push("sentence".into());
    }
    if preds {
        header.extend(["baseline output".into(), "candidate output".into()]);
    }
    if refs {
        header.push("reference".into());
    }
    let rows = broken
        .iter()
        .map(|e| {
            let mut row = vec![
                e.id.clone().unwrap_or_else(|| format!("row {}", e.row)),
                num(e.baseline_score),
                num(e.candidate_score),
            ];
            if ner {
                row.extend([errors(&e.baseline_errors), errors(&e.candidate_errors)]);
            }
            if text {
                row.push(cut(e.text.as_deref().unwrap_or(""), CELL_TEXT));
            }
            if preds {
                row.push(cut(e.baseline_prediction.as_deref().unwrap_or(""), CELL_TEXT));
                row.push(cut(e.candidate_prediction.as_deref().unwrap_or(""), CELL_TEXT));
            }
            if refs {
                let r = e.references.as_ref().map(|r| r.join(" ‖ ")).unwrap_or_default();
                row.push(cut(&r, CELL_TEXT));
            }
            row
        })
        .collect();
    Some((header, rows))
}

/// Every pair of ranked models on the primary metric: header and rows.
pub(crate) fn pairwise_table(doc: &TextRankDocument) -> (Vec<String>, Vec<Vec<String>>) {
    let level = format!("{} CI", level_percent(doc.rank.bootstrap.level));
    let header = vec![
        "better".into(),
        "worse".into(),
        format!("Δ {} (worse − better)", doc.rank.primary_metric),
        level,
        "p".into(),
        "p (Holm)".into(),
    ];
    let rows = doc
        .pairwise
        .iter()
        .map(|p| {
            vec![
                p.better.clone(),
                p.worse.clone(),
                signed(p.delta),
                match (p.ci_low, p.ci_high) {
                    (Some(l), Some(h)) => format!("[{l:+.4}, {h:+.4}]"),
                    _ => String::new(),
                },
                p_value(p.p_value),
                p_value(p.p_value_holm),
            ]
        })
        .collect();
    (header, rows)
}

/// One line per paired randomisation test against the best.
pub(crate) fn rank_ar_lines(doc: &TextRankDocument) -> Vec<String> {
    doc.paired_ar
        .iter()
        .map(|t| {
            format!(
                "{} vs {} on {}: {} vs {}, p = {} ({} trials)",
                t.model,
                t.best,
                t.metric,
                num(t.test.candidate),
                num(t.test.baseline),
                p_value(Some(t.test.p_value)),
                t.test.trials
            )
        })
        .collect()
}

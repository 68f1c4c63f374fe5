//! Which column holds the predictions when several could: the column found by name unless its
//! values are mostly not gold labels while exactly one other prediction-like column's are
//! (`predicted_label` = "family car" next to `predicted_class` = "family"). The rule looks at
//! values, never at the particular names.

use fteval_core::checks::{Check, Severity};

use crate::predictions::{LabelColumn, LabelValues, MISSING};
use crate::prepare::used_labels;

/// Share of a column's rows whose value is a gold label at or above which it can hold the
/// predictions (a classifier's outputs are labels; a few invalid generations are allowed).
const MIN_GOLD_SHARE: f64 = 0.5;

/// A candidate prediction column and the share of its non-empty rows that are gold labels.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub column: String,
    pub gold_share: f64,
    /// A value that is not a gold label, for messages.
    pub example_other: Option<String>,
}

/// The prediction column chosen, the note that explains a choice by values, and every
/// candidate that was looked at (for the hint when there is no prediction column).
#[derive(Debug)]
pub struct PredictionChoice {
    pub column: Option<LabelColumn>,
    pub note: Option<Check>,
    pub candidates: Vec<Candidate>,
}

/// Labels compared as `unify_boolean_spellings` later reads them: true/false as 1/0.
fn comparable(label: &str) -> &str {
    match label {
        "true" => "1",
        "false" => "0",
        other => other,
    }
}

/// How much of `col` is gold labels: the share of its non-empty rows (a multilabel row counts
/// when every label in it is a gold label), and one value that is not; None when every row
/// is empty.
pub fn gold_share(gold: &LabelColumn, col: &LabelColumn) -> Option<(f64, Option<String>)> {
    let gold_labels: Vec<String> = used_labels(gold).iter().map(|l| comparable(l).to_string()).collect();
    let is_gold: Vec<bool> = col.dict.iter().map(|l| gold_labels.iter().any(|g| g == comparable(l))).collect();
    let (mut rows, mut hits) = (0usize, 0usize);
    let mut other = None;
    let mut count = |codes: &[u32]| {
        rows += 1;
        match codes.iter().find(|&&c| !is_gold[c as usize]) {
            None => hits += 1,
            Some(&c) => {
                other.get_or_insert(c);
            }
        }
    };
    match &col.values {
        LabelValues::Single(v) => v.iter().filter(|&&c| c != MISSING).for_each(|&c| count(&[c])),
        LabelValues::Sets(v) => v.iter().flatten().for_each(|s| count(s)),
    }
    (rows > 0).then(|| (hits as f64 / rows as f64, other.map(|c| col.dict[c as usize].clone())))
}

fn candidate(gold: &LabelColumn, col: &LabelColumn) -> Candidate {
    let (share, other) = gold_share(gold, col).unwrap_or((0.0, None));
    Candidate { column: col.column.clone(), gold_share: share, example_other: other }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// Chooses between the column found by name (`named`) and the other prediction-like columns.
pub fn choose_prediction_column(
    gold: &LabelColumn,
    named: Option<LabelColumn>,
    alternatives: Vec<LabelColumn>,
) -> PredictionChoice {
    let candidates: Vec<Candidate> = alternatives.iter().map(|a| candidate(gold, a)).collect();
    let Some(named) = named else { return PredictionChoice { column: None, note: None, candidates } };
    let own = candidate(gold, &named);
    let holding: Vec<usize> = (0..candidates.len()).filter(|&i| candidates[i].gold_share >= MIN_GOLD_SHARE).collect();
    if own.gold_share >= MIN_GOLD_SHARE || holding.is_empty() {
        return PredictionChoice { column: Some(named), note: None, candidates };
    }
    let own_values = match &own.example_other {
        Some(v) => format!("only {} of its values are gold labels (e.g. '{v}')", percent(own.gold_share)),
        None => format!("only {} of its values are gold labels", percent(own.gold_share)),
    };
    if let [only] = holding[..] {
        let chosen = &candidates[only];
        let note = Check::new(
            "prediction_column_chosen",
            Severity::Warn,
            format!(
                "'{}' is named like the prediction column, but {own_values}; '{}' holds gold labels in {} of rows and was used instead. If that is wrong, name the column with --pred-col.",
                own.column,
                chosen.column,
                percent(chosen.gold_share)
            ),
        );
        let column = alternatives.into_iter().nth(only);
        return PredictionChoice { column, note: Some(note), candidates };
    }
    let listed: Vec<String> = holding
        .iter()
        .map(|&i| format!("'{}' ({})", candidates[i].column, percent(candidates[i].gold_share)))
        .collect();
    let note = Check::new(
        "prediction_column_chosen",
        Severity::Warn,
        format!(
            "'{}' was used as the prediction column by its name, but {own_values}, while {} hold gold labels. If one of them holds the model's predictions, name it with --pred-col (two models in one file: fteval compare FILE --baseline-col A --candidate-col B).",
            own.column,
            listed.join(", ")
        ),
    );
    PredictionChoice { column: Some(named), note: Some(note), candidates }
}

/// For the hint when no column is named like the predictions: how much of each candidate is
/// gold labels.
pub fn candidates_hint(candidates: &[Candidate]) -> String {
    if candidates.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = candidates.iter().map(|c| format!("'{}' {}", c.column, percent(c.gold_share))).collect();
    let holding = candidates.iter().filter(|c| c.gold_share >= MIN_GOLD_SHARE).count();
    let two = if holding > 1 {
        " Several hold gold labels: two models in one file can be compared with fteval compare FILE --baseline-col A --candidate-col B."
    } else {
        ""
    };
    format!(" Share of each candidate's values that are gold labels: {}.{two}", listed.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, values: &[&str]) -> LabelColumn {
        let mut c = LabelColumn::new(name);
        let codes = values.iter().map(|v| if v.is_empty() { MISSING } else { c.intern(v) }).collect();
        c.values = LabelValues::Single(codes);
        c
    }

    #[test]
    fn the_column_whose_values_are_gold_labels_wins() {
        let gold = column("label", &["family", "sports", "family", "city"]);
        let named = column("predicted_label", &["family car", "sports car", "family car", "city car"]);
        let class = column("predicted_class", &["family", "sports", "city", "city"]);
        let choice = choose_prediction_column(&gold, Some(named.clone()), vec![class.clone()]);
        assert_eq!(choice.column.unwrap().column, "predicted_class");
        let note = choice.note.unwrap().message;
        assert!(note.contains("'predicted_label'") && note.contains("'family car'") && note.contains("100%"), "{note}");
        // Whatever the names: the same values under swapped names give the same choice.
        let (a, b) = (column("predicted_class", &["family car"; 4]), column("predicted_label", &["family"; 4]));
        assert_eq!(choose_prediction_column(&gold, Some(a), vec![b]).column.unwrap().column, "predicted_label");
        // A named column of gold labels stays, even when others hold gold labels too.
        let choice = choose_prediction_column(&gold, Some(class.clone()), vec![named.clone()]);
        assert_eq!(choice.column.unwrap().column, "predicted_class");
        assert!(choice.note.is_none());
        // Two candidates of gold labels: keep the named column, say which could be meant.
        let other = column("bert_pred", &["city", "city", "family", "sports"]);
        let choice = choose_prediction_column(&gold, Some(named), vec![class, other]);
        assert_eq!(choice.column.as_ref().unwrap().column, "predicted_label");
        let note = choice.note.unwrap().message;
        assert!(note.contains("'predicted_class' (100%), 'bert_pred' (100%)") && note.contains("--pred-col"), "{note}");
    }

    #[test]
    fn shares_ignore_empty_rows_and_read_booleans_as_0_1() {
        let gold = column("label", &["0", "1", "1", "0"]);
        let pred = column("pred", &["false", "true", "", "maybe"]);
        let (share, other) = gold_share(&gold, &pred).unwrap();
        assert!((share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(other.as_deref(), Some("maybe"));
        assert!(gold_share(&gold, &column("pred", &["", ""])).is_none());
    }
}

//! Which column plays which role: found by name (case-insensitively, in SPEC's order) or
//! named explicitly with a flag.

use crate::error::{InputError, Result};

/// Names tried, in order, for each role (SPEC "Prediction files").
pub const ID_NAMES: &[&str] = &["id", "idx", "example_id", "uid", "guid", "row_id"];
pub const LABEL_NAMES: &[&str] = &[
    "label",
    "labels",
    "y_true",
    "target",
    "gold",
    "gold_label",
    "true_label",
    "ground_truth",
    "actual",
    "expected",
    "expected_label",
];
pub const PRED_NAMES: &[&str] =
    &["pred", "prediction", "predictions", "predicted", "predicted_label", "pred_label", "y_pred", "output"];
pub const SCORE_NAMES: &[&str] = &["prob", "probability", "score", "proba", "p_positive", "confidence"];
pub const PROBS_NAMES: &[&str] = &["probs", "probabilities", "scores", "logits"];
pub const PROB_PREFIXES: &[&str] = &["prob_", "p_", "logit_"];
pub const TEXT_NAMES: &[&str] = &["text", "input", "sentence", "prompt", "question", "content"];
/// Words in a column name that make it a candidate prediction column besides the one found by
/// name (`predicted_class` next to `predicted_label`, `bert_pred`); its values then decide.
pub const PRED_WORDS: &[&str] = &["pred", "output", "guess"];

/// Column names given on the command line (`--id-col` etc.).
#[derive(Clone, Debug, Default)]
pub struct ColumnOverrides {
    pub id: Option<String>,
    pub label: Option<String>,
    pub pred: Option<String>,
    pub score: Option<String>,
    pub probs: Option<String>,
    pub text: Option<String>,
    /// Find no score columns by name: only explicit `score`/`probs` are read (two models in
    /// one file, where a detected `prob` column could belong to either).
    pub no_score_detection: bool,
}

/// Where per-class scores come from.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbsPlan {
    None,
    /// One column holding a list (class order) or an object (label → score).
    Single {
        column: usize,
        logits: bool,
    },
    /// One column per class: (column index, class label).
    PerClass {
        columns: Vec<(usize, String)>,
        logits: bool,
    },
}

/// The resolved roles of a table's columns.
#[derive(Clone, Debug)]
pub struct ColumnPlan {
    pub names: Vec<String>,
    pub id: Option<usize>,
    pub label: Option<usize>,
    pub pred: Option<usize>,
    pub score: Option<usize>,
    pub probs: ProbsPlan,
    pub text: Option<usize>,
    /// Other columns whose names suggest predictions ([`PRED_WORDS`]), read so that the one
    /// whose values are gold labels can be preferred; empty when `--pred-col` names it.
    pub pred_alternatives: Vec<usize>,
}

pub(crate) fn find(names: &[String], candidates: &[&str], taken: &[usize]) -> Option<usize> {
    candidates
        .iter()
        .find_map(|c| (0..names.len()).find(|&i| !taken.contains(&i) && names[i].trim().eq_ignore_ascii_case(c)))
}

pub(crate) fn explicit(file: &str, names: &[String], flag: &str, wanted: &str) -> Result<usize> {
    names
        .iter()
        .position(|n| n == wanted)
        .or_else(|| names.iter().position(|n| n.trim().eq_ignore_ascii_case(wanted)))
        .ok_or_else(|| {
            InputError::new(
                file,
                format!("{flag} {wanted}: no such column"),
                format!("the columns are: {}", names.join(", ")),
            )
        })
}

impl ColumnPlan {
    /// Resolves roles for `names`; explicit overrides win, then SPEC's name lists.
    pub fn resolve(file: &str, names: &[String], o: &ColumnOverrides) -> Result<ColumnPlan> {
        let mut taken = Vec::new();
        let pick =
            |flag: &str, over: &Option<String>, candidates: &[&str], taken: &mut Vec<usize>| -> Result<Option<usize>> {
                let idx = match over {
                    Some(w) => Some(explicit(file, names, flag, w)?),
                    None => find(names, candidates, taken),
                };
                taken.extend(idx);
                Ok(idx)
            };
        // Explicit columns first, so detection never steals them.
        let id = pick("--id-col", &o.id, ID_NAMES, &mut taken)?;
        let label = pick("--label-col", &o.label, LABEL_NAMES, &mut taken)?;
        let pred = pick("--pred-col", &o.pred, PRED_NAMES, &mut taken)?;
        let text = pick("--text-col", &o.text, TEXT_NAMES, &mut taken)?;
        let probs_single = match &o.probs {
            Some(w) if names.iter().any(|n| n.eq_ignore_ascii_case(w)) => {
                Some(explicit(file, names, "--probs-col", w)?)
            }
            Some(_) => None,
            None if o.no_score_detection => None,
            None => find(names, PROBS_NAMES, &taken),
        };
        taken.extend(probs_single);
        let score_names = if o.no_score_detection { &[][..] } else { SCORE_NAMES };
        let score = pick("--score-col", &o.score, score_names, &mut taken)?;
        let probs = if let Some(column) = probs_single {
            ProbsPlan::Single { column, logits: names[column].to_ascii_lowercase().contains("logit") }
        } else {
            // `--probs-col PREFIX` names a per-class prefix; otherwise SPEC's prefixes.
            let prefixes: Vec<String> = match &o.probs {
                Some(p) => vec![p.to_ascii_lowercase()],
                None if o.no_score_detection => Vec::new(),
                None => PROB_PREFIXES.iter().map(|s| s.to_string()).collect(),
            };
            let mut columns = Vec::new();
            let mut logits = false;
            for prefix in &prefixes {
                for (i, n) in names.iter().enumerate() {
                    let lower = n.to_ascii_lowercase();
                    if taken.contains(&i) || !lower.starts_with(prefix.as_str()) || lower.len() == prefix.len() {
                        continue;
                    }
                    columns.push((i, n[prefix.len()..].to_string()));
                    logits |= prefix.contains("logit");
                }
                if !columns.is_empty() {
                    break;
                }
            }
            if columns.is_empty() {
                if let Some(p) = &o.probs {
                    return Err(InputError::new(
                        file,
                        format!("--probs-col {p}: no column of that name and none starting with it"),
                        format!("the columns are: {}", names.join(", ")),
                    ));
                }
                ProbsPlan::None
            } else {
                ProbsPlan::PerClass { columns, logits }
            }
        };
        let mut plan =
            ColumnPlan { names: names.to_vec(), id, label, pred, score, probs, text, pred_alternatives: vec![] };
        plan.reject_ambiguous(file)?;
        if o.pred.is_none() {
            plan.pred_alternatives = plan.prediction_like_columns();
        }
        Ok(plan)
    }

    /// The columns that have a role: id, label, prediction, score, text and the probabilities.
    fn role_columns(&self) -> Vec<usize> {
        let mut roles: Vec<usize> =
            [self.id, self.label, self.pred, self.score, self.text].into_iter().flatten().collect();
        match &self.probs {
            ProbsPlan::Single { column, .. } => roles.push(*column),
            ProbsPlan::PerClass { columns, .. } => roles.extend(columns.iter().map(|(c, _)| *c)),
            ProbsPlan::None => {}
        }
        roles
    }

    /// Columns without a role whose names contain one of [`PRED_WORDS`].
    fn prediction_like_columns(&self) -> Vec<usize> {
        let roles = self.role_columns();
        (0..self.names.len())
            .filter(|i| !roles.contains(i))
            .filter(|&i| {
                let lower = self.names[i].to_ascii_lowercase();
                PRED_WORDS.iter().any(|w| lower.contains(w))
            })
            .collect()
    }

    /// A role column whose name occurs twice (`label,Label`) is ambiguous: refuse it. The
    /// columns are grouped by name once, so a header of 100k score columns costs 100k steps, not
    /// 100k × 100k.
    fn reject_ambiguous(&self, file: &str) -> Result<()> {
        let roles = self.role_columns();
        let mut by_name: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        for (i, n) in self.names.iter().enumerate() {
            by_name.entry(n.trim().to_ascii_lowercase()).or_default().push(i + 1);
        }
        for &r in &roles {
            let name = self.names[r].trim();
            let same = &by_name[&name.to_ascii_lowercase()];
            if same.len() > 1 {
                return Err(InputError::new(
                    file,
                    format!("column '{name}' appears {} times (columns {:?})", same.len(), same),
                    "rename the duplicates so each column name is unique (names are compared case-insensitively)",
                ));
            }
        }
        Ok(())
    }

    pub fn name(&self, column: usize) -> &str {
        &self.names[column]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_header_of_100k_score_columns_resolves_in_linear_time() {
        // Each role column was compared with every column: 100k score columns took about a minute.
        let mut n = names(&["label", "pred"]);
        n.extend((0..100_000).map(|i| format!("p_{i}")));
        let start = std::time::Instant::now();
        let p = ColumnPlan::resolve("f", &n, &ColumnOverrides::default()).unwrap();
        assert_eq!((p.label, p.pred), (Some(0), Some(1)));
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
        n.push("P_7".into());
        let e = ColumnPlan::resolve("f", &n, &ColumnOverrides::default()).unwrap_err();
        assert!(e.message.contains("column 'p_7' appears 2 times (columns [10, 100003])"), "{}", e.message);
    }

    #[test]
    fn detects_spec_names_case_insensitively() {
        let n = names(&["ID", "Label", "y_pred", "prob_cat", "prob_dog"]);
        let p = ColumnPlan::resolve("f", &n, &ColumnOverrides::default()).unwrap();
        assert_eq!((p.id, p.label, p.pred), (Some(0), Some(1), Some(2)));
        assert_eq!(p.probs, ProbsPlan::PerClass { columns: vec![(3, "cat".into()), (4, "dog".into())], logits: false });
    }

    #[test]
    fn overrides_win_and_unknown_override_is_an_error() {
        let n = names(&["text", "true_label", "bert_pred", "score"]);
        let o = ColumnOverrides { pred: Some("bert_pred".into()), ..Default::default() };
        let p = ColumnPlan::resolve("f", &n, &o).unwrap();
        assert_eq!((p.label, p.pred, p.score, p.text), (Some(1), Some(2), Some(3), Some(0)));
        let o = ColumnOverrides { label: Some("nope".into()), ..Default::default() };
        let e = ColumnPlan::resolve("f", &n, &o).unwrap_err();
        assert!(e.hint.contains("true_label"));
    }

    #[test]
    fn other_prediction_like_columns_are_candidates_unless_pred_col_names_one() {
        let n = names(&["id", "label", "predicted_label", "predicted_class", "bert_pred", "prob_a", "text"]);
        let p = ColumnPlan::resolve("f", &n, &ColumnOverrides::default()).unwrap();
        assert_eq!((p.pred, p.pred_alternatives.clone()), (Some(2), vec![3, 4]));
        let o = ColumnOverrides { pred: Some("bert_pred".into()), ..Default::default() };
        assert!(ColumnPlan::resolve("f", &n, &o).unwrap().pred_alternatives.is_empty());
    }

    #[test]
    fn logits_are_marked() {
        let n = names(&["label", "logit_a", "logit_b"]);
        let p = ColumnPlan::resolve("f", &n, &ColumnOverrides::default()).unwrap();
        assert!(matches!(p.probs, ProbsPlan::PerClass { logits: true, .. }));
    }
}

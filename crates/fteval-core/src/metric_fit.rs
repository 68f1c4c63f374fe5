//! `wrong_metric`: does the metric a project judges on fit its profile and its data? Accuracy on
//! imbalanced data, precision as the only gate of a fraud or medical screen, recall as the only
//! gate of a spam filter: each lets a model that makes the costly error pass.

use crate::checks::{Check, Severity};
use crate::data::Task;
use crate::profile::Profile;

/// The majority-class share above which accuracy says little (a constant model scores it).
pub const IMBALANCED: f64 = 0.8;

/// What the project judges on, and the facts of its test set that decide whether that fits.
#[derive(Clone, Debug)]
pub struct MetricChoice<'a> {
    pub task: Task,
    pub profile: Option<Profile>,
    pub primary: &'a str,
    /// The metric of every gate, with the gate as written.
    pub gates: &'a [(String, String)],
    /// The most common gold label and its share of the test rows.
    pub majority_label: &'a str,
    pub majority_rate: f64,
    /// The positive label of a binary task.
    pub positive_label: Option<&'a str>,
}

/// Metrics that fall when positives are missed, whatever the class balance.
const SEES_MISSES: &[&str] = &[
    "recall",
    "f1",
    "balanced_accuracy",
    "matthews_corrcoef",
    "cohen_kappa",
    "roc_auc",
    "average_precision",
    "recall_macro",
    "f1_macro",
    "balanced_accuracy_macro",
];
/// Metrics that fall when negatives are flagged.
const SEES_FALSE_ALARMS: &[&str] = &[
    "precision",
    "f1",
    "specificity",
    "matthews_corrcoef",
    "cohen_kappa",
    "roc_auc",
    "average_precision",
    "precision_macro",
    "f1_macro",
];

fn check(message: String) -> Check {
    Check::new("wrong_metric", Severity::Warn, message)
}

/// Every way the primary metric or the gates do not fit (empty when they do).
pub fn wrong_metric(c: &MetricChoice) -> Vec<Check> {
    let mut out = Vec::new();
    let imbalanced = c.majority_rate >= IMBALANCED;
    let fits = c.profile.map(|p| p.primary_metric(c.task));
    let pct = 100.0 * c.majority_rate;
    // Accuracy (or a micro average, which equals it) on imbalanced data.
    let blind_to_balance = |m: &str| m == "accuracy" || (c.task == Task::Multiclass && m.ends_with("_micro"));
    if imbalanced && matches!(c.task, Task::Binary | Task::Multiclass) {
        let mut uses: Vec<String> = Vec::new();
        if blind_to_balance(c.primary) {
            uses.push(format!("the primary metric is {}", c.primary));
        }
        uses.extend(c.gates.iter().filter(|(m, _)| blind_to_balance(m)).map(|(_, g)| format!("the gate {g}")));
        if !uses.is_empty() {
            let instead = match (fits, c.task) {
                (Some(f), _) if !blind_to_balance(f) => format!(
                    "judge on {f}, which fits profile {} ({})",
                    c.profile.map_or("", |p| p.as_str()),
                    c.profile.map_or("", |p| p.rationale())
                ),
                (_, Task::Binary) => {
                    "judge on recall, F1, balanced_accuracy or matthews_corrcoef, which fall when the minority class is missed".to_string()
                }
                _ => "judge on a macro average (f1_macro, recall_macro), which weighs every class equally".to_string(),
            };
            let missed = match c.positive_label {
                Some(p) if p != c.majority_label => format!(" while missing every '{p}'"),
                _ => String::new(),
            };
            out.push(check(format!(
                "{}: {pct:.1}% of the test rows are '{}', so a model that always predicts '{}' scores {:.4} accuracy{missed}. Accuracy is blind to the costly error on data this imbalanced; {instead}.",
                capitalise(&uses.join(" and ")),
                c.majority_label,
                c.majority_label,
                c.majority_rate
            )));
        }
    }
    let Some(profile) = c.profile else { return out };
    if c.task != Task::Binary {
        return out;
    }
    let (sees, costly, happens, metric, example) = match profile {
        Profile::Fraud | Profile::Medical => {
            (SEES_MISSES, "a missed positive (false negative)", "a positive is missed", "recall", "recall>=0.8")
        }
        Profile::Spam => (
            SEES_FALSE_ALARMS,
            "a false alarm (false positive)",
            "a false alarm is raised",
            "precision",
            "precision>=0.95",
        ),
        Profile::Balanced | Profile::Qa | Profile::Summarization | Profile::Translation => return out,
    };
    let blind = |m: &str| !sees.contains(&m) && !(m == "accuracy" && !imbalanced);
    if blind(c.primary) && !blind_to_balance(c.primary) {
        out.push(check(format!(
            "The primary metric {} does not fall when {happens}, the costly error of profile {}; judge on {} ({}).",
            c.primary,
            profile.as_str(),
            profile.primary_metric(c.task),
            profile.rationale()
        )));
    }
    if !c.gates.is_empty() && c.gates.iter().all(|(m, _)| blind(m)) {
        let written: Vec<&str> = c.gates.iter().map(|(_, g)| g.as_str()).collect();
        out.push(check(format!(
            "No gate watches the costly error of profile {}, {costly}: with only {}, a model that makes that error often still passes. Add a gate on {metric}, e.g. {example}.",
            profile.as_str(),
            written.join(", ")
        )));
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice<'a>(
        profile: Option<Profile>,
        primary: &'a str,
        gates: &'a [(String, String)],
        rate: f64,
    ) -> MetricChoice<'a> {
        MetricChoice {
            task: Task::Binary,
            profile,
            primary,
            gates,
            majority_label: "legit",
            majority_rate: rate,
            positive_label: Some("fraud"),
        }
    }

    fn gates(gs: &[&str]) -> Vec<(String, String)> {
        gs.iter().map(|g| (g.split(['>', '<', '=']).next().unwrap().to_string(), g.to_string())).collect()
    }

    #[test]
    fn accuracy_on_imbalanced_data_is_flagged_with_the_constant_model_score() {
        let g = gates(&["recall>=0.6", "accuracy>=0.95"]);
        let out = wrong_metric(&choice(Some(Profile::Fraud), "recall", &g, 0.95));
        assert_eq!(out.len(), 1, "{out:#?}");
        assert!(out[0].message.contains("The gate accuracy>=0.95") && out[0].message.contains("0.9500"));
        assert!(out[0].message.contains("judge on recall"));
    }

    #[test]
    fn accuracy_on_balanced_data_is_fine() {
        assert!(wrong_metric(&choice(None, "accuracy", &[], 0.6)).is_empty());
    }

    #[test]
    fn precision_as_the_only_gate_of_a_fraud_screen_is_flagged() {
        let g = gates(&["precision>=0.9"]);
        let out = wrong_metric(&choice(Some(Profile::Fraud), "recall", &g, 0.7));
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].message.contains("Add a gate on recall"));
        // With a recall gate beside it, the gates see the costly error.
        let g = gates(&["precision>=0.9", "recall>=0.8"]);
        assert!(wrong_metric(&choice(Some(Profile::Fraud), "recall", &g, 0.7)).is_empty());
    }

    #[test]
    fn a_primary_blind_to_the_costly_error_is_flagged() {
        let out = wrong_metric(&choice(Some(Profile::Medical), "precision", &[], 0.7));
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].message.contains("judge on recall"));
        let out = wrong_metric(&choice(Some(Profile::Spam), "recall", &[], 0.7));
        assert!(out[0].message.contains("judge on precision"), "{out:?}");
    }

    #[test]
    fn micro_averages_on_imbalanced_multiclass_are_flagged() {
        let c = MetricChoice { task: Task::Multiclass, positive_label: None, ..choice(None, "f1_micro", &[], 0.85) };
        let out = wrong_metric(&c);
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("macro average"));
    }
}

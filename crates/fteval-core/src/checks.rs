//! Checks: the evaluation pitfalls every primer warns about, each with an id, a severity and a
//! sentence a person can act on.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    Fail,
}

impl Severity {
    /// "info", "warn" or "fail", as the JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        }
    }
}

/// Names listed in one check message at most: a check about 30 000 classes names the first 20
/// and says how many more, so the message (and the terminal report) stays readable and bounded.
pub const MAX_LISTED: usize = 20;

/// `items` joined by ", ", at most [`MAX_LISTED`] of them, then "… and K more".
pub fn listing(items: &[String]) -> String {
    if items.len() <= MAX_LISTED {
        return items.join(", ");
    }
    format!("{}, … and {} more", items[..MAX_LISTED].join(", "), items.len() - MAX_LISTED)
}

/// `n` and the noun that fits it: "1 word", "2 words", "1.5 words", "0 entities".
pub fn count(n: f64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1.0 { one } else { many })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub id: String,
    pub severity: Severity,
    pub message: String,
}

impl Check {
    pub fn new(id: &str, severity: Severity, message: impl Into<String>) -> Check {
        Check { id: id.to_string(), severity, message: message.into() }
    }

    /// The check with its message attributed to `whom` ("baseline: …", "model_a.csv: …"),
    /// for reports that gather the checks of several models.
    pub fn about(&self, whom: &str) -> Check {
        Check { message: format!("{whom}: {}", self.message), ..self.clone() }
    }
}

/// Facts about one class the checks look at.
#[derive(Clone, Debug)]
pub struct ClassFacts<'a> {
    pub label: &'a str,
    pub support: u64,
    pub predicted: u64,
    pub recall: f64,
    pub precision: f64,
    /// Width of the F1 confidence interval, when computed.
    pub f1_ci_width: Option<f64>,
}

/// `accuracy_paradox`: accuracy that says little on imbalanced data.
pub fn accuracy_paradox(
    accuracy: f64,
    accuracy_ci_low: Option<f64>,
    classes: &[ClassFacts],
    positive: Option<usize>,
    n: u64,
) -> Option<Check> {
    let (majority_idx, majority) = classes.iter().enumerate().max_by_key(|(_, c)| c.support)?;
    let majority_rate = majority.support as f64 / n as f64;
    // The class to worry about: the positive one (binary), else the weakest minority class.
    let candidates: Vec<usize> = match positive {
        Some(p) => vec![p],
        None => (0..classes.len()).filter(|&i| i != majority_idx).collect(),
    };
    let weak = candidates
        .into_iter()
        .filter(|&i| classes[i].support > 0 && classes[i].recall < 0.5)
        .min_by(|&a, &b| classes[a].recall.total_cmp(&classes[b].recall));
    if let (true, Some(w)) = (accuracy >= 0.9, weak) {
        let c = &classes[w];
        let missed = (c.support as f64 * (1.0 - c.recall)).round() as u64;
        return Some(Check::new(
            "accuracy_paradox",
            Severity::Warn,
            format!(
                "Accuracy is {:.1}% but recall on '{}' is only {:.1}%: the model misses {missed} of {} '{}' examples. \
                 High accuracy comes from the {:.1}% majority class '{}'; use recall, F1 or balanced_accuracy for '{}' to decide.",
                accuracy * 100.0,
                c.label,
                c.recall * 100.0,
                c.support,
                c.label,
                majority_rate * 100.0,
                majority.label,
                c.label
            ),
        ));
    }
    if majority_rate >= 0.6 && accuracy_ci_low.unwrap_or(accuracy) <= majority_rate + 1e-12 {
        return Some(Check::new(
            "accuracy_paradox",
            Severity::Warn,
            format!(
                "Accuracy {accuracy:.3} is not clearly above {majority_rate:.3}, what always predicting the majority class '{}' scores. \
                 On imbalanced data accuracy hides the errors that matter: judge the model by balanced_accuracy, per-class recall and F1.",
                majority.label
            ),
        ));
    }
    None
}

/// `collapsed_predictions`: one class predicted for at least 95% of rows, more than gold has it.
pub fn collapsed_predictions(classes: &[ClassFacts], n: u64) -> Option<Check> {
    let top = classes.iter().max_by_key(|c| c.predicted)?;
    let share = top.predicted as f64 / n as f64;
    let gold_share = top.support as f64 / n as f64;
    if share >= 0.95 && top.predicted > top.support && classes.len() > 1 {
        return Some(Check::new(
            "collapsed_predictions",
            Severity::Warn,
            format!(
                "The model predicts '{}' for {:.1}% of rows ({} of {n}) while gold has it for {:.1}%: predictions have collapsed onto one class. \
                 Check the decision threshold, class weights or whether training converged.",
                top.label,
                share * 100.0,
                top.predicted,
                gold_share * 100.0
            ),
        ));
    }
    None
}

/// `class_never_predicted`: gold classes the model never outputs.
pub fn class_never_predicted(classes: &[ClassFacts]) -> Option<Check> {
    let missing: Vec<String> = classes
        .iter()
        .filter(|c| c.support > 0 && c.predicted == 0)
        .map(|c| format!("'{}' ({} examples)", c.label, c.support))
        .collect();
    if missing.is_empty() {
        return None;
    }
    Some(Check::new(
        "class_never_predicted",
        Severity::Warn,
        format!(
            "The model never predicts {}: its recall there is 0. Check class imbalance handling (class weights, resampling) or the threshold.",
            listing(&missing)
        ),
    ))
}

/// `small_support`: classes with fewer than 30 gold examples, whose numbers are mostly noise,
/// and classes with none at all (their recall is 0/0 and nothing about them is measured).
pub fn small_support(classes: &[ClassFacts]) -> Option<Check> {
    let small: Vec<String> = classes
        .iter()
        .filter(|c| c.support > 0 && c.support < 30)
        .map(|c| match c.f1_ci_width.filter(|&w| w > 0.0) {
            Some(w) => {
                format!("'{}' ({}, F1 95% CI {:.2} wide)", c.label, count(c.support as f64, "example", "examples"), w)
            }
            None => format!("'{}' ({})", c.label, count(c.support as f64, "example", "examples")),
        })
        .collect();
    let absent: Vec<String> = classes.iter().filter(|c| c.support == 0).map(|c| format!("'{}'", c.label)).collect();
    if small.is_empty() && absent.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !small.is_empty() {
        parts.push(format!("Fewer than 30 test examples for {}: per-class numbers there are noise.", listing(&small)));
    }
    if !absent.is_empty() {
        parts.push(format!(
            "No test example at all for {}: the test set says nothing about how the model does there (recall is 0/0).",
            listing(&absent)
        ));
    }
    Some(Check::new(
        "small_support",
        Severity::Warn,
        format!("{} Collect more test examples before drawing conclusions about these classes.", parts.join(" ")),
    ))
}

/// `degenerate_interval`: intervals the resampling cannot give a width (zero-width bootstrap,
/// or a single resampling unit), as (metric, cause, a fallback bound is shown) triples; `units`
/// names what is resampled.
pub fn degenerate_interval(metrics: &[(String, &str, bool)], units: &str) -> Option<Check> {
    let (_, first_cause, _) = metrics.first()?;
    let mut causes: Vec<&str> = metrics.iter().map(|(_, c, _)| *c).collect();
    causes.dedup();
    let names = |bound: bool| -> Vec<&str> {
        metrics.iter().filter(|(_, _, b)| *b == bound).map(|(m, _, _)| m.as_str()).collect()
    };
    let all: Vec<&str> = metrics.iter().map(|(m, _, _)| m.as_str()).collect();
    let cause = if causes.len() == 1 { first_cause.to_string() } else { causes.join("; ") };
    let (bounded, none) = (names(true), names(false));
    let shown = match (bounded.is_empty(), none.is_empty()) {
        (false, true) => "The interval shown is a fallback bound, not a 95% interval".to_string(),
        (true, _) => "No interval is given".to_string(),
        (false, false) => format!(
            "The interval shown for {} is a fallback bound, not a 95% interval; {} {} no interval",
            bounded.join(", "),
            none.join(", "),
            if none.len() == 1 { "has" } else { "have" }
        ),
    };
    Some(Check::new(
        "degenerate_interval",
        Severity::Warn,
        format!(
            "The bootstrap over {units} cannot vary for {} because {cause}: a resampling interval would have zero width. {shown}; add test data that can vary before trusting it.",
            all.join(", ")
        ),
    ))
}

/// `unreliable_interval`: metrics whose interval cannot reach its nominal coverage on these
/// data, as (metric, why) pairs.
pub fn unreliable_interval(metrics: &[(&str, &str)]) -> Option<Check> {
    if metrics.is_empty() {
        return None;
    }
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for &(m, why) in metrics {
        match groups.iter_mut().find(|(w, _)| *w == why) {
            Some((_, ms)) => ms.push(m),
            None => groups.push((why, vec![m])),
        }
    }
    let parts: Vec<String> = groups.iter().map(|(why, ms)| format!("{} ({why})", ms.join(", "))).collect();
    Some(Check::new(
        "unreliable_interval",
        Severity::Warn,
        format!(
            "These intervals are likely narrower than the uncertainty: {}. Read them as rough; collect more examples of the rare class before deciding on these metrics.",
            parts.join("; ")
        ),
    ))
}

/// `small_sample`: too few resampling units (NER sentences, generation examples) for the
/// bootstrap to describe the uncertainty; `min` is the number below which it warns.
pub fn small_sample(units: u64, unit_name: &str, min: u64) -> Option<Check> {
    if units >= min {
        return None;
    }
    Some(Check::new(
        "small_sample",
        Severity::Warn,
        format!(
            "Only {units} {unit_name}: the intervals resample {unit_name} and with fewer than {min} they are too narrow and jumpy to trust. \
             Evaluate on at least {min} {unit_name} (a few hundred for differences of a few points)."
        ),
    ))
}

/// `label_space_mismatch`: predictions outside the gold label space, or gold classes the model
/// cannot output.
pub fn label_space_mismatch(classes: &[ClassFacts], model_classes: Option<&[String]>) -> Option<Check> {
    let extra: Vec<String> = classes
        .iter()
        .filter(|c| c.support == 0 && c.predicted > 0)
        .map(|c| format!("'{}' ({} rows)", c.label, c.predicted))
        .collect();
    let unreachable: Vec<String> = match model_classes {
        Some(mc) => classes
            .iter()
            .filter(|c| c.support > 0 && !mc.iter().any(|m| m == c.label))
            .map(|c| format!("'{}'", c.label))
            .collect(),
        None => Vec::new(),
    };
    if extra.is_empty() && unreachable.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !extra.is_empty() {
        parts.push(format!("predicted labels that never occur in gold: {}", listing(&extra)));
    }
    if !unreachable.is_empty() {
        parts.push(format!("gold classes the model has no score column for: {}", listing(&unreachable)));
    }
    Some(Check::new(
        "label_space_mismatch",
        Severity::Warn,
        format!(
            "Label spaces differ — {}. Check that gold and predictions use the same label names (e.g. 'pos' vs 'positive', 1 vs 'yes') and the same label set.",
            parts.join("; ")
        ),
    ))
}

/// What the normalisation check found in per-class probability rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormalisationFacts {
    /// Rows whose sum is off 1 by more than 1e-3.
    pub bad_rows: usize,
    /// Rows scikit-learn's multiclass ROC AUC refuses (`numpy.allclose(1, sums)` fails).
    pub refused_rows: usize,
    /// The first refused row (0-based) and its sum.
    pub first: Option<(usize, f64)>,
    /// The largest |sum − 1| over all rows.
    pub max_deviation: f64,
    pub rows: usize,
    /// A multiclass evaluation: the averaged ROC AUCs are computed.
    pub multiclass: bool,
    /// More than two classes: top-2 accuracy is computed.
    pub top_k: bool,
}

/// `probabilities_not_normalised`: per-class probabilities whose rows do not sum to 1, naming
/// every metric that reads them: binary files warn beyond ±1e-3; multiclass files warn as soon
/// as scikit-learn would refuse their ROC AUCs, which are then left empty.
pub fn probabilities_not_normalised(f: &NormalisationFacts) -> Option<Check> {
    let (row, sum) = f.first?;
    if !f.multiclass && f.bad_rows == 0 {
        return None;
    }
    let counted = if f.multiclass { f.refused_rows } else { f.bad_rows };
    let tolerance = if f.multiclass { "within numpy.allclose's 1e-5" } else { "±0.001" };
    let head = format!(
        "{counted} of {} rows have class probabilities that do not sum to 1 ({tolerance}); the first is data row {} (sum {sum:.6}), the largest deviation {:.2e}.",
        f.rows,
        row + 1,
        f.max_deviation
    );
    // Only deviations within ±0.001 can come from rounding when the probabilities were written;
    // larger ones are scores that are not probabilities.
    let rounding = f.bad_rows == 0;
    let fix = if rounding {
        "If the probabilities were rounded when written, divide each row by its sum or write more digits."
    } else {
        "Apply softmax to raw scores, or name the columns logit_<label> (or a `logits` column) so fteval does."
    };
    let affected = if !f.multiclass {
        "Log loss, Brier score and ECE read the positive-class column as a probability; ROC AUC and average precision only rank it and stand.".to_string()
    } else {
        let scale = if rounding {
            "The deviations are below 0.001 (rounding?), so log loss, Brier score and ECE barely move"
        } else {
            "Log loss, Brier score and ECE read the scores as probabilities and are not trustworthy"
        };
        let top_k = if f.top_k { "; top-2 accuracy only compares scores within a row and stands" } else { "" };
        format!(
            "{scale}; the multiclass ROC AUCs (roc_auc_ovr, roc_auc_ovr_weighted, roc_auc_ovo) are left empty, as scikit-learn's roc_auc_score refuses such scores{top_k}."
        )
    };
    Some(Check::new("probabilities_not_normalised", Severity::Warn, format!("{head} {affected} {fix}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_listings_are_cut_with_a_count() {
        let few: Vec<String> = (0..3).map(|i| format!("'c{i}'")).collect();
        assert_eq!(listing(&few), "'c0', 'c1', 'c2'");
        let many: Vec<String> = (0..30_000).map(|i| format!("'c{i}'")).collect();
        let l = listing(&many);
        assert!(l.starts_with("'c0', 'c1'") && l.ends_with("'c19', … and 29980 more"), "{l}");
    }

    fn facts(label: &str, support: u64, predicted: u64, recall: f64) -> ClassFacts<'_> {
        ClassFacts { label, support, predicted, recall, precision: 0.0, f1_ci_width: Some(0.3) }
    }

    #[test]
    fn fraud_with_98_percent_accuracy_and_12_percent_recall_is_flagged() {
        let classes = [facts("fraud", 25, 3, 0.12), facts("legit", 975, 997, 1.0)];
        let c = accuracy_paradox(0.978, Some(0.97), &classes, Some(0), 1000).unwrap();
        assert_eq!(c.id, "accuracy_paradox");
        assert!(c.message.contains("fraud"), "{}", c.message);
        // A balanced, good model is not flagged.
        let ok = [facts("a", 500, 500, 0.9), facts("b", 500, 500, 0.9)];
        assert!(accuracy_paradox(0.9, Some(0.88), &ok, Some(1), 1000).is_none());
    }

    #[test]
    fn collapse_and_never_predicted() {
        let classes = [facts("fraud", 18, 0, 0.0), facts("legit", 982, 1000, 1.0)];
        assert!(collapsed_predictions(&classes, 1000).is_some());
        assert!(class_never_predicted(&classes).unwrap().message.contains("'fraud'"));
        assert!(small_support(&classes).unwrap().message.contains("0.30 wide"));
    }

    #[test]
    fn a_class_without_gold_examples_is_a_small_support() {
        let classes = [facts("a", 500, 490, 0.9), facts("b", 500, 500, 0.9), facts("c", 0, 10, 0.0)];
        let c = small_support(&classes).unwrap();
        assert!(c.message.contains("No test example at all for 'c'"), "{}", c.message);
        assert!(!c.message.contains("'a'"));
        assert!(small_support(&classes[..2]).is_none());
    }

    #[test]
    fn normalisation_names_what_each_task_reads_from_the_scores() {
        let facts = NormalisationFacts {
            bad_rows: 3,
            refused_rows: 3,
            first: Some((4, 1.2)),
            max_deviation: 0.2,
            rows: 10,
            multiclass: false,
            top_k: false,
        };
        let binary = probabilities_not_normalised(&facts).unwrap().message;
        assert!(binary.contains("3 of 10 rows") && binary.contains("data row 5"), "{binary}");
        assert!(binary.contains("ROC AUC and average precision only rank it"), "{binary}");
        let multi = probabilities_not_normalised(&NormalisationFacts { multiclass: true, top_k: true, ..facts })
            .unwrap()
            .message;
        for name in ["Log loss", "Brier score", "ECE", "roc_auc_ovr", "roc_auc_ovo", "top-2 accuracy"] {
            assert!(multi.contains(name), "{name}: {multi}");
        }
        // Deviations of 0.2 are no rounding: the advice is softmax, never the rounding hint.
        for m in [&binary, &multi] {
            assert!(m.contains("softmax") && !m.contains("rounded"), "{m}");
        }
        // Rounding-level deviations: binary files stay quiet, multiclass ones say why the AUCs are empty.
        let rounded = NormalisationFacts { bad_rows: 0, max_deviation: 1e-4, ..facts };
        assert!(probabilities_not_normalised(&rounded).is_none());
        let multi = probabilities_not_normalised(&NormalisationFacts { multiclass: true, ..rounded }).unwrap().message;
        assert!(multi.contains("below 0.001") && !multi.contains("top-2"), "{multi}");
        assert!(multi.contains("rounded when written") && !multi.contains("softmax"), "{multi}");
    }

    #[test]
    fn degenerate_unreliable_and_small_sample_checks_name_metrics_and_causes() {
        let d = degenerate_interval(&[("f1".into(), "every row is predicted correctly", true)], "rows").unwrap();
        assert_eq!((d.id.as_str(), d.severity), ("degenerate_interval", Severity::Warn));
        assert!(d.message.contains("f1") && d.message.contains("every row is predicted correctly"), "{}", d.message);
        assert!(!d.message.contains("  "), "a run of spaces in: {}", d.message);
        assert!(d.message.contains("The interval shown is a fallback bound"), "{}", d.message);
        // Metrics left without an interval are not said to show one.
        let cause = "there is a single example";
        let none = degenerate_interval(&[("bleu".into(), cause, false)], "examples").unwrap().message;
        assert!(none.contains("No interval is given") && !none.contains("shown"), "{none}");
        let mixed = degenerate_interval(&[("em".into(), cause, true), ("bleu".into(), cause, false)], "examples");
        let mixed = mixed.unwrap().message;
        assert!(
            mixed.contains("shown for em is a fallback bound") && mixed.contains("bleu has no interval"),
            "{mixed}"
        );
        assert!(degenerate_interval(&[], "rows").is_none());
        let u = unreliable_interval(&[("f1", "only 3 positives"), ("roc_auc", "only 3 positives")]).unwrap();
        assert!(u.message.contains("f1, roc_auc (only 3 positives)"), "{}", u.message);
        assert!(unreliable_interval(&[]).is_none());
        assert!(small_sample(12, "sentences", 30).unwrap().message.contains("Only 12 sentences"));
        assert!(small_sample(30, "sentences", 30).is_none());
    }
}

//! Metric names as the logs write them, normalised to the series model: one function for every
//! reader, so `val_acc`, `eval_accuracy`, `valid/accuracy` and `DEV_ACCURACY` all become the
//! `accuracy` series of the eval split.

use fteval_core::curves::Split;

/// A logged key read as a series name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricName {
    /// Lowercase, without split prefix or `_step`/`_epoch` suffix; `lr` is `learning_rate`
    /// and `acc` is `accuracy`.
    pub name: String,
    /// From the prefix; `Train` when there is none.
    pub split: Split,
    /// True when the prefix named the split (`loss` has none, `train_loss` does).
    pub explicit_split: bool,
    /// `Some(false)` for a `_step` suffix, `Some(true)` for `_epoch`, None otherwise (the
    /// reader decides).
    pub per_epoch: Option<bool>,
}

/// Split prefixes, longest first among those sharing a start (`validation_` before `val_`).
const PREFIXES: &[(&str, Split)] = &[
    ("evaluation", Split::Eval),
    ("eval", Split::Eval),
    ("validation", Split::Eval),
    ("valid", Split::Eval),
    ("val", Split::Eval),
    ("dev", Split::Eval),
    ("test", Split::Test),
    ("training", Split::Train),
    ("train", Split::Train),
];

/// Keys that are positions, bookkeeping or speed, not curves (compared after lowercasing,
/// with and without the split prefix).
const NOT_SERIES: &[&str] = &[
    "epoch",
    "epochs",
    "step",
    "steps",
    "global_step",
    "current_steps",
    "total_steps",
    "max_steps",
    "iteration",
    "iter",
    "_step",
    "trainer/global_step",
    "runtime",
    "_runtime",
    "total_flos",
    "flos",
    "samples",
    "percentage",
    "elapsed_time",
    "remaining_time",
    "throughput",
    "time",
    "timestamp",
    "_timestamp",
    "datetime",
    "date",
    "wall_time",
    "walltime",
    "bad_epochs",
    "num_input_tokens_seen",
    "total_tokens",
    "num_tokens",
];

fn not_series(name: &str) -> bool {
    name.is_empty()
        || NOT_SERIES.contains(&name)
        || name.ends_with("_per_second")
        || name.ends_with("_runtime")
        || name == "samples_per_second"
        || name == "steps_per_second"
}

/// Normalises a logged key; None when the key is not a series (a step or epoch counter, a
/// runtime, a throughput, FLOPs).
///
/// Lowercases; takes a split prefix (`eval_`, `val_`, `valid_`, `validation_`, `dev_`,
/// `test_`, `train_`, `training_`, also written with `/` or `-` as in `eval/loss`) off the
/// front; a `_step` suffix means per_epoch = false and `_epoch` per_epoch = true; `lr` is
/// `learning_rate` and `acc` (alone or as `<head>_acc`) is `accuracy`.
pub fn normalize_name(raw: &str) -> Option<MetricName> {
    let lower = raw.trim().to_lowercase();
    if not_series(&lower) {
        return None;
    }
    let mut rest: &str = &lower;
    let mut split = Split::Train;
    let mut explicit_split = false;
    for (prefix, s) in PREFIXES {
        if let Some(after) = rest.strip_prefix(prefix) {
            if let Some(tail) = after.strip_prefix(['_', '/', '-']) {
                if !tail.is_empty() {
                    rest = tail;
                    split = *s;
                    explicit_split = true;
                    break;
                }
            }
        }
    }
    if not_series(rest) {
        return None;
    }
    let mut per_epoch = None;
    if let Some(base) = rest.strip_suffix("_step") {
        if !base.is_empty() {
            rest = base;
            per_epoch = Some(false);
        }
    } else if let Some(base) = rest.strip_suffix("_epoch") {
        if !base.is_empty() {
            rest = base;
            per_epoch = Some(true);
        }
    }
    if not_series(rest) {
        return None;
    }
    if let Some(name) = lr_monitor_name(rest) {
        return Some(MetricName { name, split, explicit_split, per_epoch });
    }
    let name = match rest {
        "lr" => "learning_rate".to_string(),
        "acc" => "accuracy".to_string(),
        other => match other.strip_suffix("_acc") {
            Some(head) => format!("{head}_accuracy"),
            None => other.to_string(),
        },
    };
    Some(MetricName { name, split, explicit_split, per_epoch })
}

/// The series name of a column PyTorch Lightning's `LearningRateMonitor` writes: `lr-<Optimizer>`
/// (`lr-AdamW`), with `-<k>` for the k-th further optimizer of the same class (`lr-Adam-1`),
/// `/pg<n>` or `-pg<n>` for a parameter group (`lr-SGD/pg2`, `lr-SGD-pg1`), and `-momentum` /
/// `-weight_decay` for what `log_momentum` / `log_weight_decay` add. The first optimizer's first
/// group is `learning_rate` (the schedule the diagnosis reads); the others are
/// `learning_rate_opt<k+1>` / `learning_rate_pg<n>`, so that two groups never share one series.
/// `key` is lowercase, without split prefix; None when it is not such a column.
fn lr_monitor_name(key: &str) -> Option<String> {
    let rest = key.strip_prefix("lr-").filter(|r| !r.is_empty())?;
    let (rest, base) = if let Some(r) = rest.strip_suffix("-momentum") {
        (r, "momentum")
    } else if let Some(r) = rest.strip_suffix("-weight_decay") {
        (r, "weight_decay")
    } else {
        (rest, "learning_rate")
    };
    // The parameter group: `/pg<n>` (Lightning ≥ 1.1) or `-pg<n>` (older).
    let (rest, group) = match rest.rfind(['/', '-']) {
        Some(i)
            if rest[i + 1..]
                .strip_prefix("pg")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            (&rest[..i], rest[i + 3..].parse::<u64>().ok()?)
        }
        _ => (rest, 1),
    };
    // A further optimizer of the same class: `Adam-1`, `Adam-2`.
    let (optimizer, index) = match rest.rsplit_once('-') {
        Some((o, k)) if !o.is_empty() && !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) => {
            (o, k.parse::<u64>().ok()?)
        }
        _ => (rest, 0),
    };
    if optimizer.is_empty() || !optimizer.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
        return None;
    }
    let mut name = base.to_string();
    if index > 0 {
        name.push_str(&format!("_opt{}", index + 1));
    }
    if group > 1 {
        name.push_str(&format!("_pg{group}"));
    }
    Some(name)
}

/// Whether every key is bookkeeping — a step or epoch counter, a runtime, a throughput, a
/// percentage done, an index column — so that a log made of them holds no curve at all.
pub fn only_progress(keys: &[&str]) -> bool {
    !keys.is_empty()
        && keys.iter().all(|k| {
            let k = k.trim().to_ascii_lowercase();
            normalize_name(&k).is_none() || k.is_empty() || k == "unnamed: 0" || k == "index"
        })
}

/// The error for a log of progress fields only (LLaMA-Factory's trainer_log.jsonl of a run that
/// logged no loss, a CSV of step and time): it says so instead of "no numeric metric".
pub fn progress_only(name: &str, keys: &[&str]) -> crate::error::InputError {
    let mut shown: Vec<&str> = Vec::new();
    for k in keys {
        if !shown.contains(k) {
            shown.push(k);
        }
    }
    let more = if shown.len() > 12 { format!(", … ({} fields)", shown.len()) } else { String::new() };
    crate::error::InputError::new(
        name,
        format!(
            "the log holds only progress fields ({}{more}): no loss or metric was logged, so there is no curve to diagnose",
            shown.iter().take(12).copied().collect::<Vec<_>>().join(", ")
        ),
        "log the training loss (and an eval loss or metric) with each entry — e.g. logging_steps and eval_strategy in the Hugging Face Trainer, self.log(\"train_loss\", loss) in Lightning — or give the log that holds them (trainer_state.json next to trainer_log.jsonl)",
    )
}

/// Whether a column or key holds the training step (`step`, `global_step`, `iteration`,
/// LLaMA-Factory's `current_steps`, W&B's `_step` / `trainer/global_step`).
pub fn is_step_key(raw: &str) -> bool {
    matches!(
        raw.trim().to_lowercase().as_str(),
        "step" | "steps" | "global_step" | "current_steps" | "iteration" | "iter" | "_step" | "trainer/global_step"
    )
}

/// Whether a column or key holds the epoch.
pub fn is_epoch_key(raw: &str) -> bool {
    matches!(raw.trim().to_lowercase().as_str(), "epoch" | "epochs")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(raw: &str) -> Option<(String, Split, Option<bool>)> {
        normalize_name(raw).map(|m| (m.name, m.split, m.per_epoch))
    }

    #[test]
    fn prefixes_give_the_split() {
        assert_eq!(n("loss"), Some(("loss".into(), Split::Train, None)));
        assert_eq!(n("eval_loss"), Some(("loss".into(), Split::Eval, None)));
        assert_eq!(n("val_loss"), Some(("loss".into(), Split::Eval, None)));
        assert_eq!(n("valid_loss"), Some(("loss".into(), Split::Eval, None)));
        assert_eq!(n("validation_loss"), Some(("loss".into(), Split::Eval, None)));
        assert_eq!(n("DEV_LOSS"), Some(("loss".into(), Split::Eval, None)));
        assert_eq!(n("test_acc"), Some(("accuracy".into(), Split::Test, None)));
        assert_eq!(n("train_loss"), Some(("loss".into(), Split::Train, None)));
        assert_eq!(n("training_loss"), Some(("loss".into(), Split::Train, None)));
        assert_eq!(n("eval/loss"), Some(("loss".into(), Split::Eval, None)));
        assert_eq!(n("train/grad_norm"), Some(("grad_norm".into(), Split::Train, None)));
        assert_eq!(n("validity"), Some(("validity".into(), Split::Train, None)));
        assert_eq!(n("val_"), Some(("val_".into(), Split::Train, None)));
        assert!(normalize_name("train_loss").unwrap().explicit_split);
        assert!(!normalize_name("loss").unwrap().explicit_split);
    }

    #[test]
    fn suffixes_and_aliases() {
        assert_eq!(n("train_loss_step"), Some(("loss".into(), Split::Train, Some(false))));
        assert_eq!(n("train_loss_epoch"), Some(("loss".into(), Split::Train, Some(true))));
        assert_eq!(n("val_acc_epoch"), Some(("accuracy".into(), Split::Eval, Some(true))));
        assert_eq!(n("lr"), Some(("learning_rate".into(), Split::Train, None)));
        assert_eq!(n("LEARNING_RATE"), Some(("learning_rate".into(), Split::Train, None)));
        assert_eq!(n("val_fused_pred_loss"), Some(("fused_pred_loss".into(), Split::Eval, None)));
        assert_eq!(n("head1_acc"), Some(("head1_accuracy".into(), Split::Train, None)));
        assert_eq!(n("eval_rougeL"), Some(("rougel".into(), Split::Eval, None)));
        assert_eq!(n("rewards/accuracies"), Some(("rewards/accuracies".into(), Split::Train, None)));
    }

    #[test]
    fn lightning_learning_rate_monitor_columns_are_the_learning_rate() {
        for key in ["lr-AdamW", "lr-SGD-pg1", "lr-SGD/pg1", "lr-Adam_W", "LR-RMSprop"] {
            assert_eq!(n(key), Some(("learning_rate".into(), Split::Train, None)), "{key}");
        }
        assert_eq!(n("lr-SGD/pg2").unwrap().0, "learning_rate_pg2");
        assert_eq!(n("lr-SGD-pg3").unwrap().0, "learning_rate_pg3");
        assert_eq!(n("lr-Adam-1").unwrap().0, "learning_rate_opt2");
        assert_eq!(n("lr-Adam-1/pg2").unwrap().0, "learning_rate_opt2_pg2");
        assert_eq!(n("lr-AdamW-momentum").unwrap().0, "momentum");
        assert_eq!(n("lr-AdamW/pg2-momentum").unwrap().0, "momentum_pg2");
        assert_eq!(n("lr-AdamW-weight_decay").unwrap().0, "weight_decay");
        // Other names with an `lr-` start are left alone.
        assert_eq!(n("lr-").unwrap().0, "lr-");
        assert_eq!(n("lr-finder loss").unwrap().0, "lr-finder loss");
    }

    #[test]
    fn counters_and_speeds_are_not_series() {
        for key in [
            "epoch",
            "step",
            "Step",
            "global_step",
            "eval_runtime",
            "eval_samples_per_second",
            "eval_steps_per_second",
            "train_runtime",
            "train_samples_per_second",
            "train_steps_per_second",
            "total_flos",
            "current_steps",
            "total_steps",
            "elapsed_time",
            "TIMESTAMP",
            "BAD_EPOCHS",
            "train_epoch",
            "eval_samples",
            "total_tokens",
            "num_tokens",
            "eval_num_tokens",
        ] {
            assert_eq!(normalize_name(key), None, "{key}");
        }
    }

    #[test]
    fn position_keys() {
        assert!(is_step_key("step") && is_step_key("global_step") && is_step_key("current_steps"));
        assert!(is_epoch_key("EPOCH") && !is_epoch_key("train_loss_epoch"));
    }
}

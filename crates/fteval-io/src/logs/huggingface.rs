//! Hugging Face `trainer_state.json`: the `log_history` list, one object per logging event.
//!
//! Training entries hold `loss`, `grad_norm`, `learning_rate`; evaluation entries `eval_loss`,
//! `eval_accuracy`, ...; every entry `step` and usually `epoch`. The last entry of a finished
//! run is a summary (`train_runtime`, `train_loss` = the mean loss over all of training,
//! `total_flos`): it is not a point of any curve and is left out. A global step that goes
//! back starts a new run (a log that was restarted from scratch and appended to).

use fteval_core::curves::{Point, TrainingRun};
use rustc_hash::FxHashMap;

use super::collect::{as_step, parse_value, Collector, SeriesKey, Value};
use super::json::{position, JsonError, Scalar, Scanner};
use super::names::{normalize_name, only_progress, progress_only};
use super::LogFormat;
use crate::error::{InputError, Result};

/// What a key of a log entry is.
#[derive(Clone, Copy)]
enum Role {
    Step,
    Epoch,
    /// The series key id in the collector; `train_loss` marks itself so that the summary
    /// entry can drop it.
    Series {
        id: usize,
        is_train_loss: bool,
    },
    Skip,
}

/// Reads a trainer_state.json already in memory.
pub fn read(name: &str, bytes: &[u8]) -> Result<Vec<TrainingRun>> {
    let syntax = |e: JsonError| {
        InputError::new(name, format!("not valid JSON: {}", e.message), "check that the file is complete; a trainer_state.json is written by transformers' Trainer at each checkpoint")
            .at(position(bytes, e.offset))
    };
    let mut s = Scanner::new(bytes);
    if s.peek() != Some(b'{') {
        return Err(InputError::new(
            name,
            "a trainer_state.json must be a JSON object with a 'log_history' list",
            "give the trainer_state.json that transformers' Trainer writes in the output directory or a checkpoint-*/ folder",
        ));
    }
    s.begin_object().map_err(syntax)?;
    let mut first = true;
    let mut runs = None;
    let mut top_keys: Vec<String> = Vec::new();
    while let Some(key) = s.next_key(&mut first).map_err(syntax)? {
        if key == "log_history" && runs.is_none() {
            match s.peek() {
                Some(b'[') => runs = Some(read_history(name, bytes, &mut s)?),
                Some(b'n') => {
                    s.scalar().map_err(syntax)?;
                    runs = Some(Collector::new(name, LogFormat::HuggingFace.as_str()).finish());
                }
                _ => {
                    return Err(InputError::new(
                        name,
                        "'log_history' is not a list",
                        "log_history must be the list of logged dicts that transformers' Trainer writes",
                    )
                    .at(position(bytes, s.offset())))
                }
            }
        } else {
            top_keys.push(key.into_owned());
            s.skip_value().map_err(syntax)?;
        }
    }
    if !s.at_end() {
        return Err(syntax(JsonError {
            offset: s.offset(),
            message: "there is more text after the JSON object".into(),
        }));
    }
    runs.ok_or_else(|| no_history(name, &top_keys))
}

/// The error for a JSON object without `log_history` (nor, for a `.json` table, any column
/// of values): usually final metrics such as all_results.json.
pub fn no_history(name: &str, keys: &[String]) -> InputError {
    let metrics_only = keys.iter().any(|k| {
        let k = k.to_ascii_lowercase();
        k.starts_with("eval_") || k.starts_with("train_") || k.starts_with("test_") || k.starts_with("predict_")
    });
    let hint = if metrics_only {
        "this looks like all_results.json / eval_results.json / metrics.json: final numbers, not a training log; give the trainer_state.json from the same output directory (or a checkpoint-*/ folder)"
    } else {
        "give a trainer_state.json (transformers' Trainer writes one in the output directory and each checkpoint-*/ folder), or a JSON list of logged entries with a step or epoch"
    };
    let mut shown = keys.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if keys.is_empty() {
        shown = "none".to_string();
    } else if keys.len() > 10 {
        shown.push_str(&format!(", … ({} keys)", keys.len()));
    }
    InputError::new(
        name,
        format!("no training log in this JSON object: no 'log_history' list, no lists of values (its keys: {shown})"),
        hint,
    )
}

fn read_history(name: &str, bytes: &[u8], s: &mut Scanner<'_>) -> Result<Vec<TrainingRun>> {
    let syntax = |e: JsonError| {
        InputError::new(
            name,
            format!("not valid JSON: {}", e.message),
            "check that the file is complete (a truncated copy ends mid-list)",
        )
        .at(position(bytes, e.offset))
    };
    let mut out = Collector::new(name, LogFormat::HuggingFace.as_str());
    // Keys by their raw bytes: the same few keys repeat in every entry, and a key is checked
    // for valid UTF-8 only the first time it is seen.
    let mut roles: FxHashMap<Vec<u8>, Role> = FxHashMap::default();
    let mut values: Vec<(Role, f64)> = Vec::new();
    let mut last_step: Option<u64> = None;
    let mut entry_index = 0usize;
    s.begin_array().map_err(syntax)?;
    let mut first_entry = true;
    while s.next_element(&mut first_entry).map_err(syntax)? {
        entry_index += 1;
        let entry_at = s.offset();
        if s.peek() != Some(b'{') {
            return Err(InputError::new(
                name,
                format!("log_history entry {entry_index} is not an object"),
                "each log_history entry must be a dict such as {\"loss\": 0.5, \"step\": 10, \"epoch\": 0.1}",
            )
            .at(position(bytes, entry_at)));
        }
        s.begin_object().map_err(syntax)?;
        values.clear();
        let mut step: Option<f64> = None;
        let mut epoch: Option<f64> = None;
        let mut summary = false;
        let mut first = true;
        loop {
            let key_at = s.offset();
            let Some(key) = s.next_key_raw(&mut first).map_err(syntax)? else { break };
            let role = match roles.get(key.as_ref()) {
                Some(r) => *r,
                None => {
                    let Ok(text) = std::str::from_utf8(&key) else {
                        return Err(syntax(JsonError {
                            offset: key_at,
                            message: "a key is not valid UTF-8 (re-save the file as UTF-8)".into(),
                        }));
                    };
                    let r = role_of(text, &mut out);
                    roles.insert(key.to_vec(), r);
                    r
                }
            };
            if matches!(key.as_ref(), b"train_runtime" | b"total_flos" | b"train_samples_per_second") {
                summary = true;
            }
            let value = match s.scalar().map_err(syntax)? {
                Scalar::Number(x) => Some(x),
                Scalar::Str(t) => match parse_value(&t) {
                    Value::Number(x) => Some(x),
                    _ => None,
                },
                _ => None,
            };
            let Some(x) = value else { continue };
            match role {
                Role::Step => step = Some(x),
                Role::Epoch => epoch = Some(x),
                Role::Series { .. } => values.push((role, x)),
                Role::Skip => {}
            }
        }
        let step = match step {
            None => None,
            Some(x) => Some(as_step(x).ok_or_else(|| {
                InputError::new(
                    name,
                    format!("log_history entry {entry_index} has step {x}, which is not a whole number ≥ 0"),
                    "'step' must be the global training step",
                )
                .at(position(bytes, entry_at))
            })?),
        };
        if let (Some(prev), Some(now)) = (last_step, step) {
            if now < prev {
                out.restart();
            }
        }
        if step.is_some() {
            last_step = step;
        }
        for &(role, value) in &values {
            if let Role::Series { id, is_train_loss } = role {
                if is_train_loss && summary {
                    continue;
                }
                out.push(id, Point { step, epoch, value });
            }
        }
    }
    let runs = out.finish();
    if entry_index > 0 && runs.iter().all(|r| r.series.is_empty()) {
        let mut keys: Vec<&str> = roles.keys().filter_map(|k| std::str::from_utf8(k).ok()).collect();
        keys.sort_unstable();
        if only_progress(&keys) {
            return Err(progress_only(name, &keys).at(format!("log_history, {entry_index} entries")));
        }
    }
    Ok(runs)
}

fn role_of(key: &str, out: &mut Collector) -> Role {
    match key {
        "step" => return Role::Step,
        "epoch" => return Role::Epoch,
        _ => {}
    }
    match normalize_name(key) {
        None => Role::Skip,
        Some(m) => {
            let id = out.key(SeriesKey::new(&m, false));
            Role::Series { id, is_train_loss: key == "train_loss" }
        }
    }
}

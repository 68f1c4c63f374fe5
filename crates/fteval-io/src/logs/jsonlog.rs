//! Logs made of JSON objects, one per logged step: JSON Lines trainer logs (LLaMA-Factory's
//! trainer_log.jsonl, a `log_history` dumped line by line, custom loggers), JSON lists of
//! such objects, and JSON objects of columns (`{"loss": [...], "val_loss": [...]}`, as
//! `json.dump(history.history)` writes).

use fteval_core::curves::{Point, TrainingRun};
use rustc_hash::FxHashMap;

use super::collect::{as_step, parse_value, Collector, SeriesKey, Value};
use super::json::{position, JsonError, Scalar, Scanner};
use super::names::{is_epoch_key, is_step_key, normalize_name, only_progress, progress_only, MetricName};
use super::table::{self, Flavor, Loc, Table, TableRow};
use super::{huggingface, LogFormat};
use crate::error::{InputError, Result};

#[derive(Clone, Copy)]
enum Role {
    Step,
    Epoch,
    Metric { metric: usize, is_train_loss: bool },
    Skip,
}

/// Reads JSON Lines: one object per line (blank lines are skipped).
pub fn read_lines(name: &str, bytes: &[u8]) -> Result<Vec<TrainingRun>> {
    let mut s = Scanner::new(bytes);
    read_objects(name, bytes, &mut s, LogFormat::Jsonl, false)
}

/// Reads a `.json` log that is not a trainer_state.json: a list of objects, or an object of
/// columns. An object with a `log_history` list is read as a trainer_state.json.
pub fn read_json(name: &str, bytes: &[u8]) -> Result<Vec<TrainingRun>> {
    let mut s = Scanner::new(bytes);
    match s.peek() {
        Some(b'[') => {
            s.begin_array().map_err(|e| syntax(name, bytes, e))?;
            read_objects(name, bytes, &mut s, LogFormat::Table, true)
        }
        Some(b'{') => read_columns(name, bytes),
        _ => Err(InputError::new(
            name,
            "not a JSON log: it must start with '[' (a list of logged objects) or '{' (an object)",
            "give a trainer_state.json, a JSON list of objects with a step or epoch key, or a .jsonl file",
        )),
    }
}

fn syntax(name: &str, bytes: &[u8], e: JsonError) -> InputError {
    InputError::new(
        name,
        format!("not valid JSON: {}", e.message),
        "check that the file is complete; if training was interrupted, the last entry may be cut off — delete it",
    )
    .at(position(bytes, e.offset))
}

/// Reads objects one after another: lines of a JSONL file, or the elements of a list (the
/// `[` already consumed) when `in_list`.
fn read_objects(
    name: &str,
    bytes: &[u8],
    s: &mut Scanner<'_>,
    format: LogFormat,
    in_list: bool,
) -> Result<Vec<TrainingRun>> {
    let mut out = Collector::new(name, format.as_str());
    let mut roles: FxHashMap<String, Role> = FxHashMap::default();
    // The keys in the order first seen, for messages.
    let mut key_order: Vec<String> = Vec::new();
    let mut metrics: Vec<MetricName> = Vec::new();
    // Series ids per (metric, per_epoch).
    let mut ids: FxHashMap<(usize, bool), usize> = FxHashMap::default();
    let mut values: Vec<(usize, bool, f64)> = Vec::new();
    let mut prev_step: Option<u64> = None;
    let mut prev_epoch: Option<f64> = None;
    let mut saw_position = false;
    let mut count = 0usize;
    let mut first_element = true;
    loop {
        if in_list {
            if !s.next_element(&mut first_element).map_err(|e| syntax(name, bytes, e))? {
                if !s.at_end() {
                    return Err(syntax(
                        name,
                        bytes,
                        JsonError { offset: s.offset(), message: "there is more text after the list".into() },
                    ));
                }
                break;
            }
        } else if s.at_end() {
            break;
        }
        count += 1;
        let at = s.offset();
        let what = if in_list { format!("element {count}") } else { "this line".to_string() };
        if s.peek() != Some(b'{') {
            return Err(InputError::new(
                name,
                format!("{what} is not a JSON object"),
                "each logged entry must be an object such as {\"step\": 10, \"loss\": 0.5}",
            )
            .at(position(bytes, at)));
        }
        s.begin_object().map_err(|e| syntax(name, bytes, e))?;
        values.clear();
        let mut step = None;
        let mut epoch = None;
        let mut summary = false;
        let mut first = true;
        while let Some(key) = s.next_key(&mut first).map_err(|e| syntax(name, bytes, e))? {
            let role = match roles.get(key.as_ref()) {
                Some(r) => *r,
                None => {
                    let r = if is_step_key(&key) {
                        Role::Step
                    } else if is_epoch_key(&key) {
                        Role::Epoch
                    } else {
                        match normalize_name(&key) {
                            None => Role::Skip,
                            Some(m) => {
                                metrics.push(m);
                                Role::Metric { metric: metrics.len() - 1, is_train_loss: key == "train_loss" }
                            }
                        }
                    };
                    roles.insert(key.to_string(), r);
                    key_order.push(key.to_string());
                    r
                }
            };
            if matches!(key.as_ref(), "train_runtime" | "total_flos" | "train_samples_per_second") {
                summary = true;
            }
            let value = match s.scalar().map_err(|e| syntax(name, bytes, e))? {
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
                Role::Epoch => epoch = Some(x).filter(|e| e.is_finite()),
                Role::Metric { metric, is_train_loss } => values.push((metric, is_train_loss, x)),
                Role::Skip => {}
            }
        }
        let step = match step {
            None => None,
            Some(x) => Some(as_step(x).ok_or_else(|| {
                InputError::new(
                    name,
                    format!("the step is {x}, which is not a whole number ≥ 0"),
                    "the step key must count training steps",
                )
                .at(position(bytes, at))
            })?),
        };
        saw_position |= step.is_some() || epoch.is_some();
        let restarted = match (prev_step, step) {
            (Some(p), Some(now)) => now < p,
            (None, None) => matches!((prev_epoch, epoch), (Some(p), Some(e)) if e < p),
            _ => false,
        };
        if restarted {
            out.restart();
        }
        if step.is_some() {
            prev_step = step;
        }
        if epoch.is_some() {
            prev_epoch = epoch;
        }
        // Without a step, an entry with an epoch holds epoch values.
        let per_epoch_default = step.is_none() && epoch.is_some();
        for &(metric, is_train_loss, value) in &values {
            if is_train_loss && summary {
                continue;
            }
            let m = &metrics[metric];
            let per_epoch = m.per_epoch.unwrap_or(per_epoch_default);
            let id = match ids.get(&(metric, per_epoch)) {
                Some(&id) => id,
                None => {
                    let id = out.key(SeriesKey { name: m.name.clone(), split: m.split, per_epoch });
                    ids.insert((metric, per_epoch), id);
                    id
                }
            };
            out.push(id, Point { step, epoch, value });
        }
    }
    if count == 0 {
        return Err(InputError::new(
            name,
            "the log holds no entries",
            "a training log needs one object per logged step",
        ));
    }
    if !saw_position {
        return Err(InputError::new(
            name,
            "no entry has a step or epoch key, so the values cannot be placed on a curve",
            "log the step (`step`, `global_step`, `iteration`) or `epoch` with every entry",
        ));
    }
    let runs = out.finish();
    if runs.iter().all(|r| r.series.is_empty()) {
        let keys: Vec<&str> = key_order.iter().map(String::as_str).collect();
        if metrics.is_empty() && only_progress(&keys) {
            return Err(progress_only(name, &keys));
        }
        return Err(InputError::new(
            name,
            "no entry holds a numeric metric",
            "a training log needs numeric values such as \"loss\": 0.5 next to the step",
        ));
    }
    Ok(runs)
}

/// An object: a trainer_state.json when it has `log_history`, else an object of columns
/// (lists of equal length, or pandas' `to_json()` dicts of index → value). An object of single
/// numbers is final metrics, not a log, and is refused.
fn read_columns(name: &str, bytes: &[u8]) -> Result<Vec<TrainingRun>> {
    let syntax = |e: JsonError| syntax(name, bytes, e);
    let mut s = Scanner::new(bytes);
    s.begin_object().map_err(syntax)?;
    let mut columns: Vec<String> = Vec::new();
    let mut cells: Vec<Vec<String>> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut first = true;
    while let Some(key) = s.next_key(&mut first).map_err(syntax)? {
        if key == "log_history" {
            return huggingface::read(name, bytes);
        }
        keys.push(key.to_string());
        match s.peek() {
            Some(b'[') => {
                s.begin_array().map_err(syntax)?;
                let mut column = Vec::new();
                let mut first_el = true;
                while s.next_element(&mut first_el).map_err(syntax)? {
                    column.push(cell_text(s.scalar().map_err(syntax)?));
                }
                columns.push(key.into_owned());
                cells.push(column);
            }
            Some(b'{') => {
                s.begin_object().map_err(syntax)?;
                let mut column = Vec::new();
                let mut first_key = true;
                while s.next_key(&mut first_key).map_err(syntax)?.is_some() {
                    column.push(cell_text(s.scalar().map_err(syntax)?));
                }
                columns.push(key.into_owned());
                cells.push(column);
            }
            _ => {
                s.scalar().map_err(syntax)?;
            }
        }
    }
    if !s.at_end() {
        return Err(syntax(JsonError {
            offset: s.offset(),
            message: "there is more text after the JSON object".into(),
        }));
    }
    if columns.is_empty() {
        return Err(huggingface::no_history(name, &keys));
    }
    let rows = cells.iter().map(|c| c.len()).max().unwrap_or(0);
    let table = Table {
        rows: (0..rows)
            .map(|i| TableRow {
                loc: Loc::Element(i + 1),
                cells: cells.iter().map(|c| c.get(i).map(String::as_str).unwrap_or("")).collect(),
                header_again: false,
            })
            .collect(),
        columns,
    };
    table::to_runs(name, &table, Flavor::Table, true)
}

/// A JSON scalar as table text (numbers print back exactly; lists and objects are text).
fn cell_text(v: Scalar<'_>) -> String {
    match v {
        Scalar::Number(x) => format!("{x:?}"),
        Scalar::Str(t) => t.into_owned(),
        Scalar::Null => String::new(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Nested => "[…]".to_string(),
    }
}

//! What every reader shares: reading a logged value, and gathering points into series and
//! runs (a restart found in the log starts a new run).

use fteval_core::curves::{Point, Series, Split, TrainingRun};
use rustc_hash::FxHashMap;

use super::names::MetricName;

/// A logged value read from text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// No value: an empty cell, `_` (Flair), `null`, `None`.
    Missing,
    Number(f64),
    /// Text that is not a number.
    Text,
}

/// Reads a cell: numbers, the non-finite spellings of Python, numpy and pandas (`nan`, `NaN`,
/// `inf`, `Infinity`, `-inf`, ...), and PyTorch's printed `tensor(0.5)`.
pub fn parse_value(text: &str) -> Value {
    let mut t = text.trim();
    if t.is_empty() {
        return Value::Missing;
    }
    if let Some(inner) = t.strip_prefix("tensor(").and_then(|r| r.strip_suffix(')')) {
        // `tensor(0.5, device='cuda:0')`
        t = inner.split(',').next().unwrap_or("").trim();
    }
    if let Ok(x) = t.parse::<f64>() {
        // Rust's parser takes nan, inf, infinity in any case, with a sign.
        return Value::Number(x);
    }
    match t.to_ascii_lowercase().as_str() {
        "_" | "-" | "none" | "null" | "na" | "n/a" | "<na>" | "nat" => Value::Missing,
        "-nan" | "+nan" | "nan(ind)" | "-nan(ind)" => Value::Number(f64::NAN),
        "inf.0" | "+inf.0" => Value::Number(f64::INFINITY),
        "-inf.0" => Value::Number(f64::NEG_INFINITY),
        _ => Value::Text,
    }
}

/// A step value as a whole number, if it is one.
pub fn as_step(x: f64) -> Option<u64> {
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 {
        Some(x as u64)
    } else {
        None
    }
}

/// Where a series goes: its normalised name, split, and whether it holds epoch aggregates.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SeriesKey {
    pub name: String,
    pub split: Split,
    pub per_epoch: bool,
}

impl SeriesKey {
    pub fn new(m: &MetricName, per_epoch_default: bool) -> SeriesKey {
        SeriesKey { name: m.name.clone(), split: m.split, per_epoch: m.per_epoch.unwrap_or(per_epoch_default) }
    }
}

/// Gathers points into the series of the current run; `restart` closes it and opens the next.
pub struct Collector {
    source: String,
    format: &'static str,
    keys: Vec<SeriesKey>,
    ids: FxHashMap<SeriesKey, usize>,
    /// For each key id, the index of its series in `current`, or usize::MAX.
    slots: Vec<usize>,
    current: TrainingRun,
    done: Vec<TrainingRun>,
}

const NONE: usize = usize::MAX;

impl Collector {
    pub fn new(source: &str, format: &'static str) -> Collector {
        Collector {
            source: source.to_string(),
            format,
            keys: Vec::new(),
            ids: FxHashMap::default(),
            slots: Vec::new(),
            current: TrainingRun {
                source: source.to_string(),
                format: format.to_string(),
                restart: 0,
                series: Vec::new(),
                notes: Vec::new(),
            },
            done: Vec::new(),
        }
    }

    /// The id of a series key, for `push`.
    pub fn key(&mut self, key: SeriesKey) -> usize {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.keys.len();
        self.keys.push(key.clone());
        self.ids.insert(key, id);
        self.slots.push(NONE);
        id
    }

    /// Appends a point to the series `id` of the current run (the series is created on its
    /// first point, so a run never holds an empty series).
    pub fn push(&mut self, id: usize, point: Point) {
        let mut slot = self.slots[id];
        if slot == NONE {
            let k = &self.keys[id];
            slot = self.current.series.len();
            self.current.series.push(Series {
                name: k.name.clone(),
                split: k.split,
                per_epoch: k.per_epoch,
                points: Vec::new(),
            });
            self.slots[id] = slot;
        }
        self.current.series[slot].points.push(point);
    }

    /// Adds a note to the current run (see `TrainingRun::notes`); a run with a note is kept
    /// even when it has no points.
    pub fn note(&mut self, text: String) {
        if !self.current.notes.contains(&text) {
            self.current.notes.push(text);
        }
    }

    /// Whether the current run has any point yet.
    pub fn current_is_empty(&self) -> bool {
        self.current.series.is_empty()
    }

    /// The log restarted: later points go to a new run (restart number + 1). Nothing happens
    /// while the current run is still empty.
    pub fn restart(&mut self) {
        if self.current.series.is_empty() {
            return;
        }
        let next = self.current.restart + 1;
        let run = std::mem::replace(
            &mut self.current,
            TrainingRun {
                source: self.source.clone(),
                format: self.format.to_string(),
                restart: next,
                series: Vec::new(),
                notes: Vec::new(),
            },
        );
        self.done.push(run);
        self.slots.iter_mut().for_each(|s| *s = NONE);
    }

    /// The runs, in log order; one empty run when the log held no points at all.
    pub fn finish(mut self) -> Vec<TrainingRun> {
        if !self.current.series.is_empty() || self.done.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(parse_value("0.5"), Value::Number(0.5));
        assert_eq!(parse_value(" 1e-3 "), Value::Number(1e-3));
        for t in ["nan", "NaN", "-nan", "NAN"] {
            assert!(matches!(parse_value(t), Value::Number(x) if x.is_nan()), "{t}");
        }
        for t in ["inf", "Infinity", "+inf", "INF"] {
            assert_eq!(parse_value(t), Value::Number(f64::INFINITY), "{t}");
        }
        assert_eq!(parse_value("-inf"), Value::Number(f64::NEG_INFINITY));
        assert_eq!(parse_value("-Infinity"), Value::Number(f64::NEG_INFINITY));
        assert_eq!(parse_value("tensor(0.25, device='cuda:0')"), Value::Number(0.25));
        for t in ["", "  ", "_", "None", "null"] {
            assert_eq!(parse_value(t), Value::Missing, "{t:?}");
        }
        assert_eq!(parse_value("17:54:34"), Value::Text);
    }

    #[test]
    fn restarts_make_runs() {
        let mut c = Collector::new("f", "keras");
        let loss = c.key(SeriesKey { name: "loss".into(), split: Split::Train, per_epoch: true });
        c.restart(); // nothing yet: no empty run
        c.push(loss, Point { step: None, epoch: Some(0.0), value: 1.0 });
        c.restart();
        c.push(loss, Point { step: None, epoch: Some(0.0), value: 2.0 });
        let runs = c.finish();
        assert_eq!(runs.len(), 2);
        assert_eq!((runs[0].restart, runs[1].restart), (0, 1));
        assert_eq!(runs[1].series[0].points[0].value, 2.0);
        assert_eq!(Collector::new("f", "huggingface").finish().len(), 1);
    }
}

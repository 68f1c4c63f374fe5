//! Coverage tallies: for one metric in one setting, how often the interval held the truth,
//! was marked unreliable, had zero width, or was missing.

use fteval_core::evaluate::{ClassRow, Evaluation, MetricResult};

/// One metric's outcome in one run.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// `MetricResult.unreliable` was set.
    pub unreliable: bool,
}

impl Outcome {
    pub fn of(m: &MetricResult) -> Outcome {
        Outcome { value: m.value, low: m.ci_low, high: m.ci_high, unreliable: m.unreliable.is_some() }
    }

    fn of_pair(value: f64, ci: Option<[f64; 2]>, unreliable: bool) -> Outcome {
        Outcome { value: value.is_finite().then_some(value), low: ci.map(|c| c[0]), high: ci.map(|c| c[1]), unreliable }
    }
}

/// Every metric of an evaluation with its outcome, then (with `per_class`) the per-class
/// precision, recall and F1 as `precision[label]` etc.
pub fn outcomes(e: &Evaluation, per_class: bool) -> Vec<(String, Outcome)> {
    let mut out: Vec<(String, Outcome)> = e.metrics.iter().map(|(k, m)| (k.clone(), Outcome::of(m))).collect();
    if per_class {
        out.extend(class_outcomes(&e.per_class));
    }
    out
}

fn class_outcomes(rows: &[ClassRow]) -> Vec<(String, Outcome)> {
    rows.iter()
        .flat_map(|r| {
            let u = r.unreliable.is_some();
            [
                (format!("precision[{}]", r.label), Outcome::of_pair(r.precision, r.precision_ci, u)),
                (format!("recall[{}]", r.label), Outcome::of_pair(r.recall, r.recall_ci, u)),
                (format!("f1[{}]", r.label), Outcome::of_pair(r.f1, r.f1_ci, u)),
            ]
        })
        .collect()
}

/// The values of an evaluation (the truth, when computed on many draws), keyed like [`outcomes`].
pub fn values(e: &Evaluation, per_class: bool) -> Vec<(String, f64)> {
    outcomes(e, per_class).into_iter().filter_map(|(k, o)| o.value.map(|v| (k, v))).collect()
}

/// Tolerance for "the truth is inside the interval" and "the interval has zero width".
const EPS: f64 = 1e-12;

/// One metric in one setting over all runs. Rates are over the runs where the value is defined;
/// a defined value without an interval counts as not covered.
#[derive(Clone, Debug, Default)]
pub struct CoverageRow {
    pub setting: String,
    pub n: usize,
    pub metric: String,
    pub truth: f64,
    pub runs: usize,
    /// Runs where the value was undefined (None): not counted as misses.
    pub undefined: usize,
    /// Runs with a value but no interval.
    pub no_interval: usize,
    pub covered: usize,
    pub marked: usize,
    pub covered_or_marked: usize,
    pub zero_width: usize,
    /// Zero-width intervals not marked unreliable.
    pub zero_width_unmarked: usize,
    pub width_sum: f64,
}

impl CoverageRow {
    fn add(&mut self, o: Option<&Outcome>) {
        self.runs += 1;
        let Some(o) = o.filter(|o| o.value.is_some()) else {
            self.undefined += 1;
            return;
        };
        let covered = match (o.low, o.high) {
            (Some(lo), Some(hi)) => {
                self.width_sum += hi - lo;
                if hi - lo <= EPS {
                    self.zero_width += 1;
                    self.zero_width_unmarked += usize::from(!o.unreliable);
                }
                lo - EPS <= self.truth && self.truth <= hi + EPS
            }
            _ => {
                self.no_interval += 1;
                false
            }
        };
        self.covered += usize::from(covered);
        self.marked += usize::from(o.unreliable);
        self.covered_or_marked += usize::from(covered || o.unreliable);
    }

    /// Runs with a defined value.
    pub fn defined(&self) -> usize {
        self.runs - self.undefined
    }

    fn rate(&self, k: usize) -> Option<f64> {
        (self.defined() > 0).then(|| k as f64 / self.defined() as f64)
    }

    pub fn coverage(&self) -> Option<f64> {
        self.rate(self.covered)
    }

    pub fn marked_rate(&self) -> Option<f64> {
        self.rate(self.marked)
    }

    pub fn covered_or_marked_rate(&self) -> Option<f64> {
        self.rate(self.covered_or_marked)
    }

    /// Within the bounds: misses the report did not warn about stay below 1 − `lo`
    /// (covered-or-marked ≥ `lo`), and the interval is not wider than it needs to be
    /// (coverage ≤ `hi`). Rows without a defined value are within.
    pub fn within(&self, lo: f64, hi: f64) -> bool {
        !(self.covered_or_marked_rate().is_some_and(|c| c < lo) || self.coverage().is_some_and(|c| c > hi))
    }

    pub fn zero_width_rate(&self) -> Option<f64> {
        self.rate(self.zero_width)
    }

    pub fn mean_width(&self) -> Option<f64> {
        let with = self.defined() - self.no_interval;
        (with > 0).then(|| self.width_sum / with as f64)
    }
}

/// Tallies the runs' outcomes against `truth` (one row per metric with a defined truth, in
/// truth order).
pub fn tally(setting: &str, n: usize, truth: &[(String, f64)], runs: &[Vec<(String, Outcome)>]) -> Vec<CoverageRow> {
    truth
        .iter()
        .map(|(key, t)| {
            let mut row =
                CoverageRow { setting: setting.to_string(), n, metric: key.clone(), truth: *t, ..Default::default() };
            for run in runs {
                row.add(run.iter().find(|(k, _)| k == key).map(|(_, o)| o));
            }
            row
        })
        .collect()
}

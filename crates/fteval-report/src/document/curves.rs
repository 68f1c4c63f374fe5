//! `fteval.curves/v1`: what the training logs say, and which checkpoint to keep.

use fteval_core::curves::{BestCheckpoint, Diagnosis, Finding, Series, TrainingRun};
use fteval_core::Check;
use serde::Serialize;

use super::finite;

pub const CURVES_SCHEMA: &str = "fteval.curves/v1";

/// Where a series is at its lowest.
#[derive(Clone, Debug, Serialize)]
pub struct PointDoc {
    pub step: Option<u64>,
    pub epoch: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SeriesDoc {
    pub name: String,
    pub split: &'static str,
    pub per_epoch: bool,
    pub count: usize,
    pub first: Option<f64>,
    pub last: Option<f64>,
    pub min: Option<f64>,
    pub argmin: Option<PointDoc>,
    pub max: Option<f64>,
    /// NaN or infinite values among `count`.
    pub non_finite: usize,
    /// The points, for plots: [step, epoch, value] (null where unknown or non-finite).
    #[serde(skip)]
    pub points: Vec<(Option<u64>, Option<f64>, f64)>,
}

impl From<&Series> for SeriesDoc {
    fn from(s: &Series) -> SeriesDoc {
        let finite_pts: Vec<_> = s.points.iter().filter(|p| p.value.is_finite()).collect();
        let min = finite_pts.iter().copied().min_by(|a, b| a.value.total_cmp(&b.value));
        SeriesDoc {
            name: s.name.clone(),
            split: s.split.as_str(),
            per_epoch: s.per_epoch,
            count: s.points.len(),
            first: s.points.first().and_then(|p| finite(p.value)),
            last: s.points.last().and_then(|p| finite(p.value)),
            min: min.map(|p| p.value),
            argmin: min.map(|p| PointDoc { step: p.step, epoch: p.epoch }),
            max: finite_pts.iter().map(|p| p.value).max_by(f64::total_cmp),
            non_finite: s.points.len() - finite_pts.len(),
            points: s.points.iter().map(|p| (p.step, p.epoch, p.value)).collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RunDoc {
    pub source: String,
    pub format: String,
    pub restart: usize,
    pub series: Vec<SeriesDoc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FindingDoc {
    pub id: &'static str,
    pub severity: fteval_core::Severity,
    pub run: usize,
    pub series: Option<String>,
    pub axis: &'static str,
    pub range: Option<[f64; 2]>,
    pub message: String,
}

impl From<&Finding> for FindingDoc {
    fn from(f: &Finding) -> FindingDoc {
        FindingDoc {
            id: f.id,
            severity: f.severity,
            run: f.run,
            series: f.series.clone(),
            axis: f.axis,
            range: f.range.map(|(a, b)| [a, b]),
            message: f.message.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct BestCheckpointDoc {
    pub run: usize,
    pub series: String,
    pub higher_is_better: bool,
    pub step: Option<u64>,
    pub epoch: Option<f64>,
    pub value: f64,
    pub last_step: Option<u64>,
    pub last_epoch: Option<f64>,
    pub last_value: f64,
    pub lost_by_keeping_last: f64,
}

impl From<&BestCheckpoint> for BestCheckpointDoc {
    fn from(b: &BestCheckpoint) -> BestCheckpointDoc {
        BestCheckpointDoc {
            run: b.run,
            series: b.series.clone(),
            higher_is_better: b.higher_is_better,
            step: b.step,
            epoch: b.epoch,
            value: b.value,
            last_step: b.last_step,
            last_epoch: b.last_epoch,
            last_value: b.last_value,
            lost_by_keeping_last: b.lost,
        }
    }
}

/// `fteval.curves/v1`.
#[derive(Clone, Debug, Serialize)]
pub struct CurvesDocument {
    pub schema: &'static str,
    pub fteval_version: &'static str,
    pub runs: Vec<RunDoc>,
    pub findings: Vec<FindingDoc>,
    pub best_checkpoint: Option<BestCheckpointDoc>,
    pub checks: Vec<Check>,
}

impl CurvesDocument {
    pub fn new(runs: &[TrainingRun], diagnosis: &Diagnosis, checks: Vec<Check>) -> CurvesDocument {
        CurvesDocument {
            schema: CURVES_SCHEMA,
            fteval_version: super::VERSION,
            runs: runs
                .iter()
                .map(|r| RunDoc {
                    source: r.source.clone(),
                    format: r.format.clone(),
                    restart: r.restart,
                    series: r.series.iter().map(SeriesDoc::from).collect(),
                })
                .collect(),
            findings: diagnosis.findings.iter().map(FindingDoc::from).collect(),
            best_checkpoint: diagnosis.best_checkpoint.as_ref().map(BestCheckpointDoc::from),
            checks: super::by_severity(checks),
        }
    }

    /// True when a finding or check has severity fail (exit 1).
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity == fteval_core::Severity::Fail)
            || self.checks.iter().any(|c| c.severity == fteval_core::Severity::Fail)
    }
}

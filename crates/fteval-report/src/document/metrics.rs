//! `fteval.metrics/v1`: one model on one test set.

use fteval_core::evaluate::{ClassRow, MetricResult};
use fteval_core::{Check, Evaluation};
use serde::Serialize;

use super::{BootstrapDoc, ConfusionDoc, Ordered, VERSION};

pub const METRICS_SCHEMA: &str = "fteval.metrics/v1";

/// `fteval.metrics/v1`.
#[derive(Clone, Debug, Serialize)]
pub struct MetricsDocument {
    pub schema: &'static str,
    pub fteval_version: &'static str,
    pub source: String,
    pub task: &'static str,
    pub n: u64,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive_label: Option<String>,
    pub metrics: Ordered<MetricResult>,
    pub per_class: Ordered<ClassRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confusion_matrix: Option<ConfusionDoc>,
    pub bootstrap: BootstrapDoc,
    pub checks: Vec<Check>,
}

impl MetricsDocument {
    /// The document for `eval` of `source`, with checks raised while reading the input first.
    pub fn new(source: &str, eval: Evaluation, input_checks: Vec<Check>) -> MetricsDocument {
        let mut checks = input_checks;
        checks.extend(eval.checks);
        let checks = super::by_severity(checks);
        MetricsDocument {
            schema: METRICS_SCHEMA,
            fteval_version: VERSION,
            source: source.to_string(),
            task: eval.task.as_str(),
            n: eval.n,
            labels: eval.labels.clone(),
            positive_label: eval.positive_label,
            metrics: Ordered(eval.metrics),
            per_class: Ordered(eval.per_class.into_iter().map(|r| (r.label.clone(), r)).collect()),
            confusion_matrix: eval.confusion.map(|cm| ConfusionDoc { labels: eval.labels, matrix: cm.rows() }),
            bootstrap: BootstrapDoc {
                resamples: eval.config.resamples,
                level: eval.config.level,
                seed: eval.config.seed,
            },
            checks,
        }
    }
}

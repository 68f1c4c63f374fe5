//! fteval-core: the computation behind fteval — metrics equal to their references,
//! honest confidence intervals, and the checks. Plain data in, plain data out: no I/O,
//! no terminal, so the same core can back Python bindings.

pub mod checks;
pub mod compare;
pub mod costs;
pub mod curves;
pub mod data;
pub mod evaluate;
pub mod gates;
pub mod generation_task;
pub mod labels;
pub mod leakage;
pub mod metric_fit;
pub mod metric_names;
pub mod metrics;
pub mod profile;
pub mod rank;
pub mod state;
pub mod stats;

pub use checks::{Check, Severity};
pub use data::{ClassificationInput, MultilabelInput, Scores, Task};
pub use evaluate::{evaluate_classification, evaluate_multilabel, Evaluation, MetricResult};
pub use stats::bootstrap::BootstrapConfig;

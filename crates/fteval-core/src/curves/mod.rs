//! Training curves: the series a training log holds, their diagnosis, and the best checkpoint.

pub mod series;

pub use series::{Point, Series, Split, TrainingRun};

//! Training curves: the series a training log holds, their diagnosis, and the best checkpoint.

pub mod diagnose;
pub mod robust;
pub mod series;

pub use diagnose::{diagnose, held_out_series, BestCheckpoint, DiagnoseOptions, Diagnosis, Finding};
pub use series::{point_label, Point, Series, Split, TrainingRun};

#[cfg(test)]
mod tests;

//! Metrics: each a pure function over counts or columns, equal to its reference.

pub mod classification;
pub mod confusion;
pub mod generation;
pub mod multilabel;
pub mod ner;
pub mod score_curves;
pub mod scores;

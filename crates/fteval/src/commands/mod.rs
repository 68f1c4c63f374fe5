//! One module per command.

pub mod metrics;

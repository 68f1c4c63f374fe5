//! One module per command, plus what they share: input flags and judgement settings.

pub mod check;
pub mod compare;
pub mod config_source;
pub mod curves;
pub mod demo;
pub mod init;
pub mod input;
pub mod leakage;
pub mod metrics;
pub mod rank;
pub mod settings;
pub mod text_compare;
pub mod text_input;

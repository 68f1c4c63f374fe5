//! fteval-report: the report documents (the JSON contract of SPEC) and their renderers for
//! the terminal, Markdown and JSON.

pub mod document;
pub mod render;

pub use document::{CompareDocument, MetricsDocument, RankDocument};
pub use render::{Json, Markdown, Renderer, Terminal};

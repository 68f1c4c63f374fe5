//! fteval-report: the report documents (the JSON contract of SPEC) and their renderers for
//! the terminal, Markdown, JSON and HTML.

pub mod document;
pub mod render;
pub mod sanitize;

pub use document::{CompareDocument, MetricsDocument, RankDocument};
pub use render::{Html, Json, Markdown, Renderer, Terminal};
pub use sanitize::escape_controls;

//! A report document held in Rust, rendered on demand by the CLI's renderers.

use fteval_report::{Html, Json, Markdown, MetricsDocument, Renderer, Terminal};
use pyo3::prelude::*;

/// One report document (today: `metrics`), in each of the CLI's output formats.
#[pyclass(module = "fteval._fteval", frozen)]
pub struct Report {
    doc: MetricsDocument,
}

impl Report {
    pub fn metrics(doc: MetricsDocument) -> Report {
        Report { doc }
    }

    fn render(&self, renderer: &dyn Renderer) -> PyResult<String> {
        let mut out = Vec::new();
        renderer.metrics(&self.doc, &mut out).map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

#[pymethods]
impl Report {
    /// The JSON document (the contract of SPEC.md), as `fteval metrics --format json` writes it.
    fn json(&self) -> PyResult<String> {
        self.render(&Json)
    }
    /// The self-contained HTML report.
    fn html(&self) -> PyResult<String> {
        self.render(&Html)
    }
    /// The Markdown report (for pull requests).
    fn markdown(&self) -> PyResult<String> {
        self.render(&Markdown)
    }
    /// The terminal report, without colour.
    fn text(&self) -> PyResult<String> {
        self.render(&Terminal { color: false })
    }
}

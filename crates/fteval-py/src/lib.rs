//! fteval's Python bindings (the `fteval._fteval` extension): Python, numpy and
//! Arrow-backed columns in, the core's states and report documents out. No metric logic here.

use pyo3::prelude::*;

mod columns;
mod evaluator;
mod report;

pyo3::create_exception!(
    _fteval,
    InputError,
    pyo3::exceptions::PyValueError,
    "Input fteval cannot evaluate: the message names what and where, the hint what to do."
);

/// Runs the fteval command line with `argv` (argv[0] is the program name) and exits the process
/// with its exit code, as the `fteval` command that the wheel puts on PATH.
#[pyfunction]
fn run_cli(argv: Vec<std::ffi::OsString>) {
    fteval::run(argv)
}

#[pymodule]
fn _fteval(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<evaluator::Evaluator>()?;
    m.add_class::<report::Report>()?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    Ok(())
}

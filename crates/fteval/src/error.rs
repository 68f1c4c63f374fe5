//! The binary's error: a message and a hint, printed to stderr with exit code 2.

use std::fmt;

use fteval_io::InputError;
use fteval_report::escape_controls;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub hint: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError { message: message.into(), hint: hint.into() }
    }
}

impl From<InputError> for CliError {
    fn from(e: InputError) -> CliError {
        let message = if e.location.is_empty() {
            format!("{}: {}", e.file, e.message)
        } else {
            format!("{}: {}: {}", e.file, e.location, e.message)
        };
        CliError { message, hint: e.hint }
    }
}

/// Prints `error: MESSAGE` and `  hint: HINT`, control characters from the data (a label, a
/// column name, a quoted line) escaped so that they cannot act on the terminal.
impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", escape_controls(&self.message))?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", escape_controls(&self.hint))?;
        }
        Ok(())
    }
}

/// A flag whose number is out of its range ([`crate::ranges`]), as the project's own error:
/// `--bootstrap -1: must be a whole number from 0 to 1000000` and a hint saying what the number
/// is for. Other parse errors (unknown flags, `--help`) are clap's to print.
pub fn out_of_range(e: &clap::Error) -> Option<CliError> {
    use clap::error::{ContextKind, ErrorKind};
    if e.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let range = std::error::Error::source(e)?.downcast_ref::<crate::ranges::OutOfRange>()?;
    let arg = e.get(ContextKind::InvalidArg)?.to_string();
    let flag = arg.split_whitespace().next().unwrap_or(&arg);
    let value = e.get(ContextKind::InvalidValue).map(|v| v.to_string()).unwrap_or_default();
    Some(CliError::usage(format!("{flag} {value}: {}", range.why), range.advice))
}

/// An argument given as the empty string (`--gold ''`, `metrics ""`), as the project's own error
/// naming the argument and saying it is empty: clap's "a value is required … but none was supplied"
/// reads as if the value had been left out. `argv_has_empty` tells the two apart (clap's error does not).
pub fn empty_value(e: &clap::Error, argv_has_empty: bool) -> Option<CliError> {
    use clap::error::{ContextKind, ErrorKind};
    if e.kind() != ErrorKind::InvalidValue || !argv_has_empty {
        return None;
    }
    if !e.get(ContextKind::InvalidValue).is_some_and(|v| v.to_string().is_empty()) {
        return None;
    }
    let arg = e.get(ContextKind::InvalidArg)?.to_string();
    Some(CliError::usage(
        format!("{arg}: the value is empty (an empty argument, '')"),
        "give a path; an empty argument often comes from an unset shell variable (\"$FILE\")",
    ))
}

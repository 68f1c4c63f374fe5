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

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", escape_controls(&self.message))?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", escape_controls(&self.hint))?;
        }
        Ok(())
    }
}

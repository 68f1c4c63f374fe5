//! The reader's one error type: what went wrong, where (file, line or row, column) and what
//! to do about it.

use std::fmt;

/// An input problem a user can fix. Displayed as `FILE:LOCATION: MESSAGE` then a hint line.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub file: String,
    /// "line 17, column 'prob'" or similar; empty when the whole file is concerned.
    pub location: String,
    pub message: String,
    pub hint: String,
}

impl InputError {
    pub fn new(file: &str, message: impl Into<String>, hint: impl Into<String>) -> InputError {
        InputError { file: file.to_string(), location: String::new(), message: message.into(), hint: hint.into() }
    }

    pub fn at(mut self, location: impl Into<String>) -> InputError {
        self.location = location.into();
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.file, self.message)?;
        } else {
            write!(f, "{}: {}: {}", self.file, self.location, self.message)?;
        }
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

pub type Result<T> = std::result::Result<T, InputError>;

//! Mergeable evaluation states: sufficient statistics that batches update, that merge in any
//! order, and that finalize into exactly the evaluation of all their rows at once. States travel
//! between processes as bytes in the versioned format of docs/states.md.

mod bytes;
pub mod classification;
pub mod multilabel;

pub use classification::{Batch, ClassificationOptions, ClassificationState, ScoresRef};
pub use multilabel::MultilabelState;

/// Which state a byte string holds (its fourth header field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Classification = 1,
    Multilabel = 2,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Classification => "classification",
            Kind::Multilabel => "multilabel",
        }
    }

    fn from_code(code: u8) -> Option<Kind> {
        match code {
            1 => Some(Kind::Classification),
            2 => Some(Kind::Multilabel),
            _ => None,
        }
    }
}

/// Why a state could not be updated, merged, read or finalized; written for users.
#[derive(Debug, Clone, PartialEq)]
pub enum StateError {
    /// Batches or states that cannot be combined (other options, other kinds of scores).
    Mismatch(String),
    /// Rows that cannot be evaluated as asked (a label space the task does not allow).
    Input(String),
    /// Bytes that are not a state of this kind and version.
    Bytes(String),
    /// Nothing was added.
    Empty,
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Mismatch(m) => write!(f, "cannot combine these batches: {m}"),
            StateError::Input(m) => write!(f, "{m}"),
            StateError::Bytes(m) => write!(f, "not an fteval state: {m}"),
            StateError::Empty => write!(f, "no rows to evaluate: update the state with at least one batch first"),
        }
    }
}

impl std::error::Error for StateError {}

#[cfg(test)]
mod tests;

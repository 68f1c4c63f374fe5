//! Report documents: the serde types behind `--format json` (SPEC's contract), from which
//! every other format is rendered.

mod check;
mod compare;
mod curves;
mod leakage;
mod metrics;
mod plots;
mod rank;
mod text_compare;

pub use check::*;
pub use compare::*;
pub use curves::*;
pub use leakage::*;
pub use metrics::*;
pub use plots::*;
pub use rank::*;
pub use text_compare::*;

use fteval_core::stats::bootstrap::BootstrapConfig;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The version written into every document.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// An ordered list of (key, value) serialised as a JSON object.
#[derive(Clone, Debug)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<T> Ordered<T> {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ConfusionDoc {
    pub labels: Vec<String>,
    pub matrix: Vec<Vec<u64>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BootstrapDoc {
    pub resamples: usize,
    pub level: f64,
    pub seed: u64,
}

impl From<BootstrapConfig> for BootstrapDoc {
    fn from(c: BootstrapConfig) -> BootstrapDoc {
        BootstrapDoc { resamples: c.resamples, level: c.level, seed: c.seed }
    }
}

/// A finite number, or None (JSON null) for NaN and infinities.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Checks ordered for reading: failures, then warnings, then notes (stable within each).
pub(crate) fn by_severity(mut checks: Vec<fteval_core::Check>) -> Vec<fteval_core::Check> {
    checks.sort_by_key(|c| std::cmp::Reverse(c.severity));
    checks
}

//! `fteval.check/v1`: everything a project config names, in one run, with one verdict.

use fteval_core::{Check, Severity};
use serde::Serialize;

use super::{
    BootstrapDoc, CompareDocument, CurvesDocument, LeakageDocument, MetricsDocument, Ordered, TextCompareDocument,
};

pub const CHECK_SCHEMA: &str = "fteval.check/v1";

/// The one answer of `fteval check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckVerdict {
    /// Better (or not worse) on the primary metric, every gate passed, nothing to look at.
    Ship,
    /// Something a reviewer must look at first; no gate failed.
    NeedsAttention,
    /// A gate failed, the primary metric regressed, or a check of severity fail.
    DoNotShip,
}

impl CheckVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckVerdict::Ship => "ship",
            CheckVerdict::NeedsAttention => "needs_attention",
            CheckVerdict::DoNotShip => "do_not_ship",
        }
    }

    /// The verdict as a headline: "SHIP", "NEEDS ATTENTION", "DO NOT SHIP".
    pub fn headline(self) -> &'static str {
        match self {
            CheckVerdict::Ship => "SHIP",
            CheckVerdict::NeedsAttention => "NEEDS ATTENTION",
            CheckVerdict::DoNotShip => "DO NOT SHIP",
        }
    }
}

/// One reason behind the verdict, most important first.
#[derive(Clone, Debug, Serialize)]
pub struct ReasonDoc {
    pub severity: Severity,
    /// The part of the check it comes from: compare, gates, overfitting, curves, leakage, metrics, config.
    pub source: &'static str,
    /// The check or gate id (`regression`, `gate`, `wrong_metric`, `overfitting`, `test_leakage`, ...).
    pub id: String,
    pub message: String,
}

/// The train–test gap of one metric: the candidate's predictions on its own training set
/// against the test set, with an interval from independent bootstraps of both.
#[derive(Clone, Debug, Serialize)]
pub struct GapDoc {
    pub train: f64,
    pub test: f64,
    /// train − test (for metrics where higher is better; a positive gap means the model does
    /// better on data it has seen).
    pub gap: f64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The gap that decides (the primary metric's); the others are shown, not tested.
    pub tested: bool,
    pub flagged: bool,
}

/// `overfitting` from metrics: train–test gaps.
#[derive(Clone, Debug, Serialize)]
pub struct OverfittingDoc {
    pub train_source: String,
    pub test_source: String,
    pub train_n: u64,
    pub test_n: u64,
    /// The tested gap is flagged when larger than this and its interval excludes 0.
    pub max_gap: f64,
    pub metrics: Ordered<GapDoc>,
    pub bootstrap: BootstrapDoc,
}

/// What the config asked for, as read.
#[derive(Clone, Debug, Serialize)]
pub struct CheckConfigDoc {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub primary_metric: String,
    pub gates: Vec<String>,
    /// The files each part read, by config key.
    pub files: Ordered<Vec<String>>,
}

/// `fteval.check/v1`.
#[derive(Clone, Debug, Serialize)]
pub struct CheckDocument {
    pub schema: &'static str,
    pub fteval_version: &'static str,
    pub config: CheckConfigDoc,
    pub verdict: CheckVerdict,
    /// One sentence: the verdict and its first reason.
    pub summary: String,
    pub reasons: Vec<ReasonDoc>,
    /// `fteval metrics` of each classification model on the test set, keyed "baseline" and "candidate".
    pub metrics: Ordered<MetricsDocument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<CompareDocument>,
    /// The comparison of NER or generation models (instead of `compare`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_compare: Option<TextCompareDocument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overfitting: Option<OverfittingDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curves: Option<CurvesDocument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leakage: Option<LeakageDocument>,
    /// Checks only the whole picture allows (wrong_metric, overfitting, ...).
    pub checks: Vec<Check>,
}

impl CheckDocument {
    /// Exit 1 for do not ship.
    pub fn failed(&self) -> bool {
        self.verdict == CheckVerdict::DoNotShip
    }
}

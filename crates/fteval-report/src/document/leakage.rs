//! `fteval.leakage/v1`: which test rows leak from the training set, and how.

use fteval_core::leakage::analyze::{Leakage, LeakageOptions};
use fteval_core::leakage::minhash::Scheme;
use fteval_core::leakage::normalize::Normalize;
use fteval_core::leakage::within_split::SplitDuplicates;
use fteval_core::{Check, Severity};
use serde::Serialize;

pub const LEAKAGE_SCHEMA: &str = "fteval.leakage/v1";

/// One input split.
#[derive(Clone, Debug, Serialize)]
pub struct SplitDoc {
    pub file: String,
    pub rows: usize,
    /// What was compared: the text fields, or the feature columns of tabular data.
    pub compared: String,
    /// The columns whose contents (never their names) make up each row's text.
    pub text_fields: Vec<String>,
    /// The other columns and why each is not compared.
    pub left_out: Vec<LeftOutDoc>,
    pub label_column: Option<String>,
    pub duplicated_rows: usize,
    /// Share of the split's rows that deduplication would remove.
    pub duplicate_rate: f64,
    /// Distinct texts with more than one label within the split.
    pub conflicting_texts: usize,
    /// Rows with a near duplicate (Jaccard at or above the threshold) in the split.
    pub near_duplicated_rows: usize,
    pub near_duplicate_rate: f64,
    /// Rows in groups of near duplicates that carry more than one label.
    pub near_conflicting_rows: usize,
}

/// A column of a split that is not part of the compared text, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeftOutDoc {
    pub column: String,
    pub reason: String,
}

/// Which columns of a split were compared and which were left out.
#[derive(Clone, Debug, Default)]
pub struct SplitFields<'a> {
    pub compared: &'a str,
    pub text_fields: Vec<String>,
    pub left_out: Vec<LeftOutDoc>,
    pub label_column: Option<&'a str>,
}

impl SplitDoc {
    pub fn new(file: &str, fields: SplitFields, d: &SplitDuplicates) -> SplitDoc {
        let label_column = fields.label_column;
        SplitDoc {
            file: file.to_string(),
            rows: d.rows,
            compared: fields.compared.to_string(),
            text_fields: fields.text_fields,
            left_out: fields.left_out,
            label_column: label_column.map(str::to_string),
            duplicated_rows: d.duplicated_rows,
            duplicate_rate: d.duplicate_rate(),
            conflicting_texts: d.conflicting_texts,
            near_duplicated_rows: d.near_duplicated_rows,
            near_duplicate_rate: d.near_duplicate_rate(),
            near_conflicting_rows: d.near_conflicting_rows,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SettingsDoc {
    pub normalize: &'static str,
    pub threshold: f64,
    pub num_perm: usize,
    pub minhash_scheme: &'static str,
    pub shingle_words: usize,
    pub lsh_bands: usize,
    pub lsh_rows: usize,
    pub ngram: usize,
    pub share_ngram: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct SummaryDoc {
    pub exact_duplicates: usize,
    pub near_duplicates: usize,
    pub contaminated: usize,
    pub label_conflicts: usize,
    pub leaked_fraction: f64,
    /// Test rows left after removing the flagged ones.
    pub clean_rows: usize,
}

/// One flagged test row, at its strongest kind.
#[derive(Clone, Debug, Serialize)]
pub struct FlaggedDoc {
    pub test_id: String,
    pub kind: &'static str,
    pub train_id: Option<String>,
    pub jaccard: Option<f64>,
    pub estimated_jaccard: Option<f64>,
    pub containment: Option<f64>,
    pub label_conflict: bool,
    /// Share of the row's 8-grams (`share_ngram`) found in training text.
    pub ngram_share: f64,
    /// Longest run of the row's words covered by shared 8-grams.
    pub longest_shared_run: usize,
}

/// The leaked share of the test set above which leakage fails, and where it was set (the flag
/// `--max-leak` or a config key), so messages name what to change.
#[derive(Clone, Copy, Debug)]
pub struct LeakLimit<'a> {
    pub fraction: f64,
    pub source: &'a str,
}

#[derive(Clone, Debug, Serialize)]
pub struct LeakageDocument {
    pub schema: &'static str,
    pub fteval_version: &'static str,
    pub train: SplitDoc,
    pub test: SplitDoc,
    pub train_rows: usize,
    pub test_rows: usize,
    pub settings: SettingsDoc,
    pub summary: SummaryDoc,
    pub test_rows_flagged: Vec<FlaggedDoc>,
    pub checks: Vec<Check>,
}

impl LeakageDocument {
    /// The document for `leakage`; `train_ids`/`test_ids` name rows, `max_leak` is the share
    /// of leaked test rows above which the check fails.
    pub fn new(
        train: SplitDoc,
        test: SplitDoc,
        leakage: &Leakage,
        opts: &LeakageOptions,
        train_ids: &[String],
        test_ids: &[String],
        limit: LeakLimit,
    ) -> LeakageDocument {
        let max_leak = limit.fraction;
        use fteval_core::leakage::analyze::LeakKind;
        let summary = SummaryDoc {
            exact_duplicates: leakage.count(LeakKind::Exact),
            near_duplicates: leakage.count(LeakKind::Near),
            contaminated: leakage.count(LeakKind::Contaminated),
            label_conflicts: leakage.label_conflicts(),
            leaked_fraction: leakage.leaked_fraction(),
            clean_rows: leakage.test_rows - leakage.flagged.len(),
        };
        let mut checks = Vec::new();
        let pct = 100.0 * summary.leaked_fraction;
        if summary.leaked_fraction > max_leak {
            checks.push(Check::new(
                "test_leakage",
                Severity::Fail,
                format!(
                    "{} of {} test rows ({pct:.2}%) leak from the training set ({} exact, {} near, {} contaminated), above the {:.2}% allowed ({}): the test metrics are inflated. Re-evaluate on the clean rows (fteval leakage --write-clean).",
                    leakage.flagged.len(),
                    leakage.test_rows,
                    summary.exact_duplicates,
                    summary.near_duplicates,
                    summary.contaminated,
                    100.0 * max_leak,
                    limit.source
                ),
            ));
        } else if !leakage.flagged.is_empty() {
            checks.push(Check::new(
                "test_leakage",
                Severity::Warn,
                format!(
                    "{} of {} test rows ({pct:.2}%) leak from the training set, within the {:.2}% allowed ({}).",
                    leakage.flagged.len(),
                    leakage.test_rows,
                    100.0 * max_leak,
                    limit.source
                ),
            ));
        }
        if summary.label_conflicts > 0 {
            checks.push(Check::new(
                "label_conflicts",
                Severity::Warn,
                format!(
                    "{} leaked test rows carry a different label than their training copy: either label noise, or the label depends on something the text does not show.",
                    summary.label_conflicts
                ),
            ));
        }
        for (name, d) in [("train", &train), ("test", &test)] {
            if d.conflicting_texts > 0 || d.near_conflicting_rows > 0 {
                checks.push(Check::new(
                    "label_conflicts_within_split",
                    Severity::Warn,
                    format!(
                        "{name}: {} texts occur with more than one label, and {} rows have a near duplicate with another label: label noise that caps the accuracy any model can reach on them.",
                        d.conflicting_texts, d.near_conflicting_rows
                    ),
                ));
            }
        }
        if leakage.capped_train_rows > 0 {
            checks.push(Check::new(
                "lsh_candidates_capped",
                Severity::Info,
                format!(
                    "{} training rows share LSH buckets with more than {} distinct test texts (masses of near copies); only {} candidates were verified for each, so near duplicates of some test rows may be missing. Deduplicate the near copies, or raise --threshold.",
                    leakage.capped_train_rows,
                    fteval_core::leakage::analyze::MAX_CANDIDATES,
                    fteval_core::leakage::analyze::MAX_CANDIDATES
                ),
            ));
        }
        let (bands, rows) = leakage.lsh;
        LeakageDocument {
            schema: LEAKAGE_SCHEMA,
            fteval_version: super::VERSION,
            train_rows: leakage.train_rows,
            test_rows: leakage.test_rows,
            train,
            test,
            settings: SettingsDoc {
                normalize: match opts.normalize {
                    Normalize::Default => "default",
                    Normalize::Strict => "strict",
                },
                threshold: opts.threshold,
                num_perm: opts.num_perm,
                minhash_scheme: match opts.scheme {
                    Scheme::Datasketch => "datasketch",
                    Scheme::Fast => "fast",
                },
                shingle_words: opts.shingle,
                lsh_bands: bands,
                lsh_rows: rows,
                ngram: opts.ngram,
                share_ngram: opts.share_ngram,
            },
            summary,
            test_rows_flagged: leakage
                .flagged
                .iter()
                .map(|f| FlaggedDoc {
                    test_id: test_ids.get(f.test).cloned().unwrap_or_default(),
                    kind: f.kind.as_str(),
                    train_id: f.train.and_then(|t| train_ids.get(t).cloned()),
                    jaccard: f.jaccard,
                    estimated_jaccard: f.estimated_jaccard,
                    containment: f.containment,
                    label_conflict: f.label_conflict,
                    ngram_share: f.contamination.share,
                    longest_shared_run: f.contamination.longest_run,
                })
                .collect(),
            checks,
        }
    }

    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.severity == Severity::Fail)
    }
}

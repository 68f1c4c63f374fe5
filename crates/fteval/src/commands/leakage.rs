//! `fteval leakage --train FILE --test FILE`: are the test numbers inflated by leakage?

use fteval_core::leakage::analyze::{find_leakage, LeakageOptions};
use fteval_core::leakage::minhash::Scheme;
use fteval_core::leakage::normalize::Normalize;
use fteval_io::leakage::{read_splits, write_kept_rows, SplitColumns, SplitTable};
use fteval_report::document::{LeakLimit, LeakageDocument, LeftOutDoc, SplitDoc, SplitFields};

use crate::cli::{LeakageArgs, MinhashSchemeArg, NormalizeArg};
use crate::error::CliError;
use crate::output::Output;
use crate::progress::ProgressBar;

pub fn run(args: LeakageArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    let doc = document(&args, "--max-leak")?;
    let renderer = output.renderer();
    output.write(|w| renderer.leakage(&doc, w))?;
    Ok(if doc.failed() { 1 } else { 0 })
}

/// Reads both splits, finds the leaks and writes the clean test rows when asked; `limit_source`
/// names where `args.max_leak` was set, for the messages.
pub fn document(args: &LeakageArgs, limit_source: &str) -> Result<LeakageDocument, CliError> {
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        return Err(CliError::usage(
            format!("--threshold {}: must be in (0, 1]", args.threshold),
            "a Jaccard similarity: 0.8 flags pairs sharing most of their 5-word shingles",
        ));
    }
    if args.num_perm == 0 || args.ngram == 0 || !(0.0..=1.0).contains(&args.max_leak) {
        return Err(CliError::usage(
            "--num-perm and --ngram must be at least 1, and --max-leak a fraction in [0, 1]",
            "e.g. --num-perm 128 --ngram 13 --max-leak 0.01",
        ));
    }
    let columns = SplitColumns { id: args.id_col.clone(), label: args.label_col.clone(), text: args.text_col.clone() };
    let (mut train, mut test) = read_splits(&args.train, &args.test, &columns, None)?;
    let opts = LeakageOptions {
        normalize: match args.normalize {
            NormalizeArg::Default => Normalize::Default,
            NormalizeArg::Strict => Normalize::Strict,
        },
        threshold: args.threshold,
        num_perm: args.num_perm,
        scheme: match args.minhash_scheme {
            MinhashSchemeArg::Fast => Scheme::Fast,
            MinhashSchemeArg::Datasketch => Scheme::Datasketch,
        },
        ngram: args.ngram,
        ..LeakageOptions::default()
    };
    let train_labels: Vec<Option<&str>> = train.labels.iter().map(|l| l.as_deref()).collect();
    let test_labels: Vec<Option<&str>> = test.labels.iter().map(|l| l.as_deref()).collect();
    let progress = ProgressBar::for_rows(train.texts.len() + test.texts.len());
    let leakage = find_leakage(&mut train.texts, &train_labels, &mut test.texts, &test_labels, &opts, &progress)
        .map_err(|e| CliError::usage(format!("--num-perm: {e}"), "128 (the default) or 256 are the usual sizes"))?;
    progress.finish();
    let split_doc = |t: &SplitTable, d| SplitDoc::new(&t.file, split_fields(t), d);
    let doc = LeakageDocument::new(
        split_doc(&train, &leakage.train_duplicates),
        split_doc(&test, &leakage.test_duplicates),
        &leakage,
        &opts,
        &train.ids,
        &test.ids,
        LeakLimit { fraction: args.max_leak, source: limit_source },
    );
    if let Some(path) = &args.write_clean {
        let mut keep = vec![true; test.texts.len()];
        for f in &leakage.flagged {
            keep[f.test] = false;
        }
        let written = write_kept_rows(&args.test, None, &keep, path)?;
        eprintln!("wrote {written} clean test rows to {}", path.display());
    }
    Ok(doc)
}

/// The compared and left-out columns of a split, for its document.
fn split_fields(t: &SplitTable) -> SplitFields<'_> {
    SplitFields {
        compared: &t.compared,
        text_fields: t.text_fields.clone(),
        left_out: t
            .left_out
            .iter()
            .map(|(column, why)| LeftOutDoc { column: column.clone(), reason: why.describe() })
            .collect(),
        label_column: t.label_column.as_deref(),
    }
}

//! `fteval leakage --train FILE --test FILE`: are the test numbers inflated by leakage?

use fteval_core::leakage::analyze::{find_leakage, LeakageOptions};
use fteval_core::leakage::minhash::Scheme;
use fteval_core::leakage::normalize::Normalize;
use fteval_io::leakage::{read_splits, write_kept_rows, SplitColumns, SplitTable};
use fteval_report::document::{LeakLimit, LeakageDocument, LeftOutDoc, SplitDoc, SplitFields};

use crate::cli::{LeakageArgs, MinhashSchemeArg, NormalizeArg};
use crate::error::CliError;
use crate::output::{note, write_file, Links, Output};
use crate::paths::{self, Named};
use crate::progress::ProgressBar;

pub fn run(args: LeakageArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    let inputs = [Named::input("--train", &args.train), Named::input("--test", &args.test)];
    let mut outputs = vec![output.destination()];
    outputs.extend(args.write_clean.iter().map(|p| Named::path("--write-clean", p)));
    paths::refuse_overwrites(&inputs, &outputs)?;
    let doc = document(&args, "--max-leak")?;
    let renderer = output.renderer();
    output.write(|w| renderer.leakage(&doc, w))?;
    Ok(if doc.failed() { 1 } else { 0 })
}

/// Reads both splits, finds the leaks and writes the clean test rows when asked; `limit_source`
/// names where `args.max_leak` was set, for the messages.
pub fn document(args: &LeakageArgs, limit_source: &str) -> Result<LeakageDocument, CliError> {
    // The flags' parsers have checked the ranges of the numbers (crate::ranges).
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
    let leakage = find_leakage(&mut train.texts, &train_labels, &mut test.texts, &test_labels, &opts, &progress);
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
        let jsonl = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
        let shown = format!("--write-clean {}", path.display());
        let written = write_file("--write-clean", path, Links::Follow, |w| {
            Ok(write_kept_rows(&args.test, None, &keep, w, jsonl, &shown)?)
        })?;
        note(format!("wrote {written} clean test rows to {}", path.display()));
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

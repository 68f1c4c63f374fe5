//! The leakage command's train and test readers (both splits read, text fields chosen together); the first
//! byte cuts the input into the two files, the second chooses CSV or JSON Lines.
#![no_main]
use fteval_io::leakage::{read_splits, SplitColumns};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ext, rest) = match data.split_first() {
        Some((b, rest)) => (["csv", "jsonl", "tsv"][*b as usize % 3], rest),
        None => ("csv", data),
    };
    let (train, test) = fteval_fuzz::split(rest);
    let train = fteval_fuzz::file(&format!("train.{ext}"), train);
    let test = fteval_fuzz::file(&format!("test.{ext}"), test);
    let _ = read_splits(&train, &test, &SplitColumns::default(), None);
});

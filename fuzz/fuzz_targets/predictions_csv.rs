//! CSV and TSV prediction files (the first byte chooses the delimiter, by extension).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ext, body) = match data.split_first() {
        Some((b, rest)) if b & 1 == 1 => ("tsv", rest),
        Some((_, rest)) => ("csv", rest),
        None => ("csv", data),
    };
    fteval_fuzz::predictions(&fteval_fuzz::file(&format!("preds.{ext}"), body));
});

//! Parquet prediction files (seeded with the repository's Parquet fixture).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    fteval_fuzz::predictions(&fteval_fuzz::file("preds.parquet", data));
});

//! JSON prediction files (an array of records, or pandas' other orients, which are refused).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    fteval_fuzz::predictions(&fteval_fuzz::file("preds.json", data));
});

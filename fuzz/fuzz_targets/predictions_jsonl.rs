//! JSON Lines prediction files.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    fteval_fuzz::predictions(&fteval_fuzz::file("preds.jsonl", data));
});

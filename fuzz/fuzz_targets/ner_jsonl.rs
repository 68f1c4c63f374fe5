//! NER JSON Lines: a token list and gold and predicted tag lists per record.
#![no_main]
use fteval_io::ner::{read_ner, NerReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = fteval_fuzz::file("ner.jsonl", data);
    let _ = read_ner(&path, &NerReadOptions::default());
});

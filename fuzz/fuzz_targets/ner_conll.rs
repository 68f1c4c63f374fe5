//! CoNLL token files: the CoNLL sniffer (on a .txt name) and the NER reader.
#![no_main]
use fteval_io::ner::{read_ner, NerReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let txt = fteval_fuzz::file("tokens.txt", data);
    let _ = fteval_io::task::looks_like_conll(&txt);
    let path = fteval_fuzz::file("tokens.conll", data);
    let _ = read_ner(&path, &NerReadOptions::default());
});

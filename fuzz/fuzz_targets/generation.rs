//! Generation files: generated text and references (lists, chats, Python literals) in CSV, JSONL or JSON.
#![no_main]
use fteval_io::{read_generation, GenerationReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ext, body) = match data.split_first() {
        Some((b, rest)) => (["csv", "jsonl", "json"][*b as usize % 3], rest),
        None => ("csv", data),
    };
    let path = fteval_fuzz::file(&format!("gen.{ext}"), body);
    let _ = fteval_io::task::detect_kind(&path, None, false, None, None);
    let _ = read_generation(&path, &GenerationReadOptions::default());
});

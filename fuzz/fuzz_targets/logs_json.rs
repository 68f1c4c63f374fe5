//! JSON training logs: Hugging Face trainer_state.json, JSON Lines logs, JSON tables (format sniffed from the
//! name the first byte chooses and from the bytes).
#![no_main]
use fteval_io::logs::read_log_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, body) = match data.split_first() {
        Some((b, rest)) => (["trainer_state.json", "log.jsonl", "metrics.json"][*b as usize % 3], rest),
        None => ("trainer_state.json", data),
    };
    let _ = read_log_bytes(name, body, None);
});

//! Python list/dict literals in cells (`['a', 'b']`, `{'a': 0.2}`, numpy's `[0.1 0.9]`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(v) = fteval_io::pyliteral::parse(text) {
            let _ = v.to_string();
        }
    }
});

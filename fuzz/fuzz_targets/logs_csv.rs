//! CSV/TSV training logs: Keras CSVLogger, Lightning metrics.csv, Flair loss.tsv and other tables (the first
//! byte chooses the name and whether the format is forced).
#![no_main]
use fteval_io::logs::{read_log_bytes, LogFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, format, body) = match data.split_first() {
        Some((b, rest)) => {
            let name = ["training.log", "metrics.csv", "loss.tsv", "history.csv"][*b as usize % 4];
            let format = [None, Some(LogFormat::Keras), Some(LogFormat::Lightning), Some(LogFormat::Table)]
                [(*b as usize / 4) % 4];
            (name, format, rest)
        }
        None => ("metrics.csv", None, data),
    };
    let _ = read_log_bytes(name, body, format);
});

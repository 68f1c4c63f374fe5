//! Shared helpers of the fuzz targets: the readers that take a path get the fuzzer's bytes through a file in
//! a per-process temporary folder (on /dev/shm when there is one, so a run costs a tmpfs write).

use std::path::PathBuf;
use std::sync::OnceLock;

/// The per-process folder the targets write their input files to.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base =
            if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("fteval-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    })
}

/// Writes `bytes` to a file called `name` in the scratch folder and returns its path. A folder removed
/// from outside (a cleanup of /dev/shm) is made again: that is not a finding about the readers.
pub fn file(name: &str, bytes: &[u8]) -> String {
    let path = scratch().join(name);
    if std::fs::write(&path, bytes).is_err() {
        std::fs::create_dir_all(scratch()).expect("scratch folder");
        std::fs::write(&path, bytes).expect("scratch file");
    }
    path.to_string_lossy().into_owned()
}

/// Splits an input in two: the first byte says where (as a share of the rest), so the fuzzer can move the cut.
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data.split_first() {
        None => (&[], &[]),
        Some((&k, rest)) => rest.split_at(rest.len() * k as usize / 256),
    }
}

/// A prediction file as `fteval metrics` reads it: the kind of file, then the table and its preparation for
/// evaluation. Errors are expected (most inputs are bad); only a panic, abort, leak or hang is a finding.
pub fn predictions(path: &str) {
    let _ = fteval_io::task::detect_kind(path, None, false, None, None);
    let options = fteval_io::ReadOptions { keep_ids: true, keep_text: true, ..Default::default() };
    if let Ok(preds) = fteval_io::read_predictions(path, &options) {
        let _ = fteval_io::prepare(preds, &fteval_io::PrepareOptions::default());
    }
}

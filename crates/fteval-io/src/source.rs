//! Opening inputs: files or stdin, gzip, byte-order marks, and the format from the extension.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use flate2::read::MultiGzDecoder;

use crate::error::{InputError, Result};

/// The tabular formats fteval reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    Jsonl,
    Json,
    Parquet,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "tsv" | "tab" => Some(Format::Tsv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }
}

pub const FORMAT_NAMES: &str = "csv, tsv, jsonl, json, parquet";

/// Whether `path` names a gzip file.
pub fn is_gzip(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".gz")
}

/// The format of `path` from its extension (after any `.gz`), or the explicit `forced` one.
pub fn detect_format(path: &str, forced: Option<Format>) -> Result<Format> {
    if let Some(f) = forced {
        return Ok(f);
    }
    if path == "-" {
        return Err(InputError::new(
            "<stdin>",
            "cannot tell the format of standard input",
            format!("add --input-format with one of: {FORMAT_NAMES}"),
        ));
    }
    if std::path::Path::new(path).is_dir() {
        return Err(InputError::new(path, "is a directory", "give the path of a prediction file"));
    }
    let lower = path.to_ascii_lowercase();
    let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
    let file_name = stem.rsplit('/').next().unwrap_or(stem);
    if !file_name.contains('.') {
        return Err(InputError::new(
            path,
            "the file name has no extension, so its format is unknown",
            format!("say --input-format ({FORMAT_NAMES}), or rename the file"),
        ));
    }
    let ext = stem.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if matches!(ext, "npz" | "npy" | "pkl" | "pickle" | "pt") {
        return Err(InputError::new(
            path,
            format!("'.{ext}' files hold Python objects, not a table fteval can read"),
            "export the predictions as a table, e.g. pandas.DataFrame({\"label\": y_true, \"pred\": y_pred}).to_csv(\"preds.csv\", index=False)",
        ));
    }
    Format::parse(ext).or(if ext == "txt" { Some(Format::Tsv) } else { None }).ok_or_else(|| {
        InputError::new(
            path,
            format!("unknown file extension '.{ext}'"),
            format!("use a .csv, .tsv, .jsonl, .json or .parquet file (optionally .gz), or say --input-format ({FORMAT_NAMES})"),
        )
    })
}

/// The size in bytes of an uncompressed regular file, to size buffers; None otherwise.
pub fn size_hint(path: &str) -> Option<u64> {
    if path == "-" || is_gzip(path) {
        return None;
    }
    std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| m.len())
}

/// The display name of an input.
pub fn display_name(path: &str) -> String {
    if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    }
}

/// Opens `path` (or stdin for "-"), decompressing gzip and skipping a UTF-8 byte-order mark.
pub fn open(path: &str) -> Result<Box<dyn BufRead>> {
    let raw: Box<dyn Read> = if path == "-" {
        Box::new(io::stdin())
    } else {
        let f = File::open(path).map_err(|e| open_error(path, &e))?;
        Box::new(f)
    };
    let decoded: Box<dyn Read> = if is_gzip(path) { Box::new(MultiGzDecoder::new(raw)) } else { raw };
    let mut reader = BufReader::with_capacity(1 << 20, decoded);
    let head = reader.fill_buf().map_err(|e| read_error(path, &e))?;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
    }
    Ok(Box::new(reader))
}

/// Reads the whole input into memory (Parquet needs random access).
pub fn read_all(path: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    open(path)?.read_to_end(&mut buf).map_err(|e| read_error(path, &e))?;
    Ok(buf)
}

pub fn open_error(path: &str, e: &io::Error) -> InputError {
    let hint = match e.kind() {
        io::ErrorKind::NotFound => "check the path; it is relative to the current directory",
        io::ErrorKind::PermissionDenied => "check the file's permissions",
        _ => "check that the path names a readable file",
    };
    InputError::new(path, format!("cannot open: {e}"), hint)
}

pub fn read_error(path: &str, e: &io::Error) -> InputError {
    let hint = if is_gzip(path) {
        "the file may be truncated or not really gzip; try `gzip -t` on it"
    } else {
        "check that the file is complete and readable"
    };
    InputError::new(&display_name(path), format!("read failed: {e}"), hint)
}

//! Opening inputs: files or stdin, gzip, byte-order marks, and the format from the extension.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};

use flate2::read::MultiGzDecoder;

use crate::error::{InputError, Result};
use crate::limits::{self, Limits};

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
    check_path(path)?;
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

/// An empty path is an error that says so (not "no extension" or "cannot open").
pub fn check_path(path: &str) -> Result<()> {
    if path.is_empty() {
        return Err(InputError::new(
            "''",
            "the path is empty",
            "give the path of an input file (an empty value, e.g. an unset shell variable, names no file)",
        ));
    }
    Ok(())
}

/// Opens `path` (or stdin for "-"), decompressing gzip and skipping a UTF-8 byte-order mark,
/// with the input-size limit; rows are not limited (whole-document formats).
pub fn open(path: &str) -> Result<Box<dyn BufRead>> {
    open_rows(path, Rows::Whole)
}

/// [`open`], also limiting each row of `rows`' shape to the row-size limit.
pub fn open_rows(path: &str, rows: Rows) -> Result<Box<dyn BufRead>> {
    let raw = open_raw_unlimited(path)?;
    let decoded: Box<dyn Read> = if is_gzip(path) { Box::new(MultiGzDecoder::new(raw)) } else { raw };
    let limited = Limited::new(decoded, limits::current(), rows);
    let mut reader = BufReader::with_capacity(1 << 20, limited);
    let head = reader.fill_buf().map_err(|e| read_error(path, &e))?;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
    }
    Ok(Box::new(reader))
}

/// The bytes of `path` as stored (no gzip decoding, no byte-order mark skipped), with the
/// input-size limit: for binary formats (TensorBoard event files).
pub fn open_raw(path: &str) -> Result<Box<dyn Read>> {
    Ok(Box::new(Limited::new(open_raw_unlimited(path)?, limits::current(), Rows::Whole)))
}

/// The stored bytes of `path`: a regular file opened anew (refused at once when larger than
/// the input limit and not compressed); stdin, a pipe, a process substitution or a device read
/// once into memory and served from there on every later open ([`spooled`]).
fn open_raw_unlimited(path: &str) -> Result<Box<dyn Read>> {
    check_path(path)?;
    if path == "-" || is_stream(path) {
        return Ok(Box::new(io::Cursor::new(SharedBytes(spooled(path)?))));
    }
    let f = File::open(path).map_err(|e| open_error(path, &e))?;
    let max = limits::current().max_input;
    if let Ok(meta) = f.metadata() {
        if meta.is_file() && meta.len() > max && !is_gzip(path) {
            return Err(too_large(path, max, &format!("the file is {}", limits::show_size(meta.len()))));
        }
    }
    Ok(Box::new(f))
}

/// Whether `path` names something that can be read only once: a FIFO, a character device
/// (`/dev/stdin`), a socket. Regular files, directories and missing paths are not.
fn is_stream(path: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Bytes shared between the spool and the readers that read them.
struct SharedBytes(Arc<[u8]>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Inputs that can be read only once, by path, as first read.
static SPOOL: Mutex<Vec<(String, Arc<[u8]>)>> = Mutex::new(Vec::new());

/// The bytes of a stream input (stdin for "-"), read once up to the input-size limit: task
/// detection and the reader then see the same bytes (a pipe opened twice hangs or reads empty).
fn spooled(path: &str) -> Result<Arc<[u8]>> {
    let mut spool = SPOOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, bytes)) = spool.iter().find(|(p, _)| p == path) {
        return Ok(bytes.clone());
    }
    let max = limits::current().max_input;
    let raw: Box<dyn Read> =
        if path == "-" { Box::new(io::stdin()) } else { Box::new(File::open(path).map_err(|e| open_error(path, &e))?) };
    let bytes = read_capped(raw, max, 1 << 16).map_err(|e| read_error(path, &e))?;
    if bytes.len() as u64 > max {
        return Err(too_large(path, max, "it is a stream"));
    }
    let bytes: Arc<[u8]> = bytes.into();
    spool.push((path.to_string(), bytes.clone()));
    Ok(bytes)
}

/// Reads the whole input into memory (Parquet needs random access; CoNLL and training logs are
/// parsed in place), up to the input-size limit and with rows of `rows`' shape limited.
pub fn read_all_rows(path: &str, rows: Rows) -> Result<Vec<u8>> {
    let reader = open_rows(path, rows)?;
    let max = limits::current().max_input;
    let first = size_hint(path).map_or(1 << 16, |n| n as usize + 1);
    let bytes = read_capped(reader, max, first).map_err(|e| read_error(path, &e))?;
    if bytes.len() as u64 > max {
        return Err(too_large(path, max, "it holds more"));
    }
    Ok(bytes)
}

/// Reads `reader` to its end or to `max` + 1 bytes, whichever comes first, starting with a
/// buffer of `first` bytes: the buffer doubles but never past `max` + 1, so a read stopped at
/// the limit has held about the limit, not twice it (`read_to_end` doubles to 2 × `max`, which
/// fails as "out of memory" under a memory limit instead of saying which limit was hit).
fn read_capped(mut reader: impl Read, max: u64, first: usize) -> io::Result<Vec<u8>> {
    let cap = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
    let mut buf = vec![0u8; first.clamp(1, cap)];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            if filled == cap {
                return Ok(buf);
            }
            let grow = buf.len().min(cap - filled);
            buf.reserve_exact(grow);
            buf.resize(filled + grow, 0);
        }
        match reader.read(&mut buf[filled..]) {
            Ok(0) => {
                buf.truncate(filled);
                return Ok(buf);
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Checks the rows of `bytes` (an input already in memory, e.g. a training log found to be a
/// CSV table) against the row-size limit, before a parser buffers one.
pub fn check_rows(path: &str, bytes: &[u8], rows: Rows) -> Result<()> {
    let limits = Limits { max_input: u64::MAX, ..limits::current() };
    let mut limited = Limited::new(bytes, limits, rows);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match limited.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(read_error(path, &e)),
        }
    }
}

/// [`read_all_rows`] for whole-document formats.
pub fn read_all(path: &str) -> Result<Vec<u8>> {
    read_all_rows(path, Rows::Whole)
}

/// The error of an input larger than the input-size limit; `why` says how that was found.
fn too_large(path: &str, max: u64, why: &str) -> InputError {
    InputError::new(
        &display_name(path),
        format!(
            "the input is larger than the {} limit ({why}), so it was not read to the end",
            limits::show_size(max)
        ),
        format!(
            "raise the limit with {} (e.g. {} 4G; sizes like 2G or 512M), or check that this is the file you meant: a small .gz file that expands this much is a compression bomb",
            limits::INPUT_FLAG,
            limits::INPUT_FLAG
        ),
    )
}

/// The shape of an input's rows, for the row-size limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    /// One document (JSON, Parquet, a training log): only the input size is limited.
    Whole,
    /// A row per line (JSON Lines, CoNLL).
    Lines,
    /// CSV/TSV records: a line end inside a quoted field does not end the row.
    Csv { delimiter: u8 },
}

/// A limit the input hit, carried inside the `io::Error` that stops the read.
#[derive(Debug)]
enum LimitHit {
    /// More decompressed bytes than `max`.
    Input { max: u64 },
    /// The row starting at byte `start`, on line `line`, is longer than `max`.
    Row { max: u64, line: u64, start: u64 },
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitHit::Input { max } => write!(f, "input larger than {}", limits::show_size(*max)),
            LimitHit::Row { max, line, .. } => {
                write!(f, "line {line} starts a row longer than {}", limits::show_size(*max))
            }
        }
    }
}

impl std::error::Error for LimitHit {}

/// A reader that counts what passes through it and stops with a [`LimitHit`] error past the
/// input-size limit, or when one row (of the input's [`Rows`] shape) grows past the row-size
/// limit — while streaming, before a parser buffers the row.
struct Limited<R> {
    inner: R,
    limits: Limits,
    rows: Rows,
    /// Bytes passed through so far.
    read: u64,
    /// Where the current row starts, and its 1-based line.
    row_start: u64,
    row_line: u64,
    /// Line ends seen so far.
    newlines: u64,
    /// CSV: inside a quoted field; a quote was the last byte of the previous chunk (inside a
    /// quoted field: an escaped quote or the closing one, decided by the next byte); the last byte.
    quoted: bool,
    quote_pending: bool,
    last: u8,
    /// The first row found longer than the limit.
    hit: Option<LimitHit>,
}

impl<R: Read> Limited<R> {
    fn new(inner: R, limits: Limits, rows: Rows) -> Limited<R> {
        Limited {
            inner,
            limits,
            rows,
            read: 0,
            row_start: 0,
            row_line: 1,
            newlines: 0,
            quoted: false,
            quote_pending: false,
            last: b'\n',
            hit: None,
        }
    }

    /// A row ends at `at` (offset in the input of the byte after its terminator); one longer
    /// than the limit is remembered as the hit.
    fn row_ends(&mut self, at: u64) {
        if at - self.row_start > self.limits.max_row && self.hit.is_none() {
            self.hit = Some(LimitHit::Row { max: self.limits.max_row, line: self.row_line, start: self.row_start });
        }
        self.row_start = at;
        self.row_line = self.newlines + 1;
    }

    /// Follows rows through `chunk`, which starts at input offset `base`.
    fn scan(&mut self, chunk: &[u8], base: u64) {
        match self.rows {
            Rows::Whole => {}
            Rows::Lines => {
                if let Some(last) = memchr::memrchr(b'\n', chunk) {
                    if (chunk.len() as u64) < self.limits.max_row {
                        // No row in the chunk can be too long but the one open at its start.
                        let first = memchr::memchr(b'\n', chunk).unwrap_or(last);
                        let row_line = self.row_line;
                        self.newlines += count_newlines(chunk);
                        let at_end = base + last as u64 + 1;
                        if base + first as u64 + 1 - self.row_start > self.limits.max_row && self.hit.is_none() {
                            let hit = LimitHit::Row { max: self.limits.max_row, line: row_line, start: self.row_start };
                            self.hit = Some(hit);
                        }
                        self.row_start = at_end;
                        self.row_line = self.newlines + 1;
                    } else {
                        for i in memchr::memchr_iter(b'\n', chunk) {
                            self.newlines += 1;
                            self.row_ends(base + i as u64 + 1);
                        }
                    }
                }
            }
            Rows::Csv { delimiter } => self.scan_csv(chunk, base, delimiter),
        }
    }

    /// CSV rows as the `csv` crate reads them: a quote opens a quoted field only at the start
    /// of a field; inside one, `""` is a quote and a line end is part of the field.
    fn scan_csv(&mut self, chunk: &[u8], base: u64, delimiter: u8) {
        let mut i = 0;
        if self.quote_pending && !chunk.is_empty() {
            self.quote_pending = false;
            if chunk[0] == b'"' {
                i = 1;
            } else {
                self.quoted = false;
            }
        }
        if !self.quoted && memchr::memchr(b'"', &chunk[i..]).is_none() {
            // No quote: rows end at line ends (the fast, common case).
            let rest = &chunk[i..];
            if let Some(last) = memchr::memrchr2(b'\n', b'\r', rest) {
                let first = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(last);
                if (rest.len() as u64) < self.limits.max_row {
                    // No row in the chunk can be too long but the one open at its start.
                    let row_line = self.row_line;
                    self.newlines += count_newlines(rest);
                    if base + (i + first) as u64 + 1 - self.row_start > self.limits.max_row && self.hit.is_none() {
                        self.hit =
                            Some(LimitHit::Row { max: self.limits.max_row, line: row_line, start: self.row_start });
                    }
                    self.row_start = base + (i + last) as u64 + 1;
                    self.row_line = self.newlines + 1;
                } else {
                    for j in memchr::memchr2_iter(b'\n', b'\r', rest) {
                        if rest[j] == b'\n' {
                            self.newlines += 1;
                        }
                        self.row_ends(base + (i + j) as u64 + 1);
                    }
                }
            }
            if let Some(&b) = chunk.last() {
                self.last = b;
            }
            return;
        }
        while i < chunk.len() {
            if self.quoted {
                let Some(j) = memchr::memchr(b'"', &chunk[i..]) else {
                    self.newlines += count_newlines(&chunk[i..]);
                    break;
                };
                self.newlines += count_newlines(&chunk[i..i + j]);
                let q = i + j;
                match chunk.get(q + 1) {
                    None => {
                        self.quote_pending = true;
                        i = q + 1;
                    }
                    Some(b'"') => i = q + 2,
                    Some(_) => {
                        self.quoted = false;
                        i = q + 1;
                    }
                }
                continue;
            }
            let Some(j) = memchr::memchr3(b'"', b'\n', b'\r', &chunk[i..]) else { break };
            let at = i + j;
            let before = if at == 0 { self.last } else { chunk[at - 1] };
            match chunk[at] {
                b'"' => {
                    // A quote opens a field only at its start (after a delimiter or a line end).
                    if before == delimiter || before == b'\n' || before == b'\r' || base + at as u64 == 0 {
                        self.quoted = true;
                    }
                }
                b'\n' => {
                    self.newlines += 1;
                    self.row_ends(base + at as u64 + 1);
                }
                _ => self.row_ends(base + at as u64 + 1),
            }
            i = at + 1;
        }
        if let Some(&b) = chunk.last() {
            self.last = b;
        }
    }
}

/// Line ends in `bytes` (a loop the compiler vectorises).
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let base = self.read;
        let mut chunk = &buf[..n];
        if base == 0 && chunk.starts_with(&[0xEF, 0xBB, 0xBF]) {
            // The byte-order mark is not part of the first field, or of the first row.
            chunk = &chunk[3..];
            self.row_start = 3;
        }
        let base = base + (n - chunk.len()) as u64;
        self.read += n as u64;
        if self.read > self.limits.max_input {
            return Err(io::Error::other(LimitHit::Input { max: self.limits.max_input }));
        }
        self.scan(chunk, base);
        if self.rows != Rows::Whole && self.hit.is_none() && self.read - self.row_start > self.limits.max_row {
            self.hit = Some(LimitHit::Row { max: self.limits.max_row, line: self.row_line, start: self.row_start });
        }
        match self.hit.take() {
            Some(hit) => Err(io::Error::other(hit)),
            None => Ok(n),
        }
    }
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
    if let Some(hit) = e.get_ref().and_then(|inner| inner.downcast_ref::<LimitHit>()) {
        return limit_error(path, hit);
    }
    let hint = if is_gzip(path) {
        "the file may be truncated or not really gzip; try `gzip -t` on it"
    } else {
        "check that the file is complete and readable"
    };
    InputError::new(&display_name(path), format!("read failed: {e}"), hint)
}

/// The message of a limit the input hit: which, where, and the flag that raises it.
fn limit_error(path: &str, hit: &LimitHit) -> InputError {
    match *hit {
        LimitHit::Input { max } => too_large(path, max, &format!("stopped after {}", limits::show_size(max))),
        LimitHit::Row { max, line, start } => InputError::new(
            &display_name(path),
            format!(
                "this row (from byte {start}) is longer than the {} row-size limit, so it was not read to the end",
                limits::show_size(max)
            ),
            format!(
                "raise the limit with {} (e.g. {} 256M; sizes like 2G or 512M), or check the file: in a CSV file, a quote that is never closed makes the rest of the file one row",
                limits::ROW_FLAG,
                limits::ROW_FLAG
            ),
        )
        .at(format!("line {line}")),
    }
}

/// Whether `e` is an input or row limit stopping a read (callers that swallow read errors
/// while sniffing must not swallow these).
pub fn is_limit(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<LimitHit>())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` through a [`Limited`] reader in chunks of `chunk` bytes.
    fn read_limited(text: &[u8], rows: Rows, limits: Limits, chunk: usize) -> std::result::Result<(), LimitHit> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(buf.len()).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        match Limited::new(Chunks(text, chunk), limits, rows).read_to_end(&mut out) {
            Ok(_) => Ok(()),
            Err(e) => Err(*e.into_inner().unwrap().downcast::<LimitHit>().unwrap()),
        }
    }

    fn limits(max_input: u64, max_row: u64) -> Limits {
        Limits { max_input, max_row }
    }

    #[test]
    fn a_capped_read_stops_one_byte_past_the_limit_and_never_holds_twice_it() {
        // An endless stream (like /dev/zero) stops at max + 1 bytes, so the caller can say which limit it hit.
        let endless = io::repeat(0);
        let bytes = read_capped(endless, 100_000, 1).unwrap();
        assert_eq!(bytes.len(), 100_001);
        assert!(bytes.capacity() <= 100_001, "capacity {}", bytes.capacity());
        // A short input is read whole, whatever the first buffer.
        for first in [0, 1, 3, 1 << 20] {
            assert_eq!(read_capped(&b"a,b\n1,2\n"[..], 100, first).unwrap(), b"a,b\n1,2\n");
        }
        assert_eq!(read_capped(&b"12345"[..], 5, 2).unwrap(), b"12345");
        assert_eq!(read_capped(&b"123456"[..], 5, 2).unwrap(), b"123456");
    }

    #[test]
    fn the_input_limit_stops_the_read() {
        let text = b"a,b\n1,2\n3,4\n";
        assert!(read_limited(text, Rows::Whole, limits(12, 100), 5).is_ok());
        assert!(matches!(read_limited(text, Rows::Whole, limits(11, 100), 5), Err(LimitHit::Input { max: 11 })));
    }

    #[test]
    fn rows_longer_than_the_limit_are_found_whatever_the_chunks() {
        let text = b"id,text\n1,short\n2,a row that is far too long\n3,ok\n";
        for chunk in [1, 2, 3, 7, 64, 1 << 20] {
            for rows in [Rows::Lines, Rows::Csv { delimiter: b',' }] {
                assert!(read_limited(text, rows, limits(1000, 40), chunk).is_ok(), "{chunk} {rows:?}");
                match read_limited(text, rows, limits(1000, 20), chunk) {
                    Err(LimitHit::Row { line: 3, start: 16, .. }) => {}
                    other => panic!("{chunk} {rows:?}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_quoted_csv_field_holds_its_line_ends_and_quotes() {
        // Row 2 spans lines 2-4 ("x\n""y""\nz" is one field); a quote inside an unquoted field
        // (5'10") opens nothing.
        let text = b"id,text\n1,\"xxxxxxx\n\"\"y\"\"\nz\"\n2,5'10\" tall\n3,\"a,b\"\r\n4,end\n";
        for chunk in [1, 2, 3, 5, 1 << 20] {
            let csv = Rows::Csv { delimiter: b',' };
            assert!(read_limited(text, csv, limits(1000, 20), chunk).is_ok(), "{chunk}");
            match read_limited(text, csv, limits(1000, 19), chunk) {
                Err(LimitHit::Row { line: 2, start: 8, .. }) => {}
                other => panic!("{chunk}: {other:?}"),
            }
            // Read as lines, the quoted field's lines are separate rows.
            assert!(read_limited(text, Rows::Lines, limits(1000, 15), chunk).is_ok(), "{chunk}");
        }
        // A quote that is never closed makes the rest of the file one row.
        let open = b"id,text\n1,\"never closed\n2,b\n3,c\n4,d\n";
        let hit = read_limited(open, Rows::Csv { delimiter: b',' }, limits(1000, 20), 4);
        assert!(matches!(hit, Err(LimitHit::Row { line: 2, .. })), "{hit:?}");
        // A byte-order mark before a quoted header field does not confuse the quotes.
        let bom = b"\xEF\xBB\xBF\"id\",\"text\"\n1,\"a\nb\"\n2,c\n";
        let r = read_limited(bom, Rows::Csv { delimiter: b',' }, limits(1000, 13), 3);
        assert!(r.is_ok(), "{r:?}");
    }

    #[test]
    fn empty_paths_say_so() {
        let e = open("").err().unwrap();
        assert!(e.message.contains("the path is empty"), "{e}");
        assert!(detect_format("", None).unwrap_err().message.contains("the path is empty"));
    }
}

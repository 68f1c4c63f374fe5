//! How much of an input the readers take: the decompressed size of one file, the size of one
//! row (and so of one cell), and the nesting depth of a list cell. Set once per process from the
//! command line ([`set`]); every reader checks them while it reads, so a hostile file ends in a
//! clear error instead of exhausting memory or the stack (docs/limits.md says why each default).

use std::sync::atomic::{AtomicU64, Ordering};

/// Default `--max-input-size`: 512 MiB of decompressed bytes per input file (docs/limits.md:
/// what fits a 2 GB memory limit).
pub const DEFAULT_MAX_INPUT: u64 = 512 << 20;
/// [`DEFAULT_MAX_INPUT`] as the flag's default is written.
pub const DEFAULT_MAX_INPUT_TEXT: &str = "512M";
/// Default `--max-row-size`: 32 MiB for one row of a line-based format.
pub const DEFAULT_MAX_ROW: u64 = 32 << 20;
/// [`DEFAULT_MAX_ROW`] as the flag's default is written.
pub const DEFAULT_MAX_ROW_TEXT: &str = "32M";
/// How deeply list and dict cells may nest; serde_json's own recursion limit, so JSON and
/// Python-literal cells share one rule.
pub const MAX_DEPTH: usize = 128;

/// The flag that raises the input-size limit, for messages.
pub const INPUT_FLAG: &str = "--max-input-size";
/// The flag that raises the row-size limit, for messages.
pub const ROW_FLAG: &str = "--max-row-size";

static MAX_INPUT: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT);
static MAX_ROW: AtomicU64 = AtomicU64::new(DEFAULT_MAX_ROW);

/// The limits in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes of one input file (Parquet: also its decoded column data).
    pub max_input: u64,
    /// Bytes of one row: a CSV/TSV record, a JSON Lines line, a CoNLL line, a TensorBoard record.
    pub max_row: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_input: DEFAULT_MAX_INPUT, max_row: DEFAULT_MAX_ROW }
    }
}

/// Sets the limits every reader of this process uses (the command line's flags).
pub fn set(limits: Limits) {
    MAX_INPUT.store(limits.max_input, Ordering::Relaxed);
    MAX_ROW.store(limits.max_row, Ordering::Relaxed);
}

/// The limits in force: the defaults unless [`set`] changed them.
pub fn current() -> Limits {
    Limits { max_input: MAX_INPUT.load(Ordering::Relaxed), max_row: MAX_ROW.load(Ordering::Relaxed) }
}

/// Parses a size such as `2G`, `512M`, `1.5GiB`, `64k` or `1000000` (bytes). Suffixes are
/// binary (K = 1024), case-insensitive, with an optional `B` or `iB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let unit_start = lower.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(lower.len());
    let (number, unit) = lower.split_at(unit_start);
    let shift = match unit.trim() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("'{t}' is not a size: write a number of bytes with K, M, G or T, e.g. 2G or 512M")),
    };
    let value: f64 = number.parse().map_err(|_| format!("'{t}' is not a size: e.g. 2G, 512M or 1000000"))?;
    let bytes = value * (1u64 << shift) as f64;
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("'{t}': the size must be at least 1 byte"));
    }
    Ok(bytes as u64)
}

/// A size for messages: `1 GiB`, `32 MiB`, `1.5 KiB`, `100 bytes`.
pub fn show_size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 4] = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)];
    for (name, shift) in UNITS {
        let unit = 1u64 << shift;
        if bytes >= unit {
            let x = bytes as f64 / unit as f64;
            return if bytes.is_multiple_of(unit) {
                format!("{} {name}", bytes / unit)
            } else {
                format!("{x:.1} {name}")
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("512mib"), Ok(512 << 20));
        assert_eq!(parse_size("1.5GB"), Ok(3 << 29));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        for bad in ["", "G", "-1G", "0", "2X", "1e3"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_size(DEFAULT_MAX_INPUT_TEXT), Ok(DEFAULT_MAX_INPUT));
        assert_eq!(parse_size(DEFAULT_MAX_ROW_TEXT), Ok(DEFAULT_MAX_ROW));
        assert_eq!(show_size(1 << 30), "1 GiB");
        assert_eq!(show_size(3 << 29), "1.5 GiB");
        assert_eq!(show_size(999), "999 bytes");
    }
}

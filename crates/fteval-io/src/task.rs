//! Which kind of file this is, when `--task` does not say: token-level tags (NER), generated
//! text with references (generation), or a classification table.
//!
//! - A CoNLL-looking text file — `.conll`/`.iob`/`.bio`, or `.txt`/`.tsv`/an unknown extension
//!   whose first token lines are whitespace-separated columns ending in a tag (`O`, `B-PER`,
//!   `PER-B`, ...), or in a gold tag and a predicted non-tag (`[SEP]`) — holds NER tags.
//! - JSON Lines / JSON whose first record has a token list next to tag lists, or tag lists
//!   without tokens whose items all look like tags, holds NER tags.
//! - A table with a reference column (and no gold-label column, unless `--ref-col` names it)
//!   holds generations.
//! - Anything else is classification.

use std::io::BufRead;

use crate::cell::Cell;
use crate::columns::{find, LABEL_NAMES};
use crate::error::{InputError, Result};
use crate::formats::{self, Row};
use crate::generation::find_ref_column;
use crate::ner::{GOLD_FIELDS, PRED_FIELDS, TOKEN_FIELDS};
use crate::source::{self, Format};

/// The kind of evaluation a file asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Ner,
    Generation,
    Classification,
}

/// Token lines looked at to recognise a CoNLL file.
const SNIFF_LINES: usize = 200;

pub use fteval_core::metrics::ner::looks_like_tag;

/// Whether a token line's fields end in a tag: the last field, or — a predicted non-tag such
/// as `[SEP]` after the gold tag — the one before it.
fn ends_in_tags(fields: &[&str]) -> bool {
    match fields {
        [.., gold, last] if fields.len() >= 3 => looks_like_tag(last) || looks_like_tag(gold),
        [_, last] => looks_like_tag(last),
        _ => false,
    }
}

/// Whether the text file `path` looks like CoNLL: its first token lines (after `-DOCSTART-`)
/// all have two or more whitespace-separated columns ending in tags ([`ends_in_tags`]).
pub fn looks_like_conll(path: &str) -> Result<bool> {
    let reader = source::open(path)?;
    let mut seen = 0usize;
    for line in reader.split(b'\n') {
        let line = line.map_err(|e| source::read_error(path, &e))?;
        let Ok(text) = std::str::from_utf8(&line) else { return Ok(false) };
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.is_empty() || fields[0].starts_with("-DOCSTART-") {
            continue;
        }
        if !ends_in_tags(&fields) {
            return Ok(false);
        }
        seen += 1;
        if seen >= SNIFF_LINES {
            break;
        }
    }
    Ok(seen > 0)
}

/// Whether a JSON record holds NER tag lists: a token list with a gold or predicted tag list,
/// or tag lists whose items all look like tags.
fn record_is_ner(row: &dyn Row, names: &[String]) -> bool {
    let list = |c: usize| match row.cell(c) {
        Cell::Json(v) => v.as_array().cloned(),
        _ => None,
    };
    let field = |candidates: &[&str]| find(names, candidates, &[]).and_then(list);
    let tags = [field(GOLD_FIELDS), field(PRED_FIELDS)];
    if tags.iter().all(Option::is_none) {
        return false;
    }
    if field(TOKEN_FIELDS).is_some() {
        return true;
    }
    tags.iter().flatten().all(|t| !t.is_empty() && t.iter().all(|v| v.as_str().is_some_and(looks_like_tag)))
}

/// The kind of `path` (see the module docs). `conll` is true when the user said
/// `--input-format conll`; `ref_col` is `--ref-col`.
pub fn detect_kind(path: &str, format: Option<Format>, conll: bool, ref_col: Option<&str>) -> Result<FileKind> {
    if conll {
        return Ok(FileKind::Ner);
    }
    if path == "-" && format.is_none() {
        // Standard input cannot be read twice; the classification reader asks for a format.
        return Ok(FileKind::Classification);
    }
    let lower = path.to_ascii_lowercase();
    let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
    let file_name = stem.rsplit('/').next().unwrap_or(stem);
    let ext = file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if format.is_none() {
        if matches!(ext, "conll" | "iob" | "bio" | "bioes" | "iobes") {
            return Ok(FileKind::Ner);
        }
        let known = matches!(ext, "csv" | "jsonl" | "ndjson" | "json" | "parquet" | "pq");
        if !known && path != "-" && std::path::Path::new(path).is_file() && looks_like_conll(path)? {
            return Ok(FileKind::Ner);
        }
    }
    let Ok(format) = source::detect_format(path, format) else { return Ok(FileKind::Classification) };
    if path == "-" {
        return Ok(FileKind::Classification);
    }
    let mut table = match formats::open_table(path, Some(format)) {
        Ok(t) => t,
        // The classification reader reports the problem with its usual message.
        Err(_) => return Ok(FileKind::Classification),
    };
    let names = table.columns().to_vec();
    if matches!(format, Format::Jsonl | Format::Json) {
        let mut ner = false;
        let stop = InputError::new(path, "", "");
        let _ = table.for_each_row(&mut |row: &dyn Row| {
            ner = record_is_ner(row, &names);
            Err(stop.clone())
        });
        if ner {
            return Ok(FileKind::Ner);
        }
    }
    if let Some(r) = find_ref_column(&names, ref_col) {
        let label = find(&names, LABEL_NAMES, &[r]);
        if ref_col.is_some() || label.is_none() {
            return Ok(FileKind::Generation);
        }
    }
    Ok(FileKind::Classification)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_files() {
        for t in ["O", "B-PER", "I-bien_phap", "S-LOC", "PER-B", "U-X"] {
            assert!(looks_like_tag(t), "{t}");
        }
        for t in ["0", "B", "label", "[0.9]", "B-", "X-Y", "spam"] {
            assert!(!looks_like_tag(t), "{t}");
        }
        let dir = tempfile::tempdir().unwrap();
        let w = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p.to_string_lossy().into_owned()
        };
        let conll = w("a.txt", "-DOCSTART- O\n\nEU B-ORG B-ORG\nrejects O O\n\nPeter B-PER B-PER\n");
        assert_eq!(detect_kind(&conll, None, false, None).unwrap(), FileKind::Ner);
        // A predicted non-tag after the gold tag is still a CoNLL line; two non-tags are not.
        let sep = w("s.txt", "EU B-ORG [SEP]\nrejects O X\n\nPeter B-PER <pad>\n");
        assert_eq!(detect_kind(&sep, None, false, None).unwrap(), FileKind::Ner);
        let prose = w("p.txt", "hello there friend\nhow are you\n");
        assert_eq!(detect_kind(&prose, None, false, None).unwrap(), FileKind::Classification);
        let tsv = w("b.tsv", "text\tlabel\tpred\nhello\tO\tO\n");
        assert_eq!(detect_kind(&tsv, None, false, None).unwrap(), FileKind::Classification);
        let gen = w("g.jsonl", "{\"prediction\": \"a\", \"reference\": \"b\"}\n");
        assert_eq!(detect_kind(&gen, None, false, None).unwrap(), FileKind::Generation);
        let ner = w("n.jsonl", "{\"tokens\": [\"a\"], \"labels\": [\"O\"], \"predictions\": [\"O\"]}\n");
        assert_eq!(detect_kind(&ner, None, false, None).unwrap(), FileKind::Ner);
        let ml = w("m.jsonl", "{\"labels\": [\"sports\"], \"predictions\": [\"news\"]}\n");
        assert_eq!(detect_kind(&ml, None, false, None).unwrap(), FileKind::Classification);
        let qa = w("q.csv", "answer,label,pred\nx,1,0\n");
        assert_eq!(detect_kind(&qa, None, false, None).unwrap(), FileKind::Classification);
    }
}

//! Which kind of file this is, when `--task` does not say: token-level tags (NER), generated
//! text with references (generation), or a classification table.
//!
//! - A CoNLL-looking text file — `.conll`/`.iob`/`.bio`, or `.txt`/`.tsv`/an unknown extension
//!   whose first token lines are whitespace-separated columns ending in a tag (`O`, `B-PER`,
//!   `PER-B`, ...), or in a gold tag and a predicted non-tag (`[SEP]`) — holds NER tags.
//! - JSON Lines / JSON whose first record has a token list next to tag lists, or tag lists
//!   without tokens whose items all look like tags, holds NER tags.
//! - A table whose prediction and reference columns ([`crate::generation_columns`]) are named as
//!   only generation files name them (`predict`, `completion`, `response`, `reference`, `answer`,
//!   a chat `messages` list, ...) holds generations — unless a reference-named column sits next
//!   to a gold-label column and a plain prediction column (`answer`, `label`, `pred`: a
//!   classifier with a text feature). So does a table whose columns only a person can tell apart
//!   (a lone `completion`): the generation reader then asks for `--pred-col`/`--ref-col`.
//! - A table with classification names (`prediction`, `label`, `output`, `target`) holds
//!   generations when its gold values are free text, not a label set: in the first
//!   [`CONTENT_ROWS`] rows they average 3 words or more and repeat less than a label set does
//!   (fewer than half the values are repeats), or — next to a prompt column — at least 20 values
//!   of which 80% are distinct (open short answers).
//! - `--ref-col` always means generation. Anything else is classification.

use std::io::BufRead;

use crate::cell::Cell;
use crate::columns::{find, LABEL_NAMES};
use crate::error::{InputError, Result};
use crate::formats::{self, Row};
use crate::generation_columns::{generation_only_name, resolve_generation_columns, Resolution};
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
    let reader = source::open_rows(path, source::Rows::Lines)?;
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
/// `--input-format conll`; `pred_col` and `ref_col` are `--pred-col` and `--ref-col` (a
/// prediction column named by hint is resolved as in a generation file, so a hint never turns a
/// generation file into a classification one).
pub fn detect_kind(
    path: &str,
    format: Option<Format>,
    conll: bool,
    pred_col: Option<&str>,
    ref_col: Option<&str>,
) -> Result<FileKind> {
    if conll {
        return Ok(FileKind::Ner);
    }
    source::check_path(path)?;
    if path == "-" && format.is_none() {
        // The classification reader asks for the format of standard input.
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
        // Pipes and process substitutions too: what source reads once, it serves again.
        let readable = std::fs::metadata(path).is_ok_and(|m| !m.is_dir());
        if !known && path != "-" && readable && looks_like_conll(path)? {
            return Ok(FileKind::Ner);
        }
    }
    let Ok(format) = source::detect_format(path, format) else { return Ok(FileKind::Classification) };
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
    if ref_col.is_some() {
        return Ok(FileKind::Generation);
    }
    let Ok(resolution) = resolve_generation_columns(path, &names, pred_col, None, &[]) else {
        // A --pred-col naming no column: the classification reader says so.
        return Ok(FileKind::Classification);
    };
    let named = |c: usize| generation_only_name(&names[c]);
    let cols = match resolution {
        Resolution::Found(c) => c,
        Resolution::Ambiguous(_) => {
            let llm_names = names.iter().any(|n| generation_only_name(n) || is_llm_prompt(n));
            return Ok(if llm_names { FileKind::Generation } else { FileKind::Classification });
        }
        Resolution::Missing { pred, refs } => {
            let label = find(&names, LABEL_NAMES, &[]);
            let lone = [pred, refs].into_iter().flatten().any(named) && label.is_none();
            return Ok(if lone { FileKind::Generation } else { FileKind::Classification });
        }
    };
    let (pred, refs) = (cols.pred.column, cols.refs.column);
    if cols.pred.chat || cols.refs.chat {
        return Ok(FileKind::Generation);
    }
    if named(pred) || named(refs) {
        // `answer`, `label`, `pred`: the reference-named column is a text feature of a classifier.
        let label_beside = find(&names, LABEL_NAMES, &[pred, refs]).is_some();
        let feature = !named(pred) && (label_beside || find(&names, LABEL_NAMES, &[pred]) == Some(refs));
        if !feature {
            return Ok(FileKind::Generation);
        }
        if label_beside {
            return Ok(FileKind::Classification);
        }
    }
    // The table was read from its first row already: open it again for the sample.
    let Ok(mut table) = formats::open_table(path, Some(format)) else { return Ok(FileKind::Classification) };
    let sample = sample_text(&mut *table, &[refs, pred]);
    let values = if sample[0].is_empty() { &sample[1] } else { &sample[0] };
    let generation = looks_like_free_text(values) || (cols.prompt.is_some() && looks_like_open_answers(values));
    Ok(if generation { FileKind::Generation } else { FileKind::Classification })
}

/// Rows whose values decide whether a table's gold column is free text.
pub const CONTENT_ROWS: usize = 200;

/// Prompt names only LLM files use (a classifier's text column may be `question` or `input`).
fn is_llm_prompt(name: &str) -> bool {
    ["prompt", "instruction", "system", "history"].iter().any(|p| name.trim().eq_ignore_ascii_case(p))
}

/// The non-empty text values of `columns` in the first [`CONTENT_ROWS`] rows, one list per column.
fn sample_text(table: &mut dyn formats::RowSource, columns: &[usize]) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new(); columns.len()];
    let mut rows = 0usize;
    let stop = InputError::new("", "", "");
    // A broken row ends the sample; the reader reports it with its own message.
    let _ = table.for_each_row(&mut |row: &dyn Row| {
        for (list, &c) in out.iter_mut().zip(columns) {
            if let Some(t) = row.cell(c).to_text() {
                list.push(t.into_owned());
            }
        }
        rows += 1;
        if rows >= CONTENT_ROWS {
            return Err(stop.clone());
        }
        Ok(())
    });
    out
}

/// Whether `values` (one column's) are free text: 3 words or more on average, and not a label
/// set (at least 5 values of which half or more repeat an earlier one).
pub fn looks_like_free_text(values: &[String]) -> bool {
    if values.is_empty() {
        return false;
    }
    let words: usize = values.iter().map(|v| v.split_whitespace().count()).sum();
    let distinct: std::collections::HashSet<&str> = values.iter().map(|v| v.trim()).collect();
    let label_set = values.len() >= 5 && distinct.len() * 2 <= values.len();
    words as f64 / values.len() as f64 >= 3.0 && !label_set
}

/// Whether `values` are open short answers: at least 20, 80% or more of them distinct.
pub fn looks_like_open_answers(values: &[String]) -> bool {
    let distinct: std::collections::HashSet<&str> = values.iter().map(|v| v.trim()).collect();
    values.len() >= 20 && distinct.len() as f64 >= 0.8 * values.len() as f64
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
        assert_eq!(detect_kind(&conll, None, false, None, None).unwrap(), FileKind::Ner);
        // A predicted non-tag after the gold tag is still a CoNLL line; two non-tags are not.
        let sep = w("s.txt", "EU B-ORG [SEP]\nrejects O X\n\nPeter B-PER <pad>\n");
        assert_eq!(detect_kind(&sep, None, false, None, None).unwrap(), FileKind::Ner);
        let prose = w("p.txt", "hello there friend\nhow are you\n");
        assert_eq!(detect_kind(&prose, None, false, None, None).unwrap(), FileKind::Classification);
        let tsv = w("b.tsv", "text\tlabel\tpred\nhello\tO\tO\n");
        assert_eq!(detect_kind(&tsv, None, false, None, None).unwrap(), FileKind::Classification);
        let gen = w("g.jsonl", "{\"prediction\": \"a\", \"reference\": \"b\"}\n");
        assert_eq!(detect_kind(&gen, None, false, None, None).unwrap(), FileKind::Generation);
        let ner = w("n.jsonl", "{\"tokens\": [\"a\"], \"labels\": [\"O\"], \"predictions\": [\"O\"]}\n");
        assert_eq!(detect_kind(&ner, None, false, None, None).unwrap(), FileKind::Ner);
        let ml = w("m.jsonl", "{\"labels\": [\"sports\"], \"predictions\": [\"news\"]}\n");
        assert_eq!(detect_kind(&ml, None, false, None, None).unwrap(), FileKind::Classification);
        let qa = w("q.csv", "answer,label,pred\nx,1,0\n");
        assert_eq!(detect_kind(&qa, None, false, None, None).unwrap(), FileKind::Classification);
    }

    #[test]
    fn generation_shapes_of_fine_tuning_tools() {
        let dir = tempfile::tempdir().unwrap();
        let w = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p.to_string_lossy().into_owned()
        };
        let kind = |p: &str, pred: Option<&str>| detect_kind(p, None, false, pred, None).unwrap();
        // LLaMA-Factory, with empty labels: generation with or without the hint.
        let lf = w("generated_predictions.jsonl", "{\"prompt\": \"Q: 2+2?\", \"predict\": \"4\", \"label\": \"\"}\n");
        assert_eq!(kind(&lf, None), FileKind::Generation);
        assert_eq!(kind(&lf, Some("predict")), FileKind::Generation);
        let pc = w("pc.jsonl", "{\"prompt\": \"a\", \"completion\": \"b\", \"prediction\": \"c\"}\n");
        assert_eq!(kind(&pc, None), FileKind::Generation);
        // A lone completion is a generation file whose roles the reader asks for.
        let lone = w("lone.jsonl", "{\"prompt\": \"a\", \"completion\": \"b\"}\n");
        assert_eq!(kind(&lone, None), FileKind::Generation);
        let chat = w(
            "chat.jsonl",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}], \"prediction\": \"hey\"}\n",
        );
        assert_eq!(kind(&chat, None), FileKind::Generation);
        // input/output/target: generation when the targets are free text, not a label set.
        let iot = w("iot.csv", "input,output,target\nsum it,the cat sat on it,a cat sat on the mat\n");
        assert_eq!(kind(&iot, None), FileKind::Generation);
        let mut rows = String::from("input,output,target\n");
        for i in 0..30 {
            rows += &format!("text {i},{},{}\n", ["pos", "neg"][i % 2], ["pos", "neg"][(i / 2) % 2]);
        }
        let cls = w("cls.csv", &rows);
        assert_eq!(kind(&cls, None), FileKind::Classification);
        assert_eq!(kind(&cls, Some("output")), FileKind::Classification);
        // Open short answers next to a prompt: generation; the same without a prompt column: classification.
        let mut rows = String::from("prompt,prediction,label\n");
        let mut bare = String::from("prediction,label\n");
        for i in 0..25 {
            rows += &format!("q{i},a{i},a{}\n", i + 1);
            bare += &format!("a{i},a{}\n", i + 1);
        }
        assert_eq!(kind(&w("short.csv", &rows), None), FileKind::Generation);
        assert_eq!(kind(&w("bare.csv", &bare), None), FileKind::Classification);
    }
}

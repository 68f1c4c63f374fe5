//! NER input: token-level gold and predicted tags, sentence by sentence, from
//! - a CoNLL file with the token first and the gold and predicted tags as the last two columns;
//! - a CoNLL predictions file (tag in the last column) plus a gold CoNLL file (`--gold`, e.g.
//!   CoNLL-2003's four columns: the tag is always the last column);
//! - JSON Lines (or a JSON array) with one sentence per record: a token list and equal-length
//!   lists of gold tags (`labels`, or `tags`, ...) and predicted tags (`predictions`, or
//!   `pred_tags`, ...).
//!
//! Tags are interned while reading, so the result ([`NerInput::sequences`]) goes straight to
//! `fteval_core::metrics::ner::evaluate_ner`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use fteval_core::metrics::ner::{NerSequences, TagVocab};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::error::{InputError, Result};
use crate::formats::conll::{quote_tokens, read_conll, ConllFile, TokenStore};
use crate::formats::json::json_reason;
use crate::formats::Location;
use crate::source;

/// The formats NER input is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NerFormat {
    Conll,
    Jsonl,
    Json,
}

impl NerFormat {
    pub fn parse(name: &str) -> Option<NerFormat> {
        match name.to_ascii_lowercase().as_str() {
            "conll" | "conll2003" | "iob" | "bio" => Some(NerFormat::Conll),
            "jsonl" | "ndjson" => Some(NerFormat::Jsonl),
            "json" => Some(NerFormat::Json),
            _ => None,
        }
    }

    /// The format of `path` from its extension: `.jsonl`/`.ndjson`, `.json`, otherwise CoNLL
    /// (`.conll`, `.txt`, `.tsv`, `.iob`, CoNLL-2003's `eng.testb`, ...). CSV and Parquet
    /// tables hold no token-level tags and are refused with a hint.
    pub fn detect(path: &str, forced: Option<NerFormat>) -> Result<NerFormat> {
        source::check_path(path)?;
        if let Some(f) = forced {
            return Ok(f);
        }
        if path == "-" {
            return Err(InputError::new(
                "<stdin>",
                "cannot tell the format of standard input",
                "add --input-format conll (or jsonl, json)",
            ));
        }
        if std::path::Path::new(path).is_dir() {
            return Err(InputError::new(path, "is a directory", "give the path of a CoNLL or JSON Lines file"));
        }
        let lower = path.to_ascii_lowercase();
        let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
        let file_name = stem.rsplit('/').next().unwrap_or(stem);
        let ext = file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        Ok(match ext {
            "jsonl" | "ndjson" => NerFormat::Jsonl,
            "json" => NerFormat::Json,
            "csv" | "parquet" | "pq" => {
                return Err(InputError::new(
                    path,
                    format!("a .{ext} table holds no token-level tags, which NER evaluation needs"),
                    "give a CoNLL file (token, gold tag, predicted tag per line; blank line between sentences) or JSON Lines with tokens, labels and predictions lists per sentence; if this file is CoNLL, say --input-format conll",
                ))
            }
            _ => NerFormat::Conll,
        })
    }
}

/// What to do when a predicted sentence is shorter than its gold sentence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Truncation {
    /// An error naming the sentence.
    #[default]
    Error,
    /// When the predicted tokens are the start of the gold sentence (a model that cut its
    /// input at its maximum length), score that prefix only, as the training script did.
    Prefix,
}

/// How to read NER input.
#[derive(Clone, Debug, Default)]
pub struct NerReadOptions {
    /// Gold tags from this file (CoNLL, tag in the last column; or JSON Lines).
    pub gold: Option<String>,
    /// The format of the predictions file (else from its extension).
    pub format: Option<NerFormat>,
    pub truncation: Truncation,
    /// Accept gold and predictions files whose tokens differ (same counts still required).
    pub ignore_token_mismatch: bool,
    /// JSON field names, found by name when not given.
    pub tokens_col: Option<String>,
    pub label_col: Option<String>,
    pub pred_col: Option<String>,
}

/// A predicted sentence that was shorter than its gold sentence (with [`Truncation::Prefix`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TruncatedSentence {
    /// 0-based.
    pub sentence: usize,
    pub gold_tokens: usize,
    pub predicted_tokens: usize,
}

/// NER input ready for evaluation.
#[derive(Clone, Debug)]
pub struct NerInput {
    /// The predictions file (display name).
    pub file: String,
    pub gold_file: Option<String>,
    pub sequences: NerSequences,
    /// The tokens, aligned with `sequences` (empty strings where the input had no tokens).
    pub tokens: TokenStore,
    /// Where each sentence starts in the predictions file.
    pub locations: Vec<Location>,
    /// Sentences scored on their predicted prefix only.
    pub truncated: Vec<TruncatedSentence>,
    /// Gold tokens left out by truncation.
    pub dropped_gold_tokens: usize,
    /// The JSON fields or CoNLL columns the tags came from, for the report.
    pub gold_source: String,
    pub pred_source: String,
}

impl NerInput {
    pub fn n_sentences(&self) -> usize {
        self.sequences.n_sentences()
    }

    /// Up to `n` first tokens of sentence `s`, quoted.
    pub fn sentence_preview(&self, s: usize, n: usize) -> String {
        let r = self.sequences.sentence(s);
        if r.clone().all(|t| self.tokens.get(t).is_empty()) {
            return format!("{} tokens", r.len());
        }
        let more = r.len() > n;
        quote_tokens(r.take(n).map(|t| self.tokens.get(t)), more)
    }
}

/// Field names tried, in order.
pub const TOKEN_FIELDS: &[&str] = &["tokens", "words", "token", "text_tokens"];
pub const GOLD_FIELDS: &[&str] =
    &["labels", "tags", "ner_tags", "gold", "gold_tags", "gold_labels", "true_tags", "true_labels", "y_true", "label"];
pub const PRED_FIELDS: &[&str] = &[
    "predictions",
    "pred_tags",
    "preds",
    "pred",
    "predicted",
    "predicted_tags",
    "predicted_labels",
    "pred_labels",
    "prediction",
    "y_pred",
];

/// Reads NER predictions (and gold tags, from the same file or `options.gold`).
pub fn read_ner(path: &str, options: &NerReadOptions) -> Result<NerInput> {
    let mut vocab = TagVocab::new();
    let format = NerFormat::detect(path, options.format)?;
    let name = source::display_name(path);
    match &options.gold {
        None => {
            let side = read_side(path, format, Role::Both, options, &mut vocab)?;
            let (Some(gold), Some(pred)) = (&side.gold, &side.pred) else {
                unreachable!("Role::Both reads both tag columns or fails")
            };
            let mut seqs = NerSequences::new();
            for s in 0..side.n_sentences() {
                for t in side.sentence(s) {
                    seqs.push_token(gold[t], pred[t]);
                }
                seqs.end_sentence();
            }
            seqs.vocab = vocab;
            Ok(NerInput {
                file: name,
                gold_file: None,
                sequences: seqs,
                tokens: side.tokens,
                locations: side.locations,
                truncated: Vec::new(),
                dropped_gold_tokens: 0,
                gold_source: side.gold_source,
                pred_source: side.pred_source,
            })
        }
        Some(gold_path) => {
            let pred_side = read_side(path, format, Role::Predictions, options, &mut vocab)?;
            let gold_format = NerFormat::detect(gold_path, None)?;
            let gold_side = read_side(gold_path, gold_format, Role::Gold, options, &mut vocab)?;
            align(pred_side, gold_side, options, vocab)
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// One file with gold and predicted tags.
    Both,
    Predictions,
    Gold,
}

/// One file's sentences.
struct Side {
    name: String,
    tokens: TokenStore,
    has_tokens: bool,
    /// 1-based line of every token (CoNLL only).
    token_lines: Option<Vec<u32>>,
    gold: Option<Vec<u32>>,
    pred: Option<Vec<u32>>,
    bounds: Vec<u32>,
    locations: Vec<Location>,
    gold_source: String,
    pred_source: String,
}

impl Side {
    fn n_sentences(&self) -> usize {
        self.bounds.len() - 1
    }

    fn sentence(&self, s: usize) -> std::ops::Range<usize> {
        self.bounds[s] as usize..self.bounds[s + 1] as usize
    }

    fn preview(&self, s: usize) -> String {
        let r = self.sentence(s);
        if !self.has_tokens {
            return format!("{} tokens", r.len());
        }
        let more = r.len() > 6;
        quote_tokens(r.take(6).map(|t| self.tokens.get(t)), more)
    }

    fn token_location(&self, t: usize, s: usize) -> String {
        match &self.token_lines {
            Some(lines) => format!("line {}", lines[t]),
            None => format!("{}, token {}", self.locations[s], t - self.bounds[s] as usize + 1),
        }
    }
}

fn read_side(
    path: &str,
    format: NerFormat,
    role: Role,
    options: &NerReadOptions,
    vocab: &mut TagVocab,
) -> Result<Side> {
    match format {
        NerFormat::Conll => conll_side(read_conll(path, vocab)?, role),
        NerFormat::Jsonl | NerFormat::Json => json_side(path, format, role, options, vocab),
    }
}

fn conll_side(file: ConllFile, role: Role) -> Result<Side> {
    let locations =
        (0..file.n_sentences()).map(|s| Location::Line(file.lines[file.bounds[s] as usize] as u64)).collect();
    let n = file.n_columns;
    let (gold, pred, gold_source, pred_source) = match role {
        Role::Both => {
            let Some(second) = file.second_last else {
                return Err(InputError::new(
                    &file.name,
                    format!("{n} columns per token line: a token and one tag, but evaluation needs a gold and a predicted tag"),
                    "give the gold tags with --gold FILE (a CoNLL file such as CoNLL-2003's test set; its last column is the tag), or write the predicted tag as a last column after the gold one",
                )
                .at(format!("line {}", file.lines.first().copied().unwrap_or(1))));
            };
            (Some(second), Some(file.last), format!("column {}", n - 1), format!("column {n}"))
        }
        Role::Predictions => (None, Some(file.last), String::new(), format!("column {n}")),
        Role::Gold => (Some(file.last), None, format!("column {n}"), String::new()),
    };
    Ok(Side {
        name: file.name,
        tokens: file.tokens,
        has_tokens: true,
        token_lines: Some(file.lines),
        gold,
        pred,
        bounds: file.bounds,
        locations,
        gold_source,
        pred_source,
    })
}

/// A JSON string, borrowed from the input when it has no escapes.
#[derive(Debug, Hash, PartialEq, Eq)]
struct CowStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// The fields a record's tags come from.
struct Fields {
    tokens: Option<String>,
    gold: Option<String>,
    pred: Option<String>,
}

fn pick(keys: &[&str], is_list: impl Fn(&str) -> bool, given: &Option<String>, names: &[&str]) -> Option<String> {
    if let Some(g) = given {
        return Some(g.clone());
    }
    names.iter().find_map(|n| keys.iter().find(|k| k.eq_ignore_ascii_case(n) && is_list(k)).map(|k| k.to_string()))
}

/// A field named like a tag list that holds something else (`"labels": "O"`): the error that
/// says so, at the record, instead of "no list found".
fn not_a_list(
    name: &str,
    keys: &[&str],
    raw: &dyn Fn(&str) -> Option<String>,
    given: &Option<String>,
    names: &[&str],
    loc: Location,
) -> Option<InputError> {
    let candidates: Vec<&str> = match given {
        Some(g) => vec![g.as_str()],
        None => names.to_vec(),
    };
    let key = candidates.iter().find_map(|n| keys.iter().find(|k| k.eq_ignore_ascii_case(n)))?;
    let value = raw(key)?;
    let shown =
        if value.chars().count() > 60 { format!("{}…", value.chars().take(60).collect::<String>()) } else { value };
    Some(
        InputError::new(
            name,
            format!("field '{key}' holds {shown}, not a list of tags"),
            "each record needs lists with one tag per token, e.g. \"labels\": [\"B-ORG\", \"O\"]",
        )
        .at(loc.to_string()),
    )
}

fn choose_fields(
    name: &str,
    keys: &[&str],
    is_list: impl Fn(&str) -> bool + Copy,
    raw: &dyn Fn(&str) -> Option<String>,
    loc: Location,
    role: Role,
    options: &NerReadOptions,
) -> Result<Fields> {
    let fields = Fields {
        tokens: pick(keys, is_list, &options.tokens_col, TOKEN_FIELDS),
        gold: if role == Role::Predictions { None } else { pick(keys, is_list, &options.label_col, GOLD_FIELDS) },
        pred: if role == Role::Gold { None } else { pick(keys, is_list, &options.pred_col, PRED_FIELDS) },
    };
    let fields_list = keys.join(", ");
    if role != Role::Predictions && fields.gold.is_none() {
        if let Some(e) = not_a_list(name, keys, raw, &options.label_col, GOLD_FIELDS, loc) {
            return Err(e);
        }
        return Err(InputError::new(
            name,
            "no list of gold tags found",
            format!(
                "evaluation needs the true tags: name the field with --label-col (tried: {}), or give a gold CoNLL file with --gold FILE; the fields are: {fields_list}",
                GOLD_FIELDS.join(", ")
            ),
        ));
    }
    if role != Role::Gold && fields.pred.is_none() {
        if let Some(e) = not_a_list(name, keys, raw, &options.pred_col, PRED_FIELDS, loc) {
            return Err(e);
        }
        return Err(InputError::new(
            name,
            "no list of predicted tags found",
            format!(
                "name the field with --pred-col (tried: {}); the fields are: {fields_list}",
                PRED_FIELDS.join(", ")
            ),
        ));
    }
    Ok(fields)
}

/// Builds a side record by record.
struct JsonSideBuilder<'v> {
    side: Side,
    vocab: &'v mut TagVocab,
    fields: Fields,
    gold: Vec<u32>,
    pred: Vec<u32>,
}

impl JsonSideBuilder<'_> {
    /// Adds one record's lists (None where the record lacks the field).
    fn add(
        &mut self,
        loc: Location,
        tokens: Option<Vec<CowStr>>,
        gold: Option<Vec<CowStr>>,
        pred: Option<Vec<CowStr>>,
    ) -> Result<()> {
        let name = self.side.name.clone();
        let missing = |field: &Option<String>| {
            InputError::new(
                &name,
                format!("no '{}' list in this record", field.as_deref().unwrap_or("")),
                "every record needs the same tag lists; drop the record or fill the list",
            )
            .at(loc.to_string())
        };
        let gold = match (&self.fields.gold, gold) {
            (Some(_), Some(g)) => Some(g),
            (Some(_), None) => return Err(missing(&self.fields.gold)),
            _ => None,
        };
        let pred = match (&self.fields.pred, pred) {
            (Some(_), Some(p)) => Some(p),
            (Some(_), None) => return Err(missing(&self.fields.pred)),
            _ => None,
        };
        let n = gold.as_ref().or(pred.as_ref()).map_or(0, |v| v.len());
        let preview = |toks: &Option<Vec<CowStr>>| match toks {
            Some(t) => quote_tokens(t.iter().take(6).map(|c| c.0.as_ref()), t.len() > 6),
            None => "without tokens".to_string(),
        };
        let sentence = self.side.n_sentences() + 1;
        if let (Some(g), Some(p)) = (&gold, &pred) {
            if g.len() != p.len() {
                return Err(InputError::new(
                    &name,
                    format!(
                        "sentence {sentence} ({}) has {} gold tags ('{}') but {} predicted tags ('{}')",
                        preview(&tokens),
                        g.len(),
                        self.fields.gold.as_deref().unwrap_or(""),
                        p.len(),
                        self.fields.pred.as_deref().unwrap_or("")
                    ),
                    "gold and predicted tag lists must have one tag per token; if the model cut long sentences, predict them whole (or with a sliding window)",
                )
                .at(loc.to_string()));
            }
        }
        if let Some(t) = &tokens {
            if t.len() != n {
                return Err(InputError::new(
                    &name,
                    format!(
                        "sentence {sentence} ({}) has {} tokens ('{}') but {n} tags",
                        preview(&tokens),
                        t.len(),
                        self.fields.tokens.as_deref().unwrap_or("")
                    ),
                    "the tag lists need one tag per token",
                )
                .at(loc.to_string()));
            }
        }
        for (list, out, field) in
            [(&gold, &mut self.gold, &self.fields.gold), (&pred, &mut self.pred, &self.fields.pred)]
        {
            if let Some(list) = list {
                for (k, tag) in list.iter().enumerate() {
                    if tag.0.trim().is_empty() {
                        return Err(InputError::new(
                            &name,
                            format!(
                                "'{}' has an empty tag at token {} of sentence {sentence} ({})",
                                field.as_deref().unwrap_or(""),
                                k + 1,
                                preview(&tokens)
                            ),
                            "every token needs a tag; write 'O' for tokens outside any entity",
                        )
                        .at(loc.to_string()));
                    }
                    out.push(self.vocab.intern(&tag.0));
                }
            }
        }
        match &tokens {
            Some(t) => t.iter().for_each(|c| self.side.tokens.push(&c.0)),
            None => (0..n).for_each(|_| self.side.tokens.push("")),
        }
        self.side.locations.push(loc);
        self.side.bounds.push(self.side.tokens.len() as u32);
        Ok(())
    }
}

/// A list field that does not hold strings: say what it holds.
fn not_strings(name: &str, field: &str, raw: &str, loc: Location) -> InputError {
    let v: Option<Value> = serde_json::from_str(raw).ok();
    let (what, hint) = match &v {
        Some(Value::Array(a)) => match a.iter().find(|x| !x.is_string()) {
            Some(Value::Number(n)) => (
                format!("'{field}' holds numbers (e.g. {n}), not tag names such as 'B-PER'"),
                "map the tag ids to their names before writing the file (for a Hugging Face dataset: features[\"ner_tags\"].feature.names)",
            ),
            Some(Value::Null) => (format!("'{field}' holds null"), "every token needs a tag; write 'O' for tokens outside any entity"),
            Some(other) => (format!("'{field}' holds {other}, not a tag name"), "tags must be strings such as 'B-PER' or 'O'"),
            None => (format!("'{field}' could not be read"), "tags must be strings such as 'B-PER' or 'O'"),
        },
        _ => (format!("'{field}' is not a list"), "each record needs lists with one entry per token"),
    };
    InputError::new(name, what, hint).at(loc.to_string())
}

/// Invalid UTF-8 at byte `at` of the file: the line, and the byte in the line and the file.
pub(crate) fn not_utf8(name: &str, bytes: &[u8], at: usize) -> InputError {
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    InputError::new(
        name,
        format!("the text is not valid UTF-8 (byte {} of the line, byte {at} of the file)", at - line_start + 1),
        "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
    )
    .at(format!("line {line}"))
}

type RawRecord<'a> = HashMap<CowStr<'a>, &'a RawValue>;

fn raw_list<'a>(
    name: &str,
    m: &RawRecord<'a>,
    field: &Option<String>,
    loc: Location,
) -> Result<Option<Vec<CowStr<'a>>>> {
    let Some(f) = field else { return Ok(None) };
    let Some(raw) = m.get(&CowStr(Cow::Borrowed(f.as_str()))) else { return Ok(None) };
    if raw.get() == "null" {
        return Ok(None);
    }
    serde_json::from_str::<Vec<CowStr<'a>>>(raw.get()).map(Some).map_err(|_| not_strings(name, f, raw.get(), loc))
}

const JSON_HINT: &str = "NER JSON Lines hold one sentence per line, e.g. {\"tokens\": [\"EU\", \"rejects\"], \"labels\": [\"B-ORG\", \"O\"], \"predictions\": [\"B-ORG\", \"O\"]}";

fn json_side(
    path: &str,
    format: NerFormat,
    role: Role,
    options: &NerReadOptions,
    vocab: &mut TagVocab,
) -> Result<Side> {
    let name = source::display_name(path);
    let rows = if format == NerFormat::Json { source::Rows::Whole } else { source::Rows::Lines };
    let bytes = source::read_all_rows(path, rows)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| not_utf8(&name, &bytes, e.valid_up_to()))?;
    let mut vocab_slot = Some(vocab);
    let mut builder: Option<JsonSideBuilder> = None;
    let mut record = |m: RawRecord, loc: Location| -> Result<()> {
        if builder.is_none() {
            let keys: Vec<&str> = m.keys().map(|k| k.0.as_ref()).collect();
            let is_list = |k: &str| m.get(&CowStr(Cow::Borrowed(k))).is_some_and(|r| r.get().starts_with('['));
            let raw = |k: &str| m.get(&CowStr(Cow::Borrowed(k))).map(|r| r.get().to_string());
            let fields = choose_fields(&name, &keys, is_list, &raw, loc, role, options)?;
            builder = Some(JsonSideBuilder {
                side: Side {
                    name: name.clone(),
                    tokens: TokenStore::default(),
                    has_tokens: fields.tokens.is_some(),
                    token_lines: None,
                    gold: None,
                    pred: None,
                    bounds: vec![0],
                    locations: Vec::new(),
                    gold_source: fields.gold.as_ref().map(|f| format!("'{f}'")).unwrap_or_default(),
                    pred_source: fields.pred.as_ref().map(|f| format!("'{f}'")).unwrap_or_default(),
                },
                vocab: vocab_slot.take().expect("one builder"),
                fields,
                gold: Vec::new(),
                pred: Vec::new(),
            });
        }
        let b = builder.as_mut().unwrap();
        let tokens = raw_list(&name, &m, &b.fields.tokens, loc)?;
        let gold = raw_list(&name, &m, &b.fields.gold, loc)?;
        let pred = raw_list(&name, &m, &b.fields.pred, loc)?;
        b.add(loc, tokens, gold, pred)
    };
    match format {
        NerFormat::Json => {
            let records: Vec<RawRecord> = serde_json::from_str(text).map_err(|e| {
                InputError::new(
                    &name,
                    format!("not an array of sentence objects ({})", json_reason(&e)),
                    "a .json NER file must be an array of objects with tokens and tag lists; or use JSON Lines, one object per line",
                )
                .at(format!("line {}", e.line()))
            })?;
            for (i, m) in records.into_iter().enumerate() {
                record(m, Location::Record(i as u64 + 1))?;
            }
        }
        _ => {
            for (i, line) in text.split('\n').enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let loc = Location::Line(i as u64 + 1);
                let m: RawRecord = serde_json::from_str(line).map_err(|e| {
                    let what = if line.trim_start().starts_with('{') {
                        format!("not valid JSON ({})", json_reason(&e))
                    } else {
                        "not a JSON object".to_string()
                    };
                    InputError::new(&name, what, JSON_HINT).at(format!("line {}, column {}", i + 1, e.column()))
                })?;
                record(m, loc)?;
            }
        }
    }
    let Some(b) = builder else {
        return Err(InputError::new(&name, "no sentences found: the file is empty", JSON_HINT));
    };
    let mut side = b.side;
    if b.fields.gold.is_some() {
        side.gold = Some(b.gold);
    }
    if b.fields.pred.is_some() {
        side.pred = Some(b.pred);
    }
    Ok(side)
}

/// Puts the predictions of `pred` against the gold tags of `gold`, sentence by sentence.
fn align(pred: Side, gold: Side, options: &NerReadOptions, vocab: TagVocab) -> Result<NerInput> {
    let (Some(gold_tags), Some(pred_tags)) = (&gold.gold, &pred.pred) else { unreachable!("roles read these") };
    let mut seqs = NerSequences::new();
    let mut truncated = Vec::new();
    let mut dropped = 0usize;
    let mut tokens = TokenStore::default();
    let tokens_from_pred = pred.has_tokens || !gold.has_tokens;
    let both_tokens = pred.has_tokens && gold.has_tokens;
    let n = pred.n_sentences().min(gold.n_sentences());
    for s in 0..n {
        let (pr, gr) = (pred.sentence(s), gold.sentence(s));
        let mut keep = gr.len();
        if pr.len() != gr.len() {
            let is_prefix = pr.len() < gr.len()
                && (!both_tokens || pr.clone().zip(gr.clone()).all(|(p, g)| pred.tokens.get(p) == gold.tokens.get(g)));
            if is_prefix && options.truncation == Truncation::Prefix {
                truncated.push(TruncatedSentence { sentence: s, gold_tokens: gr.len(), predicted_tokens: pr.len() });
                dropped += gr.len() - pr.len();
                keep = pr.len();
            } else {
                let hint = if is_prefix {
                    format!(
                        "the predictions stop {} tokens before the sentence ends, as when a model cuts its input at a maximum sequence length: predict long sentences whole (a larger max length, or a sliding window), or score only the predicted tokens with --allow-truncated (the gold tags past the cut are then ignored, as the training script's own report ignores them)",
                        gr.len() - pr.len()
                    )
                } else {
                    "the two files must hold the same sentences with the same tokens, in the same order: check that both come from the same split".to_string()
                };
                return Err(InputError::new(
                    &pred.name,
                    format!(
                        "sentence {} ({}) has {} predicted tokens but {} gold tokens in {} (at {})",
                        s + 1,
                        gold.preview(s),
                        pr.len(),
                        gr.len(),
                        gold.name,
                        gold.locations[s]
                    ),
                    hint,
                )
                .at(pred.locations[s].to_string()));
            }
        }
        for (p, g) in pr.clone().zip(gr.clone()).take(keep) {
            if both_tokens && !options.ignore_token_mismatch && pred.tokens.get(p) != gold.tokens.get(g) {
                return Err(InputError::new(
                    &pred.name,
                    format!(
                        "token '{}' of sentence {} differs from the gold file's '{}' ({}, {})",
                        pred.tokens.get(p),
                        s + 1,
                        gold.tokens.get(g),
                        gold.name,
                        gold.token_location(g, s)
                    ),
                    "the predictions and the gold file are not aligned: they must hold the same tokens in the same order (if only the spelling differs, e.g. lower-cased tokens, accept it with --ignore-token-mismatch)",
                )
                .at(pred.token_location(p, s)));
            }
            seqs.push_token(gold_tags[g], pred_tags[p]);
            tokens.push(if tokens_from_pred { pred.tokens.get(p) } else { gold.tokens.get(g) });
        }
        seqs.end_sentence();
    }
    if pred.n_sentences() != gold.n_sentences() {
        let (more, fewer) = if pred.n_sentences() > gold.n_sentences() { (&pred, &gold) } else { (&gold, &pred) };
        return Err(InputError::new(
            &pred.name,
            format!(
                "{} sentences of predictions but {} of gold tags in {}; the first {n} agree, and {} has more from sentence {} ({}, at {})",
                pred.n_sentences(),
                gold.n_sentences(),
                gold.name,
                more.name,
                n + 1,
                more.preview(n),
                more.locations[n]
            ),
            format!(
                "the two files must hold the same sentences in the same order, separated by blank lines: check that {} is complete and that both come from the same split",
                fewer.name
            ),
        ));
    }
    seqs.vocab = vocab;
    Ok(NerInput {
        file: pred.name.clone(),
        gold_file: Some(gold.name.clone()),
        sequences: seqs,
        tokens,
        locations: pred.locations,
        truncated,
        dropped_gold_tokens: dropped,
        gold_source: format!("{} {}", gold.name, gold.gold_source),
        pred_source: pred.pred_source,
    })
}

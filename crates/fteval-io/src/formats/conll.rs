//! CoNLL-style token files: one token per line, whitespace-separated columns (token first,
//! tags last), a blank line between sentences, `-DOCSTART-` lines ignored. CRLF line ends,
//! a byte-order mark and gzip are handled.

use fteval_core::metrics::ner::TagVocab;

use crate::error::{InputError, Result};
use crate::source;

/// Tokens of a file in one string: token `t` is `text[ends[t - 1]..ends[t]]`.
#[derive(Clone, Debug, Default)]
pub struct TokenStore {
    text: String,
    ends: Vec<usize>,
}

impl TokenStore {
    pub fn push(&mut self, token: &str) {
        self.text.push_str(token);
        self.ends.push(self.text.len());
    }

    pub fn get(&self, t: usize) -> &str {
        let start = if t == 0 { 0 } else { self.ends[t - 1] };
        &self.text[start..self.ends[t]]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Keeps the first `n` tokens.
    pub fn truncate(&mut self, n: usize) {
        if n < self.ends.len() {
            self.ends.truncate(n);
            self.text.truncate(self.ends.last().copied().unwrap_or(0));
        }
    }
}

/// A CoNLL file read into tokens and interned tags.
#[derive(Clone, Debug)]
pub struct ConllFile {
    pub name: String,
    /// Columns per token line (the same on every line).
    pub n_columns: usize,
    pub tokens: TokenStore,
    /// The 1-based line of every token.
    pub lines: Vec<u32>,
    /// Tag ids of the last column.
    pub last: Vec<u32>,
    /// Tag ids of the second-to-last column, when there are at least 3 columns.
    pub second_last: Option<Vec<u32>>,
    /// Sentence `s` holds tokens `bounds[s]..bounds[s + 1]`.
    pub bounds: Vec<u32>,
}

impl ConllFile {
    pub fn n_sentences(&self) -> usize {
        self.bounds.len() - 1
    }

    pub fn sentence(&self, s: usize) -> std::ops::Range<usize> {
        self.bounds[s] as usize..self.bounds[s + 1] as usize
    }

    /// Up to `n` first tokens of sentence `s`, quoted, for messages.
    pub fn sentence_start(&self, s: usize, n: usize) -> String {
        quote_tokens(self.sentence(s).take(n).map(|t| self.tokens.get(t)), self.sentence(s).len() > n)
    }
}

/// `'w1 w2 w3 …'`.
pub fn quote_tokens<'a>(tokens: impl Iterator<Item = &'a str>, more: bool) -> String {
    let words: Vec<&str> = tokens.collect();
    format!("'{}{}'", words.join(" "), if more { " …" } else { "" })
}

const CONLL_HINT: &str =
    "a CoNLL file has one token per line — the token, any other columns, then the tag(s), separated by spaces or tabs — and a blank line between sentences";

/// Reads a CoNLL file, interning its tags into `vocab`.
pub fn read_conll(path: &str, vocab: &mut TagVocab) -> Result<ConllFile> {
    let name = source::display_name(path);
    let bytes = source::read_all_rows(path, source::Rows::Lines)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| crate::ner::not_utf8(&name, &bytes, e.valid_up_to()))?;
    let mut file = ConllFile {
        name: name.clone(),
        n_columns: 0,
        tokens: TokenStore::default(),
        lines: Vec::new(),
        last: Vec::new(),
        second_last: None,
        bounds: vec![0],
    };
    let mut first_token_line = 0usize;
    let mut second: Vec<u32> = Vec::new();
    let mut fields: Vec<&str> = Vec::with_capacity(8);
    let mut open = 0usize; // tokens in the sentence being read
    for (i, line) in text.split('\n').enumerate() {
        let line_no = i + 1;
        fields.clear();
        fields.extend(line.split_whitespace());
        if fields.is_empty() {
            if open > 0 {
                file.bounds.push(file.last.len() as u32);
                open = 0;
            }
            continue;
        }
        if fields[0].starts_with("-DOCSTART-") {
            continue;
        }
        if file.n_columns == 0 {
            if fields.len() < 2 {
                let looks_csv = fields[0].contains(',');
                let mut message = format!("one column ('{}'), so no tag", clip(line.trim()));
                let hint = if looks_csv {
                    let lower = line.to_ascii_lowercase();
                    if ["precision", "recall", "f1"].iter().any(|w| lower.contains(w)) {
                        message = format!(
                            "this is a table of metrics ('{}'), not token-level predictions",
                            clip(line.trim())
                        );
                        "NER evaluation needs each token's gold and predicted tag: give the CoNLL file the model's predictions were written to (token, gold tag, predicted tag per line), or a JSON Lines file with tokens, labels and predictions lists".to_string()
                    } else {
                        format!("this looks like a CSV table; {CONLL_HINT}")
                    }
                } else {
                    CONLL_HINT.to_string()
                };
                return Err(InputError::new(&name, message, hint).at(format!("line {line_no}")));
            }
            file.n_columns = fields.len();
            first_token_line = line_no;
        } else if fields.len() != file.n_columns {
            return Err(InputError::new(
                &name,
                format!(
                    "{} columns ('{}'), but the first token line (line {first_token_line}) has {}",
                    fields.len(),
                    clip(line.trim()),
                    file.n_columns
                ),
                "every token line needs the same columns; a missing tag, or a token that is itself whitespace, shifts them — fix this line",
            )
            .at(format!("line {line_no}")));
        }
        file.tokens.push(fields[0]);
        file.lines.push(line_no as u32);
        file.last.push(vocab.intern(fields[fields.len() - 1]));
        if fields.len() >= 3 {
            second.push(vocab.intern(fields[fields.len() - 2]));
        }
        open += 1;
    }
    if open > 0 {
        file.bounds.push(file.last.len() as u32);
    }
    if file.n_columns == 0 {
        return Err(InputError::new(
            &name,
            "no tokens found: the file is empty or holds only -DOCSTART- lines",
            CONLL_HINT,
        ));
    }
    if file.n_columns >= 3 {
        file.second_last = Some(second);
    }
    Ok(file)
}

/// A line shortened for a message.
fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

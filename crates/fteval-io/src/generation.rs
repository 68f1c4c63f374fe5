//! Generation input: one example per row with the generated text and its reference(s), from any
//! table format (CSV, TSV, JSON Lines, JSON, Parquet, gzipped or not).
//!
//! - which column is the generated text, the reference and the prompt follows the shapes of
//!   [`crate::generation_columns`] (LLaMA-Factory's `prompt`/`predict`/`label`,
//!   `prompt`/`completion`, `input`/`output`/`target`, chat `messages`, ...) or `--pred-col` and
//!   `--ref-col`;
//! - a reference string is one reference, a list (JSON, or a list as Python prints it in a CSV
//!   cell) is several, SQuAD's `{"text": [...], "answer_start": [...]}` is its texts, and a chat
//!   list's text is its last assistant turn;
//! - optional per-example `loss` (or `nll`, `--loss-col`) and token counts (`n_tokens`, ...,
//!   `--token-count-col`) give mean loss and perplexity.
//!
//! A row without a prediction or reference is an error naming the row, unless `drop_missing`.
//! In JSON an explicit empty string `""` is an empty generation (scored, and flagged by a check)
//! and an empty reference (scored, flagged, and left out by `drop_missing`); in CSV/TSV an empty
//! cell cannot be told from a missing one and counts as missing.

use serde_json::Value;

use crate::cell::{number_label, Cell};
use crate::columns::{explicit, find, ID_NAMES};
use crate::error::{InputError, Result};
use crate::formats::{self, Location, Row};
use crate::generation_columns::{ambiguity_error, resolve_generation_columns, Resolution, TextColumn};
use crate::source::{self, Format};

pub const LOSS_NAMES: &[&str] = &["loss", "nll", "eval_loss"];
pub const TOKEN_COUNT_NAMES: &[&str] = &["n_tokens", "num_tokens", "token_count", "tokens_count", "ntokens"];

/// How to read generation input.
#[derive(Clone, Debug, Default)]
pub struct GenerationReadOptions {
    pub format: Option<Format>,
    pub id_col: Option<String>,
    pub pred_col: Option<String>,
    pub ref_col: Option<String>,
    pub loss_col: Option<String>,
    pub token_count_col: Option<String>,
    /// Leave out rows without a prediction or reference (and say how many) instead of failing.
    pub drop_missing: bool,
    /// Columns of other models in the same file: never read as this model's reference or prompt.
    pub other_models: Vec<String>,
}

/// A numeric per-example column.
#[derive(Clone, Debug)]
pub struct NumberColumn {
    pub column: String,
    pub values: Vec<f64>,
}

/// Generation input ready for evaluation: row `i` has `predictions[i]` and `references[i]`.
#[derive(Clone, Debug)]
pub struct GenerationInput {
    /// The file (display name).
    pub file: String,
    pub ids: Option<Vec<String>>,
    pub id_column: Option<String>,
    pub predictions: Vec<String>,
    pub references: Vec<Vec<String>>,
    pub pred_column: String,
    pub ref_column: String,
    /// The prompt of each example, when the file has one (a prompt column or a chat's last user turn).
    pub prompts: Option<Vec<String>>,
    pub prompt_column: Option<String>,
    /// Why a reply column took its role (e.g. "'completion' is the reference because 'prediction'
    /// holds the generated text"), when the names alone did not say.
    pub columns_note: Option<String>,
    /// Per-example loss (mean NLL per token).
    pub loss: Option<NumberColumn>,
    /// Per-example token counts (weights of the losses for perplexity).
    pub token_counts: Option<NumberColumn>,
    /// Where each kept example is in the file.
    pub locations: Vec<Location>,
    /// Rows left out by `drop_missing`.
    pub dropped: usize,
    /// Of those, rows whose reference was there but empty.
    pub dropped_empty_references: usize,
    pub first_dropped: Option<Location>,
}

impl GenerationInput {
    pub fn len(&self) -> usize {
        self.predictions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.predictions.is_empty()
    }

    /// The id of example `i`: its id column value, else its 1-based row number.
    pub fn id(&self, i: usize) -> String {
        match &self.ids {
            Some(ids) => ids[i].clone(),
            None => (i + 1).to_string(),
        }
    }
}

/// The columns of a generation table.
struct Plan {
    id: Option<usize>,
    pred: TextColumn,
    refs: TextColumn,
    prompt: Option<TextColumn>,
    note: Option<String>,
    loss: Option<usize>,
    tokens: Option<usize>,
}

/// The columns of a chat list or a text column, as the report names them.
fn column_label(names: &[String], c: TextColumn, turn: &str) -> String {
    if c.chat {
        format!("{} (last {turn} turn)", names[c.column])
    } else {
        names[c.column].clone()
    }
}

fn plan(file: &str, names: &[String], o: &GenerationReadOptions) -> Result<Plan> {
    let pick = |flag: &str, given: &Option<String>, candidates: &[&str], taken: &[usize]| -> Result<Option<usize>> {
        match given {
            Some(w) => explicit(file, names, flag, w).map(Some),
            None => Ok(find(names, candidates, taken)),
        }
    };
    let flagged: Vec<usize> = [&o.pred_col, &o.ref_col]
        .iter()
        .filter_map(|w| w.as_deref().and_then(|w| names.iter().position(|n| n.trim().eq_ignore_ascii_case(w))))
        .collect();
    let id = pick("--id-col", &o.id_col, ID_NAMES, &flagged)?;
    let others = o.other_models.iter().filter_map(|w| names.iter().position(|n| n.trim().eq_ignore_ascii_case(w)));
    let taken: Vec<usize> = id.into_iter().chain(others).collect();
    let cols = match resolve_generation_columns(file, names, o.pred_col.as_deref(), o.ref_col.as_deref(), &taken)? {
        Resolution::Found(c) => c,
        Resolution::Ambiguous(why) => return Err(ambiguity_error(file, names, &why)),
        Resolution::Missing { refs: None, .. } => {
            return Err(InputError::new(
                file,
                "no reference column found",
                format!(
                    "generation metrics need the reference text: name its column with --ref-col (tried: {}, and a reply column such as answer or completion next to a prediction column); the columns are: {}",
                    crate::generation_columns::REF_NAMES.join(", "),
                    names.join(", ")
                ),
            ))
        }
        Resolution::Missing { .. } => {
            return Err(InputError::new(
                file,
                "no prediction column found",
                format!(
                    "name the column of generated text with --pred-col (tried: {}, and a reply column such as output or response next to a reference column); the columns are: {}",
                    crate::generation_columns::PRED_NAMES.join(", "),
                    names.join(", ")
                ),
            ))
        }
    };
    let mut taken = taken;
    taken.extend([cols.pred.column, cols.refs.column]);
    taken.extend(cols.prompt.map(|p| p.column));
    let loss = pick("--loss-col", &o.loss_col, LOSS_NAMES, &taken)?;
    taken.extend(loss);
    let tokens = pick("--token-count-col", &o.token_count_col, TOKEN_COUNT_NAMES, &taken)?;
    if let (Some(t), None) = (tokens, loss) {
        return Err(InputError::new(
            file,
            format!("token counts ('{}') but no per-example loss column", names[t]),
            format!("perplexity needs each example's loss: name it with --loss-col (tried: {})", LOSS_NAMES.join(", ")),
        ));
    }
    Ok(Plan { id, pred: cols.pred, refs: cols.refs, prompt: cols.prompt, note: cols.note, loss, tokens })
}

/// Whether a table cell counts as missing: absent, null, NaN, and in CSV/TSV also empty text.
fn is_missing(cell: &Cell, delimited: bool) -> bool {
    match cell {
        Cell::Text(s) => delimited && s.trim().is_empty(),
        other => other.is_empty(),
    }
}

/// A cell as generated text; None when missing.
fn text_of(cell: &Cell, delimited: bool) -> Option<String> {
    if is_missing(cell, delimited) {
        return None;
    }
    Some(match cell {
        Cell::Text(s) => s.to_string(),
        Cell::Number(x) => number_label(*x),
        Cell::Bool(b) => b.to_string(),
        Cell::Json(v) => match v.as_ref() {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        Cell::Missing | Cell::Null => return None,
    })
}

/// A reference cell as a list of references: a string is one; a list is several. Empty when
/// missing (or an empty list). Err(description) when a list holds something other than text.
fn references_of(cell: &Cell, delimited: bool) -> std::result::Result<Vec<String>, String> {
    let from_list = |items: &[Value]| -> std::result::Result<Vec<String>, String> {
        items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.as_f64().map(number_label).unwrap_or_else(|| n.to_string())),
                other => Err(format!("a list holding {other}")),
            })
            .collect()
    };
    match cell {
        Cell::Json(v) => match v.as_ref() {
            Value::Array(items) => from_list(items),
            Value::String(s) => Ok(vec![s.clone()]),
            // SQuAD's (and Hugging Face datasets') answers: {"text": [...], "answer_start": [...]}.
            Value::Object(m) => match m.get("text") {
                Some(Value::Array(items)) => from_list(items),
                Some(Value::String(s)) => Ok(vec![s.clone()]),
                _ => Err(Value::Object(m.clone()).to_string()),
            },
            other => Err(other.to_string()),
        },
        Cell::Text(s) => {
            let t = s.trim();
            if delimited && t.is_empty() {
                return Ok(Vec::new());
            }
            if t.starts_with('[') && t.ends_with(']') {
                let parsed = crate::cell::parse_structured(t).map_err(too_deep)?;
                if let Some(Value::Array(items)) = parsed {
                    if items.iter().all(Value::is_string) {
                        return from_list(&items);
                    }
                }
            }
            Ok(vec![s.to_string()])
        }
        other => Ok(text_of(other, delimited).into_iter().collect()),
    }
}

/// How a cell nested too deeply is described in the reader's messages.
fn too_deep(deep: crate::cell::TooDeep) -> String {
    format!(
        "lists or dicts nested deeper than {} levels (at byte {} of the cell)",
        crate::limits::MAX_DEPTH,
        deep.offset + 1
    )
}

fn number_of(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(x) => Some(*x),
        Cell::Text(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// Roles of a chat turn: the model's reply, or the user's message (the prompt).
const ASSISTANT_ROLES: &[&str] = &["assistant", "gpt", "model", "bot"];
const USER_ROLES: &[&str] = &["user", "human"];

/// The text of the last turn of one of `roles` in a chat list (`[{"role", "content"}, ...]`, or
/// ShareGPT's `{"from", "value"}`; content may be a string or a list of `{"type": "text", "text"}`
/// parts). None when the list has no such turn (or the cell is missing); Err(description) when
/// the cell is not a chat list.
fn chat_turn(cell: &Cell, roles: &[&str]) -> std::result::Result<Option<String>, String> {
    let parsed;
    let list = match cell {
        Cell::Json(v) => v.as_ref(),
        Cell::Text(t) if t.trim_start().starts_with('[') => {
            parsed = crate::cell::parse_structured(t).map_err(too_deep)?;
            match &parsed {
                Some(v) => v,
                None => return Err(format!("'{}'", t.chars().take(40).collect::<String>())),
            }
        }
        other if other.is_empty() => return Ok(None),
        other => return Err(other.describe()),
    };
    let Some(turns) = list.as_array() else { return Err(list.to_string().chars().take(60).collect()) };
    let field = |t: &Value, keys: &[&str]| keys.iter().find_map(|k| t.get(*k).cloned());
    for turn in turns.iter().rev() {
        let role = field(turn, &["role", "from"]).and_then(|r| r.as_str().map(str::to_ascii_lowercase));
        if !role.is_some_and(|r| roles.contains(&r.as_str())) {
            continue;
        }
        return Ok(Some(match field(turn, &["content", "value", "text"]) {
            Some(Value::String(s)) => s,
            Some(Value::Array(parts)) => {
                parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("")
            }
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }));
    }
    Ok(None)
}

/// Reads generation predictions and references from `path`.
pub fn read_generation(path: &str, options: &GenerationReadOptions) -> Result<GenerationInput> {
    let format = source::detect_format(path, options.format)?;
    let delimited = matches!(format, Format::Csv | Format::Tsv);
    let mut table = formats::open_table(path, Some(format))?;
    let file = source::display_name(path);
    let names = table.columns().to_vec();
    let plan = plan(&file, &names, options)?;
    let mut input = GenerationInput {
        file: file.clone(),
        ids: plan.id.map(|_| Vec::new()),
        id_column: plan.id.map(|c| names[c].clone()),
        predictions: Vec::new(),
        references: Vec::new(),
        pred_column: column_label(&names, plan.pred, "assistant"),
        ref_column: column_label(&names, plan.refs, "assistant"),
        prompts: plan.prompt.map(|_| Vec::new()),
        prompt_column: plan.prompt.map(|p| column_label(&names, p, "user")),
        columns_note: plan.note.clone(),
        loss: plan.loss.map(|c| NumberColumn { column: names[c].clone(), values: Vec::new() }),
        token_counts: plan.tokens.map(|c| NumberColumn { column: names[c].clone(), values: Vec::new() }),
        locations: Vec::new(),
        dropped: 0,
        dropped_empty_references: 0,
        first_dropped: None,
    };
    let not_chat = |c: TextColumn, what: String| {
        InputError::new(
            &file,
            format!("column '{}' holds {what}, which is not a chat list", names[c.column]),
            "a chat column holds a list of turns such as [{\"role\": \"user\", \"content\": \"...\"}, {\"role\": \"assistant\", \"content\": \"...\"}]; name another column with --pred-col or --ref-col",
        )
    };
    table.for_each_row(&mut |row: &dyn Row| {
        let at = || row.location().to_string();
        let chat = |c: TextColumn, roles: &[&str]| {
            chat_turn(&row.cell(c.column), roles).map_err(|what| not_chat(c, what).at(at()))
        };
        let pred = match plan.pred.chat {
            true => chat(plan.pred, ASSISTANT_ROLES)?,
            false => text_of(&row.cell(plan.pred.column), delimited),
        };
        let refs = match plan.refs.chat {
            true => chat(plan.refs, ASSISTANT_ROLES)?.into_iter().collect(),
            false => references_of(&row.cell(plan.refs.column), delimited).map_err(|what| {
                InputError::new(
                    &file,
                    format!("column '{}' holds {what}, which is not reference text", names[plan.refs.column]),
                    "write one reference as a string, or several as a list of strings ([\"a\", \"b\"])",
                )
                .at(at())
            })?,
        };
        let prompt = match plan.prompt {
            Some(p) if p.chat => chat(p, USER_ROLES)?,
            Some(p) => text_of(&row.cell(p.column), true),
            None => None,
        };
        // A reference that is there but empty: scored (and flagged) unless --drop-missing.
        let empty_reference = !refs.is_empty() && refs.iter().all(|r| r.trim().is_empty());
        let number = |c: Option<usize>, flag: &str| -> Result<Option<f64>> {
            let Some(c) = c else { return Ok(None) };
            let cell = row.cell(c);
            if is_missing(&cell, true) {
                return Ok(Some(f64::NAN));
            }
            match number_of(&cell) {
                Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(InputError::new(
                    &file,
                    format!("column '{}' holds {}, which is not a non-negative number", names[c], cell.describe()),
                    format!("{flag} must name a column of per-example numbers (mean loss per token, token counts)"),
                )
                .at(at())),
            }
        };
        let loss = number(plan.loss, "--loss-col")?;
        let tokens = number(plan.tokens, "--token-count-col")?;
        let missing: Vec<&str> = [
            (pred.is_none(), "prediction"),
            (refs.is_empty(), "reference"),
            (loss.is_some_and(f64::is_nan), "loss"),
            (tokens.is_some_and(f64::is_nan), "token count"),
        ]
        .iter()
        .filter(|(m, _)| *m)
        .map(|(_, w)| *w)
        .collect();
        if !missing.is_empty() || (empty_reference && options.drop_missing) {
            if options.drop_missing {
                input.dropped += 1;
                input.dropped_empty_references += usize::from(missing.is_empty());
                input.first_dropped.get_or_insert(row.location());
                return Ok(());
            }
            return Err(InputError::new(
                &file,
                format!("no {} in this row", missing.join(" and no ")),
                format!(
                    "every example needs its generated text ('{}') and at least one reference ('{}'); fill the row, or pass --drop-missing to leave such rows out (the report says how many)",
                    input.pred_column, input.ref_column
                ),
            )
            .at(at()));
        }
        if let Some(prompts) = input.prompts.as_mut() {
            prompts.push(prompt.unwrap_or_default());
        }
        if let (Some(ids), Some(c)) = (input.ids.as_mut(), plan.id) {
            ids.push(text_of(&row.cell(c), true).unwrap_or_default());
        }
        input.predictions.push(pred.unwrap_or_default());
        input.references.push(refs);
        if let (Some(col), Some(x)) = (input.loss.as_mut(), loss) {
            col.values.push(x);
        }
        if let (Some(col), Some(x)) = (input.token_counts.as_mut(), tokens) {
            col.values.push(x);
        }
        input.locations.push(row.location());
        Ok(())
    })?;
    if input.is_empty() {
        let hint = if input.dropped > 0 {
            "every row lacked a prediction or a non-empty reference and --drop-missing left them all out"
        } else {
            "the file has a header but no rows"
        };
        return Err(InputError::new(&file, "no examples to evaluate", hint));
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }

    #[test]
    fn jsonl_csv_and_reference_lists() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "g.jsonl",
            "{\"id\": 7, \"prediction\": \"a b\", \"references\": [\"a b\", \"c\"], \"loss\": 1.5, \"n_tokens\": 4}\n{\"id\": 8, \"prediction\": \"\", \"references\": \"x\", \"loss\": 2, \"n_tokens\": 2}\n{\"id\": 9, \"prediction\": \"z\", \"references\": []}\n",
        );
        let g = read_generation(&p, &GenerationReadOptions { drop_missing: true, ..Default::default() }).unwrap();
        assert_eq!(g.references[0], ["a b", "c"]);
        assert_eq!(g.ref_column, "references");
        assert_eq!(g.ids.as_deref(), Some(&["7".to_string(), "8".to_string()][..]));
        assert!(read_generation(&p, &GenerationReadOptions::default()).is_err());
        let g = read_generation(&p, &GenerationReadOptions { drop_missing: true, ..Default::default() }).unwrap();
        assert_eq!((g.len(), g.dropped, g.predictions[1].as_str()), (2, 1, ""));
        assert_eq!(g.references[1], ["x"]);
        let p = write(dir.path(), "g.csv", "prediction,answers,loss\nhi,\"['hi', 'hello']\",0.5\n,bye,1\n");
        let err = read_generation(&p, &GenerationReadOptions::default()).unwrap_err();
        assert_eq!(err.location, "line 3");
        assert!(err.message.contains("no prediction") && err.hint.contains("--drop-missing"), "{err}");
        let g = read_generation(&p, &GenerationReadOptions { drop_missing: true, ..Default::default() }).unwrap();
        assert_eq!((g.references[0].len(), g.loss.unwrap().values), (2, vec![0.5]));
        let p = write(
            dir.path(),
            "s.jsonl",
            "{\"pred\": \"x\", \"answers\": {\"text\": [\"x\", \"y\"], \"answer_start\": [0, 4]}}\n",
        );
        assert_eq!(read_generation(&p, &GenerationReadOptions::default()).unwrap().references[0], ["x", "y"]);
        // A reply column next to a reference column is the generated text, and the report says why.
        let p = write(dir.path(), "g2.csv", "output,label\nhi,hi\n");
        let g = read_generation(&p, &GenerationReadOptions::default()).unwrap();
        assert_eq!((g.pred_column.as_str(), g.ref_column.as_str()), ("output", "label"));
        assert!(g.columns_note.unwrap().contains("because 'label' holds the reference"));
        // Chat lists: the reference is the last assistant turn, the prompt the last user turn.
        let p = write(
            dir.path(),
            "chat.jsonl",
            "{\"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"hello\"}]}], \"predict\": \"hey\"}\n{\"messages\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}], \"predict\": \"a\"}\n",
        );
        let g = read_generation(&p, &GenerationReadOptions::default()).unwrap();
        assert_eq!((g.references[0][0].as_str(), g.references[1][0].as_str()), ("hello", "a"));
        assert_eq!(g.prompts.unwrap(), ["hi", "q"]);
        assert_eq!(g.ref_column, "messages (last assistant turn)");
        let p = write(dir.path(), "badchat.jsonl", "{\"messages\": 3, \"prediction\": \"x\"}\n");
        let err = read_generation(&p, &GenerationReadOptions::default()).unwrap_err();
        assert!(err.message.contains("not a chat list") && err.location == "line 1", "{err}");
        // Empty references are scored; --drop-missing leaves them out and counts them.
        let p = write(
            dir.path(),
            "lf.jsonl",
            "{\"predict\": \"\", \"label\": \"\"}\n{\"predict\": \"b\", \"label\": \"b\"}\n",
        );
        assert_eq!(read_generation(&p, &GenerationReadOptions::default()).unwrap().len(), 2);
        let g = read_generation(&p, &GenerationReadOptions { drop_missing: true, ..Default::default() }).unwrap();
        assert_eq!((g.len(), g.dropped, g.dropped_empty_references), (1, 1, 1));
        let p = write(dir.path(), "g3.csv", "text,output\nhi,hi\n");
        let err = read_generation(&p, &GenerationReadOptions::default()).unwrap_err();
        assert!(err.hint.contains("--ref-col"), "{err}");
    }
}

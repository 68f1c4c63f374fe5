//! Which columns of a generation table hold the generated text, the reference and the prompt,
//! for the shapes fine-tuning tools write — decided from the column names alone.
//!
//! The rule (docs/generation.md, "File shapes read with no flags"):
//! - A column named for generated text (`prediction`, `predict`, `generated_text`, ...) is the
//!   prediction; one named for the gold text (`reference`, `label`, `target`, ...) is the
//!   reference; `--pred-col`/`--ref-col` name them explicitly.
//! - A *reply* column — `output`, `response`, `completion`, `answer(s)`, or a chat `messages`
//!   list, whose last assistant turn is its text — fills the role left open: it is the reference
//!   when the file has a prediction column (`question`/`answer`/`prediction`,
//!   `prompt`/`completion`/`prediction`, `messages`/`prediction`) and the prediction when the
//!   file has a reference column (`input`/`output`/`target`, `instruction`/`response`/`reference`,
//!   `prompt`/`completion`/`label`).
//! - With neither, two reply columns that lean different ways split the roles (`output` and
//!   `response` are usually the model's, `answer(s)` and `messages` the gold); anything else — a
//!   lone `completion`, or `instruction`/`output` training data — is ambiguous, and the reader
//!   stops naming the columns and the flags to use.

use crate::columns::{explicit, find};
use crate::error::{InputError, Result};

/// Names of the generated text, in the order tried.
pub const PRED_NAMES: &[&str] = &[
    "prediction",
    "predictions",
    "pred",
    "predict",
    "predicted",
    "generated_text",
    "generation",
    "generations",
    "generated",
    "hypothesis",
    "model_output",
    "model_answer",
    "model_response",
    "y_pred",
];
/// Names of the gold text, in the order tried.
pub const REF_NAMES: &[&str] = &[
    "reference",
    "references",
    "target_text",
    "gold_answer",
    "expected_output",
    "expected_answer",
    "ground_truth",
    "label",
    "labels",
    "target",
    "targets",
    "gold",
    "expected",
    "y_true",
];
/// Reply columns and which role they take when both are open.
pub const REPLY_NAMES: &[(&str, Lean)] = &[
    ("output", Lean::Prediction),
    ("response", Lean::Prediction),
    ("completion", Lean::Either),
    ("answer", Lean::Reference),
    ("answers", Lean::Reference),
];
/// Chat columns: lists of `{"role", "content"}` (or ShareGPT's `{"from", "value"}`) turns.
pub const CHAT_NAMES: &[&str] = &["messages", "conversations", "conversation", "chat"];
/// Prompt columns, in the order tried (never scored; shown and used to tell the task).
pub const PROMPT_NAMES: &[&str] = &["prompt", "instruction", "question", "input", "query", "source", "src", "context"];
/// Names only generation files use: a table with one of these as its prediction or reference,
/// or with a chat column, is a generation file whatever its other columns.
pub const GENERATION_ONLY_NAMES: &[&str] = &[
    "predict",
    "generated_text",
    "generation",
    "generations",
    "generated",
    "hypothesis",
    "model_output",
    "model_answer",
    "model_response",
    "reference",
    "references",
    "target_text",
    "gold_answer",
    "expected_output",
    "expected_answer",
    "completion",
    "response",
    "answer",
    "answers",
];

/// The role a reply column takes when neither role has a column of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lean {
    Prediction,
    Reference,
    Either,
}

/// A text source: a plain column, or a chat column's last turn of one role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextColumn {
    pub column: usize,
    /// A chat list: the text is its last assistant turn (prompt: the last user turn).
    pub chat: bool,
}

/// The resolved text columns of a generation table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerationColumns {
    pub pred: TextColumn,
    pub refs: TextColumn,
    pub prompt: Option<TextColumn>,
    /// Why a reply column took its role, when it did (for the report).
    pub note: Option<String>,
}

/// What the names say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Found(GenerationColumns),
    /// Text columns whose roles the names do not decide; the error names them and the flags.
    Ambiguous(String),
    /// Only one role (or none) has a column.
    Missing {
        pred: Option<usize>,
        refs: Option<usize>,
    },
}

fn is_chat(name: &str) -> bool {
    CHAT_NAMES.iter().any(|c| name.trim().eq_ignore_ascii_case(c))
}

fn lean_of(name: &str) -> Option<Lean> {
    if is_chat(name) {
        return Some(Lean::Reference);
    }
    REPLY_NAMES.iter().find(|(n, _)| name.trim().eq_ignore_ascii_case(n)).map(|&(_, l)| l)
}

/// Whether column `name` is one only generation files use (see [`GENERATION_ONLY_NAMES`]).
pub fn generation_only_name(name: &str) -> bool {
    is_chat(name) || GENERATION_ONLY_NAMES.iter().any(|c| name.trim().eq_ignore_ascii_case(c))
}

/// Resolves the prediction, reference and prompt columns of `names` (see the module docs);
/// `taken` are columns with other roles (id, loss). A `--pred-col`/`--ref-col` that names no
/// column is an error naming the flag.
pub fn resolve_generation_columns(
    file: &str,
    names: &[String],
    pred_col: Option<&str>,
    ref_col: Option<&str>,
    taken: &[usize],
) -> Result<Resolution> {
    let pred = match pred_col {
        Some(w) => Some(explicit(file, names, "--pred-col", w)?),
        None => None,
    };
    let refs = match ref_col {
        Some(w) => Some(explicit(file, names, "--ref-col", w)?),
        None => None,
    };
    let mut used: Vec<usize> = taken.iter().copied().chain(pred).chain(refs).collect();
    let pred = pred.or_else(|| find(names, PRED_NAMES, &used));
    used.extend(pred);
    let refs = refs.or_else(|| find(names, REF_NAMES, &used));
    used.extend(refs);
    let replies: Vec<(usize, Lean)> =
        (0..names.len()).filter(|i| !used.contains(i)).filter_map(|i| lean_of(&names[i]).map(|l| (i, l))).collect();
    let col = |i: usize| TextColumn { column: i, chat: is_chat(&names[i]) };
    let quoted = |cols: &[usize]| cols.iter().map(|&i| format!("'{}'", names[i])).collect::<Vec<_>>().join(", ");
    let (pred, refs, note) = match (pred, refs) {
        (Some(p), Some(r)) => (p, r, None),
        (Some(p), None) | (None, Some(p)) if !replies.is_empty() => {
            let open_is_ref = refs.is_none();
            let wanted = if open_is_ref { Lean::Reference } else { Lean::Prediction };
            let fit: Vec<usize> = match replies.as_slice() {
                [(only, _)] => vec![*only],
                _ => replies.iter().filter(|(_, l)| *l == wanted).map(|(i, _)| *i).collect(),
            };
            let [fill] = fit.as_slice() else {
                let cols: Vec<usize> = replies.iter().map(|(i, _)| *i).collect();
                let (role, flag) =
                    if open_is_ref { ("reference", "--ref-col") } else { ("generated text", "--pred-col") };
                return Ok(Resolution::Ambiguous(format!(
                    "{} could each be the {role} next to '{}'; name it with {flag}",
                    quoted(&cols),
                    names[p]
                )));
            };
            let what = if is_chat(&names[*fill]) {
                format!("the last assistant turn of '{}'", names[*fill])
            } else {
                format!("'{}'", names[*fill])
            };
            let note = if open_is_ref {
                format!("{what} is the reference because '{}' holds the generated text", names[p])
            } else {
                format!("{what} is the generated text because '{}' holds the reference", names[p])
            };
            if open_is_ref {
                (p, *fill, Some(note))
            } else {
                (*fill, p, Some(note))
            }
        }
        (None, None) => {
            let by = |l: Lean| replies.iter().filter(|(_, x)| *x == l).map(|(i, _)| *i).collect::<Vec<_>>();
            match (by(Lean::Prediction).as_slice(), by(Lean::Reference).as_slice()) {
                ([p], [r]) if replies.len() == 2 => (
                    *p,
                    *r,
                    Some(format!(
                        "'{}' is the generated text and '{}' the reference (no column is named prediction or reference)",
                        names[*p], names[*r]
                    )),
                ),
                _ if replies.is_empty() => return Ok(Resolution::Missing { pred: None, refs: None }),
                _ => {
                    let cols: Vec<usize> = replies.iter().map(|(i, _)| *i).collect();
                    return Ok(Resolution::Ambiguous(format!(
                        "{} could be the model's output or the reference, and no column is named for either",
                        quoted(&cols)
                    )));
                }
            }
        }
        (p, r) => return Ok(Resolution::Missing { pred: p, refs: r }),
    };
    let mut used: Vec<usize> = taken.iter().copied().chain([pred, refs]).collect();
    let prompt = find(names, PROMPT_NAMES, &used).map(col).or_else(|| {
        // A chat list holds the prompt too: its last user turn.
        [refs, pred].into_iter().find(|&c| is_chat(&names[c])).map(col)
    });
    used.extend(prompt.map(|p| p.column));
    Ok(Resolution::Found(GenerationColumns { pred: col(pred), refs: col(refs), prompt, note }))
}

/// The hint of an ambiguous table: the flags, with the columns there are.
pub fn ambiguity_hint(names: &[String]) -> String {
    format!(
        "name the generated text and the reference: --pred-col COLUMN --ref-col COLUMN (the columns are: {}); a reply column is read as the reference next to a prediction column and as the generated text next to a reference column",
        names.join(", ")
    )
}

/// The error of an ambiguous table.
pub fn ambiguity_error(file: &str, names: &[String], why: &str) -> InputError {
    InputError::new(file, format!("cannot tell the generated text from the reference: {why}"), ambiguity_hint(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(cols: &[&str], pred: Option<&str>, r: Option<&str>) -> std::result::Result<(String, String), String> {
        let names: Vec<String> = cols.iter().map(|s| s.to_string()).collect();
        match resolve_generation_columns("f", &names, pred, r, &[]).unwrap() {
            Resolution::Found(g) => Ok((names[g.pred.column].clone(), names[g.refs.column].clone())),
            Resolution::Ambiguous(why) => Err(why),
            Resolution::Missing { .. } => Err("missing".into()),
        }
    }

    fn ok(cols: &[&str]) -> (String, String) {
        roles(cols, None, None).unwrap_or_else(|e| panic!("{cols:?}: {e}"))
    }

    #[test]
    fn common_tool_shapes() {
        let pair = |p: &str, r: &str| (p.to_string(), r.to_string());
        assert_eq!(ok(&["prompt", "predict", "label"]), pair("predict", "label"));
        assert_eq!(ok(&["prompt", "completion", "prediction"]), pair("prediction", "completion"));
        assert_eq!(ok(&["prompt", "completion", "reference"]), pair("completion", "reference"));
        assert_eq!(ok(&["input", "output", "target"]), pair("output", "target"));
        assert_eq!(ok(&["instruction", "response", "reference"]), pair("response", "reference"));
        assert_eq!(ok(&["question", "answer", "prediction"]), pair("prediction", "answer"));
        assert_eq!(ok(&["messages", "prediction"]), pair("prediction", "messages"));
        assert_eq!(ok(&["id", "output", "answer"]), pair("output", "answer"));
        // The explicit flag takes its column; the other role is inferred around it.
        assert_eq!(roles(&["prompt", "predict", "label"], Some("predict"), None).unwrap(), pair("predict", "label"));
        assert_eq!(roles(&["prompt", "completion"], Some("completion"), None), Err("missing".into()));
        assert_eq!(
            roles(&["q", "completion", "gold_text"], Some("completion"), Some("gold_text")).unwrap(),
            pair("completion", "gold_text")
        );
    }

    #[test]
    fn ambiguous_shapes_name_the_columns() {
        for cols in [&["prompt", "completion"][..], &["instruction", "input", "output"], &["q", "output", "response"]] {
            let why = roles(cols, None, None).unwrap_err();
            assert!(why.contains("could be"), "{cols:?}: {why}");
        }
        let why = roles(&["prediction", "answer", "answers"], None, None).unwrap_err();
        assert!(why.contains("'answer', 'answers'") && why.contains("--ref-col"), "{why}");
        // Of two replies, the one leaning to the open role takes it.
        assert_eq!(ok(&["prediction", "answer", "completion"]), ("prediction".into(), "answer".into()));
        assert_eq!(roles(&["text", "score"], None, None), Err("missing".into()));
    }

    #[test]
    fn prompt_and_chat_columns() {
        let names: Vec<String> = ["messages", "predict"].iter().map(|s| s.to_string()).collect();
        let Resolution::Found(g) = resolve_generation_columns("f", &names, None, None, &[]).unwrap() else { panic!() };
        assert_eq!(
            (g.refs, g.prompt),
            (TextColumn { column: 0, chat: true }, Some(TextColumn { column: 0, chat: true }))
        );
        assert!(g.note.unwrap().contains("last assistant turn of 'messages'"));
    }
}

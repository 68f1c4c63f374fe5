//! The text tasks' side of the input flags, shared by every command that reads NER or
//! generation files: which task a file holds, and the reader and scoring options the flags ask for.

use fteval_core::evaluate::generation::script_settings;
use fteval_core::evaluate::GenerationOptions;
use fteval_core::metrics::generation::bleu::{BleuConfig, BleuTokenizer};
use fteval_core::metrics::ner::{auto_detect_scheme, evaluate_ner, NerError, NerMode, NerOptions, NerStats, Scheme};
use fteval_core::Check;
use fteval_core::Task;
use fteval_io::ner::{NerFormat, NerInput, NerReadOptions, Truncation};
use fteval_io::task::{detect_kind, FileKind};
use fteval_io::{Format, GenerationReadOptions};

use crate::cli::{BleuTokenizeArg, InputArgs, InputFormat, RougeTokenizeArg, TaskArg, TextTaskArgs};
use crate::error::CliError;

/// The tabular format `--input-format` names (None for CoNLL, which is not a table).
pub fn table_format(f: Option<InputFormat>) -> Option<Format> {
    f.and_then(|f| match f {
        InputFormat::Csv => Some(Format::Csv),
        InputFormat::Tsv => Some(Format::Tsv),
        InputFormat::Jsonl | InputFormat::Ndjson => Some(Format::Jsonl),
        InputFormat::Json => Some(Format::Json),
        InputFormat::Parquet => Some(Format::Parquet),
        InputFormat::Conll => None,
    })
}

/// The text task of `path`: `--task` when it names one, otherwise what the file looks like
/// (CoNLL or token/tag lists → NER, a reference column → generation). None: classification.
pub fn text_task(path: &str, args: &InputArgs) -> Result<Option<Task>, CliError> {
    let task = match args.task {
        Some(TaskArg::Ner) => Some(Task::Ner),
        Some(TaskArg::Generation) => Some(Task::Generation),
        Some(_) => None,
        None => {
            let conll = args.input_format == Some(InputFormat::Conll);
            let (pred, refs) = (args.pred_col.as_deref(), args.text.ref_col.as_deref());
            match detect_kind(path, table_format(args.input_format), conll, pred, refs)? {
                FileKind::Ner => Some(Task::Ner),
                FileKind::Generation => Some(Task::Generation),
                FileKind::Classification => None,
            }
        }
    };
    check_flags(task, args)?;
    Ok(task)
}

/// Text-task flags given for a task they do not apply to are a usage error, not silently ignored.
fn check_flags(task: Option<Task>, args: &InputArgs) -> Result<(), CliError> {
    let t: &TextTaskArgs = &args.text;
    let ner_flags = [
        (t.strict, "--strict"),
        (t.scheme.is_some(), "--scheme"),
        (t.allow_truncated, "--allow-truncated"),
        (t.ignore_token_mismatch, "--ignore-token-mismatch"),
    ];
    let gen_flags = [
        (t.ref_col.is_some(), "--ref-col"),
        (t.rouge_stemmer, "--rouge-stemmer"),
        (t.bleu_tokenize.is_some(), "--bleu-tokenize"),
        (t.rouge_tokenize.is_some(), "--rouge-tokenize"),
        (t.loss_col.is_some(), "--loss-col"),
        (t.token_count_col.is_some(), "--token-count-col"),
    ];
    let conll = args.input_format == Some(InputFormat::Conll);
    let (wrong, applies_to) = match task {
        Some(Task::Ner) => (gen_flags.iter().find(|(on, _)| *on), "--task generation"),
        Some(Task::Generation) => (ner_flags.iter().find(|(on, _)| *on), "--task ner"),
        _ if conll => {
            return Err(CliError::usage(
                "--input-format conll is token-level NER input",
                "add --task ner (or leave --task out)",
            ))
        }
        _ => {
            (ner_flags.iter().chain(&gen_flags).find(|(on, _)| *on), "the text tasks (--task ner or --task generation)")
        }
    };
    match wrong {
        Some((_, flag)) => Err(CliError::usage(
            format!(
                "{flag} applies to {applies_to}, but this file is evaluated as {}",
                task.map_or("classification", |t| t.as_str())
            ),
            "drop the flag, or say --task to evaluate the file as the task it is",
        )),
        None => Ok(()),
    }
}

/// The NER reader settings of the flags.
pub fn ner_read_options(args: &InputArgs) -> Result<NerReadOptions, CliError> {
    let format = match args.input_format {
        None => None,
        Some(InputFormat::Conll | InputFormat::Tsv) => Some(NerFormat::Conll),
        Some(InputFormat::Jsonl | InputFormat::Ndjson) => Some(NerFormat::Jsonl),
        Some(InputFormat::Json) => Some(NerFormat::Json),
        Some(InputFormat::Csv | InputFormat::Parquet) => {
            return Err(CliError::usage(
                "NER input must be CoNLL (one token per line) or JSON Lines/JSON with token and tag lists",
                "say --input-format conll, jsonl or json",
            ))
        }
    };
    Ok(NerReadOptions {
        gold: args.gold.clone(),
        format,
        truncation: if args.text.allow_truncated { Truncation::Prefix } else { Truncation::Error },
        ignore_token_mismatch: args.text.ignore_token_mismatch,
        tokens_col: None,
        label_col: args.label_col.clone(),
        pred_col: args.pred_col.clone(),
    })
}

/// How entities are found: seqeval's default mode, or strict mode with `--scheme` (detected
/// from the gold tags, as seqeval does, when only `--strict` is given). `--scheme` alone implies
/// `--strict`: seqeval's default mode ignores schemes.
pub fn ner_options(args: &TextTaskArgs, input: &NerInput) -> Result<NerOptions, CliError> {
    if !args.strict && args.scheme.is_none() {
        return Ok(NerOptions::default());
    }
    let scheme = match &args.scheme {
        Some(name) => Scheme::parse(name).ok_or_else(|| {
            CliError::usage(
                format!("--scheme {name}: unknown tagging scheme"),
                "one of IOB1, IOB2 (BIO), IOE1, IOE2, IOBES (BIOES), BILOU",
            )
        })?,
        None => auto_detect_scheme(&input.sequences, false).map_err(|why| {
            CliError::usage(
                format!("{}: --strict cannot tell the tagging scheme of the gold tags: {why}", input.file),
                "name it with --scheme IOB2|IOBES|BILOU|IOE2|IOB1|IOE1, or drop --strict to use seqeval's default mode",
            )
        })?,
    };
    Ok(NerOptions { mode: NerMode::Strict(scheme), suffix: false })
}

/// Finds and matches the entities of `input`; a tag strict mode refuses is exit 2 naming the
/// sentence's line.
pub fn ner_stats(input: &NerInput, options: &NerOptions) -> Result<NerStats, CliError> {
    evaluate_ner(&input.sequences, options).map_err(|e| {
        let at = match &e {
            NerError::InvalidTag { sentence, .. } | NerError::LengthMismatch { sentence, .. } => {
                input.locations.get(*sentence).map(|l| format!("{l}: "))
            }
            NerError::SentenceCountMismatch { .. } => None,
        };
        CliError::usage(
            format!("{}: {}{e}", input.file, at.unwrap_or_default()),
            "strict mode accepts only the tags of its scheme: pick the scheme the tags use with --scheme, or drop --strict to score them as seqeval's default (conlleval-compatible) mode does",
        )
    })
}

/// The generation reader settings of the flags.
pub fn generation_read_options(args: &InputArgs) -> Result<GenerationReadOptions, CliError> {
    if args.gold.is_some() {
        return Err(CliError::usage(
            "--gold is for classification labels and CoNLL gold tags; generation reads references from the predictions file",
            "put the references in a column of the predictions file (reference, references, ... or --ref-col)",
        ));
    }
    if args.input_format == Some(InputFormat::Conll) {
        return Err(CliError::usage("--input-format conll holds NER tags, not generations", "drop --task generation"));
    }
    Ok(GenerationReadOptions {
        format: table_format(args.input_format),
        id_col: args.id_col.clone(),
        pred_col: args.pred_col.clone(),
        ref_col: args.text.ref_col.clone(),
        loss_col: args.text.loss_col.clone(),
        token_count_col: args.text.token_count_col.clone(),
        drop_missing: args.drop_missing,
        other_models: Vec::new(),
    })
}

/// The generation scoring settings of the flags, with the tokenisation `references`' script
/// needs where the flags leave it open, and the check saying so (see [`script_settings`]).
pub fn generation_options(args: &TextTaskArgs, references: &[Vec<String>]) -> (GenerationOptions, Option<Check>) {
    let bleu = args.bleu_tokenize.map(|t| match t {
        BleuTokenizeArg::T13a => BleuTokenizer::T13a,
        BleuTokenizeArg::Zh => BleuTokenizer::Zh,
        BleuTokenizeArg::Char => BleuTokenizer::Char,
        BleuTokenizeArg::Intl => BleuTokenizer::Intl,
    });
    let chars = args.rouge_tokenize.map(|t| t == RougeTokenizeArg::Chars);
    let (tokenizer, rouge_chars, check) = script_settings(references, bleu, chars);
    let default = GenerationOptions::default();
    let options = GenerationOptions {
        rouge_stemmer: args.rouge_stemmer,
        rouge_chars,
        bleu: BleuConfig { tokenizer, ..default.bleu },
        ..default
    };
    (options, check)
}

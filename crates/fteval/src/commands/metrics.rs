//! `fteval metrics FILE`: one model on one test set.

use fteval_core::evaluate::generation::LossColumns;
use fteval_core::evaluate::ner::{tag_checks, truncation_check};
use fteval_core::evaluate::{evaluate_generation, evaluate_ner_metrics, GenerationEvaluation, GenerationOptions};
use fteval_core::generation_task::choose_generation_primary;
use fteval_core::metrics::generation::NRefs;
use fteval_core::metrics::ner::NerMode;
use fteval_core::state::{ClassificationState, MultilabelState, StateError};
use fteval_core::{BootstrapConfig, Check, Severity, Task};
use fteval_io::ner::read_ner;
use fteval_io::{prepare, read_generation, GenerationInput, Prepared};
use fteval_report::document::{ExampleDoc, GenerationInfoDoc, NerInfoDoc, Ordered};
use fteval_report::MetricsDocument;

use super::input::{bootstrap_config, prepare_options, read_options, read_with_gold};
use super::text_input::{
    generation_options, generation_read_options, ner_options, ner_read_options, ner_stats, text_task,
};
use crate::cli::MetricsArgs;
use crate::error::CliError;
use crate::output::Output;
use crate::paths::{self, Named};

pub fn run(args: MetricsArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    let mut inputs = vec![Named::input("FILE", &args.file)];
    inputs.extend(paths::input_flag_files(&args.input));
    paths::refuse_overwrites(&inputs, &[output.destination()])?;
    let config = bootstrap_config(&args.stats, &args.common)?;
    let doc = match text_task(&args.file, &args.input)? {
        Some(Task::Ner) => ner_document(&args, &config)?,
        Some(_) => generation_document(&args, &config)?,
        None => classification_document(&args, &config)?,
    };
    let renderer = output.renderer();
    output.write(|w| renderer.metrics(&doc, w))?;
    let failed = doc.checks.iter().any(|c| c.severity == Severity::Fail);
    Ok(if failed { 1 } else { 0 })
}

/// Binary, multiclass and multilabel files.
fn classification_document(args: &MetricsArgs, config: &BootstrapConfig) -> Result<MetricsDocument, CliError> {
    let mut input_checks = Vec::new();
    let preds = read_with_gold(&args.file, &args.input, read_options(&args.input, false, false), &mut input_checks)?;
    let source = preds.file.clone();
    let prepared = prepare(preds, &prepare_options(&args.input))?;
    input_checks.extend(prepared.checks);
    match prepared.input {
        Prepared::Classification(c) => {
            // Through the mergeable state, as Python and the engines evaluate (one path).
            let state = ClassificationState::of_input(c).map_err(|e| state_error(&source, e))?;
            MetricsDocument::of_classification(&source, &state, config, input_checks)
                .map_err(|e| state_error(&source, e))
        }
        Prepared::Multilabel(m) => {
            let mut state = MultilabelState::new();
            state.update(&m);
            drop(m);
            MetricsDocument::of_multilabel(&source, &state, config, input_checks).map_err(|e| state_error(&source, e))
        }
    }
}

/// A state error on a prepared input (a bug if it happens: the input was already validated).
fn state_error(file: &str, e: StateError) -> CliError {
    CliError::usage(format!("{file}: {e}"), "check the label and score columns")
}

/// Token-level tags scored on entities (seqeval), bootstrapped over sentences.
fn ner_document(args: &MetricsArgs, config: &BootstrapConfig) -> Result<MetricsDocument, CliError> {
    let input = read_ner(&args.file, &ner_read_options(&args.input)?)?;
    let options = ner_options(&args.input.text, &input)?;
    let stats = ner_stats(&input, &options)?;
    let eval = evaluate_ner_metrics(&stats, config);
    let mut input_checks = tag_checks(&input.sequences, &stats, options.suffix);
    if let Some(gold) = &input.gold_file {
        input_checks.push(Check::new(
            "gold_from_file",
            Severity::Info,
            format!(
                "Gold tags from {gold} ({}), predicted tags from {} ({}).",
                input.gold_source, input.file, input.pred_source
            ),
        ));
    }
    input_checks.extend(truncation_check(
        input.truncated.len(),
        input.dropped_gold_tokens,
        input.truncated.first().map(|t| t.sentence),
    ));
    let mut doc = MetricsDocument::new(&input.file, eval, input_checks);
    doc.ner = Some(NerInfoDoc {
        mode: match options.mode {
            NerMode::Default => "default",
            NerMode::Strict(_) => "strict",
        },
        scheme: match options.mode {
            NerMode::Strict(s) => Some(s.name().to_string()),
            NerMode::Default => None,
        },
        gold_file: input.gold_file.clone(),
        sentences: input.n_sentences() as u64,
        tokens: input.sequences.n_tokens() as u64,
        gold_source: input.gold_source.clone(),
        pred_source: input.pred_source.clone(),
        truncated_sentences: input.truncated.len() as u64,
        dropped_gold_tokens: input.dropped_gold_tokens as u64,
    });
    Ok(doc)
}

/// Generated text against references (and per-example losses), bootstrapped over examples.
fn generation_document(args: &MetricsArgs, config: &BootstrapConfig) -> Result<MetricsDocument, CliError> {
    let input = read_generation(&args.file, &generation_read_options(&args.input)?)?;
    let (options, script_check) = generation_options(&args.input.text, &input.references);
    let loss = input.loss.as_ref().map(|l| LossColumns {
        loss: &l.values,
        token_counts: input.token_counts.as_ref().map(|t| t.values.as_slice()),
    });
    let GenerationEvaluation { evaluation, signatures, examples } =
        evaluate_generation(&input.predictions, &input.references, loss, &options, config);
    let mut input_checks = Vec::new();
    input_checks.extend(columns_check(&input));
    input_checks.extend(script_check);
    input_checks.extend(dropped_check(&input));
    // What compare and rank would judge these outputs on, and why.
    let choice = choose_generation_primary(&input.references, input.prompts.as_deref());
    input_checks.push(Check::new(
        "primary_metric",
        Severity::Info,
        format!(
            "compare and rank judge these outputs on {} ({}): {}; --primary or --profile qa|summarization|translation chooses another.",
            choice.metric,
            choice.task.as_str(),
            choice.reason
        ),
    ));
    let mut doc = MetricsDocument::new(&input.file, evaluation, input_checks);
    doc.generation = Some(generation_info(&input, &options));
    doc.signatures = Some(Ordered(signatures));
    doc.examples = Some(
        examples
            .iter()
            .enumerate()
            .map(|(i, e)| ExampleDoc {
                id: input.id(i),
                exact_match: e.exact_match,
                token_f1: e.token_f1,
                bleu: e.bleu,
                chrf: e.chrf,
                rouge1: e.rouge1,
                rouge2: e.rouge2,
                rouge_l: e.rouge_l,
                rouge_lsum: e.rouge_lsum,
                loss: e.loss,
            })
            .collect(),
    );
    Ok(doc)
}

fn generation_info(input: &GenerationInput, options: &GenerationOptions) -> GenerationInfoDoc {
    GenerationInfoDoc {
        prediction_column: input.pred_column.clone(),
        reference_column: input.ref_column.clone(),
        id_column: input.id_column.clone(),
        references_per_example: match NRefs::from_counts(input.references.iter().map(|r| r.len())) {
            NRefs::Fixed(n) => n.to_string(),
            NRefs::Variable => "var".to_string(),
        },
        rouge_stemmer: options.rouge_stemmer,
        rouge_tokens: if options.rouge_chars { "characters" } else { "words" },
        bleu_tokenizer: options.bleu.tokenizer.name(),
        loss_column: input.loss.as_ref().map(|l| l.column.clone()),
        token_count_column: input.token_counts.as_ref().map(|t| t.column.clone()),
        dropped_rows: input.dropped as u64,
    }
}

/// `generation_columns`: which columns were read as the generated text and the reference, when a
/// reply column took its role from the others (the rule of fteval_io::generation_columns).
pub fn columns_check(input: &GenerationInput) -> Option<Check> {
    let note = input.columns_note.as_ref()?;
    Some(Check::new(
        "generation_columns",
        Severity::Info,
        format!(
            "{}: {note}; generated text '{}', reference '{}'. Name them with --pred-col and --ref-col if that is wrong.",
            input.file, input.pred_column, input.ref_column
        ),
    ))
}

/// `dropped_rows`: rows --drop-missing left out.
fn dropped_check(input: &GenerationInput) -> Option<Check> {
    let first = input.first_dropped?;
    let empty = match input.dropped_empty_references {
        0 => String::new(),
        k => format!(" ({k} of them with an empty reference)"),
    };
    Some(Check::new(
        "dropped_rows",
        Severity::Info,
        format!(
            "{} rows without a prediction or reference{empty} were left out (--drop-missing; the first at {first}); {} examples were evaluated.",
            input.dropped,
            input.len()
        ),
    ))
}

//! `fteval.metrics/v1`: one model on one test set.

use fteval_core::evaluate::{ClassRow, MetricResult};
use fteval_core::{Check, Evaluation};
use serde::Serialize;

use super::{BootstrapDoc, ConfusionDoc, Ordered, ScoreCurvesDoc, VERSION};

pub const METRICS_SCHEMA: &str = "fteval.metrics/v1";

/// `fteval.metrics/v1`.
#[derive(Clone, Debug, Serialize)]
pub struct MetricsDocument {
    pub schema: &'static str,
    pub fteval_version: &'static str,
    pub source: String,
    pub task: &'static str,
    pub n: u64,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive_label: Option<String>,
    pub metrics: Ordered<MetricResult>,
    pub per_class: Ordered<ClassRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confusion_matrix: Option<ConfusionDoc>,
    /// ROC, precision-recall and calibration, thinned for plots (when the file has scores).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_curves: Option<ScoreCurvesDoc>,
    pub bootstrap: BootstrapDoc,
    /// NER: how entities were found and what was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ner: Option<NerInfoDoc>,
    /// Generation: columns, references and scoring options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<GenerationInfoDoc>,
    /// Generation: sacreBLEU's signature of each of its scores (`bleu`, `chrf`, `chrf_pp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signatures: Option<Ordered<String>>,
    /// Generation: every example's scores, in file order, for pairing in `compare`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub examples: Option<Vec<ExampleDoc>>,
    pub checks: Vec<Check>,
}

/// What an NER evaluation read and how it found entities.
#[derive(Clone, Debug, Serialize)]
pub struct NerInfoDoc {
    /// `default` (seqeval's conlleval-compatible mode) or `strict`.
    pub mode: &'static str,
    /// The scheme of strict mode (given or detected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gold_file: Option<String>,
    pub sentences: u64,
    pub tokens: u64,
    /// Where the gold and predicted tags came from (JSON fields or CoNLL columns).
    pub gold_source: String,
    pub pred_source: String,
    /// Sentences scored on their predicted prefix (`--allow-truncated`) and the gold tokens left out.
    pub truncated_sentences: u64,
    pub dropped_gold_tokens: u64,
}

/// What a generation evaluation read and how it scored.
#[derive(Clone, Debug, Serialize)]
pub struct GenerationInfoDoc {
    pub prediction_column: String,
    pub reference_column: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_column: Option<String>,
    /// References per example: a number, or "var" when it differs between examples.
    pub references_per_example: String,
    pub rouge_stemmer: bool,
    /// What ROUGE counts: "words" (rouge-score's tokenizer) or "characters" (scripts without spaces).
    pub rouge_tokens: &'static str,
    /// sacreBLEU's tokenizer of BLEU (`13a`, `zh`, `char`, `intl`).
    pub bleu_tokenizer: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_count_column: Option<String>,
    /// Rows left out by --drop-missing.
    pub dropped_rows: u64,
}

/// One generation example's scores (SPEC scales: BLEU and chrF 0–100, the rest 0–1).
#[derive(Clone, Debug, Serialize)]
pub struct ExampleDoc {
    pub id: String,
    pub exact_match: f64,
    pub token_f1: f64,
    /// sacreBLEU's sentence BLEU (effective order).
    pub bleu: f64,
    pub chrf: f64,
    pub rouge1: f64,
    pub rouge2: f64,
    #[serde(rename = "rougeL")]
    pub rouge_l: f64,
    #[serde(rename = "rougeLsum")]
    pub rouge_lsum: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
}

impl MetricsDocument {
    /// What `fteval metrics` reports for the rows of a binary or multiclass state (the CLI's
    /// files and Python's arrays both come here): every metric with its interval, the checks,
    /// and the score curves.
    pub fn of_classification(
        source: &str,
        state: &fteval_core::state::ClassificationState,
        config: &fteval_core::BootstrapConfig,
        input_checks: Vec<Check>,
    ) -> Result<MetricsDocument, fteval_core::state::StateError> {
        let input = state.to_input()?;
        let mut doc = MetricsDocument::new(source, fteval_core::evaluate_classification(&input, config), input_checks);
        doc.score_curves = super::ScoreCurvesDoc::of(&input);
        Ok(doc)
    }

    /// What `fteval metrics` reports for the rows of a multilabel state.
    pub fn of_multilabel(
        source: &str,
        state: &fteval_core::state::MultilabelState,
        config: &fteval_core::BootstrapConfig,
        input_checks: Vec<Check>,
    ) -> Result<MetricsDocument, fteval_core::state::StateError> {
        Ok(MetricsDocument::new(source, state.finalize(config)?, input_checks))
    }

    /// The document for `eval` of `source`, with checks raised while reading the input first.
    pub fn new(source: &str, eval: Evaluation, input_checks: Vec<Check>) -> MetricsDocument {
        let mut checks = input_checks;
        checks.extend(eval.checks);
        checks.extend(super::output_capped_check(
            eval.confusion.as_ref().map(|_| eval.labels.len()),
            eval.per_class.len(),
        ));
        let checks = super::by_severity(checks);
        MetricsDocument {
            schema: METRICS_SCHEMA,
            fteval_version: VERSION,
            source: source.to_string(),
            task: eval.task.as_str(),
            n: eval.n,
            labels: eval.labels.clone(),
            positive_label: eval.positive_label,
            metrics: Ordered(eval.metrics),
            per_class: Ordered(eval.per_class.into_iter().map(|r| (r.label.clone(), r)).collect()),
            confusion_matrix: eval.confusion.map(|cm| ConfusionDoc::of(eval.labels, &cm)),
            score_curves: None,
            bootstrap: BootstrapDoc {
                resamples: eval.config.resamples,
                level: eval.config.level,
                seed: eval.config.seed,
            },
            ner: None,
            generation: None,
            signatures: None,
            examples: None,
            checks,
        }
    }
}

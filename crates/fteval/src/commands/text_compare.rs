//! `fteval compare` and `fteval rank` for the text tasks: NER models scored on the same
//! sentences, generation models on the same examples, resampled sentence by sentence or example
//! by example.

use fteval_core::compare::text::{
    compare_generation_on, compare_ner, rank_generation, rank_ner, GenerationConfigs, GenerationExamples, TextOptions,
};
use fteval_core::compare::{verdict, Verdict};
use fteval_core::evaluate::generation::GENERATION_METRIC_KEYS;
use fteval_core::evaluate::generation::{generation_signatures, generation_stats, LossColumns};
use fteval_core::evaluate::ner::tag_checks;
use fteval_core::evaluate::GenerationOptions;
use fteval_core::generation_task::choose_generation_primary;
use fteval_core::metric_names::resolve_metric;
use fteval_core::metrics::ner::NerStats;
use fteval_core::{BootstrapConfig, Check, Severity, Task};
use fteval_io::ner::{read_ner, NerInput};
use fteval_io::{read_generation, GenerationInput, GenerationReadOptions};
use fteval_report::document::{
    FlipTexts, ProfileDoc, TextCompareContext, TextCompareDocument, TextRankDocument, VerdictDoc,
};

use super::compare::{find_delta, gates, verdict_summary};
use super::settings::Judge;
use super::text_input::{generation_options, generation_read_options, ner_options, ner_read_options, ner_stats};
use crate::cli::InputArgs;
use crate::error::CliError;

/// The files of several models of one text task, read and scored on the same examples.
enum Models {
    Ner {
        inputs: Vec<NerInput>,
        stats: Vec<NerStats>,
    },
    Generation {
        inputs: Vec<GenerationInput>,
        examples: Vec<GenerationExamples>,
        options: GenerationOptions,
        /// The tokenisation the references' script asked for (scripts without spaces).
        script_check: Option<Check>,
    },
}

impl Models {
    fn sources(&self) -> Vec<String> {
        match self {
            Models::Ner { inputs, .. } => inputs.iter().map(|i| i.file.clone()).collect(),
            Models::Generation { inputs, .. } => inputs.iter().map(|i| i.file.clone()).collect(),
        }
    }

    /// Entity types (NER), sorted and deduplicated over the models.
    fn labels(&self) -> Vec<String> {
        match self {
            Models::Ner { stats, .. } => {
                let mut t: Vec<String> = stats.iter().flat_map(|s| s.types.iter().cloned()).collect();
                t.sort();
                t.dedup();
                t
            }
            Models::Generation { .. } => Vec::new(),
        }
    }

    /// What the readers decided that the report should say: how generation columns were read.
    fn input_checks(&self) -> Vec<Check> {
        match self {
            Models::Ner { .. } => Vec::new(),
            Models::Generation { inputs, script_check, .. } => {
                let columns = inputs.iter().filter_map(super::metrics::columns_check);
                columns.chain(script_check.iter().cloned()).collect()
            }
        }
    }

    /// The primary metric (and, when the data chose it, the check saying why).
    fn primary(&self, task: Task, judge: &Judge) -> (String, Option<Check>) {
        match self {
            Models::Ner { .. } => (judge.primary(task), None),
            Models::Generation { inputs, .. } => {
                let choice = choose_generation_primary(&inputs[0].references, inputs[0].prompts.as_deref());
                let (name, check) = judge.generation_primary(&choice);
                // The key as the report spells it, so the flips follow it too (`ROUGEL` is `rougeL`).
                let keys = GENERATION_METRIC_KEYS.iter().copied().chain(["loss", "perplexity"]);
                (resolve_metric(keys, &name).map_or(name.clone(), str::to_string), check)
            }
        }
    }

    fn signatures(&self) -> Vec<(String, String)> {
        match self {
            Models::Ner { .. } => Vec::new(),
            Models::Generation { inputs, options, .. } => generation_signatures(&inputs[0].references, options),
        }
    }
}

/// Reads every model's file as `task`, checks that they cover the same examples with the same
/// gold, and computes each model's per-example statistics. `pred_cols` (generation) names each
/// model's prediction column, for several models in one file.
fn read_models(
    task: Task,
    files: &[String],
    args: &InputArgs,
    pred_cols: &[Option<String>],
) -> Result<Models, CliError> {
    match task {
        Task::Ner => {
            let opts = ner_read_options(args)?;
            let inputs = files.iter().map(|f| read_ner(f, &opts)).collect::<Result<Vec<_>, _>>()?;
            for other in &inputs[1..] {
                same_gold_tags(&inputs[0], other)?;
            }
            // One entity-finding mode for all: the scheme strict mode detects is the first file's.
            let options = ner_options(&args.text, &inputs[0])?;
            let stats = inputs.iter().map(|i| ner_stats(i, &options)).collect::<Result<Vec<_>, _>>()?;
            Ok(Models::Ner { inputs, stats })
        }
        _ => {
            let opts = generation_read_options(args)?;
            let read = |(i, f): (usize, &String)| match pred_cols.get(i).cloned().flatten() {
                Some(col) => {
                    let others = pred_cols.iter().flatten().filter(|c| **c != col).cloned().collect();
                    let one =
                        GenerationReadOptions { pred_col: Some(col.clone()), other_models: others, ..opts.clone() };
                    let mut g = read_generation(f, &one)?;
                    g.file = format!("{}:{col}", g.file);
                    Ok(g)
                }
                None => read_generation(f, &opts),
            };
            let mut inputs = files.iter().enumerate().map(read).collect::<Result<Vec<_>, fteval_io::InputError>>()?;
            align_generation(&mut inputs)?;
            let (options, script_check) = generation_options(&args.text, &inputs[0].references);
            let examples = inputs.iter().map(|i| generation_examples(i, &options)).collect();
            Ok(Models::Generation { inputs, examples, options, script_check })
        }
    }
}

/// Exit 2 unless `b` has the sentences, token counts and gold tags of `a`.
fn same_gold_tags(a: &NerInput, b: &NerInput) -> Result<(), CliError> {
    let hint = "compare models on the same test sentences: both files need the same sentences in the same order with the same gold tags";
    if a.n_sentences() != b.n_sentences() {
        return Err(CliError::usage(
            format!("{} has {} sentences but {} has {}", a.file, a.n_sentences(), b.file, b.n_sentences()),
            hint,
        ));
    }
    let (va, vb) = (&a.sequences.vocab, &b.sequences.vocab);
    for s in 0..a.n_sentences() {
        let (ga, gb) = (a.sequences.gold(s), b.sequences.gold(s));
        let same = ga.len() == gb.len() && ga.iter().zip(gb).all(|(&x, &y)| va.name(x) == vb.name(y));
        if !same {
            return Err(CliError::usage(
                format!(
                    "sentence {} ({}) has different gold tags in {} ({}) and {} ({})",
                    s + 1,
                    a.sentence_preview(s, 6),
                    a.file,
                    a.locations.get(s).map(|l| l.to_string()).unwrap_or_default(),
                    b.file,
                    b.locations.get(s).map(|l| l.to_string()).unwrap_or_default(),
                ),
                hint,
            ));
        }
    }
    Ok(())
}

/// Puts every model's examples in the first file's order: joined on id when every file has
/// ids, else by position (the counts must match). The references must agree.
fn align_generation(inputs: &mut [GenerationInput]) -> Result<(), CliError> {
    let first = &inputs[0];
    let n = first.len();
    let order: Vec<Option<Vec<usize>>> = match &first.ids {
        Some(ids) if inputs.iter().all(|i| i.ids.is_some()) => {
            let mut out = Vec::new();
            for other in inputs.iter() {
                let theirs = other.ids.as_ref().expect("ids checked");
                let pos: std::collections::HashMap<&str, usize> =
                    theirs.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
                if pos.len() != theirs.len() {
                    return Err(CliError::usage(
                        format!("{}: some ids occur more than once", other.file),
                        "each example needs a unique id to be paired across models",
                    ));
                }
                let mut idx = Vec::with_capacity(n);
                for id in ids {
                    match pos.get(id.as_str()) {
                        Some(&i) => idx.push(i),
                        None => {
                            return Err(CliError::usage(
                                format!("id {id} of {} is missing from {}", first.file, other.file),
                                "compare models on the same examples: every id must be in every file",
                            ))
                        }
                    }
                }
                if theirs.len() != n {
                    return Err(CliError::usage(
                        format!("{} has {} examples but {} has {}", first.file, n, other.file, theirs.len()),
                        "compare models on the same examples: every id must be in every file",
                    ));
                }
                out.push(Some(idx));
            }
            out
        }
        _ => {
            if let Some(other) = inputs.iter().find(|i| i.len() != n) {
                return Err(CliError::usage(
                    format!("{} has {} examples but {} has {}", first.file, n, other.file, other.len()),
                    "without an id column the files are paired row by row; give them the same rows or an id column",
                ));
            }
            vec![None; inputs.len()]
        }
    };
    for (input, idx) in inputs.iter_mut().zip(order) {
        if let Some(idx) = idx {
            reorder(input, &idx);
        }
    }
    let first = &inputs[0];
    for other in &inputs[1..] {
        if let Some(i) = (0..n).find(|&i| first.references[i] != other.references[i]) {
            return Err(CliError::usage(
                format!(
                    "example {} has different references in {} ({}) and {} ({})",
                    first.id(i),
                    first.file,
                    first.locations.get(i).map(|l| l.to_string()).unwrap_or_default(),
                    other.file,
                    other.locations.get(i).map(|l| l.to_string()).unwrap_or_default(),
                ),
                "compare models on the same test set: the references must be the same in every file",
            ));
        }
    }
    Ok(())
}

fn reorder(input: &mut GenerationInput, idx: &[usize]) {
    fn pick<T: Clone>(v: &[T], idx: &[usize]) -> Vec<T> {
        idx.iter().map(|&i| v[i].clone()).collect()
    }
    input.predictions = pick(&input.predictions, idx);
    input.references = pick(&input.references, idx);
    input.locations = pick(&input.locations, idx);
    input.ids = input.ids.as_ref().map(|v| pick(v, idx));
    if let Some(l) = input.loss.as_mut() {
        l.values = pick(&l.values, idx);
    }
    if let Some(t) = input.token_counts.as_mut() {
        t.values = pick(&t.values, idx);
    }
}

/// One model's per-example statistics for the paired comparison.
fn generation_examples(input: &GenerationInput, options: &GenerationOptions) -> GenerationExamples {
    let loss = input.loss.as_ref().map(|l| LossColumns {
        loss: &l.values,
        token_counts: input.token_counts.as_ref().map(|t| t.values.as_slice()),
    });
    let stats = generation_stats(&input.predictions, &input.references, loss, options);
    let column = |k: usize| stats.iter().map(|s| s.3 .0[k]).collect::<Vec<f64>>();
    let mut means: Vec<(String, Vec<f64>)> = ["exact_match", "token_f1", "rouge1", "rouge2", "rougeL", "rougeLsum"]
        .iter()
        .enumerate()
        .map(|(k, key)| (key.to_string(), column(k)))
        .collect();
    let mut tokens = None;
    if input.loss.is_some() {
        means.push(("loss".into(), column(6)));
        if input.token_counts.is_some() {
            tokens = Some(column(8));
        }
    }
    GenerationExamples {
        bleu: Some(stats.iter().map(|s| s.0).collect()),
        chrf: Some(stats.iter().map(|s| s.1).collect()),
        chrf_pp: Some(stats.iter().map(|s| s.2).collect()),
        means,
        tokens,
    }
}

/// The BLEU and chrF settings the statistics were computed with.
fn configs(options: &GenerationOptions) -> GenerationConfigs {
    GenerationConfigs { bleu: options.bleu, chrf: options.chrf, chrf_pp: options.chrf_pp }
}

fn options(config: &BootstrapConfig, examples: usize) -> TextOptions {
    TextOptions { bootstrap: *config, max_examples: examples, ..TextOptions::default() }
}

fn profile_doc(judge: &Judge, task: Task) -> Option<ProfileDoc> {
    judge.profile.map(|p| ProfileDoc {
        name: p.as_str(),
        primary_metric: p.primary_metric(task),
        rationale: p.rationale(),
    })
}

/// The two models of a comparison: two files, or one generation file with a column per model.
pub enum ModelFiles<'a> {
    Two { baseline: &'a str, candidate: &'a str },
    OneFile { file: &'a str, baseline_col: &'a str, candidate_col: &'a str },
}

/// `fteval compare` of two text-task models.
pub fn compare(
    task: Task,
    models: ModelFiles,
    args: &InputArgs,
    config: &BootstrapConfig,
    judge: &Judge,
    examples: usize,
) -> Result<TextCompareDocument, CliError> {
    if judge.cost.is_some() || judge.min_recall.is_some() || judge.min_precision.is_some() {
        return Err(CliError::usage(
            "--cost, --min-recall and --min-precision need a binary classifier with scores",
            "for NER and generation, judge on a metric: --primary KEY, --require KEY>=X, --max-regression KEY=D",
        ));
    }
    let (files, pred_cols) = match models {
        ModelFiles::Two { baseline, candidate } => ([baseline.to_string(), candidate.to_string()], vec![None, None]),
        ModelFiles::OneFile { file, baseline_col, candidate_col } => {
            if task != Task::Generation {
                return Err(CliError::usage(
                    "--baseline-col/--candidate-col: one file with a column per model is not supported for NER",
                    "give the two models' files: fteval compare BASELINE CANDIDATE",
                ));
            }
            (
                [file.to_string(), file.to_string()],
                vec![Some(baseline_col.to_string()), Some(candidate_col.to_string())],
            )
        }
    };
    judge.check_profile(task)?;
    let models = read_models(task, &files, args, &pred_cols)?;
    let (primary, primary_check) = models.primary(task, judge);
    let opts = options(config, examples);
    let cmp = match &models {
        Models::Ner { stats, .. } => compare_ner(&stats[0], &stats[1], &opts),
        Models::Generation { examples, options, .. } => {
            compare_generation_on(&examples[0], &examples[1], &configs(options), &opts, Some(&primary))
        }
    };
    let d = find_delta(&cmp.deltas, &primary, judge.primary_origin())?;
    let primary = d.key.clone();
    let (v, mde) = verdict(d, judge.margin, config.level);
    let summary = verdict_summary(v, d, judge.margin, mde, config.level, cmp.n as u64);
    let gates = gates(&cmp.deltas, judge)?;
    let mut checks: Vec<Check> = judge.note.iter().cloned().chain(primary_check).collect();
    if let Models::Ner { inputs, stats } = &models {
        for (input, s) in inputs.iter().zip(stats) {
            checks.extend(tag_checks(&input.sequences, s, false).iter().map(|c| c.about(&input.file)));
        }
    }
    checks.extend(models.input_checks());
    if v == Verdict::Inconclusive && config.resamples == 0 {
        checks.push(Check::new("no_intervals", Severity::Info, "--bootstrap 0: no intervals, so no verdict."));
    }
    let sources = models.sources();
    let preview;
    let (ids, texts) = match &models {
        Models::Ner { inputs, .. } => {
            let first = &inputs[0];
            preview = move |s: usize| first.sentence_preview(s, 12);
            (None, FlipTexts::Ner(&preview))
        }
        Models::Generation { inputs, .. } => (
            inputs[0].ids.as_deref(),
            FlipTexts::Generation {
                baseline: &inputs[0].predictions,
                candidate: &inputs[1].predictions,
                references: &inputs[0].references,
            },
        ),
    };
    let ctx = TextCompareContext {
        baseline_source: sources[0].clone(),
        candidate_source: sources[1].clone(),
        labels: models.labels(),
        primary: primary.clone(),
        verdict: Some(v),
        verdict_detail: Some(VerdictDoc {
            metric: primary,
            margin: judge.margin,
            minimum_detectable_effect: mde,
            summary,
        }),
        profile: profile_doc(judge, task),
        gates,
        checks,
        ids,
        texts,
        signatures: models.signatures(),
    };
    Ok(TextCompareDocument::new(&cmp, ctx))
}

/// `fteval rank` of several text-task files.
pub fn rank(
    task: Task,
    files: &[String],
    args: &InputArgs,
    config: &BootstrapConfig,
    judge: &Judge,
) -> Result<TextRankDocument, CliError> {
    judge.check_profile(task)?;
    let models = read_models(task, files, args, &[])?;
    let (primary, primary_check) = models.primary(task, judge);
    let opts = options(config, 10);
    let ranking = match &models {
        Models::Ner { stats, .. } => rank_ner(&stats.iter().collect::<Vec<_>>(), &primary, &opts),
        Models::Generation { examples, options, .. } => {
            rank_generation(&examples.iter().collect::<Vec<_>>(), &primary, &configs(options), &opts)
        }
    }
    .map_err(|e| CliError::usage(format!("{}: {e}", judge.primary_said(&primary)), "name a metric every model has"))?;
    let mut checks: Vec<Check> = judge.note.iter().cloned().chain(primary_check).collect();
    checks.extend(models.input_checks());
    Ok(TextRankDocument::new(
        &ranking,
        &models.sources(),
        models.labels(),
        profile_doc(judge, task),
        &models.signatures(),
        checks,
    ))
}

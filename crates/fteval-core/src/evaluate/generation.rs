//! Generation evaluation: SQuAD exact match and token F1, sacreBLEU corpus BLEU, chrF and chrF++,
//! rouge-score ROUGE-1/2/L/Lsum (means over examples), and mean loss / perplexity when the file
//! has per-example losses — each with a percentile-bootstrap interval over *examples*.
//!
//! Every example is reduced once to [`ExampleStats`] (its n-gram counts and per-example scores);
//! the corpus values and every bootstrap resample are sums of those ([`CorpusStats`]) followed by
//! one `stats → score` call ([`corpus_statistics`]). `compare` can pair two systems by resampling
//! the same example indices of both statistic vectors.

use rayon::prelude::*;

use super::intervals::end_bound;
use super::{ci_method, unreliable_check, Evaluation, MetricResult};
use crate::checks::{Check, Severity};
use crate::data::Task;
use crate::metrics::generation::bleu::{bleu_score, bleu_signature, bleu_stats, BleuConfig, BleuStats, BleuTokenizer};
use crate::metrics::generation::chrf::{chrf_score, chrf_signature, chrf_stats_for, ChrfConfig, ChrfStats};
use crate::metrics::generation::resample::bootstrap_sums;
use crate::metrics::generation::rouge::{rouge_scores, rouge_scores_chars};
use crate::metrics::generation::script::{dominant_script, script_counts, unspaced_share, Script};
use crate::metrics::generation::squad::squad_scores;
use crate::metrics::generation::{sum_all, NRefs, Sums};
use crate::stats::bootstrap::{percentile_interval, replicates_constant, BootstrapConfig};
use crate::stats::proportion::wilson;

/// The metric keys without losses, in report order (SPEC's generation row).
pub const GENERATION_METRIC_KEYS: &[&str] =
    &["exact_match", "token_f1", "bleu", "chrf", "chrf_pp", "rouge1", "rouge2", "rougeL", "rougeLsum"];

/// Positions in [`Sums`] of the per-example means, then the loss sums.
const EM: usize = 0;
const F1: usize = 1;
const R1: usize = 2;
const R2: usize = 3;
const RL: usize = 4;
const RLSUM: usize = 5;
const LOSS: usize = 6;
const LOSS_X_TOKENS: usize = 7;
const TOKENS: usize = 8;
/// Position of `exact_match` in [`GENERATION_METRIC_KEYS`].
const EM_KEY: usize = 0;
/// Examples below which the example bootstrap is too coarse to describe the uncertainty.
const SMALL_SAMPLE: u64 = 30;
/// Values per example that add up: six means and three loss sums.
pub const N_SUMS: usize = 9;

/// How generations are scored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GenerationOptions {
    /// rouge-score's `use_stemmer` (NLTK's Porter stemmer).
    pub rouge_stemmer: bool,
    /// ROUGE on characters ([`rouge_scores_chars`]) instead of rouge-score's words: for scripts
    /// written without spaces.
    pub rouge_chars: bool,
    pub bleu: BleuConfig,
    pub chrf: ChrfConfig,
    pub chrf_pp: ChrfConfig,
}

impl Default for GenerationOptions {
    fn default() -> Self {
        GenerationOptions {
            rouge_stemmer: false,
            rouge_chars: false,
            bleu: BleuConfig::default(),
            chrf: ChrfConfig::chrf(),
            chrf_pp: ChrfConfig::chrf_pp(),
        }
    }
}

/// Per-example loss (mean negative log-likelihood per token) and, for perplexity, the number of
/// tokens it was averaged over.
#[derive(Clone, Copy, Debug)]
pub struct LossColumns<'a> {
    pub loss: &'a [f64],
    pub token_counts: Option<&'a [f64]>,
}

/// One example's statistics: BLEU and chrF counts, and the values whose corpus value is a mean.
pub type ExampleStats = (BleuStats, ChrfStats, ChrfStats, Sums<N_SUMS>);
/// The sum of [`ExampleStats`] over a corpus or a resample.
pub type CorpusStats = ExampleStats;

/// One example's scores as the JSON lists them (on SPEC's scales).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExampleScores {
    pub exact_match: f64,
    pub token_f1: f64,
    /// sacreBLEU's `sentence_bleu` (effective order, exp smoothing), 0–100.
    pub bleu: f64,
    /// sacreBLEU's `sentence_chrf`, 0–100.
    pub chrf: f64,
    pub rouge1: f64,
    pub rouge2: f64,
    pub rouge_l: f64,
    pub rouge_lsum: f64,
    pub loss: Option<f64>,
}

/// A generation evaluation: the metrics document's evaluation, the sacreBLEU signatures
/// (`bleu`, `chrf`, `chrf_pp`) and every example's scores.
#[derive(Clone, Debug)]
pub struct GenerationEvaluation {
    pub evaluation: Evaluation,
    pub signatures: Vec<(String, String)>,
    pub examples: Vec<ExampleScores>,
}

/// The statistics of one example: `prediction` against its `references`; `loss` is
/// (loss, tokens) when known (tokens 1 without a token count).
/// sacreBLEU's signatures of `bleu`, `chrf` and `chrf_pp` for these references and settings.
pub fn generation_signatures(references: &[Vec<String>], options: &GenerationOptions) -> Vec<(String, String)> {
    let nrefs = NRefs::from_counts(references.iter().map(|r| r.len()));
    vec![
        ("bleu".to_string(), bleu_signature(nrefs, &options.bleu)),
        ("chrf".to_string(), chrf_signature(nrefs, &options.chrf)),
        ("chrf_pp".to_string(), chrf_signature(nrefs, &options.chrf_pp)),
    ]
}

pub fn example_stats<S: AsRef<str>>(
    prediction: &str,
    references: &[S],
    loss: Option<(f64, f64)>,
    options: &GenerationOptions,
) -> ExampleStats {
    let squad = squad_scores(prediction, references);
    let rouge = if options.rouge_chars {
        rouge_scores_chars(prediction, references)
    } else {
        rouge_scores(prediction, references, options.rouge_stemmer)
    };
    let bleu = bleu_stats(prediction, references, &options.bleu);
    let chrf = chrf_stats_for(prediction, references, &[options.chrf, options.chrf_pp]);
    let mut sums = [0.0; N_SUMS];
    sums[EM] = squad.exact_match;
    sums[F1] = squad.token_f1;
    sums[R1] = rouge.rouge1.fmeasure;
    sums[R2] = rouge.rouge2.fmeasure;
    sums[RL] = rouge.rouge_l.fmeasure;
    sums[RLSUM] = rouge.rouge_lsum.fmeasure;
    if let Some((l, t)) = loss {
        sums[LOSS] = l;
        sums[LOSS_X_TOKENS] = l * t;
        sums[TOKENS] = t;
    }
    (bleu, chrf[0], chrf[1], Sums(sums))
}

/// [`example_stats`] of every example, in parallel (order kept).
pub fn generation_stats(
    predictions: &[String],
    references: &[Vec<String>],
    loss: Option<LossColumns>,
    options: &GenerationOptions,
) -> Vec<ExampleStats> {
    assert_eq!(predictions.len(), references.len(), "one reference list per prediction");
    (0..predictions.len())
        .into_par_iter()
        .map(|i| {
            let l = loss.map(|c| (c.loss[i], c.token_counts.map_or(1.0, |t| t[i])));
            example_stats(&predictions[i], &references[i], l, options)
        })
        .collect()
}

/// The corpus values of summed statistics over `n` examples, in [`GENERATION_METRIC_KEYS`]
/// order, then `loss` and `perplexity` (NaN where not computed).
pub fn corpus_statistics(stats: &CorpusStats, n: usize, options: &GenerationOptions) -> [f64; 11] {
    let (bleu, chrf, chrf_pp, Sums(s)) = stats;
    let mean = |x: f64| if n == 0 { f64::NAN } else { x / n as f64 };
    [
        mean(s[EM]),
        mean(s[F1]),
        bleu_score(bleu, &options.bleu).score,
        chrf_score(chrf, &options.chrf),
        chrf_score(chrf_pp, &options.chrf_pp),
        mean(s[R1]),
        mean(s[R2]),
        mean(s[RL]),
        mean(s[RLSUM]),
        mean(s[LOSS]),
        if s[TOKENS] > 0.0 { (s[LOSS_X_TOKENS] / s[TOKENS]).exp() } else { f64::NAN },
    ]
}

/// The scores of one example as listed in the JSON.
fn example_scores(stats: &ExampleStats, has_loss: bool, options: &GenerationOptions) -> ExampleScores {
    let (bleu, chrf, _, Sums(s)) = stats;
    let sentence_bleu = BleuConfig { effective_order: true, ..options.bleu };
    ExampleScores {
        exact_match: s[EM],
        token_f1: s[F1],
        bleu: bleu_score(bleu, &sentence_bleu).score,
        chrf: chrf_score(chrf, &options.chrf),
        rouge1: s[R1],
        rouge2: s[R2],
        rouge_l: s[RL],
        rouge_lsum: s[RLSUM],
        loss: has_loss.then_some(s[LOSS]),
    }
}

/// Evaluates generations against references (and per-example losses when given).
pub fn evaluate_generation(
    predictions: &[String],
    references: &[Vec<String>],
    loss: Option<LossColumns>,
    options: &GenerationOptions,
    config: &BootstrapConfig,
) -> GenerationEvaluation {
    let n = predictions.len();
    let stats = generation_stats(predictions, references, loss, options);
    let point = corpus_statistics(&sum_all(&stats), n, options);
    let n_keys = GENERATION_METRIC_KEYS.len()
        + match loss {
            Some(LossColumns { token_counts: Some(_), .. }) => 2,
            Some(_) => 1,
            None => 0,
        };
    let mut reps: Vec<Vec<f64>> = vec![Vec::new(); n_keys];
    if config.resamples > 0 && n > 0 {
        for s in bootstrap_sums(&stats, config.resamples, config.seed) {
            let v = corpus_statistics(&s, n, options);
            for (r, x) in reps.iter_mut().zip(v) {
                r.push(x);
            }
        }
    }
    let keys = GENERATION_METRIC_KEYS.iter().copied().chain(["loss", "perplexity"]).take(n_keys);
    // Exact match is a plain proportion of examples: Wilson's interval.
    let em_hits = stats.iter().map(|(_, _, _, Sums(s))| s[EM]).sum::<f64>();
    let em_is_count = stats.iter().all(|(_, _, _, Sums(s))| s[EM] == 0.0 || s[EM] == 1.0);
    let cause = if n == 1 { "there is a single example" } else { "every example gives the same value" };
    let mut degenerate: Vec<(String, &str, bool)> = Vec::new();
    let metrics: Vec<(String, MetricResult)> = keys
        .zip(reps.iter_mut())
        .enumerate()
        .map(|(j, (key, r))| {
            let result = if point[j].is_nan() {
                MetricResult::undefined("no examples")
            } else if j == EM_KEY && em_is_count && config.resamples > 0 {
                let iv = wilson(em_hits.round() as u64, n as u64, config.level);
                MetricResult::point(point[j]).with_interval(iv, ci_method::WILSON)
            } else if r.is_empty() {
                MetricResult::point(point[j])
            } else if n == 1 || replicates_constant(r) {
                // No bootstrap width: at 0 or the maximum a Wilson bound over the examples.
                let scale = if matches!(key, "bleu" | "chrf" | "chrf_pp") { 100.0 } else { 1.0 };
                let bound = if key == "loss" || key == "perplexity" || n == 1 {
                    None
                } else {
                    end_bound(point[j], n as u64, scale, config.level)
                };
                degenerate.push((key.to_string(), cause, bound.is_some()));
                let mut m = MetricResult::point(point[j]).with_interval(bound, ci_method::CHANGED_ROWS_BOUND);
                if bound.is_none() {
                    m.reason = Some(format!("no interval: {cause}"));
                }
                m.unreliable = Some(format!("the example bootstrap cannot vary: {cause}"));
                m
            } else {
                let p = percentile_interval(r, config.level, point[j]);
                MetricResult::point(point[j]).with_interval(p.interval, ci_method::BOOTSTRAP)
            };
            (key.to_string(), result)
        })
        .collect();

    let signatures = generation_signatures(references, options);
    let examples: Vec<ExampleScores> = stats.iter().map(|s| example_scores(s, loss.is_some(), options)).collect();
    let mut checks = generation_checks(predictions, references);
    if config.resamples > 0 {
        checks.extend(crate::checks::small_sample(n as u64, "examples", SMALL_SAMPLE));
        checks.extend(crate::checks::degenerate_interval(&degenerate, "examples"));
        checks.extend(unreliable_check(&metrics));
    }
    GenerationEvaluation {
        evaluation: Evaluation {
            task: Task::Generation,
            n: n as u64,
            labels: Vec::new(),
            positive_label: None,
            metrics,
            per_class: Vec::new(),
            confusion: None,
            checks,
            config: *config,
        },
        signatures,
        examples,
    }
}

/// Share of reference letters in scripts without spaces from which a test set is such text.
pub const UNSPACED_SHARE: f64 = 0.5;

/// The tokenisation for `references`' script, and the check saying so: for text mostly in a
/// script without spaces (Chinese, Japanese, Thai, ...), BLEU uses sacreBLEU's `zh` tokenizer
/// (Chinese) or `char` (the others) and ROUGE counts characters, unless `bleu`/`rouge_chars` say
/// otherwise — then the check warns that words cannot be found there. Other text keeps 13a and
/// rouge-score's words (or what was asked) and gets no check.
pub fn script_settings(
    references: &[Vec<String>],
    bleu: Option<BleuTokenizer>,
    rouge_chars: Option<bool>,
) -> (BleuTokenizer, bool, Option<Check>) {
    let texts = || references.iter().flat_map(|r| r.iter().map(String::as_str));
    let share = unspaced_share(texts());
    if share < UNSPACED_SHARE {
        return (bleu.unwrap_or_default(), rouge_chars.unwrap_or(false), None);
    }
    let counts = script_counts(texts());
    let letters: usize = counts.iter().map(|c| c.1).sum();
    let kana = counts.iter().find(|c| c.0 == Script::Kana).map_or(0, |c| c.1);
    // Japanese mixes kanji with kana: 10% kana makes it Japanese, which sacreBLEU tokenises with
    // MeCab (not available here): characters instead.
    let (name, auto) = match dominant_script(texts()) {
        Some((Script::Han, _)) if (kana as f64) < 0.1 * letters as f64 => ("Chinese", BleuTokenizer::Zh),
        Some((Script::Han | Script::Kana, _)) => ("Japanese", BleuTokenizer::Char),
        Some((s, _)) if s.unspaced() => (s.name(), BleuTokenizer::Char),
        _ => ("a script without spaces", BleuTokenizer::Char),
    };
    let tok = bleu.unwrap_or(auto);
    let chars = rouge_chars.unwrap_or(true);
    let pct = format!("{:.0}%", 100.0 * share);
    let message = if tok == BleuTokenizer::T13a || !chars {
        format!(
            "The references are mostly {name} ({pct} of letters in scripts written without spaces), but {}: they find almost no words in such text and score it near 0. Use --bleu-tokenize {} and --rouge-tokenize chars.",
            match (tok == BleuTokenizer::T13a, !chars) {
                (true, true) => "BLEU uses the 13a tokenizer and ROUGE rouge-score's words",
                (true, false) => "BLEU uses the 13a tokenizer",
                _ => "ROUGE uses rouge-score's words (ASCII letters and digits only)",
            },
            auto.name()
        )
    } else {
        format!(
            "The references are mostly {name} ({pct} of letters in scripts written without spaces), where BLEU's 13a tokenizer and rouge-score's tokenizer (ASCII letters and digits only) find almost no words: BLEU uses sacreBLEU's {} tokenizer (signature tok:{}) and ROUGE counts characters. Exact match and token F1 compare whole answers (SQuAD's normalisation splits on spaces only). --bleu-tokenize and --rouge-tokenize choose others.",
            tok.name(),
            tok.name()
        )
    };
    (tok, chars, Some(Check::new("unspaced_script", Severity::Warn, message)))
}

/// Share of examples one prediction may take before the outputs count as collapsed.
const COLLAPSE_SHARE: f64 = 0.5;

/// Checks of a generation test set: empty outputs, empty references, one output for most inputs.
fn generation_checks(predictions: &[String], references: &[Vec<String>]) -> Vec<Check> {
    let mut out = Vec::new();
    let n = predictions.len();
    let empty_ref = |i: usize| references[i].iter().all(|r| r.trim().is_empty());
    let empty_pred = |i: usize| predictions[i].trim().is_empty();
    // Only an empty output against a real reference scores 0 everywhere; against an empty
    // reference it is an exact match, reported with the empty references.
    let empty: Vec<usize> = (0..n).filter(|&i| empty_pred(i) && !empty_ref(i)).collect();
    if let Some(&first) = empty.first() {
        out.push(Check::new(
            "empty_predictions",
            Severity::Warn,
            format!(
                "{} of {n} predictions are empty (first: example {}) while their references are not; they score 0 on every metric. Check generation settings (max_new_tokens, stop sequences) and that the prediction column is the generated text.",
                empty.len(),
                first + 1
            ),
        ));
    }
    let no_ref: Vec<usize> = (0..n).filter(|&i| empty_ref(i)).collect();
    if let Some(&first) = no_ref.first() {
        let both = no_ref.iter().filter(|&&i| empty_pred(i)).count();
        let effect = if both > 0 {
            format!(
                "{both} of them have an empty prediction too, which scores exact match and token F1 1: they add {:.4} to both, though nothing was generated",
                both as f64 / n as f64
            )
        } else {
            "a non-empty prediction scores 0 against them".to_string()
        };
        out.push(Check::new(
            "empty_references",
            Severity::Warn,
            format!(
                "{} of {n} references are empty (first: example {}); {effect}. An empty reference is usually a missing label: fill it, or leave such rows out with --drop-missing.",
                no_ref.len(),
                first + 1
            ),
        ));
    }
    if n >= 10 {
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for p in predictions {
            *counts.entry(p.trim()).or_default() += 1;
        }
        let (top, c) = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).unwrap_or(("", 0));
        let distinct_refs: std::collections::HashSet<&str> =
            references.iter().filter_map(|r| r.first()).map(|r| r.trim()).collect();
        if !top.is_empty() && c as f64 / n as f64 >= COLLAPSE_SHARE && distinct_refs.len() > 1 {
            let shown: String = top.chars().take(60).collect();
            out.push(Check::new(
                "collapsed_predictions",
                Severity::Warn,
                format!(
                    "The model outputs the same text for {c} of {n} examples ('{shown}{}') while the references differ: generation has collapsed. Check decoding settings and whether training converged.",
                    if top.chars().count() > 60 { "…" } else { "" }
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric<'a>(e: &'a Evaluation, key: &str) -> &'a MetricResult {
        &e.metrics.iter().find(|(k, _)| k == key).unwrap().1
    }

    #[test]
    fn perfect_generations_score_the_maximum_and_losses_give_perplexity() {
        let preds: Vec<String> = ["the cat sat", "a dog barked loudly", "hello world"].map(String::from).to_vec();
        let refs: Vec<Vec<String>> = preds.iter().map(|p| vec![p.clone()]).collect();
        let loss = [1.0, 2.0, 3.0];
        let tokens = [1.0, 1.0, 2.0];
        let cols = LossColumns { loss: &loss, token_counts: Some(&tokens) };
        let cfg = BootstrapConfig { resamples: 100, level: 0.95, seed: 3 };
        let e = evaluate_generation(&preds, &refs, Some(cols), &GenerationOptions::default(), &cfg);
        assert_eq!(metric(&e.evaluation, "exact_match").value, Some(1.0));
        assert!((metric(&e.evaluation, "bleu").value.unwrap() - 100.0).abs() < 1e-9);
        assert!((metric(&e.evaluation, "loss").value.unwrap() - 2.0).abs() < 1e-12);
        // exp((1 + 2 + 6) / 4)
        assert!((metric(&e.evaluation, "perplexity").value.unwrap() - (9.0f64 / 4.0).exp()).abs() < 1e-9);
        // Every example exact: Wilson's interval, not [1, 1].
        let em = metric(&e.evaluation, "exact_match");
        assert_eq!(em.ci_method, Some("wilson"));
        assert!(em.ci_low.unwrap() < 0.5 && em.ci_high == Some(1.0));
        // Token F1 is 1 on every resample: a Wilson bound over the 3 examples, marked.
        let f1 = metric(&e.evaluation, "token_f1");
        assert!(f1.ci_low.unwrap() < 0.5 && f1.unreliable.is_some(), "{f1:?}");
        assert!(e.evaluation.checks.iter().any(|c| c.id == "degenerate_interval"));
        let ppl = metric(&e.evaluation, "perplexity");
        assert!(ppl.ci_low.unwrap() <= ppl.value.unwrap() && ppl.value.unwrap() <= ppl.ci_high.unwrap());
        assert_eq!(e.examples.len(), 3);
        assert_eq!(e.examples[1].loss, Some(2.0));
        assert!(e.signatures[0].1.starts_with("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp"));
    }

    #[test]
    fn empty_and_collapsed_outputs_are_flagged() {
        let preds: Vec<String> = (0..12).map(|i| if i == 0 { String::new() } else { "same".to_string() }).collect();
        let refs: Vec<Vec<String>> = (0..12).map(|i| vec![format!("ref {i}")]).collect();
        let e = evaluate_generation(&preds, &refs, None, &GenerationOptions::default(), &BootstrapConfig::default());
        let ids: Vec<&str> = e.evaluation.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(&ids[..2], ["empty_predictions", "collapsed_predictions"]);
        assert!(ids.contains(&"small_sample"), "{ids:?}");
        assert!(e.evaluation.metrics.iter().all(|(k, _)| k != "loss"));
    }

    #[test]
    fn empty_references_are_flagged_and_empty_predictions_counted_truly() {
        // Rows 0-1: empty prediction and reference (exact match 1); row 2: empty prediction only.
        let preds: Vec<String> = ["", " ", "", "a b", "c"].map(String::from).to_vec();
        let refs: Vec<Vec<String>> = [vec![""], vec![""], vec!["x"], vec!["a b"], vec!["d"]]
            .map(|r| r.into_iter().map(String::from).collect())
            .to_vec();
        let e = evaluate_generation(&preds, &refs, None, &GenerationOptions::default(), &BootstrapConfig::default());
        assert_eq!(metric(&e.evaluation, "exact_match").value, Some(0.6));
        let check = |id: &str| e.evaluation.checks.iter().find(|c| c.id == id).unwrap().message.clone();
        let ep = check("empty_predictions");
        assert!(ep.starts_with("1 of 5 predictions are empty (first: example 3)"), "{ep}");
        let er = check("empty_references");
        assert!(er.starts_with("2 of 5 references are empty (first: example 1); 2 of them"), "{er}");
        assert!(er.contains("add 0.4000") && er.contains("--drop-missing"), "{er}");
    }
}

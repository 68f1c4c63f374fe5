//! Command-line flags (clap derive). Every numeric flag is parsed by its rule in [`crate::ranges`]
//! (negative numbers included, so that they are rejected by range, naming the flag).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::ranges;

#[derive(Parser, Debug)]
#[command(
    name = "fteval",
    version,
    about = "Did the fine-tune learn better than before, and can we trust that?",
    long_about = "fteval evaluates model predictions: metrics equal to scikit-learn's, each with a confidence interval, \
                  and checks for the pitfalls (accuracy paradox, collapsed predictions, too little data).\n\n\
                  Exit codes: 0 ran and no gate failed; 1 a gate failed; 2 bad usage or bad input."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// How good is this model on this test set? Every metric with a 95% CI, per-class table,
    /// confusion matrix and checks.
    Metrics(MetricsArgs),
    /// Did the fine-tuned model learn better than before? Paired comparison on the same examples:
    /// deltas with CIs and p-values, McNemar, DeLong, flips, a verdict, and gates for CI.
    Compare(CompareArgs),
    /// Which of several models to ship? Leaderboard on the primary metric with CIs, each model
    /// tested against the best (paired, Holm-adjusted).
    Rank(RankArgs),
    /// Did training go well? Reads training logs (Hugging Face, Keras, Lightning, TensorBoard,
    /// JSONL, CSV) and diagnoses the loss curves: overfitting, plateau, divergence, best checkpoint.
    Curves(CurvesArgs),
    /// Are the test numbers inflated by leakage? Exact and near duplicates of test rows in the
    /// training set, n-gram contamination, label conflicts; writes the clean test rows.
    Leakage(LeakageArgs),
    /// Ship it or not? Runs everything fteval.toml names (metrics, compare, train–test gap,
    /// training curves, leakage) and ends with one verdict: ship, needs attention or do not ship.
    Check(CheckArgs),
    /// See everything fteval does, with no files of your own: writes a fraud-detector fine-tune
    /// (predictions, training log, train/test split, fteval.toml) and its reports to ./fteval-demo.
    Demo(DemoArgs),
    /// Start a project config: writes a commented fteval.toml naming the files found in a folder.
    Init(InitArgs),
}

impl Command {
    /// The input limits the command's flags set (None for commands that read no user input).
    pub fn limits(&self) -> Option<&LimitArgs> {
        let common = match self {
            Command::Metrics(a) => &a.common,
            Command::Compare(a) => &a.common,
            Command::Rank(a) => &a.common,
            Command::Curves(a) => &a.common,
            Command::Leakage(a) => &a.common,
            Command::Check(a) => &a.common,
            Command::Demo(_) | Command::Init(_) => return None,
        };
        Some(&common.limits)
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Terminal,
    Json,
    Markdown,
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    Csv,
    Tsv,
    Jsonl,
    Ndjson,
    Json,
    Parquet,
    /// One token per line, tags in the last columns, blank line between sentences (NER)
    Conll,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskArg {
    Binary,
    Multiclass,
    Multilabel,
    /// Token classification, scored on entities (seqeval)
    Ner,
    /// Generated text against references (SQuAD EM/F1, sacreBLEU, chrF, ROUGE)
    Generation,
}

/// Flags every command shares.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Output format [default: terminal when stdout is a terminal, else json]
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write the report to PATH instead of stdout
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Seed of every random step (bootstrap); the same seed gives the same report
    #[arg(long, default_value_t = 0, value_parser = ranges::SEED.parser::<u64>(), allow_negative_numbers = true)]
    pub seed: u64,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How much of each input is read (docs/limits.md): hostile or runaway files stop with a
/// message instead of exhausting memory.
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Largest input file, decompressed (e.g. 2G, 512M); Parquet: its decoded data
    #[arg(long, value_name = "SIZE", default_value = fteval_io::limits::DEFAULT_MAX_INPUT_TEXT, value_parser = parse_size, help_heading = "Input limits")]
    pub max_input_size: u64,
    /// Largest row of a CSV/TSV, JSON Lines or CoNLL file (and so largest cell), and largest TensorBoard record decoded
    #[arg(long, value_name = "SIZE", default_value = fteval_io::limits::DEFAULT_MAX_ROW_TEXT, value_parser = parse_size, alias = "max-cell-size", help_heading = "Input limits")]
    pub max_row_size: u64,
}

/// A size flag's value: bytes, or a number with K, M, G or T (binary units).
fn parse_size(text: &str) -> Result<u64, String> {
    fteval_io::limits::parse_size(text)
}

/// A path that must not be empty (an unset shell variable names no file).
fn non_empty() -> clap::builder::NonEmptyStringValueParser {
    clap::builder::NonEmptyStringValueParser::new()
}

/// Where the columns are and what they mean.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Format of the input when the extension does not say (required for stdin, `-`)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    /// Gold labels from another file, joined on the id column (else row by row)
    #[arg(long, value_name = "FILE", value_parser = non_empty())]
    pub gold: Option<String>,
    /// Example id column [tried: id, idx, example_id, uid, guid, row_id]
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,
    /// Gold label column [tried: label, labels, y_true, target, gold, ...]
    #[arg(long, value_name = "NAME")]
    pub label_col: Option<String>,
    /// Predicted label column [tried: pred, prediction, predictions, predicted, ...]
    #[arg(long, value_name = "NAME")]
    pub pred_col: Option<String>,
    /// Positive-class score column, binary [tried: prob, probability, score, proba, p_positive, confidence]
    #[arg(long, value_name = "NAME")]
    pub score_col: Option<String>,
    /// Per-class scores: a list/object column, or a prefix of one column per class [tried: probs, probabilities, scores, logits, prob_*, p_*, logit_*]
    #[arg(long, value_name = "NAME")]
    pub probs_col: Option<String>,
    /// Text column shown in reports [tried: text, input, sentence, prompt, question, content]
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
    /// The positive label of a binary task [default: 1, true, yes, pos, positive, spam, fraud, toxic when present]
    #[arg(long, value_name = "LABEL")]
    pub positive: Option<String>,
    /// Read integer labels as names, label 0 first (a model's id2label), e.g. to match score columns prob_angry, prob_calm, …
    #[arg(long, value_name = "NAME,NAME,...", value_delimiter = ',')]
    pub label_names: Option<Vec<String>>,
    /// The task [default: inferred: token/tag lists or CoNLL → ner, generated text with free-text references (docs/generation.md) → generation, lists of labels → multilabel, two labels → binary]
    #[arg(long, value_enum)]
    pub task: Option<TaskArg>,
    /// Leave out rows whose gold label, reference or prediction is missing, and rows with an empty reference (and report how many)
    #[arg(long)]
    pub drop_missing: bool,
    #[command(flatten)]
    pub text: TextTaskArgs,
}

/// Flags of the text tasks (NER and generation).
#[derive(Args, Debug, Clone, Default)]
pub struct TextTaskArgs {
    /// NER: seqeval's strict mode (entities must follow --scheme exactly)
    #[arg(long, help_heading = "Text tasks")]
    pub strict: bool,
    /// NER tagging scheme for --strict: IOB1, IOB2, IOE1, IOE2, IOBES, BILOU [default: detected]
    #[arg(long, value_name = "SCHEME", help_heading = "Text tasks")]
    pub scheme: Option<String>,
    /// NER: score predictions cut short by a model's maximum length on their first tokens
    #[arg(long, help_heading = "Text tasks")]
    pub allow_truncated: bool,
    /// NER: accept tokens that differ between the gold and prediction files (only tags are compared)
    #[arg(long, help_heading = "Text tasks")]
    pub ignore_token_mismatch: bool,
    /// Generation: reference column [default: by name (reference, target_text, label, target, ...), else a reply column (answer, completion, output, response) or a chat's last assistant turn; see docs/generation.md]
    #[arg(long, value_name = "NAME", help_heading = "Text tasks")]
    pub ref_col: Option<String>,
    /// Generation: stem ROUGE tokens with NLTK's Porter stemmer (rouge-score's use_stemmer)
    #[arg(long, help_heading = "Text tasks")]
    pub rouge_stemmer: bool,
    /// Generation: sacreBLEU's BLEU tokenizer [default: 13a; zh for Chinese, char for Japanese, Thai and other scripts without spaces]
    #[arg(long, value_enum, value_name = "TOKENIZER", help_heading = "Text tasks")]
    pub bleu_tokenize: Option<BleuTokenizeArg>,
    /// Generation: what ROUGE counts [default: words; chars for scripts without spaces]
    #[arg(long, value_enum, value_name = "UNITS", help_heading = "Text tasks")]
    pub rouge_tokenize: Option<RougeTokenizeArg>,
    /// Per-example loss column: mean loss (and perplexity with --token-count-col) [tried: loss, nll]
    #[arg(long, value_name = "NAME", help_heading = "Text tasks")]
    pub loss_col: Option<String>,
    /// Per-example token count, to weight losses for perplexity [tried: n_tokens, num_tokens, token_count, tokens_count]
    #[arg(long, value_name = "NAME", help_heading = "Text tasks")]
    pub token_count_col: Option<String>,
}

/// sacreBLEU's tokenizers.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BleuTokenizeArg {
    /// mteval-v13a (sacreBLEU's default)
    #[value(name = "13a")]
    T13a,
    /// Chinese characters one by one, the rest as 13a
    Zh,
    /// Every character a token
    Char,
    /// mteval-v14 international: Unicode punctuation and symbols split off
    Intl,
}

/// What ROUGE counts.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RougeTokenizeArg {
    /// rouge-score's tokenizer: runs of ASCII letters and digits
    Words,
    /// Every character that is not a space or punctuation (scripts without spaces)
    Chars,
}

/// How intervals are made.
#[derive(Args, Debug, Clone)]
pub struct StatsArgs {
    /// Bootstrap resamples for confidence intervals (0 turns them off; at most 1000000)
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = ranges::BOOTSTRAP.parser::<usize>(), allow_negative_numbers = true)]
    pub bootstrap: usize,
    /// Confidence level of the intervals, in (0, 1)
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL", value_parser = ranges::LEVEL.parser(), allow_hyphen_values = true)]
    pub ci: f64,
}

#[derive(Args, Debug)]
pub struct MetricsArgs {
    /// Prediction file (.csv, .tsv, .jsonl, .json, .parquet, optionally .gz), or - for stdin
    #[arg(value_name = "FILE", value_parser = non_empty())]
    pub file: String,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub stats: StatsArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// What a comparison is judged on: the primary metric, the task profile, costs and gates.
/// Each may also come from fteval.toml; flags win.
#[derive(Args, Debug, Clone)]
pub struct JudgeArgs {
    /// The metric the verdict is about [default: the profile's, else f1 (binary, NER) or f1_macro (multiclass, multilabel); generation: chosen from the data (exact_match, token_f1, rougeL or chrf)]
    #[arg(long, value_name = "KEY")]
    pub primary: Option<String>,
    /// Which mistakes cost more: spam (precision first), fraud or medical (recall first), balanced (F1); generation: qa (exact_match), summarization (rougeL), translation (chrf)
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Smallest improvement of the primary metric worth shipping; also what "inconclusive" is judged against
    #[arg(long, value_name = "DELTA", value_parser = ranges::MARGIN.parser(), allow_hyphen_values = true)]
    pub margin: Option<f64>,
    /// Cost of each error, e.g. fp=1,fn=20: expected cost per example and the cost-minimising threshold (binary)
    #[arg(long, value_name = "fp=A,fn=B")]
    pub cost: Option<String>,
    /// Report each model's threshold with the best precision at recall ≥ R (binary, with scores)
    #[arg(long, value_name = "R", value_parser = ranges::MIN_RATE.parser(), allow_hyphen_values = true)]
    pub min_recall: Option<f64>,
    /// Report each model's threshold with the best recall at precision ≥ P (binary, with scores)
    #[arg(long, value_name = "P", value_parser = ranges::MIN_RATE.parser(), allow_hyphen_values = true)]
    pub min_precision: Option<f64>,
    /// Gate on the candidate's value, e.g. recall>=0.85 (repeatable); exit 1 when not met
    #[arg(long, value_name = "METRIC>=X")]
    pub require: Vec<String>,
    /// Gate: the candidate may be worse by at most DELTA, ruled out by the paired CI, e.g. f1=0.01 (repeatable)
    #[arg(long, value_name = "METRIC=DELTA")]
    pub max_regression: Vec<String>,
    /// Settings file [default: ./fteval.toml when present]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Baseline predictions (or one file holding both models, with --baseline-col and --candidate-col)
    #[arg(value_name = "BASELINE", value_parser = non_empty())]
    pub baseline: String,
    /// Candidate (fine-tuned) predictions on the same examples
    #[arg(value_name = "CANDIDATE", value_parser = non_empty())]
    pub candidate: Option<String>,
    /// The baseline's prediction column (with one file: required)
    #[arg(long, value_name = "NAME")]
    pub baseline_col: Option<String>,
    /// The candidate's prediction column (with one file: required)
    #[arg(long, value_name = "NAME")]
    pub candidate_col: Option<String>,
    /// The baseline's positive-class score column, with one file
    #[arg(long, value_name = "NAME")]
    pub baseline_score_col: Option<String>,
    /// The candidate's positive-class score column, with one file
    #[arg(long, value_name = "NAME")]
    pub candidate_score_col: Option<String>,
    /// Flipped examples to show, of each kind
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = ranges::EXAMPLES.parser::<usize>(), allow_negative_numbers = true)]
    pub examples: usize,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub judge: JudgeArgs,
    #[command(flatten)]
    pub stats: StatsArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct RankArgs {
    /// Prediction files of the models, on the same examples (two or more)
    #[arg(value_name = "FILE", num_args = 2.., required = true, value_parser = non_empty())]
    pub files: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub judge: JudgeArgs,
    #[command(flatten)]
    pub stats: StatsArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct CurvesArgs {
    /// Training logs: trainer_state.json, Keras/Lightning CSV, TensorBoard event files (or a
    /// folder of them), JSONL, or any CSV/JSON table with a step or epoch column
    #[arg(value_name = "LOG", required = true, value_parser = non_empty())]
    pub logs: Vec<String>,
    /// The log format when detection gets it wrong: huggingface, keras, lightning, tensorboard, jsonl, table
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Treat all the files as parts of one run (e.g. resumed training), not one run each
    #[arg(long)]
    pub one_run: bool,
    /// The eval metric that chooses the best checkpoint (e.g. accuracy, f1) [default: eval loss]
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    /// Number of classes (or vocabulary size), at least 2: a loss stuck at ln(classes) is chance level
    #[arg(long, value_name = "K", value_parser = ranges::CLASSES.parser::<usize>(), allow_negative_numbers = true)]
    pub classes: Option<usize>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// How texts are normalised before comparison.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum NormalizeArg {
    /// NFKC, lowercase, punctuation removed, whitespace collapsed
    Default,
    /// Case and punctuation kept; whitespace collapsed
    Strict,
}

/// Which MinHash signatures to compute.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MinhashSchemeArg {
    /// A fast 64-bit hash and permutation family
    Fast,
    /// Equal to datasketch 2.0's default MinHash (SHA-1 based; slower)
    Datasketch,
}

#[derive(Args, Debug)]
pub struct LeakageArgs {
    /// The training split (CSV, TSV, JSONL, JSON, Parquet)
    #[arg(long, value_name = "FILE", value_parser = non_empty())]
    pub train: String,
    /// The test split
    #[arg(long, value_name = "FILE", value_parser = non_empty())]
    pub test: String,
    /// The one text column compared; without it, the contents of the text fields (instruction, input, output, prompt, response, completion, question, answer, context, messages, text, ... and other prose columns), never ids, numbers or categorical columns; all feature columns when there is no text
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
    /// Label column [tried: label, labels, y_true, target, gold, ...]
    #[arg(long, value_name = "NAME")]
    pub label_col: Option<String>,
    /// Id column [tried: id, idx, example_id, uid, guid, row_id]; row numbers otherwise
    #[arg(long, value_name = "NAME")]
    pub id_col: Option<String>,
    /// Text normalisation before comparing
    #[arg(long, value_enum, default_value = "default")]
    pub normalize: NormalizeArg,
    /// Jaccard similarity (of word 5-gram shingle sets) from which a pair is a near duplicate
    #[arg(long, default_value_t = 0.8, value_name = "J", value_parser = ranges::JACCARD.parser(), allow_hyphen_values = true)]
    pub threshold: f64,
    /// MinHash permutations (at most 65536)
    #[arg(long, default_value_t = 128, value_name = "N", value_parser = ranges::NUM_PERM.parser::<usize>(), allow_negative_numbers = true)]
    pub num_perm: usize,
    /// MinHash scheme
    #[arg(long, value_enum, default_value = "fast")]
    pub minhash_scheme: MinhashSchemeArg,
    /// Contamination n-gram length in words (GPT-3 used 13)
    #[arg(long, default_value_t = 13, value_name = "N", value_parser = ranges::NGRAM.parser::<usize>(), allow_negative_numbers = true)]
    pub ngram: usize,
    /// Write the test rows that do not leak to PATH (CSV, or JSONL for a .jsonl path)
    #[arg(long, value_name = "PATH")]
    pub write_clean: Option<std::path::PathBuf>,
    /// Share of leaked test rows above which the check fails (exit 1)
    #[arg(long, default_value_t = 0.01, value_name = "FRACTION", value_parser = ranges::FRACTION.parser(), allow_hyphen_values = true)]
    pub max_leak: f64,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The project config [default: ./fteval.toml; write one with `fteval init`]
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,
    /// Also write the result as JUnit XML (one test case per gate and check), for CI test tabs
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Exit 1 also when the verdict is "needs attention" (by default only "do not ship" does)
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub stats: StatsArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Folder for the demo project and its reports: a new or empty folder, or one a previous `fteval demo` wrote (it holds a .fteval-demo file); any other folder is refused, so your own baseline.csv is never replaced
    #[arg(long, value_name = "DIR", default_value = "fteval-demo")]
    pub out: PathBuf,
    /// Write into a folder `fteval demo` did not make, replacing the files of the same names as the demo's (README.md, fteval.toml, baseline.csv, candidate.csv, candidate_train.csv, train.csv, test.csv, trainer_state.json, report.*, junit.xml); other files are left alone
    #[arg(long)]
    pub force: bool,
    /// Seed of every random step (bootstrap)
    #[arg(long, default_value_t = 0, value_parser = ranges::SEED.parser::<u64>(), allow_negative_numbers = true)]
    pub seed: u64,
    #[command(flatten)]
    pub stats: StatsArgs,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The folder to look in and write fteval.toml to
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Replace an existing fteval.toml
    #[arg(long)]
    pub force: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use fteval_core::profile::Profile;

    use super::Cli;

    /// The help text of `flag` in `fteval SUBCOMMAND --help`.
    fn help(subcommand: &str, flag: &str) -> String {
        let cmd = Cli::command();
        let sub = cmd.find_subcommand(subcommand).unwrap();
        let arg = sub.get_arguments().find(|a| a.get_long() == Some(flag)).unwrap();
        arg.get_help().unwrap().to_string()
    }

    /// The help of the input and judgement flags says what the code does (issue 15 changed the
    /// generation shapes, the primary metric and the profiles).
    #[test]
    fn help_texts_describe_the_current_behaviour() {
        let profile = help("compare", "profile");
        for p in Profile::ALL {
            assert!(profile.contains(p.as_str()), "--profile help does not name {}: {profile}", p.as_str());
            assert!(profile.contains(p.primary_metric(fteval_core::Task::Generation)) || !p.is_generation());
        }
        let primary = help("compare", "primary");
        assert!(primary.contains("NER") && primary.contains("generation: chosen from the data"), "{primary}");
        for metric in ["exact_match", "token_f1", "rougeL", "chrf"] {
            assert!(primary.contains(metric), "{metric}: {primary}");
        }
        let refs = help("metrics", "ref-col");
        for shape in ["label", "target", "completion", "output", "response", "assistant"] {
            assert!(refs.contains(shape), "--ref-col help does not mention {shape}: {refs}");
        }
        let task = help("metrics", "task");
        assert!(!task.contains("a references column"), "{task}");
        assert!(help("metrics", "drop-missing").contains("empty reference"));
    }
}

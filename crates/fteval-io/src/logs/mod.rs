//! Training logs into the series model (`fteval_core::curves`): Hugging Face
//! `trainer_state.json`, Keras CSVLogger files, PyTorch Lightning `metrics.csv`, TensorBoard
//! event files, JSON Lines trainer logs, and any CSV/TSV/JSON table with a step or epoch
//! column. The format is detected from the file name and content, or chosen.
//!
//! The readers here name their series with [`normalize_name`], so `val_acc`, `eval_accuracy`
//! and `DEV_ACCURACY` are all the eval split's `accuracy` (the TensorBoard reader maps its
//! tags itself). A log that restarts (Keras
//! `append=True` files whose epochs go back, a step that goes back) is read as several runs,
//! numbered by `restart`.

pub mod collect;
pub mod huggingface;
pub mod json;
pub mod jsonlog;
pub mod names;
pub mod table;
pub mod tensorboard;

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use fteval_core::curves::{Series, Split, TrainingRun};

use crate::error::{InputError, Result};
use crate::source;

pub use names::{normalize_name, MetricName};

/// The log formats fteval reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// `trainer_state.json` (its `log_history`).
    HuggingFace,
    /// Keras `CSVLogger` output: one row per epoch.
    Keras,
    /// PyTorch Lightning `CSVLogger`'s `metrics.csv`: sparse rows with step and epoch.
    Lightning,
    /// TensorBoard event files (`events.out.tfevents.*`).
    TensorBoard,
    /// JSON Lines: one object per logged step.
    Jsonl,
    /// Any CSV/TSV/JSON table with a step or epoch column.
    Table,
}

/// The names `LogFormat::parse` accepts, for messages.
pub const LOG_FORMAT_NAMES: &str = "huggingface, keras, lightning, tensorboard, jsonl, table";

impl LogFormat {
    pub const ALL: [LogFormat; 6] = [
        LogFormat::HuggingFace,
        LogFormat::Keras,
        LogFormat::Lightning,
        LogFormat::TensorBoard,
        LogFormat::Jsonl,
        LogFormat::Table,
    ];

    /// The name used in `TrainingRun::format` and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::HuggingFace => "huggingface",
            LogFormat::Keras => "keras",
            LogFormat::Lightning => "lightning",
            LogFormat::TensorBoard => "tensorboard",
            LogFormat::Jsonl => "jsonl",
            LogFormat::Table => "table",
        }
    }

    /// A command-line value: the names of `as_str`, case-insensitive, and common aliases
    /// (`hf`, `trainer_state`, `csvlogger`, `pl`, `tb`, `tfevents`, `ndjson`, `csv`, `tsv`,
    /// `json`).
    pub fn parse(value: &str) -> Option<LogFormat> {
        let v = value.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Some(match v.as_str() {
            "huggingface" | "hf" | "hugging_face" | "transformers" | "trainer_state" => LogFormat::HuggingFace,
            "keras" | "csvlogger" | "tf_keras" => LogFormat::Keras,
            "lightning" | "pl" | "pytorch_lightning" | "lightning_csv" => LogFormat::Lightning,
            "tensorboard" | "tb" | "tfevents" => LogFormat::TensorBoard,
            "jsonl" | "ndjson" | "json_lines" => LogFormat::Jsonl,
            "table" | "csv" | "tsv" | "json" => LogFormat::Table,
            _ => return None,
        })
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<LogFormat, String> {
        LogFormat::parse(s).ok_or_else(|| format!("unknown log format '{s}' (use one of: {LOG_FORMAT_NAMES})"))
    }
}

/// How much of a file `detect` reads to decide.
const SNIFF_BYTES: u64 = 1 << 20;

/// The format of a log, from its name and first bytes (see [`read_log`] for what each
/// format is). A Git LFS pointer in place of the file is an error that says so.
pub fn detect(path: &Path) -> Result<LogFormat> {
    let p = path_str(path);
    let name = source::display_name(&p);
    check_not_dir(path, &name)?;
    if is_tensorboard_name(&p) {
        return Ok(LogFormat::TensorBoard);
    }
    let mut head = Vec::new();
    source::open(&p)?.take(SNIFF_BYTES).read_to_end(&mut head).map_err(|e| source::read_error(&p, &e))?;
    let complete = (head.len() as u64) < SNIFF_BYTES;
    sniff(&name, &head, complete)
}

/// Reads a training log. `format` None detects it. Usually one run; a log that restarts
/// holds several (restart = 0, 1, 2, ...). An empty Hugging Face `log_history` is one run
/// without series (not an error).
///
/// - Hugging Face `trainer_state.json`: `log_history` entries; `loss`, `grad_norm`,
///   `learning_rate` are train series, `eval_*` eval series, each point with the entry's step
///   and epoch; the closing summary (`train_loss`, `train_runtime`, ...) is left out; the
///   bare `NaN`/`Infinity` Python writes are read. A step going back starts a new run.
/// - Keras CSVLogger: one row per epoch (epoch as written, 0-based; the row number when
///   there is no epoch column), all series per_epoch; `val_` is the eval split; the epoch
///   going back (or repeating once) starts a new run (`append=True`); an epoch column that
///   stays at one value on most rows (`fit` called in a loop) is replaced by the row order,
///   with a note in `TrainingRun::notes` (any table's step or epoch column likewise).
/// - Lightning metrics.csv: each non-empty cell is a point with its row's step and epoch;
///   `_step`/`_epoch` suffixes set per_epoch; unsuffixed eval/test columns are epoch
///   values, unsuffixed train columns are when they only appear on rows with `_epoch`
///   values. The step going back starts a new run.
/// - JSON Lines: one object per line, with `step`/`global_step`/`current_steps`/`iteration`
///   and/or `epoch` keys.
/// - Table: CSV/TSV (Flair's loss.tsv: `DEV_` is the eval split), a JSON list of objects or
///   a JSON object of columns, with a step or epoch column (JSON columns without one: the
///   position is the epoch). Per-epoch values without a step column.
/// - TensorBoard: the TensorBoard reader.
pub fn read_log(path: &Path, format: Option<LogFormat>) -> Result<Vec<TrainingRun>> {
    let p = path_str(path);
    let name = source::display_name(&p);
    check_not_dir(path, &name)?;
    if format == Some(LogFormat::TensorBoard) || (format.is_none() && is_tensorboard_name(&p)) {
        return read_tensorboard(path).map(|run| vec![run]);
    }
    let bytes = read_file(&p)?;
    check_lfs_pointer(&name, &bytes)?;
    let format = match format {
        Some(f) => f,
        None => sniff(&name, &bytes, true)?,
    };
    read_bytes(&name, &bytes, format)
}

/// Reads a log already in memory (`name` is used in messages and as the runs' source).
/// TensorBoard logs cannot be read this way.
pub fn read_log_bytes(name: &str, bytes: &[u8], format: Option<LogFormat>) -> Result<Vec<TrainingRun>> {
    check_lfs_pointer(name, bytes)?;
    let format = match format {
        Some(f) => f,
        None => sniff(name, bytes, true)?,
    };
    read_bytes(name, bytes, format)
}

fn read_bytes(name: &str, bytes: &[u8], format: LogFormat) -> Result<Vec<TrainingRun>> {
    let first = first_byte(bytes);
    let json_text = matches!(first, Some(b'{') | Some(b'['));
    match format {
        LogFormat::HuggingFace => huggingface::read(name, bytes),
        LogFormat::Jsonl => jsonlog::read_lines(name, bytes),
        LogFormat::Table if json_text => jsonlog::read_json(name, bytes),
        LogFormat::Keras | LogFormat::Lightning | LogFormat::Table => {
            if json_text {
                return Err(InputError::new(
                    name,
                    format!("this is JSON, not the CSV a {} log is", format.as_str()),
                    "leave the log format to be detected, or choose huggingface, jsonl or table",
                ));
            }
            let delimiter = table::delimiter(name, bytes);
            let t = table::read_text(name, bytes, delimiter, None)?;
            let flavor = match format {
                LogFormat::Keras => table::Flavor::Keras,
                LogFormat::Lightning => table::Flavor::Lightning,
                _ => table::Flavor::Table,
            };
            table::to_runs(name, &t, flavor, format == LogFormat::Keras)
        }
        LogFormat::TensorBoard => Err(InputError::new(
            name,
            "TensorBoard event files are read from a path, not from memory",
            "give the events.out.tfevents.* file's path",
        )),
    }
}

/// Reads several logs. Without `one_run`, each file gives its runs (usually one each). With
/// `one_run`, the files are parts of one run, in the order given (a resumed training, or a
/// later checkpoint's copy of the history): see [`join_runs`].
pub fn read_logs<P: AsRef<Path>>(paths: &[P], format: Option<LogFormat>, one_run: bool) -> Result<Vec<TrainingRun>> {
    let mut runs = Vec::new();
    for p in paths {
        runs.extend(read_log(p.as_ref(), format)?);
    }
    if one_run && runs.len() > 1 {
        Ok(vec![join_runs(runs)])
    } else {
        Ok(runs)
    }
}

/// Joins parts of one run, in order, into one run (restart 0). A series present in several
/// parts is continued; where a later part goes back to a step (or, without steps, an epoch)
/// the earlier part already covered — a resumed training re-logs from its checkpoint; a later
/// checkpoint's trainer_state.json repeats the whole history — the later part's points
/// replace the earlier ones from there on.
pub fn join_runs(parts: Vec<TrainingRun>) -> TrainingRun {
    let mut sources: Vec<String> = Vec::new();
    let mut formats: Vec<String> = Vec::new();
    let mut series: Vec<Series> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for part in parts {
        if !sources.contains(&part.source) {
            sources.push(part.source.clone());
        }
        if !formats.contains(&part.format) {
            formats.push(part.format.clone());
        }
        for note in part.notes {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        for s in part.series {
            match series.iter_mut().find(|t| t.name == s.name && t.split == s.split && t.per_epoch == s.per_epoch) {
                None => series.push(s),
                Some(t) => {
                    if let Some(start) = s.points.first() {
                        let keep = t
                            .points
                            .iter()
                            .position(|p| match (p.step, start.step, p.epoch, start.epoch) {
                                (Some(a), Some(b), _, _) => a >= b,
                                (None, None, Some(a), Some(b)) => a >= b,
                                _ => false,
                            })
                            .unwrap_or(t.points.len());
                        t.points.truncate(keep);
                    }
                    t.points.extend(s.points);
                }
            }
        }
    }
    TrainingRun { source: sources.join(" + "), format: formats.join("+"), restart: 0, series, notes }
}

/// TensorBoard event files: the TensorBoard reader (one run per file). A file in a folder
/// named `eval`, `val`, `valid`, `validation` or `test` holds that split's values under bare tags.
fn read_tensorboard(path: &Path) -> Result<TrainingRun> {
    tensorboard::read_tensorboard(path, folder_split(path))
}

/// The split a TensorBoard file's folder implies: Keras writes `validation/`, Estimators
/// `eval/`; None for any other folder.
pub fn folder_split(path: &Path) -> Option<Split> {
    path.parent()?.file_name()?.to_str().and_then(|d| match d.to_ascii_lowercase().as_str() {
        "validation" | "val" | "eval" | "valid" => Some(Split::Eval),
        "test" => Some(Split::Test),
        _ => None,
    })
}

/// The whole file through `source` (gzip, stdin, pipes; a plain file in one sized buffer),
/// up to the input-size limit, without a UTF-8 byte-order mark.
fn read_file(path: &str) -> Result<Vec<u8>> {
    source::read_all(path)
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn is_tensorboard_name(path: &str) -> bool {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path).to_ascii_lowercase();
    file.contains("tfevents")
}

/// The log files fteval recognises by name, to suggest one inside a directory.
const LOG_FILE_NAMES: &[&str] = &[
    "trainer_state.json",
    "metrics.csv",
    "training_log.csv",
    "log.csv",
    "trainer_log.jsonl",
    "loss.tsv",
    "history.csv",
];

fn check_not_dir(path: &Path, name: &str) -> Result<()> {
    if !path.is_dir() {
        return Ok(());
    }
    let mut found: Vec<String> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            if LOG_FILE_NAMES.contains(&file.as_str()) || file.contains("tfevents") {
                found.push(path.join(&file).to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    let hint = if found.is_empty() {
        "give the log file itself, e.g. DIR/trainer_state.json, lightning_logs/version_0/metrics.csv or the CSVLogger file".to_string()
    } else {
        format!("give the log file itself: {}", found.join(", "))
    };
    Err(InputError::new(name, "is a directory, not a log file", hint))
}

/// How a Git LFS pointer file starts.
pub(crate) const LFS_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/";

/// A Git LFS pointer (the small text file git keeps when LFS content was not fetched) is an
/// error that says so; every log reader calls this on the file's first bytes.
pub(crate) fn check_lfs_pointer(name: &str, bytes: &[u8]) -> Result<()> {
    if !bytes.starts_with(LFS_PREFIX) {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]).into_owned();
    let size = text
        .lines()
        .find_map(|l| l.strip_prefix("size "))
        .map(|s| format!(" of {} bytes", s.trim()))
        .unwrap_or_default();
    Err(InputError::new(
        name,
        format!("is a Git LFS pointer, not the log itself (the real file{size} was never downloaded)"),
        "run `git lfs pull` in the repository that holds it (or download the file from where it is hosted), then try again",
    ))
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The format of a log from its name and (the first part of) its content.
fn sniff(name: &str, bytes: &[u8], complete: bool) -> Result<LogFormat> {
    check_lfs_pointer(name, bytes)?;
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
    let file = stem.rsplit(['/', '\\']).next().unwrap_or(stem);
    if file.contains("tfevents") {
        return Ok(LogFormat::TensorBoard);
    }
    let Some(first) = first_byte(bytes) else {
        return Err(InputError::new(
            name,
            "the file is empty",
            "give a training log (trainer_state.json, a CSV log, metrics.csv, ...)",
        ));
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(InputError::new(
            name,
            "is a binary file, not a training log fteval reads",
            format!(
                "give a trainer_state.json, a Keras or Lightning CSV log, a JSONL log, or a TensorBoard events.out.tfevents.* file; formats: {LOG_FORMAT_NAMES}"
            ),
        ));
    }
    if file.ends_with(".jsonl") || file.ends_with(".ndjson") {
        return Ok(LogFormat::Jsonl);
    }
    if first == b'{' || first == b'[' {
        // Judged from the first part only: a 100 MB trainer_state.json names `log_history`
        // near its start (its keys are sorted).
        let head = &bytes[..bytes.len().min(SNIFF_BYTES as usize)];
        if file == "trainer_state.json" || (first == b'{' && contains(head, b"\"log_history\"")) {
            return Ok(LogFormat::HuggingFace);
        }
        if first == b'{' && several_values(head) {
            return Ok(LogFormat::Jsonl);
        }
        return Ok(LogFormat::Table);
    }
    // A text table: judge from its first rows.
    let head = if complete {
        bytes
    } else {
        let end = bytes.iter().rposition(|&b| b == b'\n').unwrap_or(bytes.len());
        &bytes[..end]
    };
    let delimiter = table::delimiter(name, head);
    let t = table::read_text(name, head, delimiter, Some(200))?;
    let shape = table::shape(&t);
    if shape.has_step && shape.has_epoch && (file.ends_with("metrics.csv") || shape.suffixes || shape.sparse) {
        return Ok(LogFormat::Lightning);
    }
    if !shape.has_step && shape.keras_columns && (shape.one_row_per_epoch || (shape.epoch_stalls && !shape.sparse)) {
        return Ok(LogFormat::Keras);
    }
    if shape.has_step || shape.has_epoch {
        return Ok(LogFormat::Table);
    }
    let cols: Vec<&str> = t.columns.iter().map(String::as_str).take(20).collect();
    Err(InputError::new(
        name,
        format!("not a training log fteval recognises: no step or epoch column (columns: {})", cols.join(", ")),
        format!(
            "a log table needs a `step`, `global_step`, `iteration` or `epoch` column; if this is a known format, say which ({LOG_FORMAT_NAMES})"
        ),
    ))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether the text holds a JSON object followed by another (JSON Lines in a .json file). A
/// first object longer than the text given counts as one JSON document.
fn several_values(bytes: &[u8]) -> bool {
    let mut s = json::Scanner::new(bytes);
    s.skip_value().is_ok() && s.peek() == Some(b'{')
}

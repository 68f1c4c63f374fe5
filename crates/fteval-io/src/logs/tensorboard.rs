//! TensorBoard event files (`events.out.tfevents.*`) into the series model.
//!
//! An event file is a sequence of TFRecords, each holding one serialized `tensorflow.Event`:
//!
//! ```text
//! u64 length (little-endian) | u32 masked CRC32C of the 8 length bytes | data | u32 masked CRC32C of data
//! ```
//!
//! Both CRCs are checked. A bad CRC, or a record that cannot be decoded as an `Event`, is an
//! error naming the file and the byte offset where that record starts. A record cut short by
//! the end of the file is different: it is what a writer that is still running (or was killed
//! mid-write) leaves behind, so it is skipped, and the read keeps every complete record before
//! it; [`read_tensorboard_log`] says so in its notes. The end of a file can only cut the last
//! record, so everything before it has been checked.
//!
//! Only scalars become series: a `Summary.Value` with a `simple_value` (TF1, PyTorch's
//! `SummaryWriter`, tensorboardX), or one whose `tensor` is a float or double tensor holding
//! exactly one element (TF2's `tf.summary.scalar`, plugin `scalars`), its value in
//! `float_val`/`double_val` or as little-endian bytes in `tensor_content`. Graphs, images,
//! audio, histograms, text, hyperparameters and every other plugin's data are skipped.
//!
//! Tags become series names as [`tag_to_series`] describes (`train/loss` → `loss` of
//! [`Split::Train`], `eval/accuracy` → `accuracy` of [`Split::Eval`], Keras' `epoch_loss` →
//! `loss` per epoch). Each point gets the event's step and no epoch.
//!
//! The protobuf messages are hand-written `prost` structs holding only the fields needed here
//! (see [`proto`]); other fields are skipped while decoding.

use std::io::{self, BufReader, Read};
use std::path::Path;

use fteval_core::curves::{Point, Series, Split, TrainingRun};
use prost::Message;
use rustc_hash::FxHashMap;

use crate::error::{InputError, Result};
use crate::source::read_error;

/// The subset of TensorFlow's `event.proto`, `summary.proto`, `tensor.proto` and
/// `tensor_shape.proto` this reader uses, with TensorFlow's field numbers. Public so that
/// tests (and tools) can write event files with the same definitions.
pub mod proto {
    /// `tensorflow.Event`. The members of the `what` oneof are plain optional fields here: on
    /// the wire a oneof member is an ordinary field.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Event {
        #[prost(double, tag = "1")]
        pub wall_time: f64,
        #[prost(int64, tag = "2")]
        pub step: i64,
        /// "brain.Event:2" in the first record of a file.
        #[prost(string, optional, tag = "3")]
        pub file_version: Option<String>,
        /// A serialized GraphDef; skipped.
        #[prost(bytes = "vec", optional, tag = "4")]
        pub graph_def: Option<Vec<u8>>,
        #[prost(message, optional, tag = "5")]
        pub summary: Option<Summary>,
    }

    /// `tensorflow.Summary`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Summary {
        #[prost(message, repeated, tag = "1")]
        pub value: Vec<SummaryValue>,
    }

    /// `tensorflow.Summary.Value`. `image` (4), `histo` (5), `audio` (6) and the obsolete
    /// histogram (3) are not declared, so decoding skips them.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct SummaryValue {
        #[prost(string, tag = "1")]
        pub tag: String,
        /// A member of the `value` oneof, so it has presence: 0.0 is written, absence is not.
        #[prost(float, optional, tag = "2")]
        pub simple_value: Option<f32>,
        #[prost(message, optional, tag = "8")]
        pub tensor: Option<TensorProto>,
        #[prost(message, optional, tag = "9")]
        pub metadata: Option<SummaryMetadata>,
    }

    /// `tensorflow.SummaryMetadata`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct SummaryMetadata {
        #[prost(message, optional, tag = "1")]
        pub plugin_data: Option<PluginData>,
    }

    /// `tensorflow.SummaryMetadata.PluginData`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PluginData {
        /// "scalars", "text", "histograms", "images", "hparams", ...
        #[prost(string, tag = "1")]
        pub plugin_name: String,
        #[prost(bytes = "vec", tag = "2")]
        pub content: Vec<u8>,
    }

    /// `tensorflow.DataType.DT_FLOAT`.
    pub const DT_FLOAT: i32 = 1;
    /// `tensorflow.DataType.DT_DOUBLE`.
    pub const DT_DOUBLE: i32 = 2;
    /// `tensorflow.DataType.DT_INT32`.
    pub const DT_INT32: i32 = 3;
    /// `tensorflow.DataType.DT_STRING`.
    pub const DT_STRING: i32 = 7;
    /// `tensorflow.DataType.DT_INT64`.
    pub const DT_INT64: i32 = 9;

    /// `tensorflow.TensorProto`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TensorProto {
        /// A `tensorflow.DataType` (an enum, so a varint on the wire): see the `DT_` constants.
        #[prost(int32, tag = "1")]
        pub dtype: i32,
        #[prost(message, optional, tag = "2")]
        pub tensor_shape: Option<TensorShapeProto>,
        /// The values as raw little-endian bytes; when set, the `*_val` fields are empty.
        #[prost(bytes = "vec", tag = "4")]
        pub tensor_content: Vec<u8>,
        #[prost(float, repeated, tag = "5")]
        pub float_val: Vec<f32>,
        #[prost(double, repeated, tag = "6")]
        pub double_val: Vec<f64>,
        #[prost(int32, repeated, tag = "7")]
        pub int_val: Vec<i32>,
        #[prost(bytes = "vec", repeated, tag = "8")]
        pub string_val: Vec<Vec<u8>>,
        #[prost(int64, repeated, tag = "10")]
        pub int64_val: Vec<i64>,
    }

    /// `tensorflow.TensorShapeProto`. No dimensions means a 0-dimensional (scalar) tensor.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TensorShapeProto {
        #[prost(message, repeated, tag = "2")]
        pub dim: Vec<TensorShapeDim>,
        #[prost(bool, tag = "3")]
        pub unknown_rank: bool,
    }

    /// `tensorflow.TensorShapeProto.Dim`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TensorShapeDim {
        /// -1 for an unknown size.
        #[prost(int64, tag = "1")]
        pub size: i64,
        #[prost(string, tag = "2")]
        pub name: String,
    }
}

/// What [`read_tensorboard_log`] found: the run, and notes about what was left out.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorboardLog {
    pub run: TrainingRun,
    /// Plain sentences for the user: an incomplete last record that was skipped, an empty
    /// file, a file without scalars. Empty when there is nothing to say.
    pub notes: Vec<String>,
}

/// TFRecord's masked CRC32C of `data`, as stored after a record's length and after its data.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    mask(crc32c::crc32c(data))
}

/// TFRecord's mask of a CRC32C: ((crc >> 15) | (crc << 17)) + 0xa282ead8, wrapping.
fn mask(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// Reads one event file into a run (`format` "tensorboard", `source` the path as displayed,
/// `restart` 0). `split_hint` is the split of tags without a split prefix: Keras writes its
/// validation values into a separate file under `validation/` with the same tags as the
/// training ones (`epoch_loss`), so the caller that lists a log directory passes
/// `Some(Split::Eval)` for files there. `None` means [`Split::Train`].
///
/// An incomplete last record is skipped silently here; [`read_tensorboard_log`] also returns
/// a note about it.
pub fn read_tensorboard(path: &Path, split_hint: Option<Split>) -> Result<TrainingRun> {
    read_tensorboard_log(path, split_hint).map(|log| log.run)
}

/// [`read_tensorboard`], with notes about what was skipped.
pub fn read_tensorboard_log(path: &Path, split_hint: Option<Split>) -> Result<TensorboardLog> {
    let source = path.display().to_string();
    if path.is_dir() {
        return Err(InputError::new(&source, "is a directory", "give the path of one events.out.tfevents.* file"));
    }
    let file = crate::source::open_raw(&path.to_string_lossy())?;
    read_tensorboard_from(BufReader::with_capacity(1 << 18, file), &source, split_hint)
}

/// Reads event records from `reader` (buffer it: records are read a few bytes at a time);
/// `source` names the input in errors and in the run.
pub fn read_tensorboard_from<R: Read>(
    mut reader: R,
    source: &str,
    split_hint: Option<Split>,
) -> Result<TensorboardLog> {
    let mut collector = Collector::new(split_hint);
    let mut notes = Vec::new();
    let mut offset: u64 = 0;
    let mut header = [0u8; 12];
    let mut data = Vec::new();
    let mut records: u64 = 0;
    loop {
        let got = read_up_to(&mut reader, &mut header).map_err(|e| read_error(source, &e))?;
        if got == 0 {
            break;
        }
        if offset == 0 && header[..got].starts_with(&super::LFS_PREFIX[..got.min(super::LFS_PREFIX.len())]) {
            // A Git LFS pointer in place of the event file: say so rather than "corrupt record".
            let mut head = header[..got].to_vec();
            (&mut reader).take(400).read_to_end(&mut head).map_err(|e| read_error(source, &e))?;
            super::check_lfs_pointer(source, &head)?;
            if got == header.len() {
                // Text that starts like one but is not a pointer is no event file either.
                return Err(header_crc_error(source, 0));
            }
        }
        if got < header.len() {
            notes.push(truncated_note(offset, got as u64, None));
            break;
        }
        let len_bytes: [u8; 8] = header[..8].try_into().expect("8 bytes");
        let len = u64::from_le_bytes(len_bytes);
        let stored = u32::from_le_bytes(header[8..].try_into().expect("4 bytes"));
        if masked_crc32c(&len_bytes) != stored {
            return Err(header_crc_error(source, offset));
        }
        let Some(want) = len.checked_add(4) else {
            return Err(header_crc_error(source, offset));
        };
        let max_row = crate::limits::current().max_row;
        if len > max_row {
            // Checked without being kept: a scalar event is a few bytes, so this one holds a
            // graph, images or histograms (or its length is damage the CRC missed).
            match skip_record(&mut reader, len).map_err(|e| read_error(source, &e))? {
                Skipped::Complete { stored, computed } if stored != computed => {
                    return Err(data_crc_error(source, offset, len, stored, computed))
                }
                Skipped::Complete { .. } => {
                    notes.push(format!(
                        "the record at byte {offset} holds {} of data, more than the {} row-size limit: its CRC was checked but it was not decoded (a scalar event is a few bytes; graphs and images are skipped anyway); raise the limit with {} to read it",
                        crate::limits::show_size(len),
                        crate::limits::show_size(max_row),
                        crate::limits::ROW_FLAG
                    ));
                    records += 1;
                    offset += 12 + want;
                    continue;
                }
                Skipped::Cut { got } => {
                    notes.push(truncated_note(offset, 12 + got, Some(12 + want)));
                    break;
                }
            }
        }
        let got = if want <= 1 << 26 {
            data.resize(want as usize, 0);
            read_up_to(&mut reader, &mut data)
        } else {
            // So large a length may be damage that its CRC missed: grow the buffer with the data.
            data.clear();
            (&mut reader).take(want).read_to_end(&mut data)
        }
        .map_err(|e| read_error(source, &e))?;
        if (got as u64) < want {
            notes.push(truncated_note(offset, 12 + got as u64, Some(12 + want)));
            break;
        }
        let (payload, crc) = data.split_at(len as usize);
        let stored = u32::from_le_bytes(crc.try_into().expect("4 bytes"));
        let computed = masked_crc32c(payload);
        if computed != stored {
            return Err(data_crc_error(source, offset, len, stored, computed));
        }
        let event = proto::Event::decode(payload).map_err(|e| {
            InputError::new(
                source,
                format!("record is not a TensorBoard event: {e}"),
                "the file has valid TFRecord framing but does not hold tensorflow.Event messages; give an events.out.tfevents.* file",
            )
            .at(format!("byte {offset}"))
        })?;
        collector.add(event);
        records += 1;
        offset += 12 + want;
    }
    if records == 0 && notes.is_empty() {
        notes.push("the file holds no events".to_string());
    } else if records > 0 && collector.series.is_empty() {
        notes.push(format!(
            "none of the file's {records} events holds a scalar (graphs, images, histograms and text are skipped)"
        ));
    }
    let run = TrainingRun {
        source: source.to_string(),
        format: "tensorboard".to_string(),
        restart: 0,
        series: collector.finish(),
        notes: notes.clone(),
    };
    Ok(TensorboardLog { run, notes })
}

fn data_crc_error(source: &str, offset: u64, len: u64, stored: u32, computed: u32) -> InputError {
    InputError::new(
        source,
        format!(
            "corrupt record: the CRC of its {len} data bytes does not match (stored {stored:#010x}, computed {computed:#010x})"
        ),
        "the event file is damaged; copy it again from the machine that wrote it",
    )
    .at(format!("byte {offset}"))
}

/// What [`skip_record`] found.
enum Skipped {
    /// The data and its CRC were all there: the stored and the computed masked CRC32C.
    Complete { stored: u32, computed: u32 },
    /// The input ended after `got` bytes of the data and CRC.
    Cut { got: u64 },
}

/// Reads a record's `len` data bytes and its CRC in pieces, computing the CRC without keeping
/// the data (memory stays bounded whatever the length claims).
fn skip_record<R: Read>(reader: &mut R, len: u64) -> io::Result<Skipped> {
    let mut buf = vec![0u8; 1 << 20];
    let mut crc = 0u32;
    let mut got = 0u64;
    while got < len {
        let want = (len - got).min(buf.len() as u64) as usize;
        let n = read_up_to(reader, &mut buf[..want])?;
        crc = crc32c::crc32c_append(crc, &buf[..n]);
        got += n as u64;
        if n < want {
            return Ok(Skipped::Cut { got });
        }
    }
    let mut stored = [0u8; 4];
    let n = read_up_to(reader, &mut stored)?;
    if n < 4 {
        return Ok(Skipped::Cut { got: got + n as u64 });
    }
    let computed = mask(crc);
    Ok(Skipped::Complete { stored: u32::from_le_bytes(stored), computed })
}

fn header_crc_error(source: &str, offset: u64) -> InputError {
    let hint = if offset == 0 {
        "this does not look like a TensorBoard event file (events.out.tfevents.*)"
    } else {
        "the event file is damaged; copy it again from the machine that wrote it"
    };
    InputError::new(source, "corrupt record: the CRC of its length does not match", hint).at(format!("byte {offset}"))
}

fn truncated_note(offset: u64, have: u64, need: Option<u64>) -> String {
    let size = match need {
        Some(need) => format!("{have} of its {need} bytes"),
        None => format!("{have} of its 12 header bytes"),
    };
    format!(
        "the last record (at byte {offset}) is incomplete ({size}) and was skipped: the file is probably still being written"
    )
}

/// Fills `buf` as far as the input goes; returns how many bytes were read (less than
/// `buf.len()` only at the end of the input).
fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The series a tag goes to: `(name, split, per_epoch)`.
///
/// - The tag is lowercased; a leading `train`, `training` (→ Train), `eval`, `val`, `valid`,
///   `validation` (→ Eval) or `test` (→ Test) followed by `/` or `_` sets the split and is
///   removed: HF Trainer's `train/loss`, `eval/accuracy`; Lightning's `val_loss`. Without one
///   the split is `split_hint`, or Train.
/// - Keras' `epoch_` prefix (`epoch_loss`) and Lightning's `_epoch` suffix (`train_loss_epoch`)
///   mark per-epoch values and are removed; so are Keras' `batch_` prefix and Lightning's
///   `_step` suffix, whose values are per step. Keras' `evaluation_<name>_vs_iterations` is
///   `<name>` of Eval, per epoch. (`global_step` keeps its name.)
/// - The remaining `/` become `_`: `eval/accuracy/top1` → `accuracy_top1`.
///
/// A tag that is only a prefix (`epoch`, HF's `train/epoch`) keeps that word as its name.
pub fn tag_to_series(tag: &str, split_hint: Option<Split>) -> (String, Split, bool) {
    const PREFIXES: [(&str, Split); 7] = [
        ("train", Split::Train),
        ("training", Split::Train),
        ("eval", Split::Eval),
        ("val", Split::Eval),
        ("valid", Split::Eval),
        ("validation", Split::Eval),
        ("test", Split::Test),
    ];
    let lower = tag.to_lowercase();
    let mut rest = lower.as_str();
    let mut split = None;
    for (word, s) in PREFIXES {
        if let Some(after) = rest.strip_prefix(word) {
            if let Some(after) = after.strip_prefix('/').or_else(|| after.strip_prefix('_')) {
                if !after.is_empty() {
                    rest = after;
                    split = Some(s);
                    break;
                }
            }
        }
    }
    let mut per_epoch = false;
    if let Some(name) = rest.strip_prefix("evaluation_").and_then(|r| r.strip_suffix("_vs_iterations")) {
        if split.is_none() && !name.is_empty() {
            return (name.replace('/', "_"), Split::Eval, true);
        }
    }
    if let Some(after) = rest.strip_prefix("epoch_").filter(|r| !r.is_empty()) {
        rest = after;
        per_epoch = true;
    } else if let Some(after) = rest.strip_prefix("batch_").filter(|r| !r.is_empty()) {
        rest = after;
    }
    if let Some(before) = rest.strip_suffix("_epoch").filter(|r| !r.is_empty()) {
        rest = before;
        per_epoch = true;
    } else if let Some(before) = rest.strip_suffix("_step").filter(|r| !r.is_empty() && !r.ends_with("global")) {
        rest = before;
    }
    let split = split.or(split_hint).unwrap_or(Split::Train);
    (rest.replace('/', "_"), split, per_epoch)
}

/// The f64 a user logged as an f32: the shortest decimal that reads back as the same f32
/// (0.1f32 → 0.1, not 0.10000000149011612), as Rust's `{}` and NumPy's float32 print it.
/// So a value reads the same here as in a JSON log of the same run (HF's trainer_state.json).
fn widen(x: f32) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x as f64;
    }
    // Fast path: round to 1, 2, ... 9 significant digits until the f32 comes back. With the
    // power of ten exact, `n / 10^k` and `n * 10^k` are the correctly rounded f64 of the decimal,
    // the same number parsing its digits gives.
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let wide = x as f64;
    let exponent = wide.abs().log10().floor() as i32;
    for digits in 1..=9 {
        let scale = digits - 1 - exponent;
        let candidate = if (0..=22).contains(&scale) {
            let p = POW10[scale as usize];
            (wide * p).round() / p
        } else if (-22..0).contains(&scale) {
            let p = POW10[(-scale) as usize];
            (wide / p).round() * p
        } else {
            break;
        };
        if candidate as f32 == x {
            return candidate;
        }
    }
    widen_by_formatting(x)
}

/// [`widen`] through Rust's shortest float formatting (slow: for the values the fast path
/// cannot scale exactly, below 1e-14 or above 1e22).
fn widen_by_formatting(x: f32) -> f64 {
    let mut buf = [0u8; 48];
    let mut cursor = io::Cursor::new(&mut buf[..]);
    if io::Write::write_fmt(&mut cursor, format_args!("{x:e}")).is_ok() {
        let n = cursor.position() as usize;
        if let Some(v) = std::str::from_utf8(&buf[..n]).ok().and_then(|s| s.parse::<f64>().ok()) {
            return v;
        }
    }
    x as f64
}

/// The value of a float or double tensor holding exactly one element.
fn tensor_scalar(t: &proto::TensorProto) -> Option<f64> {
    if let Some(shape) = &t.tensor_shape {
        // Sizes are never negative except -1 (unknown), so one element means every size is 1.
        if shape.unknown_rank || shape.dim.iter().any(|d| d.size != 1) {
            return None;
        }
    }
    match t.dtype {
        proto::DT_FLOAT => {
            if !t.tensor_content.is_empty() {
                let bytes: [u8; 4] = t.tensor_content.as_slice().try_into().ok()?;
                Some(widen(f32::from_le_bytes(bytes)))
            } else if let [x] = t.float_val.as_slice() {
                Some(widen(*x))
            } else {
                None
            }
        }
        proto::DT_DOUBLE => {
            if !t.tensor_content.is_empty() {
                let bytes: [u8; 8] = t.tensor_content.as_slice().try_into().ok()?;
                Some(f64::from_le_bytes(bytes))
            } else if let [x] = t.double_val.as_slice() {
                Some(*x)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What is known about one tag.
struct TagState {
    /// False once the tag's metadata named a plugin other than "scalars". Writers often send
    /// the metadata only with a tag's first value, so it is remembered.
    scalar_plugin: bool,
    /// The index of its series, once it had a scalar value.
    series: Option<usize>,
}

struct Collector {
    split_hint: Option<Split>,
    /// Tag → index in `tag_states`.
    tags: FxHashMap<String, usize>,
    tag_states: Vec<TagState>,
    /// Several tags may map to one series (`train/loss` and `train_loss`).
    keys: FxHashMap<(String, Split, bool), usize>,
    series: Vec<Series>,
    /// Per series: whether its tag carried no split prefix (its split is the hint's).
    bare: Vec<bool>,
}

impl Collector {
    /// The series, without a bare-tag training series that repeats an eval series of the same
    /// name point for point: TF Estimator's evaluation files (under `eval/`) log the eval loss
    /// both as `eval_loss` and as a bare `loss`, which would otherwise read as a training loss.
    fn finish(self) -> Vec<Series> {
        let series = &self.series;
        let is_copy = |(s, bare): (&Series, &bool)| {
            *bare
                && s.split == Split::Train
                && series.iter().any(|e| e.split == Split::Eval && e.name == s.name && e.points == s.points)
        };
        let keep: Vec<bool> = series.iter().zip(&self.bare).map(|p| !is_copy(p)).collect();
        self.series.into_iter().zip(keep).filter_map(|(s, k)| k.then_some(s)).collect()
    }

    fn new(split_hint: Option<Split>) -> Collector {
        Collector {
            split_hint,
            tags: FxHashMap::default(),
            tag_states: Vec::new(),
            keys: FxHashMap::default(),
            series: Vec::new(),
            bare: Vec::new(),
        }
    }

    fn add(&mut self, event: proto::Event) {
        let Some(summary) = event.summary else { return };
        let step = u64::try_from(event.step).ok();
        for value in summary.value {
            let plugin = value.metadata.and_then(|m| m.plugin_data).map(|p| p.plugin_name).filter(|p| !p.is_empty());
            let state = match self.tags.get(value.tag.as_str()) {
                Some(&index) => &mut self.tag_states[index],
                None => {
                    self.tags.insert(value.tag.clone(), self.tag_states.len());
                    self.tag_states.push(TagState { scalar_plugin: true, series: None });
                    self.tag_states.last_mut().expect("pushed")
                }
            };
            if let Some(plugin) = plugin {
                state.scalar_plugin = plugin == "scalars";
            }
            let number = match (value.simple_value, &value.tensor) {
                (Some(x), _) => widen(x),
                (None, Some(tensor)) if state.scalar_plugin => match tensor_scalar(tensor) {
                    Some(x) => x,
                    None => continue,
                },
                _ => continue,
            };
            let index = match state.series {
                Some(index) => index,
                None => {
                    let mut key = tag_to_series(&value.tag, self.split_hint);
                    // The names every reader shares: bookkeeping (epoch, runtime, FLOPs) is not
                    // a series, aliases (lr, acc) are spelled out; HF's end-of-training
                    // `train/train_loss` is an average, not a point of the loss curve.
                    let Some(shared) = super::names::normalize_name(&key.0) else { continue };
                    if key.1 == Split::Train && key.0 == "train_loss" {
                        continue;
                    }
                    key.0 = shared.name;
                    let index = match self.keys.get(&key) {
                        Some(&index) => index,
                        None => {
                            let index = self.series.len();
                            self.series.push(Series {
                                name: key.0.clone(),
                                split: key.1,
                                per_epoch: key.2,
                                points: Vec::new(),
                            });
                            self.keys.insert(key, index);
                            let split_of = |hint| tag_to_series(&value.tag, Some(hint)).1;
                            self.bare.push(split_of(Split::Eval) != split_of(Split::Test));
                            index
                        }
                    };
                    state.series = Some(index);
                    index
                }
            };
            self.series[index].points.push(Point { step, epoch: None, value: number });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_test_vector() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        // ((0xE3069283 >> 15) | (0xE3069283 << 17)) + 0xa282ead8, computed independently.
        assert_eq!(masked_crc32c(b"123456789"), 0xC78A_B0E5);
        // The first header of the tensorboardX fixture: length 24 and its masked CRC.
        assert_eq!(masked_crc32c(&24u64.to_le_bytes()), u32::from_le_bytes([0xa3, 0x7f, 0x4b, 0x22]));
    }

    #[test]
    fn tags() {
        let t = |tag: &str| tag_to_series(tag, None);
        assert_eq!(t("train/loss"), ("loss".into(), Split::Train, false));
        assert_eq!(t("eval/loss"), ("loss".into(), Split::Eval, false));
        assert_eq!(t("train/learning_rate"), ("learning_rate".into(), Split::Train, false));
        assert_eq!(t("eval/accuracy"), ("accuracy".into(), Split::Eval, false));
        assert_eq!(t("train_loss"), ("loss".into(), Split::Train, false));
        assert_eq!(t("val_accuracy"), ("accuracy".into(), Split::Eval, false));
        assert_eq!(t("Validation/F1"), ("f1".into(), Split::Eval, false));
        assert_eq!(t("valid_loss"), ("loss".into(), Split::Eval, false));
        assert_eq!(t("training/loss"), ("loss".into(), Split::Train, false));
        assert_eq!(t("test/accuracy"), ("accuracy".into(), Split::Test, false));
        assert_eq!(t("eval/accuracy/top1"), ("accuracy_top1".into(), Split::Eval, false));
        assert_eq!(t("loss"), ("loss".into(), Split::Train, false));
        assert_eq!(t("epoch_loss"), ("loss".into(), Split::Train, true));
        assert_eq!(tag_to_series("epoch_loss", Some(Split::Eval)), ("loss".into(), Split::Eval, true));
        assert_eq!(tag_to_series("train/loss", Some(Split::Eval)), ("loss".into(), Split::Train, false));
        assert_eq!(t("batch_loss"), ("loss".into(), Split::Train, false));
        assert_eq!(t("evaluation_loss_vs_iterations"), ("loss".into(), Split::Eval, true));
        assert_eq!(t("train_loss_epoch"), ("loss".into(), Split::Train, true));
        assert_eq!(t("train_loss_step"), ("loss".into(), Split::Train, false));
        assert_eq!(t("epoch"), ("epoch".into(), Split::Train, false));
        assert_eq!(t("train/epoch"), ("epoch".into(), Split::Train, false));
        assert_eq!(t("train/"), ("train/".replace('/', "_"), Split::Train, false));
        assert_eq!(t("validation_loss"), ("loss".into(), Split::Eval, false));
        assert_eq!(t("trainer/global_step"), ("trainer_global_step".into(), Split::Train, false));
    }

    #[test]
    fn widening_keeps_the_logged_decimal() {
        assert_eq!(widen(0.1), 0.1);
        assert_eq!(widen(2.5e-5), 2.5e-5);
        assert_eq!(widen(f32::MAX) as f32, f32::MAX);
        assert_eq!(widen(f32::MIN_POSITIVE) as f32, f32::MIN_POSITIVE);
        assert!(widen(f32::NAN).is_nan());
        assert_eq!(widen(f32::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(widen(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(widen(0.8496), 0.8496);
        assert_eq!(widen(4.9833332e-5), 4.9833332e-5);
        assert_eq!(widen(3.7e10), 3.7e10);
        assert_eq!(widen(-1.8181819), -1.8181819);
    }

    #[test]
    fn fast_widening_equals_shortest_formatting() {
        // Every 9973rd f32 bit pattern (both signs, all exponents), plus round decimals.
        let mut differ = 0;
        let mut checked = 0;
        let mut check = |x: f32| {
            if !x.is_finite() {
                return;
            }
            let (fast, slow) = (widen(x), widen_by_formatting(x));
            assert_eq!(fast as f32, x, "{x:e} does not round-trip");
            if fast != slow {
                differ += 1;
                assert!(differ < 5, "{x:e}: {fast:e} vs {slow:e}");
            }
            checked += 1;
        };
        for bits in (0..=u32::MAX).step_by(9973) {
            check(f32::from_bits(bits));
        }
        for n in 0..200_000u32 {
            check(n as f32 / 10_000.0);
            check(n as f32 * 1e-7);
        }
        assert_eq!(differ, 0, "of {checked}");
    }
}

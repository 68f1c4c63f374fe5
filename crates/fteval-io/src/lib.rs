//! fteval-io: reads prediction files — CSV, TSV, JSON Lines, JSON arrays and Parquet, each
//! optionally gzipped, or stdin — into typed columns, and prepares them for evaluation.

pub mod cell;
pub mod columns;
pub mod error;
pub mod formats;
pub mod generation;
pub mod generation_columns;
pub mod label_names;
pub mod leakage;
pub mod limits;
pub mod logs;
pub mod ner;
pub mod pair;
pub mod prediction_column;
pub mod predictions;
pub mod prepare;
pub mod pyliteral;
pub mod source;
pub mod task;
pub mod text_fields;

pub use columns::ColumnOverrides;
pub use error::InputError;
pub use generation::{read_generation, GenerationInput, GenerationReadOptions};
pub use pair::{align_predictions, AlignedInputs};
pub use predictions::{read_predictions, Predictions, ReadOptions};
pub use prepare::{attach_gold, prepare, PrepareOptions, Prepared, PreparedInput};
pub use source::Format;

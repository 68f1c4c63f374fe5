//! `fteval rank FILE FILE...`

use crate::cli::RankArgs;
use crate::error::CliError;

pub fn run(_args: RankArgs) -> Result<i32, CliError> {
    Err(CliError::usage("rank: not built yet", ""))
}

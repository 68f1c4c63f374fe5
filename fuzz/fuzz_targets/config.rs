//! fteval.toml: the binary's own reader and validation (read_config and judge of
//! crates/fteval/src/commands/settings.rs, compiled here with the CLI types it uses, as the binary has no lib).
//! settings.rs names `super::config_source`; at the crate root here, `super` is the root, where it is declared.
#![no_main]
#![allow(dead_code)]

#[path = "../../crates/fteval/src/cli.rs"]
mod cli;
#[path = "../../crates/fteval/src/commands/config_source.rs"]
mod config_source;
#[path = "../../crates/fteval/src/error.rs"]
mod error;
#[path = "../../crates/fteval/src/ranges.rs"]
mod ranges;
#[path = "../../crates/fteval/src/commands/settings.rs"]
mod settings;

use clap::Parser;
use libfuzzer_sys::fuzz_target;

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    judge: cli::JudgeArgs,
}

fuzz_target!(|data: &[u8]| {
    let path = fteval_fuzz::file("fteval.toml", data);
    let flags = Flags::try_parse_from(["fteval", "--config", &path]).expect("flags");
    if let Ok(judge) = settings::judge(&flags.judge) {
        for task in [fteval_core::Task::Binary, fteval_core::Task::Multiclass, fteval_core::Task::Generation] {
            let _ = judge.check_profile(task);
            let _ = judge.primary(task);
        }
    }
});

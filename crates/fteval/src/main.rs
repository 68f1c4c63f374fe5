//! fteval: the thin binary. Parses flags, runs one command, maps errors to exit codes
//! (0 ran, 1 a gate failed, 2 bad usage or input).

mod cli;
mod commands;
mod error;
mod output;
mod progress;
mod ranges;

use clap::Parser;

/// mimalloc keeps freed pages for reuse: large per-class buffers are not page-faulted anew.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // A panic is a bug, but users still get one line and exit code 2, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let info = info.to_string();
        eprintln!(
            "error: internal error: {}\n  hint: this is a bug in fteval; please report it with the command you ran",
            fteval_report::escape_controls(&info)
        );
        std::process::exit(2);
    }));
    let cli = cli::Cli::try_parse().unwrap_or_else(|e| match error::out_of_range(&e) {
        Some(flag_error) => {
            eprintln!("{flag_error}");
            std::process::exit(2);
        }
        None => e.exit(),
    });
    if let Some(l) = cli.command.limits() {
        fteval_io::limits::set(fteval_io::limits::Limits { max_input: l.max_input_size, max_row: l.max_row_size });
    }
    let code = match cli.command {
        cli::Command::Metrics(args) => commands::metrics::run(args),
        cli::Command::Compare(args) => commands::compare::run(args),
        cli::Command::Rank(args) => commands::rank::run(args),
        cli::Command::Curves(args) => commands::curves::run(args),
        cli::Command::Leakage(args) => commands::leakage::run(args),
        cli::Command::Check(args) => commands::check::run(args),
        cli::Command::Demo(args) => commands::demo::run(args),
        cli::Command::Init(args) => commands::init::run(args),
    };
    match code {
        Ok(c) => std::process::exit(c),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}

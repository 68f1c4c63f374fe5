//! fteval's command line as a library: parses flags, runs one command, maps errors to exit
//! codes (0 ran, 1 a gate failed, 2 bad usage or input). The `fteval` binary and the Python
//! wheel's `fteval` command both call [`run`].

mod cli;
mod commands;
mod error;
mod output;
mod paths;
mod progress;
mod ranges;

use std::io::IsTerminal;

use clap::Parser;

/// Runs the command line `args` (the first is the program name) and exits the process with
/// its exit code.
pub fn run<I, T>(args: I) -> !
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // A panic is a bug, but users still get one line and exit code 2, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        output::note(format!(
            "error: internal error: {info}\n  hint: this is a bug in fteval; please report it with the command you ran"
        ));
        std::process::exit(2);
    }));
    let argv_has_empty = args.iter().skip(1).any(|a| a.is_empty());
    let cli = cli::Cli::try_parse_from(&args).unwrap_or_else(|e| {
        match error::out_of_range(&e).or(error::empty_value(&e, argv_has_empty)) {
            Some(flag_error) => {
                output::note(flag_error);
                std::process::exit(2);
            }
            None => exit_on_parse_error(e),
        }
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
            output::note(&e);
            std::process::exit(2);
        }
    }
}

/// Ends a run whose flags did not parse, as clap does, except that help and version text for a
/// pipe or a file is written like every other output: a closed pipe exits 0, a full disk 2.
fn exit_on_parse_error(e: clap::Error) -> ! {
    let text = e.render().to_string();
    if e.use_stderr() {
        // clap quotes the arguments it rejects; they are shown escaped like any other input.
        output::note(text.trim_end());
        std::process::exit(e.exit_code());
    }
    if std::io::stdout().is_terminal() {
        e.exit();
    }
    match output::write_stdout(|w| w.write_all(text.as_bytes())) {
        Ok(()) => std::process::exit(0),
        Err(err) => {
            output::note(&err);
            std::process::exit(2);
        }
    }
}

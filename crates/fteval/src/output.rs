//! Where and how a report is written: format resolution, colour, files, closed pipes.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use fteval_report::{Html, Json, Markdown, Renderer, Terminal};

use crate::cli::{CommonArgs, OutputFormat};
use crate::error::CliError;

/// The validated output settings of a command.
pub struct Output {
    pub format: OutputFormat,
    pub path: Option<PathBuf>,
    pub color: bool,
}

impl Output {
    pub fn from_args(args: &CommonArgs) -> Result<Output, CliError> {
        let stdout_tty = io::stdout().is_terminal();
        let format = match (args.format, &args.output) {
            (Some(f), _) => f,
            (None, Some(p)) => format_from_extension(p),
            (None, None) if stdout_tty => OutputFormat::Terminal,
            (None, None) => OutputFormat::Json,
        };
        let color = format == OutputFormat::Terminal
            && args.output.is_none()
            && stdout_tty
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Ok(Output { format, path: args.output.clone(), color })
    }

    pub fn renderer(&self) -> Box<dyn Renderer> {
        match self.format {
            OutputFormat::Json => Box::new(Json),
            OutputFormat::Markdown => Box::new(Markdown),
            OutputFormat::Html => Box::new(Html),
            _ => Box::new(Terminal { color: self.color }),
        }
    }

    /// Runs `write` against the destination. A closed pipe (`fteval … | head`) is not an error.
    pub fn write(&self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
        let result = match &self.path {
            Some(p) => {
                let file = File::create(p).map_err(|e| {
                    CliError::usage(
                        format!("--output {}: cannot create the file: {e}", p.display()),
                        "check that the folder exists and is writable",
                    )
                })?;
                let mut w = BufWriter::new(file);
                write(&mut w).and_then(|_| w.flush())
            }
            None => {
                let stdout = io::stdout();
                let mut w = BufWriter::new(stdout.lock());
                write(&mut w).and_then(|_| w.flush())
            }
        };
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(CliError::usage(format!("cannot write the report: {e}"), "check the output destination")),
        }
    }
}

fn format_from_extension(p: &Path) -> OutputFormat {
    match p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
        Some("md") | Some("markdown") => OutputFormat::Markdown,
        Some("html") | Some("htm") => OutputFormat::Html,
        Some("txt") => OutputFormat::Terminal,
        _ => OutputFormat::Json,
    }
}

/// Appends a Markdown report to the GitHub Actions job summary when `$GITHUB_STEP_SUMMARY` is
/// set. A summary that cannot be written is a warning: it must not change the run's exit code.
pub fn append_step_summary(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else { return };
    let mut text = Vec::new();
    let written = render(&mut text).and_then(|_| {
        text.push(b'\n');
        std::fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| f.write_all(&text))
    });
    if let Err(e) = written {
        eprintln!("warning: $GITHUB_STEP_SUMMARY {}: cannot append the report: {e}", Path::new(&path).display());
    }
}

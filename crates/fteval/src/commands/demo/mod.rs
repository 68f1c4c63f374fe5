//! `fteval demo`: a bundled example project that shows every check on one realistic story.

pub mod data;

use std::path::Path;

use fteval_core::Severity;
use fteval_report::document::CheckDocument;
use fteval_report::{Html, Json, Markdown, Renderer};

use crate::cli::DemoArgs;
use crate::error::CliError;

/// The reports `fteval demo` writes next to the project files.
pub const REPORTS: [&str; 4] = ["report.html", "report.md", "report.json", "junit.xml"];

/// Refuses to write into a folder holding anything but a previous demo.
fn check_out_dir(out: &Path) -> Result<(), CliError> {
    let Ok(entries) = std::fs::read_dir(out) else { return Ok(()) };
    let foreign: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !data::FILES.contains(&n.as_str()) && !REPORTS.contains(&n.as_str()))
        .collect();
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(CliError::usage(
            format!(
                "--out {}: the folder holds files fteval demo did not write ({})",
                out.display(),
                foreign.join(", ")
            ),
            "choose an empty or new folder: fteval demo --out DIR",
        ))
    }
}

fn write_report(path: &Path, render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<(), CliError> {
    let mut bytes = Vec::new();
    render(&mut bytes).and_then(|_| std::fs::write(path, &bytes)).map_err(|e| {
        CliError::usage(
            format!("{}: cannot write the report: {e}", path.display()),
            "check that the folder is writable",
        )
    })
}

/// Writes the HTML, Markdown, JSON and JUnit reports of `doc` into `out`.
fn write_reports(doc: &CheckDocument, out: &Path) -> Result<(), CliError> {
    write_report(&out.join("report.html"), |w| Html.check(doc, w))?;
    write_report(&out.join("report.md"), |w| Markdown.check(doc, w))?;
    write_report(&out.join("report.json"), |w| Json.check(doc, w))?;
    write_report(&out.join("junit.xml"), |w| {
        use std::io::Write;
        w.write_all(super::check::junit_xml(doc, false).as_bytes())
    })
}

pub fn run(args: DemoArgs) -> Result<i32, CliError> {
    let out = &args.out;
    check_out_dir(out)?;
    data::write_project(out).map_err(|e| {
        CliError::usage(
            format!("--out {}: cannot write the demo project: {e}", out.display()),
            "choose a writable folder",
        )
    })?;
    let config = out.join("fteval.toml");
    let doc = super::check::document(&config, &args.stats, args.seed)?;
    write_reports(&doc, out)?;
    println!("fteval demo — a fraud detector before and after fine-tuning ({})\n", out.display());
    println!("Verdict: {}", doc.verdict.headline());
    println!("{}\n", doc.summary);
    for (i, r) in doc.reasons.iter().enumerate() {
        let tag = match r.severity {
            Severity::Fail => "✗",
            Severity::Warn => "!",
            Severity::Info => "·",
        };
        println!("  {:>2}. {tag} {} ({})", i + 1, r.id, r.source);
    }
    println!("\nReports:");
    for r in REPORTS {
        println!("  {}", out.join(r).display());
    }
    println!(
        "\nOpen {} in a browser. The same verdict from the config: fteval check {}",
        out.join("report.html").display(),
        config.display()
    );
    Ok(0)
}

//! `fteval demo`: a bundled example project that shows every check on one realistic story.

pub mod data;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fteval_core::Severity;
use fteval_report::document::CheckDocument;
use fteval_report::{Html, Json, Markdown, Renderer};

use crate::cli::DemoArgs;
use crate::error::CliError;
use crate::output::{write_file, write_stdout_text, Links};
use crate::paths::{self, Named};

/// The reports `fteval demo` writes next to the project files.
pub const REPORTS: [&str; 4] = ["report.html", "report.md", "report.json", "junit.xml"];

/// The file that marks a folder as written by `fteval demo`: a later demo may replace the
/// demo's files there, and no others.
pub const MARKER: &str = ".fteval-demo";

/// Every file name `fteval demo` writes.
fn demo_files() -> impl Iterator<Item = &'static str> {
    std::iter::once(MARKER).chain(data::FILES).chain(REPORTS)
}

/// Refuses to write into a folder that is neither new, empty nor a previous demo's (it holds
/// [`MARKER`]), unless `force`: the files there may be the user's own `baseline.csv`.
fn check_out_dir(out: &Path, force: bool) -> Result<(), CliError> {
    let Ok(entries) = std::fs::read_dir(out) else { return Ok(()) };
    let names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    if force || names.is_empty() || names.iter().any(|n| n == MARKER) {
        return Ok(());
    }
    let mut clobbered: Vec<&str> = demo_files().filter(|f| names.iter().any(|n| n == f)).collect();
    clobbered.sort_unstable();
    let shown = out.display();
    if clobbered.is_empty() {
        let mut names = names;
        names.sort();
        return Err(CliError::usage(
            format!("--out {shown}: the folder holds files fteval demo did not write ({})", names.join(", ")),
            "choose an empty or new folder: fteval demo --out DIR",
        ));
    }
    Err(CliError::usage(
        format!(
            "--out {shown}: fteval demo would overwrite {} there, which a previous demo did not write (no {MARKER} file)",
            clobbered.join(", ")
        ),
        "choose an empty or new folder (fteval demo --out DIR), or pass --force to replace those files",
    ))
}

/// Writes one of the demo's files, whole or not at all, never through a link.
fn write_demo_file(path: &Path, what: &str, bytes: &[u8]) -> Result<(), CliError> {
    write_file("--out", path, Links::Refuse, |w| {
        w.write_all(bytes).map_err(|e| {
            CliError::usage(
                format!("{}: cannot write the {what}: {e}", path.display()),
                "check that the folder is writable and has free space",
            )
        })
    })
}

/// Writes the marker and the demo project into `out` (created if missing); returns the
/// project's files.
fn write_project(out: &Path) -> Result<Vec<PathBuf>, CliError> {
    std::fs::create_dir_all(out).map_err(|e| {
        CliError::usage(format!("--out {}: cannot create the folder: {e}", out.display()), "choose a writable folder")
    })?;
    let mut marker = String::from("Written by `fteval demo`; `fteval demo --out` this folder again replaces:\n");
    for f in demo_files().skip(1) {
        marker.push_str(f);
        marker.push('\n');
    }
    write_demo_file(&out.join(MARKER), "demo marker", marker.as_bytes())?;
    let mut written = Vec::new();
    for (name, content) in data::project_files() {
        let path = out.join(name);
        write_demo_file(&path, "demo project", content.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

fn render(render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Vec<u8> {
    let mut bytes = Vec::new();
    render(&mut bytes).expect("writing to memory cannot fail");
    bytes
}

/// Writes the HTML, Markdown, JSON and JUnit reports of `doc` into `out`.
fn write_reports(doc: &CheckDocument, out: &Path) -> Result<(), CliError> {
    write_demo_file(&out.join("report.html"), "report", &render(|w| Html.check(doc, w)))?;
    write_demo_file(&out.join("report.md"), "report", &render(|w| Markdown.check(doc, w)))?;
    write_demo_file(&out.join("report.json"), "report", &render(|w| Json.check(doc, w)))?;
    write_demo_file(&out.join("junit.xml"), "report", super::check::junit_xml(doc, false).as_bytes())
}

/// What the demo prints: the verdict, its reasons and where the reports are.
fn summary(doc: &CheckDocument, out: &Path, config: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "fteval demo — a fraud detector before and after fine-tuning ({})\n", out.display());
    let _ = writeln!(s, "Verdict: {}", doc.verdict.headline());
    let _ = writeln!(s, "{}\n", doc.summary);
    for (i, r) in doc.reasons.iter().enumerate() {
        let tag = match r.severity {
            Severity::Fail => "✗",
            Severity::Warn => "!",
            Severity::Info => "·",
        };
        let _ = writeln!(s, "  {:>2}. {tag} {} ({})", i + 1, r.id, r.source);
    }
    let _ = writeln!(s, "\nReports:");
    for r in REPORTS {
        let _ = writeln!(s, "  {}", out.join(r).display());
    }
    let _ = writeln!(
        s,
        "\nOpen {} in a browser. The same verdict from the config: fteval check {}",
        out.join("report.html").display(),
        config.display()
    );
    s
}

pub fn run(args: DemoArgs) -> Result<i32, CliError> {
    let out = &args.out;
    check_out_dir(out, args.force)?;
    let project =
        |files: &[PathBuf]| -> Vec<Named> { files.iter().map(|f| Named::path("the demo project's", f)).collect() };
    let mut outputs: Vec<Named> = REPORTS.iter().map(|r| Named::path("the demo report", out.join(r))).collect();
    outputs.push(Named::stdio("standard output"));
    let planned: Vec<PathBuf> = data::FILES.iter().map(|f| out.join(f)).collect();
    paths::refuse_overwrites(&project(&planned), &outputs)?;
    let written = write_project(out)?;
    paths::refuse_overwrites(&project(&written), &outputs)?;
    let config = out.join("fteval.toml");
    let doc = super::check::document(&config, &args.stats, args.seed)?;
    write_reports(&doc, out)?;
    write_stdout_text(&summary(&doc, out, &config))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("demo");
        let written = write_project(&target).unwrap();
        assert_eq!(written.len(), data::FILES.len());
        for (path, name) in written.iter().zip(data::FILES) {
            assert_eq!(path, &target.join(name));
            assert!(std::fs::metadata(path).unwrap().len() > 0);
        }
        let toml = std::fs::read_to_string(target.join("fteval.toml")).unwrap();
        let parsed: toml::Value = toml::from_str(&toml).unwrap();
        assert_eq!(parsed["profile"].as_str(), Some("fraud"));
        assert_eq!(parsed["files"]["logs"][0].as_str(), Some("trainer_state.json"));
        let marker = std::fs::read_to_string(target.join(MARKER)).unwrap();
        assert!(marker.lines().any(|l| l == "baseline.csv") && marker.lines().any(|l| l == "report.html"));
        // The folder a demo wrote is accepted again; a folder with the user's own baseline.csv is not.
        assert!(check_out_dir(&target, false).is_ok());
        let mine = dir.path().join("mine");
        std::fs::create_dir(&mine).unwrap();
        std::fs::write(mine.join("baseline.csv"), "id,label,pred\n").unwrap();
        let err = check_out_dir(&mine, false).unwrap_err();
        assert!(err.message.contains("baseline.csv") && err.hint.contains("--force"), "{err}");
        assert!(check_out_dir(&mine, true).is_ok());
    }
}

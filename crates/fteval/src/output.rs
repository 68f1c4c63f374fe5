//! Where and how a report is written: format resolution, colour, files written whole or not at
//! all, standard output, closed pipes.

use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use fteval_report::{Html, Json, Markdown, Renderer, Terminal};

use crate::cli::{CommonArgs, OutputFormat};
use crate::error::CliError;
use crate::paths::Named;

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

    /// Where the report goes: the `--output` file, or standard output.
    pub fn destination(&self) -> Named {
        match &self.path {
            Some(p) => Named::path("--output", p),
            None => Named::stdio("standard output"),
        }
    }

    /// Runs `write` against the destination. A closed pipe (`fteval … | head`) is not an error;
    /// a file is replaced only by a complete report.
    pub fn write(&self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
        match &self.path {
            Some(p) => write_file("--output", p, Links::Follow, |w| match write(w) {
                // Only a pipe (`--output /dev/stdout`) breaks: its reader is gone.
                Err(e) if is_broken_pipe(&e) => Ok(()),
                Err(e) => Err(CliError::usage(
                    format!("--output {}: cannot write the report: {e}", p.display()),
                    "check the free space and the output destination; the previous file, if any, is left as it was",
                )),
                Ok(()) => Ok(()),
            }),
            None => write_stdout(write),
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

/// Whether `e`, or an error it wraps (a serializer's), is a closed pipe: the reader is gone
/// (`fteval … | head`), which is not a failure of the run.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe) {
            return true;
        }
        if c.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind()) == Some(io::ErrorKind::BrokenPipe) {
            return true;
        }
        cause = match c.downcast_ref::<io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => c.source(),
        };
    }
    false
}

/// Writes to standard output, the one way every command prints: a closed pipe ends the output
/// quietly (exit as if written), any other failure (a full disk) is an error, never a panic.
pub fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    match write(&mut w).and_then(|_| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if is_broken_pipe(&e) => Ok(()),
        Err(e) => Err(CliError::usage(
            format!("cannot write to standard output: {e}"),
            "check where standard output goes (a full disk, a closed file), or write the report with --output PATH",
        )),
    }
}

/// Writes a command's own text (a summary quoting file, column or folder names) to standard
/// output, control characters from those names escaped, as [`write_stdout`] writes it.
pub fn write_stdout_text(text: &str) -> Result<(), CliError> {
    write_stdout(|w| w.write_all(fteval_report::sanitize::escape_controls_keep_newlines(text).as_bytes()))
}

/// Writes a diagnostic line to standard error, control characters from input data escaped. A line
/// that cannot be written cannot be reported either, so a failure is ignored, not a panic.
pub fn note(line: impl std::fmt::Display) {
    let line = line.to_string();
    let _ = writeln!(io::stderr().lock(), "{}", fteval_report::sanitize::escape_controls_keep_newlines(&line));
}

/// How a destination that is a symbolic link is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// A path the user named (`--output`, `--junit`, `--write-clean`): the link's target is written.
    Follow,
    /// A file fteval names itself (`init`'s fteval.toml, `demo`'s files): a link is refused, so a
    /// link planted there never redirects the write elsewhere.
    Refuse,
}

/// Where a write to `path` lands.
enum Target {
    /// A regular file (or none yet): replaced by a complete temporary file renamed over it.
    Replace(PathBuf),
    /// A device, pipe or socket (`/dev/null`, `/dev/stdout`, a FIFO): written in place.
    Stream,
}

/// The file a symbolic link finally names (a dangling link's missing target included), at most
/// 40 links deep as the kernel allows.
pub fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// `path` in messages, after the flag that named it (if any).
fn label(flag: &str, path: &Path) -> String {
    if flag.is_empty() {
        path.display().to_string()
    } else {
        format!("{flag} {}", path.display())
    }
}

/// Refuses `path` when it is a symbolic link, dangling or not: a file fteval names itself is
/// never written through a link someone planted there.
pub fn refuse_link(flag: &str, path: &Path) -> Result<(), CliError> {
    if !fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Ok(());
    }
    let to = fs::read_link(path).map(|t| format!(" (to {})", t.display())).unwrap_or_default();
    Err(CliError::usage(
        format!("{}: is a symbolic link{to}; fteval does not write through links it did not make", label(flag, path)),
        format!("remove the link ({}) and run again, or choose another folder", path.display()),
    ))
}

fn target(flag: &str, path: &Path, links: Links) -> Result<Target, CliError> {
    let shown = label(flag, path);
    if links == Links::Refuse {
        refuse_link(flag, path)?;
    }
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(CliError::usage(
            format!("{shown}: is a folder, not a file"),
            format!("give a file name inside it, e.g. {}", path.join("report.json").display()),
        )),
        Ok(m) if !m.is_file() => Ok(Target::Stream),
        // The kernel's resolution, which also knows links like /dev/stdout -> /proc/self/fd/1.
        Ok(_) => Ok(Target::Replace(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))),
        // A new file, or the missing target of a dangling link.
        Err(_) => Ok(Target::Replace(follow_links(path).map_err(|e| {
            CliError::usage(format!("{shown}: cannot follow the link: {e}"), "give the path of a regular file")
        })?)),
    }
}

/// Writes a file whole or not at all: `write` fills a temporary file in the destination's folder,
/// which is flushed, synced and renamed over `path` only when complete. On any failure the
/// previous file is left as it was and the temporary file is removed. Devices and pipes
/// (`/dev/null`, a FIFO) are written directly; `flag` names the path in messages.
pub fn write_file<T>(
    flag: &str,
    path: &Path,
    links: Links,
    write: impl FnOnce(&mut dyn Write) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let shown = label(flag, path);
    let cannot = |what: &str, e: &dyn std::fmt::Display| {
        CliError::usage(
            format!("{shown}: cannot {what}: {e}"),
            "check that the folder exists, is writable and has free space; the previous file, if any, is left as it was",
        )
    };
    let dest = match target(flag, path, links)? {
        Target::Stream => {
            let file = File::options().write(true).open(path).map_err(|e| cannot("open the file", &e))?;
            let mut w = BufWriter::new(file);
            let value = write(&mut w)?;
            return match w.flush() {
                Err(e) if !is_broken_pipe(&e) => Err(cannot("write the file", &e)),
                _ => Ok(value),
            };
        }
        Target::Replace(dest) => dest,
    };
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let previous = fs::metadata(&dest).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder.prefix(".fteval-").suffix(".tmp");
    // As File::create would: a new file gets the usual permissions (0666 less the umask), not 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(&dir).map_err(|e| cannot("create the file", &e))?;
    // Through the plain file: its errors name the destination, not the temporary path.
    let mut w = BufWriter::new(temp.as_file());
    let value = write(&mut w)?;
    w.flush().map_err(|e| cannot("write the file", &e))?;
    drop(w);
    temp.as_file().sync_all().map_err(|e| cannot("write the file", &e))?;
    if let Some(p) = previous {
        // A replaced file keeps its permissions, as an overwrite would.
        let _ = fs::set_permissions(temp.path(), p);
    }
    temp.persist(&dest).map_err(|e| cannot("replace the file", &e.error))?;
    Ok(value)
}

/// The GitHub Actions job summary the run appends to, when `$GITHUB_STEP_SUMMARY` is set.
pub fn step_summary() -> Option<Named> {
    std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()).map(|p| Named::path("$GITHUB_STEP_SUMMARY", p))
}

/// Appends a Markdown report to the GitHub Actions job summary when `$GITHUB_STEP_SUMMARY` is
/// set. A summary that cannot be written is a warning: it must not change the run's exit code.
pub fn append_step_summary(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else { return };
    let mut text = Vec::new();
    let written = render(&mut text).and_then(|_| {
        text.push(b'\n');
        fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| f.write_all(&text))
    });
    if let Err(e) = written {
        note(format!("warning: $GITHUB_STEP_SUMMARY {}: cannot append the report: {e}", Path::new(&path).display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails_halfway(w: &mut dyn Write) -> Result<(), CliError> {
        w.write_all(&vec![b'x'; 100_000]).map_err(|e| CliError::usage(e.to_string(), ""))?;
        Err(CliError::usage("disk full", ""))
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".fteval-"))
            .collect()
    }

    #[test]
    fn a_write_that_fails_halfway_leaves_the_previous_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.json");
        fs::write(&report, "the good report").unwrap();
        let err = write_file("--output", &report, Links::Follow, fails_halfway).unwrap_err();
        assert_eq!(err.message, "disk full");
        assert_eq!(fs::read_to_string(&report).unwrap(), "the good report");
        assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
        // A failed first write leaves nothing at all.
        let new = dir.path().join("new.json");
        write_file("--output", &new, Links::Follow, fails_halfway).unwrap_err();
        assert!(!new.exists() && leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_complete_write_replaces_the_file_and_keeps_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.json");
        fs::write(&report, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&report, fs::Permissions::from_mode(0o640)).unwrap();
        }
        let n = write_file("--output", &report, Links::Follow, |w| {
            w.write_all(b"new").map_err(|e| CliError::usage(e.to_string(), ""))?;
            Ok(3)
        })
        .unwrap();
        assert_eq!(n, 3);
        assert_eq!(fs::read_to_string(&report).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&report).unwrap().permissions().mode() & 0o777, 0o640);
        }
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_to_their_target_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.json");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("target.json", &link).unwrap();
        let ok = |w: &mut dyn Write| w.write_all(b"report").map_err(|e| CliError::usage(e.to_string(), ""));
        // A dangling link a user named is written through: its target is created.
        write_file("--output", &link, Links::Follow, ok).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "report");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        let err = write_file("fteval.toml", &link, Links::Refuse, ok).unwrap_err();
        assert!(err.message.contains("is a symbolic link (to target.json)"), "{}", err.message);
        let err = write_file("--output", dir.path(), Links::Follow, ok).unwrap_err();
        assert!(err.message.contains("is a folder"), "{}", err.message);
    }

    #[test]
    fn broken_pipes_are_found_inside_serializer_errors() {
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&pipe));
        let json = serde_json::Error::io(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&io::Error::other(json)));
        assert!(!is_broken_pipe(&io::Error::from(io::ErrorKind::StorageFull)));
    }
}

//! The files a run reads and writes, and the one rule every command applies before it starts:
//! no output is one of the inputs, by identity (device and inode), not by name, so a symbolic or
//! hard link, `./x` or `../dir/x` cannot slip through.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use same_file::Handle;

use crate::cli::{InputArgs, JudgeArgs};
use crate::error::CliError;
use crate::output::follow_links;

/// Where a file is: a path, or the standard stream of its side (stdin for an input, stdout for
/// an output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Path(PathBuf),
    Stdio,
}

/// A file a run reads or writes, with what named it: a flag, an argument or a config key.
#[derive(Clone, Debug)]
pub struct Named {
    pub name: String,
    pub place: Place,
}

impl Named {
    pub fn path(name: impl Into<String>, path: impl Into<PathBuf>) -> Named {
        Named { name: name.into(), place: Place::Path(path.into()) }
    }

    pub fn stdio(name: impl Into<String>) -> Named {
        Named { name: name.into(), place: Place::Stdio }
    }

    /// An input path as the readers take it: `-` is standard input.
    pub fn input(name: &str, path: &str) -> Named {
        if path == "-" {
            Named::stdio(format!("{name} - (standard input)"))
        } else {
            Named::path(name, path)
        }
    }

    /// An open handle on the regular file this names, for comparing identities. Devices, pipes,
    /// folders and missing paths are no file an output could destroy, and are never opened (a
    /// named pipe opened here would lose the data its writer sends).
    fn regular_file(&self, output: bool) -> Option<Handle> {
        let handle = match &self.place {
            Place::Path(p) => {
                if !fs::metadata(p).is_ok_and(|m| m.is_file()) {
                    return None;
                }
                Handle::from_path(p).ok()?
            }
            Place::Stdio if output => Handle::stdout().ok()?,
            Place::Stdio => Handle::stdin().ok()?,
        };
        handle.as_file().metadata().is_ok_and(|m| m.is_file()).then_some(handle)
    }
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Place::Path(p) => write!(f, "{} {}", self.name, p.display()),
            Place::Stdio => write!(f, "{}", self.name),
        }
    }
}

/// The files the input flags name besides the predictions: `--gold`.
pub fn input_flag_files(input: &InputArgs) -> Vec<Named> {
    input.gold.iter().map(|g| Named::input("--gold", g)).collect()
}

/// The settings file a comparison reads: `--config`, else ./fteval.toml when present.
pub fn config_file(judge: &JudgeArgs) -> Named {
    match &judge.config {
        Some(p) => Named::path("--config", p),
        None => Named::path("the settings file", "fteval.toml"),
    }
}

/// Where a write to an output path lands: its folder, resolved, and its file name.
fn landing(p: &Path) -> Option<PathBuf> {
    let p = follow_links(p).ok()?;
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(dir).ok()?.join(p.file_name()?))
}

/// Whether two outputs would write the same file (by identity when both exist, else by where
/// they land).
fn same_output(a: &Named, b: &Named) -> bool {
    let (Place::Path(pa), Place::Path(pb)) = (&a.place, &b.place) else { return false };
    match (a.regular_file(true), b.regular_file(true)) {
        (Some(ha), Some(hb)) => ha == hb,
        _ => landing(pa).is_some_and(|la| landing(pb).is_some_and(|lb| la == lb)),
    }
}

/// Refuses a run that would write over one of its own inputs, or write two outputs to one file:
/// exit 2, naming both flags and paths. Run before anything is read or written.
pub fn refuse_overwrites(inputs: &[Named], outputs: &[Named]) -> Result<(), CliError> {
    let opened: Vec<(&Named, Handle)> = inputs.iter().filter_map(|i| Some((i, i.regular_file(false)?))).collect();
    for out in outputs {
        let Some(handle) = out.regular_file(true) else { continue };
        if let Some((input, _)) = opened.iter().find(|(_, h)| *h == handle) {
            return Err(overwrite(out, input));
        }
    }
    for (i, a) in outputs.iter().enumerate() {
        if let Some(b) = outputs[i + 1..].iter().find(|b| same_output(a, b)) {
            return Err(CliError::usage(
                format!("{a} and {b} name the same file: one would replace the other"),
                "give each output its own path",
            ));
        }
    }
    Ok(())
}

/// How two paths of one file are linked, for the message: a hard link (two names of one file),
/// a symbolic link, or nothing to say (one path written two ways).
fn link_between(a: &Path, b: &Path) -> &'static str {
    let is_link = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(ca), Ok(cb)) if ca != cb => " (a hard link to it)",
        _ if is_link(a) || is_link(b) => " (through a symbolic link)",
        _ => "",
    }
}

fn overwrite(out: &Named, input: &Named) -> CliError {
    let through = match (&out.place, &input.place) {
        (Place::Path(o), Place::Path(i)) => link_between(o, i),
        _ => "",
    };
    match out.place {
        Place::Stdio => CliError::usage(
            format!("{out} is the same file as {input}{through}: the report would be written into the input"),
            "redirect standard output to another file, or write the report with --output PATH",
        ),
        Place::Path(_) => CliError::usage(
            format!("{out} is the same file as {input}{through}: writing it would destroy the input"),
            format!("give {} another path; fteval never writes over a file it reads", out.name),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_by_any_path_is_refused_and_new_paths_pass() {
        let dir = tempfile::tempdir().unwrap();
        let test = dir.path().join("test.csv");
        fs::write(&test, "id,text\n1,a\n").unwrap();
        let inputs = [Named::path("--test", &test)];
        let err = refuse_overwrites(&inputs, &[Named::path("--write-clean", &test)]).unwrap_err();
        assert!(err.message.contains("--write-clean") && err.message.contains("--test"), "{}", err.message);
        // Another spelling of the path.
        let other = dir.path().join(".").join("test.csv");
        let err = refuse_overwrites(&inputs, &[Named::path("--output", &other)]).unwrap_err();
        assert!(!err.message.contains("link"), "{}", err.message);
        // A hard link.
        let hard = dir.path().join("hard.csv");
        fs::hard_link(&test, &hard).unwrap();
        let err = refuse_overwrites(&inputs, &[Named::path("--output", &hard)]).unwrap_err();
        assert!(err.message.contains("(a hard link to it)"), "{}", err.message);
        #[cfg(unix)]
        {
            let soft = dir.path().join("soft.csv");
            std::os::unix::fs::symlink(&test, &soft).unwrap();
            let err = refuse_overwrites(&inputs, &[Named::path("--output", &soft)]).unwrap_err();
            assert!(err.message.contains("(through a symbolic link)"), "{}", err.message);
        }
        // A path that does not exist yet cannot be the input.
        assert!(refuse_overwrites(&inputs, &[Named::path("--output", dir.path().join("new.json"))]).is_ok());
        // A folder input is no file to destroy.
        assert!(refuse_overwrites(&[Named::path("LOG", dir.path())], &[Named::path("--output", &test)]).is_ok());
    }

    #[test]
    fn two_outputs_on_one_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = Named::path("--output", dir.path().join("r.xml"));
        let b = Named::path("--junit", dir.path().join("sub/../r.xml"));
        fs::create_dir(dir.path().join("sub")).unwrap();
        let err = refuse_overwrites(&[], &[a, b]).unwrap_err();
        assert!(err.message.contains("--output") && err.message.contains("--junit"), "{}", err.message);
        let c = Named::path("--output", dir.path().join("a.json"));
        let d = Named::path("--junit", dir.path().join("b.xml"));
        assert!(refuse_overwrites(&[], &[c, d]).is_ok());
    }
}

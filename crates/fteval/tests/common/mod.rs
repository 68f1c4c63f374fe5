//! Helpers shared by the integration tests: run the built binary, parse its JSON.

#![allow(dead_code)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    /// The value of metric `key` in a metrics document.
    pub fn metric(&self, key: &str) -> f64 {
        let doc = self.json();
        doc["metrics"][key]["value"].as_f64().unwrap_or_else(|| panic!("no metric {key} in {doc}"))
    }
}

pub fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name).to_string_lossy().into_owned()
}

pub fn fteval(args: &[&str]) -> Run {
    fteval_stdin(args, None)
}

/// Runs in `dir` (where a fteval.toml may be read).
pub fn fteval_in(dir: &std::path::Path, args: &[&str]) -> Run {
    run(Command::cargo_bin("fteval").unwrap().current_dir(dir), args, None)
}

pub fn fteval_stdin(args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    run(&mut Command::cargo_bin("fteval").unwrap(), args, stdin)
}

fn run(cmd: &mut Command, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    cmd.args(args).env("NO_COLOR", "1");
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 + 1e-9 * b.abs()
}

/// Writes `rows` as JSON lines to `dir/name` and returns the path.
pub fn write_jsonl(dir: &std::path::Path, name: &str, rows: &[Value]) -> String {
    let path = dir.join(name);
    let text: String = rows.iter().map(|r| r.to_string() + "\n").collect();
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// A small deterministic word generator: `n` words `w0`..`w299`.
pub fn words(seed: &mut u64, n: usize) -> String {
    (0..n)
        .map(|_| {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            format!("w{}", (*seed >> 33) % 300)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

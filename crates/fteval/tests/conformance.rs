//! Runs every case of tests/conformance/*.jsonl (computed with scikit-learn and the other
//! references; copied from the project's shared conformance suite) against the built binary.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// The value at a dotted path; segments index objects by key and arrays by number.
fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = doc;
    for seg in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Compares with absolute and relative tolerance 1e-6, recursing into arrays.
fn matches(got: Option<&Value>, want: &Value) -> bool {
    match (got, want) {
        (None | Some(Value::Null), Value::Null) => true,
        (Some(Value::Number(g)), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            (g - w).abs() <= 1e-6 + 1e-6 * w.abs()
        }
        (Some(Value::Array(g)), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(g, w)| matches(Some(g), w))
        }
        (Some(g), w) => g == w,
        (None, _) => false,
    }
}

fn run_suite(file: &str) -> (usize, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance").join(file);
    let text = std::fs::read_to_string(&path).expect("conformance file");
    let mut failures = Vec::new();
    let mut cases = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        cases += 1;
        let name = case["name"].as_str().unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in case["files"].as_object().unwrap() {
            std::fs::write(dir.path().join(rel), content.as_str().unwrap()).unwrap();
        }
        let mut args: Vec<String> =
            case["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
        args.extend(["--format".to_string(), "json".to_string()]);
        let out = Command::cargo_bin("fteval").unwrap().current_dir(dir.path()).args(&args).output().unwrap();
        if out.status.code() == Some(2) {
            failures.push(format!("{name}: exit 2: {}", String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let doc: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: output is not JSON ({e})"));
                continue;
            }
        };
        for (key, want) in case["expect"].as_object().unwrap() {
            let got = lookup(&doc, key);
            if !matches(got, want) {
                failures.push(format!(
                    "{name}: {key}: expected {want}, got {}",
                    got.map(|g| g.to_string()).unwrap_or("nothing".into())
                ));
            }
        }
    }
    (cases, failures)
}

#[test]
fn classification_conformance() {
    let (cases, failures) = run_suite("classification.jsonl");
    assert!(cases >= 14, "only {cases} cases found");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn comparison_tolerance_can_fail() {
    use serde_json::json;
    assert!(matches(Some(&json!(0.5000001)), &json!(0.5)));
    assert!(!matches(Some(&json!(0.50001)), &json!(0.5)));
    assert!(!matches(None, &json!(0.5)));
    assert!(matches(None, &json!(null)));
    assert!(!matches(Some(&json!([[1, 2]])), &json!([[1, 3]])));
}

#[test]
fn compare_conformance() {
    let (cases, failures) = run_suite("compare.jsonl");
    assert!(cases >= 5, "only {cases} cases found");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn text_conformance() {
    let (cases, failures) = run_suite("text.jsonl");
    assert!(cases >= 7, "only {cases} cases found");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// Scripts without spaces and sacreBLEU's zh, char and intl tokenizers (made by
/// tests/conformance/make_unspaced.py with sacreBLEU 2.6.0 and rouge-score 0.1.2).
#[test]
fn unspaced_conformance() {
    let (cases, failures) = run_suite("unspaced.jsonl");
    assert!(cases >= 6, "{cases} cases");
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), failures.join("\n"));
}

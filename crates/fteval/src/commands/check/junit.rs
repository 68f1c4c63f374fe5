//! `--junit PATH`: the check as JUnit XML, so CI test tabs list every gate and check.

use fteval_core::Severity;
use fteval_report::document::{CheckDocument, CheckVerdict};

/// Escaped for XML 1.0, which forbids most control characters: the HTML escape shows them as
/// `\x1b` (as every report does), and the two noncharacters XML also forbids become U+FFFD.
fn escape(s: &str) -> String {
    fteval_report::render::html::escape(&s.replace(['\u{fffe}', '\u{ffff}'], "\u{fffd}"))
}

struct Case {
    name: String,
    failure: Option<String>,
    output: Option<String>,
}

/// One test case for the verdict, one per gate, and one per reason that is not a gate. The
/// verdict fails as the exit code does (`strict`: needs attention fails too).
fn cases(doc: &CheckDocument, strict: bool) -> Vec<Case> {
    let fails = doc.verdict == CheckVerdict::DoNotShip || (strict && doc.verdict == CheckVerdict::NeedsAttention);
    let mut out = vec![Case {
        name: "verdict".into(),
        failure: fails.then(|| doc.summary.clone()),
        output: Some(doc.summary.clone()),
    }];
    let gates = doc.compare.as_ref().map(|c| &c.gates).or(doc.text_compare.as_ref().map(|t| &t.gates));
    if let Some(gates) = gates {
        for g in gates {
            out.push(Case {
                name: format!("gate {}", g.gate),
                failure: (!g.passed).then(|| g.message.clone()),
                output: Some(g.message.clone()),
            });
        }
    }
    for r in doc.reasons.iter().filter(|r| r.source != "gates") {
        out.push(Case {
            name: format!("{} {}", r.source, r.id),
            failure: (r.severity == Severity::Fail).then(|| r.message.clone()),
            output: Some(format!("{}: {}", r.severity.as_str(), r.message)),
        });
    }
    out
}

/// The JUnit XML document of a check.
pub fn junit_xml(doc: &CheckDocument, strict: bool) -> String {
    let cases = cases(doc, strict);
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<testsuites name=\"fteval\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"fteval check {}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        cases.len(),
        escape(&doc.config.path),
        cases.len()
    ));
    for c in &cases {
        s.push_str(&format!("    <testcase classname=\"fteval.check\" name=\"{}\">\n", escape(&c.name)));
        if let Some(f) = &c.failure {
            s.push_str(&format!("      <failure message=\"{}\">{}</failure>\n", escape(f), escape(f)));
        }
        if let Some(o) = &c.output {
            s.push_str(&format!("      <system-out>{}</system-out>\n", escape(o)));
        }
        s.push_str("    </testcase>\n");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_shows_control_characters() {
        assert_eq!(escape("a<b & \"c\" 'd'\u{1}"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;\\x01");
        // Nothing XML 1.0 forbids is left: C0 controls but tab and line break, C1, U+FFFE/FFFF.
        let e = escape("\x1b[2J\u{9b}\u{202e}\u{ffff}\r\n\t");
        assert!(e.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'), "{e:?}");
        assert!(!e.contains('\u{ffff}'), "{e:?}");
    }
}

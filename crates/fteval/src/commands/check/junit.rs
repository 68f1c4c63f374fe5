//! `--junit PATH`: the check as JUnit XML, so CI test tabs list every gate and check.

use fteval_core::Severity;
use fteval_report::document::{CheckDocument, CheckVerdict};

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

struct Case {
    name: String,
    failure: Option<String>,
    output: Option<String>,
}

/// One test case for the verdict, one per gate, and one per reason that is not a gate.
fn cases(doc: &CheckDocument) -> Vec<Case> {
    let mut out = vec![Case {
        name: "verdict".into(),
        failure: (doc.verdict == CheckVerdict::DoNotShip).then(|| doc.summary.clone()),
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
pub fn junit_xml(doc: &CheckDocument) -> String {
    let cases = cases(doc);
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
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(escape("a<b & \"c\" 'd'\u{1}"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;");
    }
}

//! The terminal report with colour: the report's own SGR codes are the only escape sequences
//! that reach the terminal, whatever the labels hold.

use fteval_core::{evaluate_classification, BootstrapConfig, ClassificationInput, Task};
use fteval_report::{MetricsDocument, Renderer, Terminal};

/// A multiclass document whose labels are `labels`, every third row wrong.
fn document(labels: &[&str]) -> MetricsDocument {
    let k = labels.len() as u32;
    let gold: Vec<u32> = (0..60).map(|i| i % k).collect();
    let pred: Vec<u32> = gold.iter().enumerate().map(|(i, &g)| if i % 3 == 0 { (g + 1) % k } else { g }).collect();
    let input = ClassificationInput {
        task: Task::Multiclass,
        labels: labels.iter().map(|l| l.to_string()).collect(),
        positive: None,
        gold,
        pred,
        scores: None,
        model_classes: None,
    };
    let eval = evaluate_classification(&input, &BootstrapConfig { resamples: 0, level: 0.95, seed: 0 });
    MetricsDocument::new("preds.csv", eval, Vec::new())
}

fn render(doc: &MetricsDocument, color: bool) -> String {
    let mut out = Vec::new();
    Terminal { color }.metrics(doc, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every ESC in `s` with what follows it up to the sequence's final byte.
fn escape_sequences(s: &str) -> Vec<String> {
    s.match_indices('\x1b')
        .map(|(i, _)| {
            let rest = &s[i + 1..];
            let end = rest.find(|c: char| c.is_ascii_alphabetic()).map_or(rest.len(), |e| e + 1);
            format!("\x1b{}", &rest[..end])
        })
        .collect()
}

#[test]
fn only_the_reports_colour_codes_reach_the_terminal() {
    let doc = document(&["clear\x1b[2J", "title\x1b]0;pwned\x07", "red\x1b[31m", "csi\u{9b}2J", "rtl\u{202e}x"]);
    let coloured = render(&doc, true);
    let sequences = escape_sequences(&coloured);
    assert!(sequences.contains(&"\x1b[1m".to_string()), "the colour is kept: {coloured}");
    for s in &sequences {
        let sgr = s.len() > 2
            && s.starts_with("\x1b[")
            && s.ends_with('m')
            && s[2..s.len() - 1].bytes().all(|b| b.is_ascii_digit() || b == b';');
        assert!(sgr, "not one of the report's colour codes: {s:?}");
    }
    // The data's own "\x1b[31m" is shown, not obeyed; so are the C1 CSI and the bidi override.
    for shown in ["red\\x1b[31m", "clear\\x1b[2J", "title\\x1b]0;pwned\\x07", "csi\\u{9b}2J", "rtl\\u{202e}x"] {
        assert!(coloured.contains(shown), "{shown}: {coloured}");
    }
    assert!(!coloured.contains('\u{9b}') && !coloured.contains('\u{202e}'));
    // Without colour nothing but the text: the same report with no escape sequence at all.
    let plain = render(&doc, false);
    assert!(!plain.contains('\x1b'), "{plain}");
    assert_eq!(
        coloured
            .replace("\x1b[1m", "")
            .replace("\x1b[0m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[33m", "")
            .replace("\x1b[36m", "")
            .replace("\x1b[1;31m", ""),
        plain
    );
}

#[test]
fn data_holding_the_colour_placeholder_is_shown_without_colour() {
    // U+FDD0 stands for the report's ESC until it is written; data holding it cannot pass as colour.
    let doc = document(&["a\u{fdd0}[2Jb", "c", "d"]);
    let coloured = render(&doc, true);
    assert!(!coloured.contains('\x1b') && !coloured.contains('\u{fdd0}'), "{coloured}");
    assert!(coloured.contains("a\\u{fdd0}[2Jb"), "{coloured}");
}

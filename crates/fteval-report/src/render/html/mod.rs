//! `--format html`: one self-contained page per report — inline CSS and inline SVG plots, no
//! script, no external URL — that reads without JavaScript, prints, and stays small at any
//! input size (it aggregates; it never dumps rows).

use std::fmt::Write as _;
use std::io::{self, Write};

use fteval_core::{Check, Severity};

use super::Renderer;
use crate::document::{
    CheckDocument, CompareDocument, CurvesDocument, LeakageDocument, MetricsDocument, RankDocument,
    TextCompareDocument, TextRankDocument,
};

mod sections;
pub mod svg;

pub use svg::escape;

/// Writes into a String (which cannot fail).
macro_rules! w {
    ($s:expr, $($t:tt)*) => {{
        let _ = write!($s, $($t)*);
    }};
}
pub(crate) use w;

/// The HTML renderer.
pub struct Html;

impl Renderer for Html {
    fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("fteval metrics — {}", doc.source);
        write_single(out, &title, &sections::metrics(doc, "metrics", "Metrics"))
    }

    fn compare(&self, doc: &CompareDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("fteval compare — {} → {}", doc.baseline_source, doc.candidate_source);
        write_single(out, &title, &sections::compare(doc, "compare", true))
    }

    fn rank(&self, doc: &RankDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("fteval rank — {} first on {}", doc.best, doc.primary_metric);
        write_single(out, &title, &sections::rank(doc, "rank"))
    }

    fn curves(&self, doc: &CurvesDocument, out: &mut dyn Write) -> io::Result<()> {
        let sources: Vec<&str> = doc.runs.iter().map(|r| r.source.as_str()).collect();
        let title = format!("fteval curves — {}", sources.join(", "));
        write_single(out, &title, &sections::curves(doc, "curves"))
    }

    fn leakage(&self, doc: &LeakageDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("fteval leakage — {} against {}", doc.test.file, doc.train.file);
        write_single(out, &title, &sections::leakage(doc, "leakage"))
    }

    fn text_compare(&self, doc: &TextCompareDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("fteval compare — {} → {}", doc.baseline_source, doc.candidate_source);
        write_single(out, &title, &sections::text_compare(doc, "compare"))
    }

    fn text_rank(&self, doc: &TextRankDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("fteval rank — {} first on {}", doc.rank.best, doc.rank.primary_metric);
        write_single(out, &title, &sections::text_rank(doc, "rank"))
    }

    fn check(&self, doc: &CheckDocument, out: &mut dyn Write) -> io::Result<()> {
        let title = format!("fteval check — {}", doc.verdict.headline());
        write_page(out, &title, &sections::check(doc))
    }
}

fn write_page(out: &mut dyn Write, title: &str, body: &str) -> io::Result<()> {
    out.write_all(page(title, body).as_bytes())
}

/// A single-command page: the title as its heading, then the one section.
fn write_single(out: &mut dyn Write, title: &str, section: &str) -> io::Result<()> {
    write_page(out, title, &format!("<h1>{}</h1>\n{section}", escape(title)))
}

/// The whole page: head with the one stylesheet, then the body.
pub fn page(title: &str, body: &str) -> String {
    let mut s = String::with_capacity(body.len() + STYLE.len() + 1024);
    w!(
        s,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"fteval {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        crate::document::VERSION,
        escape(title)
    );
    s.push_str(body);
    w!(s, "\n<footer>Made by fteval {}.</footer>\n</main>\n</body>\n</html>\n", crate::document::VERSION);
    s
}

/// A table of contents linking to section ids.
pub(crate) fn toc_nav(toc: &[(&str, String)]) -> String {
    let mut s = String::from("<nav class=\"toc\" aria-label=\"Contents\"><h2>Contents</h2><ol>");
    for (id, label) in toc {
        w!(s, "<li><a href=\"#{}\">{}</a></li>", escape(id), escape(label));
    }
    s.push_str("</ol></nav>\n");
    s
}

/// The one stylesheet: system fonts, readable tables, print rules.
const STYLE: &str = r#"
:root{--fg:#1a1a1a;--muted:#555;--line:#d0d0d0;--bg:#fff;--ship:#00704f;--warn:#8a5a00;--fail:#b24400}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:15px;line-height:1.5}
main{max-width:1100px;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0 .6rem}
h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-bottom:.2rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
section{margin-bottom:1.5rem}
p.lead{font-weight:600;font-size:1.05rem}
p.meta{color:var(--muted)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:#f4f4f4;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;margin:.4rem 0 1rem}
table{border-collapse:collapse;font-size:.9rem;min-width:40%}
th,td{border-bottom:1px solid var(--line);padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.primary td{font-weight:600}
.figs{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start;margin:.6rem 0 1rem}
figure{margin:0;flex:1 1 420px;max-width:660px}
figure.small{flex-basis:300px}
figcaption{font-size:.85rem;color:var(--muted);margin-top:.2rem}
svg.plot{display:block;background:#fff}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:4px;font-weight:700;color:#fff;letter-spacing:.02em}
.v-improved,.v-ship{background:var(--ship)}
.v-regressed,.v-do_not_ship{background:var(--fail)}
.v-no_significant_change{background:#555}
.v-inconclusive,.v-needs_attention{background:var(--warn)}
.banner{display:flex;align-items:center;gap:1rem;padding:1rem 1.4rem;border-radius:8px;color:#fff;margin:.5rem 0 1rem;box-shadow:0 1px 4px rgba(0,0,0,.2)}
.banner .symbol{font-size:2.6rem;line-height:1;font-weight:700}
.banner .word{font-size:2rem;font-weight:800;letter-spacing:.04em}
.banner .what{font-size:.95rem;opacity:.95}
ul.checks,ol.reasons,ul.findings{padding-left:1.3rem}
ul.checks li,ol.reasons li,ul.findings li{margin:.25rem 0}
.sev{display:inline-block;min-width:5.5em;font-weight:700}
.sev-fail{color:var(--fail)}
.sev-warn{color:var(--warn)}
.sev-info{color:var(--muted)}
.ok{color:var(--ship);font-weight:700}
.bad{color:var(--fail);font-weight:700}
nav.toc{border:1px solid var(--line);border-radius:6px;padding:.4rem 1rem;margin:1rem 0;background:#fafafa}
nav.toc h2{border:0;margin:.3rem 0;font-size:1rem}
nav.toc ol{margin:.2rem 0 .4rem;columns:2}
footer{margin-top:3rem;color:var(--muted);font-size:.85rem}
@media print{
 body{color:#000;font-size:11pt;background:#fff}
 main{max-width:none;padding:0}
 *{box-shadow:none !important}
 a{color:#000;text-decoration:none}
 .badge,.banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .banner{border:2px solid #000}
 figure,svg.plot,table,.banner{break-inside:avoid;page-break-inside:avoid}
 h2,h3{break-after:avoid;page-break-after:avoid}
 nav.toc{display:none}
 .table-wrap{overflow:visible}
}
"#;

/// A table: header cells, body rows, and which columns hold numbers (right-aligned).
pub(crate) fn table(header: &[String], rows: &[Vec<String>], numeric: &[usize]) -> String {
    table_marked(header, rows, numeric, &[])
}

/// A table whose rows listed in `bold` are emphasised (the primary metric).
pub(crate) fn table_marked(header: &[String], rows: &[Vec<String>], numeric: &[usize], bold: &[usize]) -> String {
    let mut s = String::from("<div class=\"table-wrap\"><table><thead><tr>");
    for (i, h) in header.iter().enumerate() {
        let class = if numeric.contains(&i) { " class=\"num\"" } else { "" };
        w!(s, "<th scope=\"col\"{class}>{}</th>", escape(h));
    }
    s.push_str("</tr></thead><tbody>");
    for (r, row) in rows.iter().enumerate() {
        s.push_str(if bold.contains(&r) { "<tr class=\"primary\">" } else { "<tr>" });
        for (i, cell) in row.iter().enumerate() {
            let class = if numeric.contains(&i) { " class=\"num\"" } else { "" };
            w!(s, "<td{class}>{}</td>", escape(cell));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>\n");
    s
}

/// Severity as a symbol and a word (never colour alone).
pub(crate) fn severity(sev: Severity) -> (&'static str, &'static str) {
    match sev {
        Severity::Fail => ("sev-fail", "✗ fail"),
        Severity::Warn => ("sev-warn", "! warning"),
        Severity::Info => ("sev-info", "i note"),
    }
}

/// One list item: severity, id in bold, message.
pub(crate) fn severity_item(sev: Severity, id: &str, message: &str) -> String {
    let (class, word) = severity(sev);
    format!(
        "<li class=\"{class}\"><span class=\"sev\">{word}</span> <strong>{}</strong> — <span class=\"msg\">{}</span></li>",
        escape(id),
        escape(message)
    )
}

/// The checks as a list (or "No problems found.").
pub(crate) fn checks_list(checks: &[Check]) -> String {
    if checks.is_empty() {
        return "<p class=\"ok\">✓ No problems found.</p>\n".to_string();
    }
    let mut s = String::from("<ul class=\"checks\">");
    for c in checks {
        s.push_str(&severity_item(c.severity, &c.id, &c.message));
    }
    s.push_str("</ul>\n");
    s
}

/// Plots side by side (wrapping on narrow screens), each in a figure.
pub(crate) fn figures(svgs: &[String], small: bool) -> String {
    if svgs.is_empty() {
        return String::new();
    }
    let mut s = String::from("<div class=\"figs\">");
    for g in svgs {
        w!(s, "<figure{}>{g}</figure>", if small { " class=\"small\"" } else { "" });
    }
    s.push_str("</div>\n");
    s
}

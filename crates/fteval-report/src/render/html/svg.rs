//! Hand-written SVG plots for the HTML report: pure functions from aggregated data to an
//! `<svg>` string. Every plot scales with its container (viewBox, width 100%), names itself
//! for screen readers (role, `<title>`, aria-label) and carries `class="plot"` and a
//! `data-plot` kind. Colours are Okabe–Ito, and every series also differs by dash pattern
//! or marker so the plots read in greyscale and print.

use std::fmt::Write;

use crate::document::{ConfusionDoc, SummaryDoc};

/// Okabe–Ito palette (colour-blind safe).
pub const BLUE: &str = "#0072B2";
pub const ORANGE: &str = "#E69F00";
pub const GREEN: &str = "#009E73";
pub const VERMILLION: &str = "#D55E00";
pub const PURPLE: &str = "#CC79A7";
pub const SKY: &str = "#56B4E9";
pub const YELLOW: &str = "#F0E442";
pub const BLACK: &str = "#000000";
/// Reference lines and neutral marks.
const GREY: &str = "#666666";

/// Dash pattern of a baseline series (and of reference lines, dotted).
pub const DASHED: &str = "6 4";
const DOTTED: &str = "2 3";

/// Classes drawn in a confusion matrix at most (the largest by support are kept).
pub const MAX_MATRIX_CLASSES: usize = 30;

/// Text safe inside HTML/SVG text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls (invalid in HTML and XML; line breaks and tabs are white space) and bidi
            // overrides (which reorder the text around them) are shown as escapes, as in the
            // terminal and Markdown reports.
            c if c != '\n' && c != '\t' && crate::sanitize::is_escaped(c) => crate::sanitize::push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most 2 decimals, no trailing zeros.
fn c(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// The opening tag, `<title>` included, of a plot `width`×`height` user units large.
fn open(kind: &str, title: &str, width: f64, height: f64) -> String {
    let t = escape(title);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" data-plot=\"{kind}\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {w} {h}\" width=\"100%\" style=\"max-width:{w}px;height:auto\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"12\"><title>{t}</title>",
        w = c(width),
        h = c(height)
    )
}

/// `s` cut to `n` characters with an ellipsis; None when it fits.
fn truncated(s: &str, n: usize) -> Option<String> {
    if s.chars().count() <= n {
        None
    } else {
        Some(format!("{}…", s.chars().take(n.saturating_sub(1).max(1)).collect::<String>()))
    }
}

/// A text element showing `s` cut to `n` characters, with the full text as a tooltip when cut.
fn label_text(attrs: &str, s: &str, n: usize) -> String {
    match truncated(s, n) {
        Some(short) => format!("<text {attrs}><title>{}</title>{}</text>", escape(s), escape(&short)),
        None => format!("<text {attrs}>{}</text>", escape(s)),
    }
}

/// Relative luminance of "#rrggbb".
fn luminance(hex: &str) -> f64 {
    let ch = |i: usize| {
        let v = u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0) as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5)
}

/// White blended towards `hex` by `t` in [0, 1].
fn shade(hex: &str, t: f64) -> String {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let ch = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0) as f64;
    let mix = |v: f64| (255.0 + (v - 255.0) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(ch(1)), mix(ch(3)), mix(ch(5)))
}

/// Black or white, whichever reads better on `fill`.
fn text_on(fill: &str) -> &'static str {
    // Contrast with black (L + 0.05) / 0.05 against white 1.05 / (L + 0.05).
    let l = luminance(fill);
    if (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// A confusion matrix heatmap: rows gold, columns predicted, each cell shaded by its share of
/// its row (so errors on a small class show as much as on a large one), with the count and
/// the row percentage written in it.
pub fn confusion_matrix(doc: &ConfusionDoc, title: &str) -> String {
    let k_all = doc.labels.len().min(doc.matrix.len());
    // Keep the classes with the largest support when there are too many to draw.
    let mut keep: Vec<usize> = (0..k_all).collect();
    if k_all > MAX_MATRIX_CLASSES {
        keep.sort_by_key(|&i| std::cmp::Reverse(doc.matrix[i].iter().sum::<u64>()));
        keep.truncate(MAX_MATRIX_CLASSES);
        keep.sort_unstable();
    }
    let k = keep.len();
    let cell = if k == 0 { 56.0 } else { (420.0 / k as f64).clamp(18.0, 96.0) };
    let rotate = cell < 60.0;
    let left = 130.0;
    let top = if rotate { 120.0 } else { 70.0 };
    let width = left + cell * k as f64 + 20.0;
    let note = k_all > k;
    let height = top + cell * k as f64 + if note { 40.0 } else { 20.0 };
    let mut s = open("confusion", title, width.max(300.0), height.max(140.0));
    let _ = write!(s, "<text x=\"{}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>", c(8.0), escape(title));
    if k == 0 {
        s.push_str("<text x=\"8\" y=\"60\">No confusion matrix (no classes).</text></svg>");
        return s;
    }
    let grid_mid = left + cell * k as f64 / 2.0;
    let _ =
        write!(s, "<text x=\"{}\" y=\"36\" text-anchor=\"middle\" font-weight=\"bold\">predicted</text>", c(grid_mid));
    let gold_y = top + cell * k as f64 / 2.0;
    let _ = write!(
        s,
        "<text x=\"14\" y=\"{y}\" text-anchor=\"middle\" font-weight=\"bold\" transform=\"rotate(-90 14 {y})\">gold</text>",
        y = c(gold_y)
    );
    // Column labels.
    for (j, &cj) in keep.iter().enumerate() {
        let x = left + cell * (j as f64 + 0.5);
        let label = doc.labels[cj].as_str();
        if rotate {
            let y = top - 6.0;
            let attrs = format!(
                "x=\"{x}\" y=\"{y}\" text-anchor=\"start\" transform=\"rotate(-60 {x} {y})\"",
                x = c(x),
                y = c(y)
            );
            s.push_str(&label_text(&attrs, label, 14));
        } else {
            let attrs = format!("x=\"{}\" y=\"{}\" text-anchor=\"middle\"", c(x), c(top - 8.0));
            s.push_str(&label_text(&attrs, label, (cell / 7.5) as usize));
        }
    }
    let font = if cell >= 44.0 {
        12.0
    } else if cell >= 28.0 {
        10.0
    } else {
        8.0
    };
    for (i, &ri) in keep.iter().enumerate() {
        let y = top + cell * i as f64;
        let attrs = format!(
            "x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\"",
            c(left - 6.0),
            c(y + cell / 2.0)
        );
        s.push_str(&label_text(&attrs, &doc.labels[ri], 14));
        let row = &doc.matrix[ri];
        let total: u64 = row.iter().sum();
        for (j, &cj) in keep.iter().enumerate() {
            let count = row.get(cj).copied().unwrap_or(0);
            let share = if total > 0 { count as f64 / total as f64 } else { 0.0 };
            let fill = shade(BLUE, share);
            let ink = text_on(&fill);
            let x = left + cell * j as f64;
            let pct = if total > 0 { format!("{:.1}%", 100.0 * share) } else { "—".to_string() };
            let _ = write!(
                s,
                "<g><title>gold {} → predicted {}: {count} of {total} ({pct})</title><rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{w}\" fill=\"{fill}\" stroke=\"#ffffff\"{}/>",
                escape(&doc.labels[ri]),
                escape(&doc.labels[cj]),
                c(x),
                c(y),
                if i == j { " stroke-width=\"1\"" } else { "" },
                w = c(cell)
            );
            let cx = c(x + cell / 2.0);
            if cell >= 36.0 {
                let _ = write!(
                    s,
                    "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\" font-size=\"{}\"{}>{count}</text><text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\" font-size=\"{}\">{pct}</text>",
                    c(y + cell / 2.0 - 2.0),
                    c(font),
                    if i == j { " font-weight=\"bold\"" } else { "" },
                    c(y + cell / 2.0 + font),
                    c(font - 2.0)
                );
            } else {
                let _ = write!(
                    s,
                    "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\" fill=\"{ink}\" font-size=\"{}\">{count}</text>",
                    c(y + cell / 2.0),
                    c(font)
                );
            }
            s.push_str("</g>");
        }
    }
    // The diagonal outlined, so correct cells stand out without colour.
    for i in 0..k {
        let x = left + cell * i as f64;
        let y = top + cell * i as f64;
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{w}\" fill=\"none\" stroke=\"{BLACK}\" stroke-width=\"1.5\"/>",
            c(x + 0.75),
            c(y + 0.75),
            w = c(cell - 1.5)
        );
    }
    if note {
        let _ = write!(
            s,
            "<text x=\"8\" y=\"{}\" font-size=\"11\" fill=\"{GREY}\">Showing the {k} of {k_all} classes with the most gold rows.</text>",
            c(height - 12.0)
        );
    }
    s.push_str("</svg>");
    s
}

/// One metric of a forest plot: the paired change and its interval.
#[derive(Clone, Debug)]
pub struct ForestRow {
    pub metric: String,
    pub delta: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub higher_is_better: bool,
    pub primary: bool,
}

/// How a forest row reads: improved (interval on the better side of 0), worse, or unclear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Improved,
    Worse,
    Unclear,
}

impl ForestRow {
    pub fn direction(&self) -> Direction {
        match (self.ci_low, self.ci_high) {
            (Some(l), Some(h)) if l.is_finite() && h.is_finite() => {
                let up = l > 0.0;
                let down = h < 0.0;
                match (up, down, self.higher_is_better) {
                    (true, _, true) | (_, true, false) => Direction::Improved,
                    (true, _, false) | (_, true, true) => Direction::Worse,
                    _ => Direction::Unclear,
                }
            }
            _ => Direction::Unclear,
        }
    }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// A forest plot of paired changes: one row per metric, the change as a dot, its interval as
/// a line, a vertical line at 0. Rows whose interval lies on the better side of 0 (taking
/// lower-is-better metrics into account) are green and say "improved"; on the worse side,
/// vermillion and "worse"; crossing 0 or without an interval, grey and hollow.
pub fn forest_plot(title: &str, rows: &[ForestRow]) -> String {
    let label_w = 190.0;
    let right_w = 110.0;
    let plot_w = 360.0;
    let width = label_w + plot_w + right_w;
    let row_h = 26.0;
    let top = 34.0;
    let n = rows.len().max(1) as f64;
    let axis_y = top + row_h * n + 6.0;
    let height = axis_y + 78.0;
    let mut s = open("forest", title, width, height);
    let _ = write!(s, "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>", escape(title));
    let values: Vec<f64> =
        rows.iter().flat_map(|r| [finite(r.delta), finite(r.ci_low), finite(r.ci_high)]).flatten().collect();
    let lo = values.iter().copied().fold(0.0f64, f64::min);
    let hi = values.iter().copied().fold(0.0f64, f64::max);
    let (lo, hi) = if hi - lo > 0.0 && (hi - lo).is_finite() {
        let pad = (hi - lo) * 0.08;
        (lo - pad, hi + pad)
    } else {
        (-1.0, 1.0)
    };
    let ticks = nice_ticks(lo, hi, 6);
    let (lo, hi) = (lo.min(ticks.first().copied().unwrap_or(lo)), hi.max(ticks.last().copied().unwrap_or(hi)));
    let x0 = label_w;
    let sx = |v: f64| x0 + (v - lo) / (hi - lo) * plot_w;
    // Grid and ticks.
    let step = if ticks.len() > 1 { ticks[1] - ticks[0] } else { 1.0 };
    for t in &ticks {
        let x = c(sx(*t));
        let _ = write!(
            s,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#dddddd\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            c(top - 4.0),
            c(axis_y),
            c(axis_y + 14.0),
            tick_label(*t, step, true)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{x0}\" y1=\"{y}\" x2=\"{x1}\" y2=\"{y}\" stroke=\"{BLACK}\"/>",
        x0 = c(x0),
        x1 = c(x0 + plot_w),
        y = c(axis_y)
    );
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">change (candidate − baseline)</text>",
        c(x0 + plot_w / 2.0),
        c(axis_y + 32.0)
    );
    let zx = c(sx(0.0));
    let _ = write!(
        s,
        "<line data-role=\"zero\" x1=\"{zx}\" y1=\"{}\" x2=\"{zx}\" y2=\"{}\" stroke=\"{BLACK}\" stroke-width=\"1.5\"/>",
        c(top - 6.0),
        c(axis_y)
    );
    if rows.is_empty() {
        let _ = write!(s, "<text x=\"{}\" y=\"{}\">No metrics to compare.</text>", c(x0 + 8.0), c(top + 16.0));
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        let dir = r.direction();
        let (colour, word) = match dir {
            Direction::Improved => (GREEN, "improved"),
            Direction::Worse => (VERMILLION, "worse"),
            Direction::Unclear => (GREY, "no clear change"),
        };
        if i % 2 == 1 {
            let _ = write!(
                s,
                "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f3f3f3\"/>",
                c(y - row_h / 2.0),
                c(width),
                c(row_h)
            );
        }
        let mut name = r.metric.clone();
        if !r.higher_is_better {
            name.push_str(" ↓");
        }
        let weight = if r.primary { " font-weight=\"bold\"" } else { "" };
        let attrs =
            format!("x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\"{weight}", c(x0 - 10.0), c(y));
        let shown = if r.primary { format!("{name} (primary)") } else { name };
        s.push_str(&label_text(&attrs, &shown, 28));
        let desc = format!(
            "{}: change {}{}, {word}",
            r.metric,
            finite(r.delta).map_or("undefined".into(), |d| format!("{d:+.4}")),
            match (finite(r.ci_low), finite(r.ci_high)) {
                (Some(l), Some(h)) => format!(" [{l:+.4}, {h:+.4}]"),
                _ => String::new(),
            }
        );
        let _ = write!(
            s,
            "<g data-metric=\"{}\" data-direction=\"{word}\"><title>{}</title>",
            escape(&r.metric),
            escape(&desc)
        );
        if let (Some(l), Some(h)) = (finite(r.ci_low), finite(r.ci_high)) {
            let (xl, xh) = (c(sx(l)), c(sx(h)));
            let yc = c(y);
            let _ = write!(
                s,
                "<line x1=\"{xl}\" y1=\"{yc}\" x2=\"{xh}\" y2=\"{yc}\" stroke=\"{colour}\" stroke-width=\"2\"/><line x1=\"{xl}\" y1=\"{}\" x2=\"{xl}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"2\"/><line x1=\"{xh}\" y1=\"{}\" x2=\"{xh}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                c(y - 5.0),
                c(y + 5.0),
                c(y - 5.0),
                c(y + 5.0)
            );
        }
        match finite(r.delta) {
            Some(d) => {
                let fill = if dir == Direction::Unclear { "#ffffff" } else { colour };
                let _ = write!(
                    s,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                    c(sx(d)),
                    c(y),
                    if r.primary { "6" } else { "4.5" }
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\" fill=\"{GREY}\" font-size=\"11\">undefined</text>",
                    c(x0 + 6.0),
                    c(y)
                );
            }
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\" fill=\"{colour}\" font-size=\"11\"{}>{word}</text></g>",
            c(x0 + plot_w + 10.0),
            c(y),
            if dir == Direction::Unclear { "" } else { " font-weight=\"bold\"" }
        );
    }
    // Legend.
    let ly = axis_y + 54.0;
    let _ = write!(
        s,
        "<circle cx=\"14\" cy=\"{y}\" r=\"4.5\" fill=\"{GREEN}\" stroke=\"{GREEN}\"/><text x=\"24\" y=\"{y}\" dominant-baseline=\"middle\" font-size=\"11\">improved</text><circle cx=\"104\" cy=\"{y}\" r=\"4.5\" fill=\"{VERMILLION}\" stroke=\"{VERMILLION}\"/><text x=\"114\" y=\"{y}\" dominant-baseline=\"middle\" font-size=\"11\">worse</text><circle cx=\"174\" cy=\"{y}\" r=\"4.5\" fill=\"#ffffff\" stroke=\"{GREY}\" stroke-width=\"2\"/><text x=\"184\" y=\"{y}\" dominant-baseline=\"middle\" font-size=\"11\">interval includes 0</text><text x=\"320\" y=\"{y}\" dominant-baseline=\"middle\" font-size=\"11\">↓ lower is better: a negative change is an improvement</text>",
        y = c(ly)
    );
    s.push_str("</svg>");
    s
}

/// Up to about `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k).
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return if lo.is_finite() { vec![lo] } else { Vec::new() };
    }
    let raw = (hi - lo) / count.max(1) as f64;
    if !raw.is_finite() || raw <= 0.0 {
        return vec![lo, hi];
    }
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let start = (lo / step).ceil();
    let decimals = (-step.log10().floor()) as i32;
    let mut ticks = Vec::new();
    for k in 0..=(count * 3) {
        let t = (start + k as f64) * step;
        if t > hi + step * 1e-9 {
            break;
        }
        // Snap values like 0.30000000000000004 and -0.
        let t = if decimals > 0 && decimals <= 15 {
            let f = 10f64.powi(decimals);
            (t * f).round() / f
        } else {
            t
        };
        let t = if t.abs() < step * 1e-9 { 0.0 } else { t };
        ticks.push(t);
    }
    ticks
}

/// A tick value with as many decimals as its step needs (scientific notation for huge or
/// tiny magnitudes).
fn tick_label(v: f64, step: f64, signed: bool) -> String {
    let big = v.abs().max(step.abs());
    if big >= 1e6 || (step.abs() < 1e-4 && step != 0.0) {
        return format!("{v:.1e}");
    }
    let decimals = if step > 0.0 && step.is_finite() { (-step.log10().floor()).clamp(0.0, 6.0) as usize } else { 2 };
    if signed && v > 0.0 {
        format!("+{v:.decimals$}")
    } else {
        format!("{v:.decimals$}")
    }
}

/// One line of an XY chart.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub color: &'static str,
    /// SVG stroke-dasharray; None for a solid line.
    pub dash: Option<&'static str>,
    /// Draw the connecting line.
    pub line: bool,
    /// Marker radius per point; empty for no markers.
    pub markers: Vec<f64>,
}

/// A labelled vertical line across the plot (best checkpoint, overfitting onset).
#[derive(Clone, Debug)]
pub struct VMarker {
    pub x: f64,
    pub label: String,
    pub color: &'static str,
    pub dash: Option<&'static str>,
}

/// An XY line chart: the data behind [`line_chart`].
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    /// The `data-plot` kind: roc, pr, calibration, loss.
    pub kind: &'static str,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// The y = x line, labelled (e.g. "chance", "perfectly calibrated").
    pub diagonal: Option<String>,
    /// A horizontal reference line at y, labelled.
    pub hline: Option<(f64, String)>,
    pub vmarkers: Vec<VMarker>,
    /// Fixed axis ranges (e.g. [0, 1] for rates); None to fit the data.
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
}

/// Values beyond this magnitude are left out of plots, like NaN.
const PLOTTABLE: f64 = 1e150;

fn plottable(p: &(f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite() && p.0.abs() < PLOTTABLE && p.1.abs() < PLOTTABLE
}

/// Bounds of the values, widened when empty or constant.
fn bounds(vals: impl Iterator<Item = f64>, fixed: Option<(f64, f64)>) -> (f64, f64) {
    if let Some((a, b)) = fixed.filter(|(a, b)| a.is_finite() && b.is_finite() && b > a) {
        return (a, b);
    }
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= hi.abs().max(lo.abs()) * 1e-12 || hi - lo == 0.0 {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - pad, hi + pad);
    }
    (lo, hi)
}

/// A fitted range widened to its outer round ticks (a fixed range stays as given).
fn widen((lo, hi): (f64, f64), fixed: bool, count: usize) -> (f64, f64) {
    if fixed {
        return (lo, hi);
    }
    let ticks = nice_ticks(lo, hi, count);
    if ticks.len() < 2 {
        return (lo, hi);
    }
    let step = ticks[1] - ticks[0];
    let (a, b) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    if a.is_finite() && b.is_finite() && b > a {
        (a, b)
    } else {
        (lo, hi)
    }
}

/// Evenly thinned `points`, at most `max` of them, the first and last always kept.
pub fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 2 {
        return points.to_vec();
    }
    let last = points.len() - 1;
    (0..max).map(|i| points[i * last / (max - 1)]).collect()
}

/// An XY chart with axes, round ticks, axis labels, a legend, and optional reference lines
/// and vertical markers. Non-finite points are skipped; empty, single-point and constant
/// series draw without panicking.
pub fn line_chart(chart: &LineChart) -> String {
    let width = 640.0;
    let left = 64.0;
    let right = 20.0;
    let plot_w = width - left - right;
    // Legend entries: the series, then the reference lines.
    let mut legend: Vec<(String, &str, Option<&str>, bool, bool)> =
        chart.series.iter().map(|s| (s.label.clone(), s.color, s.dash, s.line, !s.markers.is_empty())).collect();
    if let Some(d) = &chart.diagonal {
        legend.push((d.clone(), GREY, Some(DOTTED), true, false));
    }
    if let Some((_, l)) = &chart.hline {
        legend.push((l.clone(), GREY, Some(DOTTED), true, false));
    }
    let per_row = 3usize;
    let legend_rows = legend.len().div_ceil(per_row);
    let top = 30.0 + 18.0 * legend_rows as f64 + 10.0;
    let plot_h = 300.0;
    let height = top + plot_h + 50.0;
    let mut s = open(chart.kind, &chart.title, width, height);
    let _ = write!(s, "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>", escape(&chart.title));
    for (i, (label, colour, dash, line, marker)) in legend.iter().enumerate() {
        let x = 10.0 + (i % per_row) as f64 * 205.0;
        let y = 34.0 + (i / per_row) as f64 * 18.0;
        if *line {
            let _ = write!(
                s,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"2.5\"{}/>",
                c(x),
                c(y),
                c(x + 28.0),
                c(y),
                dash.map(|d| format!(" stroke-dasharray=\"{d}\"")).unwrap_or_default()
            );
        }
        if *marker {
            let _ = write!(s, "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{colour}\"/>", c(x + 14.0), c(y));
        }
        let attrs = format!("x=\"{}\" y=\"{}\" dominant-baseline=\"middle\" font-size=\"11\"", c(x + 34.0), c(y));
        s.push_str(&label_text(&attrs, label, 32));
    }
    let all: Vec<(f64, f64)> = chart.series.iter().flat_map(|s| s.points.iter().copied()).filter(plottable).collect();
    let mut xs: Vec<f64> = all.iter().map(|p| p.0).collect();
    xs.extend(chart.vmarkers.iter().map(|m| m.x).filter(|x| x.is_finite() && x.abs() < PLOTTABLE));
    let mut ys: Vec<f64> = all.iter().map(|p| p.1).collect();
    if let Some((y, _)) = chart.hline.as_ref().filter(|(y, _)| y.is_finite() && y.abs() < PLOTTABLE) {
        ys.push(*y);
    }
    let (x_lo, x_hi) = widen(bounds(xs.into_iter(), chart.x_range), chart.x_range.is_some(), 6);
    let (y_lo, y_hi) = widen(bounds(ys.into_iter(), chart.y_range), chart.y_range.is_some(), 5);
    let xt = nice_ticks(x_lo, x_hi, 6);
    let yt = nice_ticks(y_lo, y_hi, 5);
    let sx = |v: f64| left + (v - x_lo) / (x_hi - x_lo) * plot_w;
    let sy = |v: f64| top + plot_h - (v - y_lo) / (y_hi - y_lo) * plot_h;
    let bottom = top + plot_h;
    let xstep = if xt.len() > 1 { xt[1] - xt[0] } else { x_hi - x_lo };
    let ystep = if yt.len() > 1 { yt[1] - yt[0] } else { y_hi - y_lo };
    for t in &xt {
        let x = c(sx(*t));
        let _ = write!(
            s,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#e3e3e3\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            c(top),
            c(bottom),
            c(bottom + 15.0),
            tick_label(*t, xstep, false)
        );
    }
    for t in &yt {
        let y = c(sy(*t));
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#e3e3e3\"/><text x=\"{}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\" font-size=\"11\">{}</text>",
            c(left),
            c(left + plot_w),
            c(left - 6.0),
            tick_label(*t, ystep, false)
        );
    }
    let _ = write!(
        s,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{BLACK}\"/>",
        c(left),
        c(top),
        c(plot_w),
        c(plot_h)
    );
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        c(left + plot_w / 2.0),
        c(bottom + 36.0),
        escape(&chart.x_label)
    );
    let ymid = top + plot_h / 2.0;
    let _ = write!(
        s,
        "<text x=\"16\" y=\"{y}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {y})\">{}</text>",
        escape(&chart.y_label),
        y = c(ymid)
    );
    s.push_str("<g>");
    if chart.diagonal.is_some() {
        let a = x_lo.max(y_lo);
        let b = x_hi.min(y_hi);
        if b > a {
            let _ = write!(
                s,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{GREY}\" stroke-dasharray=\"{DOTTED}\" stroke-width=\"1.5\"/>",
                c(sx(a)),
                c(sy(a)),
                c(sx(b)),
                c(sy(b))
            );
        }
    }
    if let Some((y, _)) = chart.hline.as_ref().filter(|(y, _)| y.is_finite() && y.abs() < PLOTTABLE) {
        let yy = c(sy(*y));
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"{GREY}\" stroke-dasharray=\"{DOTTED}\" stroke-width=\"1.5\"/>",
            c(left),
            c(left + plot_w)
        );
    }
    for series in &chart.series {
        let pts: Vec<(usize, (f64, f64))> =
            series.points.iter().copied().enumerate().filter(|(_, p)| plottable(p)).collect();
        let dash = series.dash.map(|d| format!(" stroke-dasharray=\"{d}\"")).unwrap_or_default();
        if series.line && pts.len() > 1 {
            let mut d = String::with_capacity(pts.len() * 14);
            for (i, (_, (x, y))) in pts.iter().enumerate() {
                let _ = write!(d, "{}{},{}", if i == 0 { "M" } else { " L" }, c(sx(*x)), c(sy(*y)));
            }
            let _ = write!(
                s,
                "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-linejoin=\"round\"{dash}/>",
                series.color
            );
        }
        let lone = series.line && pts.len() == 1;
        if !series.markers.is_empty() || lone {
            for (i, (x, y)) in &pts {
                let r = series.markers.get(*i).copied().filter(|r| r.is_finite() && *r > 0.0).unwrap_or(3.5);
                let _ = write!(
                    s,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" fill-opacity=\"0.85\" stroke=\"#ffffff\" stroke-width=\"0.8\"/>",
                    c(sx(*x)),
                    c(sy(*y)),
                    c(r.min(14.0)),
                    series.color
                );
            }
        }
    }
    s.push_str("</g>");
    for (i, m) in chart.vmarkers.iter().enumerate() {
        if !m.x.is_finite() || m.x < x_lo || m.x > x_hi {
            continue;
        }
        let x = c(sx(m.x));
        let _ = write!(
            s,
            "<g><title>{}</title><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"{}/>",
            escape(&m.label),
            c(top),
            c(bottom),
            m.color,
            m.dash.map(|d| format!(" stroke-dasharray=\"{d}\"")).unwrap_or_default()
        );
        // Labels inside the plot, stacked so two markers do not overwrite each other; right of
        // the line unless too close to the right edge.
        let near_right = sx(m.x) > left + plot_w - 150.0;
        let (tx, anchor) = if near_right { (sx(m.x) - 4.0, "end") } else { (sx(m.x) + 4.0, "start") };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"11\" fill=\"{}\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\">{}</text></g>",
            c(tx),
            c(top + 14.0 + 14.0 * i as f64),
            m.color,
            escape(&m.label)
        );
    }
    if all.is_empty() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{GREY}\">no data to plot</text>",
            c(left + plot_w / 2.0),
            c(ymid)
        );
    }
    s.push_str("</svg>");
    s
}

/// The test rows as one horizontal stacked bar: clean, exact copies, near duplicates,
/// contaminated, with counts and shares in the legend.
pub fn leakage_bar(summary: &SummaryDoc) -> String {
    let parts = [
        ("clean", summary.clean_rows, GREEN),
        ("exact copy", summary.exact_duplicates, VERMILLION),
        ("near duplicate", summary.near_duplicates, ORANGE),
        ("contaminated (shared n-gram)", summary.contaminated, PURPLE),
    ];
    let total: usize = parts.iter().map(|p| p.1).sum();
    let title = format!("Test rows by leakage: {} of {total} clean", summary.clean_rows);
    let width = 640.0;
    let height = 130.0;
    let mut s = open("leakage", &title, width, height);
    let _ = write!(s, "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>", escape(&title));
    let (x0, bar_w, y, h) = (10.0, 620.0, 32.0, 28.0);
    if total == 0 {
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#eeeeee\" stroke=\"{GREY}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\">no test rows</text>",
            c(x0),
            c(y),
            c(bar_w),
            c(h),
            c(x0 + bar_w / 2.0),
            c(y + h / 2.0)
        );
    }
    let mut x = x0;
    let pattern = [None, Some("#ffffff"), None, Some("#ffffff")];
    for (i, (name, n, colour)) in parts.iter().enumerate() {
        if total == 0 || *n == 0 {
            continue;
        }
        let w = bar_w * *n as f64 / total as f64;
        let pct = 100.0 * *n as f64 / total as f64;
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\" stroke=\"#ffffff\"><title>{}: {n} ({pct:.1}%)</title></rect>",
            c(x),
            c(y),
            c(w.max(1.0)),
            c(h),
            escape(name)
        );
        // Hatching on the leaked kinds, so the bar reads in greyscale.
        if let Some(ink) = pattern[i] {
            if w > 6.0 {
                let step = if i == 1 { 6.0 } else { 10.0 };
                let mut hx = x + step / 2.0;
                while hx < x + w {
                    let _ = write!(
                        s,
                        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{ink}\" stroke-opacity=\"0.6\"/>",
                        c(hx),
                        c(y),
                        c(hx),
                        c(y + h)
                    );
                    hx += step;
                }
            }
        }
        x += w;
    }
    for (i, (name, n, colour)) in parts.iter().enumerate() {
        let lx = 10.0 + (i % 2) as f64 * 310.0;
        let ly = 84.0 + (i / 2) as f64 * 20.0;
        let pct = if total > 0 { 100.0 * *n as f64 / total as f64 } else { 0.0 };
        let hatch = if pattern[i].is_some() {
            format!(
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#ffffff\" stroke-opacity=\"0.6\"/>",
                c(ly - 7.0),
                c(ly + 7.0),
                x = c(lx + 7.0)
            )
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{colour}\"/>{hatch}<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\" font-size=\"12\">{}: {n} ({pct:.1}%)</text>",
            c(lx),
            c(ly - 7.0),
            c(lx + 20.0),
            c(ly),
            escape(name)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(-0.013, 0.042, 6);
        assert!(t.iter().all(|v| *v >= -0.013 && *v <= 0.042));
        assert!(t.contains(&0.0));
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
        assert_eq!(nice_ticks(3.0, 3.0, 5), vec![3.0]);
        assert!(nice_ticks(-1e120, 1e120, 5).len() <= 16);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(escape("a\x1b[2J\u{9b}\u{202e}\r\nb"), "a\\x1b[2J\\u{9b}\\u{202e}\\r\nb");
    }

    #[test]
    fn contrast_switches_with_the_fill() {
        assert_eq!(text_on("#ffffff"), "#000000");
        assert_eq!(text_on(&shade(BLUE, 1.0)), "#ffffff");
    }

    #[test]
    fn thinning_keeps_ends() {
        let pts: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, 0.0)).collect();
        let t = thin(&pts, 1000);
        assert_eq!(t.len(), 1000);
        assert_eq!(t[0].0, 0.0);
        assert_eq!(t[999].0, 9999.0);
    }
}

//! Small text plots for terminals and Markdown code blocks: one series in braille dots (2×4
//! per character cell), others as marker characters, vertical marks for chosen x positions.

/// A series to draw: its points and how (None = braille dots, Some(c) = the character c).
pub struct Line<'a> {
    pub points: &'a [(f64, f64)],
    pub marker: Option<char>,
}

/// A vertical mark at `x` drawn with `glyph` (e.g. the best checkpoint).
pub struct Mark {
    pub x: f64,
    pub glyph: char,
}

const BRAILLE_BASE: u32 = 0x2800;
/// Dot bits of a braille cell by (column, row): columns 0–1, rows 0–3 top to bottom.
const DOTS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

fn axis_number(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.2e}")
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// Lines of text: the plot (`width` × `height` cells) with y labels on the left and the x
/// range below. Non-finite points are skipped. Empty when nothing is finite.
pub fn plot(lines: &[Line], marks: &[Mark], width: usize, height: usize) -> Vec<String> {
    let finite = || lines.iter().flat_map(|l| l.points.iter()).filter(|(x, y)| x.is_finite() && y.is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in finite() {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if !x0.is_finite() || width == 0 || height == 0 {
        return Vec::new();
    }
    if x1 == x0 {
        x1 = x0 + 1.0;
    }
    if y1 == y0 {
        y1 = y0 + 1.0;
    }
    let (px, py) = (2 * width, 4 * height);
    let to_px = |x: f64, y: f64| -> (usize, usize) {
        let cx = (((x - x0) / (x1 - x0)) * (px - 1) as f64).round() as usize;
        let cy = (((y1 - y) / (y1 - y0)) * (py - 1) as f64).round() as usize;
        (cx.min(px - 1), cy.min(py - 1))
    };
    let mut dots = vec![0u8; width * height];
    let mut chars: Vec<Option<char>> = vec![None; width * height];
    for m in marks {
        if m.x.is_finite() && m.x >= x0 && m.x <= x1 {
            let (cx, _) = to_px(m.x, y0);
            for row in 0..height {
                chars[row * width + cx / 2] = Some(m.glyph);
            }
        }
    }
    for line in lines {
        for &(x, y) in line.points.iter().filter(|(x, y)| x.is_finite() && y.is_finite()) {
            let (cx, cy) = to_px(x, y);
            let cell = (cy / 4) * width + cx / 2;
            match line.marker {
                None => dots[cell] |= DOTS[cx % 2][cy % 4],
                Some(c) => chars[cell] = Some(c),
            }
        }
    }
    let (top, bottom) = (axis_number(y1), axis_number(y0));
    let label_w = top.len().max(bottom.len());
    let mut out = Vec::with_capacity(height + 2);
    for row in 0..height {
        let label = match row {
            0 => top.clone(),
            r if r == height - 1 => bottom.clone(),
            _ => String::new(),
        };
        let mut s = format!("{label:>label_w$} ┤");
        for col in 0..width {
            let i = row * width + col;
            s.push(match chars[i] {
                Some(c) => c,
                None if dots[i] != 0 => char::from_u32(BRAILLE_BASE + dots[i] as u32).unwrap_or(' '),
                None => ' ',
            });
        }
        out.push(s.trim_end().to_string());
    }
    out.push(format!("{:>label_w$} └{}", "", "─".repeat(width)));
    // Steps are whole numbers: "25 … 1500", not "25.000 … 1500".
    let x_label = |v: f64| if v.fract() == 0.0 && v.abs() < 1e5 { format!("{v:.0}") } else { axis_number(v) };
    let (left, right) = (x_label(x0), x_label(x1));
    let gap = width.saturating_sub(left.len() + right.len());
    out.push(format!("{:>label_w$}  {left}{}{right}", "", " ".repeat(gap)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_dots_markers_and_marks() {
        let pts: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, 20.0 - i as f64)).collect();
        let eval = [(5.0, 10.0), (15.0, 12.0)];
        let lines = plot(
            &[Line { points: &pts, marker: None }, Line { points: &eval, marker: Some('●') }],
            &[Mark { x: 5.0, glyph: '┊' }],
            20,
            5,
        );
        assert_eq!(lines.len(), 7);
        assert!(lines[0].starts_with("20.000 ┤"), "{}", lines[0]);
        assert!(lines.iter().any(|l| l.contains('●')));
        assert!(lines.iter().any(|l| l.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c))));
        assert!(lines[..5].iter().all(|l| l.contains('┊') || l.contains('●')));
        assert!(lines[6].trim_start().starts_with('0') && lines[6].ends_with(" 19"), "{}", lines[6]);
        assert!(plot(&[Line { points: &[(f64::NAN, 1.0)], marker: None }], &[], 10, 3).is_empty());
    }
}

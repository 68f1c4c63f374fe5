//! Control characters from input data made visible (`\x1b`, `\u{9b}`, `\u{202e}`) before they
//! reach a terminal, a Markdown file or an error message, where they could clear the screen, set
//! the window title, overwrite a line or reorder the text around them.
//!
//! Escaped are the C0 and C1 controls and DEL (Unicode's `Cc`) and the bidirectional controls
//! (Unicode's `Bidi_Control`, the "Trojan Source" characters). An escape is plain ASCII, so
//! escaping twice changes nothing more.

use std::borrow::Cow;
use std::io::{self, Write};

/// Stands for the ESC of the terminal renderer's own colour codes until [`EscapeControls`]
/// writes them: a Unicode noncharacter, reserved for a program's internal use.
pub(crate) const COLOUR_ESC: char = '\u{fdd0}';

/// Whether `c` is escaped: a C0 or C1 control, DEL, or a bidirectional control.
pub fn is_escaped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Appends the visible escape of `c`: `\n`, `\r` and `\t` by name, other ASCII controls as `\x1b`,
/// the rest as `\u{9b}`.
pub(crate) fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// `s` with every control character (line breaks too) escaped: for one-line text such as an
/// error message or a value quoted in one.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape_where(s, is_escaped)
}

/// `s` with every control character but the line break escaped: for multi-line text.
pub fn escape_controls_keep_newlines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c != '\n' && is_escaped(c))
}

fn escape_where(s: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escaped(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a byte may start a character [`EscapeControls`] rewrites: a C0 control or DEL, the
/// lead byte of a C1 control (U+0080–U+009F), of U+061C, of the U+2000 block (bidi controls) or
/// of [`COLOUR_ESC`]. Bytes that are none of these pass through unchanged.
fn may_need_escape(b: u8) -> bool {
    (b < 0x20 && b != b'\n') || b == 0x7f || b == 0xc2 || b == 0xd8 || b == 0xe2 || b == 0xef
}

/// A writer that escapes control characters in the text passing through it, keeping line
/// breaks. With `colour`, [`COLOUR_ESC`] becomes ESC: only the renderer's own colour codes reach
/// the terminal as escape sequences (the caller makes sure the input holds no [`COLOUR_ESC`]).
pub struct EscapeControls<'a> {
    inner: &'a mut dyn Write,
    colour: bool,
    /// The start of a character split between two writes.
    pending: Vec<u8>,
}

impl<'a> EscapeControls<'a> {
    pub fn new(inner: &'a mut dyn Write, colour: bool) -> EscapeControls<'a> {
        EscapeControls { inner, colour, pending: Vec::new() }
    }

    /// Writes valid UTF-8 text, escaped.
    fn write_text(&mut self, text: &str) -> io::Result<()> {
        if !text.bytes().any(may_need_escape) {
            return self.inner.write_all(text.as_bytes());
        }
        let mut out = String::with_capacity(text.len() + 16);
        for c in text.chars() {
            if c == COLOUR_ESC && self.colour {
                out.push('\x1b');
            } else if c == COLOUR_ESC || (c != '\n' && is_escaped(c)) {
                push_escape(&mut out, c);
            } else {
                out.push(c);
            }
        }
        self.inner.write_all(out.as_bytes())
    }

    /// Writes `bytes`, escaping invalid UTF-8 bytes as `\xff`; returns how many bytes at the end
    /// are the incomplete start of a character, left for the next write.
    fn write_bytes(&mut self, mut bytes: &[u8]) -> io::Result<usize> {
        loop {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    self.write_text(text)?;
                    return Ok(0);
                }
                Err(e) => {
                    let (valid, rest) = bytes.split_at(e.valid_up_to());
                    self.write_text(std::str::from_utf8(valid).expect("valid prefix"))?;
                    match e.error_len() {
                        None => return Ok(rest.len()),
                        Some(n) => {
                            let escaped: String = rest[..n].iter().map(|b| format!("\\x{b:02x}")).collect();
                            self.inner.write_all(escaped.as_bytes())?;
                            bytes = &rest[n..];
                        }
                    }
                }
            }
        }
    }
}

impl Write for EscapeControls<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            let left = self.write_bytes(buf)?;
            self.pending.extend_from_slice(&buf[buf.len() - left..]);
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            let left = self.write_bytes(&joined)?;
            self.pending = joined[joined.len() - left..].to_vec();
        }
        Ok(buf.len())
    }

    /// Flushes the inner writer; an incomplete character at the very end is written escaped.
    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let escaped: String = self.pending.drain(..).map(|b| format!("\\x{b:02x}")).collect();
            self.inner.write_all(escaped.as_bytes())?;
        }
        self.inner.flush()
    }
}

/// A writer that keeps nothing and notes whether [`COLOUR_ESC`] passed through it.
#[derive(Default)]
pub(crate) struct FindsColourEsc {
    pub found: bool,
    /// The last bytes of the previous write, for a character split between writes.
    tail: Vec<u8>,
}

impl Write for FindsColourEsc {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut needle = [0u8; 4];
        let needle = COLOUR_ESC.encode_utf8(&mut needle).as_bytes();
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(buf);
        self.found |= joined.windows(needle.len()).any(|w| w == needle);
        self.tail = joined[joined.len().saturating_sub(needle.len() - 1)..].to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(colour: bool, pieces: &[&[u8]]) -> String {
        let mut out = Vec::new();
        {
            let mut w = EscapeControls::new(&mut out, colour);
            for p in pieces {
                w.write_all(p).unwrap();
            }
            w.flush().unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_c0_c1_del_and_bidi_controls_visibly() {
        let s = "a\x1b[2Jb\x1b]0;title\x07c\rd\x08e\u{9b}f\u{202e}g\u{2066}h\x7fi\tj\0k";
        assert_eq!(
            escape_controls(s),
            "a\\x1b[2Jb\\x1b]0;title\\x07c\\rd\\x08e\\u{9b}f\\u{202e}g\\u{2066}h\\x7fi\\tj\\x00k"
        );
        assert_eq!(escape_controls("two\nlines"), "two\\nlines");
        assert_eq!(escape_controls_keep_newlines("two\nlines\r"), "two\nlines\\r");
        // Printable text, including other non-ASCII, is untouched and borrowed.
        assert!(matches!(escape_controls("précision — 精度 ✓"), Cow::Borrowed(_)));
        // An escape is ASCII: escaping it again changes nothing.
        let once = escape_controls(s).into_owned();
        assert_eq!(escape_controls(&once), once);
    }

    #[test]
    fn the_writer_escapes_controls_keeps_line_breaks_and_joins_split_characters() {
        assert_eq!(through(false, &[b"x\x1b[2J\ny"]), "x\\x1b[2J\ny");
        // U+009B (C2 9B) and U+202E (E2 80 AE) split between writes.
        assert_eq!(through(false, &[b"a\xc2", b"\x9bb\xe2\x80", b"\xaec"]), "a\\u{9b}b\\u{202e}c");
        // Invalid UTF-8 bytes are shown, not passed on.
        assert_eq!(through(false, &[b"a\xffb\x9b"]), "a\\xffb\\x9b");
        assert_eq!(through(false, &[b"end\xe2\x80"]), "end\\xe2\\x80");
    }

    #[test]
    fn only_the_colour_placeholder_becomes_esc_and_only_with_colour() {
        let painted = format!("{COLOUR_ESC}[1mbold{COLOUR_ESC}[0m \x1b[31m");
        assert_eq!(through(true, &[painted.as_bytes()]), "\x1b[1mbold\x1b[0m \\x1b[31m");
        assert_eq!(through(false, &[painted.as_bytes()]), "\\u{fdd0}[1mbold\\u{fdd0}[0m \\x1b[31m");
    }

    #[test]
    fn finds_the_colour_placeholder_across_writes() {
        let mut bytes = [0u8; 4];
        let p = COLOUR_ESC.encode_utf8(&mut bytes).as_bytes().to_vec();
        let mut f = FindsColourEsc::default();
        f.write_all(b"plain text").unwrap();
        assert!(!f.found);
        f.write_all(&p[..1]).unwrap();
        f.write_all(&p[1..]).unwrap();
        assert!(f.found);
    }
}

//! A small pull scanner for the JSON that training logs hold.
//!
//! Why not `serde_json`: Python's `json` module writes the bare literals `NaN`, `Infinity` and
//! `-Infinity` (a diverging loss, an infinite gradient norm), which strict parsers reject, and
//! building a `serde_json::Value` for a 100 MB `trainer_state.json` takes about a second. This
//! scanner reads the bytes in place: it accepts those three literals as numbers, hands out
//! object keys and strings borrowed from the input where they have no escapes, and skips
//! nested values it is not asked about without building them.

use std::borrow::Cow;

/// A syntax error at a byte offset; `position` turns the offset into "line L, column C".
#[derive(Debug, Clone)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

/// A JSON value as the log readers see it: scalars, or a marker for a list or object that was
/// skipped.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Number(f64),
    Str(Cow<'a, str>),
    Bool(bool),
    Null,
    /// A list or an object (skipped, not built).
    Nested,
}

pub struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

pub type JsonResult<T> = std::result::Result<T, JsonError>;

impl<'a> Scanner<'a> {
    pub fn new(bytes: &'a [u8]) -> Scanner<'a> {
        Scanner { bytes, pos: 0 }
    }

    /// The byte offset of the next unread byte.
    pub fn offset(&self) -> usize {
        self.pos
    }

    fn error<T>(&self, message: impl Into<String>) -> JsonResult<T> {
        Err(JsonError { offset: self.pos, message: message.into() })
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// The next non-whitespace byte, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    /// True when only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    fn expect(&mut self, byte: u8, what: &str) -> JsonResult<()> {
        match self.peek() {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => self.error(format!("expected {what}, found {}", describe_byte(b))),
            None => self.error(format!("expected {what}, but the text ends (is the file truncated?)")),
        }
    }

    /// Consumes the `{` that opens an object.
    pub fn begin_object(&mut self) -> JsonResult<()> {
        self.expect(b'{', "'{' (a JSON object)")
    }

    /// Consumes the `[` that opens a list.
    pub fn begin_array(&mut self) -> JsonResult<()> {
        self.expect(b'[', "'[' (a JSON list)")
    }

    /// The next key of the object being read (its `:` consumed), or None at its `}`.
    /// `first` must start true for each object.
    pub fn next_key(&mut self, first: &mut bool) -> JsonResult<Option<Cow<'a, str>>> {
        let at = self.pos;
        match self.next_key_raw(first)? {
            None => Ok(None),
            Some(raw) => match raw {
                Cow::Borrowed(b) => match std::str::from_utf8(b) {
                    Ok(k) => Ok(Some(Cow::Borrowed(k))),
                    Err(_) => Err(JsonError {
                        offset: at,
                        message: "a key is not valid UTF-8 (re-save the file as UTF-8)".into(),
                    }),
                },
                Cow::Owned(b) => match String::from_utf8(b) {
                    Ok(k) => Ok(Some(Cow::Owned(k))),
                    Err(_) => Err(JsonError {
                        offset: at,
                        message: "a key is not valid UTF-8 (re-save the file as UTF-8)".into(),
                    }),
                },
            },
        }
    }

    /// `next_key` without the UTF-8 check: the key's bytes (unescaped), for callers that
    /// look keys up and check a key only the first time they see it.
    pub fn next_key_raw(&mut self, first: &mut bool) -> JsonResult<Option<Cow<'a, [u8]>>> {
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                return Ok(None);
            }
            Some(b',') if !*first => {
                self.pos += 1;
            }
            Some(_) if *first => {}
            Some(b) => return self.error(format!("expected ',' or '}}' in an object, found {}", describe_byte(b))),
            None => return self.error("the text ends inside an object (is the file truncated?)"),
        }
        *first = false;
        match self.peek() {
            Some(b'"') => {}
            Some(b) => return self.error(format!("expected a quoted key, found {}", describe_byte(b))),
            None => return self.error("the text ends inside an object (is the file truncated?)"),
        }
        let key = self.string_bytes()?;
        self.expect(b':', "':' after the key")?;
        Ok(Some(key))
    }

    /// Whether the list being read has another element (its `,` consumed); false at its `]`.
    /// `first` must start true for each list.
    pub fn next_element(&mut self, first: &mut bool) -> JsonResult<bool> {
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b',') if !*first => {
                self.pos += 1;
                *first = false;
                Ok(true)
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            Some(b) => self.error(format!("expected ',' or ']' in a list, found {}", describe_byte(b))),
            None => self.error("the text ends inside a list (is the file truncated?)"),
        }
    }

    /// Reads one value: a scalar, or `Nested` after skipping a list or object.
    pub fn scalar(&mut self) -> JsonResult<Scalar<'a>> {
        match self.peek() {
            Some(b'{') | Some(b'[') => {
                self.skip_value()?;
                Ok(Scalar::Nested)
            }
            Some(b'"') => Ok(Scalar::Str(self.string()?)),
            Some(b't') => self.literal("true", Scalar::Bool(true)),
            Some(b'f') => self.literal("false", Scalar::Bool(false)),
            Some(b'n') => self.literal("null", Scalar::Null),
            Some(b'N') => self.literal("NaN", Scalar::Number(f64::NAN)),
            Some(b'I') => self.literal("Infinity", Scalar::Number(f64::INFINITY)),
            Some(b'-') if self.bytes.get(self.pos + 1) == Some(&b'I') => {
                self.literal("-Infinity", Scalar::Number(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => Ok(Scalar::Number(self.number()?)),
            Some(b) => self.error(format!("expected a value, found {}", describe_byte(b))),
            None => self.error("expected a value, but the text ends (is the file truncated?)"),
        }
    }

    /// Skips one value of any kind, however deeply nested.
    pub fn skip_value(&mut self) -> JsonResult<()> {
        // One entry per open container: true for an object, false for a list.
        let mut open: Vec<bool> = Vec::new();
        loop {
            // Read one value, or open a container.
            match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    let mut first = true;
                    if self.next_key_raw(&mut first)?.is_some() {
                        open.push(true);
                        continue;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        open.push(false);
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string_bytes()?;
                }
                _ => {
                    self.scalar()?;
                }
            }
            // After a complete value: close containers, or move on to the next element.
            loop {
                let Some(&is_object) = open.last() else { return Ok(()) };
                let mut first = false;
                if is_object {
                    if self.next_key_raw(&mut first)?.is_some() {
                        break;
                    }
                } else if self.next_element(&mut first)? {
                    break;
                }
                open.pop();
            }
        }
    }

    fn literal(&mut self, word: &str, value: Scalar<'a>) -> JsonResult<Scalar<'a>> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            let end = (self.pos + 12).min(self.bytes.len());
            let found = String::from_utf8_lossy(&self.bytes[self.pos..end]).into_owned();
            self.error(format!("expected a value, found '{found}'"))
        }
    }

    fn number(&mut self) -> JsonResult<f64> {
        let start = self.pos;
        let b = self.bytes;
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits_start = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == digits_start {
            self.pos = i;
            return self.error("a '-' must be followed by digits");
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac = i;
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
            if i == frac {
                self.pos = i;
                return self.error("a '.' in a number must be followed by digits");
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let exp = i;
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
            if i == exp {
                self.pos = i;
                return self.error("an exponent in a number must have digits");
            }
        }
        self.pos = i;
        // The slice is ASCII digits, signs, '.', 'e': always valid UTF-8.
        let text = std::str::from_utf8(&b[start..i]).unwrap_or("");
        text.parse::<f64>().or_else(|_| self.error(format!("'{text}' is not a number")))
    }

    /// A string at the cursor (which is on its opening quote), unescaped.
    fn string(&mut self) -> JsonResult<Cow<'a, str>> {
        let start = self.pos;
        let invalid =
            JsonError { offset: start, message: "a string is not valid UTF-8 (re-save the file as UTF-8)".into() };
        match self.string_bytes()? {
            Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed).map_err(|_| invalid),
            Cow::Owned(b) => String::from_utf8(b).map(Cow::Owned).map_err(|_| invalid),
        }
    }

    /// The bytes of a string at the cursor (on its opening quote), unescaped; borrowed from the
    /// input when the string has no escapes.
    fn string_bytes(&mut self) -> JsonResult<Cow<'a, [u8]>> {
        let b = self.bytes;
        self.pos += 1;
        let start = self.pos;
        let mut i = start;
        loop {
            match b.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Cow::Borrowed(&b[start..i]));
                }
                Some(b'\\') => break,
                Some(_) => i += 1,
                None => {
                    self.pos = start.saturating_sub(1);
                    return self.error("a string is not closed (is the file truncated?)");
                }
            }
        }
        // Escapes: build an owned copy.
        let mut out: Vec<u8> = b[start..i].to_vec();
        loop {
            match b.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let esc = b.get(i + 1).copied();
                    i += 2;
                    match esc {
                        Some(b'"') => out.push(b'"'),
                        Some(b'\\') => out.push(b'\\'),
                        Some(b'/') => out.push(b'/'),
                        Some(b'b') => out.push(8),
                        Some(b'f') => out.push(12),
                        Some(b'n') => out.push(b'\n'),
                        Some(b'r') => out.push(b'\r'),
                        Some(b't') => out.push(b'\t'),
                        Some(b'u') => {
                            let (c, used) = self.unicode_escape(i)?;
                            i += used;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => {
                            self.pos = i.saturating_sub(2);
                            return self.error("a string holds an unknown escape sequence");
                        }
                    }
                }
                Some(&c) => {
                    out.push(c);
                    i += 1;
                }
                None => {
                    self.pos = start.saturating_sub(1);
                    return self.error("a string is not closed (is the file truncated?)");
                }
            }
        }
    }

    /// The character of a `\uXXXX` escape whose hex digits start at `i` (a surrogate pair
    /// takes a second escape), and how many bytes after `i` it used.
    fn unicode_escape(&mut self, i: usize) -> JsonResult<(char, usize)> {
        let hex = |at: usize| -> Option<u32> {
            let s = self.bytes.get(at..at + 4)?;
            u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
        };
        let Some(first) = hex(i) else {
            self.pos = i;
            return self.error("a \\u escape must have four hex digits");
        };
        if (0xD800..0xDC00).contains(&first) && self.bytes.get(i + 4..i + 6) == Some(b"\\u") {
            if let Some(second) = hex(i + 6) {
                if (0xDC00..0xE000).contains(&second) {
                    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return Ok((char::from_u32(code).unwrap_or('\u{FFFD}'), 10));
                }
            }
        }
        Ok((char::from_u32(first).unwrap_or('\u{FFFD}'), 4))
    }
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// "line L, column C" (1-based) of a byte offset.
pub fn position(bytes: &[u8], offset: usize) -> String {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map(|p| p + 1).unwrap_or(0);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars(text: &str) -> Vec<(String, Scalar<'_>)> {
        let mut s = Scanner::new(text.as_bytes());
        s.begin_object().unwrap();
        let mut first = true;
        let mut out = Vec::new();
        while let Some(k) = s.next_key(&mut first).unwrap() {
            out.push((k.into_owned(), s.scalar().unwrap()));
        }
        assert!(s.at_end());
        out
    }

    #[test]
    fn python_literals_are_numbers() {
        let v = scalars(r#"{"a": NaN, "b": Infinity, "c": -Infinity, "d": -1.5e-3, "e": "NaN"}"#);
        assert!(matches!(v[0].1, Scalar::Number(x) if x.is_nan()));
        assert_eq!(v[1].1, Scalar::Number(f64::INFINITY));
        assert_eq!(v[2].1, Scalar::Number(f64::NEG_INFINITY));
        assert_eq!(v[3].1, Scalar::Number(-1.5e-3));
        assert_eq!(v[4].1, Scalar::Str(Cow::Borrowed("NaN")));
    }

    #[test]
    fn nested_values_are_skipped() {
        let v = scalars(r#"{"a": {"x": [1, {"y": "}]"}, [], {}], "z": null}, "b": [[[]]], "c": 2, "d": {}}"#);
        assert_eq!(v[0].1, Scalar::Nested);
        assert_eq!(v[1].1, Scalar::Nested);
        assert_eq!(v[2].1, Scalar::Number(2.0));
        assert_eq!(v[3].1, Scalar::Nested);
    }

    #[test]
    fn escapes_are_decoded() {
        let v = scalars(r#"{"a\"b": "x\u00e9\ud83d\ude00\n"}"#);
        assert_eq!(v[0].0, "a\"b");
        assert_eq!(v[0].1, Scalar::Str(Cow::Owned("xé😀\n".to_string())));
    }

    #[test]
    fn errors_have_positions() {
        let text = "{\n  \"a\": 1,\n  \"b\": nope\n}";
        let mut s = Scanner::new(text.as_bytes());
        s.begin_object().unwrap();
        let mut first = true;
        s.next_key(&mut first).unwrap();
        s.scalar().unwrap();
        s.next_key(&mut first).unwrap();
        let e = s.scalar().unwrap_err();
        assert_eq!(position(text.as_bytes(), e.offset), "line 3, column 8");
        let mut t = Scanner::new(b"{\"a\": [1, 2");
        t.begin_object().unwrap();
        let mut first = true;
        t.next_key(&mut first).unwrap();
        assert!(t.skip_value().unwrap_err().message.contains("truncated"));
    }
}

//! Lists and dicts written as Python prints them — `['a', "don't"]`, `{'a': 0.2}`,
//! `[True, None]`, numpy's `[0.1 0.9]` — as JSON values. pandas writes list cells this way.
//! Nesting deeper than [`MAX_DEPTH`] is an error, not a stack overflow.

use serde_json::{Map, Number, Value};

use crate::limits::MAX_DEPTH;

/// Why text is not a literal fteval reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralError {
    /// Not a Python list/dict literal (or not only one).
    Invalid,
    /// Lists or dicts nested deeper than [`MAX_DEPTH`]; the byte offset of the first too deep.
    TooDeep { offset: usize },
}

/// Parses one Python list/dict literal (the whole text); None when it is not one (or nests
/// too deeply: see [`parse_literal`]).
pub fn parse(text: &str) -> Option<Value> {
    parse_literal(text).ok()
}

/// Parses one Python list/dict literal (the whole text), saying why when it cannot.
pub fn parse_literal(text: &str) -> Result<Value, LiteralError> {
    let mut p = Parser { s: text.as_bytes(), i: 0, depth: 0 };
    let v = p.value()?;
    p.ws();
    if p.i == p.s.len() {
        Ok(v)
    } else {
        Err(LiteralError::Invalid)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    /// Lists and dicts open around the position.
    depth: usize,
}

type Parsed<T> = Result<T, LiteralError>;

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&self) -> Parsed<u8> {
        self.s.get(self.i).copied().ok_or(LiteralError::Invalid)
    }

    fn value(&mut self) -> Parsed<Value> {
        self.ws();
        match self.peek()? {
            b'[' | b'(' => self.nested(Self::list),
            b'{' => self.nested(Self::dict),
            b'\'' | b'"' => self.string().map(Value::String),
            _ => self.word(),
        }
    }

    /// Parses a list or dict one level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested(&mut self, parse: fn(&mut Self) -> Parsed<Value>) -> Parsed<Value> {
        if self.depth >= MAX_DEPTH {
            return Err(LiteralError::TooDeep { offset: self.i });
        }
        self.depth += 1;
        let v = parse(self);
        self.depth -= 1;
        v
    }

    /// Elements separated by commas or (numpy) whitespace, closed by `]` or `)`.
    fn list(&mut self) -> Parsed<Value> {
        let close = if self.s[self.i] == b'[' { b']' } else { b')' };
        self.i += 1;
        let mut out = Vec::new();
        loop {
            self.ws();
            if self.peek()? == close {
                self.i += 1;
                return Ok(Value::Array(out));
            }
            out.push(self.value()?);
            self.ws();
            if self.peek()? == b',' {
                self.i += 1;
            }
        }
    }

    fn dict(&mut self) -> Parsed<Value> {
        self.i += 1;
        let mut out = Map::new();
        loop {
            self.ws();
            if self.peek()? == b'}' {
                self.i += 1;
                return Ok(Value::Object(out));
            }
            let key = match self.value()? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            self.ws();
            if self.peek()? != b':' {
                return Err(LiteralError::Invalid);
            }
            self.i += 1;
            let v = self.value()?;
            out.insert(key, v);
            self.ws();
            if self.peek()? == b',' {
                self.i += 1;
            }
        }
    }

    fn string(&mut self) -> Parsed<String> {
        let quote = self.s[self.i];
        self.i += 1;
        let mut out = Vec::new();
        while let Ok(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        other => other,
                    });
                }
                c if c == quote => return String::from_utf8(out).map_err(|_| LiteralError::Invalid),
                c => out.push(c),
            }
        }
        Err(LiteralError::Invalid)
    }

    /// Numbers and the words True, False, None, nan, inf.
    fn word(&mut self) -> Parsed<Value> {
        let start = self.i;
        while let Ok(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+' | b'_') {
                self.i += 1;
            } else {
                break;
            }
        }
        let w = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| LiteralError::Invalid)?;
        match w {
            "True" | "true" => Ok(Value::Bool(true)),
            "False" | "false" => Ok(Value::Bool(false)),
            "None" | "null" => Ok(Value::Null),
            "" => Err(LiteralError::Invalid),
            _ => {
                if let Ok(i) = w.parse::<i64>() {
                    return Ok(Value::Number(i.into()));
                }
                let x: f64 = w.parse().map_err(|_| LiteralError::Invalid)?;
                Ok(Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_reprs() {
        assert_eq!(parse("['TrueCrime', 'drama']"), Some(json!(["TrueCrime", "drama"])));
        assert_eq!(parse(r#"["don't", 'drama']"#), Some(json!(["don't", "drama"])));
        assert_eq!(parse("['NoneSuch']"), Some(json!(["NoneSuch"])));
        assert_eq!(parse("{'a': 0.2, 'b': 1}"), Some(json!({"a": 0.2, "b": 1})));
        assert_eq!(parse("[0.1 0.9]"), Some(json!([0.1, 0.9])));
        assert_eq!(parse("[True, None, -1.5e-3]"), Some(json!([true, null, -0.0015])));
        assert_eq!(parse("[]"), Some(json!([])));
        assert_eq!(parse("['a',]"), Some(json!(["a"])));
        assert_eq!(parse("['a'"), None);
        assert_eq!(parse("[a b]"), None);
        assert_eq!(parse("['a'] extra"), None);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let start = std::time::Instant::now();
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_literal(&deep), Err(LiteralError::TooDeep { offset: MAX_DEPTH }));
        let dicts = format!("{}1{}", "{'a': ".repeat(100_000), "}".repeat(100_000));
        assert!(matches!(parse_literal(&dicts), Err(LiteralError::TooDeep { .. })));
        assert!(start.elapsed().as_secs_f64() < 1.0, "{:?}", start.elapsed());
        // As deep as the limit is fine.
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse_literal(&ok).is_ok());
    }
}

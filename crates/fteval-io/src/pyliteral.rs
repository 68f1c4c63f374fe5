//! Lists and dicts written as Python prints them — `['a', "don't"]`, `{'a': 0.2}`,
//! `[True, None]`, numpy's `[0.1 0.9]` — as JSON values. pandas writes list cells this way.

use serde_json::{Map, Number, Value};

/// Parses one Python list/dict literal (the whole text); None when it is not one.
pub fn parse(text: &str) -> Option<Value> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    let v = p.value()?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        match self.peek()? {
            b'[' | b'(' => self.list(),
            b'{' => self.dict(),
            b'\'' | b'"' => self.string().map(Value::String),
            _ => self.word(),
        }
    }

    /// Elements separated by commas or (numpy) whitespace, closed by `]` or `)`.
    fn list(&mut self) -> Option<Value> {
        let close = if self.s[self.i] == b'[' { b']' } else { b')' };
        self.i += 1;
        let mut out = Vec::new();
        loop {
            self.ws();
            if self.peek()? == close {
                self.i += 1;
                return Some(Value::Array(out));
            }
            out.push(self.value()?);
            self.ws();
            if self.peek()? == b',' {
                self.i += 1;
            }
        }
    }

    fn dict(&mut self) -> Option<Value> {
        self.i += 1;
        let mut out = Map::new();
        loop {
            self.ws();
            if self.peek()? == b'}' {
                self.i += 1;
                return Some(Value::Object(out));
            }
            let key = match self.value()? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            self.ws();
            if self.peek()? != b':' {
                return None;
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

    fn string(&mut self) -> Option<String> {
        let quote = self.s[self.i];
        self.i += 1;
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
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
                c if c == quote => return String::from_utf8(out).ok(),
                c => out.push(c),
            }
        }
        None
    }

    /// Numbers and the words True, False, None, nan, inf.
    fn word(&mut self) -> Option<Value> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+' | b'_') {
                self.i += 1;
            } else {
                break;
            }
        }
        let w = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        match w {
            "True" | "true" => Some(Value::Bool(true)),
            "False" | "false" => Some(Value::Bool(false)),
            "None" | "null" => Some(Value::Null),
            "" => None,
            _ => {
                if let Ok(i) = w.parse::<i64>() {
                    return Some(Value::Number(i.into()));
                }
                let x: f64 = w.parse().ok()?;
                Some(Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null))
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
}

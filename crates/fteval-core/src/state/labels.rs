//! A label dictionary: codes in first-seen order, for states that merge by label name.

use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub struct Dictionary {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Dictionary {
    /// The code of `label`, added when new.
    pub fn code(&mut self, label: &str) -> u32 {
        if let Some(&c) = self.index.get(label) {
            return c;
        }
        let c = self.names.len() as u32;
        self.names.push(label.to_string());
        self.index.insert(label.to_string(), c);
        c
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// A dictionary of `names` in that order; Err(the label) if one repeats.
    pub fn from_names(names: Vec<String>) -> Result<Dictionary, String> {
        let mut d = Dictionary::default();
        for n in names {
            if d.index.contains_key(&n) {
                return Err(n);
            }
            d.code(&n);
        }
        Ok(d)
    }
}

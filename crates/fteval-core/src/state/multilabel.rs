//! The state of a multilabel evaluation: counted (gold set, predicted set) pairs over a label
//! dictionary, mergeable in any order into exactly the one-shot result.
//!
//! What grows with n: the distinct (gold set, predicted set) pairs — bounded by the label
//! combinations that occur, usually far fewer than the rows.

use std::collections::HashMap;

use crate::data::MultilabelInput;
use crate::evaluate::{evaluate_multilabel, Evaluation};
use crate::labels::{sort_labels, Vocab};
use crate::metrics::multilabel::SetPair;
use crate::stats::bootstrap::BootstrapConfig;

use super::bytes::{Reader, Writer};
use super::{Kind, StateError};

/// Sufficient statistics of a multilabel test set (see the module comment).
#[derive(Clone, Debug, Default)]
pub struct MultilabelState {
    labels: Vocab,
    /// (gold set, predicted set) in dictionary codes, each sorted → rows.
    pairs: HashMap<(Vec<u32>, Vec<u32>), u64>,
}

impl MultilabelState {
    pub fn new() -> MultilabelState {
        MultilabelState::default()
    }

    /// Rows counted so far.
    pub fn rows(&self) -> u64 {
        self.pairs.values().sum()
    }

    /// Adds one example: its gold and predicted label sets (any order, duplicates ignored).
    pub fn add(&mut self, gold: &[&str], pred: &[&str]) {
        let g = self.set(gold);
        let p = self.set(pred);
        *self.pairs.entry((g, p)).or_insert(0) += 1;
    }

    fn set(&mut self, labels: &[&str]) -> Vec<u32> {
        let mut v: Vec<u32> = labels.iter().map(|l| self.labels.intern(l)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Adds the rows of a prepared input.
    pub fn update(&mut self, input: &MultilabelInput) {
        let map: Vec<u32> = input.labels.iter().map(|l| self.labels.intern(l)).collect();
        let remap = |s: &[u32]| {
            let mut v: Vec<u32> = s.iter().map(|&c| map[c as usize]).collect();
            v.sort_unstable();
            v
        };
        for row in &input.rows {
            *self.pairs.entry((remap(&row.gold), remap(&row.pred))).or_insert(0) += 1;
        }
    }

    /// Adds the rows of `other`.
    pub fn merge(&mut self, other: &MultilabelState) {
        let map: Vec<u32> = other.labels.names().iter().map(|l| self.labels.intern(l)).collect();
        for ((g, p), &c) in &other.pairs {
            let remap = |s: &[u32]| {
                let mut v: Vec<u32> = s.iter().map(|&x| map[x as usize]).collect();
                v.sort_unstable();
                v
            };
            *self.pairs.entry((remap(g), remap(p))).or_insert(0) += c;
        }
    }

    /// The test set, rows in a canonical order (pairs sorted in sorted-label codes).
    pub fn to_input(&self) -> Result<MultilabelInput, StateError> {
        if self.pairs.is_empty() {
            return Err(StateError::Empty);
        }
        let mut labels: Vec<String> = self.labels.names().to_vec();
        if labels.is_empty() {
            return Err(StateError::Input(
                "every gold and predicted label set is empty: multilabel evaluation needs at least one label".into(),
            ));
        }
        sort_labels(&mut labels);
        let sorted: Vec<u32> =
            self.labels.names().iter().map(|l| labels.iter().position(|x| x == l).unwrap() as u32).collect();
        let remap = |s: &[u32]| {
            let mut v: Vec<u32> = s.iter().map(|&c| sorted[c as usize]).collect();
            v.sort_unstable();
            v
        };
        let mut pairs: Vec<(Vec<u32>, Vec<u32>, u64)> =
            self.pairs.iter().map(|((g, p), &c)| (remap(g), remap(p), c)).collect();
        pairs.sort_unstable();
        let mut rows = Vec::with_capacity(self.rows() as usize);
        for (g, p, c) in pairs {
            for _ in 0..c {
                rows.push(SetPair { gold: g.clone(), pred: p.clone() });
            }
        }
        Ok(MultilabelInput { labels, rows })
    }

    /// What `evaluate_multilabel` gives for the same rows in one batch.
    pub fn finalize(&self, config: &BootstrapConfig) -> Result<Evaluation, StateError> {
        Ok(evaluate_multilabel(&self.to_input()?, config))
    }

    /// The state in the versioned byte format of docs/states.md.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::Multilabel);
        w.strs(self.labels.names());
        let mut pairs: Vec<(&(Vec<u32>, Vec<u32>), &u64)> = self.pairs.iter().collect();
        pairs.sort_unstable();
        w.u64(pairs.len() as u64);
        for ((g, p), &c) in pairs {
            for set in [g, p] {
                w.u64(set.len() as u64);
                set.iter().for_each(|&x| w.u32(x));
            }
            w.u64(c);
        }
        w.finish()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<MultilabelState, StateError> {
        let mut r = Reader::new(bytes, Kind::Multilabel)?;
        let labels = Vocab::from_names(r.strs()?).map_err(|l| r.bad(format!("label '{l}' twice")))?;
        let n = r.count(24)?;
        let mut pairs = HashMap::with_capacity(n);
        for _ in 0..n {
            let mut sets = [Vec::new(), Vec::new()];
            for set in &mut sets {
                let m = r.count(4)?;
                for _ in 0..m {
                    let x = r.u32()?;
                    if x as usize >= labels.names().len() {
                        return Err(r.bad("a label code beyond the label list".into()));
                    }
                    set.push(x);
                }
            }
            let c = r.u64()?;
            let [g, p] = sets;
            *pairs.entry((g, p)).or_insert(0) += c;
        }
        r.end()?;
        Ok(MultilabelState { labels, pairs })
    }
}

//! Entity-level NER metrics equal to seqeval 1.2.2.
//!
//! Two ways of finding entities, as seqeval has them:
//! - [`NerMode::Default`]: seqeval's conlleval-compatible `get_entities` (what
//!   `seqeval.metrics.classification_report` and `f1_score` use without `mode='strict'`).
//!   It never rejects a tag: `I-X` without `B-X` starts an entity, a change of type ends one,
//!   `E-`/`S-` tags are understood, and a tag without a prefix is read as prefix = its first
//!   character, type = the rest (`PER` → prefix `P`, type `ER`), exactly as seqeval reads it.
//! - [`NerMode::Strict`]: `seqeval.scheme`'s `Entities` for one [`Scheme`] (`mode='strict'`):
//!   a token whose prefix the scheme does not allow is an error (seqeval raises), and a
//!   sequence that does not form a valid chunk (`I-PER` alone in IOB2, `B-PER I-PER` without
//!   `E-` in IOBES) is not an entity.
//!
//! Everything is computed from per-sentence sufficient statistics ([`NerStats`]): per entity
//! type the true positives, predicted and gold entities, and the correct and total tokens. A
//! bootstrap over sentences sums the rows of the drawn sentences ([`NerStats::resample_into`])
//! and never looks at a tag again.
//!
//! Tags are interned ([`TagVocab`]); each distinct tag is parsed once, so the per-token work
//! is a table lookup.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// Input: interned tags, sentence by sentence

/// Distinct tag spellings and their ids.
pub type TagVocab = crate::labels::Vocab;

/// Gold and predicted tags of a corpus, sentence by sentence, in flat arrays: token `t` of
/// the corpus has gold tag `gold[t]` and predicted tag `pred[t]` (ids into `vocab`), and
/// sentence `s` holds tokens `bounds[s]..bounds[s + 1]`.
#[derive(Clone, Debug)]
pub struct NerSequences {
    pub vocab: TagVocab,
    gold: Vec<u32>,
    pred: Vec<u32>,
    bounds: Vec<u32>,
}

impl Default for NerSequences {
    fn default() -> Self {
        NerSequences::new()
    }
}

impl NerSequences {
    pub fn new() -> NerSequences {
        NerSequences { vocab: TagVocab::new(), gold: Vec::new(), pred: Vec::new(), bounds: vec![0] }
    }

    /// Sequences from lists of tags (seqeval's `y_true`, `y_pred`).
    pub fn from_lists<S: AsRef<str>>(gold: &[Vec<S>], pred: &[Vec<S>]) -> Result<NerSequences, NerError> {
        if gold.len() != pred.len() {
            return Err(NerError::SentenceCountMismatch { gold: gold.len(), pred: pred.len() });
        }
        let mut seqs = NerSequences::new();
        for (g, p) in gold.iter().zip(pred) {
            seqs.push_sentence(g, p)?;
        }
        Ok(seqs)
    }

    /// Appends one sentence given as tag strings; gold and predictions must have equal length.
    pub fn push_sentence<S: AsRef<str>>(&mut self, gold: &[S], pred: &[S]) -> Result<(), NerError> {
        if gold.len() != pred.len() {
            return Err(NerError::LengthMismatch { sentence: self.n_sentences(), gold: gold.len(), pred: pred.len() });
        }
        for (g, p) in gold.iter().zip(pred) {
            let (g, p) = (self.vocab.intern(g.as_ref()), self.vocab.intern(p.as_ref()));
            self.push_token(g, p);
        }
        self.end_sentence();
        Ok(())
    }

    /// Appends one token of the sentence being built (ids from `self.vocab`).
    pub fn push_token(&mut self, gold: u32, pred: u32) {
        self.gold.push(gold);
        self.pred.push(pred);
    }

    /// Closes the sentence being built (an empty sentence when no token was pushed).
    pub fn end_sentence(&mut self) {
        self.bounds.push(self.gold.len() as u32);
    }

    /// Tokens pushed since the last `end_sentence`.
    pub fn open_sentence_len(&self) -> usize {
        self.gold.len() - *self.bounds.last().unwrap() as usize
    }

    pub fn n_sentences(&self) -> usize {
        self.bounds.len() - 1
    }

    pub fn n_tokens(&self) -> usize {
        *self.bounds.last().unwrap() as usize
    }

    /// Corpus token positions of sentence `s`.
    pub fn sentence(&self, s: usize) -> Range<usize> {
        self.bounds[s] as usize..self.bounds[s + 1] as usize
    }

    pub fn gold(&self, s: usize) -> &[u32] {
        &self.gold[self.sentence(s)]
    }

    pub fn pred(&self, s: usize) -> &[u32] {
        &self.pred[self.sentence(s)]
    }

    /// Sentence `s` as tag strings (gold, predicted).
    pub fn sentence_tags(&self, s: usize) -> (Vec<&str>, Vec<&str>) {
        let names = |ids: &[u32]| ids.iter().map(|&i| self.vocab.name(i)).collect::<Vec<_>>();
        (names(self.gold(s)), names(self.pred(s)))
    }

    /// The sentence holding corpus token `t`.
    pub fn sentence_of(&self, t: usize) -> usize {
        self.bounds.partition_point(|&b| b as usize <= t) - 1
    }
}

// ---------------------------------------------------------------------------------------------
// Options

/// seqeval's tagging schemes (`seqeval.scheme`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Iob1,
    Iob2,
    Ioe1,
    Ioe2,
    Iobes,
    Bilou,
}

impl Scheme {
    pub const ALL: [Scheme; 6] = [Scheme::Iob1, Scheme::Iob2, Scheme::Ioe1, Scheme::Ioe2, Scheme::Iobes, Scheme::Bilou];

    /// `IOB2`, `iobes`, ... (case-insensitive); `BIO` is IOB2 and `BIOES` is IOBES.
    pub fn parse(name: &str) -> Option<Scheme> {
        Some(match name.to_ascii_uppercase().as_str() {
            "IOB1" => Scheme::Iob1,
            "IOB2" | "BIO" | "IOB" => Scheme::Iob2,
            "IOE1" => Scheme::Ioe1,
            "IOE2" => Scheme::Ioe2,
            "IOBES" | "BIOES" => Scheme::Iobes,
            "BILOU" => Scheme::Bilou,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Iob1 => "IOB1",
            Scheme::Iob2 => "IOB2",
            Scheme::Ioe1 => "IOE1",
            Scheme::Ioe2 => "IOE2",
            Scheme::Iobes => "IOBES",
            Scheme::Bilou => "BILOU",
        }
    }

    /// The prefixes the scheme allows, as a set of [`Prefix`] bits.
    fn allowed(self) -> u8 {
        use Prefix::*;
        match self {
            Scheme::Iob1 | Scheme::Iob2 => I.bit() | O.bit() | B.bit(),
            Scheme::Ioe1 | Scheme::Ioe2 => I.bit() | O.bit() | E.bit(),
            Scheme::Iobes => I.bit() | O.bit() | B.bit() | E.bit() | S.bit(),
            Scheme::Bilou => B.bit() | I.bit() | L.bit() | O.bit() | U.bit(),
        }
    }

    /// The allowed prefixes as text, e.g. `I, O, B`.
    pub fn allowed_prefixes(self) -> String {
        Prefix::ALL.iter().filter(|p| self.allowed() & p.bit() != 0).map(|p| p.letter()).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How entities are found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NerMode {
    /// seqeval's default (conlleval-compatible) `get_entities`.
    #[default]
    Default,
    /// seqeval's `mode='strict'` with a scheme.
    Strict(Scheme),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NerOptions {
    pub mode: NerMode,
    /// Tags written type first, prefix last (`PER-B`), seqeval's `suffix=True`.
    pub suffix: bool,
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Which side of the data a tag came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Gold,
    Pred,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Gold => "gold",
            Side::Pred => "predicted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NerError {
    SentenceCountMismatch {
        gold: usize,
        pred: usize,
    },
    /// Sentence `sentence` (0-based) has a different number of gold and predicted tags.
    LengthMismatch {
        sentence: usize,
        gold: usize,
        pred: usize,
    },
    /// In strict mode, a tag seqeval's scheme refuses: its prefix is not one of I, O, B, E, S,
    /// U, L (`known_prefix` false), or the scheme does not allow it.
    InvalidTag {
        tag: String,
        scheme: Scheme,
        known_prefix: bool,
        side: Side,
        sentence: usize,
        token: usize,
    },
}

impl fmt::Display for NerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NerError::SentenceCountMismatch { gold, pred } => {
                write!(f, "{gold} sentences of gold tags but {pred} of predicted tags")
            }
            NerError::LengthMismatch { sentence, gold, pred } => {
                write!(f, "sentence {} has {gold} gold tags but {pred} predicted tags", sentence + 1)
            }
            NerError::InvalidTag { tag, scheme, known_prefix, side, sentence, token } => {
                let what = if *known_prefix { "a prefix" } else { "no prefix" };
                write!(
                    f,
                    "{} tag '{}' (sentence {}, token {}) has {what} that scheme {} allows (allowed prefixes: {})",
                    side.name(),
                    tag,
                    sentence + 1,
                    token + 1,
                    scheme,
                    scheme.allowed_prefixes()
                )
            }
        }
    }
}

impl std::error::Error for NerError {}

// ---------------------------------------------------------------------------------------------
// Results

/// One entity: its type (index into [`NerStats::types`]) and corpus token positions
/// `start..end`. In default mode seqeval can give an entity a start left over from an
/// earlier chunk (e.g. `O X I-PER`: the bare `X` ends a type-`_` chunk that never started),
/// so `start` may lie before the sentence of `end`; it is `u32::MAX` in the one case where
/// seqeval's stale offset points at no token (an empty first sentence).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entity {
    pub type_id: u32,
    pub start: u32,
    pub end: u32,
    /// Found on the other side too (same type, start and end).
    pub matched: bool,
}

/// Counts of one entity type within one sentence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TypeRow {
    pub type_id: u32,
    pub tp: u32,
    pub pred: u32,
    pub gold: u32,
}

/// Counts of one entity type over some sentences.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TypeCounts {
    pub tp: u64,
    pub pred: u64,
    pub gold: u64,
}

/// Summed sufficient statistics: per entity type (indexed like [`NerStats::types`]) and tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NerCounts {
    pub per_type: Vec<TypeCounts>,
    pub token_correct: u64,
    pub token_total: u64,
}

/// Scores of one entity type, as seqeval's classification report has them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TypeScores {
    pub type_id: u32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Gold entities of this type.
    pub support: u64,
    pub predicted: u64,
    pub tp: u64,
}

/// seqeval's numbers (zero_division 'warn', i.e. 0 for an empty denominator).
#[derive(Clone, Debug, PartialEq)]
pub struct NerScores {
    /// Micro averages (seqeval's default `precision_score`, `recall_score`, `f1_score`).
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Unweighted means over the entity types found in gold or predictions; None when there
    /// is no entity at all (seqeval returns NaN).
    pub precision_macro: Option<f64>,
    pub recall_macro: Option<f64>,
    pub f1_macro: Option<f64>,
    /// Means weighted by gold support (0 when there is no gold entity, as seqeval).
    pub precision_weighted: f64,
    pub recall_weighted: f64,
    pub f1_weighted: f64,
    /// Total gold entities.
    pub support: u64,
    pub predicted: u64,
    pub tp: u64,
    /// seqeval's `accuracy_score`: tokens whose predicted tag equals the gold tag; None
    /// without tokens.
    pub token_accuracy: Option<f64>,
    /// Types with at least one gold or predicted entity, in type order.
    pub per_type: Vec<TypeScores>,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// seqeval's F-score from precision and recall: 2pr / (p + r), 0 when p + r = 0.
fn f_score(p: f64, r: f64) -> f64 {
    let denom = p + r;
    if denom == 0.0 {
        0.0
    } else {
        2.0 * p * r / denom
    }
}

impl NerCounts {
    pub fn zeros(n_types: usize) -> NerCounts {
        NerCounts { per_type: vec![TypeCounts::default(); n_types], token_correct: 0, token_total: 0 }
    }

    fn clear(&mut self) {
        self.per_type.iter_mut().for_each(|c| *c = TypeCounts::default());
        self.token_correct = 0;
        self.token_total = 0;
    }

    /// Precision, recall and F1 micro/macro/weighted, per type, and token accuracy.
    pub fn scores(&self) -> NerScores {
        let mut per_type = Vec::new();
        let (mut tp, mut pred, mut gold) = (0u64, 0u64, 0u64);
        for (i, c) in self.per_type.iter().enumerate() {
            if c.gold == 0 && c.pred == 0 {
                continue;
            }
            let precision = ratio(c.tp, c.pred);
            let recall = ratio(c.tp, c.gold);
            per_type.push(TypeScores {
                type_id: i as u32,
                precision,
                recall,
                f1: f_score(precision, recall),
                support: c.gold,
                predicted: c.pred,
                tp: c.tp,
            });
            tp += c.tp;
            pred += c.pred;
            gold += c.gold;
        }
        let precision = ratio(tp, pred);
        let recall = ratio(tp, gold);
        let k = per_type.len() as f64;
        let mean = |f: fn(&TypeScores) -> f64| (k > 0.0).then(|| per_type.iter().map(f).sum::<f64>() / k);
        let weighted = |f: fn(&TypeScores) -> f64| {
            if gold == 0 {
                0.0
            } else {
                per_type.iter().map(|t| f(t) * t.support as f64).sum::<f64>() / gold as f64
            }
        };
        NerScores {
            precision,
            recall,
            f1: f_score(precision, recall),
            precision_macro: mean(|t| t.precision),
            recall_macro: mean(|t| t.recall),
            f1_macro: mean(|t| t.f1),
            precision_weighted: weighted(|t| t.precision),
            recall_weighted: weighted(|t| t.recall),
            f1_weighted: weighted(|t| t.f1),
            support: gold,
            predicted: pred,
            tp,
            token_accuracy: (self.token_total > 0).then(|| self.token_correct as f64 / self.token_total as f64),
            per_type,
        }
    }
}

/// Per-sentence sufficient statistics and entities of one evaluation.
#[derive(Clone, Debug)]
pub struct NerStats {
    /// Entity types found in gold or predictions, sorted as seqeval sorts them (by code point).
    pub types: Vec<String>,
    rows: Vec<TypeRow>,
    row_bounds: Vec<u32>,
    token_correct: Vec<u32>,
    token_total: Vec<u32>,
    gold_entities: Vec<Entity>,
    gold_bounds: Vec<u32>,
    pred_entities: Vec<Entity>,
    pred_bounds: Vec<u32>,
}

impl NerStats {
    pub fn n_sentences(&self) -> usize {
        self.token_total.len()
    }

    pub fn n_types(&self) -> usize {
        self.types.len()
    }

    /// The entity type counts of sentence `s` (types with an entity there only).
    pub fn sentence_rows(&self, s: usize) -> &[TypeRow] {
        &self.rows[self.row_bounds[s] as usize..self.row_bounds[s + 1] as usize]
    }

    /// (correct, total) tokens of sentence `s`.
    pub fn sentence_tokens(&self, s: usize) -> (u32, u32) {
        (self.token_correct[s], self.token_total[s])
    }

    /// Gold entities ending in sentence `s`, in order.
    pub fn gold_entities(&self, s: usize) -> &[Entity] {
        &self.gold_entities[self.gold_bounds[s] as usize..self.gold_bounds[s + 1] as usize]
    }

    /// Predicted entities ending in sentence `s`, in order.
    pub fn pred_entities(&self, s: usize) -> &[Entity] {
        &self.pred_entities[self.pred_bounds[s] as usize..self.pred_bounds[s + 1] as usize]
    }

    /// Entity-level (tp, false positives, false negatives) of sentence `s`.
    pub fn sentence_errors(&self, s: usize) -> (u32, u32, u32) {
        self.sentence_rows(s)
            .iter()
            .fold((0, 0, 0), |(tp, fp, fn_), r| (tp + r.tp, fp + r.pred - r.tp, fn_ + r.gold - r.tp))
    }

    /// The counts of the whole corpus.
    pub fn totals(&self) -> NerCounts {
        let mut out = NerCounts::zeros(self.types.len());
        for r in &self.rows {
            let c = &mut out.per_type[r.type_id as usize];
            c.tp += r.tp as u64;
            c.pred += r.pred as u64;
            c.gold += r.gold as u64;
        }
        out.token_correct = self.token_correct.iter().map(|&x| x as u64).sum();
        out.token_total = self.token_total.iter().map(|&x| x as u64).sum();
        out
    }

    /// The counts of sentence `s` alone.
    pub fn sentence_counts(&self, s: usize) -> NerCounts {
        let mut out = NerCounts::zeros(self.types.len());
        for r in self.sentence_rows(s) {
            out.per_type[r.type_id as usize] = TypeCounts { tp: r.tp as u64, pred: r.pred as u64, gold: r.gold as u64 };
        }
        out.token_correct = self.token_correct[s] as u64;
        out.token_total = self.token_total[s] as u64;
        out
    }

    /// The counts of a resample: sentence `s` taken `weights[s]` times.
    pub fn resample(&self, weights: &[u32]) -> NerCounts {
        let mut out = NerCounts::zeros(self.types.len());
        self.resample_into(weights, &mut out);
        out
    }

    /// [`resample`](Self::resample) into a reused buffer.
    pub fn resample_into(&self, weights: &[u32], out: &mut NerCounts) {
        assert_eq!(weights.len(), self.n_sentences(), "one weight per sentence");
        if out.per_type.len() != self.types.len() {
            *out = NerCounts::zeros(self.types.len());
        } else {
            out.clear();
        }
        for (s, &w) in weights.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let w64 = w as u64;
            for r in self.sentence_rows(s) {
                let c = &mut out.per_type[r.type_id as usize];
                c.tp += r.tp as u64 * w64;
                c.pred += r.pred as u64 * w64;
                c.gold += r.gold as u64 * w64;
            }
            out.token_correct += self.token_correct[s] as u64 * w64;
            out.token_total += self.token_total[s] as u64 * w64;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Finds the entities of gold and predictions, matches them sentence by sentence, and returns
/// the per-sentence statistics. Errors only in strict mode (a tag the scheme refuses).
pub fn evaluate_ner(seqs: &NerSequences, options: &NerOptions) -> Result<NerStats, NerError> {
    let mut types = TypeInterner::default();
    let (gold, pred) = match options.mode {
        NerMode::Default => {
            let parsed: Vec<DefaultTag> =
                seqs.vocab.names().iter().map(|t| DefaultTag::parse(t, options.suffix, &mut types)).collect();
            (default_entities(seqs, &seqs.gold, &parsed, &types), default_entities(seqs, &seqs.pred, &parsed, &types))
        }
        NerMode::Strict(scheme) => {
            let parsed: Vec<Option<StrictTag>> =
                seqs.vocab.names().iter().map(|t| StrictTag::parse(t, options.suffix, &mut types)).collect();
            check_strict(seqs, &seqs.gold, Side::Gold, &parsed, scheme)?;
            check_strict(seqs, &seqs.pred, Side::Pred, &parsed, scheme)?;
            let table = PatternTable::new(scheme);
            let outside = StrictTag { prefix: Prefix::O, type_id: types.id("_") };
            let parsed: Vec<StrictTag> = parsed.into_iter().map(|p| p.unwrap_or(outside)).collect();
            (
                strict_entities(seqs, &seqs.gold, &parsed, &table, outside),
                strict_entities(seqs, &seqs.pred, &parsed, &table, outside),
            )
        }
    };
    Ok(assemble(seqs, types, gold, pred))
}

/// Entity types: interned while parsing tags, renumbered in sorted order at the end.
#[derive(Default)]
struct TypeInterner {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl TypeInterner {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), id);
        id
    }
}

/// Entities of one side, in corpus order of their end, with the sentence each ends in.
struct SideEntities {
    entities: Vec<Entity>,
    /// `bounds[s]..bounds[s + 1]` are the entities ending in sentence `s`.
    bounds: Vec<u32>,
}

fn assemble(seqs: &NerSequences, types: TypeInterner, mut gold: SideEntities, mut pred: SideEntities) -> NerStats {
    // Only types that form an entity are seqeval's target names; sort and renumber them.
    let mut used = vec![false; types.names.len()];
    for e in gold.entities.iter().chain(&pred.entities) {
        used[e.type_id as usize] = true;
    }
    let mut order: Vec<u32> = (0..types.names.len() as u32).filter(|&i| used[i as usize]).collect();
    order.sort_by(|&a, &b| types.names[a as usize].cmp(&types.names[b as usize]));
    let mut remap = vec![u32::MAX; types.names.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    let type_names: Vec<String> = order.iter().map(|&i| types.names[i as usize].clone()).collect();
    for e in gold.entities.iter_mut().chain(pred.entities.iter_mut()) {
        e.type_id = remap[e.type_id as usize];
    }

    let n = seqs.n_sentences();
    let mut rows = Vec::new();
    let mut row_bounds = Vec::with_capacity(n + 1);
    row_bounds.push(0u32);
    let mut token_correct = Vec::with_capacity(n);
    let mut token_total = Vec::with_capacity(n);
    let mut scratch: Vec<TypeRow> = Vec::new();
    for s in 0..n {
        let range = seqs.sentence(s);
        let correct = seqs.gold[range.clone()].iter().zip(&seqs.pred[range.clone()]).filter(|(g, p)| g == p).count();
        token_correct.push(correct as u32);
        token_total.push(range.len() as u32);

        let gr = gold.bounds[s] as usize..gold.bounds[s + 1] as usize;
        let pr = pred.bounds[s] as usize..pred.bounds[s + 1] as usize;
        // Within a side, ends are distinct and increasing: merge on the end.
        let (mut i, mut j) = (gr.start, pr.start);
        while i < gr.end && j < pr.end {
            let (g, p) = (gold.entities[i], pred.entities[j]);
            match g.end.cmp(&p.end) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if g.start == p.start && g.type_id == p.type_id {
                        gold.entities[i].matched = true;
                        pred.entities[j].matched = true;
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        scratch.clear();
        let mut add = |type_id: u32, f: &dyn Fn(&mut TypeRow)| {
            let row = match scratch.iter_mut().position(|r| r.type_id == type_id) {
                Some(k) => &mut scratch[k],
                None => {
                    scratch.push(TypeRow { type_id, ..TypeRow::default() });
                    scratch.last_mut().unwrap()
                }
            };
            f(row);
        };
        for e in &gold.entities[gr] {
            add(e.type_id, &|r| {
                r.gold += 1;
                r.tp += e.matched as u32;
            });
        }
        for e in &pred.entities[pr] {
            add(e.type_id, &|r| r.pred += 1);
        }
        scratch.sort_unstable_by_key(|r| r.type_id);
        rows.extend_from_slice(&scratch);
        row_bounds.push(rows.len() as u32);
    }
    NerStats {
        types: type_names,
        rows,
        row_bounds,
        token_correct,
        token_total,
        gold_entities: gold.entities,
        gold_bounds: gold.bounds,
        pred_entities: pred.entities,
        pred_bounds: pred.bounds,
    }
}

// ---------------------------------------------------------------------------------------------
// Default mode: seqeval.metrics.sequence_labeling.get_entities

/// The first (or, with suffix, last) character of a tag, as far as `get_entities` cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    O,
    Dot,
    B,
    I,
    E,
    S,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct DefaultTag {
    chunk: Chunk,
    type_id: u32,
}

impl DefaultTag {
    /// seqeval fails on an empty tag; here it reads as `O`.
    fn parse(tag: &str, suffix: bool, types: &mut TypeInterner) -> DefaultTag {
        let Some((c, ty)) = default_parts(tag, suffix) else {
            return DefaultTag { chunk: Chunk::O, type_id: types.id("_") };
        };
        let chunk = match c {
            'O' => Chunk::O,
            '.' => Chunk::Dot,
            'B' => Chunk::B,
            'I' => Chunk::I,
            'E' => Chunk::E,
            'S' => Chunk::S,
            _ => Chunk::Other,
        };
        DefaultTag { chunk, type_id: types.id(ty) }
    }
}

/// A tag's prefix character and entity type as seqeval's `get_entities` splits it:
/// `tag = chunk[0]`, `type_ = chunk[1:].split('-', maxsplit=1)[-1] or '_'`; with suffix
/// `tag = chunk[-1]`, `type_ = chunk[:-1].rsplit('-', maxsplit=1)[0] or '_'`. None when empty.
fn default_parts(tag: &str, suffix: bool) -> Option<(char, &str)> {
    let c = if suffix { tag.chars().next_back() } else { tag.chars().next() }?;
    let ty = if suffix {
        let rest = &tag[..tag.len() - c.len_utf8()];
        rest.rsplit_once('-').map_or(rest, |(a, _)| a)
    } else {
        let rest = &tag[c.len_utf8()..];
        rest.split_once('-').map_or(rest, |(_, b)| b)
    };
    Some((c, if ty.is_empty() { "_" } else { ty }))
}

/// The entity type seqeval's default mode gives a token tagged `tag`, None when it reads the
/// tag as outside any entity (`O…`, `.…`, empty): `[SEP]` is type `SEP]`, `X` type `_`.
pub fn seqeval_entity_type(tag: &str, suffix: bool) -> Option<&str> {
    default_parts(tag, suffix).filter(|(c, _)| !matches!(c, 'O' | '.')).map(|(_, ty)| ty)
}

/// Whether `tag` is written like an IOB-family tag: `O`, or a one-letter prefix of B, I, E, S,
/// L, U and a type joined by `-` (either way round).
pub fn looks_like_tag(tag: &str) -> bool {
    if tag == "O" {
        return true;
    }
    let prefix = |c: &str| matches!(c, "B" | "I" | "E" | "S" | "L" | "U");
    match (tag.split_once('-'), tag.rsplit_once('-')) {
        (Some((p, t)), _) if prefix(p) && !t.is_empty() => true,
        (_, Some((t, p))) if prefix(p) && !t.is_empty() => true,
        _ => false,
    }
}

/// seqeval's `end_of_chunk(prev_tag, tag, prev_type, type_)`.
fn end_of_chunk(prev: Chunk, cur: Chunk, prev_type: u32, cur_type: u32) -> bool {
    use Chunk::*;
    matches!(prev, E | S)
        || (matches!(prev, B | I) && matches!(cur, B | S | O))
        || (!matches!(prev, O | Dot) && prev_type != cur_type)
}

/// seqeval's `start_of_chunk(prev_tag, tag, prev_type, type_)`.
fn start_of_chunk(prev: Chunk, cur: Chunk, prev_type: u32, cur_type: u32) -> bool {
    use Chunk::*;
    matches!(cur, B | S)
        || (matches!(prev, E | S | O) && matches!(cur, E | I))
        || (!matches!(cur, O | Dot) && prev_type != cur_type)
}

/// `get_entities` over the whole corpus as seqeval runs it: sentences joined with an `O`
/// after each, so state (including a stale chunk start) carries across sentences exactly as
/// there.
fn default_entities(seqs: &NerSequences, tags: &[u32], parsed: &[DefaultTag], types: &TypeInterner) -> SideEntities {
    // seqeval starts with prev_type '' — a type no tag has.
    const INITIAL_TYPE: u32 = u32::MAX;
    let outside_type = types.index.get("_").copied().unwrap_or(u32::MAX - 1);
    let mut entities = Vec::new();
    let mut bounds = Vec::with_capacity(seqs.n_sentences() + 1);
    bounds.push(0u32);
    let (mut prev_chunk, mut prev_type) = (Chunk::O, INITIAL_TYPE);
    // seqeval's initial begin_offset is position 0: the first token, unless the first sentence
    // is empty (then it is that sentence's separator, no token).
    let mut begin: u32 = if seqs.n_sentences() > 0 && !seqs.sentence(0).is_empty() { 0 } else { u32::MAX };
    for s in 0..seqs.n_sentences() {
        let range = seqs.sentence(s);
        for t in range.clone() {
            let tag = parsed[tags[t] as usize];
            if end_of_chunk(prev_chunk, tag.chunk, prev_type, tag.type_id) {
                entities.push(Entity { type_id: prev_type, start: begin, end: t as u32, matched: false });
            }
            if start_of_chunk(prev_chunk, tag.chunk, prev_type, tag.type_id) {
                begin = t as u32;
            }
            prev_chunk = tag.chunk;
            prev_type = tag.type_id;
        }
        // The separator 'O' (type '_'): never starts a chunk.
        if end_of_chunk(prev_chunk, Chunk::O, prev_type, outside_type) {
            entities.push(Entity { type_id: prev_type, start: begin, end: range.end as u32, matched: false });
        }
        prev_chunk = Chunk::O;
        prev_type = outside_type;
        bounds.push(entities.len() as u32);
    }
    // The 'O' seqeval appends after the separator closes nothing (its previous tag is 'O').
    SideEntities { entities, bounds }
}

// ---------------------------------------------------------------------------------------------
// Strict mode: seqeval.scheme

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prefix {
    I,
    O,
    B,
    E,
    S,
    U,
    L,
}

impl Prefix {
    const ALL: [Prefix; 7] = [Prefix::I, Prefix::O, Prefix::B, Prefix::E, Prefix::S, Prefix::U, Prefix::L];

    fn from_char(c: char) -> Option<Prefix> {
        Some(match c {
            'I' => Prefix::I,
            'O' => Prefix::O,
            'B' => Prefix::B,
            'E' => Prefix::E,
            'S' => Prefix::S,
            'U' => Prefix::U,
            'L' => Prefix::L,
            _ => return None,
        })
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    fn letter(self) -> &'static str {
        ["I", "O", "B", "E", "S", "U", "L"][self as usize]
    }
}

#[derive(Clone, Copy, Debug)]
struct StrictTag {
    prefix: Prefix,
    type_id: u32,
}

impl StrictTag {
    /// seqeval's `Token`: prefix = first (suffix: last) character, which must be one of
    /// I O B E S U L; tag = the rest with '-' stripped from both ends, or '_'.
    fn parse(tag: &str, suffix: bool, types: &mut TypeInterner) -> Option<StrictTag> {
        let c = if suffix { tag.chars().next_back()? } else { tag.chars().next()? };
        let prefix = Prefix::from_char(c)?;
        let rest = if suffix { &tag[..tag.len() - c.len_utf8()] } else { &tag[c.len_utf8()..] };
        let ty = rest.trim_matches('-');
        Some(StrictTag { prefix, type_id: types.id(if ty.is_empty() { "_" } else { ty }) })
    }
}

/// Every token must have a prefix the scheme allows (seqeval raises otherwise).
fn check_strict(
    seqs: &NerSequences,
    tags: &[u32],
    side: Side,
    parsed: &[Option<StrictTag>],
    scheme: Scheme,
) -> Result<(), NerError> {
    let ok: Vec<bool> = parsed.iter().map(|p| p.is_some_and(|p| scheme.allowed() & p.prefix.bit() != 0)).collect();
    if let Some(t) = tags.iter().position(|&id| !ok[id as usize]) {
        let s = seqs.sentence_of(t);
        let id = tags[t] as usize;
        return Err(NerError::InvalidTag {
            tag: seqs.vocab.names()[id].clone(),
            scheme,
            known_prefix: parsed[id].is_some(),
            side,
            sentence: s,
            token: t - seqs.sentence(s).start,
        });
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum TagCond {
    Any,
    Same,
    Diff,
}

type Pattern = (u8, u8, TagCond);

/// The start/inside/end patterns of a scheme, precomputed for every (previous prefix,
/// current prefix, same type?) triple.
struct PatternTable {
    start: [[[bool; 2]; 7]; 7],
    inside: [[[bool; 2]; 7]; 7],
    end: [[[bool; 2]; 7]; 7],
}

impl PatternTable {
    fn new(scheme: Scheme) -> PatternTable {
        use Prefix::*;
        use TagCond::*;
        let any = Prefix::ALL.iter().fold(0u8, |m, p| m | p.bit());
        let (i, o, b, e, s, u, l) = (I.bit(), O.bit(), B.bit(), E.bit(), S.bit(), U.bit(), L.bit());
        let (start, inside, end): (Vec<Pattern>, Vec<Pattern>, Vec<Pattern>) = match scheme {
            Scheme::Iob1 => (
                vec![(o, i, Any), (i, i, Diff), (b, i, Any), (i, b, Same), (b, b, Same)],
                vec![(b, i, Same), (i, i, Same)],
                vec![(i, i, Diff), (i, o, Any), (i, b, Any), (b, o, Any), (b, i, Diff), (b, b, Same)],
            ),
            Scheme::Ioe1 => (
                vec![(o, i, Any), (i, i, Diff), (e, i, Any), (e, e, Same)],
                vec![(i, i, Same), (i, e, Same)],
                vec![(i, i, Diff), (i, o, Any), (i, e, Diff), (e, i, Same), (e, e, Same)],
            ),
            Scheme::Iob2 => (
                vec![(any, b, Any)],
                vec![(b, i, Same), (i, i, Same)],
                vec![(i, o, Any), (i, i, Diff), (i, b, Any), (b, o, Any), (b, i, Diff), (b, b, Any)],
            ),
            Scheme::Ioe2 => (
                vec![(o, i, Any), (o, e, Any), (e, i, Any), (e, e, Any), (i, i, Diff), (i, e, Diff)],
                vec![(i, e, Same), (i, i, Same)],
                vec![(e, any, Any)],
            ),
            Scheme::Iobes => (
                vec![(any, b, Any), (any, s, Any)],
                vec![(b, i, Same), (b, e, Same), (i, i, Same), (i, e, Same)],
                vec![(s, any, Any), (e, any, Any)],
            ),
            Scheme::Bilou => (
                vec![(any, b, Any), (any, u, Any)],
                vec![(b, i, Same), (b, l, Same), (i, i, Same), (i, l, Same)],
                vec![(u, any, Any), (l, any, Any)],
            ),
        };
        let fill = |patterns: &[Pattern]| {
            let mut t = [[[false; 2]; 7]; 7];
            for prev in Prefix::ALL {
                for cur in Prefix::ALL {
                    for same in [false, true] {
                        t[prev as usize][cur as usize][same as usize] = patterns.iter().any(|&(pm, cm, cond)| {
                            pm & prev.bit() != 0
                                && cm & cur.bit() != 0
                                && match cond {
                                    Any => true,
                                    Same => same,
                                    Diff => !same,
                                }
                        });
                    }
                }
            }
            t
        };
        PatternTable { start: fill(&start), inside: fill(&inside), end: fill(&end) }
    }

    fn look(t: &[[[bool; 2]; 7]; 7], prev: StrictTag, cur: StrictTag) -> bool {
        t[prev.prefix as usize][cur.prefix as usize][(prev.type_id == cur.type_id) as usize]
    }
}

/// `Tokens.entities` of seqeval.scheme, sentence by sentence.
fn strict_entities(
    seqs: &NerSequences,
    tags: &[u32],
    parsed: &[StrictTag],
    table: &PatternTable,
    outside: StrictTag,
) -> SideEntities {
    let mut entities = Vec::new();
    let mut bounds = Vec::with_capacity(seqs.n_sentences() + 1);
    bounds.push(0u32);
    for s in 0..seqs.n_sentences() {
        let range = seqs.sentence(s);
        let n = range.len();
        let base = range.start;
        // The sentence's tokens followed by one outside token.
        let ext = |k: usize| if k < n { parsed[tags[base + k] as usize] } else { outside };
        let mut i = 0usize;
        let mut prev = outside;
        while i <= n {
            let token = ext(i);
            if PatternTable::look(&table.start, prev, token) {
                // _forward: the first position that is not inside the chunk.
                let mut p = token;
                let mut j = i + 1;
                let end = loop {
                    if j > n {
                        // Unreachable (the outside token is never inside); seqeval returns
                        // len(tokens) - 1 here.
                        break n.saturating_sub(1);
                    }
                    let t = ext(j);
                    if PatternTable::look(&table.inside, p, t) {
                        p = t;
                        j += 1;
                    } else {
                        break j;
                    }
                };
                if end >= 1 && PatternTable::look(&table.end, ext(end - 1), ext(end)) {
                    entities.push(Entity {
                        type_id: token.type_id,
                        start: (base + i) as u32,
                        end: (base + end) as u32,
                        matched: false,
                    });
                }
                i = end.max(i + 1);
            } else {
                i += 1;
            }
            prev = ext(i - 1);
        }
        bounds.push(entities.len() as u32);
    }
    SideEntities { entities, bounds }
}

/// seqeval's `auto_detect` on the gold tags: IOB2, IOE2, IOBES or BILOU from the set of
/// prefixes used; Err names the prefixes when no scheme fits.
pub fn auto_detect_scheme(seqs: &NerSequences, suffix: bool) -> Result<Scheme, String> {
    let mut used = vec![false; seqs.vocab.len()];
    for &g in &seqs.gold {
        used[g as usize] = true;
    }
    let mut set = 0u8;
    for (id, name) in seqs.vocab.names().iter().enumerate() {
        if !used[id] {
            continue;
        }
        let c = if suffix { name.chars().next_back() } else { name.chars().next() };
        match c.and_then(Prefix::from_char) {
            Some(p) => set |= p.bit(),
            None => return Err(format!("tag '{name}' has no prefix of I, O, B, E, S, U, L")),
        }
    }
    use Prefix::*;
    let bits = |ps: &[Prefix]| ps.iter().fold(0u8, |m, p| m | p.bit());
    let iob2 = [bits(&[I, O, B]), bits(&[I, B]), bits(&[B, O]), bits(&[B])];
    let ioe2 = [bits(&[I, O, E]), bits(&[I, E]), bits(&[E, O]), bits(&[E])];
    let iobes = [
        bits(&[I, O, B, E, S]),
        bits(&[I, B, E, S]),
        bits(&[I, O, B, E]),
        bits(&[O, B, E, S]),
        bits(&[I, B, E]),
        bits(&[B, E, S]),
        bits(&[O, B, E]),
        bits(&[B, E]),
        bits(&[S]),
    ];
    let bilou = [
        bits(&[I, O, B, L, U]),
        bits(&[I, B, L, U]),
        bits(&[I, O, B, L]),
        bits(&[O, B, L, U]),
        bits(&[I, B, L]),
        bits(&[B, L, U]),
        bits(&[O, B, L]),
        bits(&[B, L]),
        bits(&[U]),
    ];
    if iob2.contains(&set) {
        Ok(Scheme::Iob2)
    } else if ioe2.contains(&set) {
        Ok(Scheme::Ioe2)
    } else if iobes.contains(&set) {
        Ok(Scheme::Iobes)
    } else if bilou.contains(&set) {
        Ok(Scheme::Bilou)
    } else {
        let names: Vec<&str> = Prefix::ALL.iter().filter(|p| set & p.bit() != 0).map(|p| p.letter()).collect();
        Err(format!("no scheme uses exactly the prefixes {{{}}}", names.join(", ")))
    }
}

/// Entity-level outcome of one sentence under two models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentenceChange {
    /// 0-based.
    pub sentence: usize,
    /// (tp, false positives, false negatives) of the baseline and of the candidate.
    pub baseline: (u32, u32, u32),
    pub candidate: (u32, u32, u32),
}

impl SentenceChange {
    /// Errors (false positives + false negatives) the candidate has more than the baseline:
    /// positive when the sentence got worse.
    pub fn error_delta(&self) -> i64 {
        (self.candidate.1 + self.candidate.2) as i64 - (self.baseline.1 + self.baseline.2) as i64
    }
}

/// The sentences whose entity-level outcome differs between two evaluations of the same gold
/// sentences (e.g. a baseline and a fine-tuned model), in sentence order. Sort by
/// [`SentenceChange::error_delta`] to list the sentences that got worse first.
pub fn changed_sentences(baseline: &NerStats, candidate: &NerStats) -> Vec<SentenceChange> {
    assert_eq!(baseline.n_sentences(), candidate.n_sentences(), "both evaluations cover the same sentences");
    (0..baseline.n_sentences())
        .filter_map(|s| {
            let (b, c) = (baseline.sentence_errors(s), candidate.sentence_errors(s));
            let same_entities = baseline.pred_entities(s).len() == candidate.pred_entities(s).len()
                && baseline.pred_entities(s).iter().zip(candidate.pred_entities(s)).all(|(x, y)| {
                    (x.start, x.end, x.matched, &baseline.types[x.type_id as usize])
                        == (y.start, y.end, y.matched, &candidate.types[y.type_id as usize])
                });
            (!same_entities || b != c).then_some(SentenceChange { sentence: s, baseline: b, candidate: c })
        })
        .collect()
}

/// Convenience: the scores of tag lists, as seqeval computes them.
pub fn ner_scores<S: AsRef<str>>(
    gold: &[Vec<S>],
    pred: &[Vec<S>],
    options: &NerOptions,
) -> Result<(Vec<String>, NerScores), NerError> {
    let seqs = NerSequences::from_lists(gold, pred)?;
    let stats = evaluate_ner(&seqs, options)?;
    Ok((stats.types.clone(), stats.totals().scores()))
}

#[cfg(test)]
mod tests;

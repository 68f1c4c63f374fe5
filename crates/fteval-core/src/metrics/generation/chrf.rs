//! chrF and chrF++ exactly as sacreBLEU 2.x computes them (`sacrebleu.metrics.CHRF`): character
//! n-grams up to order 6 over the text with whitespace removed, plus (chrF++) word unigrams and
//! bigrams over words with one leading or trailing punctuation mark split off; F-beta with
//! beta = 2 of the precisions and recalls averaged over the orders.
//!
//! As for BLEU, [`chrf_stats`] gives one example's statistics (for each order: hypothesis n-grams,
//! reference n-grams, matches, against the reference with the best sentence-level score), they
//! add up over any multiset of examples, and [`chrf_score`] turns a sum into the corpus score on
//! 0–100.

use rustc_hash::FxHashMap;

use super::pytext::{py_isspace, py_lower, py_split};
use super::{NRefs, SufficientStats, SACREBLEU_VERSION};

/// Highest character n-gram order supported (six 21-bit characters fill a `u128` key).
pub const MAX_CHAR_ORDER: usize = 6;
/// Highest word n-gram order supported (four 32-bit word ids fill a `u128` key).
pub const MAX_WORD_ORDER: usize = 4;
const MAX_ORDERS: usize = MAX_CHAR_ORDER + MAX_WORD_ORDER;

/// chrF's options. [`ChrfConfig::chrf`] and [`ChrfConfig::chrf_pp`] are sacreBLEU's `CHRF()` and
/// `CHRF(word_order=2)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChrfConfig {
    /// Character n-gram orders 1..=char_order (at most [`MAX_CHAR_ORDER`]).
    pub char_order: usize,
    /// Word n-gram orders 1..=word_order (at most [`MAX_WORD_ORDER`]); 2 makes chrF++.
    pub word_order: usize,
    /// Recall weighs beta² times as much as precision.
    pub beta: f64,
    /// Lowercase both sides first (`case:lc`).
    pub lowercase: bool,
    /// Keep whitespace in character n-grams (`space:yes`).
    pub whitespace: bool,
    /// Average the per-order F scores with 1e-16 for empty orders (chrF++.py, Moses, NLTK) instead
    /// of sacreBLEU's default, which averages precision and recall over the orders that have
    /// n-grams on both sides (`eff:yes`).
    pub eps_smoothing: bool,
}

impl ChrfConfig {
    /// chrF: character orders 1–6, beta 2 (sacreBLEU's `CHRF()`).
    pub fn chrf() -> ChrfConfig {
        ChrfConfig {
            char_order: 6,
            word_order: 0,
            beta: 2.0,
            lowercase: false,
            whitespace: false,
            eps_smoothing: false,
        }
    }

    /// chrF++: chrF plus word unigrams and bigrams (`CHRF(word_order=2)`).
    pub fn chrf_pp() -> ChrfConfig {
        ChrfConfig { word_order: 2, ..ChrfConfig::chrf() }
    }

    fn orders(&self) -> usize {
        assert!((1..=MAX_CHAR_ORDER).contains(&self.char_order), "chrF char order must be 1..=6");
        assert!(self.word_order <= MAX_WORD_ORDER, "chrF word order must be at most 4");
        self.char_order + self.word_order
    }
}

impl Default for ChrfConfig {
    fn default() -> Self {
        ChrfConfig::chrf()
    }
}

/// chrF statistics of one example or a corpus: for each order (character orders first, then word
/// orders), the hypothesis n-grams, the reference n-grams and the matched n-grams (sacreBLEU's
/// `[hyp, ref, match]` triples). Orders beyond the configuration's stay 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChrfStats {
    pub hyp: [u64; MAX_ORDERS],
    pub refs: [u64; MAX_ORDERS],
    pub matches: [u64; MAX_ORDERS],
}

impl SufficientStats for ChrfStats {
    fn add_assign(&mut self, o: &Self) {
        for i in 0..MAX_ORDERS {
            self.hyp[i] += o.hyp[i];
            self.refs[i] += o.refs[i];
            self.matches[i] += o.matches[i];
        }
    }

    fn sub_assign(&mut self, o: &Self) {
        for i in 0..MAX_ORDERS {
            self.hyp[i] -= o.hyp[i];
            self.refs[i] -= o.refs[i];
            self.matches[i] -= o.matches[i];
        }
    }
}

/// The sorted n-gram keys of one side, per order.
struct Side {
    keys: Vec<Vec<u128>>,
}

/// Python's `string.punctuation` (chrF's `_PUNCTS`).
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// sacreBLEU's `_remove_punctuation`: words of `str.split()`; a word longer than one character
/// loses a trailing punctuation mark, or else a leading one, as a separate word (so `(hi)` gives
/// `(hi` and `)`).
pub fn chrf_words(sent: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for w in py_split(sent) {
        let mut chars = w.chars();
        let first = chars.next().expect("split words are non-empty");
        let Some(last) = chars.next_back() else {
            out.push(w);
            continue;
        };
        if is_punct(last) {
            out.push(&w[..w.len() - 1]);
            out.push(&w[w.len() - 1..]);
        } else if is_punct(first) {
            out.push(&w[..1]);
            out.push(&w[1..]);
        } else {
            out.push(w);
        }
    }
    out
}

fn side<'a>(text: &'a str, config: &ChrfConfig, ids: &mut FxHashMap<&'a str, u32>) -> Side {
    let chars: Vec<u32> = text.chars().filter(|&c| config.whitespace || !py_isspace(c)).map(u32::from).collect();
    let mut keys = Vec::with_capacity(config.orders());
    for n in 1..=config.char_order {
        keys.push(sorted_keys(&chars, n, 21));
    }
    if config.word_order > 0 {
        let words: Vec<u32> = chrf_words(text)
            .into_iter()
            .map(|w| {
                let next = ids.len() as u32;
                *ids.entry(w).or_insert(next)
            })
            .collect();
        for n in 1..=config.word_order {
            keys.push(sorted_keys(&words, n, 32));
        }
    }
    Side { keys }
}

/// Sorted keys of the order-`n` n-grams of `units`, each unit taking `bits` bits of the key.
fn sorted_keys(units: &[u32], n: usize, bits: u32) -> Vec<u128> {
    if units.len() < n {
        return Vec::new();
    }
    let mut keys: Vec<u128> =
        units.windows(n).map(|w| w.iter().fold(0u128, |k, &u| (k << bits) | u128::from(u))).collect();
    keys.sort_unstable();
    keys
}

/// `sum(min(count_h, count_r))` over the keys of two sorted lists.
fn matches(h: &[u128], r: &[u128]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < h.len() && j < r.len() {
        match h[i].cmp(&r[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The chrF statistics of one hypothesis (sacreBLEU's `_compute_segment_statistics`): the
/// statistics against each reference, keeping those of the first reference with the highest
/// sentence-level score. An order for which the reference has no n-gram counts no hypothesis
/// n-grams either (as sacreBLEU's `_get_match_statistics`).
///
/// With no reference, all statistics are 0 (sacreBLEU would fail).
pub fn chrf_stats<S: AsRef<str>>(hypothesis: &str, references: &[S], config: &ChrfConfig) -> ChrfStats {
    let orders = config.orders();
    let lower = |s: &str| if config.lowercase { py_lower(s) } else { s.to_string() };
    let hyp_text = lower(hypothesis);
    let ref_texts: Vec<String> = references.iter().map(|r| lower(r.as_ref())).collect();
    let mut ids = FxHashMap::default();
    let hyp = side(&hyp_text, config, &mut ids);
    let mut best = ChrfStats::default();
    let mut best_f = -1.0;
    for r in &ref_texts {
        let r = side(r, config, &mut ids);
        let mut stats = ChrfStats::default();
        for o in 0..orders {
            let (h, rk) = (&hyp.keys[o], &r.keys[o]);
            stats.hyp[o] = if rk.is_empty() { 0 } else { h.len() as u64 };
            stats.refs[o] = rk.len() as u64;
            stats.matches[o] = matches(h, rk);
        }
        let f = chrf_score(&stats, config);
        if f > best_f {
            best_f = f;
            best = stats;
        }
    }
    best
}

/// chrF from (summed) statistics on 0–100, exactly as sacreBLEU's `CHRF._compute_f_score`.
pub fn chrf_score(stats: &ChrfStats, config: &ChrfConfig) -> f64 {
    let orders = config.orders();
    let eps = 1e-16;
    let factor = config.beta * config.beta;
    let mut score = 0.0;
    let mut effective_order = 0usize;
    let (mut avg_prec, mut avg_rec) = (0.0, 0.0);
    for o in 0..orders {
        let (n_hyp, n_ref, n_match) = (stats.hyp[o], stats.refs[o], stats.matches[o] as f64);
        let prec = if n_hyp > 0 { n_match / n_hyp as f64 } else { eps };
        let rec = if n_ref > 0 { n_match / n_ref as f64 } else { eps };
        let denom = factor * prec + rec;
        score += if denom > 0.0 { (1.0 + factor) * prec * rec / denom } else { eps };
        if n_hyp > 0 && n_ref > 0 {
            avg_prec += prec;
            avg_rec += rec;
            effective_order += 1;
        }
    }
    if config.eps_smoothing {
        return 100.0 * score / orders as f64;
    }
    if effective_order == 0 {
        avg_prec = 0.0;
        avg_rec = 0.0;
    } else {
        avg_prec /= effective_order as f64;
        avg_rec /= effective_order as f64;
    }
    if avg_prec + avg_rec != 0.0 {
        let mut s = (1.0 + factor) * avg_prec * avg_rec;
        s /= (factor * avg_prec) + avg_rec;
        100.0 * s
    } else {
        0.0
    }
}

/// The signature sacreBLEU prints with a chrF score, e.g.
/// `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0`.
pub fn chrf_signature(nrefs: NRefs, config: &ChrfConfig) -> String {
    format!(
        "nrefs:{}|case:{}|eff:{}|nc:{}|nw:{}|space:{}|version:{}",
        nrefs.signature_value(),
        if config.lowercase { "lc" } else { "mixed" },
        if config.eps_smoothing { "no" } else { "yes" },
        config.char_order,
        config.word_order,
        if config.whitespace { "yes" } else { "no" },
        SACREBLEU_VERSION
    )
}

/// The name sacreBLEU gives the score: `chrF2`, or `chrF2++` with word order 2.
pub fn chrf_name(config: &ChrfConfig) -> String {
    let beta = if config.beta.fract() == 0.0 { format!("{}", config.beta as i64) } else { config.beta.to_string() };
    format!("chrF{}{}", beta, "+".repeat(config.word_order))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_off_one_punctuation_mark() {
        assert_eq!(chrf_words("(hi) a, .x y!! é."), vec!["(hi", ")", "a", ",", ".", "x", "y!", "!", "é", "."]);
    }

    #[test]
    fn identical_texts_score_100() {
        for c in [ChrfConfig::chrf(), ChrfConfig::chrf_pp()] {
            let s = chrf_stats("The cat sat.", &["The cat sat."], &c);
            assert!((chrf_score(&s, &c) - 100.0).abs() < 1e-9);
        }
        let c = ChrfConfig::chrf();
        assert_eq!(chrf_score(&chrf_stats("", &[""], &c), &c), 0.0);
        assert_eq!(chrf_name(&ChrfConfig::chrf_pp()), "chrF2++");
    }
}

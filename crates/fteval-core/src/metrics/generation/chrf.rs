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

use super::ngrams::{ngram_count, CHARS, WORDS};
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

/// One side's n-grams: the sorted position keys of its characters and of its words.
struct Side {
    n_chars: usize,
    char_keys: Vec<u128>,
    n_words: usize,
    word_keys: Vec<u128>,
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

fn side<'a>(text: &'a str, whitespace: bool, word_order: usize, ids: &mut FxHashMap<&'a str, u32>) -> Side {
    let chars: Vec<u32> = text.chars().filter(|&c| whitespace || !py_isspace(c)).map(u32::from).collect();
    let mut char_keys = Vec::new();
    CHARS.sorted_keys(&chars, &mut char_keys);
    let mut words = Vec::new();
    if word_order > 0 {
        words = chrf_words(text)
            .into_iter()
            .map(|w| {
                let next = ids.len() as u32;
                *ids.entry(w).or_insert(next)
            })
            .collect();
    }
    let mut word_keys = Vec::new();
    WORDS.sorted_keys(&words, &mut word_keys);
    Side { n_chars: chars.len(), char_keys, n_words: words.len(), word_keys }
}

/// The chrF statistics of one hypothesis (sacreBLEU's `_compute_segment_statistics`): the
/// statistics against each reference, keeping those of the first reference with the highest
/// sentence-level score. An order for which the reference has no n-gram counts no hypothesis
/// n-grams either (as sacreBLEU's `_get_match_statistics`).
///
/// With no reference, all statistics are 0 (sacreBLEU would fail).
pub fn chrf_stats<S: AsRef<str>>(hypothesis: &str, references: &[S], config: &ChrfConfig) -> ChrfStats {
    chrf_stats_for(hypothesis, references, std::slice::from_ref(config))[0]
}

/// [`chrf_stats`] for several configurations at once (e.g. chrF and chrF++), sharing the
/// character n-gram work. The configurations must agree on `lowercase` and `whitespace`.
pub fn chrf_stats_for<S: AsRef<str>>(hypothesis: &str, references: &[S], configs: &[ChrfConfig]) -> Vec<ChrfStats> {
    let Some(first) = configs.first() else { return Vec::new() };
    assert!(
        configs.iter().all(|c| c.lowercase == first.lowercase && c.whitespace == first.whitespace),
        "chrf_stats_for: configurations must share lowercase and whitespace"
    );
    let char_order = configs.iter().map(|c| c.orders() - c.word_order).max().unwrap_or(0);
    let word_order = configs.iter().map(|c| c.word_order).max().unwrap_or(0);
    let lower = |s: &str| if first.lowercase { py_lower(s) } else { s.to_string() };
    let hyp_text = lower(hypothesis);
    let ref_texts: Vec<String> = references.iter().map(|r| lower(r.as_ref())).collect();
    let mut ids = FxHashMap::default();
    let hyp = side(&hyp_text, first.whitespace, word_order, &mut ids);
    let mut best = vec![ChrfStats::default(); configs.len()];
    let mut best_f = vec![-1.0; configs.len()];
    for r in &ref_texts {
        let r = side(r, first.whitespace, word_order, &mut ids);
        let cm = CHARS.clipped_matches(&hyp.char_keys, &r.char_keys, char_order);
        let wm = WORDS.clipped_matches(&hyp.word_keys, &r.word_keys, word_order);
        for (k, config) in configs.iter().enumerate() {
            let mut stats = ChrfStats::default();
            let orders = (0..config.char_order)
                .map(|o| (hyp.n_chars, r.n_chars, cm[o], o))
                .chain((0..config.word_order).map(|o| (hyp.n_words, r.n_words, wm[o], o)));
            for (slot, (h_len, r_len, m, o)) in orders.enumerate() {
                let n_ref = ngram_count(r_len, o);
                stats.hyp[slot] = if n_ref == 0 { 0 } else { ngram_count(h_len, o) };
                stats.refs[slot] = n_ref;
                stats.matches[slot] = m;
            }
            let f = chrf_score(&stats, config);
            if f > best_f[k] {
                best_f[k] = f;
                best[k] = stats;
            }
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

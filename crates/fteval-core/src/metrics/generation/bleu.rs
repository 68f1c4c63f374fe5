//! Corpus BLEU exactly as sacreBLEU 2.x computes it (`sacrebleu.metrics.BLEU` with its defaults:
//! the `13a` tokeniser, mixed case, exponential smoothing, no effective order, n-grams up to 4).
//!
//! The work is split the way resampling needs it: [`bleu_stats`] turns one example into
//! [`BleuStats`] (matched and total n-grams of each order, hypothesis length, closest reference
//! length), statistics add up over any multiset of examples, and [`bleu_score`] turns a sum into
//! the score sacreBLEU prints (0–100).

use rustc_hash::FxHashMap;

use super::ngrams::{ngram_count, WORDS};
use super::pytext::{py_collapse_whitespace, py_isspace, py_lower, py_rstrip, py_split};
use super::{NRefs, SufficientStats, SACREBLEU_VERSION};

/// BLEU's maximum n-gram order (sacreBLEU's `MAX_NGRAM_ORDER`).
pub const MAX_ORDER: usize = 4;

/// The `13a` tokeniser of sacreBLEU (`Tokenizer13a`, equivalent to mteval-v13a.pl): tokens
/// separated by single spaces.
///
/// Steps, in sacreBLEU's order: remove `<skipped>`; join `-\n` line breaks; newlines become
/// spaces; unescape `&quot;`, `&amp;`, `&lt;`, `&gt;` (one after the other, so `&amp;lt;` ends as
/// `<`); then the four regular expressions of `TokenizerRegexp` on the line padded with a space:
/// every character of ``{|}~[\]^_` !"#$%&()*+:;<=>?@/`` (and the space) is surrounded by spaces;
/// `.` and `,` are split off unless preceded by a digit, then unless followed by one; `-` is split
/// off after a digit. Finally whitespace (Python's `str.split()`) is collapsed.
pub fn tokenize_13a(line: &str) -> String {
    py_collapse_whitespace(&tokenize_13a_spaced(line))
}

/// sacreBLEU's tokenisers (`tokenize=`): `13a` (the default), `zh` (each Chinese character a
/// token, the rest as `13a`'s regular expressions split it), `char` (each character a token) and
/// `intl` (mteval-v14's international tokeniser: Unicode punctuation and symbols split off).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BleuTokenizer {
    #[default]
    T13a,
    Zh,
    Char,
    Intl,
}

impl BleuTokenizer {
    /// The name sacreBLEU's signature gives it (`tok:zh`).
    pub fn name(self) -> &'static str {
        match self {
            BleuTokenizer::T13a => "13a",
            BleuTokenizer::Zh => "zh",
            BleuTokenizer::Char => "char",
            BleuTokenizer::Intl => "intl",
        }
    }

    pub fn parse(name: &str) -> Option<BleuTokenizer> {
        match name.trim().to_ascii_lowercase().as_str() {
            "13a" => Some(BleuTokenizer::T13a),
            "zh" => Some(BleuTokenizer::Zh),
            "char" => Some(BleuTokenizer::Char),
            "intl" => Some(BleuTokenizer::Intl),
            _ => None,
        }
    }

    /// The tokens of `line` separated by whitespace (not necessarily single spaces).
    pub fn tokenize_spaced(self, line: &str) -> String {
        match self {
            BleuTokenizer::T13a => tokenize_13a_spaced(line),
            BleuTokenizer::Zh => tokenize_zh_spaced(line),
            BleuTokenizer::Char => {
                line.chars().filter(|&c| !py_isspace(c)).map(String::from).collect::<Vec<_>>().join(" ")
            }
            BleuTokenizer::Intl => tokenize_intl(line),
        }
    }
}

/// sacreBLEU's `TokenizerZh._is_chinese_char`, including what its ranges really compare: two of
/// them are written `u'\u20000'` and `u'\u2f800'` (a 4-digit escape and a '0'), so as string
/// comparisons they cover U+2001..=U+2A6D and U+2F81..=U+2FA1 (general punctuation, arrows,
/// mathematical operators, ...) — not the supplementary ideographs they were meant for.
pub fn is_sacrebleu_chinese_char(c: char) -> bool {
    const RANGES: &[(u32, u32)] = &[
        (0x3400, 0x4DB5),
        (0x4E00, 0x9FA5),
        (0x9FA6, 0x9FBB),
        (0xF900, 0xFA2D),
        (0xFA30, 0xFA6A),
        (0xFA70, 0xFAD9),
        (0x2001, 0x2A6D),
        (0x2F81, 0x2FA1),
        (0xFF00, 0xFFEF),
        (0x2E80, 0x2EFF),
        (0x3000, 0x303F),
        (0x31C0, 0x31EF),
        (0x2F00, 0x2FDF),
        (0x2FF0, 0x2FFF),
        (0x3100, 0x312F),
        (0x31A0, 0x31BF),
        (0xFE10, 0xFE1F),
        (0xFE30, 0xFE4F),
        (0x2600, 0x26FF),
        (0x2700, 0x27BF),
        (0x3200, 0x32FF),
        (0x3300, 0x33FF),
    ];
    let u = c as u32;
    RANGES.iter().any(|&(a, b)| (a..=b).contains(&u))
}

/// sacreBLEU's `TokenizerZh`: the line stripped, a space either side of every Chinese character
/// ([`is_sacrebleu_chinese_char`]), then `TokenizerRegexp` (13a's four regular expressions, on
/// the line without 13a's padding and entity unescaping).
fn tokenize_zh_spaced(line: &str) -> String {
    let line = line.trim_matches(py_isspace);
    let mut spaced = String::with_capacity(line.len() * 2);
    for c in line.chars() {
        if is_sacrebleu_chinese_char(c) {
            spaced.push(' ');
            spaced.push(c);
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    regexp_spaced(spaced.into_bytes())
}

/// sacreBLEU's `TokenizerV14International`: `(\P{N})(\p{P})` → `\1 \2 `, then
/// `(\p{P})(\P{N})` → ` \1 \2`, then `(\p{S})` → ` \1 `, with Unicode general categories;
/// whitespace collapsed.
fn tokenize_intl(line: &str) -> String {
    use unicode_general_category::{get_general_category as cat, GeneralCategory as G};
    let is_n = |c: char| matches!(cat(c), G::DecimalNumber | G::LetterNumber | G::OtherNumber);
    let is_p = super::pytext::is_unicode_punctuation;
    let is_s = |c: char| matches!(cat(c), G::MathSymbol | G::CurrencySymbol | G::ModifierSymbol | G::OtherSymbol);
    let a: Vec<char> = line.chars().collect();
    let a = scan_pairs(&a, |x, y| !is_n(x) && is_p(y), |x, y, o| o.extend([x, ' ', y, ' ']));
    let a = scan_pairs(&a, |x, y| is_p(x) && !is_n(y), |x, y, o| o.extend([' ', x, ' ', y]));
    let mut out = String::with_capacity(a.len() * 2);
    for c in a {
        if is_s(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    py_collapse_whitespace(&out)
}

/// [`tokenize_13a`] before whitespace is collapsed: the same tokens under `str.split()`.
fn tokenize_13a_spaced(line: &str) -> String {
    let mut line = std::borrow::Cow::Borrowed(line);
    if line.contains("<skipped>") {
        line = line.replace("<skipped>", "").into();
    }
    if line.contains("-\n") {
        line = line.replace("-\n", "").into();
    }
    if line.contains('\n') {
        line = line.replace('\n', " ").into();
    }
    if line.contains('&') {
        for (entity, ch) in [("&quot;", "\""), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")] {
            if line.contains(entity) {
                line = line.replace(entity, ch).into();
            }
        }
    }
    // 13a pads the line with a space either side before the regular expressions.
    let mut padded = Vec::with_capacity(line.len() + 2);
    padded.push(b' ');
    padded.extend_from_slice(line.as_bytes());
    padded.push(b' ');
    regexp_spaced(padded)
}

/// sacreBLEU's `TokenizerRegexp` (without its final whitespace collapse): the four regular
/// expressions 13a and zh share.
///
/// The regular expressions only test ASCII characters, and a non-ASCII character counts as
/// "not a digit" in each, so a byte scan gives the same result: a match never starts inside a
/// multi-byte character, and spaces are only inserted next to ASCII bytes.
fn regexp_spaced(bytes: Vec<u8>) -> String {
    let mut a = Vec::with_capacity(bytes.len() * 2 + 2);
    for b in bytes {
        if is_13a_symbol(b) {
            a.extend_from_slice(&[b' ', b, b' ']);
        } else {
            a.push(b);
        }
    }
    // ([^0-9])([\.,]) -> \1 \2 (space)
    let a = scan_pairs(
        &a,
        |x, y| !x.is_ascii_digit() && (y == b'.' || y == b','),
        |x, y, out| out.extend_from_slice(&[x, b' ', y, b' ']),
    );
    // ([\.,])([^0-9]) -> (space)\1 \2
    let a = scan_pairs(
        &a,
        |x, y| (x == b'.' || x == b',') && !y.is_ascii_digit(),
        |x, y, out| out.extend_from_slice(&[b' ', x, b' ', y]),
    );
    // ([0-9])(-) -> \1 \2 (space)
    let a =
        scan_pairs(&a, |x, y| x.is_ascii_digit() && y == b'-', |x, y, out| out.extend_from_slice(&[x, b' ', y, b' ']));
    String::from_utf8(a).expect("spaces are only inserted next to ASCII bytes")
}

/// The first regular expression's character class ``[\{-\~\[-\` -\&\(-\+\:-\@\/]``.
#[inline]
fn is_13a_symbol(b: u8) -> bool {
    matches!(b, b'{'..=b'~' | b'['..=b'`' | b' '..=b'&' | b'('..=b'+' | b':'..=b'@' | b'/')
}

/// `re.sub` of a two-character pattern over bytes or chars: scanning left to right, a match at
/// `i` consumes `i` and `i + 1` and the scan resumes after it; otherwise the unit is copied.
fn scan_pairs<T: Copy>(a: &[T], is_match: impl Fn(T, T) -> bool, replace: impl Fn(T, T, &mut Vec<T>)) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + a.len() / 4 + 4);
    let mut i = 0;
    while i < a.len() {
        if i + 1 < a.len() && is_match(a[i], a[i + 1]) {
            replace(a[i], a[i + 1], &mut out);
            i += 2;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out
}

/// sacreBLEU's smoothing methods (`smooth_method`, `smooth_value`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Smoothing {
    /// No smoothing: an order without matches makes BLEU 0.
    None,
    /// Chen & Cherry's method 1: a zero count becomes `value` (sacreBLEU's default 0.1).
    Floor(f64),
    /// Method 2: `k` added to the counts of orders 2 and up (default 1).
    AddK(f64),
    /// Method 3, NIST's (mteval-v13a): the k-th order without matches gets precision 1/(2^k·total).
    Exp,
}

/// BLEU's options. The default is sacreBLEU's `BLEU()`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BleuConfig {
    /// Lowercase hypothesis and references first (`case:lc`).
    pub lowercase: bool,
    pub smoothing: Smoothing,
    /// Average only over the orders that have n-grams (for sentence BLEU; `eff:yes`).
    pub effective_order: bool,
    /// sacreBLEU's `tokenize` (`tok:13a`, `tok:zh`, ...).
    pub tokenizer: BleuTokenizer,
}

impl Default for BleuConfig {
    fn default() -> Self {
        BleuConfig {
            lowercase: false,
            smoothing: Smoothing::Exp,
            effective_order: false,
            tokenizer: BleuTokenizer::T13a,
        }
    }
}

/// One example's (or a corpus's) BLEU statistics, in sacreBLEU's segment-statistics layout
/// `[hyp_len, ref_len, matches..., totals...]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BleuStats {
    /// Hypothesis tokens.
    pub hyp_len: u64,
    /// Length of the reference closest in length to the hypothesis (the shorter one on a tie).
    pub ref_len: u64,
    /// Hypothesis n-grams of order n+1 also in a reference, clipped by the largest count in any
    /// one reference.
    pub matches: [u64; MAX_ORDER],
    /// Hypothesis n-grams of order n+1.
    pub totals: [u64; MAX_ORDER],
}

impl SufficientStats for BleuStats {
    fn add_assign(&mut self, o: &Self) {
        self.hyp_len += o.hyp_len;
        self.ref_len += o.ref_len;
        for n in 0..MAX_ORDER {
            self.matches[n] += o.matches[n];
            self.totals[n] += o.totals[n];
        }
    }

    fn sub_assign(&mut self, o: &Self) {
        self.hyp_len -= o.hyp_len;
        self.ref_len -= o.ref_len;
        for n in 0..MAX_ORDER {
            self.matches[n] -= o.matches[n];
            self.totals[n] -= o.totals[n];
        }
    }
}

/// The BLEU statistics of one hypothesis against its references (sacreBLEU's
/// `_compute_segment_statistics`): both sides lowercased when asked, right-stripped and
/// 13a-tokenised; reference n-gram counts are the maximum over the references.
///
/// With no reference, nothing matches and the reference length is 0 (sacreBLEU would fail).
pub fn bleu_stats<S: AsRef<str>>(hypothesis: &str, references: &[S], config: &BleuConfig) -> BleuStats {
    let prep = |s: &str| {
        if config.lowercase {
            config.tokenizer.tokenize_spaced(py_rstrip(&py_lower(s)))
        } else {
            config.tokenizer.tokenize_spaced(py_rstrip(s))
        }
    };
    let hyp = prep(hypothesis);
    let refs: Vec<String> = references.iter().map(|r| prep(r.as_ref())).collect();

    // Words become small integers shared by the hypothesis and its references, and n-grams of
    // all orders are counted by sorting one key per position (see `ngrams`): no string is
    // allocated per n-gram.
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut intern = |w| {
        let next = ids.len() as u32;
        *ids.entry(w).or_insert(next)
    };
    let hyp_ids: Vec<u32> = py_split(&hyp).map(&mut intern).collect();
    let ref_ids: Vec<Vec<u32>> = refs.iter().map(|r| py_split(r).map(&mut intern).collect()).collect();

    let hyp_len = hyp_ids.len();
    let ref_len = closest_ref_len(hyp_len as u64, ref_ids.iter().map(|r| r.len() as u64));
    let mut stats = BleuStats { hyp_len: hyp_len as u64, ref_len, ..BleuStats::default() };
    for (o, t) in stats.totals.iter_mut().enumerate() {
        *t = ngram_count(hyp_len, o);
    }
    let mut hk = Vec::new();
    WORDS.sorted_keys(&hyp_ids, &mut hk);
    let mut rk = Vec::new();
    if let [only] = ref_ids.as_slice() {
        WORDS.sorted_keys(only, &mut rk);
        stats.matches.copy_from_slice(&WORDS.clipped_matches(&hk, &rk, MAX_ORDER)[..MAX_ORDER]);
    } else {
        // Each hypothesis n-gram is clipped by its largest count in any one reference:
        // min(h, max_r c_r) = max_r min(h, c_r), kept per n-gram (identified by its first key).
        let mut best = vec![0u64; MAX_ORDER * hk.len()];
        for r in &ref_ids {
            WORDS.sorted_keys(r, &mut rk);
            WORDS.walk_shared(&hk, &rk, MAX_ORDER, |o, h, c, first| {
                let b = &mut best[o * hk.len() + first];
                *b = (*b).max(h.min(c));
            });
        }
        for (o, m) in stats.matches.iter_mut().enumerate() {
            *m = best[o * hk.len()..(o + 1) * hk.len()].iter().sum();
        }
    }
    stats
}

/// sacreBLEU's `_get_closest_ref_len`: the reference length nearest the hypothesis length, the
/// shorter on a tie (0 without references).
fn closest_ref_len(hyp_len: u64, ref_lens: impl Iterator<Item = u64>) -> u64 {
    let mut best: Option<(u64, u64)> = None; // (distance, length)
    for len in ref_lens {
        let d = hyp_len.abs_diff(len);
        best = match best {
            Some((bd, bl)) if d > bd || (d == bd && len >= bl) => Some((bd, bl)),
            _ => Some((d, len)),
        };
    }
    best.map_or(0, |(_, l)| l)
}

/// A BLEU score with the parts sacreBLEU prints after it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BleuScore {
    /// BLEU on 0–100.
    pub score: f64,
    /// n-gram precisions on 0–100 (after smoothing).
    pub precisions: [f64; MAX_ORDER],
    /// Brevity penalty.
    pub bp: f64,
    /// `hyp_len / ref_len` (0 when `ref_len` is 0).
    pub ratio: f64,
    pub hyp_len: u64,
    pub ref_len: u64,
}

/// sacreBLEU's `log` floored at a large negative number (`my_log`).
fn my_log(x: f64) -> f64 {
    if x == 0.0 {
        -9_999_999_999.0
    } else {
        x.ln()
    }
}

/// BLEU from (summed) statistics, exactly as sacreBLEU's `BLEU.compute_bleu`: brevity penalty
/// `exp(1 − r/c)` when the hypothesis is shorter, 0 when nothing matches at any order, otherwise
/// the geometric mean of the smoothed precisions (stopping at the first order without n-grams).
pub fn bleu_score(stats: &BleuStats, config: &BleuConfig) -> BleuScore {
    let (sys_len, ref_len) = (stats.hyp_len, stats.ref_len);
    let mut bp = 1.0;
    if sys_len < ref_len {
        bp = if sys_len > 0 { (1.0 - ref_len as f64 / sys_len as f64).exp() } else { 0.0 };
    }
    let ratio = if ref_len > 0 { sys_len as f64 / ref_len as f64 } else { 0.0 };
    let mut out = BleuScore { score: 0.0, precisions: [0.0; MAX_ORDER], bp, ratio, hyp_len: sys_len, ref_len };
    if stats.matches.iter().all(|&m| m == 0) {
        return out;
    }
    let mut smooth_mteval = 1.0;
    let mut eff_order = MAX_ORDER;
    for n in 1..=MAX_ORDER {
        let mut correct = stats.matches[n - 1] as f64;
        let mut total = stats.totals[n - 1] as f64;
        if let Smoothing::AddK(k) = config.smoothing {
            if n > 1 {
                correct += k;
                total += k;
            }
        }
        if total == 0.0 {
            break;
        }
        if config.effective_order {
            eff_order = n;
        }
        if correct == 0.0 {
            match config.smoothing {
                Smoothing::Exp => {
                    smooth_mteval *= 2.0;
                    out.precisions[n - 1] = 100.0 / (smooth_mteval * total);
                }
                Smoothing::Floor(v) => out.precisions[n - 1] = 100.0 * v / total,
                Smoothing::None | Smoothing::AddK(_) => {}
            }
        } else {
            out.precisions[n - 1] = 100.0 * correct / total;
        }
    }
    let log_sum: f64 = out.precisions[..eff_order].iter().map(|&p| my_log(p)).sum();
    out.score = bp * (log_sum / eff_order as f64).exp();
    out
}

/// The signature sacreBLEU prints with a BLEU score, e.g.
/// `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`, naming the sacreBLEU release
/// these numbers reproduce.
pub fn bleu_signature(nrefs: NRefs, config: &BleuConfig) -> String {
    let smooth = match config.smoothing {
        Smoothing::None => "none".to_string(),
        Smoothing::Exp => "exp".to_string(),
        Smoothing::Floor(v) => format!("floor[{v:.2}]"),
        Smoothing::AddK(k) => format!("add-k[{k:.2}]"),
    };
    format!(
        "nrefs:{}|case:{}|eff:{}|tok:{}|smooth:{}|version:{}",
        nrefs.signature_value(),
        if config.lowercase { "lc" } else { "mixed" },
        if config.effective_order { "yes" } else { "no" },
        config.tokenizer.name(),
        smooth,
        SACREBLEU_VERSION
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_13a_examples() {
        assert_eq!(tokenize_13a("Hello, world! It's 3.5 or 1,000."), "Hello , world ! It's 3.5 or 1,000 .");
        assert_eq!(tokenize_13a("&quot;a&amp;lt;b&quot; 1-2 x-y"), "\" a < b \" 1 - 2 x-y");
        assert_eq!(tokenize_13a("end-\nline<skipped>\nnext"), "endline next");
        assert_eq!(tokenize_13a("café.x ..."), "café . x . . .");
        assert_eq!(tokenize_13a(""), "");
    }

    #[test]
    fn zh_intl_and_char_tokenizers_equal_sacrebleu() {
        // (line, zh, intl, char) as sacreBLEU 2.6.0's TokenizerZh, TokenizerV14International and
        // TokenizerChar give them (whitespace collapsed). Line 2 has characters its zh ranges
        // catch by accident (→, —, “, fullwidth digits); line 3 an ideograph they miss (U+20000).
        let cases = [
            (
                "今天天气很好，我们去公园。",
                "今 天 天 气 很 好 ， 我 们 去 公 园 。",
                "今天天气很好 ， 我们去公园 。",
                "今 天 天 气 很 好 ， 我 们 去 公 园 。",
            ),
            (
                "GPT-4 在2024年→发布 “好” １２ a—b 3.5, x.",
                "GPT-4 在 2024 年 → 发 布 “ 好 ” １ ２ a — b 3.5 , x .",
                "GPT - 4 在2024年 → 发布 “ 好 ” １２ a — b 3.5 , x .",
                "G P T - 4 在 2 0 2 4 年 → 发 布 “ 好 ” １ ２ a — b 3 . 5 , x .",
            ),
            (" 𠀀字 ⺀ ", "𠀀 字 ⺀", "𠀀字 ⺀", "𠀀 字 ⺀"),
            (
                "The model — improved by 3.5% (see Fig. 2), €40 x+y=z naïve end.",
                "The model — improved by 3.5 % ( see Fig . 2 ) , € 40 x + y = z naïve end .",
                "The model — improved by 3.5 % ( see Fig . 2 ) , € 40 x + y = z naïve end .",
                "T h e m o d e l — i m p r o v e d b y 3 . 5 % ( s e e F i g . 2 ) , € 4 0 x + y = z n a ï v e e n d .",
            ),
            (
                "Hello, world! 1,000.5 «q»",
                "Hello , world ! 1,000.5 «q»",
                "Hello , world ! 1,000.5 « q »",
                "H e l l o , w o r l d ! 1 , 0 0 0 . 5 « q »",
            ),
        ];
        for (line, zh, intl, ch) in cases {
            let collapse = |t: BleuTokenizer| py_collapse_whitespace(&t.tokenize_spaced(line));
            assert_eq!(collapse(BleuTokenizer::Zh), zh, "zh of {line:?}");
            assert_eq!(collapse(BleuTokenizer::Intl), intl, "intl of {line:?}");
            assert_eq!(collapse(BleuTokenizer::Char), ch, "char of {line:?}");
        }
        let zh = BleuConfig { tokenizer: BleuTokenizer::Zh, ..BleuConfig::default() };
        assert!(bleu_signature(NRefs::Fixed(1), &zh).contains("|tok:zh|"));
        assert_eq!(BleuTokenizer::parse("INTL"), Some(BleuTokenizer::Intl));
    }

    #[test]
    fn perfect_and_empty() {
        let c = BleuConfig::default();
        let s = bleu_stats("the cat sat on the mat", &["the cat sat on the mat"], &c);
        assert_eq!(s.matches, [6, 5, 4, 3]);
        assert!((bleu_score(&s, &c).score - 100.0).abs() < 1e-12);
        let e = bleu_stats("", &["a b"], &c);
        assert_eq!(bleu_score(&e, &c).score, 0.0);
        assert_eq!(closest_ref_len(5, [3, 7, 8].into_iter()), 3);
        assert_eq!(
            bleu_signature(NRefs::Fixed(1), &c),
            format!("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:{SACREBLEU_VERSION}")
        );
    }
}

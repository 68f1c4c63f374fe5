//! ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum exactly as Google's `rouge_score` package 0.1.2
//! computes them (`RougeScorer([...], use_stemmer=...)`, `score` / `score_multi`).
//!
//! Its default tokeniser lowercases, turns every run of characters other than `[a-z0-9]` into a
//! separator, and (with the stemmer) replaces each token longer than three characters by its
//! NLTK Porter stem ([`super::porter`]). ROUGE-N compares n-gram counts; ROUGE-L uses the longest
//! common subsequence of the two token lists; ROUGE-Lsum splits both texts into sentences at
//! newlines and counts the union-LCS hits of each reference sentence, each token used at most as
//! often as it occurs on both sides (ROUGE 1.5.5's summary-level LCS).
//!
//! Scores are per example; the corpus value is the mean over examples (done by the caller).

use rustc_hash::FxHashMap;

use super::porter::porter_stem_ascii_lower;

/// Precision, recall and F-measure of one ROUGE type (rouge-score's `Score`), on 0–1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub fmeasure: f64,
}

impl Prf {
    /// rouge-score's `fmeasure`: the harmonic mean, 0 when both are 0.
    fn new(precision: f64, recall: f64) -> Prf {
        let fmeasure = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        Prf { precision, recall, fmeasure }
    }
}

/// One example's ROUGE scores.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RougeScores {
    pub rouge1: Prf,
    pub rouge2: Prf,
    pub rouge_l: Prf,
    pub rouge_lsum: Prf,
}

/// A text's tokens: bytes in one buffer, each token's span and the line it is on.
struct Tokens {
    buf: Vec<u8>,
    spans: Vec<(usize, usize)>,
    lines: Vec<u32>,
}

impl Tokens {
    fn token(&self, i: usize) -> &[u8] {
        let (a, b) = self.spans[i];
        &self.buf[a..b]
    }
}

/// rouge-score's `tokenize.tokenize(text, stemmer)`, keeping the line of each token for
/// ROUGE-Lsum (a newline is a separator, so tokenising line by line gives the same tokens).
///
/// `text.lower()` can only produce ASCII letters from ASCII letters and from two other
/// characters: `İ` (U+0130, lowercased to `i` + a combining dot, which separates) and the Kelvin
/// sign (U+212A, lowercased to `k`); every other character is a separator.
fn tokenize(text: &str, use_stemmer: bool) -> Tokens {
    let mut out = Tokens { buf: Vec::with_capacity(text.len()), spans: Vec::new(), lines: Vec::new() };
    let mut raw: Vec<u8> = Vec::with_capacity(32);
    let mut line = 0u32;
    let flush = |raw: &mut Vec<u8>, out: &mut Tokens, line: u32| {
        if raw.is_empty() {
            return;
        }
        let start = out.buf.len();
        if use_stemmer && raw.len() > 3 {
            porter_stem_ascii_lower(raw, &mut out.buf);
        } else {
            out.buf.extend_from_slice(raw);
        }
        raw.clear();
        if out.buf.len() > start && out.buf[start..].iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            out.spans.push((start, out.buf.len()));
            out.lines.push(line);
        } else {
            out.buf.truncate(start);
        }
    };
    for c in text.chars() {
        match c {
            'a'..='z' | '0'..='9' => raw.push(c as u8),
            'A'..='Z' => raw.push(c.to_ascii_lowercase() as u8),
            '\u{212A}' => raw.push(b'k'),
            '\u{130}' => {
                raw.push(b'i');
                flush(&mut raw, &mut out, line);
            }
            _ => {
                flush(&mut raw, &mut out, line);
                if c == '\n' {
                    line += 1;
                }
            }
        }
    }
    flush(&mut raw, &mut out, line);
    out
}

/// rouge-score's tokens of `text` (lowercased, split at non-alphanumerics, stemmed when asked).
pub fn rouge_tokenize(text: &str, use_stemmer: bool) -> Vec<String> {
    let t = tokenize(text, use_stemmer);
    (0..t.spans.len()).map(|i| String::from_utf8(t.token(i).to_vec()).expect("ASCII tokens")).collect()
}

/// A text as token ids (shared with the other side) grouped by line.
struct Ids {
    all: Vec<u32>,
    /// Token ids of each line that has tokens (lines without tokens do not change ROUGE-Lsum).
    sentences: Vec<Vec<u32>>,
}

fn to_ids<'a>(t: &'a Tokens, ids: &mut FxHashMap<&'a [u8], u32>) -> Ids {
    let mut all = Vec::with_capacity(t.spans.len());
    let mut sentences: Vec<Vec<u32>> = Vec::new();
    let mut last_line = None;
    for i in 0..t.spans.len() {
        let next = ids.len() as u32;
        let id = *ids.entry(t.token(i)).or_insert(next);
        all.push(id);
        if last_line != Some(t.lines[i]) {
            sentences.push(Vec::new());
            last_line = Some(t.lines[i]);
        }
        sentences.last_mut().expect("pushed above").push(id);
    }
    Ids { all, sentences }
}

/// Sorted keys of the order-`n` n-grams (n ≤ 4) of `ids`.
fn ngram_keys(ids: &[u32], n: usize) -> Vec<u128> {
    if ids.len() < n {
        return Vec::new();
    }
    let mut keys: Vec<u128> =
        ids.windows(n).map(|w| w.iter().fold(0u128, |k, &id| (k << 32) | u128::from(id))).collect();
    keys.sort_unstable();
    keys
}

/// rouge-score's `_score_ngrams`: clipped n-gram overlap over the prediction's and target's counts
/// (each at least 1 in the denominators).
fn score_ngrams(target: &[u32], prediction: &[u32], n: usize) -> Prf {
    let (t, p) = (ngram_keys(target, n), ngram_keys(prediction, n));
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < t.len() && j < p.len() {
        match t[i].cmp(&p[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    Prf::new(common as f64 / p.len().max(1) as f64, common as f64 / t.len().max(1) as f64)
}

/// rouge-score's `_score_lcs`: 0 when either side has no token.
fn score_lcs(target: &[u32], prediction: &[u32]) -> Prf {
    if target.is_empty() || prediction.is_empty() {
        return Prf::default();
    }
    let lcs = super::lcs::lcs_length(target, prediction) as f64;
    Prf::new(lcs / prediction.len() as f64, lcs / target.len() as f64)
}

/// Table cells up to which [`mark_lcs`] fills the plain table (fastest for sentences); larger
/// pairs use the bit-parallel, checkpointed [`super::lcs::mark_lcs`] (same marks, memory
/// O(√n·m/64) words instead of n·m).
const PLAIN_TABLE_MAX_CELLS: usize = 1 << 14;

/// rouge-score's `lcs_ind` (`_lcs_table` then `_backtrack_norec`): marks in `hit` the indices of
/// `r` on the one LCS that its backtracking reads out (a match first, else left when the left
/// cell is strictly larger, else up).
fn mark_lcs(r: &[u32], c: &[u32], table: &mut Vec<u32>, hit: &mut [bool]) {
    if (r.len() + 1).saturating_mul(c.len() + 1) > PLAIN_TABLE_MAX_CELLS {
        super::lcs::mark_lcs(r, c, hit);
    } else {
        plain_mark_lcs(r, c, table, hit);
    }
}

/// rouge-score's `_lcs_table`, row-major in `table` ((r.len() + 1) × (c.len() + 1) cells); the
/// LCS length.
pub(super) fn plain_lcs_table(r: &[u32], c: &[u32], table: &mut Vec<u32>) -> u32 {
    let w = c.len() + 1;
    table.clear();
    table.resize((r.len() + 1) * w, 0);
    for i in 1..=r.len() {
        for j in 1..=c.len() {
            table[i * w + j] = if r[i - 1] == c[j - 1] {
                table[(i - 1) * w + j - 1] + 1
            } else {
                table[(i - 1) * w + j].max(table[i * w + j - 1])
            };
        }
    }
    table[table.len() - 1]
}

/// [`mark_lcs`] on the plain table: the reference the bit-parallel marks are tested against.
pub(super) fn plain_mark_lcs(r: &[u32], c: &[u32], table: &mut Vec<u32>, hit: &mut [bool]) {
    plain_lcs_table(r, c, table);
    let w = c.len() + 1;
    let (mut i, mut j) = (r.len(), c.len());
    while i > 0 && j > 0 {
        if r[i - 1] == c[j - 1] {
            hit[i - 1] = true;
            i -= 1;
            j -= 1;
        } else if table[i * w + j - 1] > table[(i - 1) * w + j] {
            j -= 1;
        } else {
            i -= 1;
        }
    }
}

/// rouge-score's `_summary_level_lcs` over sentences of token ids (`n_ids` distinct ids).
fn score_summary_lcs(target: &[Vec<u32>], prediction: &[Vec<u32>], n_ids: usize) -> Prf {
    let m: usize = target.iter().map(Vec::len).sum();
    let n: usize = prediction.iter().map(Vec::len).sum();
    if m == 0 || n == 0 {
        return Prf::default();
    }
    let mut cnt_r = vec![0u32; n_ids];
    let mut cnt_c = vec![0u32; n_ids];
    target.iter().flatten().for_each(|&t| cnt_r[t as usize] += 1);
    prediction.iter().flatten().for_each(|&t| cnt_c[t as usize] += 1);
    let mut hits = 0usize;
    let mut table = Vec::new();
    let mut hit = Vec::new();
    for r in target {
        hit.clear();
        hit.resize(r.len(), false);
        for c in prediction {
            mark_lcs(r, c, &mut table, &mut hit);
        }
        // the union LCS in index order
        for (i, _) in hit.iter().enumerate().filter(|(_, &h)| h) {
            let t = r[i] as usize;
            if cnt_c[t] > 0 && cnt_r[t] > 0 {
                hits += 1;
                cnt_c[t] -= 1;
                cnt_r[t] -= 1;
            }
        }
    }
    Prf::new(hits as f64 / n as f64, hits as f64 / m as f64)
}

/// rouge-score's `RougeScorer.score(target, prediction)` for rouge1, rouge2, rougeL and rougeLsum.
pub fn rouge_scores_single(prediction: &str, reference: &str, use_stemmer: bool) -> RougeScores {
    rouge_scores(prediction, &[reference], use_stemmer)
}

/// Character tokens for text without spaces between words (Chinese, Japanese, Thai): the text
/// lowercased (Python's `str.lower()`), then every character that is neither whitespace nor
/// Unicode punctuation (general category P*) is one token. rouge-score with a tokenizer object
/// whose `tokenize(text)` returns this list gives the same scores (docs/generation.md, "Scripts without spaces").
fn tokenize_chars(text: &str) -> Tokens {
    let lower = super::pytext::py_lower(text);
    let mut out = Tokens { buf: Vec::with_capacity(lower.len()), spans: Vec::new(), lines: Vec::new() };
    let mut line = 0u32;
    for c in lower.chars() {
        if c == '\n' {
            line += 1;
        }
        if super::pytext::py_isspace(c) || super::pytext::is_unicode_punctuation(c) {
            continue;
        }
        let start = out.buf.len();
        let mut b = [0u8; 4];
        out.buf.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
        out.spans.push((start, out.buf.len()));
        out.lines.push(line);
    }
    out
}

/// The character tokens of [`rouge_scores_chars`].
pub fn rouge_char_tokens(text: &str) -> Vec<String> {
    let t = tokenize_chars(text);
    (0..t.spans.len()).map(|i| String::from_utf8(t.token(i).to_vec()).expect("whole characters")).collect()
}

/// [`rouge_scores`] on character tokens ([`rouge_char_tokens`]): ROUGE for scripts written
/// without spaces, where rouge-score's own tokenizer (ASCII letters and digits only) finds nothing.
pub fn rouge_scores_chars<S: AsRef<str>>(prediction: &str, references: &[S]) -> RougeScores {
    let pred_tokens = tokenize_chars(prediction);
    let ref_tokens: Vec<Tokens> = references.iter().map(|r| tokenize_chars(r.as_ref())).collect();
    score_tokens(prediction, references, &pred_tokens, &ref_tokens)
}

/// rouge-score's `RougeScorer.score_multi(references, prediction)`: for each ROUGE type, the
/// scores against the first reference with the highest F-measure. No reference scores 0.
pub fn rouge_scores<S: AsRef<str>>(prediction: &str, references: &[S], use_stemmer: bool) -> RougeScores {
    let pred_tokens = tokenize(prediction, use_stemmer);
    let ref_tokens: Vec<Tokens> = references.iter().map(|r| tokenize(r.as_ref(), use_stemmer)).collect();
    score_tokens(prediction, references, &pred_tokens, &ref_tokens)
}

/// The four ROUGE scores of tokenised texts (best reference per type).
fn score_tokens<S: AsRef<str>>(
    prediction: &str,
    references: &[S],
    pred_tokens: &Tokens,
    ref_tokens: &[Tokens],
) -> RougeScores {
    let mut ids = FxHashMap::default();
    let pred = to_ids(pred_tokens, &mut ids);
    let refs: Vec<Ids> = ref_tokens.iter().map(|t| to_ids(t, &mut ids)).collect();
    let multiline = prediction.contains('\n') || references.iter().any(|r| r.as_ref().contains('\n'));

    let mut best: Option<RougeScores> = None;
    for r in &refs {
        let rouge_l = score_lcs(&r.all, &pred.all);
        let s = RougeScores {
            rouge1: score_ngrams(&r.all, &pred.all, 1),
            rouge2: score_ngrams(&r.all, &pred.all, 2),
            rouge_l,
            // With one sentence on each side the summary-level LCS is the LCS.
            rouge_lsum: if multiline { score_summary_lcs(&r.sentences, &pred.sentences, ids.len()) } else { rouge_l },
        };
        best = Some(match best {
            None => s,
            Some(b) => RougeScores {
                rouge1: if s.rouge1.fmeasure > b.rouge1.fmeasure { s.rouge1 } else { b.rouge1 },
                rouge2: if s.rouge2.fmeasure > b.rouge2.fmeasure { s.rouge2 } else { b.rouge2 },
                rouge_l: if s.rouge_l.fmeasure > b.rouge_l.fmeasure { s.rouge_l } else { b.rouge_l },
                rouge_lsum: if s.rouge_lsum.fmeasure > b.rouge_lsum.fmeasure { s.rouge_lsum } else { b.rouge_lsum },
            },
        });
    }
    best.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokeniser_follows_rouge_score() {
        assert_eq!(
            rouge_tokenize("The U.S.A.'s café-2 İstanbul \u{212A}elvin", false),
            vec!["the", "u", "s", "a", "s", "caf", "2", "i", "stanbul", "kelvin"]
        );
        assert_eq!(rouge_tokenize("Running dogs ran", true), vec!["run", "dog", "ran"]);
    }

    #[test]
    fn readme_example() {
        // rouge-score's docstring: score('The quick brown fox jumps over the lazy dog',
        // 'The quick brown dog jumps on the log.')
        let s = rouge_scores_single(
            "The quick brown dog jumps on the log.",
            "The quick brown fox jumps over the lazy dog",
            false,
        );
        assert!((s.rouge1.precision - 6.0 / 8.0).abs() < 1e-12);
        assert!((s.rouge1.recall - 6.0 / 9.0).abs() < 1e-12);
        assert!((s.rouge_l.fmeasure - s.rouge_lsum.fmeasure).abs() < 1e-15);
    }

    #[test]
    fn lcs_lengths() {
        assert_eq!(super::super::lcs::lcs_length(&[1, 2, 3, 4], &[2, 4, 3]), 2);
        assert_eq!(super::super::lcs::lcs_length(&[], &[1]), 0);
        let mut hit = vec![false; 4];
        mark_lcs(&[1, 2, 3, 4], &[2, 4, 3], &mut Vec::new(), &mut hit);
        assert_eq!(hit.iter().filter(|&&h| h).count(), 2);
    }
}

//! What kind of generation task a test set is, read from its references (and prompts), and so
//! which metric a comparison of its outputs is judged on when neither `--primary` nor a profile
//! says: exact match credits nothing on long outputs, and ROUGE on one-word answers is noise.
//!
//! The rule, in order:
//! 1. **Translation** — half or more of the prompts ask to translate (contain "translat"), or the
//!    prompts' dominant script differs from the references' (English in, Chinese out): `chrf`
//!    (sacreBLEU's chrF works on characters, so it needs no word tokeniser and correlates better
//!    with human judgements of translations than BLEU).
//! 2. Otherwise the **median reference length** in words (each character of Chinese, Japanese or
//!    Thai counted as a word, as sacreBLEU's `zh` tokeniser splits Chinese):
//!    - at most [`SHORT_ANSWER_WORDS`] → **short answers** (names, numbers, labels, spans):
//!      `exact_match`;
//!    - at most [`SHORT_TEXT_WORDS`] → **short texts** (a phrase or a sentence): `token_f1`, which
//!      credits partly right answers;
//!    - longer → **long-form** answers and summaries: `rougeL` (on characters when the references
//!      are in a script without spaces).

use crate::evaluate::generation::UNSPACED_SHARE;
use crate::metrics::generation::script::{dominant_script, length_units, unspaced_share};

/// Median reference length (words) up to which references are short answers.
pub const SHORT_ANSWER_WORDS: f64 = 3.0;
/// Median reference length (words) up to which references are short texts.
pub const SHORT_TEXT_WORDS: f64 = 10.0;

/// The kind of generation task the data show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenerationTask {
    ShortAnswer,
    ShortText,
    LongForm,
    Translation,
}

impl GenerationTask {
    pub fn as_str(self) -> &'static str {
        match self {
            GenerationTask::ShortAnswer => "short answers",
            GenerationTask::ShortText => "short texts",
            GenerationTask::LongForm => "long-form text",
            GenerationTask::Translation => "translation",
        }
    }
}

/// The task the data show, the metric that fits it, and why, in one sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimaryChoice {
    pub task: GenerationTask,
    pub metric: &'static str,
    pub reason: String,
}

/// Chooses the primary metric of a generation test set (see the module docs). `prompts` are
/// the examples' prompts when the file has them.
pub fn choose_generation_primary(references: &[Vec<String>], prompts: Option<&[String]>) -> PrimaryChoice {
    let firsts: Vec<&str> = references.iter().filter_map(|r| r.first()).map(String::as_str).collect();
    if let Some(prompts) = prompts.filter(|p| !p.is_empty()) {
        let asks = prompts.iter().filter(|p| p.to_lowercase().contains("translat")).count();
        if asks * 2 >= prompts.len() {
            return PrimaryChoice {
                task: GenerationTask::Translation,
                metric: "chrf",
                reason: format!(
                    "{asks} of {} prompts ask for a translation, and chrF (character n-grams, no word tokeniser) judges translations more reliably than BLEU",
                    prompts.len()
                ),
            };
        }
        let from = dominant_script(prompts.iter().map(String::as_str));
        let to = dominant_script(firsts.iter().copied());
        if let (Some((a, sa)), Some((b, sb))) = (from, to) {
            if a != b && sa >= 0.5 && sb >= 0.5 {
                return PrimaryChoice {
                    task: GenerationTask::Translation,
                    metric: "chrf",
                    reason: format!(
                        "the prompts are in {} and the references in {}: a translation, judged by chrF (character n-grams, no word tokeniser)",
                        a.name(),
                        b.name()
                    ),
                };
            }
        }
    }
    let unspaced = unspaced_share(firsts.iter().copied()) >= UNSPACED_SHARE;
    let lengths: Vec<f64> = firsts.iter().map(|r| length_units(r) as f64).collect();
    let m = crate::curves::robust::median(&lengths);
    let length = crate::checks::count(m, "word", "words");
    let length = if unspaced { format!("{length} (characters of scripts without spaces)") } else { length };
    if m.is_nan() || m <= SHORT_ANSWER_WORDS {
        return PrimaryChoice {
            task: GenerationTask::ShortAnswer,
            metric: "exact_match",
            reason: format!(
                "the references are short answers (median {length}, at most {SHORT_ANSWER_WORDS}), where an answer is right or wrong"
            ),
        };
    }
    if m <= SHORT_TEXT_WORDS {
        return PrimaryChoice {
            task: GenerationTask::ShortText,
            metric: "token_f1",
            reason: format!(
                "the references are short texts (median {length}, {SHORT_ANSWER_WORDS}–{SHORT_TEXT_WORDS}), where token F1 credits partly right answers that exact match scores 0"
            ),
        };
    }
    PrimaryChoice {
        task: GenerationTask::LongForm,
        metric: "rougeL",
        reason: format!(
            "the references are long-form (median {length}, over {SHORT_TEXT_WORDS}), where exact match almost never credits an output and ROUGE-L measures the overlap"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(texts: &[&str]) -> Vec<Vec<String>> {
        texts.iter().map(|t| vec![t.to_string()]).collect()
    }

    #[test]
    fn the_task_follows_the_reference_lengths() {
        let short = refs(&["Paris", "42", "the Nile", "Marie Curie", "1912"]);
        assert_eq!(choose_generation_primary(&short, None).metric, "exact_match");
        let phrases = refs(&["a small red house by the lake", "he went home early", "it rained all day long"]);
        assert_eq!(choose_generation_primary(&phrases, None).metric, "token_f1");
        let long = refs(&["one two three four five six seven eight nine ten eleven twelve"; 3]);
        let c = choose_generation_primary(&long, None);
        assert_eq!((c.task, c.metric), (GenerationTask::LongForm, "rougeL"));
        assert!(c.reason.contains("median 12 words"), "{}", c.reason);
        // Chinese: characters count as words.
        let zh = refs(&["今天的天气非常好我们去公园散步吧"; 3]);
        assert_eq!(choose_generation_primary(&zh, None).metric, "rougeL");
        assert_eq!(choose_generation_primary(&refs(&["北京"; 3]), None).metric, "exact_match");
        // One word is "1 word"; other counts are plural.
        let one = choose_generation_primary(&refs(&["Paris", "Rome", "the Nile"]), None);
        assert!(one.reason.contains("median 1 word,"), "{}", one.reason);
        let half = choose_generation_primary(&refs(&["Paris", "the Nile"]), None);
        assert!(half.reason.contains("median 1.5 words,"), "{}", half.reason);
    }

    #[test]
    fn translation_from_prompts_or_scripts() {
        let r = refs(&["Der Hund bellt laut im Garten", "Es regnet heute sehr stark"]);
        let asks: Vec<String> = vec!["Translate to German: The dog barks".into(), "Translate: It rains".into()];
        assert_eq!(choose_generation_primary(&r, Some(&asks)).task, GenerationTask::Translation);
        let zh = refs(&["狗在花园里大声叫", "今天下大雨"]);
        let en: Vec<String> = vec!["The dog barks loudly in the garden".into(), "It rains heavily today".into()];
        let c = choose_generation_primary(&zh, Some(&en));
        assert_eq!(c.metric, "chrf");
        assert!(c.reason.contains("Latin") && c.reason.contains("Chinese"), "{}", c.reason);
        let qa: Vec<String> = vec!["Who wrote it?".into(), "Where is it?".into()];
        assert_eq!(choose_generation_primary(&refs(&["Tolstoy", "Paris"]), Some(&qa)).metric, "exact_match");
    }
}

//! Task profiles: which mistakes cost more decides the metric a comparison is judged on.

use crate::data::Task;

/// What kind of decision the classifier supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Flagging good mail as spam is the costly error: precision first.
    Spam,
    /// A missed fraud case is the costly error: recall first.
    Fraud,
    /// A missed diagnosis is the costly error: recall first.
    Medical,
    /// Both errors cost about the same: F1.
    Balanced,
    /// Generation: short answers that are right or wrong (exact match).
    Qa,
    /// Generation: long-form answers and summaries (ROUGE-L).
    Summarization,
    /// Generation: translations (chrF).
    Translation,
}

impl Profile {
    /// Every profile, classifier profiles first.
    pub const ALL: [Profile; 7] = [
        Profile::Spam,
        Profile::Fraud,
        Profile::Medical,
        Profile::Balanced,
        Profile::Qa,
        Profile::Summarization,
        Profile::Translation,
    ];

    pub fn parse(name: &str) -> Option<Profile> {
        match name.to_ascii_lowercase().as_str() {
            "spam" => Some(Profile::Spam),
            "fraud" => Some(Profile::Fraud),
            "medical" => Some(Profile::Medical),
            "balanced" => Some(Profile::Balanced),
            "qa" => Some(Profile::Qa),
            "summarization" | "summarisation" => Some(Profile::Summarization),
            "translation" => Some(Profile::Translation),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Spam => "spam",
            Profile::Fraud => "fraud",
            Profile::Medical => "medical",
            Profile::Balanced => "balanced",
            Profile::Qa => "qa",
            Profile::Summarization => "summarization",
            Profile::Translation => "translation",
        }
    }

    /// Whether the profile is about generated text (qa, summarization, translation).
    pub fn is_generation(self) -> bool {
        matches!(self, Profile::Qa | Profile::Summarization | Profile::Translation)
    }

    /// Whether the profile can judge `task`: the generation profiles judge generation only;
    /// the others judge classification and NER (and leave generation to the data's task).
    pub fn applies_to(self, task: Task) -> bool {
        task == Task::Generation || !self.is_generation()
    }

    /// The metric a comparison is judged on for `task` (binary metrics are about the positive
    /// class; multiclass falls back to the macro average, which weighs rare classes equally).
    pub fn primary_metric(self, task: Task) -> &'static str {
        match (self, task) {
            // Entity-level scores are micro averages over entities, as seqeval reports them.
            (Profile::Spam, Task::Ner) => "precision",
            (Profile::Fraud | Profile::Medical, Task::Ner) => "recall",
            (Profile::Qa, Task::Generation) => "exact_match",
            (Profile::Summarization, Task::Generation) => "rougeL",
            (Profile::Translation, Task::Generation) => "chrf",
            (_, Task::Generation) => default_primary(task),
            // A generation profile never judges the other tasks (see `applies_to`).
            (Profile::Qa | Profile::Summarization | Profile::Translation, _) => default_primary(task),
            (_, Task::Ner) => "f1",
            (Profile::Spam, Task::Binary) => "precision",
            (Profile::Fraud | Profile::Medical, Task::Binary) => "recall",
            (Profile::Balanced, Task::Binary) => "f1",
            (Profile::Spam, _) => "precision_macro",
            (Profile::Fraud | Profile::Medical, _) => "recall_macro",
            (Profile::Balanced, _) => "f1_macro",
        }
    }

    /// The metric that must not collapse while the primary improves (the other error).
    pub fn guard_metric(self, task: Task) -> Option<&'static str> {
        match (self, task) {
            (Profile::Spam, Task::Binary) => Some("recall"),
            (Profile::Fraud | Profile::Medical, Task::Binary) => Some("precision"),
            _ => None,
        }
    }

    /// One sentence on why the primary metric fits.
    pub fn rationale(self) -> &'static str {
        match self {
            Profile::Spam => "good mail marked as spam is the costly error, so precision (how many flagged messages really are spam) comes first",
            Profile::Fraud => "a missed fraud case is the costly error, so recall (how many fraud cases are caught) comes first",
            Profile::Medical => "a missed case is the costly error, so recall (sensitivity) comes first",
            Profile::Balanced => "both kinds of error cost about the same, so F1 balances precision and recall",
            Profile::Qa => "answers are right or wrong, so exact match (after SQuAD's normalisation) comes first",
            Profile::Summarization => "long outputs are rarely exact, so ROUGE-L (longest common subsequence with the reference) comes first",
            Profile::Translation => "chrF (character n-grams) judges translations more reliably than BLEU and needs no word tokeniser",
        }
    }
}

/// The default primary metric without a profile: F1 for binary and NER, exact match for
/// generation (when the data are not at hand; compare and rank choose from the references with
/// [`crate::generation_task::choose_generation_primary`]), macro F1 otherwise.
pub fn default_primary(task: Task) -> &'static str {
    match task {
        Task::Binary | Task::Ner => "f1",
        // SPEC: the first generation metric.
        Task::Generation => "exact_match",
        _ => "f1_macro",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_is_listed_once_and_parses_back() {
        for (i, p) in Profile::ALL.iter().enumerate() {
            assert_eq!(Profile::parse(p.as_str()), Some(*p));
            assert!(!Profile::ALL[..i].contains(p));
        }
    }
}

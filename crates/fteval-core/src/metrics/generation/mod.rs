//! Generation metrics (issue 6): SQuAD exact match and token F1, sacreBLEU's BLEU and chrF/chrF++,
//! rouge-score's ROUGE-1/2/L/Lsum, and NLTK's Porter stemmer that ROUGE can use.
//!
//! Each metric is a pure function over one example (a prediction and its references), so callers
//! can run examples in parallel. The corpus metrics (BLEU, chrF) return per-example *sufficient
//! statistics* that add up: a corpus score, a bootstrap resample ([`resample::bootstrap_sums`]) or
//! a paired approximate-randomisation trial ([`significance`]) is a sum of statistics followed by
//! one `stats → score` call, never a re-tokenisation. The per-example metrics (ROUGE, SQuAD) are
//! averaged by the caller; [`Sums`] lets their sums be resampled with the rest.
//!
//! ```
//! use fteval_core::metrics::generation::bleu::{bleu_score, bleu_stats, BleuConfig};
//! use fteval_core::metrics::generation::chrf::{chrf_score, chrf_stats_for, ChrfConfig};
//! use fteval_core::metrics::generation::{resample::bootstrap_sums, sum_all};
//!
//! let preds = ["the cat sat on the mat", "a dog barked"];
//! let refs = [vec!["the cat sat on a mat"], vec!["the dog barked", "a dog barks"]];
//! let cfg = BleuConfig::default();
//! let stats: Vec<_> = preds.iter().zip(&refs).map(|(p, r)| bleu_stats(p, r, &cfg)).collect();
//! let bleu = bleu_score(&sum_all(&stats), &cfg).score; // corpus BLEU, 0–100
//! let replicates: Vec<f64> =
//!     bootstrap_sums(&stats, 200, 0).iter().map(|s| bleu_score(s, &cfg).score).collect();
//! assert!(bleu > 0.0 && replicates.len() == 200);
//!
//! let (chrf, chrf_pp) = (ChrfConfig::chrf(), ChrfConfig::chrf_pp());
//! let both = chrf_stats_for(preds[0], &refs[0], &[chrf, chrf_pp]);
//! assert!(chrf_score(&both[0], &chrf) > chrf_score(&both[1], &chrf_pp));
//! ```
//!
//! Every function reproduces a named Python reference to 1e-6 (the fixtures under
//! `tests/data/generation/` were made by `make_fixtures.py` with sacrebleu 2.6.0, rouge-score 0.1.2
//! and nltk 3.10.4 on Python 3.11). The Python string semantics those references depend on
//! (`str.split()`, `str.lower()`, `re`'s `\b`) are in [`pytext`].

pub mod bleu;
pub mod chrf;
pub mod lcs;
mod ngrams;
pub mod porter;
pub mod pytext;
pub mod resample;
pub mod rouge;
pub mod script;
pub mod significance;
pub mod squad;

/// The sacreBLEU release the BLEU and chrF implementations were verified against; it is the
/// `version:` field of the signatures.
pub const SACREBLEU_VERSION: &str = "2.6.0";

/// Per-example statistics that add up over a corpus (BLEU's and chrF's n-gram counts).
///
/// Subtraction is only ever applied to a sum that contains the subtracted part, so unsigned
/// counters never underflow.
pub trait SufficientStats: Clone + Default + Send + Sync {
    /// `self += other`, counter by counter.
    fn add_assign(&mut self, other: &Self);
    /// `self -= other`, counter by counter (`other` must be part of `self`).
    fn sub_assign(&mut self, other: &Self);
}

/// `K` per-example values whose corpus value is their mean (ROUGE F-measures, exact match,
/// token F1): the sufficient statistics are their sums.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sums<const K: usize>(pub [f64; K]);

impl<const K: usize> Default for Sums<K> {
    fn default() -> Self {
        Sums([0.0; K])
    }
}

impl<const K: usize> SufficientStats for Sums<K> {
    fn add_assign(&mut self, other: &Self) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a += b);
    }
    fn sub_assign(&mut self, other: &Self) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a -= b);
    }
}

/// Several metrics' statistics resampled together.
impl<A: SufficientStats, B: SufficientStats> SufficientStats for (A, B) {
    fn add_assign(&mut self, o: &Self) {
        self.0.add_assign(&o.0);
        self.1.add_assign(&o.1);
    }
    fn sub_assign(&mut self, o: &Self) {
        self.0.sub_assign(&o.0);
        self.1.sub_assign(&o.1);
    }
}

impl<A: SufficientStats, B: SufficientStats, C: SufficientStats> SufficientStats for (A, B, C) {
    fn add_assign(&mut self, o: &Self) {
        self.0.add_assign(&o.0);
        self.1.add_assign(&o.1);
        self.2.add_assign(&o.2);
    }
    fn sub_assign(&mut self, o: &Self) {
        self.0.sub_assign(&o.0);
        self.1.sub_assign(&o.1);
        self.2.sub_assign(&o.2);
    }
}

impl<A: SufficientStats, B: SufficientStats, C: SufficientStats, D: SufficientStats> SufficientStats for (A, B, C, D) {
    fn add_assign(&mut self, o: &Self) {
        self.0.add_assign(&o.0);
        self.1.add_assign(&o.1);
        self.2.add_assign(&o.2);
        self.3.add_assign(&o.3);
    }
    fn sub_assign(&mut self, o: &Self) {
        self.0.sub_assign(&o.0);
        self.1.sub_assign(&o.1);
        self.2.sub_assign(&o.2);
        self.3.sub_assign(&o.3);
    }
}

/// The sum of `stats` over `indices` (with repetition): the corpus statistics of a bootstrap
/// resample given as row indices.
pub fn sum_over<S: SufficientStats>(stats: &[S], indices: impl IntoIterator<Item = usize>) -> S {
    let mut total = S::default();
    for i in indices {
        total.add_assign(&stats[i]);
    }
    total
}

/// The sum of `stats` with each row taken `counts[i]` times: the corpus statistics of a bootstrap
/// resample given as multinomial counts.
pub fn sum_weighted<S: SufficientStats>(stats: &[S], counts: &[u32]) -> S {
    assert_eq!(stats.len(), counts.len(), "one count per example");
    let mut total = S::default();
    for (s, &c) in stats.iter().zip(counts) {
        for _ in 0..c {
            total.add_assign(s);
        }
    }
    total
}

/// The sum of all `stats`: the corpus statistics.
pub fn sum_all<S: SufficientStats>(stats: &[S]) -> S {
    sum_over(stats, 0..stats.len())
}

/// How many references each example had, as sacreBLEU's signature reports it (`nrefs:2`, or
/// `nrefs:var` when the count differs between examples).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NRefs {
    /// Every example had this many references.
    Fixed(usize),
    /// The number of references varies between examples.
    Variable,
}

impl NRefs {
    /// The `nrefs` of a corpus whose examples have `counts` references each.
    pub fn from_counts(counts: impl IntoIterator<Item = usize>) -> NRefs {
        let mut it = counts.into_iter();
        let Some(first) = it.next() else { return NRefs::Fixed(0) };
        if it.all(|c| c == first) {
            NRefs::Fixed(first)
        } else {
            NRefs::Variable
        }
    }

    fn signature_value(self) -> String {
        match self {
            NRefs::Fixed(n) => n.to_string(),
            NRefs::Variable => "var".to_string(),
        }
    }
}

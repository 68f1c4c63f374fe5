//! Train/test leakage: exact duplicates after normalisation, near duplicates (MinHash + LSH,
//! verified by exact Jaccard), n-gram contamination, and label conflicts.

pub mod analyze;
pub mod exact;
pub mod features;
pub mod lsh;
pub mod minhash;
pub mod ngrams;
pub mod normalize;
pub mod within_split;

//! `fteval.rank/v1`: several models on one test set.

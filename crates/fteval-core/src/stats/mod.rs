//! Statistics: reproducible randomness, resampling and analytic intervals.

pub mod bootstrap;
pub mod delong;
pub mod holm;
pub mod mcnemar;
pub mod mover;
pub mod multinomial;
pub mod proportion;
pub mod randomisation;
pub mod rng;
pub mod sets;
pub mod sort_key;
pub mod special;

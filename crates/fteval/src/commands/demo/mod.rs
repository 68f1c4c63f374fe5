//! `fteval demo`: a bundled example project that shows every check on one realistic story.

pub mod data;

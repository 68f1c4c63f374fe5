//! `fteval demo`: a bundled example project that shows every check on one realistic story.

// Until `fteval demo` calls `write_project`, nothing outside the tests uses the generator.
#[allow(dead_code)]
pub mod data;

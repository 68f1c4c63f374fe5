//! Progress of long computations on stderr (rows done, rows/s, ETA), drawn only when stderr
//! is a terminal so logs and pipes stay clean.

use std::time::Duration;

use fteval_core::leakage::analyze::Progress;
use indicatif::{ProgressDrawTarget, ProgressStyle};

/// A progress bar for the stages of one command.
pub struct ProgressBar(indicatif::ProgressBar);

impl ProgressBar {
    /// A bar for a command over about `rows` rows; hidden for small inputs, which finish
    /// before a bar would be read.
    pub fn for_rows(rows: usize) -> ProgressBar {
        let bar = indicatif::ProgressBar::with_draw_target(Some(rows as u64), ProgressDrawTarget::stderr());
        if rows < 100_000 {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template("{msg:28} {bar:30} {human_pos}/{human_len} rows, {per_sec}, ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        ProgressBar(bar)
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for ProgressBar {
    fn stage(&self, name: &str, total: usize) {
        self.0.set_message(name.to_string());
        self.0.set_length(total as u64);
        self.0.reset();
    }

    fn advance(&self, rows: usize) {
        self.0.inc(rows as u64);
    }
}

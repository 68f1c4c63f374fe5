//! Result tables printed as Markdown, so they can be pasted into the README.

use crate::coverage::CoverageRow;

/// A titled table of text cells.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub title: String,
    pub note: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(title: &str, headers: &[&str]) -> Table {
        Table {
            title: title.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            ..Default::default()
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Table {
        self.note = note.into();
        self
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The table as GitHub Markdown: a `###` title, the note, then the rows.
    pub fn to_markdown(&self) -> String {
        self.to_markdown_at(3)
    }

    /// The table under a heading of `level` (`####` for 4, inside a README section).
    pub fn to_markdown_at(&self, level: usize) -> String {
        let mut s = format!("{} {}\n\n", "#".repeat(level), self.title);
        if !self.note.is_empty() {
            s.push_str(&self.note);
            s.push_str("\n\n");
        }
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        s.push_str(&line(&self.headers));
        s.push_str(&line(&self.headers.iter().map(|_| "---".to_string()).collect::<Vec<_>>()));
        for r in &self.rows {
            s.push_str(&line(r));
        }
        s
    }
}

/// A rate as a percentage with one decimal, "–" when undefined.
pub fn pct(x: Option<f64>) -> String {
    x.map_or("–".to_string(), |x| format!("{:.1}%", 100.0 * x))
}

/// A number with `d` decimals, "–" when undefined.
pub fn num(x: Option<f64>, d: usize) -> String {
    match x {
        Some(x) if x.is_finite() => format!("{x:.d$}"),
        _ => "–".to_string(),
    }
}

/// Bold when a rate is outside [lo, hi]: the figures that miss the bounds stand out.
pub fn flag(cell: String, x: Option<f64>, lo: f64, hi: f64) -> String {
    match x {
        Some(x) if x < lo || x > hi => format!("**{cell}**"),
        _ => cell,
    }
}

/// The coverage table of interval rows.
pub fn coverage_table(title: &str, rows: &[CoverageRow]) -> Table {
    let mut t = Table::new(
        title,
        &[
            "setting",
            "n",
            "metric",
            "truth",
            "runs",
            "undefined",
            "coverage",
            "marked",
            "covered or marked",
            "zero width",
            "no CI",
            "mean width",
        ],
    )
    .with_note(
        "coverage = truth inside the 95% interval, over the runs where the value is defined; marked = \
         `unreliable` set; bold = a row outside the issue's bounds (covered-or-marked below 93% or \
         coverage above 97%).",
    );
    for r in rows {
        let com = r.covered_or_marked_rate();
        let bold = |cell: String| if r.within(0.93, 0.97) { cell } else { format!("**{cell}**") };
        t.push(vec![
            r.setting.clone(),
            r.n.to_string(),
            r.metric.clone(),
            num(Some(r.truth), 4),
            r.runs.to_string(),
            r.undefined.to_string(),
            pct(r.coverage()),
            pct(r.marked_rate()),
            bold(pct(com)),
            pct(r.zero_width_rate()),
            r.no_interval.to_string(),
            num(r.mean_width(), 4),
        ]);
    }
    t
}

/// One line per setting and size: the spread of coverage over its metrics, how many are
/// marked unreliable in some runs, the lowest covered-or-marked rate, and unmarked zero-width
/// intervals — the coverage tables in a few lines (for the README).
pub fn coverage_summary(title: &str, rows: &[CoverageRow]) -> Table {
    let mut t = Table::new(
        title,
        &[
            "setting",
            "n",
            "metrics",
            "lowest coverage",
            "median",
            "highest",
            "marked in some runs",
            "lowest covered or marked",
            "unmarked zero width",
        ],
    )
    .with_note(
        "Over every metric with an interval (per-class numbers included). marked = the report's \
         `unreliable` note, with the `unreliable_interval` check; bold = outside 93–97%.",
    );
    let mut groups: Vec<(&str, usize, Vec<&CoverageRow>)> = Vec::new();
    for r in rows.iter().filter(|r| r.defined() > 0) {
        match groups.iter_mut().find(|(s, n, _)| *s == r.setting && *n == r.n) {
            Some(g) => g.2.push(r),
            None => groups.push((&r.setting, r.n, vec![r])),
        }
    }
    for (setting, n, group) in groups {
        let mut cov: Vec<(f64, &str)> =
            group.iter().filter_map(|r| r.coverage().map(|c| (c, r.metric.as_str()))).collect();
        cov.sort_by(|a, b| a.0.total_cmp(&b.0));
        let com = group
            .iter()
            .filter_map(|r| r.covered_or_marked_rate().map(|c| (c, r.metric.as_str())))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let named = |x: Option<(f64, &str)>, lo: f64, hi: f64| match x {
            Some((c, m)) => flag(format!("{} ({m})", pct(Some(c))), Some(c), lo, hi),
            None => String::new(),
        };
        t.push(vec![
            setting.to_string(),
            n.to_string(),
            group.len().to_string(),
            named(cov.first().copied(), 0.93, 1.0),
            pct(cov.get(cov.len() / 2).map(|c| c.0)),
            named(cov.last().copied(), 0.0, 0.97),
            group.iter().filter(|r| r.marked > 0).count().to_string(),
            named(com, 0.93, 1.0),
            group.iter().map(|r| r.zero_width_unmarked).sum::<usize>().to_string(),
        ]);
    }
    t
}

/// `compare` under the null: verdict rates per metric, and the pooled rate on the primary.
pub fn null_table(rows: &[crate::compare::VerdictRow]) -> Table {
    let pooled = crate::compare::pooled_null_rate(rows);
    let mut t = Table::new(
        "compare: equal models (false verdicts)",
        &[
            "setting",
            "n",
            "metric",
            "runs",
            "improved",
            "regressed",
            "false-verdict rate",
            "delta CI covers 0",
            "mean width",
        ],
    )
    .with_note(format!(
        "A verdict of improved or regressed on two equal models is false. Pooled null false-verdict rate \
         on the primary metric ({}): **{}** (bound: ≤ 5%).",
        crate::compare::PRIMARY,
        pct(pooled)
    ));
    for r in rows.iter().filter(|r| r.null) {
        let rate = r.significant_rate();
        t.push(vec![
            r.setting.clone(),
            r.n.to_string(),
            r.metric.clone(),
            r.runs.to_string(),
            r.improved.to_string(),
            r.regressed.to_string(),
            flag(pct(Some(rate)), Some(rate), 0.0, 0.05),
            pct(r.coverage()),
            num(r.mean_width(), 4),
        ]);
    }
    t
}

/// `compare` under a true change: power and coverage of the true delta.
pub fn power_table(rows: &[crate::compare::VerdictRow]) -> Table {
    let mut t = Table::new(
        "compare: candidate 3 points better (power, delta-CI coverage)",
        &[
            "setting",
            "n",
            "metric",
            "true delta",
            "runs",
            "improved (power)",
            "regressed",
            "delta CI coverage",
            "mean width",
        ],
    );
    for r in rows.iter().filter(|r| !r.null) {
        let cov = r.coverage();
        t.push(vec![
            r.setting.clone(),
            r.n.to_string(),
            r.metric.clone(),
            num(Some(r.true_delta), 4),
            r.runs.to_string(),
            pct(Some(r.improved_rate())),
            r.regressed.to_string(),
            flag(pct(cov), cov, 0.93, 0.97),
            num(r.mean_width(), 4),
        ]);
    }
    t
}

/// The small case.
pub fn small_case_table(c: &crate::compare::SmallCase) -> Table {
    let mut t = Table::new(
        "compare: few discordant rows",
        &["n", "fixed", "broken", "runs", "F1 improved", "accuracy improved", "mean F1 p", "mean accuracy p"],
    )
    .with_note("The candidate fixes a few of the baseline's errors and breaks none; the exact paired test gives p = 0.0625 for 5 fixed, so no verdict may say improved.");
    let rate = |k: usize| k as f64 / c.runs.max(1) as f64;
    t.push(vec![
        c.n.to_string(),
        c.fixed.to_string(),
        c.broken.to_string(),
        c.runs.to_string(),
        flag(pct(Some(rate(c.f1_improved))), Some(rate(c.f1_improved)), 0.0, 0.0),
        flag(pct(Some(rate(c.accuracy_improved))), Some(rate(c.accuracy_improved)), 0.0, 0.0),
        num(Some(c.f1_p_mean), 4),
        num(Some(c.accuracy_p_mean), 4),
    ]);
    t
}

/// `rank` with equal models.
pub fn rank_table(rows: &[crate::rank::RankRow]) -> Table {
    let mut t = Table::new(
        "rank: equal models (family-wise error)",
        &["models", "n", "runs", "family-wise error", "runs with an untested model"],
    )
    .with_note(
        "Share of runs where any model is declared not tied with the best (bound: ≤ 5%). A bootstrap \
         p-value is at least 2/(B + 1), so with few resamples (e.g. 200) Holm over 9 comparisons can never \
         reject and the 10-model figure reads 0.",
    );
    for r in rows {
        let fwe = r.family_wise_error();
        t.push(vec![
            r.k.to_string(),
            r.n.to_string(),
            r.runs.to_string(),
            flag(pct(Some(fwe)), Some(fwe), 0.0, 0.05),
            r.untested.to_string(),
        ]);
    }
    t
}

/// The train–test gap without overfitting.
pub fn gap_table(rows: &[crate::gap::GapRow]) -> Table {
    let mut t = Table::new(
        "train–test gap: no overfitting (false flags)",
        &["setting", "n train", "n test", "runs", "flagged (check's rule)", "any metric's gap large"],
    )
    .with_note(format!(
        "Train and test drawn from the same process; flagged = the tested metric's gap ({} here) above \
         max_gap {} with its interval above 0 (bound: ≤ 5%).",
        crate::gap::PRIMARY,
        crate::gap::MAX_GAP
    ));
    for r in rows {
        t.push(vec![
            r.setting.clone(),
            r.n_train.to_string(),
            r.n_test.to_string(),
            r.runs.to_string(),
            flag(pct(Some(r.flag_rate())), Some(r.flag_rate()), 0.0, 0.05),
            pct(Some(r.any_metric_rate())),
        ]);
    }
    t
}

/// Paired p-values against exact enumeration.
pub fn pvalue_table(rows: &[crate::pvalues::PRow]) -> Table {
    let mut t = Table::new(
        "paired p-values vs exact enumeration",
        &["case", "n", "discordant", "metric", "fteval p", "exact p", "abs difference"],
    )
    .with_note(format!(
        "Exact = the paired randomisation test enumerated over all 2^d swaps of the discordant rows. \
         Max abs difference: **{}**.",
        num(crate::pvalues::max_abs_diff(rows), 4)
    ));
    for r in rows {
        t.push(vec![
            r.case.clone(),
            r.n.to_string(),
            r.discordant.to_string(),
            r.metric.clone(),
            num(r.library, 4),
            num(r.exact, 4),
            num(r.abs_diff(), 4),
        ]);
    }
    t
}

//! `fteval compare BASELINE CANDIDATE`: did the fine-tuned model learn better than before?

use fteval_core::compare::{compare_classification, verdict, Comparison, Delta, Verdict};
use fteval_core::costs::{
    cost_minimising_threshold, threshold_for_min_precision, threshold_for_min_recall, CostMatrix,
};
use fteval_core::gates::{check_max_regression, check_requirement, GateResult, MaxRegression, Requirement};
use fteval_core::metric_names::resolve_metric;
use fteval_core::stats::special::normal_quantile;
use fteval_core::{Check, ClassificationInput, Scores, Severity, Task};
use fteval_io::{align_predictions, Predictions};
use fteval_report::document::{
    CompareContext, ComparePlotsDoc, CostsDoc, GateDoc, ProfileDoc, ThresholdDoc, ThresholdsDoc, VerdictDoc,
};
use fteval_report::{CompareDocument, Markdown, Renderer};

use super::input::{bootstrap_config, prepare_options, read_options, read_with_gold};
use super::settings::{judge, Judge};
use super::text_compare::ModelFiles;
use crate::cli::{CompareArgs, InputArgs};
use crate::error::CliError;
use crate::output::{note, Output};
use crate::paths::{self, Named};

/// Reads the two models' predictions: two files, or one file with a column per model.
fn read_models(args: &CompareArgs, checks: &mut Vec<Check>) -> Result<(Predictions, Predictions), CliError> {
    let input: &InputArgs = &args.input;
    match &args.candidate {
        Some(candidate) => {
            let mut opts_a = read_options(input, true, true);
            let mut opts_b = opts_a.clone();
            if args.baseline_col.is_some() {
                opts_a.columns.pred = args.baseline_col.clone();
            }
            if args.candidate_col.is_some() {
                opts_b.columns.pred = args.candidate_col.clone();
            }
            let (mut ca, mut cb) = (Vec::new(), Vec::new());
            let (a, b) = std::thread::scope(|s| {
                let a = s.spawn(|| read_with_gold(&args.baseline, input, opts_a, &mut ca));
                let b = read_with_gold(candidate, input, opts_b, &mut cb);
                (a.join().expect("reader thread"), b)
            });
            checks.extend(ca);
            checks.extend(cb);
            Ok((a?, b?))
        }
        None => {
            let (Some(col_a), Some(col_b)) = (&args.baseline_col, &args.candidate_col) else {
                return Err(CliError::usage(
                    "compare needs a baseline and a candidate",
                    "give two prediction files (fteval compare BASELINE CANDIDATE), or one file with a column per model: fteval compare FILE --baseline-col A --candidate-col B",
                ));
            };
            let read_one = |col: &str, score: &Option<String>, checks: &mut Vec<Check>| {
                let mut opts = read_options(input, true, true);
                opts.columns.pred = Some(col.to_string());
                opts.columns.score = score.clone();
                opts.columns.probs = None;
                opts.columns.no_score_detection = true;
                let mut p = read_with_gold(&args.baseline, input, opts, checks).map_err(|mut e| {
                    // The reader names the generic flags; this mode's flags name the model.
                    let (pred_flag, score_flag) = if col == col_a.as_str() {
                        ("--baseline-col", "--baseline-score-col")
                    } else {
                        ("--candidate-col", "--candidate-score-col")
                    };
                    e.message = e.message.replace("--pred-col", pred_flag).replace("--score-col", score_flag);
                    e
                })?;
                p.file = format!("{}:{col}", p.file);
                Ok::<_, CliError>(p)
            };
            let a = read_one(col_a, &args.baseline_score_col, checks)?;
            let b = read_one(col_b, &args.candidate_score_col, checks)?;
            Ok((a, b))
        }
    }
}

/// The delta of `key`, or a usage error naming `flag` and listing the keys there are.
/// The key matches as [`resolve_metric`] says: exactly, else ignoring case (`ROUGEL` is `rougeL`).
pub fn find_delta<'a>(deltas: &'a [Delta], key: &str, flag: &str) -> Result<&'a Delta, CliError> {
    let resolved = resolve_metric(deltas.iter().map(|d| d.key.as_str()), key);
    resolved.and_then(|k| deltas.iter().find(|d| d.key == k)).ok_or_else(|| {
        let keys: Vec<&str> = deltas.iter().map(|d| d.key.as_str()).collect();
        CliError::usage(
            format!("{flag}: no metric '{key}' for this task"),
            format!("the metrics are: {}", keys.join(", ")),
        )
    })
}

/// One sentence with the numbers behind the verdict.
pub fn verdict_summary(v: Verdict, d: &Delta, margin: f64, mde: Option<f64>, level: f64, n: u64) -> String {
    let pct = fteval_report::render::level_percent(level);
    let change = format!("{} {:.4} → {:.4} ({:+.4}", d.key, d.baseline, d.candidate, d.delta);
    let ci = match (d.ci_low, d.ci_high) {
        (Some(l), Some(h)) => format!(", {pct} CI [{l:+.4}, {h:+.4}]"),
        _ => String::new(),
    };
    let p = d.p_value.map(|p| format!(", p = {}", if p < 1e-4 { format!("{p:.1e}") } else { format!("{p:.4}") }));
    let numbers = format!("{change}{ci}{})", p.unwrap_or_default());
    // An interval extended to 0 because the exact test disagreed with the bootstrap says so.
    let numbers = match d.reason.as_deref() {
        Some(r) if r.ends_with("extended to 0") => format!("{numbers}; {r}"),
        _ => numbers,
    };
    match v {
        Verdict::Improved if margin > 0.0 => format!("The candidate is better: {numbers}; the gain exceeds the margin of {margin}."),
        Verdict::Improved => format!("The candidate is better: {numbers}."),
        Verdict::Regressed => format!("The candidate is worse: {numbers}."),
        Verdict::NoSignificantChange => match mde {
            Some(m) => format!("No significant change: {numbers}. With {n} examples, changes of {m:.4} or more would be detected."),
            None => format!("No significant change: {numbers}."),
        },
        Verdict::Inconclusive => match (mde, d.ci_low) {
            (Some(m), Some(_)) => format!(
                "Inconclusive: {numbers}. With {n} examples only changes of {m:.4} or more can be told from noise, more than the margin of {margin}; use a larger test set."
            ),
            _ => format!("Inconclusive: {numbers}; no interval (--bootstrap 0 or the metric is undefined on resamples)."),
        },
    }
}

/// Expected cost per example for both models, with a normal interval for the mean paired
/// per-example cost difference.
fn costs(a: &ClassificationInput, b: &ClassificationInput, cost: &CostMatrix, level: f64) -> CostsDoc {
    let pos = a.positive.expect("binary") as u32;
    let row_cost = |g: u32, p: u32| match (g == pos, p == pos) {
        (false, true) => cost.fp,
        (true, false) => cost.fn_,
        _ => 0.0,
    };
    let n = a.gold.len() as f64;
    let diffs: Vec<f64> =
        (0..a.gold.len()).map(|i| row_cost(a.gold[i], b.pred[i]) - row_cost(a.gold[i], a.pred[i])).collect();
    let ca = (0..a.gold.len()).map(|i| row_cost(a.gold[i], a.pred[i])).sum::<f64>() / n;
    let cb = (0..a.gold.len()).map(|i| row_cost(a.gold[i], b.pred[i])).sum::<f64>() / n;
    let delta = cb - ca;
    let var = diffs.iter().map(|d| (d - delta) * (d - delta)).sum::<f64>() / (n - 1.0).max(1.0);
    let half = normal_quantile(0.5 + level / 2.0) * (var / n).sqrt();
    CostsDoc {
        fp: cost.fp,
        fn_: cost.fn_,
        baseline: ca,
        candidate: cb,
        delta,
        ci_low: Some(delta - half),
        ci_high: Some(delta + half),
    }
}

/// Each model's decision threshold under the rule the flags ask for (binary, with scores).
fn thresholds(a: &ClassificationInput, b: &ClassificationInput, judge: &Judge) -> Option<ThresholdsDoc> {
    let cost = judge.cost.unwrap_or(CostMatrix { fp: 1.0, fn_: 1.0 });
    let is_pos: Vec<bool> = a.gold.iter().map(|&g| Some(g as usize) == a.positive).collect();
    let pick = |input: &ClassificationInput| -> Option<ThresholdDoc> {
        let Some(Scores::Positive(s)) = &input.scores else { return None };
        let choice = match (judge.min_recall, judge.min_precision) {
            (Some(r), _) => threshold_for_min_recall(s, &is_pos, r, &cost),
            (None, Some(p)) => threshold_for_min_precision(s, &is_pos, p, &cost),
            (None, None) => Some(cost_minimising_threshold(s, &is_pos, &cost)),
        };
        choice.as_ref().map(ThresholdDoc::from)
    };
    let rule = match (judge.min_recall, judge.min_precision) {
        (Some(r), _) => format!("highest precision with recall ≥ {r}"),
        (None, Some(p)) => format!("highest recall with precision ≥ {p}"),
        (None, None) => format!("least expected cost at FP = {}, FN = {}", cost.fp, cost.fn_),
    };
    Some(ThresholdsDoc {
        rule,
        baseline: pick(a),
        candidate: pick(b),
        optimistic: true,
        note: "Chosen on this test set itself, so these numbers are optimistic: confirm the threshold on held-out data before relying on it.",
    })
}

/// Gates evaluated on the deltas; unknown metrics are usage errors.
pub fn gates(deltas: &[Delta], judge: &Judge) -> Result<Vec<GateResult>, CliError> {
    let mut out = Vec::new();
    // Each gate reports the metric under its key's spelling (`Recall>=0.8` is `recall>=0.8`).
    for (i, r) in judge.require.iter().enumerate() {
        let d = find_delta(deltas, &r.metric, &judge.gate_origin("require", i, &r.metric))?;
        out.push(check_requirement(&Requirement { metric: d.key.clone(), ..r.clone() }, d));
    }
    for (i, m) in judge.max_regression.iter().enumerate() {
        let d = find_delta(deltas, &m.metric, &judge.gate_origin("max_regression", i, &m.metric))?;
        out.push(check_max_regression(&MaxRegression { metric: d.key.clone(), ..m.clone() }, d));
    }
    Ok(out)
}

/// A warning when the primary metric improved at the cost of the error the profile guards
/// against (spam: recall fell; fraud/medical: precision fell) significantly.
fn trade_off(cmp: &Comparison, judge: &Judge, task: Task, v: Verdict) -> Option<Check> {
    let profile = judge.profile?;
    let guard = profile.guard_metric(task)?;
    let d = cmp.deltas.iter().find(|d| d.key == guard)?;
    (v == Verdict::Improved && d.ci_high? < 0.0).then(|| {
        Check::new(
            "trade_off",
            Severity::Warn,
            format!(
                "The primary metric improved, but {guard} fell significantly ({:.4} → {:.4}): profile {} puts {} first; check that the loss of {guard} is acceptable.",
                d.baseline,
                d.candidate,
                profile.as_str(),
                profile.primary_metric(task)
            ),
        )
    })
}

/// Names, on stderr, everything that makes the run exit 1, so a CI log shows why.
pub fn report_failures(verdict: &str, summary: &str, gates: &[GateDoc], checks: &[Check]) {
    if verdict == Verdict::Regressed.as_str() {
        note(format!("fteval: regression: {summary}"));
    }
    for g in gates.iter().filter(|g| !g.passed) {
        note(format!("fteval: gate failed: {}: {}", g.gate, g.message));
    }
    for c in checks.iter().filter(|c| c.severity == Severity::Fail) {
        note(format!("fteval: check failed: {}: {}", c.id, c.message));
    }
}

pub fn run(mut args: CompareArgs) -> Result<i32, CliError> {
    let output = Output::from_args(&args.common)?;
    let mut inputs = vec![Named::input("BASELINE", &args.baseline)];
    inputs.extend(args.candidate.iter().map(|c| Named::input("CANDIDATE", c)));
    inputs.extend(paths::input_flag_files(&args.input));
    inputs.push(paths::config_file(&args.judge));
    let outputs: Vec<Named> = std::iter::once(output.destination()).chain(crate::output::step_summary()).collect();
    paths::refuse_overwrites(&inputs, &outputs)?;
    let config = bootstrap_config(&args.stats, &args.common)?;
    let mut judge = judge(&args.judge)?;
    judge.fill_input(&mut args.input);
    compare(&args, &output, &config, &judge).map_err(|e| judge.attribute(e))
}

/// Compares the models as `args` and `judge` say and writes the report.
fn compare(
    args: &CompareArgs,
    output: &Output,
    config: &fteval_core::BootstrapConfig,
    judge: &Judge,
) -> Result<i32, CliError> {
    // One file with a column per model: the baseline's column is the prediction the file is read by.
    let mut detect = args.input.clone();
    if args.candidate.is_none() && args.baseline_col.is_some() {
        detect.pred_col.clone_from(&args.baseline_col);
    }
    if let Some(task) = super::text_input::text_task(&args.baseline, &detect)? {
        let models = match (&args.candidate, &args.baseline_col, &args.candidate_col) {
            (Some(candidate), _, _) => ModelFiles::Two { baseline: &args.baseline, candidate },
            (None, Some(a), Some(b)) => ModelFiles::OneFile { file: &args.baseline, baseline_col: a, candidate_col: b },
            _ => {
                return Err(CliError::usage(
                    "compare needs a baseline and a candidate",
                    "give two prediction files (fteval compare BASELINE CANDIDATE), or one file with a column per model: fteval compare FILE --baseline-col A --candidate-col B",
                ))
            }
        };
        let doc = super::text_compare::compare(task, models, &args.input, config, judge, args.examples)?;
        let renderer = output.renderer();
        output.write(|w| renderer.text_compare(&doc, w))?;
        crate::output::append_step_summary(|w| Markdown.text_compare(&doc, w));
        report_failures(doc.verdict, &doc.verdict_detail.summary, &doc.gates, &doc.checks);
        return Ok(if doc.failed() { 1 } else { 0 });
    }
    let run = classification(args, judge, config)?;
    let doc = run.doc;
    let renderer = output.renderer();
    output.write(|w| renderer.compare(&doc, w))?;
    crate::output::append_step_summary(|w| Markdown.compare(&doc, w));
    report_failures(doc.verdict, &doc.verdict_detail.summary, &doc.gates, &doc.checks);
    Ok(if doc.failed() { 1 } else { 0 })
}

/// A classification comparison: the document, the candidate's aligned input (for the train–test
/// gap and the metric's fit), and both evaluations.
pub struct ClassificationRun {
    pub doc: CompareDocument,
    pub candidate: ClassificationInput,
    pub comparison: Comparison,
}

/// Reads, aligns and compares two classification models.
pub fn classification(
    args: &CompareArgs,
    judge: &Judge,
    config: &fteval_core::BootstrapConfig,
) -> Result<ClassificationRun, CliError> {
    let mut checks: Vec<Check> = judge.note.iter().cloned().collect();
    let (a, b) = read_models(args, &mut checks)?;
    let (source_a, source_b) = (a.file.clone(), b.file.clone());
    let aligned = align_predictions(vec![a, b], &prepare_options(&args.input), args.candidate.is_none())?;
    checks.extend(aligned.checks);
    let (ia, ib) = (&aligned.inputs[0], &aligned.inputs[1]);
    if ia.scores.is_some() != ib.scores.is_some() {
        let (with, without) = if ia.scores.is_some() { (&source_a, &source_b) } else { (&source_b, &source_a) };
        checks.push(Check::new(
            "scores_in_one_file",
            Severity::Warn,
            format!("{with} has scores but {without} does not: ROC AUC, log loss and the other score metrics are not compared."),
        ));
    }
    let task = ia.task;
    judge.check_profile(task)?;
    if judge.cost.is_some() && task != Task::Binary {
        return Err(CliError::usage(
            "--cost: expected cost needs a binary task (a false positive and a false negative)",
            "leave out --cost, or pass --task binary with --positive LABEL",
        ));
    }
    let cmp = compare_classification(ia, ib, config, args.examples);
    let d = find_delta(&cmp.deltas, &judge.primary(task), judge.primary_origin())?;
    let primary = d.key.clone();
    let (v, mde) = verdict(d, judge.margin, config.level);
    let summary = verdict_summary(v, d, judge.margin, mde, config.level, cmp.n);
    checks.extend(trade_off(&cmp, judge, task, v));
    let gates = gates(&cmp.deltas, judge)?;
    let costs = judge.cost.filter(|_| task == Task::Binary).map(|c| costs(ia, ib, &c, config.level));
    let wants_threshold = judge.cost.is_some() || judge.min_recall.is_some() || judge.min_precision.is_some();
    let thresholds = if wants_threshold && task == Task::Binary && ia.scores.is_some() && ib.scores.is_some() {
        thresholds(ia, ib, judge)
    } else {
        if wants_threshold && (judge.min_recall.is_some() || judge.min_precision.is_some()) {
            checks.push(Check::new(
                "no_threshold_search",
                Severity::Warn,
                "--min-recall/--min-precision need a binary task and scores in both files; no thresholds were searched.",
            ));
        }
        None
    };
    let profile = judge.profile.map(|p| ProfileDoc {
        name: p.as_str(),
        primary_metric: p.primary_metric(task),
        rationale: p.rationale(),
    });
    let ctx = CompareContext {
        baseline_source: source_a,
        candidate_source: source_b,
        baseline: ia,
        candidate: ib,
        ids: aligned.ids.as_deref(),
        text: aligned.text.as_deref(),
        primary: primary.clone(),
        verdict: v,
        verdict_detail: VerdictDoc { metric: primary, margin: judge.margin, minimum_detectable_effect: mde, summary },
        profile,
        costs,
        thresholds,
        gates,
        checks,
    };
    let mut doc = CompareDocument::new(&cmp, ctx);
    doc.plots = Some(ComparePlotsDoc::of((ia, &cmp.baseline), (ib, &cmp.candidate)));
    let candidate = aligned.inputs.into_iter().nth(1).expect("two models");
    Ok(ClassificationRun { doc, candidate, comparison: cmp })
}

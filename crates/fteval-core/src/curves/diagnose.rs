//! Reading loss curves as a careful ML engineer would: overfitting, plateaus, divergence,
//! spikes, non-finite values, and the best checkpoint. Every threshold is a multiple of the
//! curve's own noise (robust spread), with small relative floors where a curve has too few
//! points to estimate it.

use crate::checks::Severity;
use crate::compare::lower_is_better;

use super::robust::{head_median, mad_sigma, median, neighbour_median, noise_sigma, rolling_median, tail_median};
use super::series::{point_label, Series, Split, TrainingRun};

/// Points a curve's shape is judged on; longer logs are binned (medians) down to this.
const MAX_POINTS: usize = 4000;

/// Local window (each side) for spike detection: spikes are local by nature.
const SPIKE_WINDOW: usize = 10;

/// What the user asked the diagnosis to watch.
#[derive(Clone, Debug, Default)]
pub struct DiagnoseOptions {
    /// The eval metric that chooses the best checkpoint (default: eval loss).
    pub metric: Option<String>,
    /// Number of classes (or vocabulary size): chance-level loss is ln(classes).
    pub classes: Option<usize>,
}

/// One finding about one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    /// Index into the runs diagnosed.
    pub run: usize,
    /// `split/name`, e.g. `eval/loss`.
    pub series: Option<String>,
    /// "step" or "epoch": the unit of `range`.
    pub axis: &'static str,
    pub range: Option<(f64, f64)>,
    pub message: String,
    /// True when the finding reports a curve that got worse — a loss that rose, a metric that
    /// fell, a last checkpoint worse than the best: a run with one is never called healthy.
    pub worsened: bool,
}

/// The findings that by their nature report a curve that got worse.
const WORSENING: &[&str] =
    &["overfitting", "diverging", "best_not_last", "loss_metric_disagreement", "warmup_instability"];

/// The checkpoint to keep and what keeping the last one costs.
#[derive(Clone, Debug, PartialEq)]
pub struct BestCheckpoint {
    pub run: usize,
    /// `split/name` of the series that chose it.
    pub series: String,
    pub higher_is_better: bool,
    pub step: Option<u64>,
    pub epoch: Option<f64>,
    pub value: f64,
    pub last_step: Option<u64>,
    pub last_epoch: Option<f64>,
    pub last_value: f64,
    /// How much worse the last checkpoint is (≥ 0, in the metric's units).
    pub lost: f64,
    /// The series' point-to-point noise: a loss below about twice this is not a loss.
    pub noise: f64,
    /// Finite points of the series.
    pub evaluations: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    pub best_checkpoint: Option<BestCheckpoint>,
}

/// The finite points of a series on one x axis.
struct Curve<'a> {
    series: &'a Series,
    axis: &'static str,
    x: Vec<f64>,
    y: Vec<f64>,
    /// Index into `series.points` of each kept point.
    idx: Vec<usize>,
}

impl<'a> Curve<'a> {
    fn new(series: &'a Series, axis: &'static str) -> Curve<'a> {
        let mut c = Curve { series, axis, x: Vec::new(), y: Vec::new(), idx: Vec::new() };
        for (i, p) in series.points.iter().enumerate() {
            let x = match axis {
                "step" => p.step.map(|s| s as f64),
                "epoch" => p.epoch,
                _ => Some(i as f64),
            };
            if let (Some(x), true) = (x, p.value.is_finite()) {
                c.x.push(x);
                c.y.push(p.value);
                c.idx.push(i);
            }
        }
        c
    }

    fn name(&self) -> String {
        format!("{}/{}", self.series.split.as_str(), self.series.name)
    }

    fn len(&self) -> usize {
        self.y.len()
    }

    /// "step 1500 (epoch 3.0)" for the kept point `i`.
    fn at(&self, i: usize) -> String {
        let p = &self.series.points[self.idx[i]];
        point_label(p.step, p.epoch).unwrap_or_else(|| format!("point {}", self.idx[i] + 1))
    }

    /// At most about `max` points: medians of consecutive bins (x at each bin's middle point),
    /// so long logs are read at the resolution a plot shows, in linear time.
    fn binned(&self, max: usize) -> Curve<'a> {
        let n = self.len();
        if n <= max {
            return Curve {
                series: self.series,
                axis: self.axis,
                x: self.x.clone(),
                y: self.y.clone(),
                idx: self.idx.clone(),
            };
        }
        let size = n.div_ceil(max);
        let mut c = Curve { series: self.series, axis: self.axis, x: Vec::new(), y: Vec::new(), idx: Vec::new() };
        for start in (0..n).step_by(size) {
            let end = (start + size).min(n);
            let mid = (start + end) / 2;
            c.x.push(self.x[mid]);
            c.y.push(median(&self.y[start..end]));
            c.idx.push(self.idx[mid]);
        }
        c
    }

    /// Linear interpolation of the curve at `x` (None outside its range).
    fn interp(&self, x: f64) -> Option<f64> {
        if self.x.is_empty() || x < self.x[0] || x > *self.x.last()? {
            return None;
        }
        let j = self.x.partition_point(|&v| v < x);
        if j < self.x.len() && self.x[j] == x {
            return Some(self.y[j]);
        }
        let (x0, x1, y0, y1) = (self.x[j - 1], self.x[j], self.y[j - 1], self.y[j]);
        Some(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
    }
}

fn fmt(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

/// The x axis shared by `series`: steps when every point has one, else epochs, else positions.
fn shared_axis(series: &[&Series]) -> &'static str {
    let all = |f: &dyn Fn(&super::series::Point) -> bool| series.iter().all(|s| s.points.iter().all(f));
    if all(&|p| p.step.is_some()) {
        "step"
    } else if all(&|p| p.epoch.is_some()) {
        "epoch"
    } else {
        "index"
    }
}

/// The training loss of a run: `loss`, else the first train series ending in `loss`.
fn train_loss(run: &TrainingRun) -> Option<&Series> {
    run.get("loss", Split::Train)
        .or_else(|| run.series.iter().find(|s| s.split == Split::Train && s.name.ends_with("loss")))
}

/// The held-out loss: the eval loss, else the test loss when a log evaluates on its test
/// split during training (Flair without a dev set logs TEST_LOSS per epoch).
fn eval_loss(run: &TrainingRun) -> Option<&Series> {
    [Split::Eval, Split::Test].into_iter().find_map(|split| {
        run.get("loss", split).or_else(|| run.series.iter().find(|s| s.split == split && s.name.ends_with("loss")))
    })
}

/// The learning-rate schedule of a run, if logged.
fn learning_rate(run: &TrainingRun) -> Option<Curve<'_>> {
    let s = run.get("learning_rate", Split::Train)?;
    let c = Curve::new(s, if s.points.iter().all(|p| p.step.is_some()) { "step" } else { "epoch" });
    (c.len() >= 2).then_some(c)
}

/// What the learning rate did over `range` (x on `axis`), and the advice for a loss that
/// rose meanwhile: a rise during warm-up means the peak is too high; a rise while the learning
/// rate decays is not a step-size problem at all.
fn lr_context(run: &TrainingRun, axis: &str, range: (f64, f64)) -> (String, &'static str) {
    const DEFAULT: &str = "Training is diverging: lower the learning rate or clip gradients.";
    let Some(lr) = learning_rate(run).filter(|c| c.axis == axis) else { return (String::new(), DEFAULT) };
    let at = |x: f64| lr.interp(x).or_else(|| if x < lr.x[0] { lr.y.first().copied() } else { lr.y.last().copied() });
    let (Some(a), Some(b)) = (at(range.0), at(range.1)) else { return (String::new(), DEFAULT) };
    if b > 1.5 * a {
        (
            format!(" while the learning rate rose from {} to {}", fmt(a), fmt(b)),
            "The loss turned up during warm-up: the peak learning rate is too high for this model; lower it or lengthen the warm-up.",
        )
    } else if a > 1.5 * b {
        (
            format!(" while the learning rate fell from {} to {}", fmt(a), fmt(b)),
            "A loss that rises while the learning rate decays is not a step-size instability: check the data order (unshuffled or sorted data puts different examples last) and how the loss is computed and logged.",
        )
    } else {
        (format!(" at a learning rate of {}", fmt(b)), DEFAULT)
    }
}

/// How far the learning rate has decayed by the end: last / peak (None when not logged).
fn lr_decay(run: &TrainingRun) -> Option<(f64, f64)> {
    let lr = learning_rate(run)?;
    let peak = lr.y.iter().cloned().fold(0.0, f64::max);
    let last = *lr.y.last()?;
    (peak > 0.0).then_some((peak, last))
}

/// The values on a log scale when all are positive, else unchanged. Loss curves fall roughly
/// geometrically, so a change is judged relative to the loss's level: 0.13 → 0.10 late in
/// training is as real an improvement as 1.3 → 1.0 early on.
fn log_scale(y: &[f64]) -> Vec<f64> {
    if y.iter().all(|&v| v > 0.0) {
        y.iter().map(|v| v.ln()).collect()
    } else {
        y.to_vec()
    }
}

/// How the number of classes behind a chance level is known, with the values that showed it.
#[derive(Clone, Debug, PartialEq)]
enum ClassesFrom {
    /// `--classes`.
    Given,
    /// The first loss (series, value) sits at ln k.
    StartingLoss(String, f64),
    /// Where the run ends, the accuracy (series, value as a fraction) sits at 1/k and the loss
    /// (series, value) at ln k.
    AccuracyAndLoss { accuracy: (String, f64), loss: (String, f64) },
}

/// `split/name` of a series, as findings name it.
fn series_label(s: &Series) -> String {
    format!("{}/{}", s.split.as_str(), s.name)
}

/// Chance-level loss ln k, with k from `--classes`, else inferred for a classifier (a run that
/// logs an accuracy): either its first loss sits within 4% of ln k for one k in 2..=5 — the
/// loss a uniform guess over k classes gives, where an untrained head starts (larger k lie too
/// close together to tell apart from the loss alone) — or, where it ends, its accuracy sits
/// within 25% of 1/k and its loss within 5% of ln k for one and the same k in 2..=10 (the two
/// together pin k down: a binary classifier stuck at 50% and ln 2). Held-out series are
/// preferred; the training ones stand in when a log has none.
fn chance_level(run: &TrainingRun, opts: &DiagnoseOptions) -> Option<(f64, usize, ClassesFrom)> {
    if let Some(k) = opts.classes.filter(|&k| k > 1) {
        return Some(((k as f64).ln(), k, ClassesFrom::Given));
    }
    let is_accuracy = |s: &Series| s.name == "accuracy" || s.name.ends_with("_accuracy");
    if !run.series.iter().any(is_accuracy) {
        return None;
    }
    let near_ln = |loss: f64, k: usize, tol: f64| ((k as f64).ln() - loss).abs() < tol * (k as f64).ln();
    if let Some((s, first)) = train_loss(run)
        .or(eval_loss(run))
        .and_then(|s| s.points.iter().map(|p| p.value).find(|v| v.is_finite()).map(|v| (s, v)))
    {
        let ks: Vec<usize> = (2..=5).filter(|&k| near_ln(first, k, 0.04)).collect();
        if let [k] = ks[..] {
            return Some(((k as f64).ln(), k, ClassesFrom::StartingLoss(series_label(s), first)));
        }
    }
    let split = held_out_split(run);
    let accuracy =
        run.series.iter().filter(|s| is_accuracy(s)).min_by_key(|s| (s.split != split, s.name != "accuracy"))?;
    let late = |s: &Series| {
        let v: Vec<f64> = s.points.iter().map(|p| p.value).filter(|v| v.is_finite()).collect();
        (!v.is_empty()).then(|| tail_median(&v, 0.5, 1))
    };
    let mut acc = late(accuracy)?;
    if acc > 1.0 && acc <= 100.0 {
        acc /= 100.0; // logged in percent
    }
    let loss_series = eval_loss(run).or(train_loss(run))?;
    let loss = late(loss_series)?;
    let ks: Vec<usize> =
        (2..=10).filter(|&k| (acc - 1.0 / k as f64).abs() < 0.25 / k as f64 && near_ln(loss, k, 0.05)).collect();
    match ks[..] {
        [k] => Some((
            (k as f64).ln(),
            k,
            ClassesFrom::AccuracyAndLoss {
                accuracy: (series_label(accuracy), acc),
                loss: (series_label(loss_series), loss),
            },
        )),
        _ => None,
    }
}

/// "chance level (ln k = c, what a uniform guess over k classes scores)", and, when k was
/// inferred, the values it was inferred from.
fn chance_text(c: f64, k: usize, from: &ClassesFrom) -> String {
    let how = match from {
        ClassesFrom::Given => String::new(),
        ClassesFrom::StartingLoss(series, v) => {
            format!("; {k} classes inferred from the first {series}, {} ≈ ln {k}; --classes sets it", fmt(*v))
        }
        ClassesFrom::AccuracyAndLoss { accuracy, loss } => format!(
            "; {k} classes inferred from where the run ends: {} {} ≈ 1/{k} and {} {} ≈ ln {k}; --classes sets it",
            accuracy.0,
            fmt(accuracy.1),
            loss.0,
            fmt(loss.1)
        ),
    };
    format!("chance level (ln {k} = {}, what a uniform guess over {k} classes scores{how})", fmt(c))
}

/// The split evaluated during training: eval, else test (see [`eval_loss`]).
fn held_out_split(run: &TrainingRun) -> Split {
    if run.series.iter().all(|s| s.split != Split::Eval) && run.series.iter().any(|s| s.split == Split::Test) {
        Split::Test
    } else {
        Split::Eval
    }
}

/// The held-out series named `name` (`f1`, `eval_f1`, `val/f1`, `DEV_F1` all name eval `f1`):
/// of the eval split, else of the test split when a log evaluates on that during training.
pub fn held_out_series<'a>(run: &'a TrainingRun, name: &str) -> Option<&'a Series> {
    let lower = name.to_ascii_lowercase();
    let bare = ["eval_", "eval/", "val_", "val/", "valid_", "validation_", "dev_", "test_", "test/"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    run.get(bare, held_out_split(run)).or_else(|| run.get(bare, Split::Eval))
}

/// The eval metric watched next to the loss: `--metric`, else the first quality metric found
/// by name (F1 — overall or macro first — exact match, ROUGE, BLEU, WER/CER, accuracy).
fn eval_metric<'a>(run: &'a TrainingRun, opts: &DiagnoseOptions) -> Option<&'a Series> {
    if let Some(m) = &opts.metric {
        return held_out_series(run, m);
    }
    let split = held_out_split(run);
    let eval: Vec<&Series> = run.series.iter().filter(|s| s.split == split && !s.name.ends_with("loss")).collect();
    let tokens = |s: &Series| s.name.split(['_', '/', '-', '.']).map(str::to_string).collect::<Vec<_>>();
    let has = |s: &Series, t: &str| tokens(s).iter().any(|x| x == t);
    let preferences: [&dyn Fn(&Series) -> bool; 8] = [
        &|s| has(s, "f1") && (has(s, "overall") || has(s, "macro")),
        &|s| has(s, "f1") || s.name == "f" || s.name.contains("f-score") || s.name.contains("fscore"),
        &|s| s.name.contains("exact_match"),
        &|s| s.name.starts_with("rouge"),
        &|s| s.name.contains("bleu"),
        &|s| has(s, "wer") || has(s, "cer"),
        &|s| has(s, "accuracy") || has(s, "acc"),
        &|s| s.name == "matthews_correlation" || s.name == "r2",
    ];
    preferences.iter().find_map(|p| eval.iter().copied().find(|s| p(s)))
}

/// Diagnoses `runs` (several from one log when it holds restarts).
pub fn diagnose(runs: &[TrainingRun], opts: &DiagnoseOptions) -> Diagnosis {
    let mut d = Diagnosis::default();
    let mut sources: Vec<&str> = runs.iter().map(|r| r.source.as_str()).collect();
    sources.dedup();
    for source in sources {
        let restarts: Vec<&TrainingRun> = runs.iter().filter(|r| r.source == source).collect();
        if restarts.len() > 1 {
            d.findings.push(Finding {
                id: "multiple_runs",
                severity: Severity::Warn,
                run: runs.iter().position(|r| r.source == source).unwrap_or(0),
                series: None,
                axis: "index",
                range: None,
                message: format!(
                    "{source} holds {} runs: the step or epoch count starts over {} time(s) (a restarted or appended log). Each run is diagnosed on its own; the last one is usually the one that produced the model.",
                    restarts.len(),
                    restarts.len() - 1
                ),
                worsened: false,
            });
        }
    }
    for (i, run) in runs.iter().enumerate() {
        diagnose_run(i, run, opts, &mut d.findings);
    }
    // When the eval loss and the eval metric disagree, the checkpoint is chosen by the metric,
    // as the disagreement finding advises (--metric loss chooses by the loss regardless).
    d.best_checkpoint = runs.iter().enumerate().rev().find_map(|(i, r)| {
        let disagree = d.findings.iter().any(|f| f.run == i && f.id == "loss_metric_disagreement");
        let by = match (&opts.metric, disagree) {
            (Some(m), _) => held_out_series(r, m),
            (None, true) => eval_metric(r, opts),
            (None, false) => eval_loss(r),
        };
        best_checkpoint(i, by?)
    });
    if let Some(b) = &d.best_checkpoint {
        let overfit = d
            .findings
            .iter()
            .any(|f| f.run == b.run && f.id == "overfitting" && f.series.as_deref() == Some(&b.series));
        // Noise cannot be estimated from a handful of evaluations: there, a last checkpoint 2%
        // worse than the best is worth saying; and one 50% worse always is.
        let short = b.evaluations < 8 && b.lost > 0.02 * b.value.abs();
        if b.lost > 2.0 * b.noise || short || b.lost > 0.5 * b.value.abs() || (overfit && b.lost > 0.0) {
            d.findings.push(Finding {
                id: "best_not_last",
                severity: Severity::Info,
                run: b.run,
                series: Some(b.series.clone()),
                axis: if b.step.is_some() { "step" } else { "epoch" },
                range: None,
                message: format!(
                    "The best checkpoint by {} is at {} ({}), not the last one ({} at {}): keeping the last costs {}.",
                    b.series,
                    label(b.step, b.epoch),
                    fmt(b.value),
                    fmt(b.last_value),
                    label(b.last_step, b.last_epoch),
                    fmt(b.lost)
                ),
                worsened: true,
            });
        }
    }
    // Healthy needs enough of a curve to judge: 5 training points and, if evaluated, 3 evals.
    let enough = runs.iter().any(|r| {
        let t = train_loss(r).map_or(0, |s| s.points.len());
        let e = eval_loss(r).map_or(3, |s| s.points.len());
        t >= 5 && e >= 3
    });
    // Nor is a run healthy when any finding says a curve got worse, whatever its severity.
    if !d.findings.iter().any(|f| f.severity >= Severity::Warn || f.worsened) && enough {
        d.findings.push(Finding {
            id: "healthy",
            severity: Severity::Info,
            run: runs.len().saturating_sub(1),
            series: None,
            axis: "index",
            range: None,
            message: "No warning signs: the loss fell and did not turn up, and no value is NaN or infinite.".into(),
            worsened: false,
        });
    }
    d.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    d
}

/// `point_label`, or words for a point with neither step nor epoch.
fn label(step: Option<u64>, epoch: Option<f64>) -> String {
    point_label(step, epoch).unwrap_or_else(|| "an unknown point".into())
}

fn diagnose_run(run_idx: usize, run: &TrainingRun, opts: &DiagnoseOptions, out: &mut Vec<Finding>) {
    let finding = |id, severity, c: Option<&Curve>, range: Option<(f64, f64)>, message: String| Finding {
        id,
        severity,
        run: run_idx,
        series: c.map(|c| c.name()),
        axis: c.map_or("index", |c| c.axis),
        range,
        message,
        worsened: WORSENING.contains(&id),
    };
    non_finite(run_idx, run, out);
    if !run.series.is_empty() && !run.series.iter().any(|s| s.split == Split::Eval || s.split == Split::Test) {
        out.push(finding(
            "no_eval_data",
            Severity::Warn,
            None,
            None,
            "Only training data was logged: whether the model generalises cannot be judged from this log. Log an evaluation set (e.g. eval_strategy=\"steps\" in the Hugging Face Trainer, validation_data in Keras).".into(),
        ));
    }
    let t_series = train_loss(run);
    let e_series = eval_loss(run);
    let pair: Vec<&Series> = [t_series, e_series].into_iter().flatten().collect();
    let axis = shared_axis(&pair);
    let raw_train = t_series.map(|s| Curve::new(s, axis));
    // Shapes are judged on at most MAX_POINTS bin medians; spikes on the raw points.
    let train = raw_train.as_ref().map(|t| t.binned(MAX_POINTS));
    let eval = e_series.map(|s| Curve::new(s, axis));
    if let Some(t) = train.as_ref().filter(|t| t.len() >= 5) {
        let mut verdict = train_shape(t, run, opts);
        // A plateau next to a near-zero loss says nothing new; and while the eval loss still
        // falls clearly over the same stretch, "more steps will not help" would be wrong.
        let low = verdict.iter().any(|v| v.0 == "suspiciously_low_loss");
        let eval_still_falling = eval.as_ref().is_some_and(|e| still_falling(e, t.x[t.len() * 7 / 10]));
        verdict.retain(|v| v.0 != "plateau" || !(low || eval_still_falling));
        for (id, severity, range, message) in verdict {
            out.push(finding(id, severity, Some(t), range, message));
        }
    }
    if let Some(raw) = raw_train.as_ref() {
        if let Some((count, worst, range, message)) = spikes(raw) {
            // Isolated spikes are bad batches, or the heavy tail of per-batch losses; a warning
            // only when several of them undo the training so far (rise above the first logged loss).
            let severity = if count > 3 && worst > raw.y[0] { Severity::Warn } else { Severity::Info };
            out.push(finding("spikes", severity, Some(raw), range, message));
        }
    }
    if let Some(e) = eval.as_ref().filter(|e| e.len() >= 3) {
        let rise = overfitting(e, train.as_ref());
        if let Some(rise) = &rise {
            let range = (e.x[rise.min_idx], e.x[e.len() - 1]);
            let disagree = eval_metric(run, opts).and_then(|m| disagreement(e, &Curve::new(m, axis)));
            let (id, severity, message) = match rise.train {
                TrainMeanwhile::Fell(a, b) => (
                    "overfitting",
                    Severity::Warn,
                    format!(
                        "{} while the training loss kept falling ({} → {}). The model started to overfit at {}{}",
                        rise.text,
                        fmt(a),
                        fmt(b),
                        e.at(rise.min_idx),
                        match (&disagree, eval_metric(run, opts)) {
                            (Some(_), Some(m)) => format!(
                                "; {}/{} still improved, so the loss and the metric disagree: keep the checkpoint {} chooses (see loss_metric_disagreement and the best checkpoint).",
                                m.split.as_str(),
                                m.name,
                                m.name
                            ),
                            _ => ": keep that checkpoint, or stop earlier / add regularisation.".to_string(),
                        }
                    ),
                ),
                TrainMeanwhile::Unknown => (
                    "overfitting",
                    Severity::Warn,
                    format!(
                        "{}. No training loss was logged, so overfitting cannot be told from instability; keep the checkpoint at {}.",
                        rise.text,
                        e.at(rise.min_idx)
                    ),
                ),
                TrainMeanwhile::Sparse(points, after) => (
                    "overfitting",
                    Severity::Warn,
                    format!(
                        "{}. The training loss has {points} logged point(s), {after} of them from the eval minimum on: too few to tell overfitting from instability; keep the checkpoint at {} and log the training loss more often (e.g. logging_steps).",
                        rise.text,
                        e.at(rise.min_idx)
                    ),
                ),
                TrainMeanwhile::DidNotFall(a, _) if let Some(peak) = train.as_ref().and_then(|t| rose_within(t, range, a)) => {
                    let lr = lr_context(run, axis, range);
                    (
                        "diverging",
                        Severity::Warn,
                        format!(
                            "{}; the training loss rose too ({} → {} at its highest){}. The model got worse on held-out data without fitting the training data better — instability, not overfitting. Keep the checkpoint at {}. {}",
                            rise.text,
                            fmt(a),
                            fmt(peak),
                            lr.0,
                            e.at(rise.min_idx),
                            lr.1
                        ),
                    )
                }
                TrainMeanwhile::DidNotFall(a, b) => (
                    "plateau",
                    Severity::Info,
                    format!(
                        "{} while the training loss stayed level ({} → {}): the run had converged and the eval loss drifted. The checkpoint at {} is the better one.",
                        rise.text,
                        fmt(a),
                        fmt(b),
                        e.at(rise.min_idx)
                    ),
                ),
            };
            // Every branch here reports a held-out loss that rose past its minimum (a drift too).
            out.push(Finding { worsened: true, ..finding(id, severity, Some(e), Some(range), message) });
            if let Some(msg) = disagree {
                out.push(finding("loss_metric_disagreement", Severity::Warn, Some(e), Some(range), msg));
            }
        } else if let Some((range, msg)) = eval_plateau(e, train.as_ref()) {
            out.push(finding("plateau", Severity::Info, Some(e), Some(range), msg));
        }
        if let Some(t) = &train {
            if let Some((severity, msg)) = train_above_eval(t, e) {
                out.push(finding("train_loss_above_eval", severity, Some(t), None, msg));
            }
        }
        if let Some((c, k, inferred)) = chance_level(run, opts) {
            let sigma = noise_sigma(&e.y);
            let (m, min) = argmin(&e.y);
            if min > c - (3.0 * sigma).max(0.05 * c) {
                out.push(finding(
                    "not_learning",
                    Severity::Fail,
                    Some(e),
                    Some((e.x[0], e.x[e.len() - 1])),
                    format!(
                        "The eval loss never got clearly below {}: its best was {} at {} ({} evaluations). The model does barely better than guessing on held-out data.",
                        chance_text(c, k, &inferred),
                        fmt(min),
                        e.at(m),
                        e.len()
                    ),
                ));
            }
        }
    }
    if let Some(m) = eval_metric(run, opts) {
        let c = Curve::new(m, axis);
        if c.len() >= 3 && c.y.iter().all(|&v| v == c.y[0]) {
            let loss_moved = eval.as_ref().map_or(false, |e| e.y.iter().any(|&v| v != e.y[0]));
            out.push(finding(
                "not_learning",
                Severity::Warn,
                Some(&c),
                Some((c.x[0], c.x[c.len() - 1])),
                format!(
                    "{}/{} is {} at all {} evaluations{}. The predictions never change what the metric counts — a tagger that predicts only O, a classifier that predicts one class — or the metric is computed wrongly. Look at a few predictions.",
                    m.split.as_str(),
                    m.name,
                    fmt(c.y[0]),
                    c.len(),
                    if loss_moved { " while the eval loss changed" } else { "" }
                ),
            ));
        }
    }
}

/// Whether the training loss rose clearly within `range` above its level `from` at the range's
/// start: by more than three times its noise at its highest (smoothed) point, which is returned.
fn rose_within(t: &Curve, range: (f64, f64), from: f64) -> Option<f64> {
    let smooth = rolling_median(&t.y, (t.len() / 20).max(1));
    let peak =
        t.x.iter()
            .zip(&smooth)
            .filter(|(x, _)| **x >= range.0 && **x <= range.1)
            .map(|(_, y)| *y)
            .fold(f64::NEG_INFINITY, f64::max);
    (peak > from + 3.0 * noise_sigma(&t.y)).then_some(peak)
}

/// Index and value of the smallest value.
fn argmin(y: &[f64]) -> (usize, f64) {
    y.iter().enumerate().fold((0, f64::INFINITY), |acc, (i, &v)| if v < acc.1 { (i, v) } else { acc })
}

/// The eval loss stopped improving over the last 30% of evaluations while the training loss
/// kept falling clearly: training on only fits the training set.
fn eval_plateau(e: &Curve, train: Option<&Curve>) -> Option<((f64, f64), String)> {
    let n = e.len();
    let t = train?;
    if n < 5 {
        return None;
    }
    let w0 = n - ((n as f64 * 0.3).ceil() as usize).max(2);
    let ly = log_scale(&e.y);
    let (b, best_before) = argmin(&ly[..w0]);
    let (_, best_in) = argmin(&ly[w0..]);
    let gain = best_before - best_in;
    let total = ly[0] - best_before.min(best_in);
    let noise = noise_sigma(&ly);
    if gain >= 2.0 * noise && gain >= 0.05 * total {
        return None;
    }
    if !still_falling(t, e.x[w0]) {
        return None;
    }
    let (ta, tb) = (t.interp(e.x[w0])?, *t.y.last()?);
    let best_late = e.y[w0..].iter().cloned().fold(f64::INFINITY, f64::min);
    let late = if best_late < e.y[b] {
        format!(
            "improved only to {} ({:+.1}%, under its noise or 5% of its whole improvement)",
            fmt(best_late),
            100.0 * (best_late - e.y[b]) / e.y[b].abs().max(f64::MIN_POSITIVE)
        )
    } else {
        format!("got no lower than {}", fmt(best_late))
    };
    Some((
        (e.x[b], e.x[n - 1]),
        format!(
            "The eval loss stopped improving: its best before the last 30% of training was {} at {}, and over the last {} evaluations it {late}, while the training loss kept falling ({} → {}). Training on only fits the training set: the checkpoint at {} is about as good, and stopping there saves the rest.",
            fmt(e.y[b]),
            e.at(b),
            n - w0,
            fmt(ta),
            fmt(tb),
            e.at(b)
        ),
    ))
}

/// Whether `c` falls clearly (by more than twice its noise) from `from_x` to its end.
fn still_falling(c: &Curve, from_x: f64) -> bool {
    let tail: Vec<f64> = c.x.iter().zip(&c.y).filter(|(x, _)| **x >= from_x).map(|(_, y)| *y).collect();
    if tail.len() < 2 {
        return false;
    }
    let noise = mad_sigma(&c.y.windows(3).map(|w| w[1] - (w[0] + w[2]) / 2.0).collect::<Vec<_>>());
    tail[0] - tail[tail.len() - 1] > 2.0 * noise && tail[tail.len() - 1] < tail[0]
}

/// NaN or infinite values in any series.
fn non_finite(run_idx: usize, run: &TrainingRun, out: &mut Vec<Finding>) {
    for s in &run.series {
        let bad: Vec<usize> = (0..s.points.len()).filter(|&i| !s.points[i].value.is_finite()).collect();
        let Some(&first) = bad.first() else { continue };
        let p = &s.points[first];
        // A non-finite loss is divergence; an occasional inf/NaN gradient norm with a finite
        // loss is usually a skipped fp16 step (the loss scaler backing off).
        let severity = if s.name.ends_with("loss") {
            Severity::Fail
        } else if bad.len() * 20 <= s.points.len().max(1) {
            Severity::Info
        } else {
            Severity::Warn
        };
        out.push(Finding {
            id: "non_finite",
            severity,
            run: run_idx,
            series: Some(format!("{}/{}", s.split.as_str(), s.name)),
            axis: if p.step.is_some() { "step" } else { "epoch" },
            range: p.step.map(|x| (x as f64, x as f64)).or(p.epoch.map(|e| (e, e))),
            message: format!(
                "{}/{} is {} at {} ({} of {} values are NaN or infinite){}",
                s.split.as_str(),
                s.name,
                p.value,
                label(p.step, p.epoch),
                bad.len(),
                s.points.len(),
                if severity == Severity::Info {
                    ": with a finite loss this is usually a step the fp16 loss scaler skipped, not divergence."
                } else {
                    ": training diverged numerically there — lower the learning rate, check for fp16 overflow, or clip gradients."
                }
            ),
            worsened: severity != Severity::Info,
        });
    }
}

type Verdict = (&'static str, Severity, Option<(f64, f64)>, String);

/// Diverging, not learning, plateau and suspiciously low loss, from the training loss.
fn train_shape(t: &Curve, run: &TrainingRun, opts: &DiagnoseOptions) -> Vec<Verdict> {
    let n = t.len();
    let y = &t.y;
    let sigma = noise_sigma(y);
    let start = head_median(y, 0.1, 3);
    let end = tail_median(y, 0.1, 3);
    let smooth = rolling_median(y, (n / 20).max(1));
    let (m_idx, m_val) =
        smooth.iter().enumerate().fold((0, f64::INFINITY), |acc, (i, &v)| if v < acc.1 { (i, v) } else { acc });
    let mut out = Vec::new();
    let span = (t.x[0], t.x[n - 1]);
    // Diverging: the loss ends clearly above its best, having given back much of its progress,
    // or explodes.
    let peak_after = y[m_idx..].iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let gave_back = end - m_val;
    if peak_after > 10.0 * start.max(m_val) && peak_after > m_val + 10.0 * sigma {
        let at = m_idx + y[m_idx..].iter().position(|&v| v == peak_after).unwrap_or(0);
        let lr = lr_context(run, t.axis, (t.x[m_idx], t.x[at]));
        out.push((
            "diverging",
            Severity::Fail,
            Some((t.x[m_idx], t.x[at])),
            format!(
                "The training loss exploded: from {} at {} to {} at {}{}. {}",
                fmt(m_val),
                t.at(m_idx),
                fmt(peak_after),
                t.at(at),
                lr.0,
                lr.1
            ),
        ));
    } else if gave_back > (3.0 * sigma).max(0.5 * (start - m_val)) && gave_back > 0.0 && m_idx < n * 9 / 10 {
        let lr = lr_context(run, t.axis, (t.x[m_idx], t.x[n - 1]));
        out.push((
            "diverging",
            Severity::Fail,
            Some((t.x[m_idx], t.x[n - 1])),
            format!(
                "The training loss turned up: its running median bottomed out at {} around {}, and its last 10% have a median of {} ({} above that, {:.1} times its noise of {}; last value {}){}. {}",
                fmt(m_val),
                t.at(m_idx),
                fmt(end),
                fmt(gave_back),
                (gave_back / sigma.max(f64::MIN_POSITIVE)).min(1e6),
                fmt(sigma),
                fmt(y[n - 1]),
                lr.0,
                lr.1
            ),
        ));
        return out;
    }
    if !out.iter().any(|v| v.0 == "diverging") {
        out.extend(warmup_rise(t, run, &smooth, sigma));
    }
    // Not learning: the loss never fell below its first values by more than the noise, or it
    // sits at chance level. (The first three points, not the first 10%: a loss can fall within
    // the first few logged steps.)
    let first = median(&y[..3.min(n)]);
    let drop = first.max(start) - m_val.min(end);
    let chance = chance_level(run, opts).filter(|(c, _, _)| (end - c).abs() < (3.0 * sigma).max(0.05 * c));
    let floor = 3.0 * sigma / ((0.1 * n as f64).max(3.0)).sqrt();
    let flat = drop <= floor.max(0.01 * first.abs());
    if flat || chance.is_some() {
        let (from, advice) = (
            first.max(start),
            "Check the learning rate, that labels match inputs, and that the weights are not frozen.",
        );
        // Said from what was detected: a loss that never fell (at chance level or not), or one
        // that fell, or moved within its noise, to chance level and stayed there.
        let values = format!("{} at the start, {} at the end (noise ±{})", fmt(from), fmt(end), fmt(sigma));
        let message = match &chance {
            None => format!("The training loss did not fall: {values}. {advice}"),
            Some((c, k, inferred)) => {
                let chance = chance_text(*c, *k, inferred);
                if flat {
                    format!("The training loss did not fall: {values}, at {chance}. {advice}")
                } else if from - end > 3.0 * sigma {
                    format!(
                        "The training loss fell from {} at the start to {} at the end (noise ±{}) but stopped at {chance}: the model does no better than guessing. {advice}",
                        fmt(from),
                        fmt(end),
                        fmt(sigma)
                    )
                } else {
                    format!(
                        "The training loss ends at {chance}: {values}; the model does no better than guessing. {advice}"
                    )
                }
            }
        };
        out.push(("not_learning", Severity::Fail, Some(span), message));
        return out;
    }
    // Plateau: the last 30% of training brought under 10% of the run's whole improvement on a
    // log scale, and lowered the loss by under 10% of its level. (A loss falling steadily as a
    // power of the step gains about 12% of its log-range in its last 30%; one that has levelled
    // off gains almost none.) Window medians, not single points, so noise does not decide.
    let w0 = n - ((n as f64 * 0.3).ceil() as usize).max(6).min(n);
    if n >= 12 {
        let ly = log_scale(y);
        let w = &ly[w0..];
        let gain = head_median(w, 0.3, 2) - tail_median(w, 0.3, 2);
        let total_gain = head_median(&ly, 0.1, 3) - tail_median(&ly, 0.1, 3);
        if gain < (0.1 * total_gain).min(-(0.9f64.ln())) {
            let (from, to) = (head_median(&y[w0..], 0.3, 2), tail_median(&y[w0..], 0.3, 2));
            let annealed = lr_decay(run).filter(|(peak, last)| *last <= 0.1 * peak);
            let advice = match annealed {
                Some((peak, last)) => format!(
                    "The learning rate had already decayed to {} (from a peak of {}): the loss has converged, and more steps will not change it.",
                    fmt(last),
                    fmt(peak)
                ),
                None => "More steps at this learning rate will not help; stop earlier or decay the learning rate.".into(),
            };
            out.push((
                "plateau",
                Severity::Info,
                Some((t.x[w0], t.x[n - 1])),
                format!(
                    "No meaningful improvement over the last 30% of training ({} to {}): the loss went from {} to {} ({:+.1}%), after falling from {} before. {advice}",
                    t.at(w0),
                    t.at(n - 1),
                    fmt(from),
                    fmt(to),
                    100.0 * (to - from) / from.abs().max(f64::MIN_POSITIVE),
                    fmt(start),
                ),
            ));
        }
    }
    // Near-zero training loss.
    if end < 1e-3 || end < 0.005 * start {
        out.push((
            "suspiciously_low_loss",
            Severity::Warn,
            Some(span),
            format!(
                "The training loss fell from {} (first logged value) to a median of {} over the last 10% of training: the model fits its training data almost perfectly. The task may be trivial, the labels may leak into the inputs, or the model memorises — check the eval loss and test for leakage (fteval leakage).",
                fmt(y[0]),
                fmt(end)
            ),
        ));
    }
    out
}

/// A training loss that climbed while the learning rate warmed up and came back down later:
/// the largest rise of the smoothed loss (`smooth`) above its running minimum — by more than
/// three times the loss's noise (`sigma`) and 10% of that minimum — during which the logged
/// learning rate grew by half or more. (A rise that does not come back is `diverging`.)
fn warmup_rise(t: &Curve, run: &TrainingRun, smooth: &[f64], sigma: f64) -> Option<Verdict> {
    let lr = learning_rate(run).filter(|c| c.axis == t.axis)?;
    let (mut lo, mut best) = (0usize, None::<(usize, usize, f64)>);
    for i in 1..smooth.len() {
        if smooth[i] < smooth[lo] {
            lo = i;
        }
        let rise = smooth[i] - smooth[lo];
        if best.is_none_or(|(_, _, r)| rise > r) {
            best = Some((lo, i, rise));
        }
    }
    let (from, to, rise) = best?;
    let min = smooth[from];
    if rise <= (3.0 * sigma).max(0.1 * min.abs()) || to <= from {
        return None;
    }
    let at = |x: f64| lr.interp(x).or_else(|| if x < lr.x[0] { lr.y.first().copied() } else { lr.y.last().copied() });
    let (a, b) = (at(t.x[from])?, at(t.x[to])?);
    if b <= 1.5 * a || b <= 0.0 {
        return None;
    }
    let peak_lr = lr.y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let end = *smooth.last()?;
    Some((
        "warmup_instability",
        Severity::Warn,
        Some((t.x[from], t.x[to])),
        format!(
            "The training loss rose from {} at {} to {} at {} (+{:.0}%, smoothed) while the learning rate warmed up from {} to {} (its peak is {}); it was {} at the end. A loss that climbs during warm-up means the peak learning rate is at the edge of stability for this model, and what was learned before may be lost: lower the peak or lengthen the warm-up.",
            fmt(min),
            t.at(from),
            fmt(smooth[to]),
            t.at(to),
            100.0 * rise / min.abs().max(f64::MIN_POSITIVE),
            fmt(a),
            fmt(b),
            fmt(peak_lr),
            fmt(end)
        ),
    ))
}

/// Isolated upward jumps: a point above both neighbours by far more than the spread around the
/// local level (8 robust standard deviations), by at least a quarter of that level and by more
/// than three of the log's rounding steps. A
/// regular saw-tooth widens the local spread; the first 10% of training, where the loss falls
/// fast and unevenly, is not judged.
fn spikes(t: &Curve) -> Option<(usize, f64, Option<(f64, f64)>, String)> {
    let n = t.len();
    if n < 20 {
        return None;
    }
    let y = &t.y;
    let h = (n / 50).clamp(2, SPIKE_WINDOW);
    let base = neighbour_median(y, h);
    let resid: Vec<f64> = y.iter().zip(&base).map(|(v, b)| v - b).collect();
    let skip = n / 10;
    let height = |i: usize| y[i] - y[i - 1].max(y[i + 1]);
    // Logs often round the loss (to 4 decimals in the Hugging Face Trainer): a jump of one or
    // two rounding steps at a tiny loss is not a spike.
    let quantum = y.windows(2).map(|w| (w[1] - w[0]).abs()).filter(|d| *d > 0.0).fold(f64::INFINITY, f64::min);
    // The spread around the local level, from the residuals of the points around i (i left
    // out): a stretch with a regular saw-tooth has a wide local spread, a quiet one a narrow one.
    let local_sigma = |i: usize| {
        let lo = i.saturating_sub(2 * h);
        let hi = (i + 2 * h + 1).min(n);
        let around: Vec<f64> = resid[lo..i].iter().chain(&resid[i + 1..hi]).copied().collect();
        mad_sigma(&around)
    };
    let spikes: Vec<usize> = (skip.max(1)..n - 1)
        .filter(|&i| {
            height(i) > (0.25 * base[i].abs()).max(3.0 * quantum) && {
                let sigma = local_sigma(i);
                sigma > 0.0 && height(i) > 8.0 * sigma
            }
        })
        .collect();
    let worst = *spikes.iter().max_by(|&&a, &&b| height(a).total_cmp(&height(b)))?;
    Some((
        spikes.len(),
        y[worst],
        Some((t.x[spikes[0]], t.x[*spikes.last()?])),
        format!(
            "{} isolated spike(s) in the training loss after the first 10% of training, the largest {} at {} against a local level of {}. Occasional spikes are bad batches or the heavy tail of per-batch losses; many that climb above the starting loss suggest a learning rate at the edge of stability.",
            spikes.len(),
            fmt(y[worst]),
            t.at(worst),
            fmt(base[worst]),
        ),
    ))
}

/// What the training loss did while the eval loss rose.
enum TrainMeanwhile {
    Fell(f64, f64),
    DidNotFall(f64, f64),
    /// A training loss too sparse to say: its points in all, and how many fall at or after the
    /// eval minimum.
    Sparse(usize, usize),
    /// No training loss in the log at all.
    Unknown,
}

/// A clear rise of the eval loss past its minimum.
struct EvalRise {
    min_idx: usize,
    /// "The eval loss reached its minimum … and rose to … by …".
    text: String,
    train: TrainMeanwhile,
}

/// Eval loss past its minimum, risen clearly: by more than three times its noise (and a small
/// share of its range) at its end, and above that at two evaluations or by twice as much; or,
/// while the training loss keeps falling, well above its minimum at most of its last
/// evaluations, whatever the very last one did (a noisy eval loss dips back now and then while
/// its level stays up); or, on a short curve, rising at every evaluation after the minimum.
fn overfitting(e: &Curve, train: Option<&Curve>) -> Option<EvalRise> {
    let n = e.len();
    let (m, min) = argmin(&e.y);
    if m + 1 >= n {
        return None;
    }
    let last = e.y[n - 1];
    let rise = last - min;
    let threshold = rise_threshold(&e.y, min);
    let after = &e.y[m + 1..];
    let after_above = after.iter().filter(|&&v| v > min + threshold).count();
    // A single evaluation past the minimum of a short curve is not yet a trend (best_not_last
    // says that the last checkpoint is worse); two that each rise further are.
    let steady = n < 8 && after.len() >= 2 && after.windows(2).all(|w| w[1] > w[0]) && after[0] > min;
    let clear = rise > threshold && (after_above >= 2 || (n >= 8 && rise > 2.0 * threshold) || steady);
    // A level held above the minimum counts only while the training loss keeps falling: that is
    // overfitting; with a level training loss, a noisy eval loss that sits above one lucky dip
    // is not worth a finding.
    let meanwhile = train_meanwhile(train, e.x[m], e.x[n - 1]);
    let late = sustained_rise(&e.y, m, min).filter(|_| matches!(meanwhile, TrainMeanwhile::Fell(..)));
    if !clear && late.is_none() {
        return None;
    }
    let pct = |v: f64| 100.0 * (v - min) / min.abs().max(f64::MIN_POSITIVE);
    let head =
        format!("The {} {} reached its minimum {} at {}", e.series.split.as_str(), e.series.name, fmt(min), e.at(m));
    let text = match late {
        Some((above, window, lo, hi)) if !clear || above < window => format!(
            "{head}, and {above} of the last {window} evaluations are {:.0}–{:.0}% above it (the last, {} at {}, is {:+.1}%)",
            pct(lo),
            pct(hi),
            fmt(last),
            e.at(n - 1),
            pct(last)
        ),
        _ => format!("{head} and rose to {} (+{:.1}%) by {}", fmt(last), pct(last), e.at(n - 1)),
    };
    Some(EvalRise { min_idx: m, text, train: meanwhile })
}

/// How far above its minimum a held-out loss must rise to count: under 8 evaluations the noise
/// cannot be estimated (the trend dominates any spread), so 10% of the minimum; else three
/// times its noise, at least 2% of its fall and 1% of its level.
fn rise_threshold(y: &[f64], min: f64) -> f64 {
    if y.len() < 8 {
        return 0.1 * min.abs();
    }
    let resid: Vec<f64> = y.iter().zip(rolling_median(y, 1)).map(|(v, s)| v - s).collect();
    let sigma = mad_sigma(&resid).max(noise_sigma(y) * 0.5);
    (3.0 * sigma).max(0.02 * (y[0] - min).abs()).max(0.01 * min.abs())
}

/// The last evaluations after the minimum `min` at `m` (the last 30%, at least 3 of them) when
/// their level stays well above it: their median exceeds the minimum by more than three times
/// their own spread (a level that only wobbles around the minimum's does not), by 10% of the
/// minimum and by 2% of the curve's fall, and more than half of them — at least 3 — are 10%
/// above it. Returns how many are, of how many, and the lowest and highest of those.
fn sustained_rise(y: &[f64], m: usize, min: f64) -> Option<(usize, usize, f64, f64)> {
    let n = y.len();
    let window = ((n as f64 * 0.3).ceil() as usize).max(3).min(n - m - 1);
    if window < 3 {
        return None;
    }
    let late = &y[n - window..];
    let floor = 0.1 * min.abs();
    let needed = (3.0 * mad_sigma(late)).max(floor).max(0.02 * (y[0] - min).abs());
    if median(late) - min <= needed {
        return None;
    }
    let above: Vec<f64> = late.iter().copied().filter(|&v| v > min + floor).collect();
    if above.len() < 3 || 2 * above.len() <= window {
        return None;
    }
    let lo = above.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = above.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((above.len(), window, lo, hi))
}

/// What the training loss did from `from` (the eval minimum) to `to` (the last evaluation):
/// its values there, from its nearest points where it was not logged at exactly those x.
fn train_meanwhile(train: Option<&Curve>, from: f64, to: f64) -> TrainMeanwhile {
    let Some(t) = train else { return TrainMeanwhile::Unknown };
    let after = t.x.iter().filter(|&&x| x >= from).count();
    if t.len() < 2 || after == 0 {
        return TrainMeanwhile::Sparse(t.len(), after);
    }
    let at = |x: f64| t.interp(x).unwrap_or(if x < t.x[0] { t.y[0] } else { t.y[t.len() - 1] });
    let (a, b) = (at(from), at(to));
    if b < a {
        TrainMeanwhile::Fell(a, b)
    } else {
        TrainMeanwhile::DidNotFall(a, b)
    }
}

/// Eval loss rising while the eval metric still improves.
fn disagreement(e: &Curve, metric: &Curve) -> Option<String> {
    let n = e.len();
    let (m, _) = e.y.iter().enumerate().fold((0, f64::INFINITY), |acc, (i, &v)| if v < acc.1 { (i, v) } else { acc });
    let higher = !lower_is_better(&metric.series.name);
    let at_min = metric.interp(e.x[m])?;
    let last = *metric.y.last()?;
    let gain = if higher { last - at_min } else { at_min - last };
    let sigma = noise_sigma(&metric.y).max(1e-12);
    (gain > 2.0 * sigma && gain > 0.0).then(|| {
        format!(
            "The {} loss rose after {} while {} {} still improved ({} → {}). The loss also punishes confident mistakes, so a model can grow over-confident on its errors while getting more examples right. To choose a checkpoint, trust the metric you will report ({}); watch calibration if probabilities are used.",
            e.series.split.as_str(),
            e.at(m),
            metric.series.split.as_str(),
            metric.series.name,
            fmt(at_min),
            fmt(last),
            metric.series.name
        )
    })
    .filter(|_| n >= 3)
}

/// Train loss far above eval loss for most of the run: above by more than three times the
/// training loss's late noise (the early steep part would inflate it) and by at least 10%,
/// compared as ratios. A gap under 2× is the usual effect of dropout and augmentation:
/// information only.
fn train_above_eval(t: &Curve, e: &Curve) -> Option<(Severity, String)> {
    let ly = log_scale(&t.y);
    let sigma = noise_sigma(&ly[t.len() / 2..]);
    let smooth = Curve {
        series: t.series,
        axis: t.axis,
        x: t.x.clone(),
        y: rolling_median(&t.y, (t.len() / 20).max(1)),
        idx: t.idx.clone(),
    };
    let ratios: Vec<f64> =
        e.x.iter()
            .zip(&e.y)
            .filter_map(|(&x, &ev)| smooth.interp(x).filter(|tv| *tv > 0.0 && ev > 0.0).map(|tv| tv / ev))
            .collect();
    if ratios.len() < 3 {
        return None;
    }
    let above = ratios.iter().filter(|r| r.ln() > (3.0 * sigma).max(1.1f64.ln())).count();
    if (above as f64) < 0.7 * ratios.len() as f64 {
        return None;
    }
    let ratio = median(&ratios);
    let severity = if ratio >= 2.0 { Severity::Warn } else { Severity::Info };
    Some((
        severity,
        format!(
            "The training loss is above the eval loss at {above} of {} evaluations (typically {:.2}×). {}",
            ratios.len(),
            ratio,
            if severity == Severity::Warn {
                "A gap this large is usually a loss logged with different scaling (summed vs averaged, gradient accumulation, label smoothing only in training), an easier or overlapping eval set, or heavy augmentation — check before comparing them."
            } else {
                "A gap this small is the usual effect of dropout or augmentation, active only in training."
            }
        ),
    ))
}

/// The eval point with the best `--metric` (or the lowest eval loss).
fn best_checkpoint(run_idx: usize, series: &Series) -> Option<BestCheckpoint> {
    let higher = !lower_is_better(&series.name);
    let finite: Vec<usize> = (0..series.points.len()).filter(|&i| series.points[i].value.is_finite()).collect();
    let last = *finite.last()?;
    let best = finite.iter().copied().fold(finite[0], |b, i| {
        let (v, bv) = (series.points[i].value, series.points[b].value);
        if (higher && v > bv) || (!higher && v < bv) {
            i
        } else {
            b
        }
    });
    let (bp, lp) = (&series.points[best], &series.points[last]);
    Some(BestCheckpoint {
        run: run_idx,
        series: format!("{}/{}", series.split.as_str(), series.name),
        higher_is_better: higher,
        step: bp.step,
        epoch: bp.epoch,
        value: bp.value,
        last_step: lp.step,
        last_epoch: lp.epoch,
        last_value: lp.value,
        lost: (bp.value - lp.value).abs(),
        noise: noise_sigma(&finite.iter().map(|&i| series.points[i].value).collect::<Vec<_>>()),
        evaluations: finite.len(),
    })
}

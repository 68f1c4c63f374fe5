//! Synthetic training logs of known shapes, and what the diagnosis must say about each.

use super::*;
use crate::checks::Severity;
use crate::stats::rng::Rng;

fn series(name: &str, split: Split, steps: &[u64], values: &[f64]) -> Series {
    let points = steps
        .iter()
        .zip(values)
        .map(|(&s, &v)| Point { step: Some(s), epoch: Some(s as f64 / 100.0), value: v })
        .collect();
    Series { name: name.into(), split, per_epoch: false, points }
}

/// Train loss at steps 10, 20, …, 10·n: `f(t)` (t in [0, 1]) plus Gaussian-ish noise.
fn train(rng: &mut Rng, n: usize, noise: f64, f: impl Fn(f64) -> f64) -> Series {
    let steps: Vec<u64> = (1..=n as u64).map(|i| 10 * i).collect();
    let values: Vec<f64> = (0..n)
        .map(|i| {
            let t = i as f64 / (n - 1) as f64;
            let z: f64 = (0..4).map(|_| rng.uniform() - 0.5).sum::<f64>();
            f(t) + noise * z
        })
        .collect();
    series("loss", Split::Train, &steps, &values)
}

/// Eval values at `k` evenly spaced steps over the same range.
fn eval(name: &str, n: usize, k: usize, f: impl Fn(f64) -> f64) -> Series {
    let steps: Vec<u64> = (1..=k as u64).map(|j| (10 * n as u64 * j) / k as u64).collect();
    let values: Vec<f64> = (1..=k).map(|j| f(j as f64 / k as f64)).collect();
    series(name, Split::Eval, &steps, &values)
}

fn run(series: Vec<Series>) -> TrainingRun {
    TrainingRun { source: "log.json".into(), format: "test".into(), restart: 0, series, notes: Vec::new() }
}

fn ids(d: &Diagnosis) -> Vec<&'static str> {
    d.findings.iter().map(|f| f.id).collect()
}

#[test]
fn healthy_run() {
    let mut rng = Rng::new(1, 0);
    let r = run(vec![train(&mut rng, 200, 0.02, |t| 2.0 - 1.2 * t), eval("loss", 200, 8, |t| 1.9 - 1.0 * t)]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert_eq!(ids(&d), vec!["healthy"], "{:?}", d.findings);
    let b = d.best_checkpoint.clone().unwrap();
    assert_eq!((b.step, b.lost), (Some(2000), 0.0));
}

#[test]
fn overfitting_and_best_checkpoint() {
    let mut rng = Rng::new(2, 0);
    let r = run(vec![
        train(&mut rng, 300, 0.02, |t| 2.0 * (-3.0 * t).exp()),
        // Eval loss falls to its minimum at 40% of training, then climbs.
        eval("loss", 300, 10, |t| 0.6 + 2.0 * (t - 0.4) * (t - 0.4)),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = d.findings.iter().find(|f| f.id == "overfitting").unwrap_or_else(|| panic!("{:?}", d.findings));
    assert_eq!(f.series.as_deref(), Some("eval/loss"));
    assert_eq!(f.range, Some((1200.0, 3000.0)));
    assert!(f.message.contains("step 1200") && f.message.contains("kept falling"), "{}", f.message);
    let b = d.best_checkpoint.clone().unwrap();
    assert_eq!(b.step, Some(1200));
    assert!((b.lost - 0.72).abs() < 1e-9);
    assert!(ids(&d).contains(&"best_not_last"));
    assert!(!ids(&d).contains(&"healthy"));
}

#[test]
fn diverging_and_exploding() {
    let mut rng = Rng::new(3, 0);
    let r = run(vec![train(&mut rng, 200, 0.02, |t| if t < 0.5 { 2.0 - 2.0 * t } else { 1.0 + 3.0 * (t - 0.5) })]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(ids(&d).contains(&"diverging"), "{:?}", d.findings);
    let f = d.findings.iter().find(|f| f.id == "diverging").unwrap();
    assert_eq!(f.severity, Severity::Fail);
    let r = run(vec![train(&mut rng, 100, 0.01, |t| if t < 0.9 { 1.0 - 0.5 * t } else { 80.0 })]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(d.findings.iter().any(|f| f.id == "diverging" && f.message.contains("exploded")), "{:?}", d.findings);
}

#[test]
fn not_learning_and_chance_level() {
    let mut rng = Rng::new(4, 0);
    let r = run(vec![train(&mut rng, 150, 0.05, |_| 1.1), eval("loss", 150, 5, |_| 1.1)]);
    let d = diagnose(std::slice::from_ref(&r), &DiagnoseOptions::default());
    assert!(ids(&d).contains(&"not_learning"), "{:?}", d.findings);
    // Falling a little, but ending at ln(3): chance level for 3 classes.
    let r = run(vec![train(&mut rng, 150, 0.01, |t| 1.3 - 0.2 * t), eval("loss", 150, 5, |_| 1.1)]);
    let d = diagnose(&[r], &DiagnoseOptions { classes: Some(3), ..Default::default() });
    let f = d.findings.iter().find(|f| f.id == "not_learning").unwrap_or_else(|| panic!("{:?}", d.findings));
    assert!(f.message.contains("chance"), "{}", f.message);
}

#[test]
fn plateau() {
    let mut rng = Rng::new(5, 0);
    let r = run(vec![
        train(&mut rng, 300, 0.03, |t| if t < 0.5 { 2.0 - 2.4 * t } else { 0.8 }),
        eval("loss", 300, 10, |t| if t < 0.5 { 2.0 - 2.2 * t } else { 0.9 }),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(ids(&d).contains(&"plateau"), "{:?}", d.findings);
    assert!(!ids(&d).contains(&"not_learning") && !ids(&d).contains(&"diverging"));
}

#[test]
fn spikes_but_not_a_saw_tooth() {
    let mut rng = Rng::new(6, 0);
    let mut t = train(&mut rng, 400, 0.01, |t| 2.0 - t);
    t.points[150].value += 3.0;
    t.points[300].value += 2.0;
    let d = diagnose(&[run(vec![t, eval("loss", 400, 8, |t| 1.9 - 0.9 * t)])], &DiagnoseOptions::default());
    let f = d.findings.iter().find(|f| f.id == "spikes").unwrap_or_else(|| panic!("{:?}", d.findings));
    assert!(f.message.starts_with("2 isolated"), "{}", f.message);
    // Length-grouped batching: a regular saw-tooth of ±0.3, no spikes.
    let mut saw = train(&mut rng, 400, 0.0, |t| 2.0 - t);
    for (i, p) in saw.points.iter_mut().enumerate() {
        p.value += [0.3, 0.1, -0.1, -0.3][i % 4];
    }
    let d = diagnose(&[run(vec![saw, eval("loss", 400, 8, |t| 1.9 - 0.9 * t)])], &DiagnoseOptions::default());
    assert!(!ids(&d).contains(&"spikes"), "{:?}", d.findings);
}

#[test]
fn non_finite_no_eval_and_low_loss() {
    let mut rng = Rng::new(7, 0);
    let mut t = train(&mut rng, 100, 0.0, |t| 0.5 * (-8.0 * t).exp());
    t.points[99].value = f64::NAN;
    let d = diagnose(&[run(vec![t])], &DiagnoseOptions::default());
    let got = ids(&d);
    assert!(got.contains(&"non_finite") && got.contains(&"no_eval_data"), "{got:?}");
    assert_eq!(d.findings[0].severity, Severity::Fail);
    let t = train(&mut rng, 100, 0.0, |t| 2.0 * (-12.0 * t).exp());
    let d = diagnose(&[run(vec![t, eval("loss", 100, 5, |t| 0.5 - 0.1 * t)])], &DiagnoseOptions::default());
    assert!(ids(&d).contains(&"suspiciously_low_loss"), "{:?}", d.findings);
}

#[test]
fn loss_metric_disagreement_and_train_above_eval() {
    let mut rng = Rng::new(8, 0);
    let r = run(vec![
        // Train loss logged at about twice the eval loss all along (e.g. summed over 2 tokens).
        train(&mut rng, 200, 0.01, |t| 2.5 - t),
        eval("loss", 200, 8, |t| 0.5 + (t - 0.3).abs() * 0.6),
        eval("accuracy", 200, 8, |t| 0.7 + 0.2 * t),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let got = ids(&d);
    assert!(got.contains(&"loss_metric_disagreement"), "{got:?}");
    assert!(got.contains(&"train_loss_above_eval"), "{got:?}");
    // With --metric accuracy, the best checkpoint is the last.
    let r = run(vec![
        train(&mut rng, 200, 0.01, |t| 1.5 - t),
        eval("loss", 200, 8, |t| 0.5 + (t - 0.3).abs() * 0.6),
        eval("accuracy", 200, 8, |t| 0.7 + 0.2 * t),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions { metric: Some("accuracy".into()), ..Default::default() });
    let b = d.best_checkpoint.clone().unwrap();
    assert_eq!((b.series.as_str(), b.lost, b.higher_is_better), ("eval/accuracy", 0.0, true));
}

#[test]
fn multiple_runs_in_one_log() {
    let mut rng = Rng::new(9, 0);
    let a = run(vec![train(&mut rng, 50, 0.01, |t| 2.0 - t), eval("loss", 50, 5, |t| 1.9 - t)]);
    let mut b = a.clone();
    b.restart = 1;
    let d = diagnose(&[a, b], &DiagnoseOptions::default());
    assert!(ids(&d).contains(&"multiple_runs"), "{:?}", d.findings);
}

#[test]
fn no_plateau_while_the_eval_loss_still_falls() {
    let mut rng = Rng::new(10, 0);
    let r = run(vec![
        train(&mut rng, 300, 0.03, |t| if t < 0.5 { 2.0 - 2.4 * t } else { 0.8 }),
        // The eval loss keeps improving to the end.
        eval("loss", 300, 10, |t| 1.5 - 0.7 * t),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(!ids(&d).contains(&"plateau"), "{:?}", d.findings);
}

fn lr(n: usize, f: impl Fn(f64) -> f64) -> Series {
    let steps: Vec<u64> = (1..=n as u64).map(|i| 10 * i).collect();
    let values: Vec<f64> = (0..n).map(|i| f(i as f64 / (n - 1) as f64)).collect();
    series("learning_rate", Split::Train, &steps, &values)
}

fn find<'a>(d: &'a Diagnosis, id: &str, series: &str) -> &'a Finding {
    d.findings
        .iter()
        .find(|f| f.id == id && f.series.as_deref() == Some(series))
        .unwrap_or_else(|| panic!("no {id} on {series}: {:?}", d.findings))
}

#[test]
fn eval_metric_that_never_moves() {
    let mut rng = Rng::new(11, 0);
    let r = run(vec![
        train(&mut rng, 100, 0.01, |t| 2.0 - t),
        eval("loss", 100, 10, |t| 1.9 - 0.8 * t),
        eval("f1", 100, 10, |_| 0.0),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "not_learning", "eval/f1");
    assert!(f.message.contains("at all 10 evaluations while the eval loss changed"), "{}", f.message);
}

#[test]
fn chance_level_inferred_for_a_classifier() {
    let mut rng = Rng::new(12, 0);
    let classifier = |rng: &mut Rng| {
        vec![
            train(rng, 100, 0.01, |t| 0.70 - 0.03 * t),
            eval("loss", 100, 10, |t| 0.69 - 0.02 * t),
            eval("accuracy", 100, 10, |t| 0.55 + 0.05 * t),
        ]
    };
    let d = diagnose(&[run(classifier(&mut rng))], &DiagnoseOptions::default());
    let f = find(&d, "not_learning", "eval/loss");
    assert!(f.message.contains("ln 2") && f.message.contains("inferred"), "{}", f.message);
    // Without an accuracy series the run may not be a classifier: nothing is inferred.
    let mut s = classifier(&mut rng);
    s.pop();
    let d = diagnose(&[run(s)], &DiagnoseOptions::default());
    assert!(!d.findings.iter().any(|f| f.message.contains("chance")), "{:?}", d.findings);
}

#[test]
fn eval_plateau_while_the_training_loss_falls() {
    let mut rng = Rng::new(13, 0);
    let r = run(vec![
        train(&mut rng, 300, 0.01, |t| 2.0 - 1.5 * t),
        // Best at 60% of training, level (within noise) afterwards.
        eval("loss", 300, 20, |t| if t < 0.6 { 1.9 - t } else { 0.9 + 0.001 * ((t * 40.0).sin()) }),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "plateau", "eval/loss");
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("stopped improving") && f.message.contains("kept falling"), "{}", f.message);
}

#[test]
fn eval_loss_rising_with_the_training_loss_in_warm_up_is_diverging() {
    let mut rng = Rng::new(14, 0);
    let r = run(vec![
        // The loss falls while the learning rate is small, then climbs as it warms up.
        train(&mut rng, 200, 0.005, |t| if t < 0.2 { 1.0 - 4.0 * t } else { 0.2 + (t - 0.2) }),
        eval("loss", 200, 8, |t| 0.3 + 0.6 * (t - 0.25).abs()),
        lr(200, |t| 1e-5 + 1e-4 * t),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "diverging", "eval/loss");
    assert!(f.message.contains("rose too") && f.message.contains("warm-up"), "{}", f.message);
    assert!(!ids(&d).contains(&"overfitting"), "{:?}", d.findings);
}

#[test]
fn loss_rising_while_the_learning_rate_decays_points_at_the_data() {
    let mut rng = Rng::new(15, 0);
    let r = run(vec![
        train(&mut rng, 200, 0.0005, |t| if t < 0.3 { 0.03 - 0.09 * t } else { 0.003 + 0.03 * (t - 0.3) }),
        lr(200, |t| 5e-5 * (1.0 - t)),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "diverging", "train/loss");
    assert!(f.message.contains("learning rate fell") && f.message.contains("data order"), "{}", f.message);
}

#[test]
fn plateau_is_judged_relative_to_the_level_and_says_converged_after_decay() {
    let mut rng = Rng::new(16, 0);
    // A power-law loss still falls about 25% over its last 30%: not a plateau.
    let r =
        run(vec![train(&mut rng, 300, 0.0, |t| 0.1 * (t + 0.01).powf(-0.8)), eval("loss", 300, 10, |t| 0.3 - 0.1 * t)]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(!ids(&d).contains(&"plateau"), "{:?}", d.findings);
    // Levelled off with the learning rate decayed 100×: converged.
    let r = run(vec![
        train(&mut rng, 300, 0.01, |t| 0.5 + 1.5 * (-12.0 * t).exp()),
        eval("loss", 300, 10, |t| 0.6 + 1.4 * (-12.0 * t).exp()),
        lr(300, |t| 1e-4 * (1.0 - 0.99 * t)),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "plateau", "train/loss");
    assert!(f.message.contains("converged"), "{}", f.message);
}

#[test]
fn test_split_stands_in_for_a_missing_eval_split() {
    let mut rng = Rng::new(17, 0);
    let mut test = eval("loss", 300, 10, |t| 0.6 + 2.0 * (t - 0.4) * (t - 0.4));
    test.split = Split::Test;
    let r = run(vec![train(&mut rng, 300, 0.02, |t| 2.0 * (-3.0 * t).exp()), test]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    find(&d, "overfitting", "test/loss");
    assert_eq!(d.best_checkpoint.unwrap().series, "test/loss");
}

#[test]
fn train_above_eval_severity_follows_the_size_of_the_gap() {
    let mut rng = Rng::new(18, 0);
    for (factor, severity) in [(1.25, Severity::Info), (3.0, Severity::Warn)] {
        let r = run(vec![
            train(&mut rng, 200, 0.002, |t| factor * (1.0 - 0.5 * t)),
            eval("loss", 200, 8, |t| 1.0 - 0.5 * t),
        ]);
        let d = diagnose(&[r], &DiagnoseOptions::default());
        assert_eq!(find(&d, "train_loss_above_eval", "train/loss").severity, severity, "{factor}×");
    }
}

#[test]
fn spikes_late_at_a_low_loss_count_and_early_ones_do_not() {
    let mut rng = Rng::new(19, 0);
    let mut t = train(&mut rng, 400, 0.0005, |t| 2.0 * (-6.0 * t).exp());
    t.points[10].value += 1.0; // in the first 10%: the fast early descent is not judged
    t.points[350].value += 0.05; // a visible jump above a loss of about 0.01
    let d = diagnose(&[run(vec![t, eval("loss", 400, 8, |t| 1.9 - 0.9 * t)])], &DiagnoseOptions::default());
    let f = find(&d, "spikes", "train/loss");
    assert!(f.message.starts_with("1 isolated") && f.message.contains("step 3510"), "{}", f.message);
    assert_eq!(f.severity, Severity::Info);
    // A period-2 alternation (epoch-boundary effect) in one stretch is no spike.
    let mut alt = train(&mut rng, 400, 0.0005, |t| 1.0 - 0.5 * t);
    for (i, p) in alt.points.iter_mut().enumerate().skip(200).take(100) {
        p.value += if i % 2 == 0 { 0.1 } else { 0.0 };
    }
    let d = diagnose(&[run(vec![alt, eval("loss", 400, 8, |t| 1.9 - 0.9 * t)])], &DiagnoseOptions::default());
    assert!(!ids(&d).contains(&"spikes"), "{:?}", d.findings);
}

#[test]
fn disagreement_chooses_the_checkpoint_by_the_metric() {
    let mut rng = Rng::new(20, 0);
    let r = run(vec![
        train(&mut rng, 200, 0.01, |t| 1.5 - t),
        eval("loss", 200, 10, |t| 0.5 + (t - 0.3).abs() * 0.6),
        eval("f1", 200, 10, |t| 0.6 + 0.3 * t - 0.5 * (t - 0.8).max(0.0)),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(ids(&d).contains(&"loss_metric_disagreement"), "{:?}", d.findings);
    let b = d.best_checkpoint.unwrap();
    // F1 peaks at 80% of training (step 1600), not where the loss bottoms out (step 600).
    assert_eq!((b.series.as_str(), b.step), ("eval/f1", Some(1600)));
}

#[test]
fn short_eval_curves_need_two_points_past_the_minimum() {
    let mut rng = Rng::new(21, 0);
    // Five evaluations, the last one 20% above the minimum: the last checkpoint is worse, but
    // one point is not yet overfitting.
    let values = [0.23, 0.18, 0.15, 0.127, 0.152];
    let e = series("loss", Split::Eval, &[40, 80, 120, 160, 200], &values);
    let d = diagnose(&[run(vec![train(&mut rng, 20, 0.001, |t| 0.3 - 0.2 * t), e])], &DiagnoseOptions::default());
    assert!(!ids(&d).contains(&"overfitting"), "{:?}", d.findings);
    find(&d, "best_not_last", "eval/loss");
    // Two points 10% above the minimum while the train loss falls: overfitting.
    let values = [0.16, 0.10, 0.053, 0.085, 0.071];
    let e = series("loss", Split::Eval, &[40, 80, 120, 160, 200], &values);
    let d = diagnose(&[run(vec![train(&mut rng, 20, 0.001, |t| 0.6 - 0.55 * t), e])], &DiagnoseOptions::default());
    let f = find(&d, "overfitting", "eval/loss");
    assert!(f.message.contains("step 120"), "{}", f.message);
}

#[test]
fn eval_loss_held_well_above_its_minimum_at_most_late_evaluations_is_overfitting() {
    let mut rng = Rng::new(22, 0);
    // 20 evaluations: down to 0.20 at the 8th, then 37–51% above it at most of the last ones,
    // with dips back to the minimum's level — the last evaluation among them.
    let mut values: Vec<f64> = (0..8).map(|j| 0.9 - 0.1 * j as f64).collect();
    values.extend([0.25, 0.27, 0.24, 0.26, 0.28, 0.302, 0.21, 0.29, 0.274, 0.295, 0.282, 0.205]);
    let steps: Vec<u64> = (1..=20).map(|j| 100 * j).collect();
    let f1: Vec<f64> = (0..20).map(|j| 0.5 + 0.02 * j as f64).collect();
    let r = run(vec![
        train(&mut rng, 200, 0.0, |t| 0.6 * (-8.0 * t).exp() + 3e-4),
        series("loss", Split::Eval, &steps, &values),
        series("f1", Split::Eval, &steps, &f1),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "overfitting", "eval/loss");
    assert_eq!(f.severity, Severity::Warn);
    assert!(f.message.contains("of the last") && f.message.contains("kept falling"), "{}", f.message);
    assert!(f.message.contains("eval/f1 still improved"), "{}", f.message);
    find(&d, "loss_metric_disagreement", "eval/loss");
    assert_eq!(d.best_checkpoint.as_ref().map(|b| b.series.as_str()), Some("eval/f1"));
    assert!(!ids(&d).contains(&"healthy") && !ids(&d).contains(&"spikes"), "{:?}", d.findings);
    // The same eval loss while the training loss stays level: a lucky dip below a noisy level,
    // not overfitting.
    let r = run(vec![
        train(&mut rng, 200, 0.0, |t| if t < 0.3 { 0.6 - 1.5 * t } else { 0.15 }),
        series("loss", Split::Eval, &steps, &values),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(!ids(&d).contains(&"overfitting"), "{:?}", d.findings);
    // The same eval loss level and noisy around one value from the start is no overfitting.
    let flat: Vec<f64> = (0..20).map(|j| 0.25 + [0.03, -0.04, 0.0, 0.02, -0.03][j % 5]).collect();
    let r = run(vec![train(&mut rng, 200, 0.0, |t| 0.6 - 0.3 * t), series("loss", Split::Eval, &steps, &flat)]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(!ids(&d).contains(&"overfitting"), "{:?}", d.findings);
}

#[test]
fn a_sparse_training_loss_is_not_called_missing() {
    // The training loss logged every 400 steps (5 points), the eval loss every 100 with its
    // minimum at step 300, before the first training point.
    let t = series("loss", Split::Train, &[400, 800, 1200, 1600, 2000], &[0.9, 0.6, 0.4, 0.3, 0.2]);
    let steps: Vec<u64> = (1..=20).map(|j| 100 * j).collect();
    let values: Vec<f64> = (1..=20).map(|j| 0.5 + 0.002 * ((j as f64) - 3.0).powi(2)).collect();
    let d = diagnose(&[run(vec![t, series("loss", Split::Eval, &steps, &values)])], &DiagnoseOptions::default());
    let f = find(&d, "overfitting", "eval/loss");
    assert!(!f.message.contains("No training loss"), "{}", f.message);
    assert!(f.message.contains("kept falling (0.9000 → 0.2000)"), "{}", f.message);
    // Logged only before the eval minimum: too few points to tell, and it says so.
    let t = series("loss", Split::Train, &[100, 200], &[0.9, 0.8]);
    let d = diagnose(&[run(vec![t, series("loss", Split::Eval, &steps, &values)])], &DiagnoseOptions::default());
    let f = find(&d, "overfitting", "eval/loss");
    assert!(f.message.contains("2 logged point(s), 0 of them from the eval minimum on"), "{}", f.message);
    // And without any training loss it says that.
    let d = diagnose(&[run(vec![series("loss", Split::Eval, &steps, &values)])], &DiagnoseOptions::default());
    assert!(find(&d, "overfitting", "eval/loss").message.contains("No training loss was logged"));
}

#[test]
fn a_short_steady_rise_is_overfitting_and_a_worse_last_checkpoint_is_never_healthy() {
    let mut rng = Rng::new(23, 0);
    // Six epochs: the minimum at the fourth, then +5% and +17%.
    let values = [0.9, 0.7, 0.6, 0.55, 0.58, 0.645];
    let e = series("loss", Split::Eval, &[20, 40, 60, 80, 100, 120], &values);
    let d = diagnose(&[run(vec![train(&mut rng, 12, 0.001, |t| 1.0 - 0.6 * t), e])], &DiagnoseOptions::default());
    let f = find(&d, "overfitting", "eval/loss");
    assert!(f.message.contains("+17.3%"), "{}", f.message);
    assert!(!ids(&d).contains(&"healthy"), "{:?}", d.findings);
    // One evaluation 20% above the minimum is not yet overfitting, but not healthy either.
    let values = [0.23, 0.18, 0.15, 0.127, 0.152];
    let e = series("loss", Split::Eval, &[40, 80, 120, 160, 200], &values);
    let d = diagnose(&[run(vec![train(&mut rng, 20, 0.001, |t| 0.3 - 0.2 * t), e])], &DiagnoseOptions::default());
    find(&d, "best_not_last", "eval/loss");
    assert!(!ids(&d).contains(&"healthy") && !ids(&d).contains(&"overfitting"), "{:?}", d.findings);
}

#[test]
fn chance_level_from_the_accuracy_and_the_loss() {
    let mut rng = Rng::new(24, 0);
    // A binary classifier whose first loss (0.80) is far from ln 2, whose training loss falls
    // a little, and whose validation accuracy sits at 0.40–0.56 with a loss ≈ ln 2.
    let acc = [0.48, 0.52, 0.40, 0.56, 0.50, 0.44, 0.53, 0.47, 0.51, 0.49];
    let vloss = [0.701, 0.695, 0.699, 0.690, 0.694, 0.698, 0.692, 0.696, 0.693, 0.697];
    let steps: Vec<u64> = (1..=10).map(|j| 100 * j).collect();
    let r = run(vec![
        train(&mut rng, 100, 0.005, |t| 0.80 - 0.15 * t),
        series("loss", Split::Eval, &steps, &vloss),
        series("accuracy", Split::Eval, &steps, &acc),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "not_learning", "eval/loss");
    assert!(f.message.contains("ln 2") && f.message.contains("inferred from where the run ends"), "{}", f.message);
    assert!(f.message.contains("eval/accuracy 0.") && f.message.contains("≈ 1/2"), "{}", f.message);
    assert!(!ids(&d).contains(&"healthy"));
    // A training loss that falls from 1.2 to ln 2: it fell, and stopped at chance level — the
    // message never says it did not fall.
    let r = run(vec![
        train(&mut rng, 100, 0.005, |t| 1.2 - 0.507 * t),
        series("loss", Split::Eval, &steps, &vloss),
        series("accuracy", Split::Eval, &steps, &acc),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "not_learning", "train/loss");
    assert!(!f.message.contains("did not fall"), "{}", f.message);
    assert!(f.message.contains("fell from 1.") && f.message.contains("stopped at chance level (ln 2"), "{}", f.message);
    assert!(f.message.contains("eval/accuracy") && f.message.contains("eval/loss"), "{}", f.message);
    // The same accuracy with a loss far from ln 2 (a 4-class task at 50%) infers nothing.
    let r = run(vec![
        train(&mut rng, 100, 0.005, |t| 1.6 - 0.4 * t),
        series("loss", Split::Eval, &steps, &vloss.map(|v| v + 0.5)),
        series("accuracy", Split::Eval, &steps, &acc),
    ]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(!d.findings.iter().any(|f| f.message.contains("chance")), "{:?}", d.findings);
}

#[test]
fn a_training_loss_rising_during_warm_up_is_a_finding() {
    let mut rng = Rng::new(25, 0);
    // The loss falls while the learning rate is small, climbs 60% as it warms up to a high
    // peak, and comes back down as it decays.
    let loss = |t: f64| {
        if t < 0.1 {
            1.5 - 5.0 * t
        } else if t < 0.3 {
            1.0 + 3.0 * (t - 0.1)
        } else {
            1.6 - 1.1 * (t - 0.3)
        }
    };
    let warm = |t: f64| if t < 0.3 { 1e-3 * t / 0.3 } else { 1e-3 * (1.0 - t) / 0.7 };
    let r = run(vec![train(&mut rng, 300, 0.005, loss), eval("loss", 300, 10, |t| 1.2 - 0.3 * t), lr(300, warm)]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    let f = find(&d, "warmup_instability", "train/loss");
    assert_eq!(f.severity, Severity::Warn);
    assert!(f.message.contains("warmed up") && f.message.contains("lower the peak"), "{}", f.message);
    assert!(!ids(&d).contains(&"healthy"));
    // The same loss with a constant learning rate is not a warm-up finding.
    let r = run(vec![train(&mut rng, 300, 0.005, loss), eval("loss", 300, 10, |t| 1.2 - 0.3 * t), lr(300, |_| 1e-3)]);
    let d = diagnose(&[r], &DiagnoseOptions::default());
    assert!(!ids(&d).contains(&"warmup_instability"), "{:?}", d.findings);
}

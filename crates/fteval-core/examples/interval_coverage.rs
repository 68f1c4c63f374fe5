//! Quick coverage measurement of `fteval metrics`' single-model intervals: test sets drawn
//! from fixed data-generating processes (binary balanced, binary 5% positives, 5-class), the
//! true value of each metric computed on 2,000,000 draws, and for each metric the share of
//! 95% intervals that cover it.
//! `cargo run --release -p fteval-core --example interval_coverage -- [runs] [n ...]`.

use rayon::prelude::*;

use fteval_core::data::{ClassificationInput, Scores, Task};
use fteval_core::evaluate_classification;
use fteval_core::stats::bootstrap::BootstrapConfig;
use fteval_core::stats::rng::Rng;

#[derive(Clone, Copy, Debug)]
enum Setting {
    Binary { prevalence: f64 },
    FiveClass,
}

fn normal(rng: &mut Rng) -> f64 {
    let (u, v) = (rng.uniform().max(1e-300), rng.uniform());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// n rows of the setting: a slightly miscalibrated model (true ECE a few points).
fn draw(setting: Setting, n: usize, rng: &mut Rng) -> ClassificationInput {
    match setting {
        Setting::Binary { prevalence } => {
            let d = 2.0;
            let mut gold = Vec::with_capacity(n);
            let mut p = Vec::with_capacity(n);
            for _ in 0..n {
                let g = rng.uniform() < prevalence;
                let x = normal(rng) + if g { d } else { 0.0 };
                let logit = (prevalence / (1.0 - prevalence)).ln() + d * x - d * d / 2.0;
                gold.push(g as u32);
                p.push(sigmoid(0.75 * logit + 0.2));
            }
            let pred = p.iter().map(|&s| (s >= 0.5) as u32).collect();
            ClassificationInput {
                task: Task::Binary,
                labels: vec!["neg".into(), "pos".into()],
                positive: Some(1),
                gold,
                pred,
                scores: Some(Scores::Positive(p)),
                model_classes: None,
            }
        }
        Setting::FiveClass => {
            let k = 5;
            let prior = [0.35, 0.25, 0.2, 0.12, 0.08];
            let mut gold = Vec::with_capacity(n);
            let mut pred = Vec::with_capacity(n);
            let mut probs = Vec::with_capacity(n * k);
            for _ in 0..n {
                let u = rng.uniform();
                let mut acc = 0.0;
                let mut g = k - 1;
                for (c, w) in prior.iter().enumerate() {
                    acc += w;
                    if u < acc {
                        g = c;
                        break;
                    }
                }
                let z: Vec<f64> = (0..k).map(|c| normal(rng) + if c == g { 1.8 } else { 0.0 } + prior[c].ln() * 0.5).collect();
                let raw: Vec<f64> = z.iter().map(|v| (1.3 * v).exp()).collect();
                let s: f64 = raw.iter().sum();
                let row: Vec<f64> = raw.iter().map(|r| r / s).collect();
                let arg = (0..k).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap();
                gold.push(g as u32);
                pred.push(arg as u32);
                probs.extend(row);
            }
            ClassificationInput {
                task: Task::Multiclass,
                labels: (0..k).map(|c| format!("c{c}")).collect(),
                positive: None,
                gold,
                pred,
                scores: Some(Scores::PerClass(probs)),
                model_classes: None,
            }
        }
    }
}

/// (key, value) of every metric and per-class number.
fn values(e: &fteval_core::Evaluation) -> Vec<(String, Option<f64>)> {
    let mut v: Vec<(String, Option<f64>)> = e.metrics.iter().map(|(k, m)| (k.clone(), m.value)).collect();
    for r in &e.per_class {
        v.push((format!("{}:precision", r.label), Some(r.precision)));
        v.push((format!("{}:recall", r.label), Some(r.recall)));
        v.push((format!("{}:f1", r.label), Some(r.f1)));
    }
    v
}

/// (key, interval, method, unreliable) of every metric and per-class number.
fn intervals(e: &fteval_core::Evaluation) -> Vec<(String, Option<[f64; 2]>, String, bool)> {
    let mut v: Vec<_> = e
        .metrics
        .iter()
        .map(|(k, m)| {
            let iv = m.ci_low.zip(m.ci_high).map(|(a, b)| [a, b]);
            (k.clone(), iv, m.ci_method.unwrap_or("").to_string(), m.unreliable.is_some())
        })
        .collect();
    for r in &e.per_class {
        v.push((format!("{}:precision", r.label), r.precision_ci, String::new(), false));
        v.push((format!("{}:recall", r.label), r.recall_ci, String::new(), false));
        v.push((format!("{}:f1", r.label), r.f1_ci, String::new(), false));
    }
    v
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(400);
    let ns: Vec<usize> = if args.len() > 1 { args[1..].iter().filter_map(|a| a.parse().ok()).collect() } else { vec![50, 200] };
    let only = std::env::var("ONLY").ok();
    let settings = [
        ("binary balanced", Setting::Binary { prevalence: 0.5 }),
        ("binary 5% positives", Setting::Binary { prevalence: 0.05 }),
        ("5-class", Setting::FiveClass),
    ];
    for (name, setting) in settings {
        let truth = {
            let mut rng = Rng::new(12345, 0);
            let big = draw(setting, 2_000_000, &mut rng);
            values(&evaluate_classification(&big, &BootstrapConfig { resamples: 0, ..Default::default() }))
        };
        for &n in &ns {
            let results: Vec<Vec<(String, Option<[f64; 2]>, String, bool)>> = (0..runs)
                .into_par_iter()
                .map(|r| {
                    let mut rng = Rng::new(777 + n as u64, r as u64);
                    let input = draw(setting, n, &mut rng);
                    let cfg = BootstrapConfig { resamples: 1000, level: 0.95, seed: r as u64 };
                    intervals(&evaluate_classification(&input, &cfg))
                })
                .collect();
            println!("\n{name}, n = {n}, {runs} runs");
            println!("{:<26} {:>8} {:>8} {:>9} {:>8} {:>6} {:>8}  method", "metric", "truth", "cover", "unrel%", "cov|rel", "zero", "width");
            for (key, t) in &truth {
                if only.as_deref().is_some_and(|o| !key.contains(o)) {
                    continue;
                }
                let Some(t) = t else { continue };
                let (mut cov, mut tot, mut unrel, mut cov_rel, mut rel, mut zero, mut width) = (0, 0, 0, 0, 0, 0, 0.0);
                let mut method = String::new();
                for res in &results {
                    let Some((_, iv, m, u)) = res.iter().find(|(k, ..)| k == key) else { continue };
                    let Some([lo, hi]) = iv else { continue };
                    method = m.clone();
                    tot += 1;
                    let c = *lo <= *t + 1e-12 && *t - 1e-12 <= *hi;
                    cov += c as usize;
                    if *u {
                        unrel += 1;
                    } else {
                        rel += 1;
                        cov_rel += c as usize;
                    }
                    zero += (hi - lo <= 0.0) as usize;
                    width += hi - lo;
                }
                if tot == 0 {
                    continue;
                }
                println!(
                    "{:<26} {:>8.4} {:>8.3} {:>8.1}% {:>8.3} {:>6} {:>8.4}  {}",
                    key,
                    t,
                    cov as f64 / tot as f64,
                    100.0 * unrel as f64 / tot as f64,
                    if rel > 0 { cov_rel as f64 / rel as f64 } else { f64::NAN },
                    zero,
                    width / tot as f64,
                    method
                );
            }
        }
    }
}

//! Times `evaluate_classification` (default settings: 1000 resamples, 95%) on 1M rows of a
//! 5-class model and 10M rows of a binary one, both with probabilities:
//! `cargo run --release -p fteval-core --example time_evaluate`.

use std::time::Instant;

use fteval_core::data::{ClassificationInput, Scores, Task};
use fteval_core::evaluate_classification;
use fteval_core::stats::bootstrap::BootstrapConfig;
use fteval_core::stats::rng::Rng;

/// A k-class test set of n rows whose probabilities favour the gold class.
fn sample(n: usize, k: usize, seed: u64) -> ClassificationInput {
    let mut rng = Rng::new(seed, 0);
    let gold: Vec<u32> = (0..n).map(|_| rng.below(k as u64) as u32).collect();
    let mut probs = Vec::with_capacity(n * k);
    let mut pred = Vec::with_capacity(n);
    for &g in &gold {
        let raw: Vec<f64> =
            (0..k).map(|c| (2.0 * rng.uniform() + if c as u32 == g { 1.0 } else { 0.0 }).exp()).collect();
        let sum: f64 = raw.iter().sum();
        let (mut best, mut arg) = (0.0, 0);
        for (c, r) in raw.iter().enumerate() {
            if *r > best {
                best = *r;
                arg = c;
            }
        }
        pred.push(arg as u32);
        probs.extend(raw.iter().map(|x| x / sum));
    }
    let scores =
        if k == 2 { Scores::Positive(probs.chunks(2).map(|r| r[1]).collect()) } else { Scores::PerClass(probs) };
    ClassificationInput {
        task: if k == 2 { Task::Binary } else { Task::Multiclass },
        labels: (0..k).map(|c| c.to_string()).collect(),
        positive: (k == 2).then_some(1),
        gold,
        pred,
        scores: Some(scores),
        model_classes: None,
    }
}

fn main() {
    let cfg = BootstrapConfig::default();
    for (n, k) in [(1_000_000usize, 5usize), (10_000_000, 2)] {
        let input = sample(n, k, 1);
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t = Instant::now();
            let e = evaluate_classification(&input, &cfg);
            std::hint::black_box(&e);
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("n={n} k={k}: evaluate_classification best of 3 {best:.3} s");
    }
}

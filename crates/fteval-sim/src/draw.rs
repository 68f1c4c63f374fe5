//! Random draws the data-generating processes need, all from fteval's own generator.

use fteval_core::stats::rng::Rng;

/// A standard normal draw (Box–Muller, one of the pair).
pub fn normal(rng: &mut Rng) -> f64 {
    let u = 1.0 - rng.uniform(); // (0, 1]
    let v = rng.uniform();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// True with probability `p`.
pub fn bernoulli(rng: &mut Rng, p: f64) -> bool {
    rng.uniform() < p
}

/// An index drawn with probabilities proportional to `weights`.
pub fn categorical(rng: &mut Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.uniform() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

/// The logistic function.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Softmax of `logits` into `out`.
pub fn softmax(logits: &[f64], out: &mut [f64]) {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, l) in out.iter_mut().zip(logits) {
        *o = (l - max).exp();
        sum += *o;
    }
    out.iter_mut().for_each(|o| *o /= sum);
}

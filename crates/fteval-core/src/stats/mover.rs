//! MOVER (method of variance estimates recovery; Zou & Donner 2008): the interval of a linear
//! combination of independent estimates from each estimate's own interval, the distances to
//! the bounds added in quadrature. For a difference of two Wilson intervals it is Newcombe's
//! hybrid score interval (his method 10).

use super::bootstrap::Interval;

/// The interval of Σ wᵢ·θᵢ around `point` (= Σ wᵢ·θᵢ) for independent `(weight, estimate,
/// interval)` terms.
pub fn mover(point: f64, terms: &[(f64, f64, Interval)]) -> Interval {
    let (mut below, mut above) = (0.0, 0.0);
    for &(w, theta, iv) in terms {
        // A negative weight turns the estimate's upper distance into the sum's lower one.
        let (down, up) = if w >= 0.0 { (theta - iv.low, iv.high - theta) } else { (iv.high - theta, theta - iv.low) };
        below += (w * down).powi(2);
        above += (w * up).powi(2);
    }
    Interval { low: point - below.sqrt(), high: point + above.sqrt() }
}

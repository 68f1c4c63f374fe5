//! Robust summaries of a noisy curve: medians, spread, smoothing. Thresholds in the diagnosis
//! are multiples of these, so they follow each log's own noise.

/// Median of finite values; NaN when there are none.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Median absolute deviation scaled to a normal standard deviation (1.4826 · MAD).
/// When more than half the values sit exactly at the median (a two-level saw-tooth, ties), the
/// MAD is 0; the mean absolute deviation (scaled by √(π/2)) is used then.
pub fn mad_sigma(values: &[f64]) -> f64 {
    let m = median(values);
    let dev: Vec<f64> = values.iter().filter(|x| x.is_finite()).map(|x| (x - m).abs()).collect();
    let mad = 1.4826 * median(&dev);
    if mad > 0.0 || dev.is_empty() {
        return mad;
    }
    (std::f64::consts::PI / 2.0).sqrt() * dev.iter().sum::<f64>() / dev.len() as f64
}

/// The point-to-point noise of a curve: the robust spread of successive differences / √2,
/// which a trend barely affects (a slope shifts every difference alike).
pub fn noise_sigma(values: &[f64]) -> f64 {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.len() < 3 {
        return 0.0;
    }
    let diffs: Vec<f64> = finite.windows(2).map(|w| w[1] - w[0]).collect();
    mad_sigma(&diffs) / std::f64::consts::SQRT_2
}

/// Centred rolling median of half-width `h` (shorter windows at the ends).
pub fn rolling_median(values: &[f64], h: usize) -> Vec<f64> {
    (0..values.len())
        .map(|i| {
            let lo = i.saturating_sub(h);
            let hi = (i + h + 1).min(values.len());
            median(&values[lo..hi])
        })
        .collect()
}

/// Median of each point's neighbours within `h` on either side, the point itself left out, so
/// a point's residual from it is never zero merely because the point is its window's median.
pub fn neighbour_median(values: &[f64], h: usize) -> Vec<f64> {
    let mut window = Vec::with_capacity(2 * h);
    (0..values.len())
        .map(|i| {
            window.clear();
            window.extend_from_slice(&values[i.saturating_sub(h)..i]);
            window.extend_from_slice(&values[(i + 1).min(values.len())..(i + h + 1).min(values.len())]);
            median(&window)
        })
        .collect()
}

/// Median of the first or last `frac` of the values (at least `min_n` of them).
pub fn head_median(values: &[f64], frac: f64, min_n: usize) -> f64 {
    let n = ((values.len() as f64 * frac).ceil() as usize).max(min_n).min(values.len());
    median(&values[..n])
}

pub fn tail_median(values: &[f64], frac: f64, min_n: usize) -> f64 {
    let n = ((values.len() as f64 * frac).ceil() as usize).max(min_n).min(values.len());
    median(&values[values.len() - n..])
}

/// Least-squares slope of y on x.
pub fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 2 {
        return 0.0;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    if sxx == 0.0 {
        0.0
    } else {
        sxy / sxx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robust_summaries() {
        assert_eq!(median(&[3.0, 1.0, 2.0, f64::NAN]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!((mad_sigma(&[1.0, 2.0, 3.0, 4.0, 100.0]) - 1.4826).abs() < 1e-12);
        // A straight line has no noise; an alternating one does.
        let line: Vec<f64> = (0..50).map(|i| 1.0 - 0.01 * i as f64).collect();
        assert!(noise_sigma(&line) < 1e-12);
        let zigzag: Vec<f64> = (0..50).map(|i| if i % 2 == 0 { 0.1 } else { -0.1 }).collect();
        assert!(noise_sigma(&zigzag) > 0.1);
        assert_eq!(rolling_median(&[1.0, 9.0, 1.0, 1.0], 1), vec![5.0, 1.0, 1.0, 1.0]);
        assert!((slope(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]) - 2.0).abs() < 1e-12);
    }
}

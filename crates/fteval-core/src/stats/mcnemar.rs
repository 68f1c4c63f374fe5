//! McNemar's exact test for paired classifiers, as statsmodels' `mcnemar(table, exact=True)`:
//! a two-sided binomial test of the discordant pairs.

use super::special::ln_factorial;

/// The result: the smaller discordant count and the two-sided p-value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McNemar {
    pub statistic: u64,
    pub p_value: f64,
}

/// P(X ≤ k) for X ~ Binomial(n, ½), summed in log space so tiny tails keep their digits.
pub fn binomial_half_cdf(k: u64, n: u64) -> f64 {
    if k >= n {
        return 1.0;
    }
    let ln_half_n = n as f64 * std::f64::consts::LN_2;
    let ln_term = |i: u64| ln_factorial(n) - ln_factorial(i) - ln_factorial(n - i) - ln_half_n;
    // Terms grow with i up to n/2: sum from the largest down for accuracy.
    let top = ln_term(k);
    let sum: f64 = (0..=k).rev().map(|i| (ln_term(i) - top).exp()).sum();
    (top.exp() * sum).min(1.0)
}

/// McNemar's exact test on the discordant counts: `b` rows only the first model got right,
/// `c` rows only the second did. p = min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(b + c, ½).
pub fn mcnemar_exact(b: u64, c: u64) -> McNemar {
    let statistic = b.min(c);
    let n = b + c;
    let p_value = if n == 0 { 1.0 } else { (2.0 * binomial_half_cdf(statistic, n)).min(1.0) };
    McNemar { statistic, p_value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_statsmodels() {
        // statsmodels.stats.contingency_tables.mcnemar([[0, b], [c, 0]], exact=True).pvalue
        let cases = [
            (161u64, 490u64, 1.611968951539142e-39),
            (132, 143, 0.5465716019826551),
            (315, 149, 9.69883620216452e-15),
            (8, 14, 0.28627872467041016),
            (105, 198, 1.0051989869182124e-07),
        ];
        for (b, c, want) in cases {
            let got = mcnemar_exact(b, c).p_value;
            assert!(((got - want) / want).abs() < 1e-9, "b={b} c={c}: {got} vs {want}");
        }
        assert_eq!(mcnemar_exact(0, 0).p_value, 1.0);
        assert_eq!(mcnemar_exact(5, 5).p_value, 1.0);
    }
}

//! Holm–Bonferroni adjustment for many tests at once, as statsmodels'
//! `multipletests(p, method='holm')`: it controls the family-wise error rate like Bonferroni
//! but rejects at least as often, so comparing many metrics does not inflate false alarms.

/// Holm step-down adjusted p-values in input order: with the p-values sorted ascending,
/// the j-th (0-based) of m becomes min(1, max over i ≤ j of (m − i)·p₍ᵢ₎); the running max keeps
/// the adjustment monotone and makes tied p-values share one value. Inputs are p-values in [0, 1].
pub fn holm_adjust(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max((m - rank) as f64 * p[i]);
        adjusted[i] = running.min(1.0);
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn hand_computed() {
        // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06.
        assert_close(&holm_adjust(&[0.01, 0.04, 0.03, 0.005]), &[0.03, 0.06, 0.06, 0.02]);
        // One test: nothing to adjust.
        assert_close(&holm_adjust(&[0.3]), &[0.3]);
        // Large products are capped at 1.
        assert_close(&holm_adjust(&[0.6, 0.7]), &[1.0, 1.0]);
    }

    #[test]
    fn empty_input() {
        assert!(holm_adjust(&[]).is_empty());
    }

    #[test]
    fn ties_share_one_value_and_ones_stay_one() {
        // Three equal p-values: the first in sorted order gets 3·p, the running max carries it.
        assert_close(&holm_adjust(&[0.04, 0.04, 0.04]), &[0.12, 0.12, 0.12]);
        assert_close(&holm_adjust(&[1.0, 1.0]), &[1.0, 1.0]);
        assert_close(&holm_adjust(&[0.0, 1.0]), &[0.0, 1.0]);
    }

    #[test]
    fn matches_statsmodels() {
        // From statsmodels 0.15.0: multipletests(p, method='holm')[1].
        let cases: [(&[f64], &[f64]); 6] = [
            (&[0.01, 0.04, 0.03, 0.005], &[0.03, 0.06, 0.06, 0.02]),
            (
                &[0.2, 0.01, 0.2, 0.5, 0.01, 0.04],
                &[0.6000000000000001, 0.06, 0.6000000000000001, 0.6000000000000001, 0.06, 0.16],
            ),
            (&[1.0, 0.5, 0.001, 1.0], &[1.0, 1.0, 0.004, 1.0]),
            (
                &[0.0123, 0.0456, 0.0078, 0.31, 0.0009, 0.6, 0.044, 0.027],
                &[0.0738, 0.176, 0.054599999999999996, 0.62, 0.0072, 0.62, 0.176, 0.135],
            ),
            (&[0.04, 0.04, 0.04], &[0.12, 0.12, 0.12]),
            (&[0.0, 0.2, 0.9], &[0.0, 0.4, 0.9]),
        ];
        for (p, want) in cases {
            assert_close(&holm_adjust(p), want);
        }
    }

    #[test]
    fn never_below_raw_and_monotone_in_raw_order() {
        let p = [0.03, 0.5, 0.001, 0.02, 0.02, 0.9, 0.07, 1.0, 0.0004];
        let adj = holm_adjust(&p);
        for i in 0..p.len() {
            assert!(adj[i] >= p[i] && adj[i] <= 1.0, "{adj:?}");
            for j in 0..p.len() {
                if p[i] <= p[j] {
                    assert!(adj[i] <= adj[j], "{adj:?}");
                }
            }
        }
    }
}

//! The paired statistics behind `fteval compare`, checked against the reference values of the
//! compare conformance cases (statsmodels' exact McNemar, the fast DeLong test).

use std::path::Path;

use fteval_core::stats::delong::delong_paired;
use fteval_core::stats::mcnemar::mcnemar_exact;
use serde_json::Value;

struct Model {
    gold: Vec<String>,
    pred: Vec<String>,
    prob: Vec<f64>,
}

/// Parses the simple `id,label,pred,prob` CSV of the conformance cases (rows in id order).
fn parse(csv: &str) -> Model {
    let mut rows: Vec<Vec<&str>> =
        csv.lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split(',').collect()).collect();
    rows.sort_by(|a, b| a[0].cmp(b[0]));
    Model {
        gold: rows.iter().map(|r| r[1].to_string()).collect(),
        pred: rows.iter().map(|r| r[2].to_string()).collect(),
        prob: rows.iter().filter_map(|r| r.get(3).and_then(|p| p.parse().ok())).collect(),
    }
}

#[test]
fn mcnemar_and_delong_match_the_references() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/compare.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let mut delong_cases = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["name"].as_str().unwrap();
        let (a, b) = (
            parse(case["files"]["baseline.csv"].as_str().unwrap()),
            parse(case["files"]["candidate.csv"].as_str().unwrap()),
        );
        assert_eq!(a.gold, b.gold, "{name}: gold differs");
        let correct_a: Vec<bool> = a.gold.iter().zip(&a.pred).map(|(g, p)| g == p).collect();
        let correct_b: Vec<bool> = b.gold.iter().zip(&b.pred).map(|(g, p)| g == p).collect();
        let only_a = correct_a.iter().zip(&correct_b).filter(|(x, y)| **x && !**y).count() as u64;
        let only_b = correct_a.iter().zip(&correct_b).filter(|(x, y)| !**x && **y).count() as u64;
        let expect = &case["expect"];
        assert_eq!(only_a, expect["mcnemar.baseline_only_correct"].as_u64().unwrap(), "{name}");
        assert_eq!(only_b, expect["mcnemar.candidate_only_correct"].as_u64().unwrap(), "{name}");
        let want = expect["mcnemar.p_value"].as_f64().unwrap();
        let got = mcnemar_exact(only_a, only_b).p_value;
        assert!(((got - want) / want).abs() < 1e-6, "{name}: McNemar p {got} vs {want}");
        if let Some(want) = expect["delong.p_value"].as_f64() {
            let is_pos: Vec<bool> = a.gold.iter().map(|g| g == "pos").collect();
            let r = delong_paired(&a.prob, &b.prob, &is_pos).unwrap();
            assert!((r.auc_a - expect["metrics.roc_auc.baseline"].as_f64().unwrap()).abs() < 1e-9, "{name}");
            assert!((r.auc_b - expect["metrics.roc_auc.candidate"].as_f64().unwrap()).abs() < 1e-9, "{name}");
            assert!(
                (r.p_value - want).abs() <= 1e-6 * want.max(1e-300) + 1e-12,
                "{name}: DeLong p {} vs {want}",
                r.p_value
            );
            delong_cases += 1;
        }
    }
    assert!(delong_cases >= 3, "only {delong_cases} cases with scores");
}

//! Text-task comparison against sacreBLEU: with sacreBLEU's own swap masks (numpy's, stored in
//! the generation fixtures), the paired approximate randomisation p-values of BLEU, chrF and
//! chrF++ that `compare_generation` reports are sacreBLEU's numbers.

use fteval_core::compare::text::{compare_generation, GenerationConfigs, GenerationExamples, TextOptions};
use fteval_core::metrics::generation::bleu::bleu_stats;
use fteval_core::metrics::generation::chrf::chrf_stats_for;
use fteval_core::stats::bootstrap::BootstrapConfig;
use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

#[test]
fn paired_ar_equals_sacrebleu_with_its_masks() {
    let path = format!("{}/tests/data/generation/references.json", env!("CARGO_MANIFEST_DIR"));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cfg = GenerationConfigs::default();
    let mut cases = 0;
    for case in r["paired_ar"].as_array().unwrap() {
        let refs: Vec<Vec<String>> = case["refs"].as_array().unwrap().iter().map(strings).collect();
        let masks: Vec<Vec<bool>> = case["masks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().bytes().map(|b| b == b'1').collect())
            .collect();
        let system = |h: Vec<String>| {
            let both: Vec<_> =
                h.iter().zip(&refs).map(|(h, r)| chrf_stats_for(h, r, &[cfg.chrf, cfg.chrf_pp])).collect();
            GenerationExamples {
                bleu: Some(h.iter().zip(&refs).map(|(h, r)| bleu_stats(h, r, &cfg.bleu)).collect()),
                chrf: Some(both.iter().map(|x| x[0]).collect()),
                chrf_pp: Some(both.iter().map(|x| x[1]).collect()),
                ..Default::default()
            }
        };
        let (base, sys) = (system(strings(&case["baseline"])), system(strings(&case["system"])));
        let options = TextOptions {
            bootstrap: BootstrapConfig { resamples: 0, ..Default::default() },
            ar_masks: Some(masks),
            ..Default::default()
        };
        let cmp = compare_generation(&base, &sys, &cfg, &options);
        let p = &case["p_values"];
        for (key, want) in [("bleu", "BLEU"), ("chrf", "chrF2"), ("chrf_pp", "chrF2++")] {
            let t = cmp.paired_ar.iter().find(|t| t.key == key).unwrap();
            let want = p[want].as_f64().unwrap();
            assert!((t.p_value - want).abs() < 1e-12, "{}: {key} {t:?} vs {want}", case["name"]);
        }
        cases += 1;
    }
    assert!(cases > 0);
}

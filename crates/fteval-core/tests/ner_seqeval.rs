//! fteval's NER metrics against seqeval 1.2.2 on the cases `data/ner/make_fixtures.py` wrote:
//! random and hand-picked tag sequences (malformed ones included) in default mode and in
//! strict mode for every scheme, with suffix-style tags and with tags seqeval refuses.

use fteval_core::metrics::ner::{evaluate_ner, NerMode, NerOptions, NerSequences, Scheme};
use serde_json::Value;

const TOL: f64 = 1e-6;

fn close(a: f64, b: &Value, what: &str, case: usize) {
    let b = b.as_f64().unwrap_or_else(|| panic!("case {case}: {what}: expected a number, fixture has {b}"));
    assert!((a - b).abs() <= TOL, "case {case}: {what}: fteval {a}, seqeval {b}");
}

fn close_opt(a: Option<f64>, b: &Value, what: &str, case: usize) {
    match a {
        None => assert!(b.is_null(), "case {case}: {what}: fteval None, seqeval {b}"),
        Some(a) => close(a, b, what, case),
    }
}

fn sentences(v: &Value) -> Vec<Vec<String>> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().split_whitespace().map(str::to_string).collect()).collect()
}

#[test]
fn seqeval_fixtures_reproduced() {
    let text = include_str!("data/ner/seqeval_fixtures.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut counted = std::collections::BTreeMap::<String, usize>::new();
    for (k, c) in cases.iter().enumerate() {
        let mode = match c["mode"].as_str().unwrap() {
            "default" => NerMode::Default,
            name => NerMode::Strict(Scheme::parse(name).unwrap()),
        };
        let options = NerOptions { mode, suffix: c["suffix"].as_bool().unwrap() };
        let seqs = NerSequences::from_lists(&sentences(&c["gold"]), &sentences(&c["pred"])).unwrap();
        let result = evaluate_ner(&seqs, &options);
        *counted
            .entry(format!("{}{}", c["mode"].as_str().unwrap(), if c.get("error").is_some() { " (error)" } else { "" }))
            .or_default() += 1;
        if let Some(err) = c.get("error") {
            assert!(result.is_err(), "case {k}: seqeval raised {err}, fteval gave a result");
            continue;
        }
        let stats = result.unwrap_or_else(|e| panic!("case {k}: fteval failed: {e}"));
        let e = &c["expect"];
        let types: Vec<&str> = e["types"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(stats.types, types, "case {k}: entity types");
        for (side, key) in [("gold", "gold_entities"), ("pred", "pred_entities")] {
            let Some(want) = e.get(key) else { continue };
            let mut got = Vec::new();
            for s in 0..stats.n_sentences() {
                let ents = if side == "gold" { stats.gold_entities(s) } else { stats.pred_entities(s) };
                got.extend(
                    ents.iter().map(|x| (stats.types[x.type_id as usize].clone(), x.start as u64, x.end as u64)),
                );
            }
            let mut want: Vec<(String, u64, u64)> = want
                .as_array()
                .unwrap()
                .iter()
                .map(|x| (x[0].as_str().unwrap().to_string(), x[1].as_u64().unwrap(), x[2].as_u64().unwrap()))
                .collect();
            // seqeval lists default-mode chunks by end, strict ones by start; both are unique.
            want.sort_by_key(|x| (x.2, x.1));
            got.sort_by_key(|x| (x.2, x.1));
            assert_eq!(got, want, "case {k}: {side} entities");
        }
        let s = stats.totals().scores();
        let per = e["per_type"].as_array().unwrap();
        assert_eq!(s.per_type.len(), per.len(), "case {k}: per-type rows");
        for (t, want) in s.per_type.iter().zip(per) {
            let name = &stats.types[t.type_id as usize];
            close(t.precision, &want[0], &format!("{name} precision"), k);
            close(t.recall, &want[1], &format!("{name} recall"), k);
            close(t.f1, &want[2], &format!("{name} f1"), k);
            assert_eq!(t.support, want[3].as_u64().unwrap(), "case {k}: {name} support");
        }
        close(s.precision, &e["micro"][0], "micro precision", k);
        close(s.recall, &e["micro"][1], "micro recall", k);
        close(s.f1, &e["micro"][2], "micro f1", k);
        assert_eq!(s.support, e["micro"][3].as_u64().unwrap(), "case {k}: support");
        close_opt(s.precision_macro, &e["macro"][0], "macro precision", k);
        close_opt(s.recall_macro, &e["macro"][1], "macro recall", k);
        close_opt(s.f1_macro, &e["macro"][2], "macro f1", k);
        close(s.precision_weighted, &e["weighted"][0], "weighted precision", k);
        close(s.recall_weighted, &e["weighted"][1], "weighted recall", k);
        close(s.f1_weighted, &e["weighted"][2], "weighted f1", k);
        close_opt(s.token_accuracy, &e["accuracy"], "accuracy", k);
        // Per-sentence statistics sum to the totals, and a resample of every sentence once is
        // the whole corpus.
        assert_eq!(stats.resample(&vec![1; stats.n_sentences()]), stats.totals(), "case {k}: resample");
    }
    println!("seqeval cases reproduced: {counted:?}");
    assert!(cases.len() >= 700, "the fixture should hold the generated cases");
}

//! The text-task compare and rank documents: SPEC's `fteval.compare/v1` keys in JSON, and the
//! terminal and Markdown reports.

use fteval_core::compare::text::{
    compare_generation, compare_ner, rank_generation, rank_ner, GenerationConfigs, GenerationExamples, TextOptions,
};
use fteval_core::compare::{verdict, Verdict};
use fteval_core::gates::{check_max_regression, parse_max_regression};
use fteval_core::metrics::generation::bleu::bleu_stats;
use fteval_core::metrics::generation::chrf::chrf_stats_for;
use fteval_core::metrics::generation::squad::squad_scores;
use fteval_core::metrics::ner::{evaluate_ner, NerOptions, NerSequences, NerStats};
use fteval_core::stats::bootstrap::BootstrapConfig;
use fteval_report::document::{FlipTexts, TextCompareContext, TextCompareDocument, TextRankDocument, VerdictDoc};
use fteval_report::{Html, Json, Markdown, Renderer, Terminal};
use serde_json::Value;

fn options() -> TextOptions {
    TextOptions {
        bootstrap: BootstrapConfig { resamples: 200, level: 0.95, seed: 0 },
        ar_trials: 300,
        ar_masks: None,
        max_examples: 3,
    }
}

fn ner(gold: &[Vec<&str>], pred: &[Vec<&str>]) -> NerStats {
    evaluate_ner(&NerSequences::from_lists(gold, pred).unwrap(), &NerOptions::default()).unwrap()
}

fn render(f: impl Fn(&dyn Renderer, &mut Vec<u8>)) -> (Value, String, String) {
    let mut json = Vec::new();
    f(&Json, &mut json);
    let mut term = Vec::new();
    f(&Terminal { color: false }, &mut term);
    let mut md = Vec::new();
    f(&Markdown, &mut md);
    (serde_json::from_slice(&json).unwrap(), String::from_utf8(term).unwrap(), String::from_utf8(md).unwrap())
}

/// The HTML page of a document: self-contained, no script.
fn html(f: impl Fn(&dyn Renderer, &mut Vec<u8>)) -> String {
    let mut out = Vec::new();
    f(&Html, &mut out);
    let page = String::from_utf8(out).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(!page.contains("<script"));
    assert!(!page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").contains("http"));
    page
}

#[test]
fn ner_compare_document() {
    // 40 sentences; the candidate loses the LOC in the first 10.
    let gold: Vec<Vec<&str>> = (0..40).map(|_| vec!["B-PER", "I-PER", "O", "B-LOC"]).collect();
    let cand: Vec<Vec<&str>> =
        (0..40).map(|i| if i < 10 { vec!["B-PER", "I-PER", "O", "O"] } else { gold[i].clone() }).collect();
    let (a, b) = (ner(&gold, &gold), ner(&gold, &cand));
    let cmp = compare_ner(&a, &b, &options());
    let d = cmp.delta("f1").unwrap();
    let (v, mde) = verdict(d, 0.0, 0.95);
    assert_eq!(v, Verdict::Regressed);
    let gate = check_max_regression(&parse_max_regression("f1=0.01").unwrap(), d);
    let ids: Vec<String> = (0..40).map(|i| format!("s{i}")).collect();
    let preview = |s: usize| format!("John Smith in Paris ({s})");
    let doc = TextCompareDocument::new(
        &cmp,
        TextCompareContext {
            baseline_source: "base.conll".into(),
            candidate_source: "cand.conll".into(),
            labels: b.types.clone(),
            primary: "f1".into(),
            verdict: Some(v),
            verdict_detail: Some(VerdictDoc {
                metric: "f1".into(),
                margin: 0.0,
                minimum_detectable_effect: mde,
                summary: "The candidate is worse.".into(),
            }),
            gates: vec![gate],
            ids: Some(&ids),
            texts: FlipTexts::Ner(&preview),
            ..Default::default()
        },
    );
    assert!(doc.failed());
    let (json, term, md) = render(|r, out| r.text_compare(&doc, out).unwrap());
    assert_eq!(json["schema"], "fteval.compare/v1");
    assert_eq!(json["task"], "ner");
    assert_eq!(json["n_matched"], 40);
    assert_eq!(json["primary_metric"], "f1");
    assert_eq!(json["verdict"], "regressed");
    let f1 = &json["metrics"]["f1"];
    for k in ["baseline", "candidate", "delta", "ci_low", "ci_high", "p_value"] {
        assert!(f1[k].is_number(), "{k}: {f1}");
    }
    assert_eq!(f1["baseline"], 1.0);
    assert!(json.get("mcnemar").is_none() && json.get("paired_ar").is_none());
    assert_eq!(json["flips"]["broken"], 10);
    assert_eq!(json["flips"]["fixed"], 0);
    let ex = &json["flips"]["examples"][0];
    assert_eq!((ex["kind"].as_str(), ex["id"].as_str(), ex["row"].as_u64()), (Some("broken"), Some("s0"), Some(1)));
    assert_eq!(ex["candidate_errors"]["fn"], 1);
    assert_eq!(ex["text"], "John Smith in Paris (0)");
    assert_eq!(json["gates"][0]["passed"], false);
    assert_eq!(json["bootstrap"]["resamples"], 200);
    assert!(json["models"]["candidate"]["f1"]["ci_low"].is_number());
    assert!(term.contains("REGRESSED") && term.contains("f1 (primary)") && term.contains("0 FP, 1 FN"), "{term}");
    assert!(term.contains("40 matched sentences"), "{term}");
    assert!(md.contains("## fteval compare: ❌ REGRESSED") && md.contains("| f1 (primary) |"), "{md}");
    let page = html(|r, out| r.text_compare(&doc, out).unwrap());
    assert!(page.contains("REGRESSED") && page.contains("0 FP, 1 FN") && page.contains("✗ failed"));
    assert_eq!(page.matches("data-plot=\"forest\"").count(), 1);
    let forest = page.split("data-plot=\"forest\"").nth(1).unwrap().split("</svg>").next().unwrap();
    assert!(forest.contains("data-metric=\"f1\" data-direction=\"worse\""), "{forest}");
}

#[test]
fn generation_compare_and_rank_documents() {
    let refs: Vec<Vec<String>> = (0..30).map(|i| vec![format!("the answer is number {i} of the list")]).collect();
    let base: Vec<String> = (0..30).map(|i| format!("answer {i} maybe")).collect();
    let cand: Vec<String> = (0..30)
        .map(|i| if i % 3 == 0 { "no idea".to_string() } else { format!("the answer is number {i} of the list") })
        .collect();
    let cfg = GenerationConfigs::default();
    let examples = |preds: &[String]| {
        let mut g = GenerationExamples {
            bleu: Some(preds.iter().zip(&refs).map(|(p, r)| bleu_stats(p, r, &cfg.bleu)).collect()),
            ..Default::default()
        };
        let both: Vec<_> =
            preds.iter().zip(&refs).map(|(p, r)| chrf_stats_for(p, r, &[cfg.chrf, cfg.chrf_pp])).collect();
        g.chrf = Some(both.iter().map(|x| x[0]).collect());
        g.chrf_pp = Some(both.iter().map(|x| x[1]).collect());
        let squad: Vec<_> = preds.iter().zip(&refs).map(|(p, r)| squad_scores(p, r)).collect();
        g.means = vec![
            ("exact_match".into(), squad.iter().map(|s| s.exact_match).collect()),
            ("token_f1".into(), squad.iter().map(|s| s.token_f1).collect()),
        ];
        g
    };
    let (a, b) = (examples(&base), examples(&cand));
    let cmp = compare_generation(&a, &b, &cfg, &options());
    let signatures =
        vec![("bleu".to_string(), "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0".to_string())];
    let doc = TextCompareDocument::new(
        &cmp,
        TextCompareContext {
            baseline_source: "base.jsonl".into(),
            candidate_source: "cand.jsonl".into(),
            primary: "exact_match".into(),
            verdict: Some(verdict(cmp.delta("exact_match").unwrap(), 0.0, 0.95).0),
            texts: FlipTexts::Generation { baseline: &base, candidate: &cand, references: &refs },
            signatures: signatures.clone(),
            ..Default::default()
        },
    );
    let (json, term, md) = render(|r, out| r.text_compare(&doc, out).unwrap());
    assert_eq!(json["task"], "generation");
    assert_eq!(json["verdict"], "improved");
    let keys: Vec<&str> = json["metrics"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["exact_match", "token_f1", "bleu", "chrf", "chrf_pp"]);
    assert_eq!(json["paired_ar"]["bleu"]["method"], "paired_ar");
    assert_eq!(json["paired_ar"]["bleu"]["trials"], 300);
    assert_eq!(json["paired_ar"]["bleu"]["signature"], signatures[0].1);
    assert_eq!(json["flips"]["metric"], "exact_match");
    assert_eq!(json["flips"]["fixed"], 20);
    assert_eq!(json["flips"]["broken"], 0);
    let ex = &json["flips"]["examples"][0];
    assert_eq!(ex["kind"], "fixed");
    assert!(ex["baseline_prediction"].as_str().unwrap().starts_with("answer"));
    assert!(ex["references"][0].as_str().unwrap().starts_with("the answer"));
    assert!(term.contains("Paired approximate randomisation") && term.contains("bleu p ="), "{term}");
    assert!(md.contains("IMPROVED"), "{md}");
    // HTML: BLEU and chrF (0–100) get their own forest plot next to the 0–1 metrics.
    let page = html(|r, out| r.text_compare(&doc, out).unwrap());
    assert_eq!(page.matches("data-plot=\"forest\"").count(), 2, "{page}");
    assert!(page.contains("IMPROVED") && page.contains("paired-ar"));

    // Rank: the two models and a third, on BLEU.
    let c = examples(&refs.iter().map(|r| r[0].clone()).collect::<Vec<_>>());
    let ranking = rank_generation(&[&a, &b, &c], "bleu", &cfg, &options()).unwrap();
    let sources: Vec<String> = ["a.jsonl", "b.jsonl", "c.jsonl"].iter().map(|s| s.to_string()).collect();
    let doc = TextRankDocument::new(&ranking, &sources, Vec::new(), None, &signatures, Vec::new());
    let (json, term, md) = render(|r, out| r.text_rank(&doc, out).unwrap());
    assert_eq!(json["schema"], "fteval.rank/v1");
    assert_eq!(json["best"], "c.jsonl");
    assert_eq!(json["models"][0]["source"], "c.jsonl");
    assert_eq!(json["models"][2]["source"], "a.jsonl");
    assert!(json["models"][1]["vs_best"]["primary"]["ci_low"].is_number());
    assert_eq!(json["pairwise"].as_array().unwrap().len(), 3);
    assert!(json["pairwise"][0]["p_value_holm"].is_number());
    assert_eq!(json["paired_ar"].as_array().unwrap().len(), 6);
    assert_eq!(json["unit"], "examples");
    assert!(term.contains("Every pair on the primary metric") && term.contains("c.jsonl"), "{term}");
    assert!(md.contains("## fteval rank: c.jsonl first on bleu"), "{md}");
    let page = html(|r, out| r.text_rank(&doc, out).unwrap());
    assert!(page.contains("Every pair on the primary metric") && page.contains("c.jsonl"));
}

#[test]
fn ner_rank_document() {
    let gold: Vec<Vec<&str>> = (0..60).map(|_| vec!["B-PER", "O", "B-LOC"]).collect();
    let worse: Vec<Vec<&str>> =
        (0..60).map(|i| if i % 2 == 0 { vec!["B-PER", "O", "O"] } else { gold[i].clone() }).collect();
    let (a, b) = (ner(&gold, &worse), ner(&gold, &gold));
    let ranking = rank_ner(&[&a, &b], "f1", &options()).unwrap();
    let sources = vec!["worse.conll".to_string(), "perfect.conll".to_string()];
    let doc = TextRankDocument::new(&ranking, &sources, b.types.clone(), None, &[], Vec::new());
    let (json, term, _) = render(|r, out| r.text_rank(&doc, out).unwrap());
    assert_eq!(json["task"], "ner");
    assert_eq!(json["labels"], serde_json::json!(["LOC", "PER"]));
    assert_eq!(json["best"], "perfect.conll");
    assert_eq!(json["models"][1]["tied_with_best"], false);
    assert!(json.get("paired_ar").is_none());
    assert!(term.contains("60 sentences"), "{term}");
    let page = html(|r, out| r.text_rank(&doc, out).unwrap());
    assert!(page.contains("60 sentences"));
}

//! The HTML report: one self-contained page per document, with inline SVG plots, no script,
//! no external URL, every text escaped, every plot well-formed.

use fteval_core::compare::{compare_classification, verdict};
use fteval_core::rank::rank_models;
use fteval_core::{evaluate_classification, BootstrapConfig, Check, ClassificationInput, Scores, Severity, Task};
use fteval_report::document::{
    BestCheckpointDoc, BootstrapDoc, CalibrationBinDoc, CheckConfigDoc, CheckDocument, CheckVerdict, CompareContext,
    CompareDocument, ComparePlotsDoc, ConfusionDoc, CurvesDocument, FindingDoc, FlaggedDoc, GapDoc, LeakageDocument,
    LeftOutDoc, MetricsDocument, ModelPlotsDoc, Ordered, OverfittingDoc, RankDocument, ReasonDoc, RunDoc,
    ScoreCurvesDoc, SeriesDoc, SettingsDoc, SplitDoc, SummaryDoc, VerdictDoc,
};
use fteval_report::render::html::svg::{self, ForestRow, LineChart, Series, VMarker};
use fteval_report::{Html, Renderer};

const NASTY: &str = "<b>&\"x'</b>";

fn config() -> BootstrapConfig {
    BootstrapConfig { resamples: 50, level: 0.95, seed: 0 }
}

/// A binary model on 200 rows (40% positives), right with probability about `acc`.
fn model(acc: f64, seed: u64) -> ClassificationInput {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut uniform = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let gold: Vec<u32> = (0..200).map(|i| u32::from(i % 5 < 2)).collect();
    let pred: Vec<u32> = gold.iter().map(|&g| if uniform() < acc { g } else { 1 - g }).collect();
    let scores = pred.iter().map(|&p| if p == 1 { 0.5 + 0.5 * uniform() } else { 0.5 * uniform() }).collect();
    ClassificationInput {
        task: Task::Binary,
        labels: vec!["neg".into(), "pos".into()],
        positive: Some(1),
        gold,
        pred,
        scores: Some(Scores::Positive(scores)),
        model_classes: None,
    }
}

fn score_curves(shift: f64) -> ScoreCurvesDoc {
    let roc: Vec<[f64; 2]> = (0..=50).map(|i| i as f64 / 50.0).map(|x| [x, x.powf(0.3 + shift)]).collect();
    let pr: Vec<[f64; 2]> = (0..=50).map(|i| i as f64 / 50.0).map(|r| [r, 1.0 - 0.5 * r * r]).collect();
    let calibration = (0..10)
        .map(|b| {
            let low = b as f64 / 10.0;
            CalibrationBinDoc {
                low,
                high: low + 0.1,
                count: if b == 4 { 0 } else { 5 + 3 * b as u64 },
                mean_predicted: low + 0.05,
                observed: (low + 0.05 + shift).min(1.0),
            }
        })
        .collect();
    ScoreCurvesDoc { roc, pr, positive_rate: Some(0.4), calibration, calibration_observed: "positive_rate" }
}

fn metrics_doc(source: &str, input: &ClassificationInput, shift: f64) -> MetricsDocument {
    let mut doc = MetricsDocument::new(source, evaluate_classification(input, &config()), Vec::new());
    doc.score_curves = Some(score_curves(shift));
    doc
}

fn compare_doc(base: &ClassificationInput, cand: &ClassificationInput) -> CompareDocument {
    let cmp = compare_classification(base, cand, &config(), 30);
    let d = cmp.deltas.iter().find(|d| d.key == "accuracy").unwrap();
    let (v, mde) = verdict(d, 0.0, 0.95);
    let ids: Vec<String> = (0..200).map(|i| format!("r{i}")).collect();
    let text: Vec<String> = (0..200).map(|i| format!("text {i} {NASTY}")).collect();
    let mut doc = CompareDocument::new(
        &cmp,
        CompareContext {
            baseline_source: format!("base{NASTY}.csv"),
            candidate_source: "cand.csv".into(),
            baseline: base,
            candidate: cand,
            ids: Some(&ids),
            text: Some(&text),
            primary: "accuracy".into(),
            verdict: v,
            verdict_detail: VerdictDoc {
                metric: "accuracy".into(),
                margin: 0.0,
                minimum_detectable_effect: mde,
                summary: format!("Summary {NASTY}"),
            },
            profile: None,
            costs: None,
            thresholds: None,
            gates: Vec::new(),
            checks: vec![Check::new("note", Severity::Warn, format!("careful {NASTY}"))],
        },
    );
    let plots = |input: &ClassificationInput, shift: f64| {
        let m = metrics_doc("x", input, shift);
        ModelPlotsDoc { confusion_matrix: m.confusion_matrix, score_curves: m.score_curves }
    };
    doc.plots = Some(ComparePlotsDoc { baseline: plots(base, 0.0), candidate: plots(cand, 0.1) });
    doc
}

fn series(name: &str, split: &'static str, points: Vec<(Option<u64>, Option<f64>, f64)>) -> SeriesDoc {
    SeriesDoc {
        name: name.into(),
        split,
        per_epoch: false,
        count: points.len(),
        first: points.first().map(|p| p.2),
        last: points.last().map(|p| p.2),
        min: None,
        argmin: None,
        max: None,
        non_finite: 0,
        points,
    }
}

fn curves_doc(n: u64) -> CurvesDocument {
    let train: Vec<_> = (0..n).map(|s| (Some(s * 10), None, 2.0 / (1.0 + s as f64 * 0.01))).collect();
    let mut eval: Vec<_> =
        (0..n / 100).map(|k| (Some(k * 1000), None, 1.5 + 0.001 * (k as f64 - 20.0).powi(2))).collect();
    if let Some(p) = eval.get_mut(3) {
        p.2 = f64::NAN;
    }
    CurvesDocument {
        schema: "fteval.curves/v1",
        fteval_version: "0",
        runs: vec![RunDoc {
            source: format!("trainer_state{NASTY}.json"),
            format: "hf".into(),
            restart: 0,
            series: vec![series("loss", "train", train), series("loss", "eval", eval)],
        }],
        findings: vec![FindingDoc {
            id: "overfitting",
            severity: Severity::Warn,
            run: 0,
            series: Some("eval/loss".into()),
            axis: "step",
            range: Some([25_000.0, 40_000.0]),
            message: format!("eval loss rises {NASTY}"),
        }],
        best_checkpoint: Some(BestCheckpointDoc {
            run: 0,
            series: "eval/loss".into(),
            higher_is_better: false,
            step: Some(20_000),
            epoch: None,
            value: 1.5,
            last_step: Some(40_000),
            last_epoch: None,
            last_value: 1.9,
            lost_by_keeping_last: 0.4,
        }),
        checks: Vec::new(),
    }
}

fn split(file: &str) -> SplitDoc {
    SplitDoc {
        file: file.into(),
        rows: 100,
        compared: "text".into(),
        text_fields: vec!["text".into()],
        left_out: vec![LeftOutDoc { column: "topic".into(), reason: "4 distinct values in 100 rows".into() }],
        label_column: Some("label".into()),
        duplicated_rows: 2,
        duplicate_rate: 0.02,
        conflicting_texts: 0,
        near_duplicated_rows: 1,
        near_duplicate_rate: 0.01,
        near_conflicting_rows: 0,
    }
}

fn leakage_doc(flagged: usize) -> LeakageDocument {
    LeakageDocument {
        schema: "fteval.leakage/v1",
        fteval_version: "0",
        train: split("train.csv"),
        test: split(&format!("test{NASTY}.csv")),
        train_rows: 1000,
        test_rows: 100 + flagged,
        settings: SettingsDoc {
            normalize: "default",
            threshold: 0.8,
            num_perm: 128,
            minhash_scheme: "fast",
            shingle_words: 5,
            lsh_bands: 16,
            lsh_rows: 8,
            ngram: 13,
            share_ngram: 8,
        },
        summary: SummaryDoc {
            exact_duplicates: flagged / 2,
            near_duplicates: flagged - flagged / 2,
            contaminated: 0,
            label_conflicts: 1,
            leaked_fraction: flagged as f64 / (100 + flagged) as f64,
            clean_rows: 100,
        },
        test_rows_flagged: (0..flagged)
            .map(|i| FlaggedDoc {
                test_id: format!("t{i}{NASTY}"),
                kind: if i % 2 == 0 { "exact" } else { "near" },
                train_id: Some(format!("tr{i}")),
                jaccard: Some(0.9),
                estimated_jaccard: None,
                containment: None,
                label_conflict: i == 0,
                ngram_share: 1.0,
                longest_shared_run: 12,
            })
            .collect(),
        checks: vec![Check::new("test_leakage", Severity::Fail, "leaks")],
    }
}

fn check_doc() -> CheckDocument {
    let (base, cand) = (model(0.7, 1), model(0.9, 2));
    let mut gaps = Ordered(Vec::new());
    gaps.0.push((
        "accuracy".to_string(),
        GapDoc {
            train: 0.99,
            test: 0.9,
            gap: 0.09,
            ci_low: Some(0.05),
            ci_high: Some(0.13),
            tested: true,
            flagged: true,
        },
    ));
    CheckDocument {
        schema: "fteval.check/v1",
        fteval_version: "0",
        config: CheckConfigDoc {
            path: format!("fteval{NASTY}.toml"),
            profile: None,
            primary_metric: "accuracy".into(),
            gates: vec!["accuracy>=0.8".into()],
            files: Ordered(vec![("baseline".into(), vec!["base.csv".into()])]),
        },
        verdict: CheckVerdict::NeedsAttention,
        summary: format!("NEEDS ATTENTION: overfitting {NASTY}"),
        reasons: vec![ReasonDoc {
            severity: Severity::Warn,
            source: "overfitting",
            id: "overfitting".into(),
            message: format!("gap {NASTY}"),
        }],
        metrics: Ordered(vec![
            ("baseline".into(), metrics_doc("base.csv", &base, 0.0)),
            ("candidate".into(), metrics_doc("cand.csv", &cand, 0.1)),
        ]),
        compare: Some(compare_doc(&base, &cand)),
        text_compare: None,
        overfitting: Some(OverfittingDoc {
            train_source: "train_preds.csv".into(),
            test_source: "cand.csv".into(),
            train_n: 500,
            test_n: 200,
            max_gap: 0.05,
            metrics: gaps,
            bootstrap: BootstrapDoc { resamples: 50, level: 0.95, seed: 0 },
        }),
        curves: Some(curves_doc(4000)),
        leakage: Some(leakage_doc(30)),
        checks: vec![Check::new("wrong_metric", Severity::Info, "fine")],
    }
}

fn render(f: impl Fn(&Html, &mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(&Html, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every `<svg>…</svg>` in the page.
fn svgs(page: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find("<svg") {
        let end = rest[i..].find("</svg>").expect("svg closed") + i + "</svg>".len();
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

/// Checks that the tags of `markup` nest: every start tag closed in order (void HTML
/// elements and self-closing tags excepted), no stray `<` or `>` in text.
fn balanced(markup: &str) -> Result<(), String> {
    const VOID: &[&str] = &["meta", "br", "hr", "img", "link", "input", "col", "wbr", "source"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = markup;
    while let Some(i) = rest.find('<') {
        if rest[..i].contains('>') {
            return Err(format!("stray '>' before {:?}", &rest[i..(i + 40).min(rest.len())]));
        }
        let after = &rest[i + 1..];
        if let Some(body) = after.strip_prefix("!--") {
            let end = body.find("-->").ok_or("unclosed comment")?;
            rest = &body[end + 3..];
            continue;
        }
        let end = after.find('>').ok_or("unclosed tag")?;
        let tag = &after[..end];
        if tag.contains('<') {
            return Err(format!("'<' inside tag {tag:?}"));
        }
        rest = &after[end + 1..];
        if tag.starts_with('!') {
            continue; // doctype
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        // Quotes in attributes must pair.
        if !tag.matches('"').count().is_multiple_of(2) {
            return Err(format!("odd quotes in {tag:?}"));
        }
        let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect::<String>();
        let name = name.to_ascii_lowercase();
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        stack.push(name);
    }
    if rest.contains('>') {
        return Err("stray '>' at the end".into());
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed: {stack:?}"))
    }
}

fn count_plots(page: &str, kind: &str) -> usize {
    page.matches(&format!("data-plot=\"{kind}\"")).count()
}

/// The common contract of every page.
fn assert_page(page: &str) {
    assert!(page.starts_with("<!doctype html>"), "{}", &page[..40.min(page.len())]);
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("<meta name=\"viewport\""));
    assert!(page.contains("<title>"));
    assert_eq!(page.matches("<style>").count(), 1);
    assert!(!page.to_ascii_lowercase().contains("<script"), "no script");
    let urls = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!urls.contains("http://") && !urls.contains("https://"), "no external URL");
    assert!(!page.contains("url("), "no CSS url()");
    assert!(!page.contains("@import"));
    assert!(!page.contains(NASTY), "user text escaped");
    balanced(page).unwrap_or_else(|e| panic!("page tags: {e}"));
    for g in svgs(page) {
        balanced(g).unwrap_or_else(|e| panic!("svg tags: {e}"));
        assert!(g.contains("role=\"img\""));
        assert!(g.contains("aria-label=\""));
        assert!(g.contains("viewBox=\"0 0 "));
        assert!(g.contains("width=\"100%\""));
        assert!(g.contains("class=\"plot\""));
        assert!(g.contains("<title>"));
        for bad in ["NaN", "inf\"", ">inf", "-inf"] {
            assert!(!g.contains(bad), "no non-finite coordinates ({bad})");
        }
    }
    assert!(page.len() < 2_000_000, "page of {} bytes", page.len());
}

#[test]
fn tag_checker_catches_broken_markup() {
    assert!(balanced("<svg><g><rect/></g></svg>").is_ok());
    assert!(balanced("<svg><g></svg>").is_err());
    assert!(balanced("<p>a < b</p>").is_err());
    assert!(balanced("<p>a > b</p>").is_err());
    assert!(balanced("<p title=\"x>y\">").is_err());
}

#[test]
fn metrics_page() {
    let input = model(0.8, 3);
    let mut doc = metrics_doc(&format!("preds{NASTY}.csv"), &input, 0.0);
    doc.checks.push(Check::new("id", Severity::Warn, NASTY));
    let page = render(|r, out| r.metrics(&doc, out));
    assert_page(&page);
    assert_eq!(count_plots(&page, "confusion"), 1);
    assert_eq!(count_plots(&page, "roc"), 1);
    assert_eq!(count_plots(&page, "pr"), 1);
    assert_eq!(count_plots(&page, "calibration"), 1);
    assert!(page.contains("&lt;b&gt;&amp;&quot;x&#39;&lt;/b&gt;"));
    assert!(page.contains("<section id=\"metrics\">"));
    assert!(page.contains(">accuracy<"));
    assert!(page.contains("predicted") && page.contains("gold"));
    // The calibration bin without rows is not drawn: 9 markers.
    let cal = svgs(&page).into_iter().find(|g| g.contains("data-plot=\"calibration\"")).unwrap();
    assert_eq!(cal.matches("<circle").count(), 9 + 1, "9 bins and the legend marker");
}

#[test]
fn metrics_page_without_scores_has_no_score_plots() {
    let mut input = model(0.8, 4);
    input.scores = None;
    let doc = MetricsDocument::new("p.csv", evaluate_classification(&input, &config()), Vec::new());
    let page = render(|r, out| r.metrics(&doc, out));
    assert_page(&page);
    assert_eq!(count_plots(&page, "confusion"), 1);
    assert_eq!(count_plots(&page, "roc") + count_plots(&page, "pr") + count_plots(&page, "calibration"), 0);
}

#[test]
fn compare_page() {
    let doc = compare_doc(&model(0.6, 5), &model(0.95, 6));
    let page = render(|r, out| r.compare(&doc, out));
    assert_page(&page);
    assert_eq!(count_plots(&page, "forest"), 1);
    assert_eq!(count_plots(&page, "confusion"), 2);
    assert_eq!(count_plots(&page, "roc"), 1);
    assert_eq!(count_plots(&page, "pr"), 1);
    assert_eq!(count_plots(&page, "calibration"), 1);
    assert!(page.contains("IMPROVED"));
    assert!(page.contains("McNemar"));
    // At most 20 flip examples.
    let flips = page.split("<h4>Examples").nth(1).unwrap().split("</table>").next().unwrap();
    assert!(doc.flips.examples.len() > 20, "the test needs more than 20 flips");
    assert_eq!(flips.matches("<tr>").count(), 1 + 20);
    // Accuracy went up: its dot is right of zero and it reads "improved".
    let forest = svgs(&page).into_iter().find(|g| g.contains("data-plot=\"forest\"")).unwrap();
    let (dot, zero) = forest_positions(forest, "accuracy");
    assert!(dot > zero, "accuracy dot at {dot}, zero at {zero}");
    assert!(forest.contains("data-metric=\"accuracy\" data-direction=\"improved\""));
    // Log loss fell (better): left of zero, and still "improved".
    let ll = doc.metrics.get("log_loss").unwrap();
    if ll.ci_high.is_some_and(|h| h < 0.0) {
        let (dot, zero) = forest_positions(forest, "log_loss");
        assert!(dot < zero);
        assert!(forest.contains("data-metric=\"log_loss\" data-direction=\"improved\""));
    }
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!(" {name}=\"");
    let i = tag.find(&key).unwrap_or_else(|| panic!("{name} in {tag}")) + key.len();
    tag[i..].split('"').next().unwrap().parse().unwrap()
}

/// The x of a metric's dot and of the zero line in a forest plot.
fn forest_positions(forest: &str, metric: &str) -> (f64, f64) {
    let zero_tag = forest.split("data-role=\"zero\"").nth(1).unwrap().split('>').next().unwrap();
    let zero = attr(&format!(" {zero_tag}"), "x1");
    let group = forest.split(&format!("data-metric=\"{metric}\"")).nth(1).unwrap().split("</g>").next().unwrap();
    let circle = group.split("<circle").nth(1).unwrap().split('>').next().unwrap();
    (attr(circle, "cx"), zero)
}

#[test]
fn forest_plot_sides_and_directions() {
    let rows = vec![
        ForestRow {
            metric: "f1".into(),
            delta: Some(0.05),
            ci_low: Some(0.01),
            ci_high: Some(0.09),
            higher_is_better: true,
            primary: true,
        },
        ForestRow {
            metric: "log_loss".into(),
            delta: Some(0.2),
            ci_low: Some(0.1),
            ci_high: Some(0.3),
            higher_is_better: false,
            primary: false,
        },
        ForestRow {
            metric: "ece".into(),
            delta: Some(-0.01),
            ci_low: Some(-0.03),
            ci_high: Some(0.02),
            higher_is_better: false,
            primary: false,
        },
        ForestRow {
            metric: "nan".into(),
            delta: Some(f64::NAN),
            ci_low: None,
            ci_high: None,
            higher_is_better: true,
            primary: false,
        },
    ];
    let g = svg::forest_plot("deltas", &rows);
    balanced(&g).unwrap();
    let (dot, zero) = forest_positions(&g, "f1");
    assert!(dot > zero);
    let (dot, zero) = forest_positions(&g, "log_loss");
    assert!(dot > zero);
    assert!(g.contains("data-metric=\"f1\" data-direction=\"improved\""));
    assert!(g.contains("data-metric=\"log_loss\" data-direction=\"worse\""));
    assert!(g.contains("data-metric=\"ece\" data-direction=\"no clear change\""));
    assert!(g.contains("font-weight=\"bold\">f1 (primary)"));
    assert!(g.contains("change (candidate − baseline)"));
    assert!(!g.contains("NaN"));
    // No rows at all still draws.
    balanced(&svg::forest_plot("none", &[])).unwrap();
}

#[test]
fn line_chart_survives_degenerate_data() {
    let cases: Vec<Vec<(f64, f64)>> = vec![
        vec![],
        vec![(1.0, 2.0)],
        vec![(0.0, 3.0), (1.0, 3.0), (2.0, 3.0)],
        vec![(f64::NAN, 1.0), (1.0, f64::NAN), (f64::INFINITY, 0.0), (2.0, 1.0)],
        vec![(0.0, -1e120), (1.0, 1e120), (2.0, 1e300)],
        vec![(0.0, 1e-9), (1.0, 2e-9)],
        vec![(5.0, 5.0), (5.0, 5.0)],
    ];
    for points in cases {
        let chart = LineChart {
            kind: "loss",
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![Series {
                label: NASTY.into(),
                points: points.clone(),
                color: svg::BLUE,
                dash: Some(svg::DASHED),
                line: true,
                markers: vec![3.0; points.len()],
            }],
            diagonal: Some("d".into()),
            hline: Some((f64::NAN, "h".into())),
            vmarkers: vec![VMarker { x: 1.0, label: NASTY.into(), color: svg::GREEN, dash: None }],
            x_range: None,
            y_range: None,
        };
        let g = svg::line_chart(&chart);
        balanced(&g).unwrap_or_else(|e| panic!("{points:?}: {e}"));
        for bad in ["NaN", "inf\"", ">inf", "-inf"] {
            assert!(!g.contains(bad), "{points:?}: {bad} in {g}");
        }
        assert!(!g.contains(NASTY));
    }
}

#[test]
fn confusion_matrix_degenerate_and_many_classes() {
    let empty = ConfusionDoc::dense(vec![], vec![]);
    balanced(&svg::confusion_matrix(&empty, "e")).unwrap();
    let zero_row = ConfusionDoc::dense(vec!["a".into(), "b".into()], vec![vec![0, 0], vec![3, 5]]);
    let g = svg::confusion_matrix(&zero_row, "z");
    balanced(&g).unwrap();
    assert!(g.contains("62.5%"), "row share of 5 in 8");
    let k = 200;
    let labels: Vec<String> = (0..k).map(|i| format!("a very long class label number {i}")).collect();
    let matrix: Vec<Vec<u64>> = (0..k).map(|i| (0..k).map(|j| u64::from(i == j) * (i as u64 + 1)).collect()).collect();
    let g = svg::confusion_matrix(&ConfusionDoc::dense(labels, matrix), "many");
    balanced(&g).unwrap();
    assert!(g.len() < 400_000, "{} bytes", g.len());
    assert!(g.contains("Showing the 30 of 200 classes"));
    assert!(g.contains("<title>a very long class label number 199</title>"), "full label as tooltip");
}

#[test]
fn rank_page() {
    let inputs = vec![model(0.7, 7), model(0.9, 8), model(0.8, 9)];
    let ranking = rank_models(&inputs, "accuracy", &config()).unwrap();
    let sources: Vec<String> = vec![format!("a{NASTY}.csv"), "b.csv".into(), "c.csv".into()];
    let doc = RankDocument::new(&ranking, &sources, None, Vec::new());
    let page = render(|r, out| r.rank(&doc, out));
    assert_page(&page);
    assert!(page.contains("<section id=\"rank\">"));
    assert!(page.contains("Leaderboard"));
    assert!(page.contains("b.csv"));
}

#[test]
fn curves_page() {
    let doc = curves_doc(50_000);
    let page = render(|r, out| r.curves(&doc, out));
    assert_page(&page);
    assert_eq!(count_plots(&page, "loss"), 1);
    let g = svgs(&page).into_iter().find(|g| g.contains("data-plot=\"loss\"")).unwrap();
    assert!(g.contains("best checkpoint (step 20000)"));
    assert!(g.contains("overfitting onset (step 25000)"));
    // 50,000 train points are thinned to 1000.
    let train = g.split("<path d=\"").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(train.matches('L').count(), 999);
    assert!(page.contains("Best checkpoint"));
}

#[test]
fn curves_page_with_empty_and_single_point_runs() {
    let mut doc = curves_doc(0);
    doc.runs[0].series = vec![series("loss", "train", vec![(Some(1), None, 0.5)])];
    doc.best_checkpoint = None;
    let page = render(|r, out| r.curves(&doc, out));
    assert_page(&page);
    doc.runs[0].series.clear();
    doc.runs.push(RunDoc { source: "x".into(), format: "csv".into(), restart: 1, series: Vec::new() });
    let page = render(|r, out| r.curves(&doc, out));
    assert_page(&page);
    assert_eq!(count_plots(&page, "loss"), 0);
}

#[test]
fn leakage_page() {
    let doc = leakage_doc(57);
    let page = render(|r, out| r.leakage(&doc, out));
    assert_page(&page);
    assert_eq!(count_plots(&page, "leakage"), 1);
    let rows = page.split("Flagged test rows").nth(1).unwrap().split("</table>").next().unwrap();
    assert_eq!(rows.matches("<tr>").count(), 1 + 20);
    assert!(page.contains("Showing the first 20 of 57"));
    let empty = leakage_doc(0);
    let mut empty = empty;
    empty.summary.clean_rows = 0;
    empty.test_rows = 0;
    assert_page(&render(|r, out| r.leakage(&empty, out)));
}

#[test]
fn check_page() {
    let doc = check_doc();
    let page = render(|r, out| r.check(&doc, out));
    assert_page(&page);
    assert!(page.contains("NEEDS ATTENTION"));
    assert!(page.contains("class=\"banner v-needs_attention\""));
    for id in ["reasons", "models", "compare", "overfitting", "curves", "leakage", "checks"] {
        assert!(page.contains(&format!("<section id=\"{id}\">")), "section {id}");
        assert!(page.contains(&format!("<a href=\"#{id}\">")), "toc {id}");
    }
    assert_eq!(count_plots(&page, "confusion"), 2);
    assert_eq!(count_plots(&page, "forest"), 1);
    assert_eq!(count_plots(&page, "roc"), 1);
    assert_eq!(count_plots(&page, "pr"), 1);
    assert_eq!(count_plots(&page, "calibration"), 1);
    assert_eq!(count_plots(&page, "loss"), 1);
    assert_eq!(count_plots(&page, "leakage"), 1);
    // Baseline dashed and candidate solid on the ROC plot.
    let roc = svgs(&page).into_iter().find(|g| g.contains("data-plot=\"roc\"")).unwrap();
    assert_eq!(roc.matches("<path").count(), 2);
    assert!(roc.contains(&format!(
        "stroke=\"{}\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-dasharray",
        svg::ORANGE
    )));
    for v in [CheckVerdict::Ship, CheckVerdict::DoNotShip] {
        let mut d = check_doc();
        d.verdict = v;
        let page = render(|r, out| r.check(&d, out));
        assert_page(&page);
        assert!(page.contains(v.headline()));
    }
}

#[test]
fn check_page_with_metrics_only() {
    let mut doc = check_doc();
    doc.compare = None;
    doc.curves = None;
    doc.leakage = None;
    doc.overfitting = None;
    doc.metrics.0[0].1.score_curves = None;
    let page = render(|r, out| r.check(&doc, out));
    assert_page(&page);
    assert_eq!(count_plots(&page, "confusion"), 2);
    assert_eq!(count_plots(&page, "roc"), 1);
    assert_eq!(count_plots(&page, "forest"), 0);
    assert!(!page.contains("<section id=\"compare\">"));
}

/// With HTML_DUMP=dir, writes sample pages there to look at in a browser.
#[test]
fn dump_pages_when_asked() {
    let Ok(dir) = std::env::var("HTML_DUMP") else { return };
    let doc = check_doc();
    std::fs::write(format!("{dir}/check.html"), render(|r, out| r.check(&doc, out))).unwrap();
    let doc = compare_doc(&model(0.6, 5), &model(0.95, 6));
    std::fs::write(format!("{dir}/compare.html"), render(|r, out| r.compare(&doc, out))).unwrap();
    let doc = metrics_doc("m.csv", &model(0.8, 3), 0.0);
    std::fs::write(format!("{dir}/metrics.html"), render(|r, out| r.metrics(&doc, out))).unwrap();
}

//! What the plots of a report need, aggregated: score curves thinned to a few hundred points,
//! reliability bins, confusion matrices. Never a row dump, so reports stay small at any n.

use serde::Serialize;

use super::ConfusionDoc;

/// Points kept of a ROC or precision-recall curve.
pub const CURVE_POINTS: usize = 200;

/// One model's score curves (binary tasks with scores; multiclass gets calibration only).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScoreCurvesDoc {
    /// ROC curve as [false positive rate, true positive rate], from (0, 0) to (1, 1).
    pub roc: Vec<[f64; 2]>,
    /// Precision-recall curve as [recall, precision], in order of decreasing threshold.
    pub pr: Vec<[f64; 2]>,
    /// Share of positives: the precision of a random ranking (the PR plot's floor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive_rate: Option<f64>,
    /// Reliability diagram: 10 equal-width bins of the predicted probability (binary: of the
    /// positive class, against the share of positives; multiclass: of the top class, against accuracy).
    pub calibration: Vec<CalibrationBinDoc>,
    /// What the calibration bins compare: "positive_rate" or "accuracy".
    pub calibration_observed: &'static str,
}

/// One bin of a reliability diagram.
#[derive(Clone, Debug, Serialize)]
pub struct CalibrationBinDoc {
    pub low: f64,
    pub high: f64,
    pub count: u64,
    /// Mean predicted probability of the rows in the bin.
    pub mean_predicted: f64,
    /// Observed share of positives (or of correct predictions) in the bin.
    pub observed: f64,
}

/// What a report plots for one model.
#[derive(Clone, Debug, Serialize)]
pub struct ModelPlotsDoc {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confusion_matrix: Option<ConfusionDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_curves: Option<ScoreCurvesDoc>,
}

/// Both models' plots in a comparison.
#[derive(Clone, Debug, Serialize)]
pub struct ComparePlotsDoc {
    pub baseline: ModelPlotsDoc,
    pub candidate: ModelPlotsDoc,
}

impl From<&fteval_core::metrics::score_curves::ScoreCurves> for ScoreCurvesDoc {
    fn from(c: &fteval_core::metrics::score_curves::ScoreCurves) -> ScoreCurvesDoc {
        ScoreCurvesDoc {
            roc: c.roc.iter().map(|&(x, y)| [x, y]).collect(),
            pr: c.pr.iter().map(|&(x, y)| [x, y]).collect(),
            positive_rate: c.positive_rate,
            calibration: c
                .calibration
                .iter()
                .map(|b| CalibrationBinDoc {
                    low: b.low,
                    high: b.high,
                    count: b.count,
                    mean_predicted: b.mean_predicted,
                    observed: b.observed,
                })
                .collect(),
            calibration_observed: if c.calibration_is_accuracy { "accuracy" } else { "positive_rate" },
        }
    }
}

impl ScoreCurvesDoc {
    /// The plot data of a classification input's scores (None without scores).
    pub fn of(input: &fteval_core::ClassificationInput) -> Option<ScoreCurvesDoc> {
        fteval_core::metrics::score_curves::score_curves(input, CURVE_POINTS).as_ref().map(ScoreCurvesDoc::from)
    }
}

impl ComparePlotsDoc {
    /// Both models' confusion matrices (from their evaluations) and score curves (from their inputs).
    pub fn of(
        baseline: (&fteval_core::ClassificationInput, &fteval_core::Evaluation),
        candidate: (&fteval_core::ClassificationInput, &fteval_core::Evaluation),
    ) -> ComparePlotsDoc {
        let model = |(input, eval): (&fteval_core::ClassificationInput, &fteval_core::Evaluation)| ModelPlotsDoc {
            confusion_matrix: eval.confusion.as_ref().map(|cm| ConfusionDoc::of(eval.labels.clone(), cm)),
            score_curves: ScoreCurvesDoc::of(input),
        };
        ComparePlotsDoc { baseline: model(baseline), candidate: model(candidate) }
    }
}

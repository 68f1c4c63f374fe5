//! Gates a CI job enforces: absolute requirements on the candidate (`recall>=0.85`) and
//! non-inferiority against the baseline (`f1=0.01`: not worse by more than 0.01, with confidence).

use crate::compare::Delta;

/// A comparison operator of a requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
        }
    }

    fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Op::Ge => value >= threshold,
            Op::Gt => value > threshold,
            Op::Le => value <= threshold,
            Op::Lt => value < threshold,
        }
    }
}

/// `metric OP threshold` on the candidate's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    pub metric: String,
    pub op: Op,
    pub threshold: f64,
}

/// The candidate may be worse than the baseline on `metric` by at most `margin`.
#[derive(Clone, Debug, PartialEq)]
pub struct MaxRegression {
    pub metric: String,
    pub margin: f64,
}

/// One gate's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct GateResult {
    /// The gate as written, e.g. `recall>=0.85`.
    pub gate: String,
    pub metric: String,
    pub passed: bool,
    pub message: String,
}

/// Parses `recall>=0.85` (operators >=, >, <=, <; `=` is read as >=).
pub fn parse_requirement(s: &str) -> Result<Requirement, String> {
    let bad = || format!("'{s}' is not a requirement like recall>=0.85");
    let (at, op, len) = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Ge)]
        .iter()
        .find_map(|&(sym, op)| s.find(sym).map(|i| (i, op, sym.len())))
        .ok_or_else(bad)?;
    let metric = s[..at].trim().to_string();
    let threshold: f64 = s[at + len..].trim().parse().map_err(|_| bad())?;
    if metric.is_empty() || !threshold.is_finite() {
        return Err(bad());
    }
    Ok(Requirement { metric, op, threshold })
}

/// Parses `f1=0.01` (the largest tolerated drop).
pub fn parse_max_regression(s: &str) -> Result<MaxRegression, String> {
    let bad = || format!("'{s}' is not a tolerated drop like f1=0.01");
    let (metric, margin) = s.split_once('=').ok_or_else(bad)?;
    let metric = metric.trim().to_string();
    let margin: f64 = margin.trim().parse().map_err(|_| bad())?;
    if metric.is_empty() || !(margin >= 0.0 && margin.is_finite()) {
        return Err(bad());
    }
    Ok(MaxRegression { metric, margin })
}

/// A requirement checked on the candidate's point value.
pub fn check_requirement(r: &Requirement, d: &Delta) -> GateResult {
    let gate = format!("{}{}{}", r.metric, r.op.as_str(), r.threshold);
    let passed = !d.candidate.is_nan() && r.op.holds(d.candidate, r.threshold);
    let message = if passed {
        format!("{} is {:.4} ({} {})", r.metric, d.candidate, r.op.as_str(), r.threshold)
    } else {
        format!("{} is {:.4}, required {} {}", r.metric, d.candidate, r.op.as_str(), r.threshold)
    };
    GateResult { gate, metric: r.metric.clone(), passed, message }
}

/// Non-inferiority: passes when the interval of the improvement lies above −margin, i.e. the
/// data rule out a drop larger than the margin. Without an interval it cannot pass.
pub fn check_max_regression(m: &MaxRegression, d: &Delta) -> GateResult {
    let gate = format!("{}={}", m.metric, m.margin);
    // The worst plausible change, in the metric's own units, and the drop it means.
    let worst = match (d.ci_low, d.ci_high) {
        (Some(lo), Some(hi)) => Some(if d.higher_is_better { (lo, -lo) } else { (hi, hi) }),
        _ => None,
    };
    let (passed, message) = match worst {
        Some((change, drop)) if drop <= m.margin => (
            true,
            format!(
                "{}: the worst plausible change is {change:+.4}, within the tolerated worsening of {}",
                m.metric, m.margin
            ),
        ),
        Some((change, _)) => (
            false,
            format!(
                "{}: changed by {:+.4}, and a change of {change:+.4} is plausible (CI), worse than the tolerated {}",
                m.metric, d.delta, m.margin
            ),
        ),
        None => {
            (false, format!("{}: no confidence interval, so a drop beyond {} cannot be ruled out", m.metric, m.margin))
        }
    };
    GateResult { gate, metric: m.metric.clone(), passed, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(baseline: f64, candidate: f64, low: f64, high: f64, higher: bool) -> Delta {
        let mut d = Delta::point_only("f1", baseline, candidate, higher, None);
        d.ci_low = Some(low);
        d.ci_high = Some(high);
        d
    }

    #[test]
    fn parses_gates() {
        assert_eq!(
            // The name as written: it is matched to a metric key later (exactly, else ignoring case).
            parse_requirement("rougeL>=0.85").unwrap(),
            Requirement { metric: "rougeL".into(), op: Op::Ge, threshold: 0.85 }
        );
        assert_eq!(parse_requirement("log_loss < 0.3").unwrap().op, Op::Lt);
        assert!(parse_requirement("recall").is_err());
        assert!(parse_requirement(">=0.3").is_err());
        assert!(parse_requirement("f1>=high").is_err());
        assert_eq!(parse_max_regression("f1=0.01").unwrap(), MaxRegression { metric: "f1".into(), margin: 0.01 });
        assert!(parse_max_regression("f1=-1").is_err());
    }

    #[test]
    fn requirement_uses_the_candidate_value() {
        let r = parse_requirement("f1>=0.9").unwrap();
        assert!(check_requirement(&r, &delta(0.5, 0.91, 0.0, 0.1, true)).passed);
        assert!(!check_requirement(&r, &delta(0.95, 0.89, 0.0, 0.1, true)).passed);
    }

    #[test]
    fn non_inferiority_uses_the_interval() {
        let m = parse_max_regression("f1=0.01").unwrap();
        assert!(check_max_regression(&m, &delta(0.8, 0.8, -0.005, 0.01, true)).passed);
        assert!(!check_max_regression(&m, &delta(0.8, 0.8, -0.02, 0.01, true)).passed);
        // Losses: a rise is a regression.
        assert!(!check_max_regression(&m, &delta(0.3, 0.3, -0.01, 0.02, false)).passed);
        assert!(check_max_regression(&m, &delta(0.3, 0.3, -0.01, 0.005, false)).passed);
    }
}

//! The allowed range of every numeric setting, in one place: the flags' parsers (clap
//! `value_parser`) and the fteval.toml keys are judged by the same rule, and each error says the
//! range and what the number is for.

/// Why a value is not allowed: the range it must lie in, and what the number is for.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfRange {
    /// "must be a whole number from 0 to 1000000".
    pub why: String,
    pub advice: &'static str,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; {}", self.why, self.advice)
    }
}

impl std::error::Error for OutOfRange {}

/// A whole-number setting: its bounds and what the number does.
pub struct Count {
    pub min: u64,
    pub max: u64,
    /// What the number is for, with a sensible value.
    pub advice: &'static str,
}

/// A real-valued setting: finite, within bounds that are open or closed.
pub struct Real {
    pub min: f64,
    pub max: f64,
    pub min_open: bool,
    pub max_open: bool,
    pub advice: &'static str,
}

/// Bootstrap resamples: 0 turns intervals off; the maximum bounds memory (one value per metric
/// per resample).
pub const BOOTSTRAP: Count = Count {
    min: 0,
    max: 1_000_000,
    advice: "0 turns the intervals off; 1000 (the default) gives stable 95% intervals, 10000 is plenty for publication",
};
pub const SEED: Count =
    Count { min: 0, max: u64::MAX, advice: "any whole number; the same seed gives the same report" };
/// A loss at ln(1) = 0 is no chance level: at least two classes.
pub const CLASSES: Count = Count {
    min: 2,
    max: u64::MAX,
    advice:
        "the number of classes (or the vocabulary size of a language model), whose ln is the loss of a uniform guess",
};
/// MinHash permutations: the signatures take `num_perm` numbers per row, so the maximum bounds
/// their memory (65536 × 8 bytes per row).
pub const NUM_PERM: Count = Count {
    min: 1,
    max: 65_536,
    advice: "128 (the default) estimates a Jaccard similarity within about ±0.04; 256 or 512 for a finer one",
};
pub const NGRAM: Count =
    Count { min: 1, max: 1024, advice: "the contamination n-gram length in words; GPT-3 used 13 (the default)" };
pub const EXAMPLES: Count =
    Count { min: 0, max: 1_000_000, advice: "the flipped examples listed of each kind; 10 is the default" };

/// A confidence level.
pub const LEVEL: Real = Real::open(0.0, 1.0, "e.g. 0.95 for 95% intervals");
/// A share or rate in [0, 1] (leaked share, train–test gap, recall, precision).
pub const FRACTION: Real = Real::closed(0.0, 1.0, "a fraction between 0 and 1, e.g. 0.01 (1%)");
pub const MIN_RATE: Real = Real::closed(0.0, 1.0, "a recall or precision between 0 and 1, e.g. 0.9");
/// A Jaccard similarity from which a pair is a near duplicate.
pub const JACCARD: Real = Real {
    min: 0.0,
    max: 1.0,
    min_open: true,
    max_open: false,
    advice: "a Jaccard similarity: 0.8 (the default) flags pairs sharing most of their 5-word shingles",
};
pub const MARGIN: Real =
    Real::at_least(0.0, "the smallest improvement of the primary metric worth shipping, e.g. 0.01");
pub const COST: Real = Real::at_least(0.0, "the cost of one error, e.g. fp = 1 and fn = 20");

impl Count {
    /// "a whole number from 0 to 1000000" / "a whole number, at least 2" / "…, 0 or more".
    pub fn describe(&self) -> String {
        if self.max == u64::MAX && self.min == 0 {
            "a whole number, 0 or more".to_string()
        } else if self.max == u64::MAX {
            format!("a whole number, at least {}", self.min)
        } else {
            format!("a whole number from {} to {}", self.min, self.max)
        }
    }

    fn out_of_range(&self) -> OutOfRange {
        OutOfRange { why: format!("must be {}", self.describe()), advice: self.advice }
    }

    /// The value `text` names, or why it is not allowed (negative numbers and numbers too
    /// large for any integer type included).
    pub fn parse(&self, text: &str) -> Result<u64, OutOfRange> {
        let t = text.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.out_of_range());
        }
        match t.parse::<i128>() {
            Ok(v) if v >= self.min as i128 && v <= self.max as i128 => Ok(v as u64),
            _ => Err(self.out_of_range()),
        }
    }

    /// A clap value parser for a flag of this range.
    pub fn parser<T: TryFrom<u64>>(&'static self) -> impl Fn(&str) -> Result<T, OutOfRange> + Clone + Send + Sync {
        move |text| self.parse(text).and_then(|v| T::try_from(v).map_err(|_| self.out_of_range()))
    }
}

impl Real {
    const fn open(min: f64, max: f64, advice: &'static str) -> Real {
        Real { min, max, min_open: true, max_open: true, advice }
    }

    const fn closed(min: f64, max: f64, advice: &'static str) -> Real {
        Real { min, max, min_open: false, max_open: false, advice }
    }

    const fn at_least(min: f64, advice: &'static str) -> Real {
        Real { min, max: f64::INFINITY, min_open: false, max_open: true, advice }
    }

    /// "a number in (0, 1)" / "a finite number, 0 or more".
    pub fn describe(&self) -> String {
        if self.max == f64::INFINITY {
            let more = if self.min_open { "more than" } else { "or more" };
            return if self.min_open {
                format!("a finite number {more} {}", self.min)
            } else {
                format!("a finite number, {} {more}", self.min)
            };
        }
        let (open, close) = (if self.min_open { '(' } else { '[' }, if self.max_open { ')' } else { ']' });
        format!("a number in {open}{}, {}{close}", self.min, self.max)
    }

    /// `v` when it lies in the range, else why not (NaN and infinities are never allowed).
    pub fn check(&self, v: f64) -> Result<f64, OutOfRange> {
        let above_min = if self.min_open { v > self.min } else { v >= self.min };
        let below_max = if self.max_open { v < self.max } else { v <= self.max };
        if v.is_finite() && above_min && below_max {
            Ok(v)
        } else {
            Err(OutOfRange { why: format!("must be {}", self.describe()), advice: self.advice })
        }
    }

    /// The value `text` names, or why it is not allowed.
    pub fn parse(&self, text: &str) -> Result<f64, OutOfRange> {
        self.check(text.trim().parse().unwrap_or(f64::NAN))
    }

    /// A clap value parser for a flag of this range.
    pub fn parser(&'static self) -> impl Fn(&str) -> Result<f64, OutOfRange> + Clone + Send + Sync {
        move |text| self.parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_reject_negative_fractional_and_huge_values_with_the_range() {
        assert_eq!(BOOTSTRAP.parse("0"), Ok(0));
        assert_eq!(BOOTSTRAP.parse("1000000"), Ok(1_000_000));
        for bad in ["-1", "1000001", "99999999999999999999999999999999999999999999", "-0x1"] {
            let e = BOOTSTRAP.parse(bad).unwrap_err().why;
            assert!(e.contains("from 0 to 1000000"), "{bad}: {e}");
        }
        assert!(BOOTSTRAP.parse("1.5").unwrap_err().why.contains("whole number"));
        assert!(CLASSES.parse("1").unwrap_err().why.contains("at least 2"));
        assert_eq!(SEED.parse("18446744073709551615"), Ok(u64::MAX));
        assert!(SEED.parse("-1").unwrap_err().why.contains("a whole number, 0 or more"));
        assert!(NUM_PERM.parse("65537").unwrap_err().why.contains("from 1 to 65536"));
    }

    #[test]
    fn reals_reject_nan_infinities_and_values_outside_the_bounds() {
        assert_eq!(LEVEL.parse("0.95"), Ok(0.95));
        for bad in ["0", "1", "nan", "inf", "-0.5", "x"] {
            assert!(LEVEL.parse(bad).unwrap_err().why.contains("a number in (0, 1)"), "{bad}");
        }
        assert_eq!(JACCARD.check(1.0), Ok(1.0));
        assert!(JACCARD.check(0.0).is_err());
        assert_eq!(MARGIN.check(0.0), Ok(0.0));
        for bad in [-0.01, f64::NAN, f64::INFINITY] {
            assert!(MARGIN.check(bad).unwrap_err().why.contains("a finite number, 0 or more"), "{bad}");
        }
        assert!(FRACTION.check(1.5).unwrap_err().why.contains("[0, 1]"));
    }
}

//! Uncertain parameters: the distributions of MODEL.md §5 and the provenance tags every value carries.
//!
//! A `Dist` describes what an analyst believes about one parameter; the central run of
//! `urbsim run` uses each parameter's central value, and Monte Carlo sweeps sample the `Dist`.

use std::fmt;

/// Provenance of a value (MODEL.md: "every number carries one tag").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tag {
    /// Sourced: the source is named.
    S,
    /// Derived by arithmetic from sourced values.
    D,
    /// Assumption: a placeholder to sweep or replace.
    A,
    /// Calibrated against published statistics.
    C,
    /// To be loaded from city departments; the value is a placeholder.
    L,
}

impl Tag {
    /// Parses the one-letter tag.
    pub fn parse(s: &str) -> Option<Tag> {
        Some(match s {
            "S" => Tag::S,
            "D" => Tag::D,
            "A" => Tag::A,
            "C" => Tag::C,
            "L" => Tag::L,
            _ => return None,
        })
    }

    /// Whether a planner should read the value as an assumption rather than a fact.
    pub fn is_assumption(self) -> bool {
        matches!(self, Tag::A | Tag::L)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Tag::S => "S",
            Tag::D => "D",
            Tag::A => "A",
            Tag::C => "C",
            Tag::L => "L",
        };
        f.write_str(s)
    }
}

/// A probability distribution for one uncertain parameter.
///
/// Invariants (checked by [`Dist::check`]): bounds ordered, spreads positive, modes inside.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Triangular on `[low, high]` with mode `mode`.
    Triangular {
        /// Lower bound.
        low: f64,
        /// Mode.
        mode: f64,
        /// Upper bound.
        high: f64,
    },
    /// PERT (scaled beta) on `[low, high]` with mode `mode`.
    Pert {
        /// Lower bound.
        low: f64,
        /// Mode.
        mode: f64,
        /// Upper bound.
        high: f64,
    },
    /// Normal.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Normal truncated to `[low, high]`.
    TruncNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Lognormal with the given median and log-scale sd.
    LogNormal {
        /// Median.
        median: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Beta on [0, 1] given by its mean and standard deviation.
    Beta {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// One of a list of values, equally likely.
    Choice {
        /// The values.
        values: Vec<f64>,
    },
}

impl Dist {
    /// Checks the invariants; the error says what is wrong in words a data editor can act on.
    pub fn check(&self) -> Result<(), String> {
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        match self {
            Dist::Uniform { low, high } if !(finite(&[*low, *high]) && low < high) => {
                Err(format!("uniform needs low < high, got low = {low}, high = {high}"))
            }
            Dist::Triangular { low, mode, high } | Dist::Pert { low, mode, high }
                if !(finite(&[*low, *mode, *high]) && low < high && low <= mode && mode <= high) =>
            {
                Err(format!("needs low <= mode <= high and low < high, got {low}, {mode}, {high}"))
            }
            Dist::Normal { sd, .. } | Dist::LogNormal { sigma: sd, .. } if !(sd.is_finite() && *sd > 0.0) => {
                Err(format!("spread must be positive, got {sd}"))
            }
            Dist::TruncNormal { sd, low, high, .. } if !(*sd > 0.0 && low < high) => {
                Err(format!("truncated normal needs sd > 0 and low < high, got sd = {sd}, [{low}, {high}]"))
            }
            Dist::Beta { mean, sd } if !(*mean > 0.0 && *mean < 1.0 && *sd > 0.0 && sd * sd < mean * (1.0 - mean)) => {
                Err(format!("beta needs 0 < mean < 1 and 0 < sd² < mean (1 - mean), got mean = {mean}, sd = {sd}"))
            }
            Dist::LogNormal { median, .. } if *median <= 0.0 => {
                Err(format!("lognormal median must be positive, got {median}"))
            }
            Dist::Choice { values } if values.is_empty() => Err("choice needs at least one value".to_string()),
            _ => Ok(()),
        }
    }

    /// Smallest and largest value the distribution can produce (infinite for unbounded tails).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Uniform { low, high }
            | Dist::Triangular { low, high, .. }
            | Dist::Pert { low, high, .. }
            | Dist::TruncNormal { low, high, .. } => (*low, *high),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
            Dist::Beta { .. } => (0.0, 1.0),
            Dist::Choice { values } => (
                values.iter().copied().fold(f64::INFINITY, f64::min),
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        }
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dist::Uniform { low, high } => write!(f, "U({low}, {high})"),
            Dist::Triangular { low, mode, high } => write!(f, "Tri({low}, {mode}, {high})"),
            Dist::Pert { low, mode, high } => write!(f, "PERT({low}, {mode}, {high})"),
            Dist::Normal { mean, sd } => write!(f, "N({mean}, {sd})"),
            Dist::TruncNormal { mean, sd, low, high } => write!(f, "TN({mean}, {sd}; {low}, {high})"),
            Dist::LogNormal { median, sigma } => write!(f, "LogN(median {median}, σ {sigma})"),
            Dist::Beta { mean, sd } => write!(f, "Beta(mean {mean}, sd {sd})"),
            Dist::Choice { values } => {
                let v: Vec<String> = values.iter().map(|x| x.to_string()).collect();
                write!(f, "one of {{{}}}", v.join(", "))
            }
        }
    }
}

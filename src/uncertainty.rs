//! Uncertain parameters: the distributions of MODEL.md §5, the provenance tags every value carries,
//! and the sampling machinery sweeps build on.
//!
//! A `Dist` describes what an analyst believes about one parameter; the central run of
//! `urbsim run` uses each parameter's central value ([`Dist::central`], the median), and Monte
//! Carlo sweeps sample the `Dist` through its inverse CDF ([`Dist::quantile`]), so that any
//! uniform design (plain Monte Carlo, Latin hypercube, rank-correlated) maps onto every variant.
//!
//! * Latin hypercube sampling needs no stored N×P design: [`lhs_stratum`] is a keyed pseudo-random
//!   permutation of the strata `0..n` evaluated one draw at a time (a Feistel network with
//!   cycle-walking), so draw `i` of parameter `k` is computed from `(key, i)` alone and a sweep of
//!   a million draws holds nothing per draw. [`lhs_uniform`] adds the jitter inside the stratum.
//! * Rank correlation between parameters follows Iman & Conover (1982): [`RankCorrelation`] holds
//!   a validated target matrix and [`iman_conover`] reorders a block of uniforms so its rank
//!   correlation approaches the target while each column keeps exactly its values (marginals, and
//!   hence the Latin hypercube strata, are untouched).
//! * [`splitmix64`] is the shared 64-bit mixer used to derive keys and hashes.

use std::fmt;

use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::beta::{beta_reg, ln_beta};

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
        // Every number must be a number; centres and spreads must be finite (a truncated
        // normal's bounds may be infinite, meaning no bound on that side).
        let (numbers, centres): (Vec<f64>, Vec<f64>) = match self {
            Dist::Uniform { low, high } => (vec![*low, *high], vec![*low, *high]),
            Dist::Triangular { low, mode, high } | Dist::Pert { low, mode, high } => {
                (vec![*low, *mode, *high], vec![*low, *mode, *high])
            }
            Dist::Normal { mean, sd } => (vec![*mean, *sd], vec![*mean, *sd]),
            Dist::LogNormal { median, sigma } => (vec![*median, *sigma], vec![*median, *sigma]),
            Dist::TruncNormal { mean, sd, low, high } => (vec![*mean, *sd, *low, *high], vec![*mean, *sd]),
            Dist::Beta { mean, sd } => (vec![*mean, *sd], vec![*mean, *sd]),
            Dist::Choice { values } => (values.clone(), values.clone()),
        };
        if numbers.iter().any(|x| x.is_nan()) {
            return Err("every parameter must be a number, not nan".to_string());
        }
        if !finite(&centres) {
            return Err(
                "centre, spread and bounds must be finite (only a truncated normal's bounds may be inf)".to_string()
            );
        }
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

/// The distribution kinds a data or scenario file may name, with their fields.
pub const KINDS: [(&str, &[&str]); 8] = [
    ("uniform", &["low", "high"]),
    ("triangular", &["low", "mode", "high"]),
    ("pert", &["low", "mode", "high"]),
    ("normal", &["mean", "sd"]),
    ("truncnormal", &["mean", "sd", "low", "high"]),
    ("lognormal", &["median", "sigma"]),
    ("beta", &["mean", "sd"]),
    ("choice", &[]),
];

impl Dist {
    /// Builds a distribution from its kind and named numeric fields (a `choice` takes its values
    /// as fields named by position, "0", "1", ...), and checks it.
    ///
    /// # Errors
    /// An unknown kind, a missing or unknown field, or a failed [`Dist::check`], in words a
    /// scenario author can act on.
    pub fn from_fields(kind: &str, fields: &std::collections::BTreeMap<String, f64>) -> Result<Dist, String> {
        let Some((_, names)) = KINDS.iter().find(|(k, _)| *k == kind) else {
            let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
            return Err(format!("unknown distribution kind `{kind}`; use one of {}", kinds.join(", ")));
        };
        if kind == "choice" {
            let values: Vec<f64> = fields.values().copied().collect();
            let d = Dist::Choice { values };
            d.check()?;
            return Ok(d);
        }
        for f in fields.keys() {
            if !names.contains(&f.as_str()) {
                return Err(format!("a {kind} distribution has no field `{f}`; it takes {}", names.join(", ")));
            }
        }
        let get = |name: &str| {
            fields
                .get(name)
                .copied()
                .ok_or_else(|| format!("a {kind} distribution needs `{name}` (fields: {})", names.join(", ")))
        };
        let d = match kind {
            "uniform" => Dist::Uniform { low: get("low")?, high: get("high")? },
            "triangular" => Dist::Triangular { low: get("low")?, mode: get("mode")?, high: get("high")? },
            "pert" => Dist::Pert { low: get("low")?, mode: get("mode")?, high: get("high")? },
            "normal" => Dist::Normal { mean: get("mean")?, sd: get("sd")? },
            "truncnormal" => {
                Dist::TruncNormal { mean: get("mean")?, sd: get("sd")?, low: get("low")?, high: get("high")? }
            }
            "lognormal" => Dist::LogNormal { median: get("median")?, sigma: get("sigma")? },
            _ => Dist::Beta { mean: get("mean")?, sd: get("sd")? },
        };
        d.check()?;
        Ok(d)
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

/// Probabilities closer to 0 or 1 than this are clamped before inversion: the extreme tails are not
/// what an analyst's distribution describes, and the unbounded variants would otherwise return ±∞.
const U_EDGE: f64 = 1e-12;

impl Dist {
    /// Inverse CDF: the value below which a fraction `u` of the distribution lies.
    ///
    /// `u` is clamped into `[1e-12, 1 - 1e-12]` first (NaN is read as 0.5); the result is then
    /// finite, inside [`Dist::support`] and non-decreasing in `u`, so any uniform design (Monte
    /// Carlo, Latin hypercube, rank-correlated) maps through it. Per variant:
    ///
    /// * uniform and triangular: closed forms;
    /// * PERT: `low + (high - low)·X` with `X ~ Beta(α, β)`, `α = 1 + 4 (mode - low)/(high - low)`,
    ///   `β = 1 + 4 (high - mode)/(high - low)` (the classic shape 4);
    /// * beta: shapes by the method of moments, `ν = mean (1 - mean)/sd² - 1`, `α = mean·ν`,
    ///   `β = (1 - mean)·ν`;
    /// * normal: `mean + sd·Φ⁻¹(u)`; lognormal: `median·exp(sigma·Φ⁻¹(u))`;
    /// * truncated normal: `Φ⁻¹(Φ(a) + u (Φ(b) - Φ(a)))` for the standardised bounds `a`, `b`,
    ///   written on whichever side of the mean the quantile falls so that no tail cancels;
    /// * choice: the `⌊u·n⌋`-th smallest of the `n` values (ascending, so the map is monotone; the
    ///   values are copied and sorted only when the list is not already ascending).
    ///
    /// Cost: the closed forms take nanoseconds; the normal family one or a few evaluations of
    /// statrs's Φ or Φ⁻¹ (a `Normal` is built per call: a plain struct, no allocation). Beta and
    /// PERT invert the regularised incomplete beta function, about 1 µs per call in a release build
    /// (2–3 evaluations of statrs's `beta_reg`; see `beta_lower_logit`).
    ///
    /// # Panics
    ///
    /// May panic when `self` fails [`Dist::check`] (a beta whose sd is too large for its mean has no
    /// shape parameters; an empty choice has no values).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = if u.is_nan() { 0.5 } else { u.clamp(U_EDGE, 1.0 - U_EDGE) };
        // 1 - u is exact for u >= 1/2 (Sterbenz). Each branch below reads its smaller tail from
        // whichever of `u` and `uc` is smaller, so far tails keep their relative precision.
        let uc = 1.0 - u;
        let x = match self {
            Dist::Uniform { low, high } => low + u * (high - low),
            Dist::Triangular { low, mode, high } => {
                let width = high - low;
                // The CDF at the mode is (mode - low)/width; below it the CDF is quadratic in
                // (x - low), above it in (high - x). Comparing u·width avoids dividing.
                if u * width <= mode - low {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - (uc * width * (high - mode)).sqrt()
                }
            }
            Dist::Pert { low, mode, high } => {
                let width = high - low;
                let alpha = 1.0 + 4.0 * (mode - low) / width;
                let beta = 1.0 + 4.0 * (high - mode) / width;
                low + width * beta_inverse(alpha, beta, u, uc)
            }
            Dist::Beta { mean, sd } => {
                let nu = mean * (1.0 - mean) / (sd * sd) - 1.0;
                beta_inverse(mean * nu, (1.0 - mean) * nu, u, uc)
            }
            Dist::Normal { mean, sd } => mean + sd * std_normal_quantile(&std_normal(), u, uc),
            Dist::TruncNormal { mean, sd, low, high } => {
                let z = truncated_std_normal_quantile(&std_normal(), (low - mean) / sd, (high - mean) / sd, u, uc);
                mean + sd * z
            }
            Dist::LogNormal { median, sigma } => median * (sigma * std_normal_quantile(&std_normal(), u, uc)).exp(),
            Dist::Choice { values } => {
                let n = values.len();
                // ⌊u·n⌋ < n for u < 1, but the product can round up to n.
                let i = ((u * n as f64) as usize).min(n.saturating_sub(1));
                if values.is_sorted_by(|a, b| a <= b) {
                    values[i]
                } else {
                    let mut sorted = values.clone();
                    sorted.sort_by(f64::total_cmp);
                    sorted[i]
                }
            }
        };
        // Rounding (a + width·x with x = 1, a mean plus a huge sd) can step just outside the
        // support or overflow; the promise is a finite value inside it. `max`/`min` for the
        // support, whose bounds come from the data: `clamp` panics on NaN bounds.
        let (lo, hi) = self.support();
        x.max(lo).min(hi).clamp(-f64::MAX, f64::MAX)
    }

    /// The median, `quantile(0.5)`: the value reported for the central run. For a choice between an
    /// even number of values it is the upper of the two middle ones.
    pub fn central(&self) -> f64 {
        self.quantile(0.5)
    }
}

/// The standard normal. statrs validates the parameters, which cannot fail for (0, 1).
fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal has valid parameters")
}

/// Φ⁻¹(u) given also `uc = 1 - u`: inverting the smaller tail keeps its relative precision.
fn std_normal_quantile(normal: &Normal, u: f64, uc: f64) -> f64 {
    if u <= uc { normal.inverse_cdf(u) } else { -normal.inverse_cdf(uc) }
}

/// Beyond this many standard deviations the normal tail probability underflows towards the
/// subnormals (Q(38) ≈ 3e-316), so the truncated normal works with its logarithm instead.
const FAR_TAIL_SD: f64 = 37.0;

/// Quantile at `u` (with `uc = 1 - u`) of the standard normal truncated to `[a, b]`.
fn truncated_std_normal_quantile(normal: &Normal, a: f64, b: f64, u: f64, uc: f64) -> f64 {
    if a >= FAR_TAIL_SD {
        return far_tail_quantile(a, b, u);
    }
    if b <= -FAR_TAIL_SD {
        // Mirror: -Z is truncated to [-b, -a], and its quantile at 1 - u is minus ours at u.
        return -far_tail_quantile(-b, -a, uc);
    }
    let (pa, qb) = (normal.cdf(a), normal.sf(b));
    // The mass of [a, b] and the part of it below the mean, each from tail probabilities that are
    // at most 1/2, so two bounds deep in the same tail (say +6 and +7 sd) do not cancel to zero
    // the way Φ(7) - Φ(6) would.
    let (mass, below_mean) = if a >= 0.0 {
        (normal.sf(a) - qb, 0.0)
    } else if b <= 0.0 {
        let m = normal.cdf(b) - pa;
        (m, m)
    } else {
        ((0.5 - pa) + (0.5 - qb), 0.5 - pa)
    };
    let z = if u * mass < below_mean {
        // Below the mean: Φ(z) = Φ(a) + u·mass, a sum of positive terms, exact to rounding.
        normal.inverse_cdf(pa + u * mass)
    } else {
        // Above it, the complementary form: Q(z) = Q(b) + (1 - u)·mass, again a sum of positives.
        -normal.inverse_cdf(qb + uc * mass)
    };
    z.max(a).min(b)
}

/// `ln Q(z)`, the log of the standard normal upper tail, for `z >= FAR_TAIL_SD`, from the
/// asymptotic series `Q(z) = φ(z)/z · (1 - 1/z² + 3/z⁴ - 15/z⁶ + 105/z⁸ - …)`. It stays finite where
/// `Q` underflows, and at `z >= 37` the first omitted term is below 2e-13.
fn ln_upper_tail(z: f64) -> f64 {
    let w = 1.0 / (z * z);
    let series = w * (-1.0 + w * (3.0 + w * (-15.0 + w * 105.0)));
    -0.5 * z * z - z.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() + series.ln_1p()
}

/// Quantile of the standard normal truncated to `[a, b]` when `a >= FAR_TAIL_SD`, where `Q`
/// underflows: solves `ln Q(z) = ln Q(a) + ln(1 - u (1 - Q(b)/Q(a)))` in logs.
fn far_tail_quantile(a: f64, b: f64, u: f64) -> f64 {
    let ln_qa = ln_upper_tail(a);
    let target = ln_qa + (u * (ln_upper_tail(b) - ln_qa).exp_m1()).ln_1p();
    // Start from the exponential limit: the density is exp(-a²/2 - a (z - a)) up to a factor
    // exp(-(z - a)²/2) near 1, so z - a is nearly an exponential of rate a truncated at b - a.
    let mut z = a - (u * (-a * (b - a)).exp_m1()).ln_1p() / a;
    // Newton on ln Q with the slope -z - 1/z, the first terms of the exact -φ/Q and within 2/z⁴ <
    // 1.1e-6 of it relative: each step cuts the error by that factor at least. The start is within
    // 1e-2 even at u = 1 - 1e-12 (5e-5 at the median), so three steps reach rounding.
    for _ in 0..3 {
        z -= (ln_upper_tail(z) - target) / (-z - 1.0 / z);
    }
    z.max(a).min(b)
}

/// `ln(1 + e^y)` without overflow for large `y` or loss for very negative `y`.
fn softplus(y: f64) -> f64 {
    y.max(0.0) + (-y.abs()).exp().ln_1p()
}

/// The logistic function `1/(1 + e^-t)`, the inverse of the logit, computed as `exp(-softplus(-t))`
/// so that values near 0 keep their relative precision.
fn logistic(t: f64) -> f64 {
    (-softplus(-t)).exp()
}

/// The x with `I_x(a, b) = u` (the regularised incomplete beta function), given also `uc = 1 - u`.
fn beta_inverse(a: f64, b: f64, u: f64, uc: f64) -> f64 {
    // Solve in the smaller tail. By I_x(a, b) = 1 - I_{1-x}(b, a), the upper tail of Beta(a, b) is
    // the lower tail of Beta(b, a) at 1 - x, whose logit is minus that of x.
    if u <= uc { logistic(beta_lower_logit(a, b, u)) } else { logistic(-beta_lower_logit(b, a, uc)) }
}

/// Range of logits the beta search keeps to: e^-740 is near the smallest subnormal. The range is
/// symmetric because a root solved in the lower tail of Beta(b, a) may be 1 - x for an x next to 0.
const LOGIT_RANGE: (f64, f64) = (-740.0, 740.0);

/// Relative errors in the CDF below which one more step is final: a Halley step leaves an error of
/// order the cube of this, a plain Newton step the square.
const HALLEY_TOL: f64 = 1e-6;
/// See [`HALLEY_TOL`].
const NEWTON_TOL: f64 = 1e-8;

/// The logit `t = ln(x/(1 - x))` of the x with `I_x(a, b) = p`, for `0 < p <= 1/2`.
///
/// statrs's own inverse (`Beta::inverse_cdf`, Algorithm AS 109) is off by orders of magnitude for
/// shapes below 1 (at Beta(0.05, 0.5) and p = 0.001 it returns 4e-18 for 3.7e-60) and is no faster,
/// so this solves `g(t) = ln I_x(a, b) - ln p` directly on statrs's `beta_reg`. In the logit `g`
/// is nearly linear in both tails (`I_x ≈ x^a/(a B(a, b))` as x → 0), so Newton steps with Halley's
/// correction converge in two or three evaluations; a bracket on `t` falls back to bisection
/// whenever a step would leave it, which bounds the work on any input. The logit also gives both
/// `x` and `1 - x` to full relative precision, so quantiles next to 0 or 1 stay exact.
fn beta_lower_logit(a: f64, b: f64, p: f64) -> f64 {
    let ln_beta_ab = ln_beta(a, b);
    let ln_p = p.ln();
    // Two starting points. The tail law x^a/(a B) = p bounds the root from below when b >= 1 (the
    // factor (1 - s)^(b-1) under the integral is then at most 1) and from above when b < 1. The body
    // guess is the mean plus a Cornish–Fisher (skewness-corrected) multiple of the sd. Take the
    // body guess unless the bound shows it is on the wrong side.
    let ln_x_tail = (ln_p + a.ln() + ln_beta_ab) / a;
    let x_tail = ln_x_tail.exp();
    let s = a + b;
    let mean = a / s;
    let sd = (a * b / (s * s * (s + 1.0))).sqrt();
    let skew = 2.0 * (b - a) * (s + 1.0).sqrt() / ((s + 2.0) * (a * b).sqrt());
    let z = std_normal().inverse_cdf(p);
    let x_body = mean + sd * (z + (z * z - 1.0) * skew / 6.0);
    let use_tail = !(x_body > 0.0 && x_body < 1.0) || if b >= 1.0 { x_tail > x_body } else { x_tail < x_body };
    // ln x_tail is used directly so a guess below the smallest double is still a finite logit.
    let t0 = if use_tail { ln_x_tail - (-x_tail).ln_1p() } else { x_body.ln() - (-x_body).ln_1p() };
    let (mut lo, mut hi) = LOGIT_RANGE;
    let mut t = if t0.is_nan() { 0.0 } else { t0.max(lo + 1.0).min(hi - 1.0) };
    // statrs's `beta_reg(a, b, x)` sums its continued fraction directly below this point and
    // returns 1 minus the complement above it, computing 1 - x itself.
    let direct_below = (a + 1.0) / (a + b + 2.0);
    // Bisection alone halves the bracket of width 1480 to 1e-13 in about 54 steps; the cap is only
    // a guard against a NaN-producing input.
    for _ in 0..200 {
        let ln_x = -softplus(-t);
        let ln_1mx = -softplus(t);
        let x = ln_x.exp();
        // Above that point, ask for the complement ourselves, passing 1 - x = e^ln_1mx exactly.
        // Passing x instead would quantise the CDF in steps of one ulp of x, 1.1e-16 next to 1,
        // where a U-shaped beta still holds much of its mass (statrs also treats x within a few
        // ulps of 1 as 1); the search would stall and quantiles stop being monotone.
        let cdf = if x < direct_below { beta_reg(a, b, x) } else { 1.0 - beta_reg(b, a, ln_1mx.exp()) };
        let g = cdf.ln() - ln_p;
        if g == 0.0 {
            return t;
        }
        if g < 0.0 {
            lo = t;
        } else {
            hi = t;
        }
        // dI/dt = x^a (1 - x)^b / B(a, b), so g' = that / I and g''/g' = a (1 - x) - b x - g'.
        let slope = (a * ln_x + b * ln_1mx - ln_beta_ab).exp() / cdf;
        let newton = g / slope;
        let halley = 1.0 - 0.5 * newton * (a * (1.0 - x) - b * x - slope);
        // Halley's correction only while it is modest; far from the root it can point anywhere.
        let (step, g_tol) =
            if (0.5..2.0).contains(&halley) { (newton / halley, HALLEY_TOL) } else { (newton, NEWTON_TOL) };
        let next = t - step;
        let tol = 1e-15 * t.abs().max(1.0);
        // Test convergence before the bracket: a step below one ulp of t leaves t unchanged, which
        // would otherwise read as leaving the bracket and trigger a needless bisection.
        if (step.abs() <= tol || g.abs() <= g_tol) && next >= lo && next <= hi {
            return next;
        }
        if hi - lo <= tol {
            break;
        }
        t = if next > lo && next < hi { next } else { 0.5 * (lo + hi) };
    }
    0.5 * (lo + hi)
}

/// SplitMix64 (Steele, Lea & Flood 2014) applied to state `x`: adds the golden-ratio increment and
/// returns the finaliser's output.
///
/// A bijection of `u64` whose output bits each depend on every input bit, so nearby inputs
/// (seeds, parameter indices, draw numbers) give unrelated outputs. Use it to derive keys and
/// hashes, e.g. `splitmix64(seed ^ splitmix64(k + 1))` as the Latin hypercube key of parameter `k`.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Feistel rounds in [`lhs_stratum`]. Three rounds of a random function already give a
/// pseudo-random permutation (Luby & Rackoff 1988); six leave a margin for a cheap round function.
const FEISTEL_ROUNDS: usize = 6;

/// The stratum of draw `draw` in a Latin hypercube of `n` draws: a pseudo-random permutation of
/// `0..n`, chosen by `key`, evaluated at `draw`.
///
/// For every `key` and `n` the map `draw ↦ stratum` is a bijection on `0..n`, so over the `n` draws
/// each stratum `[j/n, (j+1)/n)` of the parameter is hit exactly once, as Latin hypercube sampling
/// requires; different keys (one per parameter) give unrelated permutations. Because the
/// permutation is computed rather than stored, a sweep holds no N×P design matrix: draw `i` of
/// parameter `k` is a pure function of `(key_k, i)`, whatever the number of draws, thread or shard.
///
/// Construction: a balanced Feistel network on the smallest domain of `2h` bits with `2^(2h) >= n`
/// (a bijection by construction, whatever the round function), whose round function is
/// [`splitmix64`] of a round key xor the right half; the round keys are the first outputs of a
/// SplitMix64 stream seeded with `key`. Values that land in `n..2^(2h)` are mapped again until they
/// fall in `0..n` ("cycle-walking"; the walk stays on the permutation's cycle through `draw`, so
/// the result is still a bijection). As `2^(2h) < 4n`, the expected number of passes is below 4;
/// a call costs some tens of nanoseconds.
///
/// # Panics
///
/// If `draw >= n` (which includes `n == 0`).
pub fn lhs_stratum(key: u64, draw: u64, n: u64) -> u64 {
    assert!(draw < n, "Latin hypercube draw {draw} is outside 0..{n}");
    if n == 1 {
        return 0;
    }
    // Bits needed to write n - 1, rounded up to an even number so the two halves are equal.
    let bits = u64::BITS - (n - 1).leading_zeros();
    let half = bits.div_ceil(2);
    let mask = (1u64 << half) - 1;
    let round_keys: [u64; FEISTEL_ROUNDS] =
        std::array::from_fn(|r| splitmix64(key.wrapping_add((r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))));
    let mut x = draw;
    loop {
        let (mut left, mut right) = (x >> half, x & mask);
        for round_key in round_keys {
            let mixed = left ^ (splitmix64(round_key ^ right) & mask);
            left = right;
            right = mixed;
        }
        x = (left << half) | right;
        if x < n {
            return x;
        }
    }
}

/// The largest double below 1.
const ONE_BELOW: f64 = 1.0 - f64::EPSILON / 2.0;

/// A Latin hypercube uniform: `(lhs_stratum(key, draw, n) + jitter)/n`, a point in draw `draw`'s
/// stratum of `[0, 1)`.
///
/// `jitter` in `[0, 1)` places the point within its stratum (a fresh uniform per draw; 0.5 gives
/// the stratum midpoints). The result is in `[0, 1)`: where rounding `n - 1 + jitter` would give
/// exactly 1 it is lowered to the largest double below 1. See [`lhs_stratum`] for why no design is
/// stored; map the result through [`Dist::quantile`].
///
/// # Panics
///
/// If `draw >= n`.
pub fn lhs_uniform(key: u64, draw: u64, n: u64, jitter: f64) -> f64 {
    debug_assert!((0.0..1.0).contains(&jitter), "jitter {jitter} is outside [0, 1)");
    ((lhs_stratum(key, draw, n) as f64 + jitter) / n as f64).min(ONE_BELOW)
}

/// Formats a pivot for an error message: two decimals, or two significant digits when smaller.
fn format_pivot(d: f64) -> String {
    if d == 0.0 || d.abs() >= 0.01 { format!("{d:.2}") } else { format!("{d:.2e}") }
}

/// Relative size below which a Cholesky pivot counts as zero. A matrix that is singular in exact
/// arithmetic (two parameters with correlation 1) leaves a pivot of rounding size, and a factor
/// built on it would amplify noise by 1e8 or more; such a matrix is reported as not positive
/// definite.
const PIVOT_TOL: f64 = 1e-10;

/// The lower-triangular Cholesky factor `L` of a symmetric positive definite matrix, `m = L·Lᵀ`.
///
/// Only the lower triangle of `m` is read. Returns an error naming the first pivot that is not
/// positive (or below 1e-10 of its diagonal entry, i.e. singular to rounding), e.g. "the
/// rank-correlation matrix is not positive definite (pivot 3 of 4 is -0.12); check that the
/// correlations are consistent", or saying that `m` is not square.
pub fn cholesky(m: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
    let n = m.len();
    if let Some((i, row)) = m.iter().enumerate().find(|(_, row)| row.len() != n) {
        return Err(format!("the matrix must be square: row {} has {} entries, expected {n}", i + 1, row.len()));
    }
    let mut l = vec![vec![0.0; n]; n];
    for j in 0..n {
        let pivot = m[j][j] - l[j][..j].iter().map(|x| x * x).sum::<f64>();
        if pivot.is_nan() || pivot <= PIVOT_TOL * m[j][j].abs() {
            return Err(format!(
                "the rank-correlation matrix is not positive definite (pivot {} of {n} is {}); check that the \
                 correlations are consistent",
                j + 1,
                format_pivot(pivot)
            ));
        }
        let d = pivot.sqrt();
        l[j][j] = d;
        for i in j + 1..n {
            let dot: f64 = l[i][..j].iter().zip(&l[j][..j]).map(|(a, b)| a * b).sum();
            l[i][j] = (m[i][j] - dot) / d;
        }
    }
    Ok(l)
}

/// Tolerance for the unit diagonal and for symmetry of a rank-correlation matrix: loose enough for
/// values written with a dozen decimals, tight enough to catch typing errors.
const CORRELATION_TOL: f64 = 1e-9;

/// A validated target rank-correlation (Spearman) matrix between named parameters, for
/// [`iman_conover`].
///
/// Iman–Conover sets the Pearson correlation of normal scores, and for normal variables Spearman's
/// ρ is `(6/π) asin(r/2)` for Pearson's r, up to 0.018 below r. The scores are therefore given
/// `r = 2 sin(πρ/6)` for each target ρ, so the design's rank correlation meets the target rather
/// than falling short of it (unless that adjusted matrix is not positive definite, when the target
/// is used as it is).
#[derive(Clone, Debug, PartialEq)]
pub struct RankCorrelation {
    /// Parameter names, one per row and column.
    names: Vec<String>,
    /// The target Spearman correlations.
    matrix: Vec<Vec<f64>>,
    /// Lower Cholesky factor of the Pearson correlations the normal scores are given (see above).
    factor: Vec<Vec<f64>>,
}

impl RankCorrelation {
    /// Validates `matrix` as the rank correlations between `names` (row and column `i` belong to
    /// `names[i]`): names unique and one per row, matrix square, entries finite and in [-1, 1],
    /// unit diagonal, symmetric, and positive definite. Errors name the parameters involved.
    pub fn new(names: Vec<String>, matrix: Vec<Vec<f64>>) -> Result<Self, String> {
        let n = names.len();
        if n == 0 {
            return Err("a rank-correlation block needs at least one parameter".to_string());
        }
        if matrix.len() != n {
            return Err(format!("the rank-correlation matrix has {} rows for {n} parameters", matrix.len()));
        }
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(format!("parameter `{name}` appears twice in the rank-correlation block"));
            }
            if matrix[i].len() != n {
                return Err(format!(
                    "the rank-correlation row of `{name}` has {} entries; the matrix must be {n}×{n}",
                    matrix[i].len()
                ));
            }
        }
        for i in 0..n {
            for j in 0..n {
                let (a, b, r) = (&names[i], &names[j], matrix[i][j]);
                if !(-1.0..=1.0).contains(&r) {
                    return Err(format!("the rank correlation of `{a}` with `{b}` is {r}; it must lie in [-1, 1]"));
                }
                if i == j && (r - 1.0).abs() > CORRELATION_TOL {
                    return Err(format!("the rank correlation of `{a}` with itself is {r}; it must be 1"));
                }
                if (r - matrix[j][i]).abs() > CORRELATION_TOL {
                    return Err(format!(
                        "the rank-correlation matrix is not symmetric: `{a}` with `{b}` is {r} but `{b}` with `{a}` is {}",
                        matrix[j][i]
                    ));
                }
            }
        }
        cholesky(&matrix)?;
        let pearson: Vec<Vec<f64>> = matrix
            .iter()
            .enumerate()
            .map(|(i, row)| {
                row.iter()
                    .enumerate()
                    .map(|(j, &r)| if i == j { 1.0 } else { 2.0 * (std::f64::consts::PI * r / 6.0).sin() })
                    .collect()
            })
            .collect();
        let factor = cholesky(&pearson).or_else(|_| cholesky(&matrix))?;
        Ok(RankCorrelation { names, matrix, factor })
    }

    /// The parameter names, in the order of the matrix rows.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The target rank correlations.
    pub fn matrix(&self) -> &[Vec<f64>] {
        &self.matrix
    }
}

/// Row indices `0..values.len()` ordered by `values`, ties broken by index so the order is
/// deterministic (NaNs sort last, by `total_cmp`).
fn order_by(values: impl Fn(usize) -> f64, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&p, &q| values(p).total_cmp(&values(q)).then(p.cmp(&q)));
    order
}

/// Reorders each column of a block of uniforms so its rank correlation approaches `corr`
/// (Iman & Conover 1982), keeping each column's values exactly.
///
/// `u[draw][k]` holds draw `draw` of the `k`-th parameter of `corr` (rows are the draws of one
/// block; every row must have `corr.names().len()` entries). Steps:
///
/// 1. score each column by van der Waerden scores `Φ⁻¹(rank/(n + 1))` of its values' ranks;
/// 2. take the scores' sample correlation matrix and its Cholesky factor `E`, and the Cholesky
///    factor `P` of the target (adjusted from Spearman to Pearson, see [`RankCorrelation`]);
/// 3. transform the scores to `S·E⁻ᵀ·Pᵀ`, whose sample correlation is exactly `P·Pᵀ`;
/// 4. give each column's original values to the rows in the rank order of its transformed scores.
///
/// Only the pairing of values across columns changes, so marginals, and Latin hypercube strata,
/// are preserved exactly. Ties (in values or scores) are broken by row index, so the result is a
/// deterministic function of the input. The rank correlation met is close to the target for
/// blocks of a few hundred draws or more, within sampling error of order `1/√n`.
///
/// Blocks of fewer than two draws, or a single parameter, are left as they are. If the scores'
/// correlation is singular (fewer draws than parameters, or two columns in identical or reversed
/// order) the step `E⁻ᵀ` is skipped, so the result is correlated but less precisely.
///
/// # Panics
///
/// If a row's length differs from the number of parameters in `corr`.
pub fn iman_conover(u: &mut [Vec<f64>], corr: &RankCorrelation) {
    let n = u.len();
    let k = corr.names.len();
    for (i, row) in u.iter().enumerate() {
        assert_eq!(row.len(), k, "row {i} of the rank-correlated block has {} values for {k} parameters", row.len());
    }
    if n < 2 || k < 2 {
        return;
    }
    let normal = std_normal();
    let ranks_to_scores: Vec<f64> = (1..=n).map(|r| normal.inverse_cdf(r as f64 / (n as f64 + 1.0))).collect();
    let mut scores = vec![vec![0.0; k]; n];
    for j in 0..k {
        for (rank, row) in order_by(|i| u[i][j], n).into_iter().enumerate() {
            scores[row][j] = ranks_to_scores[rank];
        }
    }
    // Sample correlation of the score columns. All columns are permutations of the same scores
    // (mean zero up to rounding, equal spread); centring and scaling each anyway makes the
    // transformed correlation exact to rounding.
    let means: Vec<f64> = (0..k).map(|j| scores.iter().map(|row| row[j]).sum::<f64>() / n as f64).collect();
    let mut cov = vec![vec![0.0; k]; k];
    for row in &scores {
        for i in 0..k {
            for j in 0..=i {
                cov[i][j] += (row[i] - means[i]) * (row[j] - means[j]);
            }
        }
    }
    let sd: Vec<f64> = (0..k).map(|i| cov[i][i].sqrt()).collect();
    let sample: Vec<Vec<f64>> =
        (0..k).map(|i| (0..k).map(|j| if j <= i { cov[i][j] / (sd[i] * sd[j]) } else { 0.0 }).collect()).collect();
    let e = cholesky(&sample).ok();
    let p = &corr.factor;
    // Row by row: s·E⁻ᵀ·Pᵀ = (P·E⁻¹·sᵀ)ᵀ, i.e. solve E z = s by forward substitution, then P·z.
    let mut z = vec![0.0; k];
    for row in &mut scores {
        for i in 0..k {
            z[i] = row[i];
            if let Some(e) = &e {
                z[i] = (z[i] - (0..i).map(|j| e[i][j] * z[j]).sum::<f64>()) / e[i][i];
            }
        }
        for i in 0..k {
            row[i] = (0..=i).map(|j| p[i][j] * z[j]).sum();
        }
    }
    let mut sorted = vec![0.0; n];
    for j in 0..k {
        for (slot, row) in sorted.iter_mut().zip(order_by(|i| u[i][j], n)) {
            *slot = u[row][j];
        }
        for (rank, row) in order_by(|i| scores[i][j], n).into_iter().enumerate() {
            u[row][j] = sorted[rank];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Beta, ContinuousCDF};

    /// One distribution of every variant, some with awkward parameters.
    fn every_variant() -> Vec<Dist> {
        vec![
            Dist::Uniform { low: -2.0, high: 5.0 },
            Dist::Triangular { low: 0.0, mode: 1.0, high: 4.0 },
            Dist::Triangular { low: 0.0, mode: 0.0, high: 1.0 },
            Dist::Triangular { low: 0.0, mode: 1.0, high: 1.0 },
            Dist::Pert { low: 10.0, mode: 12.0, high: 30.0 },
            Dist::Pert { low: 0.0, mode: 0.0, high: 1.0 },
            Dist::Normal { mean: 3.0, sd: 0.5 },
            Dist::TruncNormal { mean: 0.0, sd: 1.0, low: -1.0, high: 2.0 },
            Dist::TruncNormal { mean: 0.0, sd: 1.0, low: 6.0, high: 7.0 },
            Dist::TruncNormal { mean: 0.0, sd: 1.0, low: -9.0, high: -8.5 },
            Dist::TruncNormal { mean: 1.0, sd: 0.01, low: 1.5, high: f64::INFINITY },
            Dist::TruncNormal { mean: 0.0, sd: 1.0, low: f64::NEG_INFINITY, high: -50.0 },
            Dist::LogNormal { median: 2.0, sigma: 0.8 },
            Dist::LogNormal { median: 1.0, sigma: 150.0 },
            Dist::Beta { mean: 0.37, sd: 0.061 },
            Dist::Beta { mean: 0.1, sd: 0.2 },
            Dist::Beta { mean: 0.95, sd: 0.2 },
            Dist::Choice { values: vec![3.0, 1.0, 2.0, 2.0] },
            Dist::Choice { values: vec![7.0] },
        ]
    }

    /// Probabilities from below 1e-12 to above 1 - 1e-12, increasing.
    fn probabilities() -> Vec<f64> {
        let mut u = vec![0.0, 1e-300, 1e-15, 1e-12, 1e-10];
        u.extend((1..1000).map(|i| i as f64 / 1000.0));
        u.extend([1.0 - 1e-10, 1.0 - 1e-12, 1.0 - 1e-15, 1.0]);
        u.sort_by(f64::total_cmp);
        u
    }

    #[test]
    fn quantile_is_monotone_finite_and_inside_the_support() {
        for d in every_variant() {
            d.check().unwrap();
            let (lo, hi) = d.support();
            let mut previous = f64::NEG_INFINITY;
            for u in probabilities() {
                let x = d.quantile(u);
                assert!(x.is_finite(), "{d} at {u}: {x}");
                assert!(lo <= x && x <= hi, "{d} at {u}: {x} outside [{lo}, {hi}]");
                assert!(x >= previous, "{d} decreases at {u}: {previous} then {x}");
                previous = x;
            }
            assert_eq!(d.quantile(f64::NAN), d.central(), "{d}");
        }
    }

    #[test]
    fn quantile_closed_forms() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * b.abs().max(1.0);
        assert!(close(Dist::Uniform { low: 2.0, high: 6.0 }.quantile(0.25), 3.0));
        let tri = Dist::Triangular { low: 0.0, mode: 1.0, high: 4.0 };
        // CDF at the mode is 1/4; below, F(x) = x²/4; above, 1 - F(x) = (4 - x)²/12.
        assert!(close(tri.quantile(0.125), 0.5f64.sqrt()));
        assert!(close(tri.quantile(0.25), 1.0));
        assert!(close(tri.central(), 4.0 - 6.0f64.sqrt()));
        // PERT(0, 0, 1) is Beta(1, 5): F(x) = 1 - (1 - x)^5.
        let pert = Dist::Pert { low: 0.0, mode: 0.0, high: 1.0 };
        for u in [1e-9, 0.01, 0.3, 0.5, 0.9, 0.999_999] {
            assert!(close(pert.quantile(u), 1.0 - (1.0 - u).powf(0.2)), "u = {u}");
        }
        let choice = Dist::Choice { values: vec![3.0, 1.0, 2.0] };
        assert_eq!([0.1, 0.5, 0.9].map(|u| choice.quantile(u)), [1.0, 2.0, 3.0]);
        assert_eq!(Dist::Choice { values: vec![1.0, 2.0, 3.0, 4.0] }.central(), 3.0);
    }

    #[test]
    fn quantile_known_values() {
        let n = Dist::Normal { mean: 0.0, sd: 1.0 };
        assert!((n.quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-9);
        assert!((n.quantile(0.025) + 1.959_963_984_540_054).abs() < 1e-9);
        assert!((Dist::Normal { mean: 10.0, sd: 2.0 }.quantile(0.975) - 13.919_927_969_080_108).abs() < 1e-9);
        let ln = Dist::LogNormal { median: 3.0, sigma: 0.4 };
        assert!((ln.central() - 3.0).abs() < 1e-12);
        assert!((ln.quantile(0.975) - 3.0 * (0.4 * 1.959_963_984_540_054f64).exp()).abs() < 1e-9);
        // Beta(mean .37, sd .061) has shapes 22.8 and 38.8: nearly symmetric, median just below
        // the mean (by about skewness·sd/6 ≈ 0.001).
        let median = Dist::Beta { mean: 0.37, sd: 0.061 }.central();
        assert!(median < 0.37 && 0.37 - median < 0.003, "{median}");
        let pert = Dist::Pert { low: 2.0, mode: 5.0, high: 8.0 };
        assert!((pert.central() - 5.0).abs() < 1e-12);
        // Symmetric about the mode: q(u) + q(1 - u) = 2·mode.
        assert!((pert.quantile(0.1) + pert.quantile(0.9) - 10.0).abs() < 1e-12);
        // The truncated normal on [0, ∞) is the half-normal: median Φ⁻¹(3/4).
        let half = Dist::TruncNormal { mean: 0.0, sd: 1.0, low: 0.0, high: f64::INFINITY };
        assert!((half.central() - 0.674_489_750_196_081_7).abs() < 1e-12);
        assert!(Dist::TruncNormal { mean: 0.0, sd: 1.0, low: -1.0, high: 1.0 }.central().abs() < 1e-15);
    }

    #[test]
    fn truncated_normal_far_in_the_tails() {
        // Bounds at +6 and +7 sd: Φ(7) - Φ(6) would cancel to a few ulps; the complementary form
        // resolves the whole interval. Conditional on Z > 6, Z - 6 is roughly exponential with
        // rate 6: its median is near ln 2/6.
        let d = Dist::TruncNormal { mean: 0.0, sd: 1.0, low: 6.0, high: 7.0 };
        let median = d.central();
        assert!((median - (6.0 + std::f64::consts::LN_2 / 6.0)).abs() < 0.01, "{median}");
        let q: Vec<f64> = probabilities().iter().map(|&u| d.quantile(u)).collect();
        assert!(q.iter().all(|x| (6.0..=7.0).contains(x)));
        assert!(q.windows(2).filter(|w| w[1] > w[0]).count() > 990, "quantiles should separate");
        // Mirror image in the lower tail, and past the point where Φ underflows.
        let lower = Dist::TruncNormal { mean: 0.0, sd: 1.0, low: -7.0, high: -6.0 };
        for u in [1e-12, 0.2, 0.5, 0.7, 1.0 - 1e-12] {
            assert!((lower.quantile(u) + d.quantile(1.0 - u)).abs() < 1e-9, "u = {u}");
        }
        // Reference quantiles of the standard normal on [37, 45] by 60-digit bisection (mpmath), at
        // probabilities exact in binary where it matters (1 - 2^-39).
        let far = Dist::TruncNormal { mean: 0.0, sd: 1.0, low: 37.0, high: 45.0 };
        let mirror = Dist::TruncNormal { mean: 0.0, sd: 1.0, low: -45.0, high: -37.0 };
        for (u, z) in [
            (0.1, 37.002_845_396_750_97),
            (0.5, 37.018_715_326_832_193),
            (0.99, 37.124_165_306_318_966),
            (0.999, 37.186_092_712_689_75),
            (1.0 - 2f64.powi(-39), 37.723_027_844_070_66),
        ] {
            assert!((far.quantile(u) - z).abs() < 1e-9, "u = {u}: {} for {z}", far.quantile(u));
            assert!((mirror.quantile(1.0 - u) + z).abs() < 1e-9, "u = {u}");
        }
    }

    #[test]
    fn beta_quantile_inverts_the_cdf() {
        // Residual relative to the smaller tail probability, over shapes from 0.05 to 1000.
        let shapes = [0.05, 0.3, 0.9, 1.0, 2.5, 22.8, 38.8, 1000.0];
        for a in shapes {
            for b in shapes {
                for u in [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.8, 0.999, 1.0 - 1e-9] {
                    let x = beta_inverse(a, b, u, 1.0 - u);
                    assert!((0.0..=1.0).contains(&x), "Beta({a}, {b}) at {u}: {x}");
                    let (residual, tail) = if x < 0.5 {
                        (beta_reg(a, b, x) - u, u.min(1.0 - u))
                    } else {
                        (beta_reg(b, a, 1.0 - x) - (1.0 - u), u.min(1.0 - u))
                    };
                    // Or x is within a few ulps of the root: next to 1 a double cannot resolve
                    // 1 - x finer than 1.1e-16, so at x = 1 - 1e-13 the CDF is only known to a
                    // relative 1e-3.
                    let below =
                        |y: f64| if y < 0.5 { beta_reg(a, b, y) < u } else { beta_reg(b, a, 1.0 - y) > 1.0 - u };
                    let (down, up) = ((0..4).fold(x, |y, _| y.next_down()), (0..4).fold(x, |y, _| y.next_up()));
                    let brackets = (down <= 0.0 || below(down)) && (up >= 1.0 || !below(up));
                    assert!(
                        (residual / tail).abs() < 1e-7 || brackets,
                        "Beta({a}, {b}) at {u}: x {x}, residual {residual}"
                    );
                }
            }
        }
        // Agrees with statrs's inverse where that one is reliable (shapes above 1).
        let reference = Beta::new(22.8, 38.8).unwrap();
        for u in [0.001, 0.1, 0.5, 0.9, 0.999] {
            let x = beta_inverse(22.8, 38.8, u, 1.0 - u);
            assert!((x - reference.inverse_cdf(u)).abs() < 1e-10, "u = {u}");
        }
        // Deep lower tail with a small shape: I_x ≈ x^a/(a B(a, b)), so x ≈ (u a B)^(1/a).
        let x = beta_inverse(0.05, 0.5, 1e-3, 1.0 - 1e-3);
        let approx = (1e-3 * 0.05 * ln_beta(0.05, 0.5).exp()).powf(20.0);
        assert!((x / approx - 1.0).abs() < 0.05, "{x} vs {approx}");
    }

    #[test]
    fn lhs_stratum_is_a_bijection() {
        for n in [1u64, 2, 3, 7, 100, 1000, 4097] {
            for key in [0u64, 1, 42, splitmix64(7), u64::MAX] {
                let mut strata: Vec<u64> = (0..n).map(|i| lhs_stratum(key, i, n)).collect();
                strata.sort_unstable();
                assert!(strata.iter().copied().eq(0..n), "n = {n}, key = {key}");
            }
        }
        // Different keys give different, non-trivial permutations.
        let a: Vec<u64> = (0..1000).map(|i| lhs_stratum(1, i, 1000)).collect();
        let b: Vec<u64> = (0..1000).map(|i| lhs_stratum(2, i, 1000)).collect();
        assert!(a.iter().zip(&b).filter(|(x, y)| x == y).count() < 20);
        assert!(a.iter().enumerate().filter(|&(i, &s)| i as u64 == s).count() < 20);
        // The largest domains work too.
        let n = u64::MAX;
        assert!(lhs_stratum(3, n - 1, n) < n);
    }

    #[test]
    fn lhs_uniform_puts_one_draw_in_each_stratum() {
        for n in [1u64, 10, 1000, 4097] {
            let mut hits = vec![0u32; n as usize];
            for i in 0..n {
                let jitter = (splitmix64(i) >> 11) as f64 / (1u64 << 53) as f64;
                let u = lhs_uniform(99, i, n, jitter);
                assert!((0.0..1.0).contains(&u));
                hits[(u * n as f64) as usize] += 1;
            }
            assert!(hits.iter().all(|&h| h == 1), "n = {n}");
        }
        assert!(lhs_uniform(5, 0, 1, 0.999_999_999_999_999_9) < 1.0);
    }

    #[test]
    fn cholesky_factors_and_reports_the_failing_pivot() {
        let l = cholesky(&[vec![4.0, 2.0], vec![2.0, 3.0]]).unwrap();
        let expected = [[2.0, 0.0], [1.0, 2.0f64.sqrt()]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((l[i][j] - expected[i][j]).abs() < 1e-15);
            }
        }
        let bad = [vec![1.0, 0.9, -0.9], vec![0.9, 1.0, 0.9], vec![-0.9, 0.9, 1.0]];
        let err = cholesky(&bad).unwrap_err();
        assert!(err.contains("not positive definite (pivot 3 of 3 is -"), "{err}");
        assert!(err.contains("check that the correlations are consistent"), "{err}");
        assert!(cholesky(&[vec![1.0, 1.0], vec![1.0, 1.0]]).unwrap_err().contains("pivot 2 of 2"));
        assert!(cholesky(&[vec![1.0, 0.0], vec![0.0]]).unwrap_err().contains("square"));
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("p{i}")).collect()
    }

    #[test]
    fn rank_correlation_validates_the_matrix() {
        let ok = vec![vec![1.0, 0.5], vec![0.5, 1.0]];
        let c = RankCorrelation::new(names(2), ok.clone()).unwrap();
        assert_eq!(c.names(), ["p0", "p1"]);
        assert_eq!(c.matrix(), ok);
        let err = |m: Vec<Vec<f64>>| RankCorrelation::new(names(m.len()), m).unwrap_err();
        assert!(err(vec![vec![1.0, 0.5], vec![0.4, 1.0]]).contains("not symmetric"));
        assert!(err(vec![vec![0.9, 0.5], vec![0.5, 1.0]]).contains("with itself"));
        assert!(err(vec![vec![1.0, 1.5], vec![1.5, 1.0]]).contains("[-1, 1]"));
        assert!(err(vec![vec![1.0, f64::NAN], vec![f64::NAN, 1.0]]).contains("[-1, 1]"));
        assert!(err(vec![vec![1.0, 0.5], vec![0.5]]).contains("2×2"));
        let inconsistent = vec![vec![1.0, 0.9, -0.9], vec![0.9, 1.0, 0.9], vec![-0.9, 0.9, 1.0]];
        assert!(err(inconsistent).contains("pivot 3 of 3"));
        assert!(RankCorrelation::new(names(3), ok.clone()).unwrap_err().contains("2 rows for 3"));
        let twice = vec!["a".to_string(), "a".to_string()];
        assert!(RankCorrelation::new(twice, ok).unwrap_err().contains("twice"));
    }

    /// Spearman correlation of two columns without ties.
    fn spearman(x: &[f64], y: &[f64]) -> f64 {
        let ranks = |v: &[f64]| {
            let mut r = vec![0.0; v.len()];
            for (rank, i) in order_by(|i| v[i], v.len()).into_iter().enumerate() {
                r[i] = rank as f64;
            }
            r
        };
        let (rx, ry) = (ranks(x), ranks(y));
        let m = (x.len() as f64 - 1.0) / 2.0;
        let sxy: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - m) * (b - m)).sum();
        let sxx: f64 = rx.iter().map(|a| (a - m) * (a - m)).sum();
        sxy / sxx
    }

    fn lhs_block(n: u64, k: usize, seed: u64) -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| {
                (0..k)
                    .map(|j| {
                        let key = splitmix64(seed ^ splitmix64(j as u64 + 1));
                        let jitter = (splitmix64(key ^ i) >> 11) as f64 / (1u64 << 53) as f64;
                        lhs_uniform(key, i, n, jitter)
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn iman_conover_meets_the_target_and_keeps_the_marginals() {
        let target = vec![vec![1.0, 0.7, -0.3], vec![0.7, 1.0, 0.0], vec![-0.3, 0.0, 1.0]];
        let corr = RankCorrelation::new(names(3), target.clone()).unwrap();
        let mut u = lhs_block(2000, 3, 11);
        let column = |u: &[Vec<f64>], j: usize| u.iter().map(|row| row[j]).collect::<Vec<f64>>();
        let sorted_column = |u: &[Vec<f64>], j: usize| {
            let mut c = column(u, j);
            c.sort_by(f64::total_cmp);
            c
        };
        let before: Vec<Vec<f64>> = (0..3).map(|j| sorted_column(&u, j)).collect();
        let original = u.clone();
        iman_conover(&mut u, &corr);
        for j in 0..3 {
            assert_eq!(sorted_column(&u, j), before[j], "column {j} changed its values");
        }
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            let r = spearman(&column(&u, i), &column(&u, j));
            assert!((r - target[i][j]).abs() < 0.05, "columns {i}, {j}: {r} for {}", target[i][j]);
        }
        // Deterministic: the same block gives the same result.
        let mut again = original;
        iman_conover(&mut again, &corr);
        assert_eq!(again, u);
    }

    #[test]
    fn iman_conover_leaves_trivial_blocks_alone() {
        let corr = RankCorrelation::new(names(2), vec![vec![1.0, 0.5], vec![0.5, 1.0]]).unwrap();
        let mut one = vec![vec![0.3, 0.6]];
        iman_conover(&mut one, &corr);
        assert_eq!(one, [[0.3, 0.6]]);
        let mut empty: Vec<Vec<f64>> = Vec::new();
        iman_conover(&mut empty, &corr);
        // Identical columns have a singular score correlation; the result still keeps the values.
        let mut same: Vec<Vec<f64>> = (0..50).map(|i| vec![i as f64 / 50.0; 2]).collect();
        iman_conover(&mut same, &corr);
        let mut c: Vec<f64> = same.iter().map(|r| r[1]).collect();
        c.sort_by(f64::total_cmp);
        assert!(c.iter().enumerate().all(|(i, &x)| x == i as f64 / 50.0));
    }
}

//! The plan's targets and milestones (`seeds/plan-targets.toml`) and their assessment against a
//! simulated trajectory.
//!
//! Counts such as 6.8万 new urban jobs are read as cumulative over 2025-2028 by default, or over
//! 2024-2028 with the switch (MODEL.md §0); every assessment says which reading it used.
//! Level targets are judged at the end of 2028, annual targets in every year of the period.

use serde::Deserialize;

use crate::model::{IndicatorId, Year};
use crate::scenario::TargetPeriod;

/// Last year of the plan (it expires on 2028-12-31).
pub const PLAN_END: Year = 2028;

/// How a target aggregates its indicator over the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Summed over the target period.
    Cumulative,
    /// Holds at every year end of the period.
    EveryYear,
    /// Level reached by the end of 2028.
    ByEnd,
    /// Done or not done (not simulated).
    Milestone,
}

/// Comparison a target asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Direction {
    /// At least the quantity.
    #[serde(rename = ">=")]
    AtLeast,
    /// Exactly the quantity.
    #[serde(rename = "=")]
    Equal,
    /// At most the quantity.
    #[serde(rename = "<=")]
    AtMost,
}

impl Direction {
    /// The symbol as written in the plan file.
    pub fn symbol(self) -> &'static str {
        match self {
            Direction::AtLeast => "≥",
            Direction::Equal => "=",
            Direction::AtMost => "≤",
        }
    }
}

/// How a target's verdict is reached (the department's count versus what the model simulates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudgedBy {
    /// The model simulates the quantity the department counts: met or missed.
    Outcome,
    /// The value only echoes a lever the scenario sets (training places, loans issued, gas
    /// conversions): tracked, never reported as met.
    Commitment,
    /// The value rests on placeholder [L] data until a department supplies it: shown with
    /// that warning, never as plainly met.
    Placeholder,
}

impl JudgedBy {
    /// The word used in tables.
    pub fn key(self) -> &'static str {
        match self {
            JudgedBy::Outcome => "outcome",
            JudgedBy::Commitment => "commitment",
            JudgedBy::Placeholder => "placeholder",
        }
    }
}

/// One target or milestone of the plan.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Stable id.
    pub id: String,
    /// Clause of the plan.
    pub clause: String,
    /// "T" numeric target or "M" milestone.
    pub kind: String,
    /// The plan's words.
    pub text_zh: String,
    /// English rendering.
    pub text_en: String,
    /// Target quantity in `unit`.
    pub quantity: f64,
    /// Unit.
    pub unit: String,
    /// Comparison.
    pub direction: Direction,
    /// Aggregation over the period.
    pub period: Period,
    /// Responsible units.
    pub responsible: Vec<String>,
    /// Indicator id, or "" when not simulated.
    pub indicator: String,
    /// Outcome id of MODEL.md §6.
    pub model_ref: String,
    /// Caveat.
    pub note: String,
    /// What the responsible department counts (the administrative definition, metric and scope).
    #[serde(default)]
    pub definition: String,
    /// How the verdict is reached; required for simulated targets.
    #[serde(default)]
    pub judged_by: Option<JudgedBy>,
}

impl Target {
    /// How the verdict is reached: as declared, and a commitment for what is not simulated.
    pub fn judged(&self) -> JudgedBy {
        self.judged_by.unwrap_or(JudgedBy::Commitment)
    }

    /// The simulated indicator, if any.
    pub fn indicator_id(&self) -> Option<IndicatorId> {
        IndicatorId::from_key(&self.indicator)
    }
}

/// Header of the plan.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInfo {
    /// Title.
    pub title: String,
    /// Issuer.
    pub issuer: String,
    /// Issue date.
    pub issued: String,
    /// Expiry date.
    pub expires: String,
    /// Where the text is.
    pub source: String,
    /// Default reading of the target period.
    pub default_period: String,
    /// First year in which the plan's levers act: a lever value a scenario writes without a
    /// year applies from this year on, and earlier years run the status quo.
    pub policy_start: Year,
}

/// The plan's targets.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanTargets {
    /// Header.
    pub plan: PlanInfo,
    /// Targets and milestones in the plan's order.
    pub target: Vec<Target>,
}

impl PlanTargets {
    /// Parses and checks the targets file.
    ///
    /// # Errors
    /// A TOML error with its line, or a target naming an unknown indicator or repeating an id.
    pub fn parse(name: &str, text: &str) -> Result<PlanTargets, String> {
        let t: PlanTargets = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        let mut problems = Vec::new();
        let issued_year = t.plan.issued.get(..4).and_then(|y| y.parse::<Year>().ok());
        match issued_year {
            None => problems.push(format!("{name}: plan.issued `{}` is not a date YYYY-MM-DD", t.plan.issued)),
            Some(y) if t.plan.policy_start < y || t.plan.policy_start > PLAN_END => problems.push(format!(
                "{name}: plan.policy_start {} must lie between the issue year {y} and {PLAN_END}",
                t.plan.policy_start
            )),
            Some(_) => {}
        }
        for (i, target) in t.target.iter().enumerate() {
            if !target.indicator.is_empty() && target.indicator_id().is_none() {
                problems.push(format!("{name}: target `{}`: unknown indicator `{}`", target.id, target.indicator));
            }
            if target.indicator_id().is_some() && (target.judged_by.is_none() || target.definition.trim().is_empty()) {
                problems.push(format!(
                    "{name}: target `{}`: a simulated target needs `judged_by` (outcome, commitment or placeholder) and \
                     `definition` (what the department counts)",
                    target.id
                ));
            }
            if t.target[..i].iter().any(|o| o.id == target.id) {
                problems.push(format!("{name}: target id `{}` appears twice", target.id));
            }
        }
        if problems.is_empty() { Ok(t) } else { Err(problems.join("\n")) }
    }
}

/// Outcome of one target in one trajectory.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// The achieved value: the sum, the end value, or the worst year.
    pub value: f64,
    /// Whether the target is met; `None` when the trajectory does not reach the end of the
    /// period (the value is then partial).
    pub met: Option<bool>,
    /// First and last year assessed.
    pub years: (Year, Year),
}

/// First year of the target period.
pub fn period_start(period: TargetPeriod) -> Year {
    match period {
        TargetPeriod::From2025 => 2025,
        TargetPeriod::From2024 => 2024,
    }
}

/// Assesses a simulated target. `rows` holds (year, indicators) in year order.
/// Returns `None` for milestones and unsimulated targets, or when no simulated year falls in
/// the period.
pub fn assess(
    target: &Target,
    rows: &[(Year, &[f64; IndicatorId::COUNT])],
    period: TargetPeriod,
) -> Option<Assessment> {
    let first_year = rows.first()?.0;
    debug_assert!(
        rows.iter().enumerate().all(|(i, (y, _))| *y == first_year + i as Year),
        "rows must be consecutive years"
    );
    evaluate(target, first_year, rows.len(), |i| rows[i].1, period)
}

/// Assesses a target on consecutive rows starting at `first_year` without allocating (the
/// sweeps call it for every draw). `row(i)` gives the indicators of year `first_year + i`.
pub fn evaluate<'r>(
    target: &Target,
    first_year: Year,
    n_rows: usize,
    row: impl Fn(usize) -> &'r [f64; IndicatorId::COUNT],
    period: TargetPeriod,
) -> Option<Assessment> {
    let id = target.indicator_id()?;
    let start = match target.period {
        Period::Milestone => return None,
        Period::ByEnd => PLAN_END,
        Period::Cumulative | Period::EveryYear => period_start(period),
    };
    let last_row = first_year + n_rows as Year - 1;
    let (first, last) = (start.max(first_year), PLAN_END.min(last_row));
    if n_rows == 0 || first > last {
        return None;
    }
    let value_at = |y: Year| row(usize::from(y - first_year))[id as usize];
    let complete = last == PLAN_END;
    let q = target.quantity;
    let holds = |v: f64| match target.direction {
        Direction::AtLeast => v >= q - 1e-9 * q.abs().max(1.0),
        Direction::AtMost => v <= q + 1e-9 * q.abs().max(1.0),
        Direction::Equal => (v - q).abs() <= 1e-9 * q.abs().max(1.0),
    };
    let (value, met) = match target.period {
        Period::Cumulative => {
            let sum: f64 = (first..=last).map(value_at).sum();
            (sum, holds(sum))
        }
        Period::ByEnd => (value_at(last), holds(value_at(last))),
        Period::EveryYear => {
            // The worst year is the one furthest on the wrong side of the quantity.
            let miss = |v: f64| match target.direction {
                Direction::AtLeast => q - v,
                Direction::AtMost => v - q,
                Direction::Equal => (v - q).abs(),
            };
            let worst = (first..=last).map(value_at).max_by(|a, b| miss(*a).total_cmp(&miss(*b))).unwrap_or(f64::NAN);
            (worst, (first..=last).all(|y| holds(value_at(y))))
        }
        Period::Milestone => return None,
    };
    Some(Assessment { value, met: complete.then_some(met), years: (first, last) })
}

/// Whether value `a` serves the target better than value `b` (`Some(true)`), worse
/// (`Some(false)`), or equally (`None`).
pub fn better(target: &Target, a: f64, b: f64) -> Option<bool> {
    let q = target.quantity;
    let score = |v: f64| match target.direction {
        Direction::AtLeast => v,
        Direction::AtMost => -v,
        Direction::Equal => -(v - q).abs(),
    };
    let (sa, sb) = (score(a), score(b));
    if sa > sb {
        Some(true)
    } else if sa < sb {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(period: Period, direction: Direction, quantity: f64) -> Target {
        Target {
            id: "t".into(),
            clause: "".into(),
            kind: "T".into(),
            text_zh: "".into(),
            text_en: "".into(),
            quantity,
            unit: "".into(),
            direction,
            period,
            responsible: vec![],
            indicator: "new_urban_jobs".into(),
            model_ref: "".into(),
            note: "".into(),
            definition: "what is counted".into(),
            judged_by: Some(JudgedBy::Outcome),
        }
    }

    fn rows(values: &[(Year, f64)]) -> Vec<(Year, [f64; IndicatorId::COUNT])> {
        values
            .iter()
            .map(|&(y, v)| {
                let mut r = [0.0; IndicatorId::COUNT];
                r[IndicatorId::NewUrbanJobs as usize] = v;
                (y, r)
            })
            .collect()
    }

    #[test]
    fn cumulative_sums_over_the_chosen_period() {
        let data = rows(&[(2024, 10.0), (2025, 20.0), (2026, 20.0), (2027, 20.0), (2028, 20.0)]);
        let refs: Vec<_> = data.iter().map(|(y, r)| (*y, r)).collect();
        let t = target(Period::Cumulative, Direction::AtLeast, 85.0);
        let a = assess(&t, &refs, TargetPeriod::From2025).unwrap();
        assert_eq!((a.value, a.met), (80.0, Some(false)));
        let b = assess(&t, &refs, TargetPeriod::From2024).unwrap();
        assert_eq!((b.value, b.met), (90.0, Some(true)));
    }

    #[test]
    fn every_year_reports_the_worst_year_and_partial_horizons_are_undecided() {
        let data = rows(&[(2025, 0.0), (2026, 3.0), (2027, 0.0)]);
        let refs: Vec<_> = data.iter().map(|(y, r)| (*y, r)).collect();
        let t = target(Period::EveryYear, Direction::Equal, 0.0);
        let a = assess(&t, &refs, TargetPeriod::From2025).unwrap();
        assert_eq!(a.value, 3.0);
        assert_eq!(a.met, None, "2028 is not simulated, so the target is undecided");
    }
}

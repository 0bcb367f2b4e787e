//! A deterministic projection of one scenario: the scenario's levers and parameter overrides
//! applied to the baseline, the base-year state, and the year-by-year run to the horizon.
//!
//! This is what `urbsim run` computes: every uncertain parameter at its central value and no
//! random shocks. Monte Carlo sweeps reuse `resolve` and the same model with a generator.

use crate::baseline::{Baseline, Setting, apply};
use crate::calibrate::base_state;
use crate::model::levers::LeverKind;
use crate::model::start::initial_state;
use crate::model::{self, IndicatorId, LAST_YEAR, LeverId, LeverPath, NoShocks, ParamId, Params, Year};
use crate::scenario::{KeySpec, Rule, Scenario, Schema, TargetPeriod, Value};

/// The default horizon: the plan expires at the end of 2028.
pub const DEFAULT_UNTIL: Year = 2028;

/// Keys a scenario file may set, built from the lever registry and the baseline's parameters.
pub struct ScenarioKeys {
    /// `[levers]` keys.
    pub levers: Vec<KeySpec>,
    /// `[parameters]` keys.
    pub parameters: Vec<KeySpec>,
    /// First and last year a schedule may name.
    pub years: (Year, Year),
}

impl ScenarioKeys {
    /// The keys for a baseline.
    pub fn new(baseline: &Baseline) -> ScenarioKeys {
        let levers = LeverId::ALL
            .iter()
            .map(|id| {
                let spec = id.spec();
                let rule = match spec.kind {
                    LeverKind::Number { min, max } => Rule::Number { min, max, schedule: true },
                    LeverKind::Bool => Rule::Bool,
                    LeverKind::Choice(options) => Rule::Choice(options),
                    LeverKind::Year { min, max } => Rule::Year { min, max, none_ok: true },
                };
                KeySpec { key: spec.key, unit: spec.unit, rule }
            })
            .collect();
        // A parameter may be fixed at a number or given another distribution within its
        // admissible range: shares in [0, 1]; quantities that are never negative from 0 up;
        // anything that can be negative, unbounded.
        let parameters = baseline
            .params
            .iter()
            .map(|def| {
                let unit = def.id.spec().unit;
                let negative = def.value < 0.0 || def.dist.as_ref().is_some_and(|d| d.support().0 < 0.0);
                let (min, max) = if unit.starts_with("share") {
                    (0.0, 1.0)
                } else if negative {
                    (f64::NEG_INFINITY, f64::INFINITY)
                } else {
                    (0.0, f64::INFINITY)
                };
                KeySpec { key: def.id.key(), unit, rule: Rule::Uncertain { min, max } }
            })
            .collect();
        ScenarioKeys { levers, parameters, years: (baseline.base_year + 1, LAST_YEAR) }
    }

    /// The schema the scenario loader validates against.
    pub fn schema(&self) -> Schema<'_> {
        Schema { levers: &self.levers, parameters: &self.parameters, first_year: self.years.0, last_year: self.years.1 }
    }
}

/// A scenario made concrete: parameters, lever path, horizon and target reading.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Scenario name.
    pub name: String,
    /// Chinese title.
    pub title_zh: String,
    /// English title.
    pub title_en: String,
    /// Plan clauses the scenario enacts.
    pub enacts: Vec<String>,
    /// Central parameters with the scenario's overrides.
    pub params: Params,
    /// Levers for every year.
    pub levers: LeverPath,
    /// Last simulated year.
    pub until: Year,
    /// Target-period reading.
    pub target_period: TargetPeriod,
    /// Levers the scenario sets, with their settings (for reports).
    pub changed_levers: Vec<(LeverId, Setting)>,
    /// Parameters the scenario fixes at a number.
    pub changed_params: Vec<(ParamId, f64)>,
    /// Parameters the scenario gives another distribution (its median is the central value).
    pub changed_dists: Vec<(ParamId, crate::uncertainty::Dist)>,
}

fn setting(value: &Value) -> Setting {
    match value {
        Value::Number(x) => Setting::Constant(*x),
        Value::Schedule(s) => Setting::Schedule(s.clone()),
        Value::Bool(b) => Setting::Constant(f64::from(u8::from(*b))),
        Value::Choice(i) => Setting::Constant(*i as f64),
        Value::Year(y) => Setting::Constant(y.map_or(f64::INFINITY, f64::from)),
        // Levers never take distributions; the schema does not allow it.
        Value::Dist(d) => Setting::Constant(d.central()),
    }
}

/// Applies a validated scenario to the baseline. `until` from the command line wins over the
/// scenario's own; `period` likewise.
pub fn resolve(
    baseline: &Baseline,
    scenario: &Scenario,
    until: Option<Year>,
    period: Option<TargetPeriod>,
) -> Resolved {
    let mut levers = baseline.default_levers(baseline.base_year + 1);
    let mut changed_levers = Vec::new();
    for (key, value) in &scenario.levers {
        if let Some(id) = LeverId::from_key(key) {
            let s = setting(value);
            apply(&mut levers, id, &s);
            changed_levers.push((id, s));
        }
    }
    let mut params = baseline.central_params();
    let mut changed_params = Vec::new();
    let mut changed_dists = Vec::new();
    for (key, value) in &scenario.parameters {
        match (ParamId::from_key(key), value) {
            (Some(id), Value::Number(x)) => {
                params[id] = *x;
                changed_params.push((id, *x));
            }
            (Some(id), Value::Dist(d)) => {
                params[id] = d.central();
                changed_dists.push((id, d.clone()));
            }
            _ => {}
        }
    }
    Resolved {
        name: scenario.name.clone(),
        title_zh: scenario.title_zh.clone(),
        title_en: scenario.title_en.clone(),
        enacts: scenario.enacts.clone(),
        params,
        levers,
        until: until.or(scenario.until).unwrap_or(DEFAULT_UNTIL),
        target_period: period.or(scenario.target_period).unwrap_or(TargetPeriod::From2025),
        changed_levers,
        changed_params,
        changed_dists,
    }
}

/// Year-by-year indicators of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// Year of the first row.
    pub first_year: Year,
    /// One row of indicators per year.
    pub rows: Vec<[f64; IndicatorId::COUNT]>,
}

impl Projection {
    /// (year, row) pairs.
    pub fn years(&self) -> impl Iterator<Item = (Year, &[f64; IndicatorId::COUNT])> {
        self.rows.iter().enumerate().map(|(i, r)| (self.first_year + i as Year, r))
    }

    /// The row of `year`, if simulated.
    pub fn row(&self, year: Year) -> Option<&[f64; IndicatorId::COUNT]> {
        self.rows.get(usize::from(year.checked_sub(self.first_year)?))
    }
}

/// Runs a resolved scenario deterministically from the base year to its horizon.
pub fn project(baseline: &Baseline, run: &Resolved) -> Projection {
    let demo = base_state(baseline, &run.params);
    let mut state = initial_state(&baseline.inputs, &run.params, &run.levers, &demo);
    let until = run.until.max(baseline.base_year + 1);
    let mut rows = vec![[0.0; IndicatorId::COUNT]; usize::from(until - baseline.base_year)];
    model::start_run(&baseline.inputs, &mut state, &mut NoShocks);
    model::simulate(&baseline.inputs, &run.params, &run.levers, &mut state, until, &mut NoShocks, &mut rows);
    Projection { first_year: baseline.base_year + 1, rows }
}

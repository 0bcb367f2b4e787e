//! A deterministic projection of one scenario: the scenario's levers and parameter overrides
//! applied to the baseline, the base-year state, and the year-by-year run to the horizon.
//!
//! This is what `urbsim run` computes, the median run: every uncertain parameter at the median
//! of its distribution and every shock at zero, its median. Monte Carlo sweeps reuse `resolve`
//! and the same model with a generator.
//!
//! A scenario changes the future, never the past: every scenario, lever-grid point and draw
//! starts from the one [`BaseState`], built from the baseline data and the status-quo levers
//! alone, and a scenario's levers act from the plan's policy start year (2025) unless a
//! schedule names an earlier year.

use crate::baseline::{Baseline, Setting, apply};
use crate::calibrate::base_state;
use crate::model::levers::LeverKind;
use crate::model::start::{Demographic, initial_state};
use crate::model::{self, CityState, IndicatorId, LAST_YEAR, LeverId, LeverPath, NoShocks, ParamId, Params, Year};
use crate::scenario::{KeySpec, Rule, Scenario, Schema, TargetPeriod, Value};

/// The default horizon: the plan expires at the end of 2028.
pub const DEFAULT_UNTIL: Year = 2028;

/// Parameters read only when the base-year state is built (stocks and levels of the base year).
/// A scenario cannot change the past, so it may not set them (`Rule::BaseYear`).
pub const BASE_YEAR_ONLY: &[ParamId] = &[
    ParamId::RevenueBase,
    ParamId::TransfersBase,
    ParamId::LandBase,
    ParamId::DebtBase,
    ParamId::Headroom,
    ParamId::ArhStockBase,
    ParamId::PrhStockBase,
    ParamId::OldCompoundsBase,
    ParamId::NurseryPerThousandBase,
    ParamId::BedsBase,
    ParamId::DoctorsBase,
    ParamId::NursesBase,
    ParamId::ElderlyBedsBase,
    ParamId::NursingShareBase,
    ParamId::TekunBedsBase,
    ParamId::KgCapacityCover,
    ParamId::SchoolCapacityCover,
    ParamId::TeacherCover,
    ParamId::ChStockRatio,
    ParamId::ZeroEmpBase,
    ParamId::RentBase,
    ParamId::MigrantIncome,
];

/// Parameters the model divides by (or takes stages from), with the smallest value a scenario
/// may give them: at zero the run would produce no number at all.
const POSITIVE: &[(ParamId, f64)] = &[
    (ParamId::HouseholdSize, 1.0),    // persons per household
    (ParamId::MigrantFloorArea, 5.0), // m² per migrant
    (ParamId::LoanSize, 1.0),         // 万元 per guarantee loan
    (ParamId::LoanTerm, 0.5),         // years
    (ParamId::TauCh, 0.5),            // years of commercial construction
];

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
                // Growth rates may be negative whatever their baseline range (a scenario may
                // describe a decline); other quantities only where the baseline's own range is.
                let (min, max) = admissible(def);
                let rule = if BASE_YEAR_ONLY.contains(&def.id) { Rule::BaseYear } else { Rule::Uncertain { min, max } };
                KeySpec { key: def.id.key(), unit, rule }
            })
            .collect();
        ScenarioKeys { levers, parameters, years: (baseline.base_year + 1, LAST_YEAR) }
    }

    /// The schema the scenario loader validates against.
    pub fn schema(&self) -> Schema<'_> {
        Schema { levers: &self.levers, parameters: &self.parameters, first_year: self.years.0, last_year: self.years.1 }
    }
}

/// The values a parameter may take anywhere (a scenario override, a department's figure): shares
/// in [0, 1]; quantities with a floor the model divides by from that floor up; growth rates and
/// quantities whose baseline range reaches below zero, any number; every other quantity from 0 up.
pub fn admissible(def: &crate::baseline::ParamDef) -> (f64, f64) {
    let unit = def.id.spec().unit;
    let key = def.id.key();
    let growth = key.starts_with("g_") || key.ends_with("_growth") || key.ends_with("_drift");
    let negative = growth || def.value < 0.0 || def.dist.as_ref().is_some_and(|d| d.support().0 < 0.0);
    if let Some((_, floor)) = POSITIVE.iter().find(|(id, _)| *id == def.id) {
        (*floor, f64::INFINITY)
    } else if unit.starts_with("share") {
        (0.0, 1.0)
    } else if negative {
        (f64::NEG_INFINITY, f64::INFINITY)
    } else {
        (0.0, f64::INFINITY)
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
    /// First year the scenario's levers act (the plan's policy start).
    pub policy_start: Year,
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

/// Applies a validated scenario to the baseline. A lever value without a year acts from
/// `policy_start` on (years before it keep the status quo); a schedule acts from the years it
/// names. `until` from the command line wins over the scenario's own; `period` likewise.
pub fn resolve(
    baseline: &Baseline,
    scenario: &Scenario,
    policy_start: Year,
    until: Option<Year>,
    period: Option<TargetPeriod>,
) -> Resolved {
    let policy_start = policy_start.max(baseline.base_year + 1);
    let mut levers = baseline.default_levers(baseline.base_year + 1);
    let mut changed_levers = Vec::new();
    for (key, value) in &scenario.levers {
        if let Some(id) = LeverId::from_key(key) {
            let s = setting(value);
            apply(&mut levers, id, &s, policy_start);
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
        policy_start,
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

/// The state at the end of the base year that every run starts from.
///
/// It is built from the baseline alone: the backcast from the census with the baseline's
/// median parameters (raked to the published base-year margins), then the base-year stocks,
/// pipelines, mandatory spending and reference indices under the status-quo levers. No
/// scenario lever or parameter override enters it, so a scenario cannot change the past.
#[derive(Clone, Debug)]
pub struct BaseState {
    /// Residents and hukou stocks at the end of the base year.
    pub demo: Demographic,
    /// The status-quo lever path (the base year's pipelines and indices are built under it).
    pub status_quo: LeverPath,
}

impl BaseState {
    /// Builds the demographic part once (a backcast of a few years).
    pub fn new(baseline: &Baseline) -> BaseState {
        BaseState {
            demo: base_state(baseline, &baseline.central_params()),
            status_quo: baseline.default_levers(baseline.base_year + 1),
        }
    }

    /// The full base-year state for baseline parameters `params`: the baseline's medians, or
    /// one draw of the baseline's distributions, never a scenario's overrides.
    pub fn city(&self, baseline: &Baseline, params: &Params) -> CityState {
        initial_state(&baseline.inputs, params, &self.status_quo, &self.demo)
    }
}

/// Runs a resolved scenario deterministically from the base year to its horizon.
pub fn project(baseline: &Baseline, run: &Resolved) -> Projection {
    project_from(baseline, &BaseState::new(baseline), run)
}

/// [`project`] from a base state built once for several scenarios.
pub fn project_from(baseline: &Baseline, base: &BaseState, run: &Resolved) -> Projection {
    let mut state = base.city(baseline, &baseline.central_params());
    let until = run.until.max(baseline.base_year + 1);
    let mut rows = vec![[0.0; IndicatorId::COUNT]; usize::from(until - baseline.base_year)];
    model::start_run(&baseline.inputs, &mut state, &mut NoShocks);
    model::simulate(&baseline.inputs, &run.params, &run.levers, &mut state, until, &mut NoShocks, &mut rows);
    Projection { first_year: baseline.base_year + 1, rows }
}

//! Backcast and calibration (MODEL.md §8-§9): run from the 2020 census to the base year, compare
//! with the published statistics, fit the calibrated [C] parameters, and build the base-year
//! state by raking the backcast's end state to the official base-year margins.
//!
//! Calibration is coordinate descent: each [C] parameter is moved by golden-section search on
//! the statistic it mainly drives (TFR on births, in-migration on residents, rural-to-town moves
//! on urban residents, c_adm on the rural hukou stock at θ = 1, other urban-hukou moves on the
//! urban hukou stock), three sweeps in a fixed order. Each evaluation is a three-year deterministic run, so
//! the whole fit takes milliseconds.

use crate::baseline::Baseline;
use crate::model::start::{Demographic, census_population, initial_state, rake};
use crate::model::{self, IndicatorId, NoShocks, ParamId, Params, Year};

/// Simulated against published values for one statistic and year.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Year.
    pub year: Year,
    /// Indicator id (`urbanisation_rate` is compared in percentage points).
    pub indicator: &'static str,
    /// Simulated value.
    pub simulated: f64,
    /// Published value.
    pub published: f64,
    /// Error: relative for counts, simulated minus published for rates.
    pub error: f64,
    /// Acceptance bound on |error| (MODEL.md §9), if the statistic has one.
    pub tolerance: Option<f64>,
}

impl Comparison {
    /// Whether the error is within its acceptance bound (true when there is none).
    pub fn accepted(&self) -> bool {
        self.tolerance.is_none_or(|t| self.error.abs() <= t)
    }
}

/// Statistics compared in the backcast, with their acceptance bound (MODEL.md §9; deaths have
/// none because 2022-23 deaths are published on the hukou basis).
const COMPARED: [(&str, Option<f64>); 8] = [
    ("resident_population", Some(0.01)),
    ("urbanisation_rate", Some(0.01)),
    ("hukou_population", Some(0.01)),
    ("urban_hukou_population", Some(0.01)),
    ("rural_hukou_population", Some(0.01)),
    ("births", Some(0.10)),
    ("deaths", None),
    // Nominal GDP has no bound: the published levels mix data vintages (see docs/MODEL.md §9).
    ("gdp", None),
];

/// Runs from the census to the base year with `params` and the status-quo levers; returns the
/// end state and one indicator row per year.
pub fn run_backcast(baseline: &Baseline, params: &Params) -> (Demographic, Vec<(Year, [f64; IndicatorId::COUNT])>) {
    let census_year = baseline.census.year;
    let (_, shape) = model::demography::migration_profile(params[ParamId::MigPeakAge]);
    let demo = census_population(&baseline.census, &shape);
    let levers = baseline.default_levers(census_year + 1);
    let mut state = initial_state(&baseline.inputs, params, &levers, &demo);
    // GDP starts from the census year's published level where there is one.
    if let Some(gdp) = baseline.observation("gdp", census_year) {
        state.gdp = gdp;
    }
    let n = usize::from(baseline.base_year - census_year);
    let mut rows = vec![[0.0; IndicatorId::COUNT]; n];
    model::start_run(&baseline.inputs, &mut state, &mut NoShocks);
    model::simulate(&baseline.inputs, params, &levers, &mut state, baseline.base_year, &mut NoShocks, &mut rows);
    let years = (census_year + 1..=baseline.base_year).zip(rows).collect();
    (Demographic { year: state.year, pop: state.pop, hukou: [state.hukou_urban, state.hukou_rural] }, years)
}

/// Compares a backcast with every published statistic it covers.
pub fn compare(baseline: &Baseline, rows: &[(Year, [f64; IndicatorId::COUNT])]) -> Vec<Comparison> {
    let mut out = Vec::new();
    for (indicator, tolerance) in COMPARED {
        for (year, row) in rows {
            let value = |id: IndicatorId| row[id as usize];
            let (simulated, published) = if indicator == "urbanisation_rate" {
                let Some(urban) = baseline.observation("urban_population", *year) else { continue };
                let Some(total) = baseline.observation("resident_population", *year) else { continue };
                (value(IndicatorId::UrbanisationRate), urban / total)
            } else if indicator == "rural_hukou_population" {
                // Published as the difference of the two hukou series.
                let Some(total) = baseline.observation("hukou_population", *year) else { continue };
                let Some(urban) = baseline.observation("urban_hukou_population", *year) else { continue };
                (value(IndicatorId::RuralHukouPopulation), total - urban)
            } else {
                let Some(id) = IndicatorId::from_key(indicator) else { continue };
                let Some(published) = baseline.observation(indicator, *year) else { continue };
                (value(id), published)
            };
            let error =
                if indicator == "urbanisation_rate" { simulated - published } else { simulated / published - 1.0 };
            out.push(Comparison { year: *year, indicator, simulated, published, error, tolerance });
        }
    }
    out
}

/// Sum of squared errors of one statistic (rates in percentage points scaled like 1% errors).
fn loss(comparisons: &[Comparison], indicator: &str) -> f64 {
    comparisons.iter().filter(|c| c.indicator == indicator).map(|c| c.error * c.error).sum()
}

/// Golden-section search for the minimum of `f` on `[lo, hi]`.
fn golden(mut lo: f64, mut hi: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (hi - r * (hi - lo), lo + r * (hi - lo));
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..60 {
        if fa < fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - r * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + r * (hi - lo);
            fb = f(b);
        }
    }
    0.5 * (lo + hi)
}

/// The calibrated parameters, the statistic each is fitted to, and its search interval.
pub const CALIBRATED: [(ParamId, &str, f64, f64); 5] = [
    (ParamId::Tfr, "births", 0.4, 2.0),
    (ParamId::InMigration, "resident_population", 0.0, 150_000.0),
    (ParamId::RuralToTown, "urbanisation_rate", 0.0, 0.3),
    (ParamId::CAdm, "rural_hukou_population", 0.0, 0.5),
    (ParamId::HukouNetUrban, "urban_hukou_population", -50_000.0, 50_000.0),
];

/// Fits the [C] parameters to the published 2021-base-year statistics, starting from `params`.
pub fn calibrate(baseline: &Baseline, params: &Params) -> Params {
    let mut p = params.clone();
    let evaluate = |p: &Params, target: &str| -> f64 {
        let (_, rows) = run_backcast(baseline, p);
        loss(&compare(baseline, &rows), target)
    };
    for _ in 0..3 {
        for (id, target, lo, hi) in CALIBRATED {
            let best = golden(lo, hi, |x| {
                let mut q = p.clone();
                q[id] = x;
                // c_adm is identified only together with θ (the share of the net rural-hukou
                // outflow that is conversion): it is fitted at θ = 1, where conversions carry the
                // whole outflow, and a run completes θ c_adm of applications.
                if id == ParamId::CAdm {
                    q[ParamId::ConversionShare] = 1.0;
                }
                evaluate(&q, target)
            });
            p[id] = best;
        }
    }
    p
}

/// The demographic state at the end of the base year: the backcast's end state raked to the
/// published base-year margins.
pub fn base_state(baseline: &Baseline, params: &Params) -> Demographic {
    let (mut demo, _) = run_backcast(baseline, params);
    let year = baseline.base_year;
    let margin = |k: &str| baseline.observation(k, year).unwrap_or(f64::NAN);
    let hukou_urban = margin("urban_hukou_population");
    rake(
        &mut demo,
        margin("resident_population"),
        margin("urban_population"),
        [hukou_urban, margin("hukou_population") - hukou_urban],
    );
    demo
}

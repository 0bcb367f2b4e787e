//! Housing (MODEL.md §3.4): the commercial-housing market and its construction pipeline,
//! rents and the migrant rent burden, affordable and public rental coverage, old-compound
//! renovation.
//!
//! ```text
//! HH_t       = U_t / hs_t,   hs_t = hs_0 (1 - d_hs)^(t - base)
//! Need_t     = HH_t-1 (1 + v*) - stocks_t-1 - units in construction
//! CHstarts_t = max(0, m S0 + α Need_t / τ_CH) · exp(σ z_t)
//! r_t        = r_t-1 (1 + ψ (HH (1 + v*) - Stock) / Stock + σ_r z_r)
//! HA_t       = ((1 - c_ARH) r + c_ARH d_ARH r) · area / income
//! ```
//! The commercial pipeline is the same Erlang-k material delay as the public ones
//! (k = clamp(floor τ, 1, 3) stages, each left at rate k/τ), less the stall rate.

use super::indicators::set;
use super::{CityState, E0, E1, IndicatorId, Inputs, L, LeverId, LeverPath, ParamId, Params, Programme, YearContext};

/// Number of Erlang stages and the leaving rate of each, for a mean delay `tau` (years).
pub fn erlang(tau: f64) -> (usize, f64) {
    let k = (tau.floor() as usize).clamp(1, 3);
    (k, (k as f64 / tau.max(1e-9)).min(1.0))
}

/// Household size in `year`.
pub fn household_size(inputs: &Inputs, params: &Params, year: super::Year) -> f64 {
    let t = f64::from(year) - f64::from(inputs.base_year);
    params[ParamId::HouseholdSize] * (1.0 - params[ParamId::HouseholdShrink]).powf(t)
}

/// Migrant (E and L) renter households.
fn migrant_renters(params: &Params, state: &CityState, hs: f64) -> f64 {
    let el = state.totals[L] + state.totals[E0] + state.totals[E1];
    params[ParamId::RenterShare] * el / hs
}

/// Migrant rent burden and ARH coverage for the current state.
pub fn rent_burden(params: &Params, levers: &LeverPath, state: &CityState, hs: f64, year: super::Year) -> (f64, f64) {
    let renters = migrant_renters(params, state, hs);
    let coverage = if renters > 0.0 { (state.arh_stock / renters).min(1.0) } else { 1.0 };
    let discount = levers.get(year, LeverId::ArhRent);
    let effective = ((1.0 - coverage) + coverage * discount) * state.rent;
    (effective * params[ParamId::MigrantFloorArea] / state.income, coverage)
}

/// Step 3 (private part): commercial housing starts, stage moves and completions.
pub fn commercial_pipeline(inputs: &Inputs, params: &Params, state: &mut CityState, cx: &mut YearContext) {
    let prev_year = cx.year - 1;
    let households = state.urban() / household_size(inputs, params, prev_year);
    let public_in_construction: f64 = [Programme::ArhNew, Programme::ArhConv, Programme::Prh]
        .iter()
        .map(|&p| state.pipelines[p as usize].in_construction())
        .sum();
    let in_construction: f64 = state.ch_stages.iter().sum::<f64>() + public_in_construction;
    let need = households * (1.0 + params[ParamId::VacancyTarget])
        - (state.ch_stock + state.arh_stock + state.prh_stock)
        - in_construction;
    let tau = params[ParamId::TauCh];
    let base = params[ParamId::ChRegime] * params[ParamId::ChStartsBase];
    let starts =
        (base + params[ParamId::ChGapClosure] * need / tau).max(0.0) * (params[ParamId::SigmaSector] * cx.z[5]).exp();
    let (k, p) = erlang(tau);
    let keep = p * (1.0 - params[ParamId::StallCh]);
    let mut completions = 0.0;
    for i in (0..k).rev() {
        let moved = keep * state.ch_stages[i];
        state.ch_stages[i] -= moved;
        if i + 1 < k {
            state.ch_stages[i + 1] += moved;
        } else {
            completions += moved;
        }
    }
    state.ch_stages[0] += starts;
    state.ch_stock += completions;
    state.ch_starts = [starts, state.ch_starts[0]];
    cx.ch_starts = starts;
    cx.ch_completions = completions;
}

/// Step 8 (housing part): households, rents, coverage, renovation.
pub fn market(
    inputs: &Inputs,
    params: &Params,
    levers: &LeverPath,
    state: &mut CityState,
    cx: &mut YearContext,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let year = cx.year;
    let arh_done = cx.completions[Programme::ArhNew as usize]
        + cx.completions[Programme::ArhConv as usize]
        + cx.project_completions[5];
    state.arh_stock += arh_done;
    state.prh_stock += cx.completions[Programme::Prh as usize];
    let hs = household_size(inputs, params, year);
    let households = state.urban() / hs;
    let stock = state.ch_stock + state.arh_stock + state.prh_stock;
    let pressure =
        params[ParamId::Psi] * (households * (1.0 + params[ParamId::VacancyTarget]) - stock) / stock.max(1.0);
    // A yearly rent change beyond ±50% is outside anything the adjustment rule was meant for.
    let factor = (1.0 + pressure + params[ParamId::SigmaRent] * cx.z[1]).clamp(0.5, 1.5);
    state.rent *= factor;
    state.income *= 1.0 + params[ParamId::IncomeGrowth];
    let (burden, coverage) = rent_burden(params, levers, state, hs, year);
    state.rent_burden = burden;

    let eligible = params[ParamId::PrhEligibleShare] * households;
    let prh_coverage = if eligible > 0.0 { (state.prh_stock / eligible).min(1.0) } else { 1.0 };
    let renovated = levers.get(year, LeverId::OldCompounds).min(state.old_compounds);
    state.old_compounds -= renovated;
    let embedded = renovated * levers.get(year, LeverId::EmbeddedShare) * params[ParamId::EmbeddedPlaces];
    state.embedded_places += embedded;
    cx.embedded_new = embedded;

    set(row, IndicatorId::UrbanHouseholds, households);
    set(row, IndicatorId::ChStarts, cx.ch_starts);
    set(row, IndicatorId::ChCompletions, cx.ch_completions);
    set(row, IndicatorId::ChStock, state.ch_stock);
    set(row, IndicatorId::ArhStock, state.arh_stock);
    set(row, IndicatorId::ArhCompletions, arh_done);
    set(row, IndicatorId::ArhCoverage, coverage);
    set(row, IndicatorId::PrhStock, state.prh_stock);
    set(row, IndicatorId::PrhCoverage, prh_coverage);
    set(row, IndicatorId::RentBurden, burden);
    set(row, IndicatorId::MarketRent, state.rent);
    set(row, IndicatorId::OldCompoundsRenovated, renovated);
    set(row, IndicatorId::EmbeddedPlaces, state.embedded_places);
}

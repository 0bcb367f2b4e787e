//! Public services (MODEL.md §3.5): nursery, kindergarten, primary, junior and senior seats,
//! hospital beds and health staff, elderly beds including 特困 care, key specialties, and the
//! service-access index SA.
//!
//! Demand comes from the cohorts, not from per-1000 ratios, because Liuyang's birth cohorts
//! have shrunk (9,363 births in 2021, 8,329 in 2023 [S]). Children of migrants from outside
//! count at the public-school access share a_mig (lever L8).
//! ```text
//! C_s,t = C_s,t-1 (1 - δ_s) + completions_s,t
//! kindergarten: Enrol = min(D, C); compulsory levels enrol every child, so a seat gap shows as
//! class sizes above the norm (45 primary, 50 junior; GB 50099-2011 [S12]).
//! nursery demand = u_nur · children aged 0-2 (all groups); gap = max(0, demand - places);
//! occupancy = min(demand, places) / places
//! SA = mean over kindergarten, primary, junior, beds, elderly beds of min(1, C/D)
//! ```

use super::demography::Cohorts;
use super::indicators::set;
use super::{CityState, E0, E1, GROUPS, IndicatorId, LeverId, LeverPath, ParamId, Params, Programme, YearContext};

/// Pupils per class at the norm: primary 45, junior 50 (GB 50099-2011 §3.0.1 [S12]).
const CLASS_NORM: [f64; 2] = [45.0, 50.0];
/// Pupils per teacher at the norm: kindergarten 8 (保教 1:7-1:9 [S10]), primary 19, junior 13.5,
/// senior 12.5 [S13].
pub const TEACHER_NORM: [f64; 4] = [8.0, 19.0, 13.5, 12.5];
/// Share of new public elderly beds reserved for 特困 care [A].
const TEKUN_RESERVE: f64 = 0.1;

/// Service demand computed from the cohorts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Demand {
    /// Children aged 3-5 of all groups.
    pub kg_age: f64,
    /// Nursery places sought: children aged 0-2 of all groups times the uptake u_nur.
    pub nursery: f64,
    /// Seats sought: kindergarten, primary, junior, senior.
    pub seats: [f64; 4],
    /// Hospital beds needed.
    pub beds: f64,
    /// Elderly beds needed, including 特困 care.
    pub elderly: f64,
    /// 特困 persons unable to care for themselves.
    pub tekun: f64,
    /// Residents.
    pub population: f64,
    /// Residents aged 60+.
    pub aged: f64,
}

/// Persons in age band `band`, with outside migrants counted at the public-school access share.
fn entitled(c: &Cohorts, band: usize, school_access: f64) -> f64 {
    (0..GROUPS).map(|g| if g == E0 || g == E1 { c.band[g][band] * school_access } else { c.band[g][band] }).sum()
}

/// Demand for every service from the cohort aggregates and the resident population.
pub fn demand(params: &Params, levers: &LeverPath, c: &Cohorts, population: f64, year: super::Year) -> Demand {
    let access = levers.get(year, LeverId::SchoolAccess);
    let aged = c.aged_total();
    let tekun = params[ParamId::TekunShare] * aged;
    Demand {
        kg_age: (0..GROUPS).map(|g| c.band[g][1]).sum(),
        // 托育 is not tied to hukou or to the school-access lever, so every child under 3 counts.
        nursery: params[ParamId::NurseryUptake] * (0..GROUPS).map(|g| c.band[g][0]).sum::<f64>(),
        seats: [
            entitled(c, 1, access) * params[ParamId::KgGer],
            entitled(c, 2, access),
            entitled(c, 3, access),
            entitled(c, 4, access) * params[ParamId::HsGer],
        ],
        beds: params[ParamId::BedsNorm] * population / 1000.0,
        elderly: params[ParamId::ElderlyBedsNorm] * aged / 1000.0 + tekun,
        tekun,
        population,
        aged,
    }
}

/// Service access index SA in [0, 1].
pub fn access(state: &CityState, d: &Demand) -> f64 {
    let ratio = |c: f64, d: f64| if d > 0.0 { (c / d).min(1.0) } else { 1.0 };
    (ratio(state.seats[0], d.seats[0])
        + ratio(state.seats[1], d.seats[1])
        + ratio(state.seats[2], d.seats[2])
        + ratio(state.health[0], d.beds)
        + ratio(state.elderly[0], d.elderly))
        / 5.0
}

/// Steps 8-9 (services part): capacities, staff, specialties, demand and indicators.
pub fn update(
    params: &Params,
    levers: &LeverPath,
    state: &mut CityState,
    cx: &mut YearContext,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let year = cx.year;
    let keep = 1.0 - params[ParamId::Retirement];
    let done = &cx.completions;
    let named = &cx.project_completions;
    // Half the embedded 一老一小 places serve the under-3s [A].
    state.nursery = state.nursery * keep + done[Programme::Nursery as usize] + 0.5 * cx.embedded_new;
    state.seats[0] *= keep;
    state.seats[1] = state.seats[1] * keep + done[Programme::Primary as usize] + named[0];
    state.seats[2] = state.seats[2] * keep + done[Programme::Junior as usize] + named[1];
    state.seats[3] = state.seats[3] * keep + named[2];
    // Teachers at compulsory levels are replaced as they leave; kindergarten posts are the lever.
    state.teachers[0] += levers.get(year, LeverId::KgTeacherPosts);
    state.health[0] = state.health[0] * keep + done[Programme::Hospital as usize] + named[3];
    let attrition = 1.0 - params[ParamId::Attrition];
    state.health[1] = state.health[1] * attrition + levers.get(year, LeverId::DoctorHires);
    state.health[2] = state.health[2] * attrition + levers.get(year, LeverId::NurseHires);
    let new_elderly = done[Programme::Elderly as usize] + named[4];
    state.elderly[0] = state.elderly[0] * keep + new_elderly;
    state.elderly[1] = state.elderly[1] * keep + new_elderly * levers.get(year, LeverId::NursingShare);
    state.elderly[2] = state.elderly[2] * keep + new_elderly * TEKUN_RESERVE;
    state.home_elderly += levers.get(year, LeverId::HomeElderlyBeds);

    let effort = levers.get(year, LeverId::SpecialtyEffort);
    state.specialty_hazard[1] += params[ParamId::PSpec] * effort;
    state.specialty_hazard[0] += params[ParamId::PSpec] * params[ParamId::NationalSpecFactor] * effort;
    let national = f64::from(u8::from(state.specialty_hazard[0] >= state.specialty_threshold[0]));
    let provincial = state.specialty_threshold[1..].iter().filter(|&&t| state.specialty_hazard[1] >= t).count() as f64;

    let d = demand(params, levers, &state.cohorts, state.residents(), year);
    state.service_access = access(state, &d);
    let kg_enrol = d.seats[0].min(state.seats[0]);
    let per_1000 = |x: f64| x / d.population * 1000.0;
    set(row, IndicatorId::NurseryPlacesPer1000, per_1000(state.nursery));
    set(row, IndicatorId::NurseryDemand, d.nursery);
    set(row, IndicatorId::NurseryGap, (d.nursery - state.nursery).max(0.0));
    // Places beyond demand stand empty. National reference, end-2021: about 6% of some 37 million
    // under-3s (births 2019-21, NBS) in 2.03 places per 1,000 (2.87 million) [S35], so roughly
    // 0.8 in use [D].
    set(
        row,
        IndicatorId::NurseryOccupancy,
        if state.nursery > 0.0 { d.nursery.min(state.nursery) / state.nursery } else { 0.0 },
    );
    set(row, IndicatorId::KgDemand, d.seats[0]);
    set(row, IndicatorId::KgSeats, state.seats[0]);
    set(row, IndicatorId::KgGap, (d.seats[0] - state.seats[0]).max(0.0));
    set(row, IndicatorId::KgGer, if d.kg_age > 0.0 { kg_enrol / d.kg_age } else { 0.0 });
    set(row, IndicatorId::KgPupilsPerTeacher, kg_enrol / state.teachers[0].max(1.0));
    set(row, IndicatorId::PrimaryDemand, d.seats[1]);
    set(row, IndicatorId::PrimarySeats, state.seats[1]);
    set(row, IndicatorId::PrimaryGap, (d.seats[1] - state.seats[1]).max(0.0));
    set(row, IndicatorId::PrimaryClassSize, CLASS_NORM[0] * d.seats[1] / state.seats[1].max(1.0));
    set(row, IndicatorId::PrimaryPupilsPerTeacher, d.seats[1] / state.teachers[1].max(1.0));
    set(row, IndicatorId::JuniorDemand, d.seats[2]);
    set(row, IndicatorId::JuniorSeats, state.seats[2]);
    set(row, IndicatorId::JuniorGap, (d.seats[2] - state.seats[2]).max(0.0));
    set(row, IndicatorId::JuniorClassSize, CLASS_NORM[1] * d.seats[2] / state.seats[2].max(1.0));
    set(row, IndicatorId::JuniorPupilsPerTeacher, d.seats[2] / state.teachers[2].max(1.0));
    set(row, IndicatorId::SeniorGap, (d.seats[3] - state.seats[3]).max(0.0));
    set(row, IndicatorId::HospitalBeds, state.health[0]);
    set(row, IndicatorId::BedsPer1000, per_1000(state.health[0]));
    set(row, IndicatorId::DoctorsPer1000, per_1000(state.health[1]));
    set(row, IndicatorId::NursesPer1000, per_1000(state.health[2]));
    set(row, IndicatorId::KeySpecialtiesNational, national);
    set(row, IndicatorId::KeySpecialtiesProvincial, provincial);
    set(row, IndicatorId::MutualRecognition, levers.get(year, LeverId::Recognition));
    set(row, IndicatorId::ElderlyBeds, state.elderly[0]);
    set(row, IndicatorId::ElderlyBedsPer1000, if d.aged > 0.0 { state.elderly[0] / d.aged * 1000.0 } else { 0.0 });
    set(
        row,
        IndicatorId::NursingBedShare,
        if state.elderly[0] > 0.0 { state.elderly[1] / state.elderly[0] } else { 0.0 },
    );
    set(row, IndicatorId::TekunCareRate, if d.tekun > 0.0 { (state.elderly[2] / d.tekun).min(1.0) } else { 1.0 });
    set(row, IndicatorId::HomeElderlyBeds, state.home_elderly);
    set(row, IndicatorId::ServiceAccess, state.service_access);
    set(row, IndicatorId::GasPipeConversions, levers.get(year, LeverId::GasConversions));
}

//! Employment and industry (MODEL.md §3.3): sector output and labour demand, the closure of the
//! labour market (employment never exceeds the labour supply), programme jobs, the proxies for
//! 城镇新增就业 and 农村劳动力转移就业, and zero-employment households.
//!
//! ```text
//! Q_k,t = Q_k,t-1 (1 + g_k + γ u_t + land_k + σ_k (√r z_t + √(1-r) e_k,t))     k = 1..10
//! L_k   = Q_k / π_k,   π_k,t = π_k,t-1 (1 + λ)
//! L_11  = other + c_con CAPEX_t + c_CH CHstarts_t;   L_12 = ν Σ_{k≤9} L_k + ς Pop/1000
//! D_t   = Σ L_k;   S_t = (1 + c_in) Σ_g labour_g;   E_t = min(D_t, (1 - u*) S_t);   JR_t = D_t / S_t
//! J_t   = (E_t / D_t) Σ μ_k L_k;   PJ_t = δ_add (ET φ_st j_st + loans j_GL + incubator jobs)
//! NUJ_t = max(0, J_t - J_t-1) + χ J_t-1 + PJ_t
//! LT_t  = e_nf (working-age R->L and R->out) + κ_c NUJ_t + θ_VT VT_t
//! Z_t   = Z_t-1 + ζ HH_t - min(Z_t-1 + ζ HH_t, PWJ_t + place Z_t-1)
//! ```
//! NUJ is a gross hiring flow in the official count, so χ adds hiring that replaces leavers; χ
//! and κ_c are anchored on 宁乡市's recorded counts until the 人社局 supplies Liuyang's [L].

use super::indicators::set;
use super::{CityState, IndicatorId, Inputs, L, LeverId, LeverPath, ParamId, Params, R, SECTORS, YearContext};

/// Growth parameters of sectors 1-10, in sector order.
const GROWTH: [ParamId; 10] = [
    ParamId::GElectronics,
    ParamId::GBiomedicine,
    ParamId::GFireworks,
    ParamId::GSmartEquipment,
    ParamId::GHomeBuilding,
    ParamId::GNewMaterials,
    ParamId::GPaper,
    ParamId::GEnvTech,
    ParamId::GFood,
    ParamId::GAgriculture,
];
/// Employment indicators of the twelve sectors, in sector order.
pub const SECTOR_JOBS: [IndicatorId; SECTORS] = [
    IndicatorId::JobsElectronics,
    IndicatorId::JobsBiomedicine,
    IndicatorId::JobsFireworks,
    IndicatorId::JobsSmartEquipment,
    IndicatorId::JobsHomeBuilding,
    IndicatorId::JobsNewMaterials,
    IndicatorId::JobsPaper,
    IndicatorId::JobsEnvTech,
    IndicatorId::JobsFood,
    IndicatorId::JobsAgriculture,
    IndicatorId::JobsConstruction,
    IndicatorId::JobsServices,
];

/// Index of construction (sector 11) and other services (sector 12).
const CONSTRUCTION: usize = 10;
const SERVICES: usize = 11;

/// Jobs by sector for given outputs and productivities (persons); sectors 11-12 need extra inputs.
fn sector_jobs(
    inputs: &Inputs,
    params: &Params,
    state: &CityState,
    capex: f64,
    ch_starts: f64,
    population: f64,
) -> [f64; SECTORS] {
    let mut jobs = [0.0; SECTORS];
    for k in 0..10 {
        jobs[k] = if state.productivity[k] > 0.0 { state.output[k] * 1e4 / state.productivity[k] } else { 0.0 };
    }
    jobs[CONSTRUCTION] =
        inputs.sectors[CONSTRUCTION].other_jobs + params[ParamId::CCon] * capex + params[ParamId::CCh] * ch_starts;
    jobs[SERVICES] = params[ParamId::NuServices] * jobs[..9].iter().sum::<f64>()
        + params[ParamId::SigmaServices] * population / 1000.0;
    jobs
}

/// Urban jobs from jobs by sector.
fn urban_jobs(inputs: &Inputs, jobs: &[f64; SECTORS]) -> f64 {
    jobs.iter().zip(&inputs.sectors).map(|(j, s)| j * s.urban_share).sum()
}

/// Real value added of the modelled economy, 亿元 (drives GDP growth).
fn value_added(inputs: &Inputs, state: &CityState, jobs: &[f64; SECTORS]) -> f64 {
    let mut va = 0.0;
    for k in 0..10 {
        va += inputs.sectors[k].value_added * state.output[k];
    }
    va + (jobs[CONSTRUCTION] * state.productivity[CONSTRUCTION] + jobs[SERVICES] * state.productivity[SERVICES]) / 1e4
}

/// Labour supply: urban residents by participation, plus rural commuters.
pub fn labour_supply(params: &Params, cohorts: &super::demography::Cohorts) -> f64 {
    cohorts.labour[L..].iter().sum::<f64>() + params[ParamId::Commuters] * cohorts.labour[R]
}

/// Total labour supply: the residents' labour force (every group, by participation) plus
/// in-commuters.
pub fn total_supply(params: &Params, cohorts: &super::demography::Cohorts) -> f64 {
    cohorts.labour.iter().sum::<f64>() * (1.0 + params[ParamId::InCommuting])
}

/// Labour-market closure: employment is labour demand, but never more than the supply less
/// frictional unemployment. Returns (employment, the share of demand filled).
pub fn closure(params: &Params, demand: f64, supply: f64) -> (f64, f64) {
    let cap = (1.0 - params[ParamId::FrictionalUnemployment].clamp(0.0, 1.0)) * supply.max(0.0);
    let employment = demand.max(0.0).min(cap);
    (employment, if demand > 0.0 { employment / demand } else { 1.0 })
}

/// Urban employment and the demand-to-supply ratio implied by the state at the start of a run
/// (the reference of the jobs ratio that drives migration).
pub fn initial_jobs(inputs: &Inputs, params: &Params, state: &CityState, ch_starts: f64) -> (f64, f64) {
    let pop = state.residents();
    let jobs = sector_jobs(inputs, params, state, state.budget.capex, ch_starts, pop);
    let demand: f64 = jobs.iter().sum();
    let supply = total_supply(params, &state.cohorts);
    let (_, filled) = closure(params, demand, supply);
    (urban_jobs(inputs, &jobs) * filled, if supply > 0.0 { demand / supply } else { 1.0 })
}

/// Step 4: sector output, jobs, programme jobs and the new-urban-jobs proxy.
pub fn economy(
    inputs: &Inputs,
    params: &Params,
    levers: &LeverPath,
    state: &mut CityState,
    cx: &mut YearContext,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let year = cx.year;
    let population = state.residents();
    let jobs_before = sector_jobs(inputs, params, state, cx.capex, state.ch_starts[1], population);
    let va_before = value_added(inputs, state, &jobs_before);

    let policy = levers.get(year, LeverId::IndustrialPolicy);
    let land = levers.get(year, LeverId::LandRecycled);
    let r = params[ParamId::RhoMacro].clamp(0.0, 1.0);
    let (common, own) = (r.sqrt(), (1.0 - r).sqrt());
    let lambda = params[ParamId::LambdaProd];
    for k in 0..10 {
        // Industrial policy acts on the industrial sectors 1-9, recycled land on manufacturing 1-8 [A].
        let extra = if k < 9 { params[ParamId::GammaPolicy] * policy } else { 0.0 }
            + if k < 8 { params[ParamId::LandRecycleGrowth] * land } else { 0.0 };
        let shock = params[ParamId::SigmaSector] * inputs.sectors[k].volatility * (common * cx.z[0] + own * cx.e[k]);
        let growth = (params[GROWTH[k]] + extra + shock).max(-0.5);
        state.output[k] *= 1.0 + growth;
    }
    for pi in state.productivity.iter_mut() {
        *pi *= 1.0 + lambda;
    }
    let jobs = sector_jobs(inputs, params, state, cx.capex, cx.ch_starts, population);
    // Closure: jobs are demand; employment is bounded by the labour supply (start of the year's
    // residents by participation, plus in-commuters) less frictional unemployment. Output is
    // not constrained (productivity absorbs a shortage); the jobs ratio demand / supply drives
    // migration in and out (§3.2).
    let demand: f64 = jobs.iter().sum();
    let supply = total_supply(params, &state.cohorts);
    let (employment, filled) = closure(params, demand, supply);
    let urban = urban_jobs(inputs, &jobs) * filled;
    cx.jobs_ratio = if supply > 0.0 { demand / supply } else { 0.0 };
    let va_after = value_added(inputs, state, &jobs);
    let real_growth = if va_before > 0.0 { va_after / va_before - 1.0 } else { 0.0 };
    state.gdp_growth = (1.0 + real_growth) * (1.0 + params[ParamId::InflationGdp]) - 1.0;
    state.gdp *= 1.0 + state.gdp_growth;

    let et = levers.get(year, LeverId::EntTraining);
    let loans = levers.get(year, LeverId::GuaranteeLoans) * 1e4 / params[ParamId::LoanSize];
    let programme = params[ParamId::DeltaAdd]
        * (et * params[ParamId::PhiStartup] * params[ParamId::JobsPerStartup]
            + loans * params[ParamId::JobsPerLoan]
            + levers.get(year, LeverId::Incubator) * params[ParamId::ProgrammeJobsPerIncubator]);
    let nuj = (urban - state.jobs).max(0.0) + params[ParamId::Chi] * state.jobs + programme;
    cx.jobs = urban;
    cx.programme_jobs = programme;
    cx.new_urban_jobs = nuj;
    state.jobs = urban;

    set(row, IndicatorId::UrbanJobs, urban);
    set(row, IndicatorId::TotalEmployment, employment);
    // Employment by sector: each sector's demand times the share of demand filled.
    for (k, id) in SECTOR_JOBS.iter().enumerate() {
        set(row, *id, jobs[k] * filled);
    }
    set(row, IndicatorId::LabourDemand, demand);
    set(row, IndicatorId::TotalLabourSupply, supply);
    set(row, IndicatorId::UnemploymentRate, if supply > 0.0 { 1.0 - employment / supply } else { 0.0 });
    set(row, IndicatorId::NewUrbanJobs, nuj);
    set(row, IndicatorId::ProgrammeJobs, programme);
    set(row, IndicatorId::Gdp, state.gdp);
    set(row, IndicatorId::OutputElectronics, state.output[0]);
    set(row, IndicatorId::OutputBiomedicine, state.output[1]);
    set(row, IndicatorId::OutputFireworks, state.output[2]);
    set(row, IndicatorId::OutputSmartEquipment, state.output[3]);
    set(row, IndicatorId::OutputHomeBuilding, state.output[4]);
    set(row, IndicatorId::OutputEnvTechPark, state.output[7]);
    // 经开区 技工贸收入 is read as moving with the zone's main industries (sectors 1, 2, 4, 6) [A].
    let zone_base: f64 = [0, 1, 3, 5].iter().map(|&k| inputs.sectors[k].output).sum();
    let zone_now: f64 = [0, 1, 3, 5].iter().map(|&k| state.output[k]).sum();
    set(row, IndicatorId::DevZoneRevenue, inputs.dev_zone_base * zone_now / zone_base.max(1e-9));
    set(row, IndicatorId::VocationalTraining, levers.get(year, LeverId::VocTraining));
    set(row, IndicatorId::EntrepreneurshipTraining, et);
    set(row, IndicatorId::GuaranteeLoansIssued, levers.get(year, LeverId::GuaranteeLoans));
}

/// Step 10: transfer employment, labour supply, job security, zero-employment households.
pub fn accounts(
    params: &Params,
    levers: &LeverPath,
    state: &mut CityState,
    cx: &YearContext,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let year = cx.year;
    let vt = levers.get(year, LeverId::VocTraining);
    let transfer = params[ParamId::ENonFarm] * cx.rural_movers
        + params[ParamId::KappaC] * cx.new_urban_jobs
        + params[ParamId::ThetaVt] * vt;
    state.labour_supply = labour_supply(params, &state.cohorts);

    // Job security rises with vocational training relative to the E/L working-age population.
    let el_workers: f64 = state.cohorts.working[L..super::H].iter().sum();
    if el_workers > 0.0 {
        state.job_security = (state.job_security + params[ParamId::PhiJs] * vt / el_workers).min(1.0);
    }
    // Social protection: the assistance standard relative to income (SP multiplies it by the
    // benefit ratio of lever L14, see `settlement::protection`).
    let assistance = (1.0 + levers.get(year, LeverId::AssistanceGrowth)) / (1.0 + params[ParamId::IncomeGrowth]);
    state.protection *= assistance;
    // The land-value index rises with marketised land but saturates at its ceiling, so its effect
    // on willingness stays bounded however long the policy runs.
    let ceiling = params[ParamId::LandValueMax].max(1.0);
    let room = if ceiling > 1.0 { ((ceiling - state.land_value) / (ceiling - 1.0)).clamp(0.0, 1.0) } else { 0.0 };
    state.land_value *= 1.0 + params[ParamId::LandValueStep] * levers.get(year, LeverId::LandMarket) * room;

    let households = row[IndicatorId::UrbanHouseholds as usize];
    let inflow = params[ParamId::Zeta] * households;
    let placed = levers.get(year, LeverId::WelfareJobs) + params[ParamId::PlaceRate] * state.zero_employment;
    let pool = state.zero_employment + inflow;
    state.zero_employment = pool - pool.min(placed);

    set(row, IndicatorId::RuralLabourTransfer, transfer);
    set(row, IndicatorId::LabourSupply, state.labour_supply);
    set(row, IndicatorId::JobsRatio, cx.jobs_ratio);
    set(row, IndicatorId::ZeroEmploymentHouseholds, state.zero_employment);
}

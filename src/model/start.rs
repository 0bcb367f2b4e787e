//! The starting state: the 2020 census split into single years and residence/hukou groups, and
//! the full city state at the start of a run built from a demographic state plus the
//! parameters' base-year stocks.
//!
//! The census gives Liuyang's ages in 5-year groups for both sexes; they are split by sex with
//! Hunan's male fraction and spread evenly over single years (85+ declines geometrically) [D].
//! Urban residents by age follow Hunan's urban share by age, rescaled to Liuyang's total [D];
//! within the towns, outside migrants (E) and local rural-hukou residents (L) lean towards the
//! migration ages [A], and the rest hold a Liuyang urban hukou (H).

use super::{
    AGES, Budget, CityState, E0, E1, GROUPS, H, Inputs, L, LeverId, LeverPath, MAX_PROJECTS, PROGRAMMES, ParamId,
    Params, Pipeline, Pop, R, SEXES,
};
use super::{demography, employment, fiscal, housing, services};

/// Starting ages of the census groups: 0, 1-4, 5-9, ..., 80-84, 85+.
pub const CENSUS_GROUPS: usize = 19;

/// The 2020 census inputs (values already validated and tagged in the baseline data).
#[derive(Clone, Debug, PartialEq)]
pub struct Census {
    /// Census year, treated as its year end.
    pub year: super::Year,
    /// Resident population.
    pub residents: f64,
    /// Urban share of residents.
    pub urban_share: f64,
    /// Urban and rural hukou stocks.
    pub hukou: [f64; 2],
    /// Share of urban-hukou holders living in Liuyang's towns.
    pub urban_hukou_resident_share: f64,
    /// Share of the other urban residents whose hukou is outside Liuyang.
    pub external_share: f64,
    /// Share of outside migrants holding a permit.
    pub permit_share: f64,
    /// Share of residents in each census age group.
    pub age_share: [f64; CENSUS_GROUPS],
    /// Male fraction in each group.
    pub male_fraction: [f64; CENSUS_GROUPS],
    /// Relative urban share by group (shape only).
    pub urban_share_by_age: [f64; CENSUS_GROUPS],
}

/// Residents and the hukou account: the part of the state that the backcast carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Demographic {
    /// Year (end of).
    pub year: super::Year,
    /// Residents by group, sex, age.
    pub pop: Pop,
    /// Urban and rural hukou stocks.
    pub hukou: [f64; 2],
}

/// Census group of a single age.
fn census_group(a: usize) -> usize {
    match a {
        0 => 0,
        1..=4 => 1,
        _ => (a / 5 + 1).min(CENSUS_GROUPS - 1),
    }
}

/// Splits the census into single years, sexes and groups. `shape` is the migration shape (peak 1).
pub fn census_population(c: &Census, shape: &[[f64; AGES]; SEXES]) -> Demographic {
    // Single-year weights within each census group: even, except a geometric decline over 85+.
    let mut weight = [0.0; AGES];
    let mut group_sum = [0.0; CENSUS_GROUPS];
    for (a, w) in weight.iter_mut().enumerate() {
        *w = if a >= 85 { 0.8f64.powi(a as i32 - 85) } else { 1.0 };
        group_sum[census_group(a)] += *w;
    }
    let share_total: f64 = c.age_share.iter().sum();
    let mut total = [[0.0; AGES]; SEXES];
    for a in 0..AGES {
        let g = census_group(a);
        let persons = c.residents * c.age_share[g] / share_total * weight[a] / group_sum[g];
        total[0][a] = persons * c.male_fraction[g];
        total[1][a] = persons * (1.0 - c.male_fraction[g]);
    }
    // Urban residents by age: Hunan's shape, scaled to Liuyang's urban share (capped at 95%).
    let mut scale = 1.0;
    let mut urban = [[0.0; AGES]; SEXES];
    for _ in 0..50 {
        let mut sum = 0.0;
        for s in 0..SEXES {
            for a in 0..AGES {
                urban[s][a] = (scale * c.urban_share_by_age[census_group(a)]).min(0.95) * total[s][a];
                sum += urban[s][a];
            }
        }
        scale *= c.urban_share * c.residents / sum;
    }
    let urban_total: f64 = urban.iter().flatten().sum();
    let h_total = (c.urban_hukou_resident_share * c.hukou[0]).min(0.95 * urban_total);
    let others = urban_total - h_total;
    let e_total = c.external_share * others;
    let l_total = others - e_total;
    // E follows the migration shape; L leans half on it [A]. Both scaled to their totals and
    // capped together at 90% of a cell so H never goes negative.
    let (mut ce, mut cl) = (1.0, 1.0);
    let mut e = [[0.0; AGES]; SEXES];
    let mut l = [[0.0; AGES]; SEXES];
    for _ in 0..50 {
        let (mut se, mut sl) = (0.0, 0.0);
        for s in 0..SEXES {
            for a in 0..AGES {
                let u = urban[s][a];
                let (fe, fl) = (ce * shape[s][a], cl * (0.5 + 0.5 * shape[s][a]));
                let squeeze = if fe + fl > 0.9 { 0.9 / (fe + fl) } else { 1.0 };
                e[s][a] = u * fe * squeeze;
                l[s][a] = u * fl * squeeze;
                se += e[s][a];
                sl += l[s][a];
            }
        }
        ce *= if se > 0.0 { e_total / se } else { 1.0 };
        cl *= if sl > 0.0 { l_total / sl } else { 1.0 };
    }
    let mut pop = [[[0.0; AGES]; SEXES]; GROUPS];
    for s in 0..SEXES {
        for a in 0..AGES {
            pop[R][s][a] = total[s][a] - urban[s][a];
            pop[L][s][a] = l[s][a];
            pop[E0][s][a] = e[s][a] * (1.0 - c.permit_share);
            pop[E1][s][a] = e[s][a] * c.permit_share;
            pop[H][s][a] = urban[s][a] - e[s][a] - l[s][a];
        }
    }
    Demographic { year: c.year, pop, hukou: c.hukou }
}

/// Rakes a demographic state to published margins: residents, urban residents, and the urban
/// and rural hukou stocks. Rural cells and urban cells are each scaled by one factor.
pub fn rake(d: &mut Demographic, residents: f64, urban: f64, hukou: [f64; 2]) {
    let urban_now = demography::urban(&d.pop);
    let rural_now = demography::total(&d.pop) - urban_now;
    let (fu, fr) = (urban / urban_now, (residents - urban) / rural_now);
    for (g, group) in d.pop.iter_mut().enumerate() {
        let f = if g == R { fr } else { fu };
        for cell in group.iter_mut().flatten() {
            *cell *= f;
        }
    }
    d.hukou = hukou;
}

/// Builds the full state at the end of the base year from a demographic state, the baseline's
/// parameters and the status-quo levers (base-year stocks are parameters; many are
/// placeholders [L]). Callers pass the status quo, never a scenario's levers: the base year is
/// the past, the same for every scenario (`projection::BaseState`).
pub fn initial_state(inputs: &Inputs, params: &Params, levers: &LeverPath, demo: &Demographic) -> CityState {
    let year = demo.year;
    let pop = demo.pop;
    let population = demography::total(&pop);
    let hs = housing::household_size(inputs, params, year);
    let households = demography::urban(&pop) / hs;
    let ch_starts = params[ParamId::ChRegime] * params[ParamId::ChStartsBase];
    let (k_ch, p_ch) = housing::erlang(params[ParamId::TauCh]);
    let ch_stage = ch_starts / (p_ch * (1.0 - params[ParamId::StallCh])).max(1e-9);
    let mut ch_stages = [0.0; 3];
    ch_stages[..k_ch].fill(ch_stage);

    let mut state = CityState {
        year,
        pop,
        totals: demography::group_totals(&pop),
        cohorts: demography::Cohorts::of(&pop, &inputs.lfpr),
        hukou_urban: demo.hukou[0],
        hukou_rural: demo.hukou[1],
        vital: [0.0; 4],
        output: std::array::from_fn(|k| inputs.sectors[k].output),
        productivity: std::array::from_fn(|k| inputs.sectors[k].productivity),
        jobs: 0.0,
        labour_supply: 0.0,
        gdp: inputs.gdp_base,
        gdp_growth: params[ParamId::InflationGdp],
        job_security: params[ParamId::PSi],
        protection: 1.0,
        land_value: 1.0,
        rent: params[ParamId::RentBase],
        income: params[ParamId::MigrantIncome],
        rent_burden: 0.0,
        service_access: 0.0,
        zero_employment: params[ParamId::ZeroEmpBase],
        ch_stock: 0.0,
        ch_stages,
        ch_starts: [ch_starts, ch_starts],
        arh_stock: params[ParamId::ArhStockBase],
        prh_stock: params[ParamId::PrhStockBase],
        pipelines: [Pipeline::default(); PROGRAMMES],
        old_compounds: params[ParamId::OldCompoundsBase],
        embedded_places: 0.0,
        nursery: params[ParamId::NurseryPerThousandBase] * population / 1000.0,
        seats: [0.0; 4],
        teachers: [0.0; 4],
        health: [
            params[ParamId::BedsBase] * population / 1000.0,
            params[ParamId::DoctorsBase] * population / 1000.0,
            params[ParamId::NursesBase] * population / 1000.0,
        ],
        elderly: [0.0; 3],
        home_elderly: 0.0,
        specialty_hazard: [0.0; 2],
        specialty_threshold: [0.0; 4],
        budget: Budget {
            revenue: params[ParamId::RevenueBase],
            transfers: params[ParamId::TransfersBase],
            land: params[ParamId::LandBase],
            debt: params[ParamId::DebtBase],
            bond_fund: 0.0,
            project_fund: 0.0,
            reserve: 0.0,
            loans: levers.get(year + 1, LeverId::GuaranteeLoans) * params[ParamId::LoanTerm],
            funding: 1.0,
            capex: 0.0,
            new_start_budget: 0.0,
            land_base: params[ParamId::LandBase],
            ch_starts_base: ch_starts,
        },
        mandatory_base: 0.0,
        last_conversions: [0.0; 2],
        project_progress: [-1.0; MAX_PROJECTS],
        project_duration: [1.0; MAX_PROJECTS],
        reference: [1.0; 7],
    };

    state.labour_supply = employment::labour_supply(params, &state.cohorts);
    // Services at base: seats at the given cover of cohort demand, teachers at the staffing norm.
    let demand = services::demand(params, levers, &state.cohorts, population, year + 1);
    for level in 0..4 {
        let cover = if level == 0 { params[ParamId::KgCapacityCover] } else { params[ParamId::SchoolCapacityCover] };
        state.seats[level] = cover * demand.seats[level];
        let enrolled = if level == 0 { demand.seats[0].min(state.seats[0]) } else { demand.seats[level] };
        state.teachers[level] = params[ParamId::TeacherCover] * enrolled / services::TEACHER_NORM[level];
    }
    let elderly = params[ParamId::ElderlyBedsBase] * demand.aged / 1000.0;
    state.elderly = [elderly, params[ParamId::NursingShareBase] * elderly, params[ParamId::TekunBedsBase]];

    // Public pipelines at the steady state of the first year's lever values: what enters each
    // year sits in the reserve for the approval time and in each stage for τ/k.
    let hazard = fiscal::approval(params, levers, year + 1);
    for (programme, lever, _, _, tau) in fiscal::PROGRAMME_TABLE {
        let entries = fiscal::entries(levers, programme, lever, year + 1);
        let (k, p) = housing::erlang(params[tau]);
        let pipe = &mut state.pipelines[programme as usize];
        pipe.reserve = entries * (1.0 - hazard) / hazard.max(1e-9);
        let per_stage = entries / (p * (1.0 - params[ParamId::StallPublic])).max(1e-9);
        pipe.stages[..k].fill(per_stage);
        pipe.entered = pipe.reserve + pipe.in_construction();
    }
    // Commercial stock: the level at which the market is in balance at base (households plus
    // structural vacancy, less what other stocks and everything in construction will house),
    // times the excess-stock ratio.
    let public_uc: f64 = [super::Programme::ArhNew, super::Programme::ArhConv, super::Programme::Prh]
        .iter()
        .map(|&p| state.pipelines[p as usize].in_construction())
        .sum();
    state.ch_stock = params[ParamId::ChStockRatio]
        * (households * (1.0 + params[ParamId::VacancyTarget])
            - state.arh_stock
            - state.prh_stock
            - state.ch_stages.iter().sum::<f64>()
            - public_uc)
            .max(0.0);
    for (j, project) in inputs.projects.iter().enumerate().take(MAX_PROJECTS) {
        state.project_progress[j] = if project.progress > 0.0 { project.progress.min(1.0) } else { -1.0 };
        state.project_duration[j] = project.duration;
    }

    // Base-year construction spending: the scheduled draws of what is in construction plus the
    // status quo's other public works, so that construction jobs do not jump in the first
    // simulated year.
    let other = fiscal::base_other_works(params, levers, year + 1);
    state.budget.capex = fiscal::commitments(inputs, params, &state) + other;

    // Reference indices: the anchors of willingness and migration hold at these values.
    let (urban_employment, jobs_ratio) = employment::initial_jobs(inputs, params, &state, ch_starts);
    state.jobs = urban_employment;
    let (burden, _) = housing::rent_burden(params, levers, &state, hs, year + 1);
    state.rent_burden = burden;
    state.service_access = services::access(&state, &demand);
    state.reference = [
        jobs_ratio,
        burden,
        state.service_access,
        state.job_security,
        super::settlement::protection(levers, &state, year + 1),
        state.land_value,
        levers.get(year + 1, LeverId::Decoupling),
    ];
    state.budget.project_fund = fiscal::base_project_fund(inputs, params, levers, &state);
    state.mandatory_base = fiscal::calibrate_mandatory_base(inputs, params, levers, &state);
    state.budget.new_start_budget = fiscal::base_new_start_budget(params, levers, year + 1);
    state
}

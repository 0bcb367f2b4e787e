//! The budget and the public construction pipelines (MODEL.md §3.6 and §3.4): the fiscal
//! envelope under the tightness lever (过"紧日子"), the funding ratio of started projects, the
//! new-start budget and its allocation by priority, and the 储备→开工→在建→建成 stages.
//!
//! ```text
//! Rev_t    = Rev_t-1 (1 + ε_R gGDP_t-1 + σ_R z_R)
//! Land_t   = Land_t-1 (CHstarts_t-1 / CHstarts_t-2)^ε_L exp(σ_L z_L)
//! Res_t    = Rev + Tr + φ_L Land + Bond             (bonds stop at the debt cap, L41)
//! Mand_t   = M0 (1 + g_w)^t + service running costs + programmes + citizenisation
//! Commit_t = scheduled draws of everything in construction
//! f_fund   = clamp((Res - Mand - DebtSvc) / Commit, 0, 1)
//! NSB_t    = (1 - κ) max(0, Res - Mand - DebtSvc - Commit)
//! starts   = min(reserve × approval hazard, NSB share of the category / cost per start)
//! Bal_t    = Res - Mand - DebtSvc - CAPEX
//! ```
//! With L38 on a start reserves its full cost from the year's envelope; with it off only the
//! first-year draw. M0 is set at the start of a run so that the base year leaves exactly the
//! `start_headroom` envelope free (the budget data are [L]).
//! Public starts are costed in 万元 per unit and reported in 亿元.

use super::housing::erlang;
use super::{
    CityState, E0, E1, IndicatorId, Inputs, LeverId, LeverPath, PROGRAMMES, ParamId, Params, Programme, YearContext,
};

/// The programmes with their lever, budget category (None: enterprise funded) and cost parameter.
pub const PROGRAMME_TABLE: [(Programme, LeverId, Option<super::Category>, ParamId, ParamId); PROGRAMMES] = [
    (Programme::ArhNew, LeverId::ArhNew, Some(super::Category::Housing), ParamId::CostArh, ParamId::TauArhNew),
    (Programme::ArhConv, LeverId::ArhConv, None, ParamId::CostArh, ParamId::TauArhConv),
    (Programme::Prh, LeverId::PrhUnits, Some(super::Category::Housing), ParamId::CostPrh, ParamId::TauArhNew),
    (Programme::Primary, LeverId::SchoolSeats, Some(super::Category::Education), ParamId::CostSeat, ParamId::TauSchool),
    (Programme::Junior, LeverId::SchoolSeats, Some(super::Category::Education), ParamId::CostSeat, ParamId::TauSchool),
    (
        Programme::Nursery,
        LeverId::NurseryPlaces,
        Some(super::Category::Education),
        ParamId::CostNursery,
        ParamId::TauSchool,
    ),
    (Programme::Hospital, LeverId::HospitalBeds, Some(super::Category::Health), ParamId::CostBed, ParamId::TauHospital),
    (
        Programme::Elderly,
        LeverId::ElderlyBeds,
        Some(super::Category::Elderly),
        ParamId::CostElderlyBed,
        ParamId::TauElderly,
    ),
];

/// Share of the school-seat lever that goes to primary (the rest to junior) [A].
pub const PRIMARY_SHARE: f64 = 0.6;

/// Units entering the reserve of a programme in `year`.
pub fn entries(levers: &LeverPath, programme: Programme, lever: LeverId, year: super::Year) -> f64 {
    let v = levers.get(year, lever);
    match programme {
        Programme::Primary => v * PRIMARY_SHARE,
        Programme::Junior => v * (1.0 - PRIMARY_SHARE),
        _ => v,
    }
}

/// Cost of one unit of a programme, 亿元.
fn unit_cost(params: &Params, cost: ParamId, programme: Programme) -> f64 {
    // Enterprise conversions cost the budget nothing; their value is not public spending.
    if programme == Programme::ArhConv { 0.0 } else { params[cost] * params[ParamId::UnitCostMult] / 1e4 }
}

/// Yearly approval hazard from reserve to start.
pub fn approval(params: &Params, levers: &LeverPath, year: super::Year) -> f64 {
    let fast = levers.get(year, LeverId::FastTrack);
    ((1.0 / params[ParamId::TauApproval]) / (1.0 - fast)).min(1.0)
}

/// Running costs of services and labour programmes plus citizenisation, 亿元.
pub fn running_costs(params: &Params, levers: &LeverPath, state: &CityState, year: super::Year) -> (f64, f64) {
    let seats: f64 = state.seats.iter().sum::<f64>() + state.nursery;
    let beds = state.health[0] + state.elderly[0];
    let teachers: f64 = state.teachers.iter().sum();
    let opex = (params[ParamId::OpexSeat] * seats
        + params[ParamId::OpexBed] * beds
        + params[ParamId::WageTeacher] * teachers
        + params[ParamId::WageHealth] * (state.health[1] + state.health[2]))
        / 1e4;
    let training = levers.get(year, LeverId::VocTraining) + levers.get(year, LeverId::EntTraining);
    let citizen = citizenisation(params, levers, state, year);
    let programmes =
        params[ParamId::CostTraining] * training / 1e4 + params[ParamId::LoanSubsidy] * state.fiscal[4] + citizen;
    (opex, programmes)
}

/// Citizenisation cost of the year: conversions and entitlements of non-hukou residents, 亿元.
pub fn citizenisation(params: &Params, levers: &LeverPath, state: &CityState, year: super::Year) -> f64 {
    let non_hukou = state.totals[E0] + state.totals[E1];
    (params[ParamId::CostCitizen] * (state.last_conversions[0] + state.last_conversions[1])
        + params[ParamId::CostEntitlement] * levers.get(year, LeverId::Decoupling) * non_hukou)
        / 1e4
}

/// Scheduled draws of everything in construction, 亿元 (before funding and stalls).
pub fn commitments(inputs: &Inputs, params: &Params, state: &CityState) -> f64 {
    let mut commit = 0.0;
    for (programme, _, _, cost, tau) in PROGRAMME_TABLE {
        let (k, p) = erlang(params[tau]);
        let per_stage = unit_cost(params, cost, programme) / k as f64;
        commit += p * state.pipelines[programme as usize].stages[..k].iter().sum::<f64>() * per_stage;
    }
    for (j, project) in inputs.projects.iter().enumerate() {
        let progress = state.project_progress[j];
        if (0.0..1.0).contains(&progress) {
            commit += (project.cost / state.project_duration[j]).min(project.cost * (1.0 - progress));
        }
    }
    commit
}

/// Debt service, 亿元: interest only, because maturing principal is refinanced (借新还旧) [A].
pub fn debt_service(params: &Params, debt: f64) -> f64 {
    params[ParamId::DebtRate] * debt
}

/// Mandatory spending for `years_from_base` with the given running costs.
fn mandatory(params: &Params, state: &CityState, years_from_base: f64, opex: f64, programmes: f64) -> f64 {
    state.mandatory_base * (1.0 + params[ParamId::WageGrowth]).powf(years_from_base) + opex + programmes
}

/// Steps 2-3: the fiscal envelope, public starts, stage moves, completions and spending.
pub fn envelope_and_pipelines(
    inputs: &Inputs,
    params: &Params,
    levers: &LeverPath,
    state: &mut CityState,
    cx: &mut YearContext,
    row: &mut [f64; IndicatorId::COUNT],
) {
    let year = cx.year;
    let years_from_base = f64::from(year) - f64::from(inputs.base_year);
    let [rev_prev, tr_prev, land_prev, debt, loans] = state.fiscal;
    let revenue = rev_prev * (1.0 + params[ParamId::EpsR] * state.gdp_growth + params[ParamId::SigmaRevenue] * cx.z[2]);
    let transfers = tr_prev * (1.0 + params[ParamId::TransferGrowth]);
    let starts_ratio = if state.ch_starts[1] > 0.0 { state.ch_starts[0] / state.ch_starts[1] } else { 1.0 };
    let land =
        land_prev * starts_ratio.max(1e-6).powf(params[ParamId::EpsL]) * (params[ParamId::SigmaLand] * cx.z[3]).exp();
    let before_bonds = revenue + transfers + params[ParamId::PhiLand] * land;
    let bonds = levers
        .get(year, LeverId::SpecialBonds)
        .min((levers.get(year, LeverId::DebtCap) * before_bonds - debt).max(0.0));
    let resources = before_bonds + bonds;
    let (opex, programmes) = running_costs(params, levers, state, year);
    let mand = mandatory(params, state, years_from_base, opex, programmes);
    let service = debt_service(params, debt);
    let commit = commitments(inputs, params, state);
    let available = resources - mand - service;
    let funding = if commit > 0.0 { (available / commit).clamp(0.0, 1.0) } else { 1.0 };
    let budget = (1.0 - levers.get(year, LeverId::Tightness)) * (available - commit).max(0.0);

    // Allocate the new-start budget by priority weights (equal if all are zero).
    let weights = [
        levers.get(year, LeverId::PriorityHousing),
        levers.get(year, LeverId::PriorityEducation),
        levers.get(year, LeverId::PriorityHealth),
        levers.get(year, LeverId::PriorityElderly),
        levers.get(year, LeverId::PriorityInfrastructure),
    ];
    let total_weight: f64 = weights.iter().sum();
    let mut alloc = [0.0; 5];
    for (a, w) in alloc.iter_mut().zip(weights) {
        *a = budget * if total_weight > 0.0 { w / total_weight } else { 0.2 };
    }
    let full = levers.get(year, LeverId::FullFunding) > 0.5;
    let stall = 1.0 - params[ParamId::StallPublic];
    let mut spent = 0.0;
    let mut starts_value = 0.0;
    let mut completions_value = 0.0;

    // Named projects first: they are the plan's own list. Each starts once its year has come
    // and its category can pay for it.
    cx.project_completions = [0.0; 6];
    for (j, project) in inputs.projects.iter().enumerate() {
        let progress = state.project_progress[j];
        let cat = project.capacity.category() as usize;
        let duration = state.project_duration[j];
        if progress < 0.0 {
            let needed = if full { project.cost } else { project.cost / duration };
            if year >= project.start_year && needed <= alloc[cat] {
                alloc[cat] -= needed;
                state.project_progress[j] = 0.0;
                starts_value += project.cost;
            }
        } else if progress < 1.0 {
            let step = (funding * stall / duration).min(1.0 - progress);
            state.project_progress[j] = progress + step;
            spent += project.cost * step;
            if progress + step >= 1.0 - 1e-12 {
                state.project_progress[j] = 1.0;
                completions_value += project.cost;
                if let Some(slot) = capacity_slot(project.capacity) {
                    cx.project_completions[slot] += project.amount;
                }
            }
        }
    }

    // Programme pipelines: the reserve grows by the lever; stages move; then new starts.
    let hazard = approval(params, levers, year);
    let mut desired = [0.0; PROGRAMMES];
    let mut desired_value = [0.0; 4];
    for (programme, lever, category, cost, _) in PROGRAMME_TABLE {
        let pipe = &mut state.pipelines[programme as usize];
        let new = entries(levers, programme, lever, year);
        pipe.reserve += new;
        pipe.entered += new;
        desired[programme as usize] = pipe.reserve * hazard;
        if let Some(c) = category {
            desired_value[c as usize] += desired[programme as usize] * unit_cost(params, cost, programme);
        }
    }
    for (programme, _, category, cost, tau) in PROGRAMME_TABLE {
        let (k, p) = erlang(params[tau]);
        let unit = unit_cost(params, cost, programme);
        let pipe = &mut state.pipelines[programme as usize];
        let fund = if category.is_some() { funding } else { 1.0 };
        let mut done = 0.0;
        for i in (0..k).rev() {
            let moved = p * fund * stall * pipe.stages[i];
            pipe.stages[i] -= moved;
            spent += moved * unit / k as f64;
            if i + 1 < k {
                pipe.stages[i + 1] += moved;
            } else {
                done += moved;
            }
        }
        pipe.completed += done;
        cx.completions[programme as usize] = done;
        completions_value += done * unit;
        let want = desired[programme as usize];
        let starts = match category {
            None => want,
            Some(c) => {
                let c = c as usize;
                let share = if desired_value[c] > 0.0 { want * unit / desired_value[c] } else { 0.0 };
                let per_start = if full { unit } else { unit / k as f64 };
                if per_start > 0.0 { want.min(alloc[c] * share / per_start) } else { want }
            }
        };
        pipe.reserve -= starts;
        pipe.stages[0] += starts;
        cx.starts[programme as usize] = starts;
        starts_value += starts * unit;
    }

    let new_debt = debt + bonds;
    let new_loans = loans * (1.0 - 1.0 / params[ParamId::LoanTerm]) + levers.get(year, LeverId::GuaranteeLoans);
    state.fiscal = [revenue, transfers, land, new_debt, new_loans];
    cx.funding = funding;
    cx.capex = spent;

    let mut reserve_value = 0.0;
    let mut construction_value = 0.0;
    for (programme, _, _, cost, _) in PROGRAMME_TABLE {
        let unit = unit_cost(params, cost, programme);
        let pipe = &state.pipelines[programme as usize];
        reserve_value += pipe.reserve * unit;
        construction_value += pipe.in_construction() * unit;
    }
    let mut named_done = 0.0;
    for (j, project) in inputs.projects.iter().enumerate() {
        let progress = state.project_progress[j];
        if progress < 0.0 {
            reserve_value += project.cost;
        } else if progress < 1.0 {
            construction_value += project.cost * (1.0 - progress);
        } else {
            named_done += 1.0;
        }
    }
    let set = |row: &mut [f64; IndicatorId::COUNT], id: IndicatorId, v: f64| row[id as usize] = v;
    set(row, IndicatorId::Revenue, revenue);
    set(row, IndicatorId::Resources, resources);
    set(row, IndicatorId::Mandatory, mand);
    set(row, IndicatorId::DebtService, service);
    set(row, IndicatorId::Commitments, commit);
    set(row, IndicatorId::FundingRatio, funding);
    set(row, IndicatorId::NewStartBudget, budget);
    set(row, IndicatorId::Capex, spent);
    set(row, IndicatorId::FiscalBalance, resources - mand - service - spent);
    set(row, IndicatorId::Debt, new_debt);
    set(row, IndicatorId::DebtRatio, new_debt / resources.max(1e-9));
    set(row, IndicatorId::CitizenisationCost, citizenisation(params, levers, state, year));
    set(row, IndicatorId::PipelineReserve, reserve_value);
    set(row, IndicatorId::PipelineStarts, starts_value);
    set(row, IndicatorId::PipelineInConstruction, construction_value);
    set(row, IndicatorId::PipelineCompletions, completions_value);
    set(row, IndicatorId::NamedProjectsDone, named_done);
}

/// Slot of `YearContext::project_completions` for a capacity kind.
pub fn capacity_slot(capacity: super::Capacity) -> Option<usize> {
    use super::Capacity::*;
    match capacity {
        PrimarySeats => Some(0),
        JuniorSeats => Some(1),
        SeniorSeats => Some(2),
        HospitalBeds => Some(3),
        ElderlyBeds => Some(4),
        ArhUnits => Some(5),
        Other => None,
    }
}

/// Mandatory spending M0 that leaves `start_headroom` free in the base year for this state.
pub fn calibrate_mandatory_base(inputs: &Inputs, params: &Params, levers: &LeverPath, state: &CityState) -> f64 {
    let year = state.year;
    let [revenue, transfers, land, debt, _] = state.fiscal;
    let resources = revenue + transfers + params[ParamId::PhiLand] * land;
    let (opex, programmes) = running_costs(params, levers, state, year);
    resources
        - opex
        - programmes
        - debt_service(params, debt)
        - commitments(inputs, params, state)
        - params[ParamId::Headroom]
}

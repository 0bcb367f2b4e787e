//! The budget and the public construction pipelines (MODEL.md §3.6 and §3.4): resources,
//! mandatory spending, interest, special bonds, the funding of started projects, the new-start
//! budget under the tightness lever (过"紧日子") and its allocation by priority, the
//! 储备→开工→在建→建成 stages, and how each year's deficit is financed.
//!
//! ```text
//! Rev_t    = Rev_t-1 (1 + ε_R gGDP_t-1 + σ_R z_R)
//! Land_t   = Land_0 (s_res (CHstarts_t-1 / CHstarts_0)^ε_L + 1 - s_res) exp(σ_L z_L)
//! R_t      = Rev + Tr + φ_L Land                     (resources; bonds are financing, not resources)
//! Mand_t   = M0 (1 + g_w)^t + service running costs + programmes + citizenisation
//! Int_t    = r Debt_t-1                               (principal is refinanced, 借新还旧)
//! B_t      = min(L40, max(0, cap R_t - Debt_t-1))    (special bonds, within the L41 cap)
//! G_t      = R - Mand - Int                           (general envelope before construction)
//! Commit_t = scheduled draws of everything in construction
//! f_t      = max(cash_t / Commit_t, f_t-1 - 0.25) capped at 1, cash = funds + max(0, G + reserve + room)
//! A_t      = (1 - κ) max(0, G - Commit not covered by funds)   (0 once debt has reached the cap)
//! NSB_t    = free bonds + NSB_t-1 + α_B (A_t - NSB_t-1)         (budgets move incrementally)
//! Bal_t    = R - Mand - Int - Outlays                 (Outlays = set-asides + draws not paid from the project fund + other works)
//! ```
//! Financing closes every year. What a start reserves (its full cost with L38 on, its first
//! draw with it off) moves from the general account into the project fund; construction is paid
//! from the project fund first, then from unspent bond proceeds, then from the general account.
//! A general surplus repays debt (化债), a general deficit draws the stabilisation fund and then
//! borrows, so `ΔDebt - ΔBondFund - ΔReserve = -Bal` holds exactly: the budget's balance counts
//! a set-aside as spent when it is appropriated to the project (the project fund is held by
//! the project units, 结转), and construction work (CAPEX, which drives construction jobs) as
//! it is done. Borrowing is meant to stay under the cap (`room`); when the cap binds, the
//! funding ratio of started projects falls by at most a quarter a year (projects are deferred,
//! never cancelled), and what must still be paid beyond the cap (mandatory spending, the phased
//! cut) is debt above the cap, reported as such.
//! With L38 on a start reserves its full cost from the year's allocation; with it off only the
//! first-year draw. Money allocated to other infrastructure (L39), and what the simulated
//! categories leave unused, is spent on other public works in the year; the held-back share κ
//! is the year's saving.
//! M0 is set once, in the base state, so that the base year leaves exactly the `start_headroom`
//! envelope free under the status-quo levers (the budget data are [L]).
//! Public starts are costed in 万元 per unit and reported in 亿元.

use super::housing::erlang;
use super::indicators::set;
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
        params[ParamId::CostTraining] * training / 1e4 + params[ParamId::LoanSubsidy] * state.budget.loans + citizen;
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

/// Most the funding ratio of started projects may fall in one year [A]: cuts are phased in
/// (work slows, nothing is cancelled), so a squeeze never stops construction overnight.
pub const MAX_FUNDING_CUT: f64 = 0.25;

/// Land revenue of a year: the base level, with the residential and commercial part following
/// last year's commercial starts relative to the base year's, and a yearly shock. At zero
/// starts only the industrial and other part remains.
pub fn land_revenue(params: &Params, budget: &super::Budget, ch_starts: f64, z: f64) -> f64 {
    let share = params[ParamId::LandResidentialShare];
    let relative = if budget.ch_starts_base > 0.0 { (ch_starts / budget.ch_starts_base).max(0.0) } else { 1.0 };
    budget.land_base
        * (share * relative.powf(params[ParamId::EpsL]) + (1.0 - share))
        * (params[ParamId::SigmaLand] * z).exp()
}

/// Steps 2-3: the fiscal envelope, public starts, stage moves, completions, spending and the
/// financing of the year.
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
    let prev = state.budget;
    let revenue =
        prev.revenue * (1.0 + params[ParamId::EpsR] * state.gdp_growth + params[ParamId::SigmaRevenue] * cx.z[2]);
    let transfers = prev.transfers * (1.0 + params[ParamId::TransferGrowth]);
    let land = land_revenue(params, &prev, state.ch_starts[0], cx.z[3]);
    let resources = revenue + transfers + params[ParamId::PhiLand] * land;
    let cap = levers.get(year, LeverId::DebtCap) * resources;
    let bonds = levers.get(year, LeverId::SpecialBonds).min((cap - prev.debt).max(0.0));
    let (opex, programmes) = running_costs(params, levers, state, year);
    let mand = mandatory(params, state, years_from_base, opex, programmes);
    let interest = debt_service(params, prev.debt);
    let commit = commitments(inputs, params, state);
    let general = resources - mand - interest;
    // Cash for construction: money set aside for started projects and bond proceeds first, then
    // the general envelope, the stabilisation fund and borrowing room under the cap.
    let bond_cash = prev.bond_fund + bonds;
    let fund_cash = prev.project_fund + bond_cash;
    let room = (cap - prev.debt - bonds).max(0.0);
    let cash = fund_cash + (general + prev.reserve + room).max(0.0);
    let funding =
        if commit > 0.0 { (cash / commit).min(1.0).max(prev.funding - MAX_FUNDING_CUT).clamp(0.0, 1.0) } else { 1.0 };
    // The general new-start budget moves part of the way (α_B) from last year's towards what the
    // envelope affords after this year's commitments, less the share held back (κ): budgets
    // change incrementally, so a squeeze first runs a deficit (financed by debt) and cuts starts
    // over several years. Once debt has reached the cap nothing more is affordable, and the
    // budget decays at the same pace. Unspent bonds add to it. Commitments are paid from money
    // set aside for started projects first, then from bonds.
    let commit_general = (commit - fund_cash).max(0.0);
    let free_bonds = bond_cash.min(fund_cash - commit).max(0.0);
    let affordable = if prev.debt + bonds < cap {
        (1.0 - levers.get(year, LeverId::Tightness)) * (general - commit_general).max(0.0)
    } else {
        0.0
    };
    let general_budget = prev.new_start_budget
        + params[ParamId::BudgetAdjustment].clamp(0.0, 1.0) * (affordable - prev.new_start_budget);
    let budget = free_bonds + general_budget;

    // Allocate the new-start budget by priority weights.
    let mut alloc = priority_shares(levers, year);
    for a in &mut alloc {
        *a *= budget;
    }
    let full = levers.get(year, LeverId::FullFunding) > 0.5;
    let stall = 1.0 - params[ParamId::StallPublic];
    let mut spent = 0.0;
    // What starts reserve is set aside in the project fund, which pays their draws later.
    let mut set_aside = 0.0;
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
                set_aside += needed;
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
    let mut used = [0.0; 4];
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
                let starts = if per_start > 0.0 { want.min(alloc[c] * share / per_start) } else { want };
                used[c] += starts * per_start;
                starts
            }
        };
        pipe.reserve -= starts;
        pipe.stages[0] += starts;
        cx.starts[programme as usize] = starts;
        starts_value += starts * unit;
    }

    // Other infrastructure is not simulated as capacity: its allocation, and whatever the four
    // simulated categories left unused, is spent on other public works in the year. So a
    // package that starts more schools or housing crowds other works out of the same envelope.
    let other = alloc[4] + (0..4).map(|c| (alloc[c] - used[c]).max(0.0)).sum::<f64>();
    spent += other;
    set_aside += used.iter().sum::<f64>();

    // Financing: construction is paid from bond proceeds first. A general surplus repays debt
    // (化债; any excess goes to the stabilisation fund); a general deficit draws the fund first
    // and then borrows.
    let from_projects = (spent - other).min(prev.project_fund);
    let from_bonds = (spent - from_projects).min(bond_cash);
    let general_balance = general - (spent - from_projects - from_bonds) - set_aside;
    let (debt, reserve, borrowing) = if general_balance >= 0.0 {
        let repay = general_balance.min(prev.debt + bonds);
        (prev.debt + bonds - repay, prev.reserve + general_balance - repay, -repay)
    } else {
        let draw = prev.reserve.min(-general_balance);
        let borrow = -general_balance - draw;
        (prev.debt + bonds + borrow, prev.reserve - draw, borrow)
    };
    let new_loans = prev.loans * (1.0 - 1.0 / params[ParamId::LoanTerm]) + levers.get(year, LeverId::GuaranteeLoans);
    state.budget = super::Budget {
        revenue,
        transfers,
        land,
        debt,
        bond_fund: bond_cash - from_bonds,
        project_fund: prev.project_fund - from_projects + set_aside,
        reserve,
        loans: new_loans,
        funding,
        capex: spent,
        new_start_budget: general_budget,
        ..prev
    };
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
    set(row, IndicatorId::Revenue, revenue);
    set(row, IndicatorId::Resources, resources);
    set(row, IndicatorId::LandRevenue, land);
    set(row, IndicatorId::Mandatory, mand);
    set(row, IndicatorId::DebtService, interest);
    set(row, IndicatorId::Commitments, commit);
    set(row, IndicatorId::FundingRatio, funding);
    set(row, IndicatorId::NewStartBudget, budget);
    set(row, IndicatorId::Capex, spent);
    set(row, IndicatorId::OtherCapex, other);
    // The budget's balance counts money set aside for a project as spent when it is set aside
    // (appropriated to the project), not when the work is done.
    set(row, IndicatorId::FiscalBalance, resources - mand - interest - (spent - from_projects + set_aside));
    set(row, IndicatorId::BondIssuance, bonds);
    set(row, IndicatorId::BondFund, state.budget.bond_fund);
    set(row, IndicatorId::ProjectFund, state.budget.project_fund);
    set(row, IndicatorId::BudgetReserve, reserve);
    set(row, IndicatorId::NewBorrowing, borrowing);
    set(row, IndicatorId::Debt, debt);
    set(row, IndicatorId::DebtRatio, debt / resources.max(1e-9));
    set(row, IndicatorId::DebtOverCap, (debt - cap).max(0.0));
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

/// The new-start budget of the base year: `start_headroom` less the share held back (κ).
pub fn base_new_start_budget(params: &Params, levers: &LeverPath, year: super::Year) -> f64 {
    ((1.0 - levers.get(year, LeverId::Tightness)) * params[ParamId::Headroom]).max(0.0)
}

/// Base-year spending on other public works: the status quo's new-start budget
/// (`start_headroom` less the share held back) less what the steady-state starts of the simulated
/// programmes reserve from it, category by category.
pub fn base_other_works(params: &Params, levers: &LeverPath, year: super::Year) -> f64 {
    let budget = base_new_start_budget(params, levers, year);
    let shares = priority_shares(levers, year);
    let full = levers.get(year, LeverId::FullFunding) > 0.5;
    let mut wanted = [0.0; 4];
    for (programme, lever, category, cost, tau) in PROGRAMME_TABLE {
        if let Some(c) = category {
            let unit = unit_cost(params, cost, programme);
            let per_start = if full { unit } else { unit / erlang(params[tau]).0 as f64 };
            wanted[c as usize] += entries(levers, programme, lever, year) * per_start;
        }
    }
    budget * shares[4] + (0..4).map(|c| (budget * shares[c] - wanted[c]).max(0.0)).sum::<f64>()
}

/// Shares of the new-start budget by category (housing, education, health, elderly care, other
/// infrastructure) from the L39 priority weights; equal when every weight is zero.
fn priority_shares(levers: &LeverPath, year: super::Year) -> [f64; 5] {
    let weights = [
        LeverId::PriorityHousing,
        LeverId::PriorityEducation,
        LeverId::PriorityHealth,
        LeverId::PriorityElderly,
        LeverId::PriorityInfrastructure,
    ]
    .map(|l| levers.get(year, l));
    let total: f64 = weights.iter().sum();
    weights.map(|w| if total > 0.0 { w / total } else { 0.2 })
}

/// Mandatory spending M0 that leaves `start_headroom` free in the base year for this state, after
/// the commitments the project fund does not cover (called once, for the base state under the
/// status-quo levers).
pub fn calibrate_mandatory_base(inputs: &Inputs, params: &Params, levers: &LeverPath, state: &CityState) -> f64 {
    let year = state.year;
    let b = &state.budget;
    let resources = b.revenue + b.transfers + params[ParamId::PhiLand] * b.land;
    let (opex, programmes) = running_costs(params, levers, state, year);
    resources
        - opex
        - programmes
        - debt_service(params, b.debt)
        - (commitments(inputs, params, state) - b.project_fund).max(0.0)
        - params[ParamId::Headroom]
}

/// The project fund of a steady state under `levers`: with L38 on, the cost of the work still
/// to do on everything in construction (its full cost was set aside at the start); with it off,
/// the first draw of what has just started.
pub fn base_project_fund(inputs: &Inputs, params: &Params, levers: &LeverPath, state: &CityState) -> f64 {
    let full = levers.get(state.year + 1, LeverId::FullFunding) > 0.5;
    let mut fund = 0.0;
    for (programme, _, category, cost, tau) in PROGRAMME_TABLE {
        if category.is_none() {
            continue;
        }
        let (k, _) = erlang(params[tau]);
        let unit = unit_cost(params, cost, programme) / k as f64;
        let stages = &state.pipelines[programme as usize].stages;
        fund += if full { (0..k).map(|i| stages[i] * unit * (k - i) as f64).sum::<f64>() } else { stages[0] * unit };
    }
    if full {
        for (j, project) in inputs.projects.iter().enumerate() {
            let progress = state.project_progress[j];
            if (0.0..1.0).contains(&progress) {
                fund += project.cost * (1.0 - progress);
            }
        }
    }
    fund
}

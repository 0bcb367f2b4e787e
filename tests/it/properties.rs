//! Model invariants under random parameters, levers and shocks (MODEL.md §9), monotone responses
//! with common random numbers, degenerate cases, and horizon consistency.

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use urbsim::baseline::Baseline;
use urbsim::calibrate::base_state;
use urbsim::model::demography::Cohorts;
use urbsim::model::levers::LeverKind;
use urbsim::model::shocks::RngShocks;
use urbsim::model::start::initial_state;
use urbsim::model::{
    self, AGES, CityState, E1, IndicatorId, LeverId, LeverPath, NoShocks, PROGRAMMES, ParamId, Params, Shocks, Year,
};
use urbsim::uncertainty::Dist;

use crate::common::baseline;

pub(crate) type Row = [f64; IndicatorId::COUNT];

/// Maps u in [0, 1] into a parameter's plausible range (its distribution's support, or ±3 sd).
fn draw_param(dist: &Dist, u: f64) -> f64 {
    let (lo, hi) = match dist {
        Dist::Normal { mean, sd } => (mean - 3.0 * sd, mean + 3.0 * sd),
        Dist::LogNormal { median, sigma } => (median * (-3.0 * sigma).exp(), median * (3.0 * sigma).exp()),
        Dist::Beta { mean, sd } => ((mean - 3.0 * sd).max(0.01), (mean + 3.0 * sd).min(0.99)),
        d => d.support(),
    };
    lo + u * (hi - lo)
}

fn random_params(b: &Baseline, us: &[f64]) -> Params {
    let mut p = b.central_params();
    for (def, u) in b.params.iter().zip(us.iter().cycle()) {
        if let Some(d) = &def.dist {
            p[def.id] = draw_param(d, *u);
        }
    }
    p
}

fn random_levers(b: &Baseline, us: &[f64]) -> LeverPath {
    let mut path = b.default_levers(b.base_year + 1);
    for (id, u) in LeverId::ALL.iter().zip(us.iter().cycle()) {
        let v = match id.spec().kind {
            LeverKind::Number { min, max } => min + u * (max - min),
            LeverKind::Bool => f64::from(u8::from(*u > 0.5)),
            LeverKind::Choice(o) => ((u * o.len() as f64).floor()).min(o.len() as f64 - 1.0),
            LeverKind::Year { min, max } => {
                if *u > 0.9 {
                    f64::INFINITY
                } else {
                    (f64::from(min) + (u / 0.9) * f64::from(max - min)).round()
                }
            }
        };
        path.set_from(b.base_year + 1, *id, v);
    }
    path
}

/// Runs to `until`, checking the invariants after every year; returns the rows.
fn run_checked<S: Shocks>(b: &Baseline, params: &Params, levers: &LeverPath, until: Year, shocks: &mut S) -> Vec<Row> {
    run_checked_from(b, params, levers, until, shocks, |_| {})
}

/// As `run_checked`, after `edit` has changed the initial state.
fn run_checked_from<S: Shocks>(
    b: &Baseline,
    params: &Params,
    levers: &LeverPath,
    until: Year,
    shocks: &mut S,
    edit: impl Fn(&mut CityState),
) -> Vec<Row> {
    let demo = base_state(b, params);
    let mut state = initial_state(&b.inputs, params, levers, &demo);
    edit(&mut state);
    model::start_run(&b.inputs, &mut state, shocks);
    let prepared = model::prepare(params);
    let mut rows = Vec::new();
    while state.year < until {
        let before = state.clone();
        let mut row = [0.0; IndicatorId::COUNT];
        model::step(&b.inputs, params, levers, &prepared, &mut state, shocks, &mut row);
        check_year(b, params, levers, &before, &state, &row);
        rows.push(row);
    }
    rows
}

/// A resolved scenario run the way `urbsim run` runs it (the one base state, the scenario from
/// its policy start), checking the invariants after every year; returns the rows.
pub(crate) fn run_resolved_checked(b: &Baseline, r: &urbsim::projection::Resolved) -> Vec<Row> {
    let base = urbsim::projection::BaseState::new(b);
    let mut state = base.city(b, &b.central_params());
    model::start_run(&b.inputs, &mut state, &mut NoShocks);
    let prepared = model::prepare(&r.params);
    let mut rows = Vec::new();
    while state.year < r.until {
        let before = state.clone();
        let mut row = [0.0; IndicatorId::COUNT];
        model::step(&b.inputs, &r.params, &r.levers, &prepared, &mut state, &mut NoShocks, &mut row);
        check_year(b, &r.params, &r.levers, &before, &state, &row);
        rows.push(row);
    }
    rows
}

fn total(s: &CityState) -> f64 {
    s.pop.iter().flatten().flatten().sum()
}

fn check_year(b: &Baseline, params: &Params, levers: &LeverPath, before: &CityState, after: &CityState, row: &Row) {
    let v = |id: IndicatorId| row[id as usize];
    let year = after.year;
    for id in IndicatorId::ALL {
        assert!(v(*id).is_finite(), "{year}: {} is {}", id.key(), v(*id));
    }
    // Population conservation: P_t = P_t-1 + B - D + I - O.
    let expected = total(before) + v(IndicatorId::Births) - v(IndicatorId::Deaths) + v(IndicatorId::InMigration)
        - v(IndicatorId::OutMigration);
    assert!((total(after) - expected).abs() <= 1e-6 * expected, "{year}: population {} != {expected}", total(after));
    assert!((v(IndicatorId::ResidentPopulation) - total(after)).abs() <= 1e-6 * total(after));
    for (g, group) in after.pop.iter().enumerate() {
        let cells: f64 = group.iter().flatten().sum();
        assert!((after.totals[g] - cells).abs() <= 1e-9 * cells.max(1.0), "{year}: cached total of group {g} is stale");
    }
    let fresh = Cohorts::of(&after.pop, &b.inputs.lfpr);
    let cached = &after.cohorts;
    let pairs =
        fresh.band.iter().flatten().zip(cached.band.iter().flatten()).chain(fresh.working.iter().zip(&cached.working));
    for (x, y) in pairs.chain(fresh.aged.iter().zip(&cached.aged)).chain(fresh.labour.iter().zip(&cached.labour)) {
        assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{year}: cached cohort aggregates are stale ({x} vs {y})");
    }
    // Hukou account closes: conversions move people between the stocks or in from outside.
    let natural = params[ParamId::HukouBirthRate] - params[ParamId::HukouDeathRate];
    let k_before = before.hukou_urban + before.hukou_rural;
    let k_expected = k_before * (1.0 + natural)
        + v(IndicatorId::ConversionsExternal)
        + params[ParamId::HukouNetUrban]
        + (1.0 - params[ParamId::ConversionShare]) * params[ParamId::HukouNetRural];
    // Conversions add up over their channels, and the channels over the groups they come from.
    let channels = v(IndicatorId::ConversionsCriteria)
        + v(IndicatorId::ConversionsIndividual)
        + v(IndicatorId::ConversionsPurchase)
        + v(IndicatorId::ConversionsFamily)
        + v(IndicatorId::ConversionsTalent)
        + v(IndicatorId::VillageReclassified);
    let total = v(IndicatorId::HukouConversions);
    assert!((channels - total).abs() <= 1e-9 * total.max(1.0), "{year}: channels {channels} != total {total}");
    assert!(
        (v(IndicatorId::ConversionsExternal) + v(IndicatorId::ConversionsLocal) - total).abs() <= 1e-9 * total.max(1.0),
        "{year}: groups do not add up to the total"
    );
    for id in [
        IndicatorId::ConversionsCriteria,
        IndicatorId::ConversionsIndividual,
        IndicatorId::ConversionsPurchase,
        IndicatorId::ConversionsFamily,
        IndicatorId::ConversionsTalent,
        IndicatorId::VillageReclassified,
    ] {
        assert!(v(id) >= 0.0, "{year}: {} = {}", id.key(), v(id));
    }
    let k_after = after.hukou_urban + after.hukou_rural;
    if after.hukou_rural > 0.0 && after.hukou_urban > 0.0 {
        assert!((k_after - k_expected).abs() <= 1e-6 * k_expected, "{year}: hukou {k_after} != {k_expected}");
    }
    // No negative stock.
    for (g, group) in after.pop.iter().enumerate() {
        for (s, sex) in group.iter().enumerate() {
            for (a, cell) in sex.iter().enumerate() {
                assert!(*cell >= -1e-9, "{year}: pop[{g}][{s}][{a}] = {cell}");
            }
        }
    }
    for x in after.seats.iter().chain(&after.teachers).chain(&after.health).chain(&after.elderly) {
        assert!(*x >= 0.0, "{year}: negative service stock {x}");
    }
    assert!(after.zero_employment >= 0.0 && after.old_compounds >= 0.0 && after.ch_stock >= 0.0);
    // Pipeline conservation: entered = reserve + in construction + completed.
    for k in 0..PROGRAMMES {
        let p = &after.pipelines[k];
        assert!(p.reserve >= -1e-9 && p.stages.iter().all(|x| *x >= -1e-9), "{year}: programme {k} negative stage");
        let held = p.reserve + p.in_construction() + p.completed;
        assert!(
            (p.entered - held).abs() <= 1e-6 * p.entered.max(1.0),
            "{year}: programme {k} entered {} held {held}",
            p.entered
        );
    }
    // The budget is stock-flow consistent: Δdebt - Δunspent bonds - Δstabilisation fund equals
    // minus the balance, every year; no stock is negative; bonds stay within the cap; cuts to the
    // funding of started projects are phased in.
    let (b0, b1) = (&before.budget, &after.budget);
    let flows = (b1.debt - b0.debt) - (b1.bond_fund - b0.bond_fund) - (b1.reserve - b0.reserve);
    let scale = v(IndicatorId::Resources).abs().max(1.0);
    assert!(
        (flows + v(IndicatorId::FiscalBalance)).abs() <= 1e-9 * scale,
        "{year}: stock-flow identity: Δ stocks {flows} vs balance {}",
        v(IndicatorId::FiscalBalance)
    );
    assert!((v(IndicatorId::Debt) - b1.debt).abs() <= 1e-12 * scale);
    for (name, x) in [
        ("debt", b1.debt),
        ("bond fund", b1.bond_fund),
        ("project fund", b1.project_fund),
        ("reserve", b1.reserve),
        ("land revenue", b1.land),
    ] {
        assert!(x >= -1e-9 * scale, "{year}: negative {name} {x}");
    }
    let cap = levers.get(year, LeverId::DebtCap) * v(IndicatorId::Resources);
    assert!((v(IndicatorId::DebtOverCap) - (b1.debt - cap).max(0.0)).abs() <= 1e-9 * scale);
    if v(IndicatorId::BondIssuance) > 0.0 {
        assert!(b0.debt + v(IndicatorId::BondIssuance) <= cap * (1.0 + 1e-9) + 1e-9, "{year}: bonds beyond the cap");
    }
    assert!(
        v(IndicatorId::FundingRatio) >= b0.funding - urbsim::model::fiscal::MAX_FUNDING_CUT - 1e-12,
        "{year}: funding cut from {} to {} in one year",
        b0.funding,
        v(IndicatorId::FundingRatio)
    );
    assert!(
        v(IndicatorId::Capex) <= v(IndicatorId::Commitments) + v(IndicatorId::OtherCapex) + 1e-9,
        "{year}: spending beyond commitments and other works"
    );
    // Labour-market closure: employment never exceeds the labour supply (residents by
    // participation plus in-commuters) less frictional unemployment, and never the demand.
    let supply = v(IndicatorId::TotalLabourSupply);
    let employment = v(IndicatorId::TotalEmployment);
    let floor = params[ParamId::FrictionalUnemployment];
    assert!(
        employment <= (1.0 - floor) * supply * (1.0 + 1e-12) + 1e-9,
        "{year}: employment {employment} > supply {supply}"
    );
    assert!(employment <= v(IndicatorId::LabourDemand) * (1.0 + 1e-12) + 1e-9, "{year}: employment above demand");
    assert!(v(IndicatorId::UnemploymentRate) >= floor - 1e-12, "{year}: unemployment below its floor");
    let by_sector: f64 = urbsim::model::employment::SECTOR_JOBS.iter().map(|id| v(*id)).sum();
    assert!(
        (by_sector - employment).abs() <= 1e-9 * employment.max(1.0),
        "{year}: sectors {by_sector} != {employment}"
    );
    // Shares and indices in [0, 1].
    for id in [
        IndicatorId::UrbanisationRate,
        IndicatorId::HukouUrbanisationRate,
        IndicatorId::Eligibility,
        IndicatorId::WillingnessExternal,
        IndicatorId::WillingnessLocal,
        IndicatorId::SettleRatio,
        IndicatorId::CompletionShare,
        IndicatorId::UnemploymentRate,
        IndicatorId::EntitlementIndex,
        IndicatorId::ArhCoverage,
        IndicatorId::PrhCoverage,
        IndicatorId::KgGer,
        IndicatorId::NurseryOccupancy,
        IndicatorId::NursingBedShare,
        IndicatorId::TekunCareRate,
        IndicatorId::ServiceAccess,
        IndicatorId::FundingRatio,
        IndicatorId::MutualRecognition,
    ] {
        assert!((0.0..=1.0).contains(&v(id)), "{year}: {} = {} outside [0, 1]", id.key(), v(id));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_random_parameters_levers_and_shocks(
        pu in prop::collection::vec(0.0f64..=1.0, 64),
        lu in prop::collection::vec(0.0f64..=1.0, 64),
        seed in any::<u64>(),
    ) {
        let b = baseline();
        let params = random_params(&b, &pu);
        let levers = random_levers(&b, &lu);
        let mut shocks = RngShocks(ChaCha8Rng::seed_from_u64(seed));
        run_checked(&b, &params, &levers, 2030, &mut shocks);
    }

    #[test]
    fn every_parameter_anywhere_in_its_stated_range_runs_to_2035_with_every_invariant(
        pu in prop::collection::vec(0.0f64..=1.0, 200),
        seed in any::<u64>(),
    ) {
        // Every parameter at once, anywhere in its stated range: an uncertain parameter over its
        // whole distribution's support (±4 sd for unbounded tails), a fixed one from half to
        // twice its value (shares within [0, 1]), base-year values included.
        let b = baseline();
        let mut params = b.central_params();
        for (def, u) in b.params.iter().zip(&pu) {
            let (lo, hi) = match &def.dist {
                Some(Dist::Normal { mean, sd }) => (mean - 4.0 * sd, mean + 4.0 * sd),
                Some(Dist::LogNormal { median, sigma }) => (median * (-4.0 * sigma).exp(), median * (4.0 * sigma).exp()),
                Some(d) => d.support(),
                None if def.id.spec().unit.starts_with("share") => ((0.5 * def.value).max(0.0), (2.0 * def.value).min(1.0)),
                None => {
                    let (a, z) = (0.5 * def.value, 2.0 * def.value);
                    (a.min(z), a.max(z))
                }
            };
            params[def.id] = lo + u * (hi - lo);
        }
        let mut shocks = RngShocks(ChaCha8Rng::seed_from_u64(seed));
        run_checked(&b, &params, &b.default_levers(b.base_year + 1), 2035, &mut shocks);
    }

    #[test]
    fn full_funding_never_starts_more_than_the_new_start_budget(
        lu in prop::collection::vec(0.0f64..=1.0, 64),
    ) {
        let b = baseline();
        let mut levers = random_levers(&b, &lu);
        levers.set_from(b.base_year + 1, LeverId::FullFunding, 1.0);
        let rows = run_checked(&b, &b.central_params(), &levers, 2028, &mut NoShocks);
        for row in rows {
            prop_assert!(row[IndicatorId::PipelineStarts as usize] <= row[IndicatorId::NewStartBudget as usize] + 1e-9);
        }
    }
}

/// Common random numbers: the same draws (parameters and shocks) under two lever settings.
/// Returns (low, high) row sets for `runs` futures.
fn paired(
    runs: u64,
    set: impl Fn(&mut LeverPath, bool),
    tweak: impl Fn(&mut Params, bool),
) -> Vec<(Vec<Row>, Vec<Row>)> {
    let b = baseline();
    (0..runs)
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(1000 + i);
            let us: Vec<f64> = (0..64).map(|_| rand::Rng::next_u64(&mut rng) as f64 / u64::MAX as f64).collect();
            // Run 0 is the central deterministic future; the rest are random.
            let base = if i == 0 { b.central_params() } else { random_params(&b, &us) };
            let mut out = Vec::new();
            for high in [false, true] {
                let mut params = base.clone();
                tweak(&mut params, high);
                let mut levers = b.default_levers(b.base_year + 1);
                set(&mut levers, high);
                let rows = if i == 0 {
                    run_checked(&b, &params, &levers, 2028, &mut NoShocks)
                } else {
                    run_checked(&b, &params, &levers, 2028, &mut RngShocks(ChaCha8Rng::seed_from_u64(i)))
                };
                out.push(rows);
            }
            let hi = out.pop().unwrap_or_default();
            let lo = out.pop().unwrap_or_default();
            (lo, hi)
        })
        .collect()
}

fn sum(rows: &[Row], id: IndicatorId) -> f64 {
    rows.iter().map(|r| r[id as usize]).sum()
}

fn last(rows: &[Row], id: IndicatorId) -> f64 {
    rows.last().map_or(f64::NAN, |r| r[id as usize])
}

fn lever(id: LeverId, lo: f64, hi: f64) -> impl Fn(&mut LeverPath, bool) {
    move |p: &mut LeverPath, high: bool| p.set_from(p.first_year, id, if high { hi } else { lo })
}

fn no_tweak(_: &mut Params, _: bool) {}

const RUNS: u64 = 12;

#[test]
fn lower_settlement_thresholds_mean_more_conversions() {
    let set = |p: &mut LeverPath, open: bool| {
        let y = p.first_year;
        p.set_from(y, LeverId::SettleYears, if open { 0.0 } else { 3.0 });
        p.set_from(y, LeverId::SettleSiMonths, if open { 0.0 } else { 24.0 });
        p.set_from(y, LeverId::IncomeProof, if open { 0.0 } else { 1.0 });
        p.set_from(y, LeverId::TaxRecord, if open { 0.0 } else { 2.0 });
    };
    for (strict, open) in paired(RUNS, set, no_tweak) {
        assert!(sum(&open, IndicatorId::ConversionsExternal) > sum(&strict, IndicatorId::ConversionsExternal));
        assert!(sum(&open, IndicatorId::HukouConversions) >= sum(&strict, IndicatorId::HukouConversions));
    }
}

#[test]
fn faster_and_easier_permits_mean_more_permits() {
    let set = |p: &mut LeverPath, easy: bool| {
        let y = p.first_year;
        p.set_from(y, LeverId::PermitDays, if easy { 1.0 } else { 30.0 });
        p.set_from(y, LeverId::PermitMonths, if easy { 0.0 } else { 6.0 });
    };
    for (slow, fast) in paired(RUNS, set, no_tweak) {
        assert!(sum(&fast, IndicatorId::PermitsIssued) > sum(&slow, IndicatorId::PermitsIssued));
    }
}

#[test]
fn more_affordable_rental_housing_raises_coverage_without_raising_rent_burden() {
    let set = |p: &mut LeverPath, more: bool| {
        let y = p.first_year;
        p.set_from(y, LeverId::ArhNew, if more { 3000.0 } else { 0.0 });
        p.set_from(y, LeverId::ArhConv, if more { 2000.0 } else { 0.0 });
    };
    for (few, many) in paired(RUNS, set, no_tweak) {
        assert!(last(&many, IndicatorId::ArhCoverage) > last(&few, IndicatorId::ArhCoverage));
        assert!(last(&many, IndicatorId::RentBurden) <= last(&few, IndicatorId::RentBurden) * (1.0 + 1e-9));
    }
}

#[test]
fn more_training_and_loans_never_lower_new_jobs_or_transfers() {
    let set = |p: &mut LeverPath, more: bool| {
        let y = p.first_year;
        p.set_from(y, LeverId::VocTraining, if more { 5000.0 } else { 0.0 });
        p.set_from(y, LeverId::EntTraining, if more { 4000.0 } else { 0.0 });
        p.set_from(y, LeverId::GuaranteeLoans, if more { 1.0 } else { 0.0 });
    };
    for (less, more) in paired(RUNS, set, no_tweak) {
        assert!(sum(&more, IndicatorId::NewUrbanJobs) >= sum(&less, IndicatorId::NewUrbanJobs));
        assert!(sum(&more, IndicatorId::RuralLabourTransfer) >= sum(&less, IndicatorId::RuralLabourTransfer));
    }
}

#[test]
fn a_tighter_budget_starts_and_completes_less_and_keeps_a_larger_balance() {
    for (loose, tight) in paired(RUNS, lever(LeverId::Tightness, 0.0, 0.5), no_tweak) {
        assert!(sum(&tight, IndicatorId::PipelineStarts) <= sum(&loose, IndicatorId::PipelineStarts) + 1e-9);
        assert!(sum(&tight, IndicatorId::PipelineCompletions) <= sum(&loose, IndicatorId::PipelineCompletions) + 1e-9);
        assert!(sum(&tight, IndicatorId::FiscalBalance) >= sum(&loose, IndicatorId::FiscalBalance) - 1e-9);
    }
}

#[test]
fn faster_approvals_never_lower_completions() {
    for (slow, fast) in paired(RUNS, lever(LeverId::FastTrack, 0.0, 0.5), no_tweak) {
        assert!(sum(&fast, IndicatorId::PipelineCompletions) >= sum(&slow, IndicatorId::PipelineCompletions) - 1e-9);
    }
}

#[test]
fn more_teacher_and_doctor_posts_never_worsen_staffing() {
    let set = |p: &mut LeverPath, more: bool| {
        let y = p.first_year;
        p.set_from(y, LeverId::KgTeacherPosts, if more { 300.0 } else { 0.0 });
        p.set_from(y, LeverId::DoctorHires, if more { 800.0 } else { 0.0 });
    };
    for (few, many) in paired(RUNS, set, no_tweak) {
        assert!(last(&many, IndicatorId::KgPupilsPerTeacher) <= last(&few, IndicatorId::KgPupilsPerTeacher) + 1e-9);
        assert!(last(&many, IndicatorId::DoctorsPer1000) > last(&few, IndicatorId::DoctorsPer1000));
    }
}

#[test]
fn higher_fertility_means_more_births_now_and_more_kindergarten_demand_later() {
    let tweak = |p: &mut Params, high: bool| p[ParamId::Tfr] *= if high { 1.2 } else { 1.0 };
    for (low, high) in paired(RUNS, |_, _| {}, tweak) {
        assert!(high[0][IndicatorId::Births as usize] > low[0][IndicatorId::Births as usize]);
        assert!(high[4][IndicatorId::KgDemand as usize] >= low[4][IndicatorId::KgDemand as usize]);
    }
}

#[test]
fn nursery_demand_is_proportional_to_uptake_and_more_places_are_used_less() {
    // u_nur feeds nothing else, so doubling it doubles demand exactly, in every year.
    let tweak = |p: &mut Params, high: bool| p[ParamId::NurseryUptake] *= if high { 2.0 } else { 1.0 };
    for (low, high) in paired(RUNS, |_, _| {}, tweak) {
        for (l, h) in low.iter().zip(&high) {
            let (dl, dh) = (l[IndicatorId::NurseryDemand as usize], h[IndicatorId::NurseryDemand as usize]);
            assert!(dl > 0.0 && (dh - 2.0 * dl).abs() <= 1e-9 * dh, "demand {dl} -> {dh}");
            assert!(h[IndicatorId::NurseryOccupancy as usize] >= l[IndicatorId::NurseryOccupancy as usize]);
            assert!(h[IndicatorId::NurseryGap as usize] >= l[IndicatorId::NurseryGap as usize]);
        }
    }
    for (few, many) in paired(RUNS, lever(LeverId::NurseryPlaces, 0.0, 2000.0), no_tweak) {
        assert!(last(&many, IndicatorId::NurseryPlacesPer1000) > last(&few, IndicatorId::NurseryPlacesPer1000));
        assert!(last(&many, IndicatorId::NurseryOccupancy) <= last(&few, IndicatorId::NurseryOccupancy) + 1e-12);
        assert!(last(&many, IndicatorId::NurseryGap) <= last(&few, IndicatorId::NurseryGap) + 1e-9);
    }
}

#[test]
fn faster_sector_growth_means_more_jobs_and_no_less_in_migration() {
    let tweak = |p: &mut Params, high: bool| {
        if high {
            p[ParamId::GElectronics] += 0.05;
            p[ParamId::GSmartEquipment] += 0.05;
        }
    };
    for (slow, fast) in paired(RUNS, |_, _| {}, tweak) {
        assert!(last(&fast, IndicatorId::UrbanJobs) > last(&slow, IndicatorId::UrbanJobs));
        assert!(sum(&fast, IndicatorId::InMigration) >= sum(&slow, IndicatorId::InMigration));
    }
}

#[test]
fn decoupling_raises_entitlement_coverage() {
    for (low, high) in paired(RUNS, lever(LeverId::Decoupling, 0.2, 0.9), no_tweak) {
        assert!(last(&high, IndicatorId::EntitlementIndex) > last(&low, IndicatorId::EntitlementIndex));
    }
}

#[test]
fn without_migration_population_changes_by_natural_increase_alone() {
    let b = baseline();
    let mut p = b.central_params();
    for id in [ParamId::InMigration, ParamId::OutRural, ParamId::OutLocal, ParamId::OutExternal] {
        p[id] = 0.0;
    }
    let mut levers = b.default_levers(b.base_year + 1);
    levers.set_from(b.base_year + 1, LeverId::Talent, 0.0);
    let rows = run_checked(&b, &p, &levers, 2028, &mut NoShocks);
    let demo = base_state(&b, &p);
    let mut pop = demo.pop.iter().flatten().flatten().sum::<f64>();
    for row in rows {
        assert_eq!(row[IndicatorId::InMigration as usize], 0.0);
        assert_eq!(row[IndicatorId::OutMigration as usize], 0.0);
        pop += row[IndicatorId::Births as usize] - row[IndicatorId::Deaths as usize];
        assert!((row[IndicatorId::ResidentPopulation as usize] - pop).abs() < 1e-6 * pop);
    }
}

#[test]
fn without_a_budget_nothing_public_starts() {
    let b = baseline();
    let mut p = b.central_params();
    p[ParamId::Headroom] = -1e4;
    let rows = run_checked(&b, &p, &b.default_levers(b.base_year + 1), 2028, &mut NoShocks);
    for row in rows {
        assert_eq!(row[IndicatorId::NewStartBudget as usize], 0.0);
        assert_eq!(row[IndicatorId::PipelineStarts as usize], 0.0);
        // Projects already in construction had their full cost set aside when they started
        // (L38), so the squeeze does not stop them.
        assert_eq!(row[IndicatorId::FundingRatio as usize], 1.0);
    }
}

#[test]
fn endless_construction_completes_nothing() {
    let b = baseline();
    let mut p = b.central_params();
    for id in [
        ParamId::TauArhNew,
        ParamId::TauArhConv,
        ParamId::TauSchool,
        ParamId::TauHospital,
        ParamId::TauElderly,
        ParamId::TauCh,
    ] {
        p[id] = 1e12;
    }
    // Start with nothing in construction: the steady-state start would hold an endless backlog.
    let empty = |s: &mut CityState| {
        s.ch_stages = [0.0; 3];
        for pipe in s.pipelines.iter_mut() {
            pipe.stages = [0.0; 3];
            pipe.entered = pipe.reserve;
        }
    };
    let rows = run_checked_from(&b, &p, &b.default_levers(b.base_year + 1), 2028, &mut NoShocks, empty);
    for row in &rows {
        assert!(row[IndicatorId::ArhCompletions as usize] < 1e-6);
        assert!(row[IndicatorId::ChCompletions as usize] < 1e-6);
    }
}

#[test]
fn with_no_thresholds_full_willingness_and_full_completion_everyone_eligible_converts_and_stays_willing() {
    // MODEL.md §9's degenerate test: thresholds removed, willingness near one, 应落尽落 at full
    // completion, so every eligible and willing permit holder and local rural-hukou resident
    // converts within the year; willingness stays inside (0, 1) afterwards, with no collapse.
    let b = baseline();
    let mut p = b.central_params();
    p[ParamId::W0External] = 1.0 - 1e-9;
    p[ParamId::W0Local] = 1.0 - 1e-9;
    for id in [ParamId::BetaH, ParamId::BetaS, ParamId::BetaJ, ParamId::BetaP, ParamId::BetaD, ParamId::OutExternal] {
        p[id] = 0.0;
    }
    let mut levers = b.default_levers(b.base_year + 1);
    let y = b.base_year + 1;
    levers.set_from(y, LeverId::SettleYears, 0.0);
    levers.set_from(y, LeverId::SettleSiMonths, 0.0);
    levers.set_from(y, LeverId::IncomeProof, 0.0);
    levers.set_from(y, LeverId::TaxRecord, 0.0);
    levers.set_from(y, LeverId::SettleCompletion, 1.0);
    levers.set_from(y, LeverId::LandMarket, 100.0);
    let demo = base_state(&b, &p);
    let e1_start: f64 = demo.pop[E1].iter().flatten().sum();
    let l_start: f64 = demo.pop[urbsim::model::L].iter().flatten().sum();
    let rows = run_checked(&b, &p, &levers, 2035, &mut NoShocks);
    let first = &rows[0];
    let v = |row: &Row, id: IndicatorId| row[id as usize];
    // Every permit holder and local resident alive at the year's end converted: those left in
    // the groups are the year's newcomers.
    assert!(v(first, IndicatorId::ConversionsCriteria) + v(first, IndicatorId::ConversionsPurchase) > 0.95 * e1_start);
    assert!(
        v(first, IndicatorId::ConversionsIndividual) > 0.9 * l_start,
        "{} of {l_start}",
        v(first, IndicatorId::ConversionsIndividual)
    );
    let talent = levers.get(y, LeverId::Talent) * (1.0 - p[ParamId::TalentSettle]);
    let new_holders = v(first, IndicatorId::PermitsIssued) + talent;
    assert!((v(first, IndicatorId::ExternalPermit) - new_holders).abs() < 1e-6 * new_holders);
    for (k, row) in rows.iter().enumerate() {
        for id in [IndicatorId::WillingnessLocal, IndicatorId::WillingnessExternal] {
            assert!(v(row, id) > 0.5 && v(row, id) < 1.0, "{}: {} = {}", 2024 + k, id.key(), v(row, id));
        }
        // The local group never rebuilds: newcomers from the villages convert each year.
        assert!(
            v(row, IndicatorId::LocalMigrants) < 0.2 * l_start,
            "{}: L = {}",
            2024 + k,
            v(row, IndicatorId::LocalMigrants)
        );
        assert!((v(row, IndicatorId::CompletionShare) - 1.0).abs() < 1e-12);
    }
}

#[test]
fn a_run_continued_equals_a_direct_run() {
    let b = baseline();
    let p = b.central_params();
    let levers = b.default_levers(b.base_year + 1);
    let demo = base_state(&b, &p);
    let mut shocks = RngShocks(ChaCha8Rng::seed_from_u64(7));
    let mut direct = initial_state(&b.inputs, &p, &levers, &demo);
    model::start_run(&b.inputs, &mut direct, &mut shocks);
    let mut split = direct.clone();
    let mut shocks_split = RngShocks(ChaCha8Rng::seed_from_u64(7));
    // Re-consume the start-of-run draws so both generators stand at the same place.
    model::start_run(&b.inputs, &mut split.clone(), &mut shocks_split);
    let mut all = vec![[0.0; IndicatorId::COUNT]; 5];
    model::simulate(&b.inputs, &p, &levers, &mut direct, 2028, &mut shocks, &mut all);
    let mut first = vec![[0.0; IndicatorId::COUNT]; 2];
    let mut second = vec![[0.0; IndicatorId::COUNT]; 3];
    model::simulate(&b.inputs, &p, &levers, &mut split, 2025, &mut shocks_split, &mut first);
    model::simulate(&b.inputs, &p, &levers, &mut split, 2028, &mut shocks_split, &mut second);
    first.extend(second);
    assert_eq!(all, first);
    assert_eq!(direct, split);
}

#[test]
fn the_same_seed_gives_the_same_future_and_another_seed_another() {
    let b = baseline();
    let p = b.central_params();
    let levers = b.default_levers(b.base_year + 1);
    let run = |seed| run_checked(&b, &p, &levers, 2028, &mut RngShocks(ChaCha8Rng::seed_from_u64(seed)));
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn the_oldest_age_group_stays_bounded() {
    // Guards the open-interval survival rule: the 100+ group never exceeds what the 99s feed it.
    let b = baseline();
    let p = b.central_params();
    let demo = base_state(&b, &p);
    let levers = b.default_levers(b.base_year + 1);
    let mut s = initial_state(&b.inputs, &p, &levers, &demo);
    model::start_run(&b.inputs, &mut s, &mut NoShocks);
    let mut rows = vec![[0.0; IndicatorId::COUNT]; 12];
    model::simulate(&b.inputs, &p, &levers, &mut s, 2035, &mut NoShocks, &mut rows);
    let open: f64 = s.pop.iter().map(|g| g[0][AGES - 1] + g[1][AGES - 1]).sum();
    assert!(open < 2000.0, "{open} people aged 100+");
}

#[test]
fn each_settlement_channel_responds_to_its_own_lever_or_parameter() {
    let channel = |lo: &[Row], hi: &[Row], id: IndicatorId| (sum(lo, id), sum(hi, id));
    // 村改居: more villages reclassified raise hukou and resident urbanisation.
    for (lo, hi) in paired(RUNS, lever(LeverId::VillageReclass, 0.0, 10_000.0), no_tweak) {
        let (a, b) = channel(&lo, &hi, IndicatorId::VillageReclassified);
        assert!(b > a + 1.0, "village {a} -> {b}");
        assert!(last(&hi, IndicatorId::HukouUrbanisationRate) > last(&lo, IndicatorId::HukouUrbanisationRate));
        assert!(last(&hi, IndicatorId::UrbanisationRate) > last(&lo, IndicatorId::UrbanisationRate));
    }
    // 应落尽落: a higher completion share converts more and raises the 应落尽落 ratio.
    for (lo, hi) in paired(RUNS, lever(LeverId::SettleCompletion, 0.0, 0.5), no_tweak) {
        assert!(sum(&hi, IndicatorId::HukouConversions) > sum(&lo, IndicatorId::HukouConversions));
        assert!(last(&hi, IndicatorId::SettleRatio) > last(&lo, IndicatorId::SettleRatio));
        assert!(last(&hi, IndicatorId::HukouUrbanisationRate) > last(&lo, IndicatorId::HukouUrbanisationRate));
    }
    // Talent: more talent arrivals, more registering at once.
    for (lo, hi) in paired(RUNS, lever(LeverId::Talent, 0.0, 3000.0), no_tweak) {
        let (a, b) = channel(&lo, &hi, IndicatorId::ConversionsTalent);
        assert!(b > a, "talent {a} -> {b}");
    }
    // Home purchase and family respond to their own parameters.
    let purchase = |p: &mut Params, high: bool| p[ParamId::PurchaseShare] = if high { 0.4 } else { 0.1 };
    for (lo, hi) in paired(RUNS, |_: &mut LeverPath, _| {}, purchase) {
        let (a, b) = channel(&lo, &hi, IndicatorId::ConversionsPurchase);
        assert!(b > a, "purchase {a} -> {b}");
    }
    let family = |p: &mut Params, high: bool| p[ParamId::FamilyRate] = if high { 0.01 } else { 0.0 };
    for (lo, hi) in paired(RUNS, |_: &mut LeverPath, _| {}, family) {
        let (a, b) = channel(&lo, &hi, IndicatorId::ConversionsFamily);
        assert!(b > a && a == 0.0, "family {a} -> {b}");
    }
}

#[test]
fn the_land_value_index_stays_below_its_ceiling() {
    let b = baseline();
    let mut levers = b.default_levers(b.base_year + 1);
    levers.set_from(b.base_year + 1, LeverId::LandMarket, 100.0);
    let p = b.central_params();
    let demo = base_state(&b, &p);
    let mut state = initial_state(&b.inputs, &p, &levers, &demo);
    model::start_run(&b.inputs, &mut state, &mut NoShocks);
    let mut rows = vec![[0.0; IndicatorId::COUNT]; usize::from(2035 - b.base_year)];
    model::simulate(&b.inputs, &p, &levers, &mut state, 2035, &mut NoShocks, &mut rows);
    assert!(state.land_value > 1.0 && state.land_value <= p[ParamId::LandValueMax] + 1e-12, "{}", state.land_value);
    let w = rows.last().expect("rows")[IndicatorId::WillingnessLocal as usize];
    assert!(w > 0.05, "local willingness does not collapse: {w}");
}

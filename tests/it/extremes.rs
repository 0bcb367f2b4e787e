//! Extreme-condition tests (Sterman, Business Dynamics ch. 21): scenario files under
//! `tests/extreme/` pushed to the edge of their inputs, run to 2035 the way `urbsim run` runs
//! them, with every yearly invariant checked (no NaN, no negative stock, the accounts close) and
//! the direction of each response asserted against the status quo.

use urbsim::model::IndicatorId;

use crate::common::{baseline, resolved_file};
use crate::properties::{Row, run_resolved_checked};

/// Runs a scenario file (relative to the package root) to 2035 with every check.
fn run(file: &str) -> Vec<Row> {
    let b = baseline();
    let r = resolved_file(&b, file, Some(2035));
    let rows = run_resolved_checked(&b, &r);
    assert_eq!(rows.len(), 12, "{file}: 2024-2035");
    rows
}

fn status_quo() -> Vec<Row> {
    run("scenarios/baseline.toml")
}

/// Index of `year` in rows that start in 2024.
fn at(year: u16) -> usize {
    usize::from(year - 2024)
}

fn sum(rows: &[Row], id: IndicatorId, from: u16, to: u16) -> f64 {
    rows[at(from)..=at(to)].iter().map(|r| r[id as usize]).sum()
}

fn value(rows: &[Row], id: IndicatorId, year: u16) -> f64 {
    rows[at(year)][id as usize]
}

#[test]
fn zero_housing_starts_raise_rents_and_cut_in_migration_and_land_revenue() {
    let (sq, zero) = (status_quo(), run("tests/extreme/zero-housing-starts.toml"));
    for year in [2028, 2035] {
        assert!(value(&zero, IndicatorId::RentBurden, year) > value(&sq, IndicatorId::RentBurden, year), "{year}");
        assert!(value(&zero, IndicatorId::MarketRent, year) > value(&sq, IndicatorId::MarketRent, year), "{year}");
        assert!(value(&zero, IndicatorId::ArhStock, year) < value(&sq, IndicatorId::ArhStock, year), "{year}");
    }
    assert_eq!(value(&zero, IndicatorId::ChStarts, 2030), 0.0);
    assert!(sum(&zero, IndicatorId::InMigration, 2025, 2035) < sum(&sq, IndicatorId::InMigration, 2025, 2035));
    // Land revenue falls to the part that does not follow housing starts, and stays there.
    let land = |rows: &[Row], y| value(rows, IndicatorId::LandRevenue, y);
    assert!(land(&zero, 2026) < land(&sq, 2026) && land(&zero, 2035) < land(&sq, 2035));
    assert!(land(&zero, 2035) > 0.0, "industrial and other land still sells");
}

#[test]
fn a_fiscal_squeeze_takes_debt_to_its_cap_and_cuts_starts_gradually() {
    let (sq, squeeze) = (status_quo(), run("tests/extreme/fiscal-squeeze.toml"));
    // Deficits are financed by debt, which rises until it reaches the cap.
    let ratio = |y| value(&squeeze, IndicatorId::DebtRatio, y);
    assert!(ratio(2035) >= 1.5, "debt reaches the 1.5 cap: {}", ratio(2035));
    assert!(value(&squeeze, IndicatorId::Debt, 2035) > value(&squeeze, IndicatorId::Debt, 2024));
    assert!(value(&squeeze, IndicatorId::Debt, 2035) > value(&sq, IndicatorId::Debt, 2035));
    // Starts fall, but never by more than 60% in a year (no knife edge), and end near zero.
    let starts: Vec<f64> = squeeze.iter().map(|r| r[IndicatorId::PipelineStarts as usize]).collect();
    for (y, w) in starts.windows(2).enumerate() {
        assert!(w[1] >= 0.4 * w[0] - 1e-9, "{}: starts {} -> {}", 2025 + y, w[0], w[1]);
    }
    assert!(starts[at(2035)] < 0.05 * starts[at(2024)]);
    assert!(sum(&squeeze, IndicatorId::PipelineStarts, 2025, 2035) < sum(&sq, IndicatorId::PipelineStarts, 2025, 2035));
    // Completions slow down once fewer projects start.
    assert!(
        sum(&squeeze, IndicatorId::PipelineCompletions, 2028, 2035)
            < 0.5 * sum(&sq, IndicatorId::PipelineCompletions, 2028, 2035)
    );
    // The tightness lever binds: the new-start budget is below the status quo's every year
    // from the policy start.
    for year in 2025..=2035 {
        assert!(value(&squeeze, IndicatorId::NewStartBudget, year) < value(&sq, IndicatorId::NewStartBudget, year));
    }
}

#[test]
fn every_lever_at_its_maximum_costs_more_and_runs_a_deficit() {
    let (sq, max) = (status_quo(), run("tests/extreme/every-lever-max.toml"));
    for id in [IndicatorId::Capex, IndicatorId::Mandatory] {
        assert!(sum(&max, id, 2025, 2028) > sum(&sq, id, 2025, 2028), "{}", id.key());
    }
    assert!(sum(&max, IndicatorId::FiscalBalance, 2025, 2028) < sum(&sq, IndicatorId::FiscalBalance, 2025, 2028));
    assert!(value(&max, IndicatorId::Debt, 2028) > value(&sq, IndicatorId::Debt, 2028));
}

#[test]
fn services_first_costs_the_budget_something() {
    let (sq, services) = (status_quo(), run("scenarios/services-first.toml"));
    assert!(sum(&services, IndicatorId::Mandatory, 2025, 2028) > sum(&sq, IndicatorId::Mandatory, 2025, 2028));
    assert!(sum(&services, IndicatorId::FiscalBalance, 2025, 2028) < sum(&sq, IndicatorId::FiscalBalance, 2025, 2028));
    assert!(value(&services, IndicatorId::Debt, 2028) > value(&sq, IndicatorId::Debt, 2028));
}

#[test]
fn the_tight_budget_package_starts_less_completes_less_and_borrows_less() {
    let (sq, tight) = (status_quo(), run("scenarios/tight-budget.toml"));
    assert!(sum(&tight, IndicatorId::PipelineStarts, 2025, 2028) < sum(&sq, IndicatorId::PipelineStarts, 2025, 2028));
    assert!(
        sum(&tight, IndicatorId::PipelineCompletions, 2025, 2030)
            < sum(&sq, IndicatorId::PipelineCompletions, 2025, 2030)
    );
    assert!(sum(&tight, IndicatorId::Capex, 2025, 2028) < sum(&sq, IndicatorId::Capex, 2025, 2028));
    assert!(value(&tight, IndicatorId::Debt, 2028) < value(&sq, IndicatorId::Debt, 2028) - 1.0);
}

#[test]
fn without_births_the_population_ages_and_shrinks_without_breaking() {
    let (sq, none) = (status_quo(), run("tests/extreme/tfr-zero.toml"));
    for year in 2024..=2035 {
        assert_eq!(value(&none, IndicatorId::Births, year), 0.0);
    }
    assert!(value(&none, IndicatorId::ResidentPopulation, 2035) < value(&sq, IndicatorId::ResidentPopulation, 2035));
    assert!(value(&none, IndicatorId::KgDemand, 2035) < 0.5 * value(&sq, IndicatorId::KgDemand, 2035));
}

#[test]
fn migration_at_zero_and_at_three_times_moves_the_population_the_right_way() {
    let (sq, none, triple) =
        (status_quo(), run("tests/extreme/no-in-migration.toml"), run("tests/extreme/triple-in-migration.toml"));
    let pop = |rows: &[Row]| value(rows, IndicatorId::ResidentPopulation, 2035);
    assert!(pop(&none) < pop(&sq) && pop(&sq) < pop(&triple));
    assert!(sum(&none, IndicatorId::InMigration, 2025, 2035) < 0.1 * sum(&sq, IndicatorId::InMigration, 2025, 2035));
    assert!(value(&triple, IndicatorId::RentBurden, 2035) > value(&sq, IndicatorId::RentBurden, 2035));
    assert!(value(&triple, IndicatorId::UrbanHouseholds, 2035) > value(&sq, IndicatorId::UrbanHouseholds, 2035));
}

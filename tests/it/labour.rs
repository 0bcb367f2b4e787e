//! The labour market: the calibrated anchors hold (about 5% unemployment in the first simulated
//! year; new urban jobs at the comparator's pace, never fitted to the plan's target), and the
//! extreme conditions of a boom and a bust move unemployment and migration the right way.

use urbsim::model::IndicatorId;
use urbsim::projection::{Projection, project};

use crate::common::{baseline, resolved_file};

fn run(file: &str) -> Projection {
    let b = baseline();
    project(&b, &resolved_file(&b, file, Some(2035)))
}

fn at(p: &Projection, id: IndicatorId, year: u16) -> f64 {
    p.row(year).expect("year simulated")[id as usize]
}

#[test]
fn the_labour_anchors_hold_in_the_median_run() {
    let sq = run("scenarios/baseline.toml");
    let u = at(&sq, IndicatorId::UnemploymentRate, 2024);
    assert!((u - 0.05).abs() < 0.007, "2024 unemployment {u} (services_per_1000 is calibrated to about 5%)");
    // 宁乡市 recorded about 1.0% of its residents as new urban jobs a year (2021, 2023).
    let nuj = at(&sq, IndicatorId::NewUrbanJobs, 2024);
    let residents = at(&sq, IndicatorId::ResidentPopulation, 2024);
    assert!((nuj / residents - 0.0101).abs() < 0.0005, "2024 new urban jobs {nuj} for {residents} residents");
    // ... and about 0.59% as new rural labour transfers.
    let transfer = at(&sq, IndicatorId::RuralLabourTransfer, 2024);
    assert!((transfer / residents - 0.00594).abs() < 0.0004, "2024 rural transfer {transfer}");
    for year in 2024..=2035 {
        assert!(at(&sq, IndicatorId::TotalEmployment, year) < at(&sq, IndicatorId::TotalLabourSupply, year));
    }
}

#[test]
fn a_boom_lowers_unemployment_and_draws_migrants_a_bust_does_the_opposite() {
    let (sq, boom, bust) =
        (run("scenarios/baseline.toml"), run("tests/extreme/boom.toml"), run("tests/extreme/bust.toml"));
    let u = |p: &Projection, y| at(p, IndicatorId::UnemploymentRate, y);
    for year in 2024..=2035 {
        assert!(u(&boom, year) <= u(&sq, year) + 1e-12, "{year}: boom unemployment");
        assert!(u(&bust, year) > u(&sq, year), "{year}: bust unemployment");
        let (e, s) = (at(&boom, IndicatorId::TotalEmployment, year), at(&boom, IndicatorId::TotalLabourSupply, year));
        assert!(e < s, "{year}: boom employment {e} within supply {s}");
    }
    assert!(u(&boom, 2024) < u(&sq, 2024));
    let sum = |p: &Projection, id: IndicatorId| (2025..=2035).map(|y| at(p, id, y)).sum::<f64>();
    assert!(sum(&boom, IndicatorId::InMigration) > sum(&sq, IndicatorId::InMigration));
    assert!(sum(&bust, IndicatorId::InMigration) < sum(&sq, IndicatorId::InMigration));
    // Migrants leave when jobs go: out-migration rises in a bust, and residents fall clearly.
    assert!(sum(&bust, IndicatorId::OutMigration) > 1.2 * sum(&sq, IndicatorId::OutMigration));
    let change = |p: &Projection| {
        at(p, IndicatorId::ResidentPopulation, 2035) / at(p, IndicatorId::ResidentPopulation, 2024) - 1.0
    };
    assert!(change(&bust) < -0.05, "residents fall {}", change(&bust));
    assert!(change(&boom) > change(&sq) + 0.03);
}

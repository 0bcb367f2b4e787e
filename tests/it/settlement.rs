//! The settlement block against the evidence: how far removing 落户 thresholds and pursuing
//! 应落尽落 can move conversions and hukou urbanisation in a county-level city (docs/MODEL.md
//! §3.2), and what removing thresholds alone does when willingness, not eligibility, binds.

use std::path::Path;

use urbsim::model::{IndicatorId, Year};
use urbsim::projection::{Projection, project, resolve};

use crate::common::{POLICY_START, baseline, resolved_file, scenario};

fn shipped(name: &str) -> Projection {
    let b = baseline();
    project(&b, &resolved_file(&b, Path::new("scenarios").join(name), None))
}

fn at(p: &Projection, id: IndicatorId, year: Year) -> f64 {
    p.row(year).expect("year simulated")[id as usize]
}

fn total(p: &Projection, id: IndicatorId) -> f64 {
    (2025..=2028).map(|y| at(p, id, y)).sum()
}

/// Upper bound of the evidence-based range: the national pace of hukou urbanisation while
/// settlement was pushed hardest, about 1.4 points a year (35.9% in 2014 to 48.3% in 2023, and
/// 35.93% in 2013 to 44.38% in 2019; docs/MODEL.md §3.2), and conversions of at most about 1.1%
/// of residents a year (1.5亿 settled over 2014-2023 in a population of about 14亿).
const MAX_POINTS_A_YEAR: f64 = 1.4;
const MAX_SHARE_A_YEAR: f64 = 0.011;

#[test]
fn open_settlement_moves_conversions_within_the_evidence_based_range() {
    let (sq, open) = (shipped("baseline.toml"), shipped("open-settlement.toml"));
    let gain = at(&open, IndicatorId::HukouUrbanisationRate, 2028) - at(&sq, IndicatorId::HukouUrbanisationRate, 2028);
    assert!(gain > 0.002, "the plan's main lever moves hukou urbanisation: {gain}");
    assert!(gain < 4.0 * MAX_POINTS_A_YEAR / 100.0, "faster than the national pace: {gain}");
    for year in 2025..=2028 {
        let extra = at(&open, IndicatorId::HukouConversions, year) - at(&sq, IndicatorId::HukouConversions, year);
        let residents = at(&open, IndicatorId::ResidentPopulation, year);
        assert!(extra > 0.0 && extra < MAX_SHARE_A_YEAR * residents, "{year}: {extra} extra conversions");
    }
    // 应落尽落 shows in its own indicator.
    assert!(at(&open, IndicatorId::SettleRatio, 2028) > 5.0 * at(&sq, IndicatorId::SettleRatio, 2028));
}

#[test]
fn removing_thresholds_alone_moves_little_because_willingness_binds() {
    // The criteria path opens, but most town residents without an urban hukou are local rural
    // hukou holders who face no threshold, and few of the rest want to convert (CMDS 2017: 37%),
    // so the city-wide effect stays small: under a tenth of a percent of residents a year and
    // under 0.2 points of hukou urbanisation by 2028 (the national gap between resident and
    // hukou urbanisation did not close while thresholds fell, 2015-19).
    let b = baseline();
    let run = |text: &str| project(&b, &resolve(&b, &scenario(&b, text), POLICY_START, None, None));
    let sq = run("name = \"sq\"\n");
    let open = run("name = \"thresholds\"\n[levers]\nsettle_years_required = 0\nsettle_si_months_required = 0\n\
         income_proof_required = false\ntax_record = \"off\"\n");
    let criteria = (total(&sq, IndicatorId::ConversionsCriteria), total(&open, IndicatorId::ConversionsCriteria));
    assert!(criteria.1 > 1.5 * criteria.0, "criteria path {criteria:?}");
    let all = (total(&sq, IndicatorId::HukouConversions), total(&open, IndicatorId::HukouConversions));
    assert!(all.1 > all.0, "total conversions {all:?}");
    assert!(all.1 - all.0 < 4.0 * 0.001 * at(&sq, IndicatorId::ResidentPopulation, 2028), "total conversions {all:?}");
    let gain = at(&open, IndicatorId::HukouUrbanisationRate, 2028) - at(&sq, IndicatorId::HukouUrbanisationRate, 2028);
    assert!(gain > 0.0 && gain < 0.002, "hukou urbanisation +{gain}");
}

#[test]
fn a_village_programme_raises_both_urbanisation_rates_person_for_person() {
    let (sq, village) = (shipped("baseline.toml"), shipped("village-programme.toml"));
    let moved = total(&village, IndicatorId::VillageReclassified);
    // 5,000 a year from 2025, less those who die within the year of the move.
    assert!(moved > 0.98 * 4.0 * 5000.0 && moved <= 4.0 * 5000.0, "{moved}");
    assert_eq!(at(&village, IndicatorId::VillageReclassified, 2024), 0.0);
    let hukou =
        at(&village, IndicatorId::UrbanHukouPopulation, 2028) - at(&sq, IndicatorId::UrbanHukouPopulation, 2028);
    assert!(hukou > 0.9 * moved && hukou < 1.1 * moved, "urban hukou +{hukou} for {moved} moved");
    assert!(
        at(&village, IndicatorId::UrbanisationRate, 2028) > at(&sq, IndicatorId::UrbanisationRate, 2028) + 0.01,
        "resident urbanisation rises too"
    );
}

//! Backcast acceptance (MODEL.md §9): from the 2020 census to the base year with the shipped
//! parameters, the published statistics are met within their bounds; the shipped calibrated
//! values are the fit; and the base year is a property of the data alone.

use urbsim::baseline::Baseline;
use urbsim::calibrate::{CALIBRATED, calibrate, compare, run_backcast};
use urbsim::model::IndicatorId;
use urbsim::projection::{project, resolve};

use crate::common::{BASELINE, POLICY_START, baseline, scenario};

#[test]
fn the_backcast_meets_every_acceptance_bound() {
    let b = baseline();
    let (_, rows) = run_backcast(&b, &b.central_params());
    let comparisons = compare(&b, &rows);
    // Residents 3 years, urbanisation 2, hukou 3, urban hukou 3, rural hukou 3, births 3, deaths 3,
    // GDP 2 (2022 and 2023; 2020 is the start).
    assert_eq!(comparisons.len(), 22);
    let gdp: Vec<_> = comparisons.iter().filter(|c| c.indicator == "gdp").collect();
    assert!(gdp.iter().all(|c| c.error.abs() < 0.05), "nominal GDP within 5% of each published level: {gdp:?}");
    let rural: Vec<_> = comparisons.iter().filter(|c| c.indicator == "rural_hukou_population").collect();
    assert_eq!(rural.len(), 3);
    assert!(rural.iter().all(|c| c.error.abs() < 0.001), "rural hukou within 0.1%: {rural:?}");
    for c in &comparisons {
        assert!(
            c.accepted(),
            "{} {}: simulated {} published {} error {}",
            c.year,
            c.indicator,
            c.simulated,
            c.published,
            c.error
        );
    }
    let births: Vec<_> = comparisons.iter().filter(|c| c.indicator == "births").collect();
    assert!(births.iter().all(|c| c.error.abs() < 0.05), "births should fit within 5%: {births:?}");
}

#[test]
fn the_shipped_calibrated_values_are_the_fit() {
    let b = baseline();
    let shipped = b.central_params();
    let fitted = calibrate(&b, &shipped);
    for (id, target, ..) in CALIBRATED {
        let (a, f) = (shipped[id], fitted[id]);
        // Relative agreement; the net-urban flow is compared on the scale of the hukou stock.
        let scale = if a.abs() > 1.0 { a.abs().max(2_000.0) } else { a.abs() };
        assert!((a - f).abs() <= 0.02 * scale, "{}: shipped {a}, refit {f} (fitted to {target})", id.key());
    }
}

#[test]
fn moving_the_base_year_is_a_data_edit() {
    // Base year 2022: the 2022 margins exist in the shipped data, so the model starts from
    // end-2022 without any code change.
    let text = BASELINE.replacen("base_year = 2023", "base_year = 2022", 1);
    let b = Baseline::parse("moved", &text).expect("a 2022 base year is valid data");
    assert_eq!(b.base_year, 2022);
    let s = scenario(&b, "name = \"moved\"\n");
    let p = project(&b, &resolve(&b, &s, POLICY_START, None, None));
    assert_eq!(p.first_year, 2023);
    let r2023 = p.row(2023).expect("2023 is simulated");
    let published = 1_437_300.0;
    let err = r2023[IndicatorId::ResidentPopulation as usize] / published - 1.0;
    assert!(err.abs() < 0.01, "2023 residents from a 2022 base: error {err}");
}

#[test]
fn a_baseline_missing_a_parameter_names_it() {
    let text = BASELINE.lines().filter(|l| !l.starts_with("e0_gain = ")).collect::<Vec<_>>().join("\n");
    let err = Baseline::parse("cut", &text).expect_err("a missing parameter is an error");
    assert!(err.to_string().contains("parameters.e0_gain: missing"), "{err}");
}
